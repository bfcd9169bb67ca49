/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_NETSTREAM_COMMON_TAG_HELPERS_H
#define INCLUDED_NETSTREAM_COMMON_TAG_HELPERS_H

#include <pmt/pmt.h>
#include <cstdint>
#include <optional>

namespace gr {
namespace netstream {
namespace tags {

//! Interned tag keys (GNU Radio hardware-source conventions).
const pmt::pmt_t& rx_time();
const pmt::pmt_t& rx_rate();
const pmt::pmt_t& rx_freq();

//! `rx_time` value: tuple(u64 whole seconds, double fractional seconds).
pmt::pmt_t make_rx_time(uint64_t seconds, double fraction);
//! `rx_time` value from nanoseconds since the epoch (exact split, no float rounding of
//! seconds).
pmt::pmt_t rx_time_from_ns(uint64_t ns);
//! Nanoseconds since the epoch from an `rx_time` value; empty if it is not a valid
//! rx_time.
std::optional<uint64_t> ns_from_rx_time(const pmt::pmt_t& value);
//! A double from a tag value (real or integer PMT); empty otherwise.
std::optional<double> to_double(const pmt::pmt_t& value);

//! Nanoseconds since the epoch, CLOCK_REALTIME (what doppler senders stamp with).
uint64_t realtime_ns();

} // namespace tags
} // namespace netstream
} // namespace gr

#endif
