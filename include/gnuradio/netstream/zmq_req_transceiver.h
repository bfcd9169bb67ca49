/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_NETSTREAM_ZMQ_REQ_TRANSCEIVER_H
#define INCLUDED_NETSTREAM_ZMQ_REQ_TRANSCEIVER_H

#include <gnuradio/block.h>
#include <gnuradio/netstream/api.h>
#include <gnuradio/netstream/network_block.h>
#include <string>

namespace gr {
namespace netstream {

/*!
 * \brief ZMQ REQ transceiver: remote frame processing over the doppler-dsp v1 wire.
 * \ingroup netstream
 *
 * Sends every `frame_size` input samples as one request (a doppler v1 frame)
 * to a doppler Replier (or our zmq_rep_sink) and outputs each reply's samples,
 * in order. One request is in flight at a time (REQ is lock-step). A request
 * unanswered within timeout_ms is sent again (REQ_RELAXED + REQ_CORRELATE) and
 * counted in `request_timeouts`; a malformed reply is counted by reason and the
 * request is sent again.
 *
 * Request headers: sample_rate / center_freq from input rx_rate / rx_freq tags
 * (else the parameters), timestamp_ns from rx_time (else the clock). A request
 * ends early before an input sample carrying one of these tags.
 * Output tags: as zmq_sub_source (rx_rate, rx_freq, rx_time, dp_gap, dp_restart)
 * from the reply headers.
 *
 * Counters added: `requests`, `request_timeouts`, `replies`.
 */
class NETSTREAM_API zmq_req_transceiver : virtual public gr::block
{
public:
    NETSTREAM_NETWORK_BLOCK_METHODS

    typedef std::shared_ptr<zmq_req_transceiver> sptr;

    /*!
     * \param endpoint    endpoint of the replier, e.g. "tcp://127.0.0.1:5555"
     * \param sample_type request wire type: "cf32" (default), "cf64", "ci32", "ci16",
     * "ci8" \param frame_size  input samples per request, 1 .. 2^26 \param sample_rate
     * request header sample_rate until an rx_rate tag arrives \param center_freq request
     * header center_freq until an rx_freq tag arrives \param bind        false = connect
     * (default; doppler's Replier binds), true = bind \param hwm         high-water mark
     * in messages; 0 = libzmq default (1000) \param timeout_ms  reply timeout and longest
     * wait inside work(), 1 .. 10000 ms \param scale       integer wire types: code =
     * round(x * scale); 0 = full scale
     */
    static sptr make(const std::string& endpoint,
                     const std::string& sample_type = "cf32",
                     int frame_size = 4096,
                     double sample_rate = 0.0,
                     double center_freq = 0.0,
                     bool bind = false,
                     int hwm = 0,
                     int timeout_ms = 1000,
                     double scale = 0.0);

    //! The bound/connected endpoint with its real port.
    virtual std::string last_endpoint() const = 0;
};

} // namespace netstream
} // namespace gr

#endif /* INCLUDED_NETSTREAM_ZMQ_REQ_TRANSCEIVER_H */
