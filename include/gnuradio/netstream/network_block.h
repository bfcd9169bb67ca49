/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_NETSTREAM_NETWORK_BLOCK_H
#define INCLUDED_NETSTREAM_NETWORK_BLOCK_H

#include <gnuradio/netstream/api.h>
#include <cstdint>
#include <map>
#include <string>

namespace gr {
namespace netstream {

/*!
 * \brief Counters and status reporting shared by every gr-netstream block.
 * \ingroup netstream
 *
 * Every block's public class lists NETSTREAM_NETWORK_BLOCK_METHODS in its
 * body (a macro rather than a second base class, so that `gr_modtool bind`,
 * which follows only the first base, binds these getters for every block).
 * They give Python and C++ the same counters the block publishes as a PMT
 * dict on its `status` message output port. One implementation serves all
 * blocks: lib/common/network_block_core.h.
 *
 * Standard counter names (all blocks): `items_in`, `items_out`, `bytes_in`,
 * `bytes_out`, `frames_in`, `frames_out`, `drops`, `gaps`, `malformed`,
 * `reconnects`, `cmd_accepted`, `cmd_rejected`; malformed inputs are also
 * counted per reason as `malformed.<reason>` (e.g. `malformed.bad_magic`).
 * Families add their own names (listed in each block's documentation).
 *
 * Message ports of every block:
 *  - `cmd` (input): a PMT dict (or a single pair) of key/value settings.
 *    Keys understood by every block: `status_period` (double seconds, 0 =
 *    only on events), `reset_counters` (any value), `publish_status` (any value).
 *    Unknown keys and values of the wrong type are logged and ignored.
 *  - `status` (output): a PMT dict with every counter, plus `event`
 *    (symbol: `periodic`, `start`, `stop`, `connect`, `disconnect`, `gap`,
 *    `drop`, ...) and, when relevant, `detail` (string). Published every
 *    `status_period` seconds while the flowgraph runs and on every event.
 */
#define NETSTREAM_NETWORK_BLOCK_METHODS                                        \
    /*! All counters, by name (snapshot). */                                   \
    virtual std::map<std::string, uint64_t> counters() const = 0;              \
    /*! One counter by name; 0 if it was never incremented. */                 \
    virtual uint64_t counter(const std::string& name) const = 0;               \
    /*! Set all counters back to zero. */                                      \
    virtual void reset_counters() = 0;                                         \
    /*! Period of the periodic status message in seconds (0 = events only). */ \
    virtual void set_status_period(double seconds) = 0;                        \
    virtual double status_period() const = 0;

} // namespace netstream
} // namespace gr

#endif /* INCLUDED_NETSTREAM_NETWORK_BLOCK_H */
