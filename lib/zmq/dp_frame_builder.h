/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_NETSTREAM_ZMQ_DP_FRAME_BUILDER_H
#define INCLUDED_NETSTREAM_ZMQ_DP_FRAME_BUILDER_H

#include "../common/lent_buffer.h"
#include "dp_header_codec.h"
#include <gnuradio/gr_complex.h>
#include <gnuradio/tags.h>
#include <zmq.hpp>
#include <chrono>
#include <optional>
#include <vector>

namespace gr {
namespace netstream {
namespace dp {

/*!
 * \brief Sink side: turns a stream of gr_complex items and their tags into
 * doppler v1 frames (header + converted payload), one conversion, no extra copy.
 *
 * Metadata: `rx_rate` / `rx_freq` tags set the header's sample_rate /
 * center_freq (the constructor values are used until a tag arrives);
 * `rx_time` anchors timestamp_ns (extrapolated with the rate to each frame's
 * first sample); without an `rx_time` the send-time clock is used, as doppler
 * does. A frame is cut short before a metadata tag so that every header
 * describes all of its samples exactly.
 */
class dp_frame_builder
{
public:
    dp_frame_builder(sample_type type,
                     size_t frame_size,
                     float scale,
                     double sample_rate,
                     double center_freq);

    /*!
     * \brief Add items to the pending frame.
     * \param in      items
     * \param n       number of items available
     * \param offset  absolute item offset of in[0]
     * \param tags    tags in [offset, offset + n), any order
     * \return number of items consumed (stops early when the frame is complete)
     */
    size_t fill(const gr_complex* in,
                size_t n,
                uint64_t offset,
                const std::vector<gr::tag_t>& tags,
                bool may_lend = false);

    /*!
     * \brief True when the pending frame was not copied: fill() (with may_lend, CF32
     * wire, a whole frame at once) kept a pointer to the caller's items instead.
     * take() then lends them to ZeroMQ through the given lent_buffer, and the caller
     * must keep them unconsumed until the lent_buffer says they are back.
     */
    bool lending() const { return d_lend_from != nullptr; }

    bool complete() const { return d_complete; }
    size_t pending() const { return d_fill; }
    //! Time the pending frame received its first item (for the flush timer).
    std::chrono::steady_clock::time_point first_item_time() const { return d_first_time; }

    /*!
     * \brief Finish the pending frame: header (with the next sequence number) and
     * payload of exactly pending() samples. Resets the builder for the next frame.
     */
    void
    take(zmq::message_t& header_out, zmq::message_t& payload_out, lent_buffer& lender);
    //! take() for callers that never pass may_lend to fill().
    void take(zmq::message_t& header_out, zmq::message_t& payload_out);

    //! Discard the pending frame (counted by the caller); the sequence still advances
    //! so receivers see the loss as a gap.
    void discard();

    void set_sample_rate(double r) { d_rate = r; }
    void set_center_freq(double f) { d_freq = f; }
    double sample_rate() const { return d_rate; }
    double center_freq() const { return d_freq; }
    uint64_t next_sequence() const { return d_seq; }
    size_t frame_size() const { return d_frame_size; }
    sample_type type() const { return d_type; }

private:
    void begin_frame(uint64_t offset, bool allocate);
    void apply_tag(const gr::tag_t& t);

    sample_type d_type;
    size_t d_frame_size;
    size_t d_bps;
    float d_scale;
    double d_rate;
    double d_freq;
    uint64_t d_seq = 0;

    // rx_time anchor: absolute offset and ns timestamp of that item
    std::optional<std::pair<uint64_t, uint64_t>> d_time_anchor;

    zmq::message_t d_payload;
    const gr_complex* d_lend_from = nullptr; //!< lending(): the caller's items
    size_t d_fill = 0;
    bool d_complete = false;
    uint64_t d_frame_offset = 0;
    double d_frame_rate = 0.0;
    double d_frame_freq = 0.0;
    std::optional<uint64_t> d_frame_ts;
    std::chrono::steady_clock::time_point d_first_time;
};

} // namespace dp
} // namespace netstream
} // namespace gr

#endif
