/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_NETSTREAM_ZMQ_REP_SINK_H
#define INCLUDED_NETSTREAM_ZMQ_REP_SINK_H

#include <gnuradio/netstream/api.h>
#include <gnuradio/netstream/network_block.h>
#include <gnuradio/sync_block.h>
#include <string>

namespace gr {
namespace netstream {

/*!
 * \brief ZMQ REP sink: answers each doppler Requester request with the next frame of its
 * input. \ingroup netstream
 *
 * Binds by default (doppler's Requester connects). Every request (a doppler 2-part frame;
 * its samples are ignored, a malformed one is counted) gets exactly one reply: the next
 * frame_size input samples, or fewer once the partial frame is flush_ms old.
 *
 * Wire: doppler-dsp `doppler.stream` v1 (doppler-dsp <= 0.27.0): every
 * message has 2 parts, a 96-byte header (magic "SGIS", per-socket sequence
 * from 0, timestamp_ns, sample_rate, center_freq, num_samples) and the
 * samples. Input items (gr_complex) are gathered into frames of
 * `frame_size` samples; a partial frame is sent once it is `flush_ms` old
 * (checked whenever work() runs) and at stop.
 *
 * Tags read: `rx_rate` -> sample_rate, `rx_freq` -> center_freq,
 * `rx_time` -> timestamp_ns of each frame's first sample (else the clock at
 * send). A frame ends before a sample carrying one of these tags.
 * Counters added: `requests`.
 * cmd keys: `sample_rate`, `center_freq` (double), `flush_ms` (double),
 * plus the common ones (network_block). Status adds `endpoint`, `sequence`.
 */
class NETSTREAM_API zmq_rep_sink : virtual public gr::sync_block
{
public:
    NETSTREAM_NETWORK_BLOCK_METHODS

    typedef std::shared_ptr<zmq_rep_sink> sptr;

    /*!
     * \param endpoint    ZeroMQ endpoint, e.g. "tcp://0.0.0.0:5555" or
     "tcp://127.0.0.1:0"
     * \param sample_type wire type: "cf32" (default), "cf64", "ci32", "ci16", "ci8"
     * \param frame_size  samples per frame (message), 1 .. 2^26
     * \param sample_rate header sample_rate until an rx_rate tag arrives (0 = unknown)
     * \param center_freq header center_freq until an rx_freq tag arrives
     * \param bind        true = bind (default; doppler's Requester connects), false =
     connect
     * \param hwm         high-water mark in frames; 0 = about 64 MiB worth of frames
     * \param timeout_ms  longest wait inside work(), 1 .. 10000 ms
     * \param flush_ms    send a partial frame once it is this old; 0 = only full frames
     * \param scale       integer types: code = round(x * scale); 0 = full scale

     */
    static sptr make(const std::string& endpoint,
                     const std::string& sample_type = "cf32",
                     int frame_size = 65536,
                     double sample_rate = 0.0,
                     double center_freq = 0.0,
                     bool bind = true,
                     int hwm = 0,
                     int timeout_ms = 100,
                     double flush_ms = 10.0,
                     double scale = 0.0);

    //! The bound/connected endpoint with its real port (after binding port 0).
    virtual std::string last_endpoint() const = 0;
    //! Sequence number the next frame will carry.
    virtual uint64_t next_sequence() const = 0;
    virtual void set_sample_rate(double rate) = 0;
    virtual void set_center_freq(double freq) = 0;
};

} // namespace netstream
} // namespace gr

#endif
