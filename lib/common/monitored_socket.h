/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_NETSTREAM_COMMON_MONITORED_SOCKET_H
#define INCLUDED_NETSTREAM_COMMON_MONITORED_SOCKET_H

#include <zmq.hpp>
#include <atomic>
#include <chrono>
#include <functional>
#include <string>

namespace gr {
namespace netstream {

/*!
 * \brief A ZeroMQ socket of the shared context with a socket monitor attached:
 * the part every ZeroMQ-based family (doppler, Rogue) needs the same way.
 *
 * - connect / accept / disconnect events reach `on_event` (from the thread that
 *   waits or calls service()) and keep a count of connected peers;
 * - wait() is always bounded by its timeout and retries on EINTR;
 * - bind_or_connect() turns a ZeroMQ error into std::invalid_argument naming
 *   the endpoint.
 * Socket options are the owner's business (set them on sock() before binding).
 */
class monitored_socket
{
public:
    //! Events: "connect", "accept", "disconnect"; peer = the remote address.
    using event_fn =
        std::function<void(const std::string& event, const std::string& peer)>;

    monitored_socket(int type, event_fn on_event);
    ~monitored_socket();

    monitored_socket(const monitored_socket&) = delete;
    monitored_socket& operator=(const monitored_socket&) = delete;

    zmq::socket_t& sock() { return d_sock; }
    const zmq::socket_t& sock() const { return d_sock; }

    //! \throws std::invalid_argument "endpoint: cannot bind '...': <zmq error>"
    void bind_or_connect(const std::string& endpoint, bool bind);
    //! The resolved endpoint (with the real port after binding port 0).
    std::string last_endpoint() const;

    //! Wait for `events` (ZMQ_POLLIN / ZMQ_POLLOUT) at most `timeout`; false on timeout.
    bool wait(short events, std::chrono::milliseconds timeout);
    //! Handle pending monitor events without waiting.
    void service();
    //! service(), at most every 5 ms (it costs a syscall when nothing is pending);
    //! for per-work() calls. wait() still handles events as soon as they come.
    void service_if_due();
    //! Peers currently connected, as far as the monitor has reported.
    int peers() const { return d_peers.load(); }

private:
    zmq::socket_t d_sock;
    zmq::socket_t d_monitor;
    event_fn d_on_event;
    std::atomic<int> d_peers{ 0 };
    std::chrono::steady_clock::time_point d_next_service{};
};

//! Milliseconds left until `deadline`, never negative.
inline std::chrono::milliseconds time_left(std::chrono::steady_clock::time_point deadline)
{
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    return left.count() > 0 ? left : std::chrono::milliseconds(0);
}

} // namespace netstream
} // namespace gr

#endif
