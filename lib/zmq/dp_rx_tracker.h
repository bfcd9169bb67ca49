/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_NETSTREAM_ZMQ_DP_RX_TRACKER_H
#define INCLUDED_NETSTREAM_ZMQ_DP_RX_TRACKER_H

#include "dp_header_codec.h"
#include <pmt/pmt.h>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace gr {
namespace netstream {
namespace dp {

/*!
 * \brief Source side: follows the headers of received frames and says which
 * stream tags the frame's first sample gets and which events happened.
 *
 * Tags: `rx_rate` / `rx_freq` when they change (and on the first frame);
 * `rx_time` on the first frame, after a gap or restart, after a rate change,
 * and whenever timestamp_ns departs from the expected continuation by more
 * than `time_tolerance_ns`; `dp_gap` (u64 missing frames) and `dp_restart`
 * (u64 new sequence) on those events.
 */
class dp_rx_tracker
{
public:
    explicit dp_rx_tracker(uint64_t time_tolerance_ns = 1000000)
        : d_tol(time_tolerance_ns)
    {
    }

    struct result {
        std::vector<std::pair<pmt::pmt_t, pmt::pmt_t>> tags;
        uint64_t gap_frames = 0; //!< frames missing before this one
        bool restart = false;    //!< sequence went back (publisher restarted)
    };

    result on_frame(const header& h);
    void reset() { d_have_prev = false; }

private:
    uint64_t d_tol;
    bool d_have_prev = false;
    uint64_t d_prev_seq = 0;
    double d_prev_rate = 0.0;
    double d_prev_freq = 0.0;
    uint64_t d_expected_ts = 0; //!< timestamp the next frame should carry (0 = unknown)
};

} // namespace dp
} // namespace netstream
} // namespace gr

#endif
