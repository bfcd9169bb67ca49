/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "rogue_frame_codec.h"
#include <cstring>

#include <string>

namespace gr {
namespace netstream {
namespace rogue {

namespace {

void put_u16_le(std::uint16_t value, std::uint8_t* out) noexcept
{
    out[0] = static_cast<std::uint8_t>(value & 0xFFu);
    out[1] = static_cast<std::uint8_t>((value >> 8) & 0xFFu);
}

std::uint16_t get_u16_le(const std::uint8_t* in) noexcept
{
    return static_cast<std::uint16_t>(in[0] | (in[1] << 8));
}

parse_error bad_header_size(const char* reason,
                            const char* part_name,
                            std::size_t index,
                            std::size_t expected,
                            std::size_t got)
{
    return parse_error(reason,
                       std::string("part ") + std::to_string(index) + " (" + part_name +
                           ") must be " + std::to_string(expected) + " byte" +
                           (expected == 1 ? "" : "s") + ", got " + std::to_string(got));
}

} // namespace

header_parts
encode_header(std::uint16_t flags, std::uint8_t chan, std::uint8_t err) noexcept
{
    header_parts header;
    put_u16_le(flags, header.flags.data());
    header.chan[0] = chan;
    header.err[0] = err;
    return header;
}

parse_error check_payload_size(std::uint64_t payload_size)
{
    if (payload_size == 0) {
        return parse_error("empty_payload",
                           "payload part is empty; Rogue drops an empty frame and the "
                           "frame after it, so empty frames are never sent or accepted");
    }
    if (payload_size > max_payload_size) {
        return parse_error("payload_too_large",
                           "payload of " + std::to_string(payload_size) +
                               " bytes exceeds the u32 size of a Rogue frame");
    }
    return parse_error();
}

parse_error encode(const frame& f, wire_message& out)
{
    parse_error error = check_payload_size(f.payload.size());
    if (error) {
        return error;
    }
    const header_parts header = encode_header(f.flags, f.chan, f.err);
    out[flags_part_index].assign(header.flags.begin(), header.flags.end());
    out[chan_part_index].assign(header.chan.begin(), header.chan.end());
    out[err_part_index].assign(header.err.begin(), header.err.end());
    out[payload_part_index] = f.payload;
    return error;
}

parse_error decode(const part_view* parts, std::size_t count, frame_view& out)
{
    const std::size_t received = (parts == nullptr) ? 0 : count;
    if (received != frame_part_count) {
        return parse_error("wrong_part_count",
                           "a Rogue frame message has exactly 4 parts, got " +
                               std::to_string(received));
    }
    const part_view& flags = parts[flags_part_index];
    const part_view& chan = parts[chan_part_index];
    const part_view& err = parts[err_part_index];
    const part_view& payload = parts[payload_part_index];
    if (flags.size != flags_part_size) {
        return bad_header_size(
            "bad_flags_size", "flags", flags_part_index, flags_part_size, flags.size);
    }
    if (chan.size != chan_part_size) {
        return bad_header_size(
            "bad_chan_size", "channel", chan_part_index, chan_part_size, chan.size);
    }
    if (err.size != err_part_size) {
        return bad_header_size(
            "bad_err_size", "error", err_part_index, err_part_size, err.size);
    }
    parse_error error = check_payload_size(payload.size);
    if (error) {
        return error;
    }
    out.flags = get_u16_le(flags.data);
    out.chan = chan.data[0];
    out.err = err.data[0];
    out.payload = payload;
    return error;
}

parse_error decode(const part_view* parts, std::size_t count, frame& out)
{
    frame_view view;
    parse_error error = decode(parts, count, view);
    if (error) {
        return error;
    }
    out.flags = view.flags;
    out.chan = view.chan;
    out.err = view.err;
    out.payload.resize(view.payload.size);
    if (view.payload.size !=
        0) { // decode() refuses empty payloads; keeps GCC's -Wnonnull quiet
        std::memcpy(out.payload.data(), view.payload.data, view.payload.size);
    }
    return error;
}

parse_error decode(const std::vector<part_view>& parts, frame& out)
{
    return decode(parts.data(), parts.size(), out);
}

} // namespace rogue
} // namespace netstream
} // namespace gr
