/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_NETSTREAM_ROGUE_PDU_SINK_H
#define INCLUDED_NETSTREAM_ROGUE_PDU_SINK_H

#include <gnuradio/block.h>
#include <gnuradio/netstream/api.h>
#include <gnuradio/netstream/network_block.h>
#include <string>

namespace gr {
namespace netstream {

/*!
 * \brief Sends GNU Radio PDUs as SLAC Rogue stream frames.
 * \ingroup netstream
 *
 * Sockets as rogue_sink: role `client` connects PUSH to `address:P` (a Rogue
 * TcpServer), role `server` binds PUSH on `address:P+1` (for a Rogue TcpClient).
 *
 * Input message port `pdus`: a PDU `(meta . uniform vector)`; the vector's raw bytes
 * are the payload. Metadata `rogue_flags` / `rogue_chan` / `rogue_err` override the
 * parameters; without `rogue_flags`, `rogue_fuser` / `rogue_luser` are ORed into
 * `flags`. An empty payload is never sent (counted `empty_frames_skipped`); a message
 * that is not a PDU is counted as `malformed.not_a_pdu`.
 *
 * Sending waits at most `timeout_ms` for a peer; then the PDU is dropped and counted
 * (`dropped_timeout`) when `drop_on_timeout` is true, or the wait goes on in
 * `timeout_ms` steps (Rogue's blocking behaviour; ends when the flowgraph stops).
 *
 * Counters added: `dropped_timeout`, `empty_frames_skipped`, `connects`, `disconnects`.
 * cmd keys: `flags`, `chan`, `err`. Status fields added: `endpoint`, `peers`.
 */
class NETSTREAM_API rogue_pdu_sink : virtual public gr::block
{
public:
    NETSTREAM_NETWORK_BLOCK_METHODS

    typedef std::shared_ptr<rogue_pdu_sink> sptr;

    /*!
     * \param role            "client" or "server"
     * \param address         client: host; server: interface to bind
     * \param port            Rogue base port P, 1..65534 (server: 0 = OS-chosen)
     * \param flags           default flags (u16)
     * \param chan            default channel (u8)
     * \param err             default error (u8)
     * \param timeout_ms      longest single wait for a peer, 1 .. 10000 ms
     * \param drop_on_timeout true: drop and count; false: keep waiting (bounded steps)
     */
    static sptr make(const std::string& role,
                     const std::string& address,
                     int port,
                     int flags = 0,
                     int chan = 0,
                     int err = 0,
                     int timeout_ms = 100,
                     bool drop_on_timeout = false);

    virtual std::string last_endpoint() const = 0;
    virtual int base_port() const = 0;
    virtual void set_flags(int flags) = 0;
    virtual void set_chan(int chan) = 0;
    virtual void set_err(int err) = 0;
};

} // namespace netstream
} // namespace gr

#endif
