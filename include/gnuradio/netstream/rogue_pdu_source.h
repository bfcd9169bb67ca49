/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_NETSTREAM_ROGUE_PDU_SOURCE_H
#define INCLUDED_NETSTREAM_ROGUE_PDU_SOURCE_H

#include <gnuradio/block.h>
#include <gnuradio/netstream/api.h>
#include <gnuradio/netstream/network_block.h>
#include <string>

namespace gr {
namespace netstream {

/*!
 * \brief Receives SLAC Rogue stream frames as GNU Radio PDUs.
 * \ingroup netstream
 *
 * Sockets as rogue_source: role `client` connects PULL to `address:P+1` (a Rogue
 * TcpServer), role `server` binds PULL on `address:P` (for a Rogue TcpClient).
 *
 * Output message port `pdus`: one PDU `(meta . u8vector)` per frame, the payload bytes
 * unchanged; metadata keys `rogue_flags`, `rogue_fuser`, `rogue_luser`, `rogue_chan`,
 * `rogue_err`, `rogue_len` (long) and `rogue_seq` (uint64). The socket is read by the
 * block's own thread (waits bounded by `timeout_ms`, so stop() is bounded too).
 *
 * Parameters `channel_filter` (-1 = all) and `drop_errors` as on rogue_source. Counters
 * added: `filtered_channel`, `dropped_errors`, `connects`, `disconnects`. cmd keys:
 * `channel_filter`, `drop_errors`. Status fields added: `endpoint`, `peers`.
 * Two sources on one Rogue server split its stream round-robin.
 */
class NETSTREAM_API rogue_pdu_source : virtual public gr::block
{
public:
    NETSTREAM_NETWORK_BLOCK_METHODS

    typedef std::shared_ptr<rogue_pdu_source> sptr;

    /*!
     * \param role           "client" or "server"
     * \param address        client: host; server: interface to bind
     * \param port           Rogue base port P, 1..65534 (server: 0 = OS-chosen)
     * \param channel_filter -1 = all channels, 0..255 = only that channel
     * \param drop_errors    drop frames whose error byte is not 0
     * \param timeout_ms     longest single wait of the receive thread, 1 .. 10000 ms
     */
    static sptr make(const std::string& role,
                     const std::string& address,
                     int port,
                     int channel_filter = -1,
                     bool drop_errors = false,
                     int timeout_ms = 100);

    virtual std::string last_endpoint() const = 0;
    virtual int base_port() const = 0;
    virtual void set_channel_filter(int channel) = 0;
    virtual int channel_filter() const = 0;
    virtual void set_drop_errors(bool drop) = 0;
    virtual bool drop_errors() const = 0;
};

} // namespace netstream
} // namespace gr

#endif
