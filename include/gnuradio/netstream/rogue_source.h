/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_NETSTREAM_ROGUE_SOURCE_H
#define INCLUDED_NETSTREAM_ROGUE_SOURCE_H

#include <gnuradio/netstream/api.h>
#include <gnuradio/netstream/network_block.h>
#include <gnuradio/sync_block.h>
#include <string>

namespace gr {
namespace netstream {

/*!
 * \brief Receives SLAC Rogue stream frames (TcpServer/TcpClient bridge) as items.
 * \ingroup netstream
 *
 * Role `client` (default) connects a PULL socket to a Rogue `TcpServer(addr, P)` at
 * `tcp://address:P+1`; role `server` binds PULL on `address:P`, so a Rogue
 * `TcpClient(host, P)` sends to us. One Rogue frame is one ZeroMQ message of 4 parts
 * (flags u16 LE, channel u8, error u8, payload >= 1 byte); anything else is counted as
 * `malformed.<reason>` and skipped.
 *
 * Output: one stream of `itemsize * vlen`-byte items; each frame's payload becomes
 * payload / (itemsize * vlen) items. Tags on the first item of every frame:
 * `packet_len` (items, long), `rogue_flags` (u16), `rogue_fuser`, `rogue_luser` (u8),
 * `rogue_chan` (u8), `rogue_err` (u8), `rogue_len` (payload bytes, long) and `rogue_seq`
 * (local frame counter, uint64; counts emitted frames from 0).
 *
 * Parameters: `channel_filter` (-1 = all channels, else only frames on that channel),
 * `drop_errors` (drop frames with error != 0), `partial_policy` for payloads that are not
 * a whole number of items: "drop" (default; counted and warned) or "pad" (zero-padded
 * to the next whole item; `rogue_len` keeps the real length).
 *
 * The socket is polled in work() for at most `timeout_ms`: a slow flowgraph
 * back-pressures Rogue (as a slow Rogue slave does), nothing is dropped silently.
 * Two sources on one Rogue server split its stream round-robin; they do not each
 * get a copy.
 *
 * Counters added: `filtered_channel`, `dropped_errors`, `dropped_partial`,
 * `padded_partial`, `connects`, `disconnects` (`drops` counts all three kinds of
 * dropped frames). cmd keys: `channel_filter` (int), `drop_errors` (bool). Status
 * fields added: `endpoint`, `peers`.
 */
class NETSTREAM_API rogue_source : virtual public gr::sync_block
{
public:
    NETSTREAM_NETWORK_BLOCK_METHODS

    typedef std::shared_ptr<rogue_source> sptr;

    /*!
     * \param role           "client" (connect to a Rogue TcpServer) or "server" (bind)
     * \param address        client: host; server: interface to bind ("*", IPv4 literal)
     * \param port           Rogue base port P, 1..65534 (server: 0 = OS-chosen)
     * \param itemsize       bytes per item scalar (1 byte, 2 short, 4 int/float, 8
     * complex) \param vlen           items per vector, >= 1 \param channel_filter -1 =
     * all channels, 0..255 = only that channel \param drop_errors    drop frames whose
     * error byte is not 0 \param partial_policy "drop" or "pad" for payloads that are not
     * whole items \param timeout_ms     longest wait inside work(), 1 .. 10000 ms
     */
    static sptr make(const std::string& role,
                     const std::string& address,
                     int port,
                     int itemsize,
                     int vlen = 1,
                     int channel_filter = -1,
                     bool drop_errors = false,
                     const std::string& partial_policy = "drop",
                     int timeout_ms = 100);

    //! The socket's endpoint with its real port.
    virtual std::string last_endpoint() const = 0;
    //! The Rogue base port P in use (useful after binding port 0).
    virtual int base_port() const = 0;

    virtual void set_channel_filter(int channel) = 0;
    virtual int channel_filter() const = 0;
    virtual void set_drop_errors(bool drop) = 0;
    virtual bool drop_errors() const = 0;
};

} // namespace netstream
} // namespace gr

#endif
