/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_NETSTREAM_ROGUE_ROGUE_SOURCE_IMPL_H
#define INCLUDED_NETSTREAM_ROGUE_ROGUE_SOURCE_IMPL_H

#include "rogue_block_base.h"
#include <gnuradio/netstream/rogue_source.h>
#include <atomic>

namespace gr {
namespace netstream {
namespace rogue {

class rogue_source_impl : public rogue_block_base<rogue_source>
{
public:
    rogue_source_impl(const std::string& role,
                      const std::string& address,
                      int port,
                      int itemsize,
                      int vlen,
                      int channel_filter,
                      bool drop_errors,
                      const std::string& partial_policy,
                      int timeout_ms);

    void set_channel_filter(int channel) override;
    int channel_filter() const override { return d_channel_filter.load(); }
    void set_drop_errors(bool drop) override { d_drop_errors = drop; }
    bool drop_errors() const override { return d_drop_errors.load(); }

    bool start() override;
    bool stop() override;
    int work(int noutput_items,
             gr_vector_const_void_star& input_items,
             gr_vector_void_star& output_items) override;

private:
    using clock = std::chrono::steady_clock;
    //! Receives until one frame can be emitted (tags written at \p tag_offset).
    bool next_frame(clock::time_point deadline, uint64_t tag_offset);

    const size_t d_item_bytes;
    const bool d_pad_partial;
    std::atomic<int> d_channel_filter;
    std::atomic<bool> d_drop_errors;

    // The frame being copied out. d_cur points into the payload part of the message
    // the transport received (kept until the next receive, across work() calls), so
    // each byte is copied once, from the message straight into the output buffer.
    const uint8_t* d_cur = nullptr;
    size_t d_cur_bytes = 0; //!< payload bytes at d_cur
    size_t d_out_bytes = 0; //!< bytes to emit: payload plus zero padding ("pad" policy)
    size_t d_pos = 0;       //!< bytes of this frame emitted so far
    uint64_t d_seq = 0;
};

} // namespace rogue
} // namespace netstream
} // namespace gr

#endif
