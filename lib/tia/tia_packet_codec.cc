/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "tia_metainfo.h"
#include "tia_packet_codec.h"

#include <algorithm>
#include <cstring>
#include <string>

namespace gr {
namespace netstream {
namespace tia {

namespace {

void put_u16(std::uint8_t* dst, std::uint16_t value)
{
    dst[0] = static_cast<std::uint8_t>(value);
    dst[1] = static_cast<std::uint8_t>(value >> 8);
}

void put_u32(std::uint8_t* dst, std::uint32_t value)
{
    for (int i = 0; i < 4; ++i) {
        dst[i] = static_cast<std::uint8_t>(value >> (8 * i));
    }
}

void put_u64(std::uint8_t* dst, std::uint64_t value)
{
    for (int i = 0; i < 8; ++i) {
        dst[i] = static_cast<std::uint8_t>(value >> (8 * i));
    }
}

void put_f32(std::uint8_t* dst, float value)
{
    std::uint32_t bits = 0;
    static_assert(sizeof(bits) == sizeof(value), "float must be 32 bits");
    std::memcpy(&bits, &value, sizeof(bits));
    put_u32(dst, bits);
}

std::uint16_t get_u16(const std::uint8_t* src)
{
    return static_cast<std::uint16_t>(src[0] | (src[1] << 8));
}

std::uint32_t get_u32(const std::uint8_t* src)
{
    std::uint32_t value = 0;
    for (int i = 3; i >= 0; --i) {
        value = (value << 8) | src[i];
    }
    return value;
}

std::uint64_t get_u64(const std::uint8_t* src)
{
    std::uint64_t value = 0;
    for (int i = 7; i >= 0; --i) {
        value = (value << 8) | src[i];
    }
    return value;
}

float get_f32(const std::uint8_t* src)
{
    const std::uint32_t bits = get_u32(src);
    float value = 0.0f;
    std::memcpy(&value, &bits, sizeof(value));
    return value;
}

int popcount(std::uint32_t value)
{
    int count = 0;
    for (; value != 0; value &= value - 1) {
        ++count;
    }
    return count;
}

enum class header_state { complete, incomplete, invalid };

/*!
 * Validate as much of the header at \p data as \p size bytes allow. On `complete`,
 * \p header is filled; on `invalid`, \p error says why.
 */
header_state check_header(const std::uint8_t* data,
                          std::size_t size,
                          std::size_t max_bytes,
                          packet_header& header,
                          parse_error& error)
{
    if (size < 1) {
        return header_state::incomplete;
    }
    if (data[0] != packet_version) {
        error = { "bad_version",
                  "packet version " + std::to_string(data[0]) + " is not 3" };
        return header_state::invalid;
    }
    if (size < packet_offset_flags) {
        return header_state::incomplete;
    }
    const std::uint32_t packet_size = get_u32(data + packet_offset_size);
    if (packet_size < packet_fixed_header_size) {
        error = { "size_too_small",
                  "packet size " + std::to_string(packet_size) +
                      " is below the 33-byte header" };
        return header_state::invalid;
    }
    if (packet_size > max_bytes) {
        error = { "packet_too_large",
                  "packet size " + std::to_string(packet_size) +
                      " exceeds the limit of " + std::to_string(max_bytes) + " bytes" };
        return header_state::invalid;
    }
    if (size < packet_offset_id) {
        return header_state::incomplete;
    }
    const std::uint32_t flags = get_u32(data + packet_offset_flags);
    if ((flags & ~defined_flags_mask()) != 0) {
        error = { "undefined_flag_bits", "signal type flags set undefined bits" };
        return header_state::invalid;
    }
    if (flags == 0) {
        error = { "no_signals", "signal type flags are zero" };
        return header_state::invalid;
    }
    const std::size_t num_signals = static_cast<std::size_t>(popcount(flags));
    const std::size_t variable_end = packet_fixed_header_size + 4 * num_signals;
    if (size < variable_end) {
        return header_state::incomplete;
    }

    header.packet_size = packet_size;
    header.flags = flags;
    header.packet_id = get_u64(data + packet_offset_id);
    header.connection_packet_number = get_u64(data + packet_offset_connection_number);
    header.timestamp_us = get_u64(data + packet_offset_timestamp);
    header.signals.clear();
    header.signals.reserve(num_signals);
    std::uint64_t expected_size = variable_end;
    std::size_t index = 0;
    for (int bit = 0; bit < 32; ++bit) {
        const std::uint32_t flag = std::uint32_t{ 1 } << bit;
        if ((flags & flag) == 0) {
            continue;
        }
        signal_shape shape;
        shape.flag = flag;
        shape.num_channels = get_u16(data + packet_fixed_header_size + 2 * index);
        shape.block_size =
            get_u16(data + packet_fixed_header_size + 2 * (num_signals + index));
        if (shape.num_channels == 0 || shape.block_size == 0) {
            error = { "empty_signal",
                      "signal " + std::string(type_name_for_flag(flag)) +
                          " declares zero channels or a zero block size" };
            return header_state::invalid;
        }
        expected_size += 4ull * shape.num_channels * shape.block_size;
        header.signals.push_back(shape);
        ++index;
    }
    if (expected_size != packet_size) {
        error = { "size_mismatch",
                  "packet size field " + std::to_string(packet_size) +
                      " differs from 33+4N+4V = " + std::to_string(expected_size) };
        return header_state::invalid;
    }
    return header_state::complete;
}

} // namespace

std::size_t packet_size_for(const std::vector<signal_shape>& shapes)
{
    std::size_t size = packet_fixed_header_size + 4 * shapes.size();
    for (const auto& shape : shapes) {
        size += 4 * static_cast<std::size_t>(shape.num_channels) * shape.block_size;
    }
    return size;
}

parse_error validate_signal_shapes(const std::vector<signal_shape>& shapes,
                                   std::size_t max_bytes)
{
    if (shapes.empty()) {
        return { "no_signals", "a packet needs at least one signal" };
    }
    std::uint32_t seen = 0;
    for (const auto& shape : shapes) {
        if (!is_valid_signal_flag(shape.flag)) {
            return { "invalid_signal_type",
                     "flag " + std::to_string(shape.flag) +
                         " is not a single defined type bit" };
        }
        if ((seen & shape.flag) != 0) {
            return { "duplicate_signal_type",
                     "signal type " + std::string(type_name_for_flag(shape.flag)) +
                         " appears twice" };
        }
        seen |= shape.flag;
        if (shape.num_channels == 0 || shape.block_size == 0) {
            return { "empty_signal",
                     "signal " + std::string(type_name_for_flag(shape.flag)) +
                         " has zero channels or a zero block size" };
        }
    }
    const std::size_t size = packet_size_for(shapes);
    if (size > max_bytes || size > UINT32_MAX) {
        return { "packet_too_large",
                 "packet of " + std::to_string(size) + " bytes exceeds the limit of " +
                     std::to_string(max_bytes) + " bytes" };
    }
    return {};
}

parse_error encode_packet(const packet& in, std::vector<std::uint8_t>& out)
{
    out.clear();
    std::vector<const packet_signal*> ordered;
    std::vector<signal_shape> shapes;
    ordered.reserve(in.signals.size());
    shapes.reserve(in.signals.size());
    for (const auto& signal : in.signals) {
        ordered.push_back(&signal);
        shapes.push_back(signal.shape);
    }
    if (auto error = validate_signal_shapes(shapes, UINT32_MAX)) {
        return error;
    }
    for (const packet_signal* signal : ordered) {
        const std::size_t expected =
            static_cast<std::size_t>(signal->shape.num_channels) *
            signal->shape.block_size;
        if (signal->samples.size() != expected) {
            return { "sample_count_mismatch",
                     "signal " + std::string(type_name_for_flag(signal->shape.flag)) +
                         " has " + std::to_string(signal->samples.size()) +
                         " samples, expected " + std::to_string(expected) };
        }
    }
    std::sort(ordered.begin(),
              ordered.end(),
              [](const packet_signal* a, const packet_signal* b) {
                  return a->shape.flag < b->shape.flag;
              });

    const std::size_t size = packet_size_for(shapes);
    const std::size_t num_signals = ordered.size();
    std::uint32_t flags = 0;
    for (const auto& shape : shapes) {
        flags |= shape.flag;
    }
    out.resize(size);
    std::uint8_t* dst = out.data();
    dst[0] = packet_version;
    put_u32(dst + packet_offset_size, static_cast<std::uint32_t>(size));
    put_u32(dst + packet_offset_flags, flags);
    put_u64(dst + packet_offset_id, in.packet_id);
    put_u64(dst + packet_offset_connection_number, in.connection_packet_number);
    put_u64(dst + packet_offset_timestamp, in.timestamp_us);
    std::uint8_t* samples = dst + packet_fixed_header_size + 4 * num_signals;
    for (std::size_t i = 0; i < num_signals; ++i) {
        put_u16(dst + packet_fixed_header_size + 2 * i, ordered[i]->shape.num_channels);
        put_u16(dst + packet_fixed_header_size + 2 * (num_signals + i),
                ordered[i]->shape.block_size);
        for (const float value : ordered[i]->samples) {
            put_f32(samples, value);
            samples += 4;
        }
    }
    return {};
}

void set_connection_packet_number(std::uint8_t* packet_bytes, std::uint64_t number)
{
    put_u64(packet_bytes + packet_offset_connection_number, number);
}

parse_error decode_packet_header(const std::uint8_t* data,
                                 std::size_t size,
                                 packet_header& header,
                                 std::size_t max_bytes)
{
    parse_error error;
    switch (check_header(data, size, max_bytes, header, error)) {
    case header_state::complete:
        return {};
    case header_state::incomplete:
        return { "truncated_header",
                 "only " + std::to_string(size) +
                     " bytes, fewer than the packet header" };
    case header_state::invalid:
        break;
    }
    return error;
}

parse_error decode_packet(const std::uint8_t* data,
                          std::size_t size,
                          packet& out,
                          std::size_t max_bytes)
{
    out = packet{};
    packet_header header;
    if (auto error = decode_packet_header(data, size, header, max_bytes)) {
        return error;
    }
    if (size < header.packet_size) {
        return { "truncated_packet",
                 "packet declares " + std::to_string(header.packet_size) +
                     " bytes, got " + std::to_string(size) };
    }
    if (size > header.packet_size) {
        return { "trailing_bytes",
                 std::to_string(size - header.packet_size) + " bytes after the packet" };
    }
    out.packet_id = header.packet_id;
    out.connection_packet_number = header.connection_packet_number;
    out.timestamp_us = header.timestamp_us;
    out.signals.reserve(header.signals.size());
    const std::uint8_t* src = data + packet_fixed_header_size + 4 * header.signals.size();
    for (const auto& shape : header.signals) {
        packet_signal signal;
        signal.shape = shape;
        const std::size_t count =
            static_cast<std::size_t>(shape.num_channels) * shape.block_size;
        signal.samples.resize(count);
        for (std::size_t i = 0; i < count; ++i) {
            signal.samples[i] = get_f32(src);
            src += 4;
        }
        out.signals.push_back(std::move(signal));
    }
    return {};
}

packet_stream_reassembler::packet_stream_reassembler(std::size_t max_bytes)
    : d_max_bytes(std::max(max_bytes, packet_fixed_header_size))
{
}

void packet_stream_reassembler::reset()
{
    d_buffer.clear();
    d_pos = 0;
    d_skipped_bytes = 0;
    d_packets = 0;
}

void packet_stream_reassembler::compact()
{
    if (d_pos > 0) {
        d_buffer.erase(d_buffer.begin(),
                       d_buffer.begin() + static_cast<std::ptrdiff_t>(d_pos));
        d_pos = 0;
    }
}

void packet_stream_reassembler::feed(const std::uint8_t* data, std::size_t size)
{
    if (size == 0) {
        return;
    }
    compact();
    d_buffer.insert(d_buffer.end(), data, data + size);
}

reassembly_status packet_stream_reassembler::next(std::vector<std::uint8_t>& packet_bytes,
                                                  parse_error& error)
{
    packet_header header;
    parse_error first_error;
    const std::size_t start = d_pos;
    while (d_pos < d_buffer.size()) {
        const std::uint8_t* front = d_buffer.data() + d_pos;
        const std::size_t available = d_buffer.size() - d_pos;
        parse_error candidate_error;
        const header_state state =
            check_header(front, available, d_max_bytes, header, candidate_error);
        if (state == header_state::invalid) {
            if (first_error.ok()) {
                first_error = candidate_error;
            }
            // Skip to the next byte that could be a version byte.
            const auto* begin = front + 1;
            const auto* end = d_buffer.data() + d_buffer.size();
            const auto* found = std::find(begin, end, packet_version);
            d_pos += static_cast<std::size_t>(found - front);
            continue;
        }
        if (d_pos != start) {
            break; // report the skipped garbage before looking further
        }
        if (state == header_state::incomplete || available < header.packet_size) {
            return reassembly_status::need_more;
        }
        packet_bytes.assign(front, front + header.packet_size);
        d_pos += header.packet_size;
        ++d_packets;
        return reassembly_status::packet;
    }
    if (d_pos == start) {
        return reassembly_status::need_more;
    }
    const std::size_t skipped = d_pos - start;
    d_skipped_bytes += skipped;
    error = parse_error(first_error.reason,
                        first_error.detail + "; skipped " + std::to_string(skipped) +
                            " bytes to resynchronise");
    return reassembly_status::garbage;
}

} // namespace tia
} // namespace netstream
} // namespace gr
