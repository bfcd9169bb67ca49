/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "rogue_frame_codec.h"
#include "rogue_metadata.h"

namespace gr {
namespace netstream {
namespace rogue {

namespace keys {
#define NETSTREAM_ROGUE_KEY(fn, text)                            \
    const pmt::pmt_t& fn()                                       \
    {                                                            \
        static const pmt::pmt_t k = pmt::string_to_symbol(text); \
        return k;                                                \
    }
NETSTREAM_ROGUE_KEY(flags, "rogue_flags")
NETSTREAM_ROGUE_KEY(fuser, "rogue_fuser")
NETSTREAM_ROGUE_KEY(luser, "rogue_luser")
NETSTREAM_ROGUE_KEY(chan, "rogue_chan")
NETSTREAM_ROGUE_KEY(err, "rogue_err")
NETSTREAM_ROGUE_KEY(len, "rogue_len")
NETSTREAM_ROGUE_KEY(seq, "rogue_seq")
#undef NETSTREAM_ROGUE_KEY
} // namespace keys

std::vector<std::pair<pmt::pmt_t, pmt::pmt_t>>
frame_metadata(const frame_meta& m, std::uint64_t payload_bytes, std::uint64_t seq)
{
    return {
        { keys::flags(), pmt::from_long(m.flags) },
        { keys::fuser(), pmt::from_long(first_user(m.flags)) },
        { keys::luser(), pmt::from_long(last_user(m.flags)) },
        { keys::chan(), pmt::from_long(m.chan) },
        { keys::err(), pmt::from_long(m.err) },
        { keys::len(), pmt::from_long(static_cast<long>(payload_bytes)) },
        { keys::seq(), pmt::from_uint64(seq) },
    };
}

namespace {
//! An integer PMT (long or uint64) in 0..max, else nothing.
std::optional<std::uint64_t> as_unsigned(const pmt::pmt_t& v, std::uint64_t max)
{
    std::uint64_t x;
    if (pmt::is_uint64(v)) {
        x = pmt::to_uint64(v);
    } else if (pmt::is_integer(v)) {
        const long l = pmt::to_long(v);
        if (l < 0) {
            return std::nullopt;
        }
        x = static_cast<std::uint64_t>(l);
    } else {
        return std::nullopt;
    }
    if (x > max) {
        return std::nullopt;
    }
    return x;
}
} // namespace

void meta_collector::reset() { *this = meta_collector(); }

parse_error meta_collector::offer(const pmt::pmt_t& key, const pmt::pmt_t& value)
{
    const bool is_flags = pmt::eqv(key, keys::flags());
    const bool is_fuser = pmt::eqv(key, keys::fuser());
    const bool is_luser = pmt::eqv(key, keys::luser());
    const bool is_chan = pmt::eqv(key, keys::chan());
    const bool is_err = pmt::eqv(key, keys::err());
    if (!(is_flags || is_fuser || is_luser || is_chan || is_err)) {
        return {};
    }
    const auto v = as_unsigned(value, is_flags ? 0xFFFFu : 0xFFu);
    if (!v) {
        return { "bad_metadata_value",
                 pmt::symbol_to_string(key) + " must be an integer in 0.." +
                     (is_flags ? "65535" : "255") + ", got " + pmt::write_string(value) };
    }
    if (is_flags) {
        d_flags = static_cast<std::uint16_t>(*v);
    } else if (is_fuser) {
        d_fuser = static_cast<std::uint8_t>(*v);
    } else if (is_luser) {
        d_luser = static_cast<std::uint8_t>(*v);
    } else if (is_chan) {
        d_chan = static_cast<std::uint8_t>(*v);
    } else {
        d_err = static_cast<std::uint8_t>(*v);
    }
    return {};
}

parse_error meta_collector::offer_dict(const pmt::pmt_t& dict)
{
    parse_error first;
    if (!pmt::is_dict(dict)) {
        return first;
    }
    const pmt::pmt_t items = pmt::dict_items(dict);
    for (size_t i = 0; i < pmt::length(items); i++) {
        const pmt::pmt_t kv = pmt::nth(i, items);
        auto e = offer(pmt::car(kv), pmt::cdr(kv));
        if (e && !first) {
            first = std::move(e);
        }
    }
    return first;
}

frame_meta meta_collector::resolve(const frame_meta& defaults) const
{
    frame_meta m = defaults;
    if (d_flags) {
        m.flags = *d_flags;
    } else {
        m.flags = or_user_bytes(m.flags, d_fuser.value_or(0), d_luser.value_or(0));
    }
    if (d_chan) {
        m.chan = *d_chan;
    }
    if (d_err) {
        m.err = *d_err;
    }
    return m;
}

} // namespace rogue
} // namespace netstream
} // namespace gr
