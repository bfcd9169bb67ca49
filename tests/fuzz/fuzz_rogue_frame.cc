/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

// libFuzzer harness for the Rogue 4-part frame decoder (lib/rogue/rogue_frame_codec).
//
// Fuzz input framing (one ZMQ multipart message):
//
//   byte 0              part count K = data[0] % 8   (0..7 parts, so 4 is common)
//   next 4*K bytes      K part lengths, u32 little-endian each
//   rest                the part bodies, one after the other
//
// A length table cut short by the end of the input gives length 0 to the missing
// entries; a body cut short is clipped to the bytes that remain. Every part is copied
// into its own heap buffer so AddressSanitizer sees any read past a part's end.
//
// Oracle: decode must never crash; on success the frame must re-encode to exactly the
// input parts, and the copying and non-copying decoders must agree.
//
// Build: clang++ -std=c++17 -g -O1 -fsanitize=fuzzer,address,undefined \
//          tests/fuzz/fuzz_rogue_frame.cc lib/rogue/rogue_frame_codec.cc -o
//          fuzz_rogue_frame
// Run:   ./fuzz_rogue_frame -max_total_time=20 tests/fuzz/corpus/rogue_frame/

#include "../../lib/rogue/rogue_frame_codec.h"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace rogue = gr::netstream::rogue;

namespace {

constexpr std::size_t max_parts = 8;

std::uint32_t read_u32_le(const std::uint8_t* in)
{
    return static_cast<std::uint32_t>(in[0]) | (static_cast<std::uint32_t>(in[1]) << 8) |
           (static_cast<std::uint32_t>(in[2]) << 16) |
           (static_cast<std::uint32_t>(in[3]) << 24);
}

std::vector<std::vector<std::uint8_t>> split_parts(const std::uint8_t* data,
                                                   std::size_t size)
{
    std::vector<std::vector<std::uint8_t>> parts;
    if (size == 0) {
        return parts;
    }
    const std::size_t count = data[0] % max_parts;
    std::size_t pos = 1;
    std::vector<std::uint32_t> lengths(count, 0);
    for (std::size_t i = 0; i < count && pos + 4 <= size; ++i, pos += 4) {
        lengths[i] = read_u32_le(data + pos);
    }
    for (std::size_t i = 0; i < count; ++i) {
        const std::size_t remaining = size > pos ? size - pos : 0;
        const std::size_t take = lengths[i] < remaining ? lengths[i] : remaining;
        parts.emplace_back(data + pos, data + pos + take);
        pos += take;
    }
    return parts;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const auto parts = split_parts(data, size);
    std::vector<rogue::part_view> views;
    for (const auto& part : parts) {
        views.push_back(rogue::part_view{ part.data(), part.size() });
    }

    rogue::frame_view view;
    const auto view_error = rogue::decode(views.data(), views.size(), view);
    rogue::frame owned;
    const auto owned_error = rogue::decode(views, owned);

    if (view_error.reason != owned_error.reason) {
        __builtin_trap();
    }
    if (view_error) {
        if (view_error.detail.empty()) {
            __builtin_trap();
        }
        return 0;
    }

    rogue::wire_message wire;
    if (rogue::encode(owned, wire)) {
        __builtin_trap(); // a frame that decoded must encode
    }
    for (std::size_t i = 0; i < rogue::frame_part_count; ++i) {
        if (wire[i] != parts[i]) {
            __builtin_trap(); // round trip must be byte-exact
        }
    }
    if (view.payload.data != parts[3].data() || view.payload.size != parts[3].size() ||
        view.flags != owned.flags || view.chan != owned.chan || view.err != owned.err) {
        __builtin_trap();
    }
    return 0;
}
