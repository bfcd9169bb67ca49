/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "../common/reconnect_policy.h"
#include "../common/zmq_context.h"
#include "rogue_transport.h"
#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace gr {
namespace netstream {
namespace rogue {

namespace {
std::string monitor_endpoint()
{
    static std::atomic<unsigned> n{ 0 };
    return "inproc://netstream-rogue-monitor-" + std::to_string(n++);
}

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
      d_sock(shared_zmq_context(),
             d_plan.kind == socket_kind::push ? ZMQ_PUSH : ZMQ_PULL),
      d_on_event(std::move(on_event))
{
    // Rogue's options (spec §2.1): LINGER=0 on both; IMMEDIATE=1 on PUSH so nothing is
    // queued while no peer is connected. High-water marks stay at the libzmq default.
    d_sock.set(zmq::sockopt::linger, 0);
    if (d_plan.kind == socket_kind::push) {
        d_sock.set(zmq::sockopt::immediate, 1);
    }
    if (!d_plan.bind) {
        // libzmq reconnects by itself; the shared policy sets its back-off.
        reconnect_policy policy("retry", 0.1, 2.0);
        const auto first = policy.next_delay();
        d_sock.set(zmq::sockopt::reconnect_ivl, static_cast<int>(first.count()));
        d_sock.set(zmq::sockopt::reconnect_ivl_max, 2000);
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
        if (d_plan.bind) {
            d_sock.bind(d_plan.endpoint);
        } else {
            d_sock.connect(d_plan.endpoint);
        }
    } catch (const zmq::error_t& e) {
        zmq_socket_monitor(d_sock.handle(), nullptr, 0);
        throw std::invalid_argument("address/port: cannot " +
                                    std::string(d_plan.bind ? "bind" : "connect") + " '" +
                                    d_plan.endpoint + "': " + e.what());
    }
}

rogue_transport::~rogue_transport() { zmq_socket_monitor(d_sock.handle(), nullptr, 0); }

std::string rogue_transport::last_endpoint() const
{
    const std::string ep = d_sock.get(zmq::sockopt::last_endpoint);
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

bool rogue_transport::wait(short events, std::chrono::milliseconds timeout)
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

void rogue_transport::drain_monitor()
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
        std::uint16_t id;
        std::memcpy(&id, ev.data(), sizeof id);
        const char* name = nullptr;
        if (id == ZMQ_EVENT_CONNECTED || id == ZMQ_EVENT_ACCEPTED) {
            d_peers++;
            name = id == ZMQ_EVENT_CONNECTED ? "connect" : "accept";
        } else if (id == ZMQ_EVENT_DISCONNECTED) {
            if (d_peers.load() > 0) {
                d_peers--;
            }
            name = "disconnect";
        }
        if (name && d_on_event) {
            d_on_event(name, addr.to_string());
        }
    }
}

rogue_transport::recv_status rogue_transport::receive(std::chrono::milliseconds timeout,
                                                      frame_view& out,
                                                      parse_error& err,
                                                      std::size_t& wire_bytes)
{
    wire_bytes = 0;
    d_parts.clear();
    drain_monitor();
    zmq::message_t first;
    if (!d_sock.recv(first, zmq::recv_flags::dontwait)) {
        if (!wait(ZMQ_POLLIN, timeout) ||
            !d_sock.recv(first, zmq::recv_flags::dontwait)) {
            return recv_status::timeout;
        }
    }
    bool more = first.more();
    d_parts.push_back(std::move(first));
    // Parts of one message arrive together: the rest is already here.
    while (more) {
        zmq::message_t next;
        (void)d_sock.recv(next, zmq::recv_flags::none);
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
    drain_monitor();
    const header_parts h = encode_header(flags, chan, err);
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
        zmq::const_buffer first(h.flags.data(), h.flags.size());
        if (d_sock.send(first, zmq::send_flags::sndmore | zmq::send_flags::dontwait)) {
            break;
        }
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0 || !wait(ZMQ_POLLOUT, left)) {
            return false;
        }
    }
    // Once the first part is accepted, ZeroMQ takes the whole message.
    (void)d_sock.send(zmq::const_buffer(h.chan.data(), h.chan.size()),
                      zmq::send_flags::sndmore);
    (void)d_sock.send(zmq::const_buffer(h.err.data(), h.err.size()),
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
    (void)d_sock.send(body, zmq::send_flags::none);
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
    (void)d_sock.send(payload, zmq::send_flags::none);
    return send_status::sent;
}

} // namespace rogue
} // namespace netstream
} // namespace gr
