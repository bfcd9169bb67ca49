/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_NETSTREAM_TIA_PACKET_CODEC_H
#define INCLUDED_NETSTREAM_TIA_PACKET_CODEC_H

// TiA 1.0 binary data packet, version 3 (spec §5): encoder, validating decoder and a
// reassembler that frames packets out of a TCP byte stream. Pure C++, explicit
// little-endian packing, no GNU Radio dependency.
//
//   offset 0  u8   version (3)          offset 17 u64 connection packet number
//   offset 1  u32  packet size          offset 25 u64 timestamp (µs)
//   offset 5  u32  signal type flags    offset 33 u16[N] channels, u16[N] block sizes
//   offset 9  u64  packet id            then float32[V] samples
//
// N = popcount(flags), V = Σ channels·block size, size = 33 + 4N + 4V. Signals appear in
// ascending flag-bit order; samples are channel-major (all of channel 1, then
// channel 2...).

#include "../common/parse_error.h"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace gr {
namespace netstream {
namespace tia {

inline constexpr std::uint8_t packet_version = 3;
inline constexpr std::size_t packet_fixed_header_size = 33;
inline constexpr std::size_t packet_offset_size = 1;
inline constexpr std::size_t packet_offset_flags = 5;
inline constexpr std::size_t packet_offset_id = 9;
inline constexpr std::size_t packet_offset_connection_number = 17;
inline constexpr std::size_t packet_offset_timestamp = 25;
//! Default bound for packet sizes accepted by the decoder and the reassembler.
inline constexpr std::size_t default_max_packet_bytes = 16 * 1024 * 1024;

//! Shape of one signal inside a packet.
struct signal_shape {
    std::uint32_t flag = 0; //!< single type bit (spec §3)
    std::uint16_t num_channels = 0;
    std::uint16_t block_size = 0; //!< samples per channel
};

//! One signal with its samples, channel-major (num_channels × block_size floats).
struct packet_signal {
    signal_shape shape;
    std::vector<float> samples;
};

//! A decoded (or to-be-encoded) packet.
struct packet {
    std::uint64_t packet_id = 0;
    std::uint64_t connection_packet_number = 0;
    std::uint64_t timestamp_us = 0;
    std::vector<packet_signal> signals; //!< encoder: any order; decoder: ascending flags
};

//! Fixed and variable header of a packet, without the samples.
struct packet_header {
    std::uint32_t packet_size = 0;
    std::uint32_t flags = 0;
    std::uint64_t packet_id = 0;
    std::uint64_t connection_packet_number = 0;
    std::uint64_t timestamp_us = 0;
    std::vector<signal_shape> signals; //!< ascending flag order
};

/*!
 * \brief Total packet size in bytes for a set of signal shapes: 33 + 4N + 4V.
 */
std::size_t packet_size_for(const std::vector<signal_shape>& shapes);

/*!
 * \brief Check a signal set before encoding: every flag a single defined type bit,
 *        no type twice, channels and block size ≥ 1, size fits in u32 and \p max_bytes.
 *
 * Reasons: "no_signals", "invalid_signal_type", "duplicate_signal_type", "empty_signal",
 * "packet_too_large", "sample_count_mismatch" (only from encode_packet()).
 */
parse_error validate_signal_shapes(const std::vector<signal_shape>& shapes,
                                   std::size_t max_bytes = default_max_packet_bytes);

/*!
 * \brief Encode \p in into \p out (replacing its content), byte-exact per spec §5.
 *
 * Signals are written in ascending flag order whatever their order in \p in. Returns
 * an error (and leaves \p out empty) if the shapes are invalid or a signal's sample
 * count differs from num_channels × block_size.
 */
parse_error encode_packet(const packet& in, std::vector<std::uint8_t>& out);

/*!
 * \brief Overwrite the connection packet number of an encoded packet in place
 *        (the sink shares one encoded packet between connections and stamps each copy).
 * \param packet_bytes at least packet_fixed_header_size bytes
 */
void set_connection_packet_number(std::uint8_t* packet_bytes, std::uint64_t number);

/*!
 * \brief Decode and validate the header of the packet at the start of \p data.
 *
 * \p size may be larger than the packet (stream) or shorter than the whole packet: only
 * the fixed and variable header must be present. Reasons: "truncated_header",
 * "bad_version", "size_too_small", "packet_too_large", "undefined_flag_bits",
 * "no_signals", "empty_signal", "size_mismatch" (size field ≠ 33 + 4N + 4V).
 */
parse_error decode_packet_header(const std::uint8_t* data,
                                 std::size_t size,
                                 packet_header& header,
                                 std::size_t max_bytes = default_max_packet_bytes);

/*!
 * \brief Decode exactly one packet occupying all of \p data.
 *
 * Adds to the header reasons: "truncated_packet" (fewer bytes than the size field) and
 * "trailing_bytes" (more bytes than the size field). Never throws.
 */
parse_error decode_packet(const std::uint8_t* data,
                          std::size_t size,
                          packet& out,
                          std::size_t max_bytes = default_max_packet_bytes);

//! Result of packet_stream_reassembler::next().
enum class reassembly_status {
    packet,    //!< a whole, header-validated packet was extracted
    need_more, //!< no whole packet buffered yet
    garbage,   //!< bytes were skipped to resynchronise; the error says why
};

/*!
 * \brief Frames whole packets out of a TCP byte stream and resynchronises on garbage.
 *
 * feed() the received bytes, then call next() until need_more. A packet is emitted only
 * when its header validates (decode_packet_header()) and all its bytes are present. When
 * the bytes at the front cannot start a valid packet, the reassembler skips forward to
 * the next byte 0x03 whose header validates as far as the buffered bytes allow, and
 * reports one `garbage` result with the first reason. Memory stays below max_bytes plus
 * the unconsumed part of the last feed().
 */
class packet_stream_reassembler
{
public:
    explicit packet_stream_reassembler(std::size_t max_bytes = default_max_packet_bytes);

    //! Append received bytes.
    void feed(const std::uint8_t* data, std::size_t size);
    /*!
     * \brief Extract the next packet.
     * \param packet_bytes receives the whole packet on `packet`
     * \param error receives the reason on `garbage`
     */
    reassembly_status next(std::vector<std::uint8_t>& packet_bytes, parse_error& error);

    std::size_t buffered_bytes() const { return d_buffer.size() - d_pos; }
    std::uint64_t skipped_bytes() const
    {
        return d_skipped_bytes;
    }                                                   //!< total garbage bytes
    std::uint64_t packets() const { return d_packets; } //!< total packets
    void reset();

private:
    void compact();

    std::size_t d_max_bytes;
    std::vector<std::uint8_t> d_buffer;
    std::size_t d_pos = 0;
    std::uint64_t d_skipped_bytes = 0;
    std::uint64_t d_packets = 0;
};

} // namespace tia
} // namespace netstream
} // namespace gr

#endif /* INCLUDED_NETSTREAM_TIA_PACKET_CODEC_H */
