/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_NETSTREAM_ZMQ_DP_SOURCE_IMPL_H
#define INCLUDED_NETSTREAM_ZMQ_DP_SOURCE_IMPL_H

// One implementation for the three doppler sources (SUB, PULL, REQ).

#include "../common/input_coalescer.h"
#include "../common/network_block_core.h"
#include "dp_rx_tracker.h"
#include "dp_socket.h"
#include <gnuradio/io_signature.h>
#include <chrono>
#include <memory>

namespace gr {
namespace netstream {
namespace dp {

template <class Public>
class dp_source_impl : public network_block_impl<Public>
{
public:
    dp_source_impl(int zmq_type,
                   const char* name,
                   const std::string& endpoint,
                   bool bind,
                   int hwm,
                   int timeout_ms,
                   double scale);
    ~dp_source_impl() override;

    std::string last_endpoint() const override { return d_sock->last_endpoint(); }

    bool start() override;
    bool stop() override;
    int work(int noutput_items,
             gr_vector_const_void_star& input_items,
             gr_vector_void_star& output_items) override;

protected:
    using network_block_core::count_malformed;
    using network_block_core::d_cmds;
    using network_block_core::d_counters;
    using network_block_core::d_marker;
    using network_block_core::d_net_logger;
    using network_block_core::publish_event;
    using network_block_core::warn_limited;
    pmt::pmt_t extra_status_fields(pmt::pmt_t d) const override;

private:
    using clock = std::chrono::steady_clock;
    bool next_frame(clock::time_point deadline, uint64_t tag_offset);
    bool send_request(clock::time_point deadline);
    void on_socket_event(const std::string& ev, const std::string& peer);

    const int d_type;
    const std::chrono::milliseconds d_timeout;
    const double d_scale_param;
    std::unique_ptr<dp_socket> d_sock;
    dp_rx_tracker d_tracker;
    std::vector<zmq::message_t> d_parts;

    // current frame being copied out
    zmq::message_t d_payload;
    header d_hdr;
    uint64_t d_pos = 0;
    float d_scale = 1.0f;

    // REQ
    bool d_request_in_flight = false;
    clock::time_point d_request_time;
    uint64_t d_request_seq = 0;
    bool d_counter_connected_once = false;
};

} // namespace dp
} // namespace netstream
} // namespace gr

#endif
