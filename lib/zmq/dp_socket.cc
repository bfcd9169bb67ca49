/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "dp_socket.h"
#include <stdexcept>

namespace gr {
namespace netstream {
namespace dp {

namespace {
constexpr int linger_ms = 100; // stop() must never hang on unsent messages
} // namespace

dp_socket::dp_socket(
    int type, const std::string& endpoint, bool bind, int hwm, event_fn on_event)
    : d_ms(type, std::move(on_event))
{
    if (hwm <= 0) {
        throw std::invalid_argument("hwm: got " + std::to_string(hwm) + ", must be > 0");
    }
    auto& s = d_ms.sock();
    s.set(zmq::sockopt::linger, linger_ms);
    s.set(zmq::sockopt::sndhwm, hwm);
    s.set(zmq::sockopt::rcvhwm, hwm);
    if (type == ZMQ_SUB) {
        s.set(zmq::sockopt::subscribe, ""); // doppler frames carry no topic
    }
    if (type == ZMQ_PUB) {
        // Full queue -> EAGAIN instead of a silent drop, so every drop is counted.
        s.set(zmq::sockopt::xpub_nodrop, 1);
    }
    if (type == ZMQ_REQ) {
        // Do not get stuck as doppler's Requester does after a timeout.
        s.set(zmq::sockopt::req_relaxed, 1);
        s.set(zmq::sockopt::req_correlate, 1);
    }
    d_ms.bind_or_connect(endpoint, bind);
}

bool dp_socket::recv_all_parts(std::vector<zmq::message_t>& parts)
{
    parts.clear();
    auto& s = d_ms.sock();
    zmq::message_t msg;
    if (!s.recv(msg, zmq::recv_flags::dontwait)) {
        return false;
    }
    bool more = msg.more();
    parts.push_back(std::move(msg));
    // Parts of one message arrive atomically: the rest is already here.
    while (more) {
        zmq::message_t next;
        (void)s.recv(next, zmq::recv_flags::none);
        more = next.more();
        parts.push_back(std::move(next));
    }
    return true;
}

bool dp_socket::try_send(zmq::message_t& header, zmq::message_t& payload)
{
    auto& s = d_ms.sock();
    if (!s.send(header, zmq::send_flags::sndmore | zmq::send_flags::dontwait)) {
        return false;
    }
    // Once the first part is accepted, ZeroMQ takes the whole message.
    (void)s.send(payload, zmq::send_flags::none);
    return true;
}

} // namespace dp
} // namespace netstream
} // namespace gr
