/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_NETSTREAM_COMMON_PARSE_ERROR_H
#define INCLUDED_NETSTREAM_COMMON_PARSE_ERROR_H

// Shared vocabulary of every wire codec in gr-netstream (no GNU Radio dependency).
//
// A decoder never throws on bad wire input: it returns a parse_error whose `reason`
// is a short, stable, snake_case key (used as the counter name in the block's
// `malformed` status dict, e.g. "bad_magic") and whose `detail` is a human
// sentence for the log.

#include <string>
#include <utility>

namespace gr {
namespace netstream {

struct parse_error {
    std::string reason; //!< stable counter key, snake_case, e.g. "bad_magic"
    std::string detail; //!< human-readable explanation for logs

    parse_error() = default;
    parse_error(std::string r, std::string d) : reason(std::move(r)), detail(std::move(d))
    {
    }
    bool ok() const { return reason.empty(); }
    explicit operator bool() const
    {
        return !reason.empty();
    } //!< true when an error is set
};

} // namespace netstream
} // namespace gr

#endif
