/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

// Unit tests of the Rogue bridge port/binding rules (spec rogue-stream-bridge.md §2.1).

#define BOOST_TEST_MODULE rogue_port_plan
#include <boost/test/included/unit_test.hpp>

#include "rogue/rogue_port_plan.h"

#include <stdexcept>
#include <string>

namespace rogue = gr::netstream::rogue;
using rogue::bridge_role;
using rogue::frame_direction;
using rogue::socket_kind;

namespace {

//! True when plan_socket() throws std::invalid_argument whose message names `parameter`.
bool rejects(bridge_role role,
             frame_direction direction,
             const std::string& address,
             int base_port,
             const std::string& parameter)
{
    try {
        rogue::plan_socket(role, direction, address, base_port);
    } catch (const std::invalid_argument& e) {
        return std::string(e.what()).find(parameter) != std::string::npos;
    }
    return false;
}

} // namespace

BOOST_AUTO_TEST_CASE(client_source_pulls_from_server_push_on_p_plus_1)
{
    const auto plan = rogue::plan_socket(
        bridge_role::client, frame_direction::receive, "10.0.0.5", 9000);
    BOOST_TEST((plan.kind == socket_kind::pull));
    BOOST_TEST(!plan.bind);
    BOOST_TEST(plan.port == 9001);
    BOOST_TEST(plan.endpoint == "tcp://10.0.0.5:9001");
    BOOST_TEST(plan.counterpart.find("TcpServer") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(client_sink_pushes_to_server_pull_on_p)
{
    const auto plan =
        rogue::plan_socket(bridge_role::client, frame_direction::send, "localhost", 9000);
    BOOST_TEST((plan.kind == socket_kind::push));
    BOOST_TEST(!plan.bind);
    BOOST_TEST(plan.port == 9000);
    BOOST_TEST(plan.endpoint == "tcp://localhost:9000");
}

BOOST_AUTO_TEST_CASE(server_source_binds_pull_on_p)
{
    const auto plan =
        rogue::plan_socket(bridge_role::server, frame_direction::receive, "*", 9000);
    BOOST_TEST((plan.kind == socket_kind::pull));
    BOOST_TEST(plan.bind);
    BOOST_TEST(plan.port == 9000);
    BOOST_TEST(plan.endpoint == "tcp://*:9000");
    BOOST_TEST(plan.counterpart.find("TcpClient") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(server_sink_binds_push_on_p_plus_1)
{
    const auto plan =
        rogue::plan_socket(bridge_role::server, frame_direction::send, "127.0.0.1", 9000);
    BOOST_TEST((plan.kind == socket_kind::push));
    BOOST_TEST(plan.bind);
    BOOST_TEST(plan.port == 9001);
    BOOST_TEST(plan.endpoint == "tcp://127.0.0.1:9001");
}

BOOST_AUTO_TEST_CASE(client_and_server_meet_on_the_same_port_per_direction)
{
    for (int p : { 1, 8000, rogue::max_base_port }) {
        // server -> client frames: server PUSH and client PULL share P+1
        const auto server_push =
            rogue::plan_socket(bridge_role::server, frame_direction::send, "*", p);
        const auto client_pull =
            rogue::plan_socket(bridge_role::client, frame_direction::receive, "h", p);
        BOOST_TEST(server_push.port == client_pull.port);
        BOOST_TEST(server_push.port == p + 1);
        // client -> server frames: client PUSH and server PULL share P
        const auto client_push =
            rogue::plan_socket(bridge_role::client, frame_direction::send, "h", p);
        const auto server_pull =
            rogue::plan_socket(bridge_role::server, frame_direction::receive, "*", p);
        BOOST_TEST(client_push.port == server_pull.port);
        BOOST_TEST(client_push.port == p);
    }
}

BOOST_AUTO_TEST_CASE(server_port_zero_binds_an_os_chosen_port)
{
    for (auto direction : { frame_direction::receive, frame_direction::send }) {
        const auto plan =
            rogue::plan_socket(bridge_role::server, direction, "127.0.0.1", 0);
        BOOST_TEST(plan.port == 0);
        BOOST_TEST(plan.endpoint == "tcp://127.0.0.1:*");
    }
}

BOOST_AUTO_TEST_CASE(bad_parameters_are_rejected_by_name)
{
    BOOST_TEST(
        rejects(bridge_role::client, frame_direction::receive, "h", 0, "base_port"));
    BOOST_TEST(
        rejects(bridge_role::client, frame_direction::receive, "h", -1, "base_port"));
    BOOST_TEST(rejects(bridge_role::server, frame_direction::send, "*", -1, "base_port"));
    BOOST_TEST(
        rejects(bridge_role::server, frame_direction::send, "*", 65535, "base_port"));
    BOOST_TEST(
        rejects(bridge_role::client, frame_direction::send, "h", 70000, "base_port"));
    BOOST_TEST(rejects(bridge_role::client, frame_direction::send, "", 9000, "address"));
    BOOST_TEST(rejects(bridge_role::client, frame_direction::send, "*", 9000, "address"));
    BOOST_TEST(
        rejects(bridge_role::server, frame_direction::send, "tcp://h", 9000, "address"));
    BOOST_TEST(
        rejects(bridge_role::server, frame_direction::send, "a b", 9000, "address"));
}

BOOST_AUTO_TEST_CASE(names_for_logs)
{
    BOOST_TEST(std::string(rogue::to_string(bridge_role::client)) == "client");
    BOOST_TEST(std::string(rogue::to_string(bridge_role::server)) == "server");
    BOOST_TEST(std::string(rogue::to_string(frame_direction::receive)) == "receive");
    BOOST_TEST(std::string(rogue::to_string(frame_direction::send)) == "send");
    BOOST_TEST(std::string(rogue::to_string(socket_kind::push)) == "PUSH");
    BOOST_TEST(std::string(rogue::to_string(socket_kind::pull)) == "PULL");
}
