/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_NETSTREAM_ZMQ_REQ_TRANSCEIVER_IMPL_H
#define INCLUDED_NETSTREAM_ZMQ_REQ_TRANSCEIVER_IMPL_H

#include "../common/network_block_core.h"
#include "dp_frame_builder.h"
#include "dp_rx_tracker.h"
#include "dp_socket.h"
#include <gnuradio/netstream/zmq_req_transceiver.h>
#include <chrono>
#include <memory>

namespace gr {
namespace netstream {

class zmq_req_transceiver_impl : public network_block_impl<zmq_req_transceiver>
{
public:
    zmq_req_transceiver_impl(const std::string& endpoint,
                             const std::string& sample_type,
                             int frame_size,
                             double sample_rate,
                             double center_freq,
                             bool bind,
                             int hwm,
                             int timeout_ms,
                             double scale);
    ~zmq_req_transceiver_impl() override;

    std::string last_endpoint() const override { return d_sock->last_endpoint(); }

    void forecast(int noutput_items, gr_vector_int& ninput_items_required) override;
    bool start() override;
    bool stop() override;
    int general_work(int noutput_items,
                     gr_vector_int& ninput_items,
                     gr_vector_const_void_star& input_items,
                     gr_vector_void_star& output_items) override;

private:
    using clock = std::chrono::steady_clock;
    bool send_request(clock::time_point deadline);
    bool receive_reply(clock::time_point deadline, uint64_t tag_offset);
    bool have_reply() const { return d_pos < d_reply_hdr.num_samples; }

    const size_t d_frame_size;
    const std::chrono::milliseconds d_timeout;
    const double d_scale_param;
    dp::dp_frame_builder d_builder;
    std::unique_ptr<dp::dp_socket> d_sock;
    dp::dp_rx_tracker d_tracker;
    std::vector<gr::tag_t> d_tags;
    std::vector<zmq::message_t> d_parts;

    // request kept until answered, so it can be sent again after a timeout
    zmq::message_t d_req_hdr, d_req_payload;
    bool d_request_in_flight = false;
    clock::time_point d_request_time;

    // reply being copied out
    zmq::message_t d_reply;
    dp::header d_reply_hdr;
    uint64_t d_pos = 0;
    float d_reply_scale = 1.0f;
};

} // namespace netstream
} // namespace gr

#endif
