/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_NETSTREAM_ZMQ_DP_SOCKET_H
#define INCLUDED_NETSTREAM_ZMQ_DP_SOCKET_H

#include "../common/monitored_socket.h"
#include <zmq.hpp>
#include <chrono>
#include <string>
#include <vector>

namespace gr {
namespace netstream {
namespace dp {

/*!
 * \brief The socket of a doppler block: a monitored socket of the shared context
 * with the options every doppler block needs (finite LINGER, HWM, SUB subscribes
 * to everything, PUB never drops silently, REQ never gets stuck), plus whole-message
 * receive and 2-part send.
 */
class dp_socket
{
public:
    using event_fn = monitored_socket::event_fn;

    /*!
     * \param type ZMQ_PUB, ZMQ_SUB, ZMQ_PUSH, ZMQ_PULL, ZMQ_REQ or ZMQ_REP
     * \param hwm  high-water mark in messages (applied to both directions), > 0
     * \throws std::invalid_argument when the endpoint cannot be bound/connected,
     *         naming the endpoint and the ZeroMQ error.
     */
    dp_socket(
        int type, const std::string& endpoint, bool bind, int hwm, event_fn on_event);

    std::string last_endpoint() const { return d_ms.last_endpoint(); }

    //! Wait until a message can be read; false on timeout. Handles monitor events.
    bool wait_readable(std::chrono::milliseconds timeout)
    {
        return d_ms.wait(ZMQ_POLLIN, timeout);
    }
    //! Wait until a message can be sent; false on timeout. Handles monitor events.
    bool wait_writable(std::chrono::milliseconds timeout)
    {
        return d_ms.wait(ZMQ_POLLOUT, timeout);
    }
    //! Handle pending connect/disconnect events without waiting (call once per work()).
    void service() { d_ms.service(); }
    //! service() at most every 5 ms (see monitored_socket::service_if_due()).
    void service_if_due() { d_ms.service_if_due(); }
    //! Peers currently connected, as far as the socket monitor has reported.
    int peers() const { return d_ms.peers(); }

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

    //! Drop unsent messages at close instead of keeping them for up to 100 ms.
    void drop_unsent_on_close() { d_ms.sock().set(zmq::sockopt::linger, 0); }

private:
    monitored_socket d_ms;
};

} // namespace dp
} // namespace netstream
} // namespace gr

#endif
