/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_NETSTREAM_ROGUE_SINK_H
#define INCLUDED_NETSTREAM_ROGUE_SINK_H

#include <gnuradio/netstream/api.h>
#include <gnuradio/netstream/network_block.h>
#include <gnuradio/sync_block.h>
#include <string>

namespace gr {
namespace netstream {

/*!
 * \brief Sends items as SLAC Rogue stream frames (TcpServer/TcpClient bridge).
 * \ingroup netstream
 *
 * Role `client` (default) connects a PUSH socket to a Rogue `TcpServer(addr, P)` at
 * `tcp://address:P`; role `server` binds PUSH on `address:P+1`, so a Rogue
 * `TcpClient(host, P)` receives from us. Every frame goes out as exactly 4 parts of
 * sizes 2/1/1/N: flags (u16 little-endian), channel, error, payload.
 *
 * Frame boundaries: a `len_tag_key` tag (default `packet_len`, in items) on a frame's
 * first item gives its length; without one, `frame_items` (> 0) is used; with neither,
 * items are dropped and counted (`items_without_frame`) until the next length tag.
 * A frame of length 0 is never sent (Rogue would lose it and the frame after it):
 * it is skipped and counted (`empty_frames_skipped`).
 *
 * Metadata: tags on the frame's first item `rogue_flags`, `rogue_chan`, `rogue_err`
 * override the parameters `flags`, `chan`, `err`; without `rogue_flags`, the tags
 * `rogue_fuser` / `rogue_luser` are ORed into `flags` (Rogue's setFirstUser/
 * setLastUser). A bad tag value is counted as `malformed.bad_metadata_value`.
 *
 * Sending: with `ZMQ_IMMEDIATE` (as Rogue) nothing is queued while no peer is
 * connected. A frame that no peer takes within `timeout_ms` is dropped and counted
 * (`drops`, `dropped_timeout`) when `drop_on_timeout` is true; otherwise the block
 * keeps it and back-pressures the flowgraph (Rogue's own blocking behaviour), while
 * work() and stop() stay bounded by `timeout_ms`.
 *
 * Counters added: `dropped_timeout`, `empty_frames_skipped`, `items_without_frame`,
 * `connects`, `disconnects`. cmd keys: `flags`, `chan`, `err` (int). Status fields
 * added: `endpoint`, `peers`.
 */
class NETSTREAM_API rogue_sink : virtual public gr::sync_block
{
public:
    NETSTREAM_NETWORK_BLOCK_METHODS

    typedef std::shared_ptr<rogue_sink> sptr;

    /*!
     * \param role            "client" (connect to a Rogue TcpServer) or "server" (bind)
     * \param address         client: host; server: interface to bind
     * \param port            Rogue base port P, 1..65534 (server: 0 = OS-chosen)
     * \param itemsize        bytes per item scalar
     * \param vlen            items per vector, >= 1
     * \param len_tag_key     length tag name ("" = use frame_items only)
     * \param frame_items     items per frame when no length tag is present (0 = none)
     * \param flags           default flags (u16)
     * \param chan            default channel (u8)
     * \param err             default error (u8)
     * \param timeout_ms      longest wait for a peer per work() call, 1 .. 10000 ms
     * \param drop_on_timeout true: drop and count a frame nobody took in time;
     *                        false: keep it and retry (back-pressure)
     */
    static sptr make(const std::string& role,
                     const std::string& address,
                     int port,
                     int itemsize,
                     int vlen = 1,
                     const std::string& len_tag_key = "packet_len",
                     int frame_items = 0,
                     int flags = 0,
                     int chan = 0,
                     int err = 0,
                     int timeout_ms = 100,
                     bool drop_on_timeout = false);

    //! The socket's endpoint with its real port.
    virtual std::string last_endpoint() const = 0;
    //! The Rogue base port P in use (useful after binding port 0).
    virtual int base_port() const = 0;

    virtual void set_flags(int flags) = 0;
    virtual void set_chan(int chan) = 0;
    virtual void set_err(int err) = 0;
};

} // namespace netstream
} // namespace gr

#endif
