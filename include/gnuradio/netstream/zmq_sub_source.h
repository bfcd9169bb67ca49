/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_NETSTREAM_ZMQ_SUB_SOURCE_H
#define INCLUDED_NETSTREAM_ZMQ_SUB_SOURCE_H

#include <gnuradio/netstream/api.h>
#include <gnuradio/netstream/network_block.h>
#include <gnuradio/sync_block.h>
#include <string>

namespace gr {
namespace netstream {

/*!
 * \brief ZMQ SUB source for the doppler-dsp v1 wire (connects to a doppler Publisher).
 * \ingroup netstream
 *
 * Connects by default to a doppler Publisher (which always binds); subscribes to
 * everything (doppler frames carry no topic).
 *
 * Every received message is validated strictly: exactly 2 parts, a 96-byte
 * header, magic "SGIS", a known sample type (CF128 refused), and a payload of
 * exactly num_samples samples. A bad message is drained, counted by reason
 * (`malformed.<reason>`), logged (rate-limited) and skipped; the block keeps
 * running. Any wire type is accepted per frame and converted to gr_complex
 * (integer types divided by `scale`).
 *
 * Tags written on a frame's first sample: `rx_rate`, `rx_freq` (first frame
 * and on change), `rx_time` (first frame, after a gap/restart/rate change, or
 * when the header time departs from the expected continuation by > 1 ms),
 * `dp_gap` (u64 frames missing) and `dp_restart` (u64 new sequence).
 * Counters added: `restarts`, `connects`, `disconnects`. Status events:
 * `connect`, `disconnect`, `gap`, `restart`.
 */
class NETSTREAM_API zmq_sub_source : virtual public gr::sync_block
{
public:
    NETSTREAM_NETWORK_BLOCK_METHODS

    typedef std::shared_ptr<zmq_sub_source> sptr;

    /*!
     * \param endpoint   ZeroMQ endpoint, e.g. "tcp://127.0.0.1:5555"
     * \param bind       false = connect (default; doppler's Publisher binds), true = bind
     * \param hwm        receive high-water mark in frames; 0 = libzmq default (1000)
     * \param timeout_ms longest wait inside work(), 1 .. 10000 ms
     * \param scale      integer wire types: x = code / scale; 0 = full scale of the type
     */
    static sptr make(const std::string& endpoint,
                     bool bind = false,
                     int hwm = 0,
                     int timeout_ms = 100,
                     double scale = 0.0);

    //! The bound/connected endpoint with its real port.
    virtual std::string last_endpoint() const = 0;
};

} // namespace netstream
} // namespace gr

#endif
