/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "monitored_socket.h"
#include "zmq_context.h"
#include <cstring>
#include <stdexcept>

namespace gr {
namespace netstream {

namespace {
std::string monitor_endpoint()
{
    static std::atomic<unsigned> n{ 0 };
    return "inproc://netstream-monitor-" + std::to_string(n++);
}
} // namespace

monitored_socket::monitored_socket(int type, event_fn on_event)
    : d_sock(shared_zmq_context(), type), d_on_event(std::move(on_event))
{
    if (!d_on_event) {
        d_on_event = [](const std::string&, const std::string&) {};
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
}

monitored_socket::~monitored_socket() { zmq_socket_monitor(d_sock.handle(), nullptr, 0); }

void monitored_socket::bind_or_connect(const std::string& endpoint, bool bind)
{
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

std::string monitored_socket::last_endpoint() const
{
    return d_sock.get(zmq::sockopt::last_endpoint);
}

bool monitored_socket::wait(short events, std::chrono::milliseconds timeout)
{
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
        zmq::pollitem_t items[] = { { d_sock.handle(), 0, events, 0 },
                                    { d_monitor.handle(), 0, ZMQ_POLLIN, 0 } };
        try {
            zmq::poll(items, 2, time_left(deadline));
        } catch (const zmq::error_t& e) {
            if (e.num() != EINTR) {
                throw;
            }
        }
        if (items[1].revents & ZMQ_POLLIN) {
            service();
        }
        if (items[0].revents & events) {
            return true;
        }
        if (std::chrono::steady_clock::now() >= deadline) {
            return false;
        }
    }
}

void monitored_socket::service_if_due()
{
    const auto now = std::chrono::steady_clock::now();
    if (now < d_next_service) {
        return;
    }
    d_next_service = now + std::chrono::milliseconds(5);
    service();
}

void monitored_socket::service()
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
        if (id == ZMQ_EVENT_CONNECTED || id == ZMQ_EVENT_ACCEPTED) {
            d_peers++;
            d_on_event(id == ZMQ_EVENT_CONNECTED ? "connect" : "accept", peer);
        } else if (id == ZMQ_EVENT_DISCONNECTED) {
            if (d_peers.load() > 0) {
                d_peers--;
            }
            d_on_event("disconnect", peer);
        }
    }
}

} // namespace netstream
} // namespace gr
