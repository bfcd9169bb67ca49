/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_NETSTREAM_REDPITAYA_RP_DISCOVERY_H
#define INCLUDED_NETSTREAM_REDPITAYA_RP_DISCOVERY_H

// Red Pitaya discovery beacons, UDP 18902 (spec redpitaya-streaming.md section 2):
// a pure parser for both payload styles and a bounded listener that returns the first
// board.

#include "rp_control_session.h"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace gr {
namespace netstream {
namespace redpitaya {

//! What one beacon says.
struct beacon_info {
    std::string ip;
    char role = 'M'; //!< 'M' master, 'S' slave
    int model = -1;  //!< P3: vendor model id; P2: family digit
    protocol_version version = protocol_version::unknown;
    std::string mac; //!< P3 only
};

/*!
 * \brief Parse a beacon payload: with LF separators it is P3 (exactly 4 fields: MAC, IP,
 * role, model id); otherwise P2 (`<ip><role><digit>`). Empty when malformed.
 */
std::optional<beacon_info> parse_beacon(const std::uint8_t* data, std::size_t len);

/*!
 * \brief Listen on UDP \p port (SO_REUSEADDR) for at most \p timeout and return the first
 * board heard. \throws std::runtime_error when nothing was heard or the port cannot be
 * bound.
 */
beacon_info discover_first_board(std::chrono::milliseconds timeout, int port = 18902);

} // namespace redpitaya
} // namespace netstream
} // namespace gr

#endif
