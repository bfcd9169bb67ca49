/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_NETSTREAM_TIA_SERVER_H
#define INCLUDED_NETSTREAM_TIA_SERVER_H

// TiA 1.0 server transport (spec §2, §6, §7): control connections, TCP data
// connections with bounded per-client packet queues, UDP datagrams and the
// server-state connection, all served by one poll() thread. No GNU Radio headers.

#include "../common/counter_set.h"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace gr {
namespace netstream {
namespace tia {

//! An encoded packet (connection packet number 0), shared by all clients.
using shared_packet = std::shared_ptr<const std::vector<std::uint8_t>>;

//! Settings of a tia_server.
struct server_config {
    std::string bind_address = "0.0.0.0";  //!< control listener address (IPv4)
    std::uint16_t port = 9000;             //!< control port; 0 = ephemeral
    std::string udp_address = "127.0.0.1"; //!< UDP datagram destination
    std::uint16_t udp_port = 9998;         //!< UDP destination port (0 = UDP refused)
    std::size_t queue_bytes = 8u << 20;    //!< per-client queue bound (whole packets)
    double stall_timeout_s = 5.0;          //!< disconnect a client stalled this long
    std::size_t max_control_connections = 1024; //!< further connects are refused
    std::size_t max_reply_backlog = 4u << 20;   //!< unread replies before a close
    std::string meta_info_xml;                  //!< body of the MetaInfo reply
    std::size_t packet_bytes = 0;               //!< size of every packet (UDP check)
};

//! Per-client view for status messages.
struct client_status {
    std::uint64_t id = 0;  //!< control connection number (from 1)
    std::string peer;      //!< "address:port" of the control connection
    std::string transport; //!< "", "tcp", "udp"
    bool streaming = false;
    std::uint64_t packets_sent = 0;
    std::uint64_t packets_dropped = 0;
    std::size_t queued_bytes = 0;
};

/*!
 * \brief TiA 1.0 server: one poll() thread, never blocked by a client.
 *
 * publish() is called by the producer (the block's work()): it appends the packets
 * to the bounded queue of every streaming TCP client (dropping whole packets and
 * counting them when a queue is full) and sends one datagram per packet to the UDP
 * destination when a UDP subscriber is started. It never waits on a socket.
 *
 * Counters (in the counter_set given to the constructor): `control_connections`,
 * `control_disconnects`, `connections_refused`, `data_connections`,
 * `data_disconnects`, `clients_stalled` (disconnected after stall_timeout_s),
 * `requests`, `errors_sent`, `reply_overflows`, `frames_out` (packets sent, summed
 * over clients), `bytes_out`, `drops` (packets dropped from a full queue),
 * `udp_frames_out`, `udp_drops`, `malformed` and `malformed.<reason>`.
 */
class server
{
public:
    //! Event callback: (event, detail), e.g. ("connect", "127.0.0.1:5000").
    using event_fn = std::function<void(const std::string&, const std::string&)>;

    /*!
     * \brief Binds the control listener (throws std::runtime_error on failure).
     */
    server(server_config config, counter_set& counters, event_fn on_event);
    ~server();
    server(const server&) = delete;
    server& operator=(const server&) = delete;

    //! The bound control port (the real one after binding port 0).
    std::uint16_t port() const { return d_port; }

    //! Start the I/O thread (idempotent).
    void start();
    /*!
     * \brief Push ServerStateShutdown, close every connection and join the thread
     *        (bounded: about 1 s for the state messages to leave).
     */
    void stop();

    //! Hand packets to the clients; never blocks on I/O. Thread-safe.
    void publish(const std::vector<shared_packet>& packets);

    //! True when at least one client would receive a published packet.
    bool has_subscribers() const { return d_subscribers.load() > 0; }

    std::vector<client_status> clients() const;
    std::size_t control_connection_count() const { return d_control_count.load(); }

private:
    struct impl;
    std::unique_ptr<impl> d_impl;
    std::uint16_t d_port = 0;
    std::atomic<int> d_subscribers{ 0 };
    std::atomic<std::size_t> d_control_count{ 0 };
};

} // namespace tia
} // namespace netstream
} // namespace gr

#endif /* INCLUDED_NETSTREAM_TIA_SERVER_H */
