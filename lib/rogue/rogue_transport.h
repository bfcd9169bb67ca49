/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_NETSTREAM_ROGUE_ROGUE_TRANSPORT_H
#define INCLUDED_NETSTREAM_ROGUE_ROGUE_TRANSPORT_H

// The one ZeroMQ socket a gr-netstream Rogue block opens (spec rogue-stream-bridge.md
// §2.1): which socket, port and bind/connect come from rogue_port_plan; the socket
// options are Rogue's own (PUSH: IMMEDIATE=1, LINGER=0; PULL: LINGER=0; high-water
// marks at the libzmq default). Every wait is bounded by the caller's timeout.

#include "../common/monitored_socket.h"
#include "../common/parse_error.h"
#include "rogue_frame_codec.h"
#include "rogue_port_plan.h"
#include <zmq.hpp>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace gr {
namespace netstream {
namespace rogue {

/*!
 * \brief One endpoint of a Rogue stream bridge: a PULL (receive) or PUSH (send) socket.
 *
 * Not thread-safe: one thread uses it at a time (work() or the block's own thread).
 */
class rogue_transport
{
public:
    //! Connection events seen by the socket monitor: "connect", "accept", "disconnect".
    using event_fn = monitored_socket::event_fn;

    //! Outcome of receive().
    enum class recv_status {
        frame,     //!< a valid frame is in the frame_view (valid until the next call)
        timeout,   //!< nothing arrived within the timeout
        malformed, //!< a message arrived and was refused; see the parse_error
    };

    //! Outcome of send().
    enum class send_status {
        sent,    //!< all four parts were handed to ZeroMQ
        timeout, //!< no peer took the frame within the timeout (nothing was sent)
        refused, //!< the payload may not be sent (empty or > u32); see the parse_error
    };

    /*!
     * \param role       client (connect) or server (bind)
     * \param direction  receive (PULL) or send (PUSH)
     * \param address    server: interface to bind; client: host to connect to
     * \param base_port  Rogue base port P (server may use 0: an OS-chosen port)
     * \param on_event   called from the thread that waits on the socket
     * \throws std::invalid_argument for a bad address/port or a failed bind
     */
    rogue_transport(bridge_role role,
                    frame_direction direction,
                    const std::string& address,
                    int base_port,
                    event_fn on_event);
    ~rogue_transport();

    rogue_transport(const rogue_transport&) = delete;
    rogue_transport& operator=(const rogue_transport&) = delete;

    //! The socket's endpoint with its real port (after binding port 0, too).
    std::string last_endpoint() const;
    //! The Rogue base port P this socket belongs to (derived from the real port).
    int base_port() const;
    //! The plan the socket was opened from.
    const socket_plan& plan() const { return d_plan; }
    //! Number of peers currently connected (from the monitor).
    int peers() const { return d_ms.peers(); }

    /*!
     * \brief Waits up to \p timeout for one message and decodes it.
     *
     * \param out  on recv_status::frame, the decoded frame; its payload points into a
     *             buffer owned by this transport, valid until the next receive()
     * \param err  on recv_status::malformed, why the message was refused
     * \param wire_bytes  receives the number of bytes of every part received (0 on
     * timeout)
     */
    recv_status receive(std::chrono::milliseconds timeout,
                        frame_view& out,
                        parse_error& err,
                        std::size_t& wire_bytes);

    /*!
     * \brief Sends one frame as 4 parts (2/1/1/N, flags little-endian), waiting at most
     * \p timeout for a peer to take it. With ZMQ_IMMEDIATE nothing is queued while no
     * peer is connected, so this times out then, as Rogue blocks.
     */
    send_status send(std::uint16_t flags,
                     std::uint8_t chan,
                     std::uint8_t err,
                     const std::uint8_t* payload,
                     std::size_t payload_size,
                     std::chrono::milliseconds timeout,
                     parse_error& refusal);

    /*!
     * \brief Sends one frame whose payload the caller already built in \p payload
     * (e.g. a zmq::message_t of the frame size filled in place): nothing is copied.
     *
     * On send_status::sent ZeroMQ owns the payload and \p payload is left empty; on
     * timeout or refusal it is left untouched, so the caller can retry with it.
     */
    send_status send(std::uint16_t flags,
                     std::uint8_t chan,
                     std::uint8_t err,
                     zmq::message_t& payload,
                     std::chrono::milliseconds timeout,
                     parse_error& refusal);

private:
    //! Queues parts 0..2; false when no peer took them within \p timeout.
    bool send_header(std::uint16_t flags,
                     std::uint8_t chan,
                     std::uint8_t err,
                     std::chrono::milliseconds timeout);

    socket_plan d_plan;
    monitored_socket d_ms;
    std::vector<zmq::message_t> d_parts; //!< the last message received, kept whole
    std::vector<part_view> d_views;      //!< views of d_parts, reused per message
};

} // namespace rogue
} // namespace netstream
} // namespace gr

#endif
