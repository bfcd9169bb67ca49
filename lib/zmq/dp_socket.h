/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_NETSTREAM_ZMQ_DP_SOCKET_H
#define INCLUDED_NETSTREAM_ZMQ_DP_SOCKET_H

#include <zmq.hpp>
#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace gr {
namespace netstream {
namespace dp {

/*!
 * \brief A ZeroMQ socket of the shared context, set up the way all our doppler
 * blocks need it: finite LINGER, HWM, bind or connect, a socket monitor for
 * connect/disconnect events, and waits that are always bounded.
 */
class dp_socket
{
public:
    //! Connection events seen by the monitor: "connect", "disconnect", "accept".
    using event_fn =
        std::function<void(const std::string& event, const std::string& peer)>;

    /*!
     * \param type ZMQ_PUB, ZMQ_SUB, ZMQ_PUSH, ZMQ_PULL, ZMQ_REQ or ZMQ_REP
     * \param hwm  high-water mark in messages (applied to both directions), > 0
     * \throws std::invalid_argument when the endpoint cannot be bound/connected,
     *         naming the endpoint and the ZeroMQ error.
     */
    dp_socket(
        int type, const std::string& endpoint, bool bind, int hwm, event_fn on_event);
    ~dp_socket();

    dp_socket(const dp_socket&) = delete;
    dp_socket& operator=(const dp_socket&) = delete;

    //! The resolved endpoint (e.g. with the real port after binding port 0).
    std::string last_endpoint() const;

    //! Wait until a message can be read; false on timeout. Handles monitor events.
    bool wait_readable(std::chrono::milliseconds timeout);
    //! Wait until a message can be sent; false on timeout. Handles monitor events.
    bool wait_writable(std::chrono::milliseconds timeout);

    /*!
     * \brief Receive a whole multipart message without blocking, draining every part.
     * \return false if no message was pending.
     */
    bool recv_all_parts(std::vector<zmq::message_t>& parts);

    /*!
     * \brief Send header + payload as one 2-part message without blocking.
     * \return false if the socket would block (HWM reached); nothing was sent then.
     */
    bool try_send(zmq::message_t& header, zmq::message_t& payload);

    //! Handle pending connect/disconnect events without waiting (call once per work()).
    void service() { drain_monitor(); }
    //! Peers currently connected, as far as the socket monitor has reported.
    int peers() const { return d_peers; }

    zmq::socket_t& raw() { return d_sock; }

private:
    bool wait(short events, std::chrono::milliseconds timeout);
    void drain_monitor();

    zmq::socket_t d_sock;
    zmq::socket_t d_monitor;
    event_fn d_on_event;
    int d_peers = 0;
};

} // namespace dp
} // namespace netstream
} // namespace gr

#endif
