/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_NETSTREAM_TIA_SINK_H
#define INCLUDED_NETSTREAM_TIA_SINK_H

#include <gnuradio/block.h>
#include <gnuradio/netstream/api.h>
#include <gnuradio/netstream/network_block.h>
#include <cstdint>
#include <string>
#include <vector>

namespace gr {
namespace netstream {

/*!
 * \brief TiA 1.0 (TOBI Interface A) server: BCI clients connect and receive the inputs.
 * \ingroup netstream
 *
 * Input ports: one per signal, float with vlen = that signal's channel count (one item =
 * one sample of every channel). Convert short/int streams with the in-tree
 * short_to_float / int_to_float blocks first (scale as the client expects).
 *
 * Every `block_sizes[i]` items of every input form one data packet (packet v3; signals
 * in ascending flag-bit order, samples channel-major), so `sample_rates[i] /
 * block_sizes[i]` must be the same for all signals (the packet rate, defined by the
 * master signal `master`). Sample rates are written to the meta-info rounded to
 * integers (libtia and eegdev require integers).
 *
 * Control (spec §2) on `bind_address:port` (default 9000; 0 = ephemeral, see port()),
 * served by the block's own thread: CheckProtocolVersion, GetMetaInfo,
 * GetDataConnection:TCP/UDP, Start/StopDataTransmission (repeatable),
 * GetServerStateConnection (ServerStateRunning; ServerStateShutdown at stop). Unknown
 * commands get a bare `Error` and the connection stays open; framing errors (over-long
 * line, Content-Length > 1 MiB, wrong version line, garbage) get `Error` and a close.
 *
 * Packet id: one counter of assembled packets since the flowgraph started (a gap on a
 * client = packets that client lost); connection packet number: per data connection
 * from 0; timestamp: µs since start, from the sample count.
 *
 * Slow clients never block work() or each other: each TCP data connection has a queue
 * bounded by `queue_bytes` of whole packets; when full, packets are dropped for that
 * client (counted in `drops`, visible as id gaps); a client that accepts no byte for
 * `stall_timeout_s` while data waits is disconnected (`clients_stalled`). UDP sends one
 * packet per datagram to `udp_address:udp_port` while a started UDP subscriber exists;
 * GetDataConnection:UDP gets `Error` when `udp_port` is 0 or a packet exceeds 65507
 * bytes (the largest UDP/IPv4 payload; TCP still works).
 * At most 1024 control connections; more are refused (`connections_refused`).
 *
 * Counters added: `control_connections`, `control_disconnects`, `connections_refused`,
 * `data_connections`, `data_disconnects`, `clients_stalled`, `requests`, `errors_sent`,
 * `udp_frames_out`, `udp_drops`, `packets_assembled`; standard: `items_in`,
 * `frames_out` (packets sent, summed over clients), `bytes_out`, `drops`,
 * `malformed.<reason>`.
 * Status adds `port`, `packet_id` (next id), `control_connections` (current) and
 * `clients` (list of dicts: peer, streaming, packets_sent, packets_dropped,
 * queued_bytes). Events: connect, disconnect, data_connect, data_disconnect,
 * start_data, stop_data, malformed.
 * cmd keys: the common ones (network_block).
 */
class NETSTREAM_API tia_sink : virtual public gr::block
{
public:
    NETSTREAM_NETWORK_BLOCK_METHODS

    typedef std::shared_ptr<tia_sink> sptr;

    /*!
     * \param signal_types    one TiA type per input: eeg, emg, eog, ecg, hr, bp,
     *                        button, joystick, sensor, nirs, fmri, mouse,
     *                        mouse-button, user1..user4, undefined, event (each at
     *                        most once)
     * \param channels        channels (vlen) per input, 1 .. 65535
     * \param block_sizes     samples per channel per packet, 1 .. 65535
     * \param sample_rates    samples/s per channel (rounded to an integer in the
     *                        meta-info)
     * \param channel_labels  per input, comma-separated labels ("" = ch1, ch2, ...)
     * \param master          index of the master signal (defines masterSignal)
     * \param bind_address    IPv4 address of the control listener
     * \param port            control port (default 9000; 0 = ephemeral)
     * \param udp_address     destination of UDP datagrams
     * \param udp_port        destination UDP port (0 = refuse GetDataConnection:UDP)
     * \param queue_bytes     per-client queue bound in bytes (>= one packet)
     * \param stall_timeout_s disconnect a client that takes no byte this long
     *                        (0 = never)
     * \param subject_id      meta-info subject id ("" = left out)
     */
    static sptr
    make(const std::vector<std::string>& signal_types,
         const std::vector<int>& channels,
         const std::vector<int>& block_sizes,
         const std::vector<double>& sample_rates,
         const std::vector<std::string>& channel_labels = std::vector<std::string>(),
         int master = 0,
         const std::string& bind_address = "0.0.0.0",
         int port = 9000,
         const std::string& udp_address = "127.0.0.1",
         int udp_port = 9998,
         int queue_bytes = 8388608,
         double stall_timeout_s = 5.0,
         const std::string& subject_id = "");

    //! The bound control port (the real one after binding port 0).
    virtual int port() const = 0;
    //! The meta-info XML the server sends.
    virtual std::string meta_info_xml() const = 0;
    //! Id the next assembled packet will carry.
    virtual uint64_t next_packet_id() const = 0;
    //! Bytes of every data packet.
    virtual int packet_bytes() const = 0;
    //! Control connections currently open.
    virtual int control_connection_count() const = 0;
};

} // namespace netstream
} // namespace gr

#endif /* INCLUDED_NETSTREAM_TIA_SINK_H */
