/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_NETSTREAM_ROGUE_ROGUE_METADATA_H
#define INCLUDED_NETSTREAM_ROGUE_ROGUE_METADATA_H

// Rogue frame metadata <-> GNU Radio stream tags and PDU metadata (spec §5.1). The same
// keys serve both: rogue_flags, rogue_fuser, rogue_luser, rogue_chan, rogue_err,
// rogue_len, rogue_seq (plus packet_len in items on the stream source).

#include "../common/parse_error.h"
#include <pmt/pmt.h>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace gr {
namespace netstream {
namespace rogue {

namespace keys {
const pmt::pmt_t& flags(); //!< "rogue_flags": u16 as long
const pmt::pmt_t& fuser(); //!< "rogue_fuser": first-user byte (flags bits 7..0)
const pmt::pmt_t& luser(); //!< "rogue_luser": last-user byte (flags bits 15..8)
const pmt::pmt_t& chan();  //!< "rogue_chan": u8 as long
const pmt::pmt_t& err();   //!< "rogue_err": u8 as long
const pmt::pmt_t& len();   //!< "rogue_len": payload bytes as long
const pmt::pmt_t& seq();   //!< "rogue_seq": local frame counter as uint64
} // namespace keys

//! Flags, channel and error of one frame.
struct frame_meta {
    std::uint16_t flags = 0;
    std::uint8_t chan = 0;
    std::uint8_t err = 0;
};

/*!
 * \brief The rogue_* key/value pairs describing one received frame, in a fixed order
 * (flags, fuser, luser, chan, err, len, seq).
 */
std::vector<std::pair<pmt::pmt_t, pmt::pmt_t>>
frame_metadata(const frame_meta& m, std::uint64_t payload_bytes, std::uint64_t seq);

/*!
 * \brief Collects the metadata a sender was given (tags on a frame's first item, or PDU
 * metadata) and resolves it against the block's parameters.
 *
 * Rule (spec §5.1): `rogue_flags` wins; without it, `rogue_fuser` / `rogue_luser` are
 * ORed into the parameter flags. `rogue_chan` / `rogue_err` replace the parameters.
 */
class meta_collector
{
public:
    //! Clears what was collected.
    void reset();
    /*!
     * \brief Looks at one key/value; keys it does not know are ignored.
     * \return "bad_metadata_value" when a known key has a non-integer or out-of-range
     *         value (that key is then ignored).
     */
    parse_error offer(const pmt::pmt_t& key, const pmt::pmt_t& value);
    //! Offers every entry of a PMT dict (first error is returned, all entries are seen).
    parse_error offer_dict(const pmt::pmt_t& dict);
    //! The metadata to send, given the block's parameter defaults.
    frame_meta resolve(const frame_meta& defaults) const;

private:
    std::optional<std::uint16_t> d_flags;
    std::optional<std::uint8_t> d_fuser;
    std::optional<std::uint8_t> d_luser;
    std::optional<std::uint8_t> d_chan;
    std::optional<std::uint8_t> d_err;
};

} // namespace rogue
} // namespace netstream
} // namespace gr

#endif
