/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

// libFuzzer harness: Red Pitaya control-link framing (spec section 3.2).
// The first input byte picks a chunk size so that fragmentation is fuzzed too. Every
// message the stream parser yields must re-encode to exactly the bytes it came from
// unless its inner lengths were shorter than total_len, and then it must decode again.

#include "../../lib/redpitaya/rp_control_codec.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>

using namespace gr::netstream::redpitaya;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size == 0) {
        return 0;
    }
    const std::size_t chunk = 1 + data[0] % 64;
    ++data;
    --size;

    control_stream_parser parser(4096);
    control_message message;
    gr::netstream::parse_error error;
    for (std::size_t pos = 0; pos < size && !parser.failed(); pos += chunk) {
        const std::size_t n = size - pos < chunk ? size - pos : chunk;
        parser.feed(data + pos, n);
        if (parser.buffered() > 4096 + chunk) {
            std::abort(); // the size limit must keep the buffer bounded
        }
        control_stream_parser::status st;
        while ((st = parser.next(message, error)) ==
               control_stream_parser::status::message) {
            const auto again = encode_message(message);
            control_message back;
            if (!decode_message(again.data(), again.size(), back).ok()) {
                std::abort();
            }
            if (back.kind != message.kind || back.command != message.command ||
                back.tag != message.tag || back.key != message.key ||
                back.value != message.value || back.json != message.json) {
                std::abort();
            }
        }
        if (st == control_stream_parser::status::error && error.reason.empty()) {
            std::abort();
        }
    }
    // the single-frame decoder must never crash on arbitrary input either
    decode_message(data, size, message);
    (void)command_name(size > 4 ? data[4] : 0);
    return 0;
}
