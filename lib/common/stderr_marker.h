/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_NETSTREAM_COMMON_STDERR_MARKER_H
#define INCLUDED_NETSTREAM_COMMON_STDERR_MARKER_H

#include <atomic>
#include <chrono>
#include <cstdint>

namespace gr {
namespace netstream {

/*!
 * \brief UHD-style one-character event markers on stderr, rate-limited.
 *
 * `O` = overflow / loss upstream of us, `U` = underflow, `D` = drop by us.
 * At most `max_per_second` characters are written per second per marker
 * object; the counters (not the markers) are the exact record.
 */
class stderr_marker
{
public:
    explicit stderr_marker(unsigned max_per_second = 20) : d_max(max_per_second) {}
    void emit(char c);
    void set_enabled(bool on) { d_enabled = on; }

private:
    unsigned d_max;
    std::atomic<bool> d_enabled{ true };
    std::atomic<int64_t> d_window_start_ms{ 0 };
    std::atomic<unsigned> d_in_window{ 0 };
};

/*!
 * \brief Allows at most N events per interval (for rate-limited log lines).
 * Thread-safe; `allow()` returns false when the event should be suppressed,
 * and `suppressed()` tells how many were since the last allowed one.
 */
class rate_limiter
{
public:
    explicit rate_limiter(unsigned per_interval = 5,
                          std::chrono::milliseconds interval = std::chrono::seconds(1))
        : d_max(per_interval), d_interval_ms(interval.count())
    {
    }
    bool allow();
    uint64_t take_suppressed() { return d_suppressed.exchange(0); }

private:
    unsigned d_max;
    int64_t d_interval_ms;
    std::atomic<int64_t> d_window_start_ms{ 0 };
    std::atomic<unsigned> d_in_window{ 0 };
    std::atomic<uint64_t> d_suppressed{ 0 };
};

} // namespace netstream
} // namespace gr

#endif
