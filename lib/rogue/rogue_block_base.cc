/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "rogue_block_base.h"

namespace gr {
namespace netstream {
namespace rogue {

bridge_role parse_role(const std::string& role)
{
    if (role == "client") {
        return bridge_role::client;
    }
    if (role == "server") {
        return bridge_role::server;
    }
    throw std::invalid_argument("role: got '" + role + "', allowed 'client' or 'server'");
}

std::chrono::milliseconds checked_timeout(int timeout_ms)
{
    return std::chrono::milliseconds(checked_range("timeout_ms", timeout_ms, 1, 10000));
}

int checked_range(const char* name, int value, int lo, int hi)
{
    if (value < lo || value > hi) {
        throw std::invalid_argument(std::string(name) + ": got " + std::to_string(value) +
                                    ", allowed " + std::to_string(lo) + " .. " +
                                    std::to_string(hi));
    }
    return value;
}

int checked_channel_filter(int channel)
{
    return checked_range("channel_filter", channel, -1, 255);
}

} // namespace rogue
} // namespace netstream
} // namespace gr
