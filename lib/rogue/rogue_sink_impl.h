/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_NETSTREAM_ROGUE_ROGUE_SINK_IMPL_H
#define INCLUDED_NETSTREAM_ROGUE_ROGUE_SINK_IMPL_H

#include "../common/input_coalescer.h"
#include "../common/lent_buffer.h"
#include "rogue_block_base.h"
#include "rogue_metadata.h"
#include "rogue_payload_pool.h"
#include <gnuradio/netstream/rogue_sink.h>
#include <gnuradio/tags.h>
#include <atomic>
#include <vector>

namespace gr {
namespace netstream {
namespace rogue {

class rogue_sink_impl : public rogue_block_base<rogue_sink>
{
public:
    rogue_sink_impl(const std::string& role,
                    const std::string& address,
                    int port,
                    int itemsize,
                    int vlen,
                    const std::string& len_tag_key,
                    int frame_items,
                    int flags,
                    int chan,
                    int err,
                    int timeout_ms,
                    bool drop_on_timeout);

    void set_flags(int flags) override;
    void set_chan(int chan) override;
    void set_err(int err) override;

    bool start() override;
    bool stop() override;
    int work(int noutput_items,
             gr_vector_const_void_star& input_items,
             gr_vector_void_star& output_items) override;

private:
    using clock = std::chrono::steady_clock;
    /*!
     * \brief Starts a frame at absolute item \p offset from the tags there.
     * \return the frame length in items, or 0 when no frame starts there
     */
    uint64_t begin_frame(uint64_t offset);
    //! Sends one frame with this payload; false if it was kept for a retry
    //! (keep-blocking mode).
    bool send_frame(zmq::message_t& payload, clock::time_point deadline);

    const size_t d_item_bytes;
    const pmt::pmt_t d_len_key; //!< PMT_NIL when frame lengths come from frame_items only
    const uint64_t d_frame_items;
    const bool d_drop_on_timeout;
    std::atomic<uint16_t> d_flags;
    std::atomic<uint8_t> d_chan;
    std::atomic<uint8_t> d_err;

    std::vector<gr::tag_t> d_tags; //!< tags of the current work() window, by offset
    //! The outgoing payload part, allocated at the frame size when a frame starts;
    //! items are copied straight into it and ZeroMQ sends it without another copy.
    zmq::message_t d_payload;
    //! Large payload buffers come back here once ZeroMQ has sent them.
    const std::shared_ptr<payload_pool> d_pool = std::make_shared<payload_pool>();
    uint64_t d_frame_len = 0;    //!< items in the current frame; 0 = between frames
    uint64_t d_have = 0;         //!< items of the current frame already in d_payload
    bool d_discarding = false;   //!< the current frame is too large to send: skip it
    frame_meta d_meta;           //!< metadata of the current frame
    input_coalescer d_coalescer; //!< large input batches at high rates
    //! Large frames whole in the input are lent to ZeroMQ instead of copied.
    lent_buffer d_lent;
    uint64_t d_lent_items = 0; //!< items at the input's start that ZeroMQ still holds
};

} // namespace rogue
} // namespace netstream
} // namespace gr

#endif
