/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "stderr_marker.h"
#include <cstdio>

namespace gr {
namespace netstream {

namespace {
int64_t now_ms()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

// Shared window logic: true when one more event fits in the current window.
bool take_slot(std::atomic<int64_t>& start,
               std::atomic<unsigned>& used,
               unsigned max,
               int64_t interval_ms)
{
    const int64_t now = now_ms();
    int64_t s = start.load();
    if (now - s >= interval_ms && start.compare_exchange_strong(s, now)) {
        used.store(0);
    }
    return used.fetch_add(1) < max;
}
} // namespace

void stderr_marker::emit(char c)
{
    if (d_enabled && take_slot(d_window_start_ms, d_in_window, d_max, 1000)) {
        std::fputc(c, stderr);
        std::fflush(stderr);
    }
}

bool rate_limiter::allow()
{
    if (take_slot(d_window_start_ms, d_in_window, d_max, d_interval_ms)) {
        return true;
    }
    d_suppressed++;
    return false;
}

} // namespace netstream
} // namespace gr
