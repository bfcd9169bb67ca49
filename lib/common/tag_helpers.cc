/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "tag_helpers.h"
#include <chrono>
#include <cmath>

namespace gr {
namespace netstream {
namespace tags {

const pmt::pmt_t& rx_time()
{
    static const pmt::pmt_t k = pmt::string_to_symbol("rx_time");
    return k;
}
const pmt::pmt_t& rx_rate()
{
    static const pmt::pmt_t k = pmt::string_to_symbol("rx_rate");
    return k;
}
const pmt::pmt_t& rx_freq()
{
    static const pmt::pmt_t k = pmt::string_to_symbol("rx_freq");
    return k;
}

pmt::pmt_t make_rx_time(uint64_t seconds, double fraction)
{
    return pmt::make_tuple(pmt::from_uint64(seconds), pmt::from_double(fraction));
}

pmt::pmt_t rx_time_from_ns(uint64_t ns)
{
    return make_rx_time(ns / 1000000000ULL,
                        static_cast<double>(ns % 1000000000ULL) * 1e-9);
}

std::optional<uint64_t> ns_from_rx_time(const pmt::pmt_t& value)
{
    if (!pmt::is_tuple(value) || pmt::length(value) != 2) {
        return std::nullopt;
    }
    const pmt::pmt_t s = pmt::tuple_ref(value, 0);
    const pmt::pmt_t f = pmt::tuple_ref(value, 1);
    if (!pmt::is_integer(s) && !pmt::is_uint64(s)) {
        return std::nullopt;
    }
    const auto frac = tags::to_double(f);
    if (!frac || *frac < 0.0 || *frac >= 1.0) {
        return std::nullopt;
    }
    const uint64_t secs =
        pmt::is_uint64(s) ? pmt::to_uint64(s) : static_cast<uint64_t>(pmt::to_long(s));
    return secs * 1000000000ULL + static_cast<uint64_t>(std::llround(*frac * 1e9));
}

std::optional<double> to_double(const pmt::pmt_t& value)
{
    if (pmt::is_real(value) || pmt::is_integer(value)) {
        return pmt::to_double(value);
    }
    if (pmt::is_uint64(value)) {
        return static_cast<double>(pmt::to_uint64(value));
    }
    return std::nullopt;
}

uint64_t realtime_ns()
{
    return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count());
}

} // namespace tags
} // namespace netstream
} // namespace gr
