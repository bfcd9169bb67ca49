/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_NETSTREAM_COMMON_INPUT_COALESCER_H
#define INCLUDED_NETSTREAM_COMMON_INPUT_COALESCER_H

#include <gnuradio/block.h>
#include <chrono>
#include <cstddef>
#include <cstdint>

namespace gr {
namespace netstream {

/*!
 * \brief Lets a network sink take its input in large batches at high rates.
 *
 * GNU Radio calls a sink's work() as soon as any input is there. At hundreds of
 * Msamples/s that means a thread wake-up per few thousand items, and the
 * wake-ups (not the copies) become the limit (measured: null_source → sink at
 * ~150 MS/s, ~430 MS/s when the same sink is called with ≥ 16 Ki items).
 *
 * The coalescer does two things:
 *  - request_buffer(): declares an output multiple of `batch` items at
 *    construction, which makes GNU Radio give the *upstream* buffer room for
 *    2 × batch items; release_multiple() (call in start(), after the buffers are
 *    made) sets it back to 1, so the block is never held waiting for a whole
 *    multiple and nothing is lost at the end of the stream. Call request_buffer()
 *    again in stop(), so a restarted flowgraph gets large buffers too.
 *  - should_wait(): when the measured input rate would fill a batch within
 *    `max_wait`, and fewer than `batch` items are there, sleeps for the time the
 *    rest needs (at most `max_wait`) and tells work() to return 0 so it is called
 *    again with more input. It waits at most once per input count, so input that
 *    stops growing (end of stream, a slow source) is taken at once.
 * At low rates it never waits: latency is unchanged there.
 */
//! Batch (bytes) the network sinks aim for at high rates: 16 Ki CF32 samples.
constexpr size_t high_rate_batch_bytes = 128 * 1024;

//! high_rate_batch_bytes in items of item_bytes each (at least 1).
constexpr size_t high_rate_batch_items(size_t item_bytes)
{
    return item_bytes >= high_rate_batch_bytes ? 1 : high_rate_batch_bytes / item_bytes;
}

//! Largest frame (bytes) a sink takes whole in one work() call.
constexpr size_t whole_frame_limit_bytes = 1024 * 1024;

/*!
 * \brief The batch a frame-based sink asks for: a whole frame when it is at most
 * whole_frame_limit_bytes (then the upstream buffer holds two frames, and a frame can
 * be sent straight from it, see lent_buffer), else high_rate_batch_items().
 */
constexpr size_t frame_batch_items(size_t frame_items, size_t item_bytes)
{
    return frame_items > 0 && item_bytes > 0 &&
                   frame_items <= whole_frame_limit_bytes / item_bytes
               ? frame_items
               : high_rate_batch_items(item_bytes);
}

/*!
 * \brief Output buffer (items) a network source asks for: room for two batches,
 * so one work() call can hand downstream a large chunk (measured: a doppler PULL
 * source → null_sink at ~250 MS/s with GNU Radio's default 32 KiB buffer, ~530
 * MS/s with 32 Ki CF32 items).
 */
constexpr size_t source_min_output_items(size_t item_bytes)
{
    return 2 * high_rate_batch_items(item_bytes);
}

class input_coalescer
{
public:
    using clock = std::chrono::steady_clock;

    input_coalescer(size_t batch_items, std::chrono::microseconds max_wait);

    //! The longest wait for a block that must answer within \p budget (its flush
    //! time or timeout; 0 = none): half of it, and never more than 0.5 ms.
    static std::chrono::microseconds max_wait_within(std::chrono::microseconds budget);

    void request_buffer(gr::block& blk) const;
    static void release_multiple(gr::block& blk);

    //! Change the longest wait (0 disables waiting).
    void set_max_wait(std::chrono::microseconds max_wait) { d_max_wait = max_wait; }

    //! Call after each work() with the items consumed; updates the rate estimate.
    void note_consumed(size_t items);
    //! Input rate estimate in items/s (0 until measured).
    double rate() const { return d_rate_est; }

    //! True: the caller slept and should return 0 (consume nothing) now.
    bool should_wait(size_t available);

    size_t batch() const { return d_batch; }

private:
    size_t d_batch;
    std::chrono::microseconds d_max_wait;
    double d_rate_est = 0.0;
    uint64_t d_rate_items = 0;
    clock::time_point d_rate_t0{};
    size_t d_waited_at = 0; //!< the input count the last wait was for
};

} // namespace netstream
} // namespace gr

#endif
