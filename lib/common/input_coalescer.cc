/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "input_coalescer.h"
#include <algorithm>
#include <thread>

namespace gr {
namespace netstream {

namespace {
// Waits shorter than this are not worth a sleep (timer slack is ~50 µs).
constexpr std::chrono::microseconds min_sleep{ 20 };
} // namespace

input_coalescer::input_coalescer(size_t batch_items, std::chrono::microseconds max_wait)
    : d_batch(std::max<size_t>(batch_items, 1)), d_max_wait(max_wait)
{
}

std::chrono::microseconds
input_coalescer::max_wait_within(std::chrono::microseconds budget)
{
    constexpr std::chrono::microseconds longest{ 500 };
    return budget.count() > 0 ? std::min(longest, budget / 2) : longest;
}

void input_coalescer::request_buffer(gr::block& blk) const
{
    blk.set_output_multiple(static_cast<int>(d_batch));
}

void input_coalescer::release_multiple(gr::block& blk) { blk.set_output_multiple(1); }

void input_coalescer::note_consumed(size_t items)
{
    const auto now = clock::now();
    if (d_rate_t0 == clock::time_point{}) {
        d_rate_t0 = now;
        return;
    }
    d_rate_items += items;
    const double dt = std::chrono::duration<double>(now - d_rate_t0).count();
    if (dt >= 0.002) {
        const double r = static_cast<double>(d_rate_items) / dt;
        d_rate_est = d_rate_est > 0.0 ? 0.5 * (d_rate_est + r) : r;
        d_rate_items = 0;
        d_rate_t0 = now;
    }
}

bool input_coalescer::should_wait(size_t available)
{
    if (available >= d_batch || d_rate_est <= 0.0 || d_max_wait.count() <= 0 ||
        available == d_waited_at) {
        return false;
    }
    const double need_s = static_cast<double>(d_batch - available) / d_rate_est;
    const auto need = std::chrono::microseconds(static_cast<int64_t>(need_s * 1e6));
    if (need > d_max_wait || need < min_sleep) {
        return false;
    }
    d_waited_at = available;
    std::this_thread::sleep_for(need);
    return true;
}

} // namespace netstream
} // namespace gr
