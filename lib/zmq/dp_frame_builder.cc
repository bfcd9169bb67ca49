/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "../common/tag_helpers.h"
#include "dp_frame_builder.h"
#include "dp_sample_convert.h"
#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>

namespace gr {
namespace netstream {
namespace dp {

namespace {
bool is_metadata_key(const pmt::pmt_t& k)
{
    return pmt::eq(k, tags::rx_rate()) || pmt::eq(k, tags::rx_freq()) ||
           pmt::eq(k, tags::rx_time());
}
} // namespace

dp_frame_builder::dp_frame_builder(sample_type type,
                                   size_t frame_size,
                                   float scale,
                                   double sample_rate,
                                   double center_freq)
    : d_type(type),
      d_frame_size(frame_size),
      d_bps(bytes_per_sample(static_cast<uint32_t>(type))),
      d_scale(scale),
      d_rate(sample_rate),
      d_freq(center_freq)
{
}

void dp_frame_builder::apply_tag(const gr::tag_t& t)
{
    if (pmt::eq(t.key, tags::rx_rate())) {
        if (auto v = tags::to_double(t.value)) {
            // Re-anchor the clock at the rate change, so later frames extrapolate
            // with the old rate up to here and the new rate after it.
            if (d_time_anchor && d_rate > 0.0 && t.offset > d_time_anchor->first) {
                const auto [aoff, ans] = *d_time_anchor;
                d_time_anchor = std::make_pair(
                    t.offset,
                    ans + static_cast<uint64_t>(std::llround(
                              static_cast<double>(t.offset - aoff) / d_rate * 1e9)));
            }
            d_rate = *v;
        }
    } else if (pmt::eq(t.key, tags::rx_freq())) {
        if (auto v = tags::to_double(t.value)) {
            d_freq = *v;
        }
    } else if (pmt::eq(t.key, tags::rx_time())) {
        if (auto ns = tags::ns_from_rx_time(t.value)) {
            d_time_anchor = std::make_pair(t.offset, *ns);
        }
    }
}

void dp_frame_builder::begin_frame(uint64_t offset, bool allocate)
{
    if (allocate) {
        d_payload.rebuild(d_frame_size * d_bps);
    }
    d_fill = 0;
    d_complete = false;
    d_frame_offset = offset;
    d_frame_rate = d_rate;
    d_frame_freq = d_freq;
    d_frame_ts.reset();
    if (d_time_anchor) {
        const auto [aoff, ans] = *d_time_anchor;
        if (offset == aoff) {
            d_frame_ts = ans;
        } else if (d_rate > 0.0 && offset > aoff) {
            d_frame_ts = ans + static_cast<uint64_t>(std::llround(
                                   static_cast<double>(offset - aoff) / d_rate * 1e9));
        }
    }
    d_first_time = std::chrono::steady_clock::now();
}

size_t dp_frame_builder::fill(const gr_complex* in,
                              size_t n,
                              uint64_t offset,
                              const std::vector<gr::tag_t>& tags,
                              bool may_lend)
{
    if (d_complete || n == 0) {
        return 0;
    }
    // Items up to the first metadata tag after the frame's first item belong here.
    size_t take_n = std::min(n, d_frame_size - d_fill);
    const uint64_t first = offset;
    for (const auto& t : tags) {
        if (!is_metadata_key(t.key) || t.offset < first || t.offset >= first + take_n) {
            continue;
        }
        const bool at_frame_start = (d_fill == 0 && t.offset == first);
        if (!at_frame_start) {
            take_n = std::min<size_t>(take_n, t.offset - first);
        }
    }
    if (take_n == 0) {
        d_complete = true; // a metadata change starts the next frame
        return 0;
    }
    if (d_fill == 0) {
        // Metadata tags on the first item apply to this frame: rates first, so
        // that an rx_time on the same item anchors after the re-anchoring.
        for (const auto& t : tags) {
            if (t.offset == first && !pmt::eq(t.key, tags::rx_time()) &&
                is_metadata_key(t.key)) {
                apply_tag(t);
            }
        }
        for (const auto& t : tags) {
            if (t.offset == first && pmt::eq(t.key, tags::rx_time())) {
                apply_tag(t);
            }
        }
        // CF32 on the wire is gr_complex in memory: a whole frame need not be copied.
        const bool lend =
            may_lend && d_type == sample_type::cf32 && take_n == d_frame_size;
        begin_frame(first, !lend);
        if (lend) {
            d_lend_from = in;
            d_fill = take_n;
            d_complete = true;
            return take_n;
        }
    }
    to_wire(d_type,
            in,
            take_n,
            static_cast<uint8_t*>(d_payload.data()) + d_fill * d_bps,
            d_scale);
    d_fill += take_n;
    if (d_fill == d_frame_size) {
        d_complete = true;
    } else if (take_n < n) {
        d_complete = true; // stopped before a metadata tag
    }
    return take_n;
}

void dp_frame_builder::take(zmq::message_t& header_out,
                            zmq::message_t& payload_out,
                            lent_buffer& lender)
{
    header h;
    h.sample_type = static_cast<uint32_t>(d_type);
    h.sequence = d_seq++;
    h.timestamp_ns = d_frame_ts ? *d_frame_ts : tags::realtime_ns();
    h.sample_rate = d_frame_rate;
    h.center_freq = d_frame_freq;
    h.num_samples = d_fill;
    header_out.rebuild(header_size);
    encode_header(h, static_cast<uint8_t*>(header_out.data()));
    if (d_lend_from != nullptr) {
        payload_out = lender.lend(d_lend_from, d_fill * d_bps);
        d_lend_from = nullptr;
    } else if (d_fill == d_frame_size) {
        payload_out.move(d_payload);
    } else {
        payload_out.rebuild(d_payload.data(), d_fill * d_bps);
    }
    d_fill = 0;
    d_complete = false;
}

void dp_frame_builder::take(zmq::message_t& header_out, zmq::message_t& payload_out)
{
    if (lending()) {
        throw std::logic_error(
            "dp_frame_builder::take: a lent frame needs a lent_buffer");
    }
    lent_buffer unused;
    take(header_out, payload_out, unused);
}

void dp_frame_builder::discard()
{
    d_lend_from = nullptr;
    d_seq++;
    d_fill = 0;
    d_complete = false;
}

} // namespace dp
} // namespace netstream
} // namespace gr
