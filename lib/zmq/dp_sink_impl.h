/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_NETSTREAM_ZMQ_DP_SINK_IMPL_H
#define INCLUDED_NETSTREAM_ZMQ_DP_SINK_IMPL_H

// One implementation for the three doppler sinks (PUB, PUSH, REP); the public
// classes differ only in their socket pattern and documentation.

#include "../common/input_coalescer.h"
#include "../common/network_block_core.h"
#include "dp_frame_builder.h"
#include "dp_socket.h"
#include <gnuradio/io_signature.h>
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>

namespace gr {
namespace netstream {
namespace dp {

//! Parameters shared by all doppler sinks (validated in dp_sink_params::check()).
struct dp_sink_params {
    std::string endpoint;
    std::string sample_type;
    int frame_size;
    double sample_rate;
    double center_freq;
    bool bind;
    int hwm;
    int timeout_ms;
    double flush_ms;
    double scale;
    bool drop_on_full; //!< PUB only
};

template <class Public>
class dp_sink_impl : public network_block_impl<Public>
{
public:
    dp_sink_impl(int zmq_type, const char* name, const dp_sink_params& p);
    ~dp_sink_impl() override;

    std::string last_endpoint() const override { return d_sock->last_endpoint(); }
    uint64_t next_sequence() const override;
    void set_sample_rate(double rate) override;
    void set_center_freq(double freq) override;

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
    bool flush_due() const;
    bool slow_input() const;
    bool transmit(clock::time_point deadline);
    bool poll_request(clock::time_point deadline);
    void release_lent_frame(clock::time_point deadline);
    void reopen_socket();
    void on_socket_event(const std::string& ev, const std::string& peer);

    const int d_type;
    const bool d_drop_on_full;
    std::chrono::milliseconds d_timeout;
    std::chrono::microseconds d_flush;
    mutable std::mutex d_mutex; // guards builder settings changed from cmd / setters
    dp_frame_builder d_builder;
    std::unique_ptr<dp_socket> d_sock;
    std::string d_endpoint; //!< as given (for reopen_socket())
    bool d_bind = true;
    int d_hwm = 0;
    bool d_may_lend = false;
    lent_buffer d_lent;      //!< whole CF32 frames go out without a copy
    size_t d_lent_items = 0; //!< items at the input's start that ZeroMQ still holds
    zmq::message_t d_out_hdr, d_out_payload;
    uint64_t d_out_items = 0;
    bool d_out_ready = false;
    bool d_have_request = false; // REP
    bool d_in_drop_burst = false;
    std::atomic<uint64_t> d_next_seq{ 0 };
    // Input rate estimate (sends partial frames early at low rates) and
    // large input batches at high rates.
    input_coalescer d_coalescer;
    std::vector<gr::tag_t> d_tags;
    std::vector<zmq::message_t> d_parts;
};

} // namespace dp
} // namespace netstream
} // namespace gr

#endif
