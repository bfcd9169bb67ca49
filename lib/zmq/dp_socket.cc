/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "../common/zmq_context.h"
#include "dp_socket.h"
#include <atomic>
#include <cstring>
#include <stdexcept>

namespace gr {
namespace netstream {
namespace dp {

namespace {
std::string monitor_endpoint()
{
    static std::atomic<unsigned> n{ 0 };
    return "inproc://netstream-dp-monitor-" + std::to_string(n++);
}
constexpr int linger_ms = 100; // stop() must never hang on unsent messages
} // namespace

dp_socket::dp_socket(
    int type, const std::string& endpoint, bool bind, int hwm, event_fn on_event)
    : d_sock(shared_zmq_context(), type), d_on_event(std::move(on_event))
{
    if (!d_on_event) {
        d_on_event = [](const std::string&, const std::string&) {};
    }
    if (hwm <= 0) {
        throw std::invalid_argument("hwm: got " + std::to_string(hwm) + ", must be > 0");
    }
    d_sock.set(zmq::sockopt::linger, linger_ms);
    d_sock.set(zmq::sockopt::sndhwm, hwm);
    d_sock.set(zmq::sockopt::rcvhwm, hwm);
    if (type == ZMQ_SUB) {
        d_sock.set(zmq::sockopt::subscribe, ""); // doppler frames carry no topic
    }
    if (type == ZMQ_PUB) {
        // Full queue -> EAGAIN instead of a silent drop, so every drop is counted.
        d_sock.set(zmq::sockopt::xpub_nodrop, 1);
    }
    if (type == ZMQ_REQ) {
        // Do not get stuck as doppler's Requester does after a timeout.
        d_sock.set(zmq::sockopt::req_relaxed, 1);
        d_sock.set(zmq::sockopt::req_correlate, 1);
    }

    const std::string mon = monitor_endpoint();
    if (zmq_socket_monitor(d_sock.handle(),
                           mon.c_str(),
                           ZMQ_EVENT_CONNECTED | ZMQ_EVENT_ACCEPTED |
                               ZMQ_EVENT_DISCONNECTED) != 0) {
        throw std::runtime_error("zmq_socket_monitor failed: " +
                                 std::string(zmq_strerror(zmq_errno())));
    }
    d_monitor = zmq::socket_t(shared_zmq_context(), ZMQ_PAIR);
    d_monitor.set(zmq::sockopt::linger, 0);
    d_monitor.connect(mon);

    try {
        if (bind) {
            d_sock.bind(endpoint);
        } else {
            d_sock.connect(endpoint);
        }
    } catch (const zmq::error_t& e) {
        throw std::invalid_argument("endpoint: cannot " +
                                    std::string(bind ? "bind" : "connect") + " '" +
                                    endpoint + "': " + e.what());
    }
}

dp_socket::~dp_socket() { zmq_socket_monitor(d_sock.handle(), nullptr, 0); }

std::string dp_socket::last_endpoint() const
{
    return d_sock.get(zmq::sockopt::last_endpoint);
}

bool dp_socket::wait(short events, std::chrono::milliseconds timeout)
{
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
        zmq::pollitem_t items[] = { { d_sock.handle(), 0, events, 0 },
                                    { d_monitor.handle(), 0, ZMQ_POLLIN, 0 } };
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        try {
            zmq::poll(items, 2, std::max(left, std::chrono::milliseconds(0)));
        } catch (const zmq::error_t& e) {
            if (e.num() != EINTR) {
                throw;
            }
        }
        if (items[1].revents & ZMQ_POLLIN) {
            drain_monitor();
        }
        if (items[0].revents & events) {
            return true;
        }
        if (std::chrono::steady_clock::now() >= deadline) {
            return false;
        }
    }
}

bool dp_socket::wait_readable(std::chrono::milliseconds timeout)
{
    return wait(ZMQ_POLLIN, timeout);
}

bool dp_socket::wait_writable(std::chrono::milliseconds timeout)
{
    return wait(ZMQ_POLLOUT, timeout);
}

void dp_socket::drain_monitor()
{
    // Monitor messages: part 1 = u16 event + u32 value, part 2 = the peer address.
    while (true) {
        zmq::message_t ev, addr;
        if (!d_monitor.recv(ev, zmq::recv_flags::dontwait)) {
            return;
        }
        if (ev.more()) {
            (void)d_monitor.recv(addr, zmq::recv_flags::dontwait);
        }
        if (ev.size() < 2) {
            continue;
        }
        uint16_t id;
        std::memcpy(&id, ev.data(), sizeof id);
        const std::string peer = addr.to_string();
        if (id == ZMQ_EVENT_CONNECTED) {
            d_peers++;
            d_on_event("connect", peer);
        } else if (id == ZMQ_EVENT_ACCEPTED) {
            d_peers++;
            d_on_event("accept", peer);
        } else if (id == ZMQ_EVENT_DISCONNECTED) {
            d_peers = d_peers > 0 ? d_peers - 1 : 0;
            d_on_event("disconnect", peer);
        }
    }
}

bool dp_socket::recv_all_parts(std::vector<zmq::message_t>& parts)
{
    parts.clear();
    zmq::message_t msg;
    if (!d_sock.recv(msg, zmq::recv_flags::dontwait)) {
        return false;
    }
    bool more = msg.more();
    parts.push_back(std::move(msg));
    // Parts of one message arrive atomically: the rest is already here.
    while (more) {
        zmq::message_t next;
        (void)d_sock.recv(next, zmq::recv_flags::none);
        more = next.more();
        parts.push_back(std::move(next));
    }
    return true;
}

bool dp_socket::try_send(zmq::message_t& header, zmq::message_t& payload)
{
    if (!d_sock.send(header, zmq::send_flags::sndmore | zmq::send_flags::dontwait)) {
        return false;
    }
    // Once the first part is accepted, ZeroMQ takes the whole message.
    (void)d_sock.send(payload, zmq::send_flags::none);
    return true;
}

} // namespace dp
} // namespace netstream
} // namespace gr
