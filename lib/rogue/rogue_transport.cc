/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "../common/reconnect_policy.h"
#include "rogue_transport.h"
#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace gr {
namespace netstream {
namespace rogue {

namespace {
int port_of(const std::string& endpoint)
{
    const auto colon = endpoint.rfind(':');
    if (colon == std::string::npos) {
        return 0;
    }
    try {
        return std::stoi(endpoint.substr(colon + 1));
    } catch (const std::exception&) {
        return 0;
    }
}
} // namespace

rogue_transport::rogue_transport(bridge_role role,
                                 frame_direction direction,
                                 const std::string& address,
                                 int base_port,
                                 event_fn on_event)
    : d_plan(plan_socket(role, direction, address, base_port)),
      d_ms(d_plan.kind == socket_kind::push ? ZMQ_PUSH : ZMQ_PULL, std::move(on_event))
{
    // Rogue's options (spec §2.1): LINGER=0 on both; IMMEDIATE=1 on PUSH so nothing is
    // queued while no peer is connected. High-water marks stay at the libzmq default.
    d_ms.sock().set(zmq::sockopt::linger, 0);
    if (d_plan.kind == socket_kind::push) {
        d_ms.sock().set(zmq::sockopt::immediate, 1);
    }
    if (!d_plan.bind) {
        // libzmq reconnects by itself; the shared policy sets its back-off.
        reconnect_policy policy("retry", 0.1, 2.0);
        const auto first = policy.next_delay();
        d_ms.sock().set(zmq::sockopt::reconnect_ivl, static_cast<int>(first.count()));
        d_ms.sock().set(zmq::sockopt::reconnect_ivl_max, 2000);
    }

    try {
        d_ms.bind_or_connect(d_plan.endpoint, d_plan.bind);
    } catch (const std::invalid_argument& e) {
        throw std::invalid_argument(std::string("address/port: ") + e.what());
    }
}

rogue_transport::~rogue_transport() = default;

std::string rogue_transport::last_endpoint() const
{
    const std::string ep = d_ms.last_endpoint();
    return ep.empty() ? d_plan.endpoint : ep;
}

int rogue_transport::base_port() const
{
    const int port = port_of(last_endpoint());
    // A source-server binds P (PULL) and a client-source connects to P+1; a sink-server
    // binds P+1 (PUSH) and a client-sink connects to P (spec §2.1).
    const bool uses_upper = (d_plan.kind == socket_kind::push) == d_plan.bind;
    return uses_upper ? port - 1 : port;
}

rogue_transport::recv_status rogue_transport::receive(std::chrono::milliseconds timeout,
                                                      frame_view& out,
                                                      parse_error& err,
                                                      std::size_t& wire_bytes)
{
    wire_bytes = 0;
    d_parts.clear();
    d_ms.service();
    zmq::message_t first;
    if (!d_ms.sock().recv(first, zmq::recv_flags::dontwait)) {
        if (!d_ms.wait(ZMQ_POLLIN, timeout) ||
            !d_ms.sock().recv(first, zmq::recv_flags::dontwait)) {
            return recv_status::timeout;
        }
    }
    bool more = first.more();
    d_parts.push_back(std::move(first));
    // Parts of one message arrive together: the rest is already here.
    while (more) {
        zmq::message_t next;
        (void)d_ms.sock().recv(next, zmq::recv_flags::none);
        more = next.more();
        d_parts.push_back(std::move(next));
    }
    d_views.clear();
    for (const auto& p : d_parts) {
        d_views.push_back({ static_cast<const std::uint8_t*>(p.data()), p.size() });
        wire_bytes += p.size();
    }
    // The payload stays in the received message (libzmq reads a large part straight
    // into it): the caller copies it once, to where it is needed.
    err = decode(d_views.data(), d_views.size(), out);
    return err ? recv_status::malformed : recv_status::frame;
}

bool rogue_transport::send_header(std::uint16_t flags,
                                  std::uint8_t chan,
                                  std::uint8_t err,
                                  std::chrono::milliseconds timeout)
{
    d_ms.service();
    const header_parts h = encode_header(flags, chan, err);
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
        zmq::const_buffer first(h.flags.data(), h.flags.size());
        if (d_ms.sock().send(first,
                             zmq::send_flags::sndmore | zmq::send_flags::dontwait)) {
            break;
        }
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0 || !d_ms.wait(ZMQ_POLLOUT, left)) {
            return false;
        }
    }
    // Once the first part is accepted, ZeroMQ takes the whole message.
    (void)d_ms.sock().send(zmq::const_buffer(h.chan.data(), h.chan.size()),
                           zmq::send_flags::sndmore);
    (void)d_ms.sock().send(zmq::const_buffer(h.err.data(), h.err.size()),
                           zmq::send_flags::sndmore);
    return true;
}

rogue_transport::send_status rogue_transport::send(std::uint16_t flags,
                                                   std::uint8_t chan,
                                                   std::uint8_t err,
                                                   const std::uint8_t* payload,
                                                   std::size_t payload_size,
                                                   std::chrono::milliseconds timeout,
                                                   parse_error& refusal)
{
    refusal = check_payload_size(payload_size);
    if (refusal) {
        return send_status::refused;
    }
    if (!send_header(flags, chan, err, timeout)) {
        return send_status::timeout;
    }
    zmq::message_t body(payload, payload_size);
    (void)d_ms.sock().send(body, zmq::send_flags::none);
    return send_status::sent;
}

rogue_transport::send_status rogue_transport::send(std::uint16_t flags,
                                                   std::uint8_t chan,
                                                   std::uint8_t err,
                                                   zmq::message_t& payload,
                                                   std::chrono::milliseconds timeout,
                                                   parse_error& refusal)
{
    refusal = check_payload_size(payload.size());
    if (refusal) {
        return send_status::refused;
    }
    if (!send_header(flags, chan, err, timeout)) {
        return send_status::timeout;
    }
    (void)d_ms.sock().send(payload, zmq::send_flags::none);
    return send_status::sent;
}

} // namespace rogue
} // namespace netstream
} // namespace gr
