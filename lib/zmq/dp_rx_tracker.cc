/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "../common/tag_helpers.h"
#include "dp_rx_tracker.h"
#include <cmath>

namespace gr {
namespace netstream {
namespace dp {

dp_rx_tracker::result dp_rx_tracker::on_frame(const header& h)
{
    static const pmt::pmt_t k_gap = pmt::mp("dp_gap");
    static const pmt::pmt_t k_restart = pmt::mp("dp_restart");
    result r;
    bool time_tag = !d_have_prev;

    if (d_have_prev) {
        if (h.sequence > d_prev_seq + 1) {
            r.gap_frames = h.sequence - d_prev_seq - 1;
            r.tags.emplace_back(k_gap, pmt::from_uint64(r.gap_frames));
            time_tag = true;
        } else if (h.sequence <= d_prev_seq) {
            r.restart = true;
            r.tags.emplace_back(k_restart, pmt::from_uint64(h.sequence));
            time_tag = true;
        }
    }
    const bool rate_changed = !d_have_prev || h.sample_rate != d_prev_rate;
    if (rate_changed) {
        r.tags.emplace_back(tags::rx_rate(), pmt::from_double(h.sample_rate));
        time_tag = true;
    }
    if (!d_have_prev || h.center_freq != d_prev_freq) {
        r.tags.emplace_back(tags::rx_freq(), pmt::from_double(h.center_freq));
    }
    if (h.timestamp_ns != 0) {
        if (!time_tag && d_expected_ts != 0) {
            const uint64_t diff = h.timestamp_ns > d_expected_ts
                                      ? h.timestamp_ns - d_expected_ts
                                      : d_expected_ts - h.timestamp_ns;
            time_tag = diff > d_tol;
        } else if (d_expected_ts == 0) {
            time_tag = true;
        }
        if (time_tag) {
            r.tags.emplace_back(tags::rx_time(), tags::rx_time_from_ns(h.timestamp_ns));
        }
        d_expected_ts =
            h.sample_rate > 0.0
                ? h.timestamp_ns +
                      static_cast<uint64_t>(std::llround(
                          static_cast<double>(h.num_samples) / h.sample_rate * 1e9))
                : 0;
    } else {
        d_expected_ts = 0;
    }
    d_have_prev = true;
    d_prev_seq = h.sequence;
    d_prev_rate = h.sample_rate;
    d_prev_freq = h.center_freq;
    return r;
}

} // namespace dp
} // namespace netstream
} // namespace gr
