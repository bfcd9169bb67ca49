/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_NETSTREAM_ZMQ_DP_HEADER_CODEC_H
#define INCLUDED_NETSTREAM_ZMQ_DP_HEADER_CODEC_H

// doppler-dsp `doppler.stream` v1 wire (doppler-dsp <= 0.27.0, ZeroMQ transport):
// every message is 2 parts, [96-byte header][num_samples * bytes_per_sample payload].
// Pure C++: no GNU Radio, no ZeroMQ. See docs/doppler-zmq.md and the wire spec.

#include "../common/parse_error.h"
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace gr {
namespace netstream {
namespace dp {

constexpr size_t header_size = 96;
constexpr uint32_t magic = 0x53494753; //!< bytes on the wire: "SGIS"
constexpr uint32_t version_v1 = 0x00010000;

//! doppler sample type codes (header field `sample_type`).
enum class sample_type : uint32_t {
    ci32 = 0,
    cf64 = 1,
    cf128 = 2, //!< not portable (x87 long double); rejected by this module
    ci8 = 3,
    ci16 = 4,
    cf32 = 5,
};

//! Bytes per complex sample on the wire; 0 for an unknown code.
size_t bytes_per_sample(uint32_t code);
//! Lower-case name ("cf32", ...); "unknown" for an unknown code.
const char* type_name(uint32_t code);
/*!
 * \brief Parse a type name ("cf32", "CF32", "ci16", ...) for block parameters.
 * \throws std::invalid_argument naming the value and the allowed ones; CF128 is
 *         refused with an explanation.
 */
sample_type parse_type_name(const std::string& name);
//! True for the integer types (CI8/CI16/CI32), which take a scale factor.
bool is_integer_type(sample_type t);

//! The v1 header fields (host values).
struct header {
    uint32_t version = version_v1;
    uint32_t protocol = 0;
    uint32_t stream_id = 0;
    uint32_t sample_type = static_cast<uint32_t>(dp::sample_type::cf32);
    uint32_t flags = 0;
    uint64_t sequence = 0;
    uint64_t timestamp_ns = 0;
    double sample_rate = 0.0;
    double center_freq = 0.0;
    uint64_t num_samples = 0;
    uint64_t reserved[4] = { 0, 0, 0, 0 };
};

//! Write the 96 header bytes (little-endian, magic first) to `out`.
void encode_header(const header& h, uint8_t out[header_size]);

/*!
 * \brief Decode a header part. Checks size and magic only (as doppler does);
 * version/protocol/stream_id/flags/reserved are ignored so any v1 sender works.
 * Reasons: `bad_header_size`, `bad_magic`.
 */
parse_error decode_header(const uint8_t* data, size_t len, header& out);

/*!
 * \brief Validate a whole received message strictly (stricter than doppler).
 *
 * \param n_parts   number of ZeroMQ parts in the message
 * \param hdr       part 1 bytes (nullptr if there is no part)
 * \param hdr_len   part 1 length
 * \param payload_len part 2 length (ignored when n_parts < 2)
 * \param out       decoded header on success
 *
 * Reasons: `wrong_part_count`, `bad_header_size`, `bad_magic`,
 * `unsupported_type_cf128`, `unknown_type`, `payload_size_mismatch`.
 */
parse_error validate_frame(
    size_t n_parts, const uint8_t* hdr, size_t hdr_len, size_t payload_len, header& out);

} // namespace dp
} // namespace netstream
} // namespace gr

#endif
