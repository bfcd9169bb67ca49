/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_NETSTREAM_TIA_SOURCE_H
#define INCLUDED_NETSTREAM_TIA_SOURCE_H

#include <gnuradio/block.h>
#include <gnuradio/netstream/api.h>
#include <gnuradio/netstream/network_block.h>
#include <cstdint>
#include <string>
#include <vector>

namespace gr {
namespace netstream {

/*!
 * \brief TiA 1.0 client: receives the signals of a TiA server (ours, pytia's, a BCI
 *        amplifier's SignalServer) as streams.
 * \ingroup netstream
 *
 * Output ports: one per expected signal, in the order of `signal_types`, float with
 * vlen = `channels[i]` (one item = one sample of every channel; the channel-major
 * packet blocks are transposed). Ports must be known when the flowgraph is built, so
 * the expected signal list is a parameter; it is checked against the server's
 * meta-info on every connection: each expected type must be present with that channel
 * count (server signals not listed are ignored). On a mismatch the block logs an
 * error naming both lists, publishes `mismatch`, counts `meta_mismatch` and retries
 * with back-off (or ends with reconnect = "done").
 *
 * Session: CheckProtocolVersion, GetMetaInfo, GetDataConnection:TCP, connect,
 * StartDataTransmission (TCP only). Runs on the block's own thread; the block
 * reconnects with exponential back-off (lib/common/reconnect_policy) after any
 * failure. Packets arriving while the output buffers are full beyond `queue_packets`
 * packets are dropped whole (counted in `drops`).
 *
 * Tags (on every output): `rx_rate` (double, the signal's samplingRate from the
 * meta-info) on the first item after each (re)connection; `tia_gap` (uint64, number of
 * missing packet ids) on the first item after a packet-id gap (also after a
 * reconnection gap). No other tags are emitted; packet ids are not tagged per packet
 * (the last one is in status `last_packet_id`).
 * Counters added: `frames_in` (packets), `gaps`, `lost_packets`, `drops`, `reconnects`,
 * `meta_mismatch`, `malformed.<reason>`, `connects`, `disconnects`.
 * Status adds `connected` (bool), `server` (host:port), `last_packet_id`.
 * cmd keys: the common ones (network_block).
 */
class NETSTREAM_API tia_source : virtual public gr::block
{
public:
    NETSTREAM_NETWORK_BLOCK_METHODS

    typedef std::shared_ptr<tia_source> sptr;

    /*!
     * \param host          server host name or IPv4 address
     * \param port          control port (default 9000)
     * \param signal_types  expected TiA types, one output each (e.g. {"eeg"})
     * \param channels      channels (vlen) per output
     * \param timeout_ms    longest wait in work() and per network step, 1 .. 60000
     * \param reconnect     "retry" (default) or "done" (end the flowgraph on loss)
     * \param max_backoff_s cap of the reconnect back-off
     * \param queue_packets packets buffered for the outputs before dropping
     */
    static sptr make(const std::string& host,
                     int port,
                     const std::vector<std::string>& signal_types,
                     const std::vector<int>& channels,
                     int timeout_ms = 1000,
                     const std::string& reconnect = "retry",
                     double max_backoff_s = 5.0,
                     int queue_packets = 4096);

    //! True while a session is streaming.
    virtual bool connected() const = 0;
    //! The last meta-info XML received ("" before the first connection).
    virtual std::string server_meta_info() const = 0;
};

} // namespace netstream
} // namespace gr

#endif /* INCLUDED_NETSTREAM_TIA_SOURCE_H */
