/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "rogue_port_plan.h"

#include <stdexcept>

namespace gr {
namespace netstream {
namespace rogue {

namespace {

[[noreturn]] void
reject(const std::string& parameter, const std::string& value, const std::string& allowed)
{
    throw std::invalid_argument("rogue bridge: " + parameter + " = '" + value +
                                "' is not allowed; " + allowed);
}

void check_address(bridge_role role, const std::string& address)
{
    if (address.empty()) {
        reject(
            "address", address, "give a host (client) or an interface to bind (server)");
    }
    if (address.find("://") != std::string::npos) {
        reject("address", address, "give a bare host or interface, without 'tcp://'");
    }
    if (address.find_first_of(" \t\r\n") != std::string::npos) {
        reject("address", address, "it must not contain whitespace");
    }
    if (role == bridge_role::client && address == "*") {
        reject(
            "address", address, "a client connects to a host; '*' only suits a server");
    }
}

void check_base_port(bridge_role role, int base_port)
{
    const int lowest = (role == bridge_role::server) ? 0 : 1;
    if (base_port < lowest || base_port > max_base_port) {
        reject(
            "base_port",
            std::to_string(base_port),
            role == bridge_role::server
                ? "use 0 (OS-chosen port) or 1..65534 (the bridge also uses base_port+1)"
                : "use 1..65534 (the bridge also uses base_port+1)");
    }
}

} // namespace

socket_plan plan_socket(bridge_role role,
                        frame_direction direction,
                        const std::string& address,
                        int base_port)
{
    check_address(role, address);
    check_base_port(role, base_port);

    socket_plan plan;
    plan.kind =
        (direction == frame_direction::receive) ? socket_kind::pull : socket_kind::push;
    plan.bind = (role == bridge_role::server);

    // Server-side PULL and client-side PUSH meet on P; server-side PUSH and
    // client-side PULL meet on P+1.
    const bool on_base_port =
        (role == bridge_role::server) == (direction == frame_direction::receive);
    const bool ephemeral = (base_port == 0);
    plan.port =
        ephemeral ? 0
                  : static_cast<std::uint16_t>(on_base_port ? base_port : base_port + 1);
    plan.endpoint = "tcp://" + address + ":" +
                    (ephemeral ? std::string("*") : std::to_string(plan.port));

    if (role == bridge_role::client) {
        plan.counterpart =
            on_base_port ? "the PULL socket a Rogue TcpServer binds on its base port P"
                         : "the PUSH socket a Rogue TcpServer binds on P+1";
    } else {
        plan.counterpart = on_base_port
                               ? "the PUSH socket a Rogue TcpClient connects to P"
                               : "the PULL socket a Rogue TcpClient connects to P+1";
    }
    return plan;
}

const char* to_string(bridge_role role) noexcept
{
    return role == bridge_role::client ? "client" : "server";
}

const char* to_string(frame_direction direction) noexcept
{
    return direction == frame_direction::receive ? "receive" : "send";
}

const char* to_string(socket_kind kind) noexcept
{
    return kind == socket_kind::push ? "PUSH" : "PULL";
}

} // namespace rogue
} // namespace netstream
} // namespace gr
