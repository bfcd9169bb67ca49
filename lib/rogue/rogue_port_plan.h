/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_NETSTREAM_ROGUE_PORT_PLAN_H
#define INCLUDED_NETSTREAM_ROGUE_PORT_PLAN_H

// Which ZMQ socket a gr-netstream Rogue endpoint opens, on which port, and whether it
// binds or connects (spec rogue-stream-bridge.md §2.1). A Rogue bridge with base port P
// uses two consecutive TCP ports, one PUSH/PULL pair per direction:
//
//   Rogue TcpServer: PULL bind P    (remote -> server)   PUSH bind P+1    (server ->
//   remote) Rogue TcpClient: PUSH connect P (client -> server)   PULL connect P+1 (server
//   -> client)
//
// Our blocks take the same role names as Rogue: a block in role "server" binds like a
// Rogue TcpServer (a Rogue TcpClient connects to it); a block in role "client" connects
// like a Rogue TcpClient (to a Rogue TcpServer). Each block opens one socket only.

#include <cstdint>
#include <string>

namespace gr {
namespace netstream {
namespace rogue {

//! Role of our endpoint, named after the Rogue class it stands in for.
enum class bridge_role {
    client, //!< connects, like rogue.interfaces.stream.TcpClient
    server, //!< binds, like rogue.interfaces.stream.TcpServer
};

//! Direction frames travel, seen from our endpoint.
enum class frame_direction {
    receive, //!< frames come to us (a source block): PULL socket
    send,    //!< frames leave us (a sink block): PUSH socket
};

//! ZMQ socket type.
enum class socket_kind { push, pull };

//! Highest usable base port: the bridge also needs P+1.
constexpr int max_base_port = 65534;

/*!
 * \brief Everything a block needs to open its one socket of a Rogue bridge.
 */
struct socket_plan {
    socket_kind kind = socket_kind::pull;
    bool bind = false;       //!< true: bind (server role); false: connect (client role)
    std::uint16_t port = 0;  //!< TCP port; 0 = let the OS choose (server role only)
    std::string endpoint;    //!< libzmq endpoint, e.g. "tcp://127.0.0.1:9001"
    std::string counterpart; //!< the Rogue socket at the other end, for logs and docs
};

/*!
 * \brief Works out the socket, port and bind/connect for one endpoint of a Rogue bridge.
 *
 * \param role       client (connect to host) or server (bind on address)
 * \param direction  receive (PULL) or send (PUSH)
 * \param address    server: interface to bind (IPv4 literal, "*" or interface name);
 *                   client: remote host. Put into "tcp://address:port" unchanged.
 * \param base_port  the Rogue base port P, 1..65534; 0 is allowed in role server only
 *                   and binds an OS-chosen port (endpoint "tcp://address:*"), which a
 *                   Rogue TcpClient can only use if the caller reports the real port.
 * \throws std::invalid_argument naming the parameter, the value and what is allowed
 */
socket_plan plan_socket(bridge_role role,
                        frame_direction direction,
                        const std::string& address,
                        int base_port);

/*! \brief "client" / "server". */
const char* to_string(bridge_role role) noexcept;

/*! \brief "receive" / "send". */
const char* to_string(frame_direction direction) noexcept;

/*! \brief "PUSH" / "PULL". */
const char* to_string(socket_kind kind) noexcept;

} // namespace rogue
} // namespace netstream
} // namespace gr

#endif
