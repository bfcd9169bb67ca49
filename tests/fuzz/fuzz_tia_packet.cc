/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

// libFuzzer harness: TiA packet v3 decoder and the TCP stream reassembler.
// Checks that every packet the reassembler emits decodes cleanly and re-encodes to the
// same bytes, and that buffered memory stays bounded.

#include "../../lib/tia/tia_packet_codec.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

using namespace gr::netstream::tia;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    constexpr std::size_t max_bytes = 1 << 16;

    packet whole;
    (void)decode_packet(data, size, whole, max_bytes);

    if (size == 0) {
        return 0;
    }
    const std::size_t chunk = 1 + data[0] % 128;
    packet_stream_reassembler reassembler(max_bytes);
    std::vector<std::uint8_t> bytes;
    gr::netstream::parse_error error;
    for (std::size_t pos = 1; pos < size; pos += chunk) {
        const std::size_t n = size - pos < chunk ? size - pos : chunk;
        reassembler.feed(data + pos, n);
        reassembly_status status;
        while ((status = reassembler.next(bytes, error)) !=
               reassembly_status::need_more) {
            if (status == reassembly_status::garbage) {
                if (error.reason.empty()) {
                    std::abort();
                }
                continue;
            }
            packet p;
            if (!decode_packet(bytes.data(), bytes.size(), p, max_bytes).ok()) {
                std::abort(); // reassembler emitted an invalid packet
            }
            std::vector<std::uint8_t> again;
            if (!encode_packet(p, again).ok() || again.size() != bytes.size() ||
                std::memcmp(again.data(), bytes.data(), bytes.size()) != 0) {
                // NaN payloads keep their bits through memcpy, so the bytes must match.
                std::abort();
            }
        }
        if (reassembler.buffered_bytes() > max_bytes + chunk) {
            std::abort();
        }
    }
    return 0;
}
