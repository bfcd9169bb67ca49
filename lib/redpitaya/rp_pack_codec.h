/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_NETSTREAM_REDPITAYA_RP_PACK_CODEC_H
#define INCLUDED_NETSTREAM_REDPITAYA_RP_PACK_CODEC_H

// Codec for the Red Pitaya "Data Stream" data links (spec redpitaya-streaming.md):
//  - ADC packs received on TCP 18900 (section 5.2): parse and validate, decode samples;
//  - DAC segment headers sent on TCP 18903 (section 6.2): byte-exact encoder.
// Pure C++17, no GNU Radio dependency. Decoders never throw on wire input.

#include "../common/parse_error.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace gr {
namespace netstream {
namespace redpitaya {

//! Size of every segment header, ADC and DAC.
constexpr std::size_t segment_header_size = 128;
//! Highest number of ADC inputs on any model (the 4-input board).
constexpr unsigned max_adc_channels = 4;

//! ID_PACK of an ADC segment: FF FF FF FF A0 A0 A0 A0 FF FF FF FF A0 A0 A0 A0.
extern const std::array<std::uint8_t, 16> adc_segment_magic;
//! ID_PACK of a DAC segment: (FF FF A0 A0) x 4.
extern const std::array<std::uint8_t, 16> dac_segment_magic;

//! One 128-byte ADC segment header, field by field (section 5.2).
struct adc_segment_header {
    std::array<std::uint8_t, 16> magic = adc_segment_magic;
    std::uint64_t buffer_size = 0;          //!< 128 + block_size
    std::uint64_t pack_id = 0;              //!< same in every segment of a pack
    std::uint64_t lost_fpga = 0;            //!< samples/channel lost after this pack
    std::uint64_t size_of_all_channels = 0; //!< N x block_size
    std::uint32_t base_rate = 0;      //!< effective rate floor(base / decimation), Hz
    std::uint8_t base_bits = 0;       //!< native ADC bits (12, 14, 16)
    std::uint8_t channel = 0;         //!< 0-based input (0 = IN1)
    std::uint8_t bits_per_sample = 0; //!< 8 or 16
    std::uint8_t adc_mode = 0;        //!< 0 = attenuator 1:1, 1 = 1:20
    std::int64_t time_capture = 0;    //!< P3: ns since the epoch; P2: 0
};

/*!
 * \brief Decode one ADC segment header without judging its values.
 * \param data at least \ref segment_header_size bytes
 * \param len  bytes available at \p data
 * \param out  filled on success
 * \return an error ("short_header") only when fewer than 128 bytes are given.
 */
parse_error decode_adc_segment_header(const std::uint8_t* data,
                                      std::size_t len,
                                      adc_segment_header& out);

/*! \brief Encode an ADC segment header into exactly 128 bytes (emulators, tests). */
std::array<std::uint8_t, segment_header_size>
encode_adc_segment_header(const adc_segment_header& h);

//! What the client knows about the stream before it reads a pack (from replies 6 and 8 or
//! the JSON).
struct adc_pack_layout {
    std::uint32_t block_size = 65536; //!< data bytes per segment
    std::uint8_t channel_mask = 0x1;  //!< bit k = input k+1 enabled
    std::uint8_t bits_per_sample =
        0; //!< 8 or 16; 0 = accept either (taken from the first segment)

    //! Number of enabled channels (segments per pack).
    unsigned channel_count() const;
    //! Bytes of one whole pack on the wire: N x (128 + block_size).
    std::size_t pack_size() const;
};

//! One validated segment of a pack: its header and a view of its sample bytes.
struct adc_segment {
    adc_segment_header header;
    const std::uint8_t* samples = nullptr; //!< points into the caller's buffer
    std::size_t sample_bytes = 0;          //!< block_size
};

//! One validated pack. Segment views point into the buffer given to parse_adc_pack().
struct adc_pack {
    std::uint64_t pack_id = 0;
    std::uint64_t lost_fpga =
        0; //!< from the first segment (the board copies IN1's count)
    std::int64_t time_capture = 0; //!< from the first segment
    std::uint32_t base_rate = 0;
    std::uint8_t base_bits = 0;
    std::uint8_t bits_per_sample = 0;
    std::vector<adc_segment> segments; //!< ascending channel order
};

/*!
 * \brief Parse and validate one whole ADC pack (section 5.2).
 *
 * Checks, in order: pack length == layout.pack_size() ("bad_pack_size"); per segment:
 * magic ("bad_magic"), bufferSize == 128 + block_size ("bad_buffer_size"),
 * channel == next enabled input ("bad_channel_order"), bitBySample 8 or 16 and equal to
 * the layout's (or to the first segment's) ("bad_bits"), packId equal to the first
 * segment's ("pack_id_mismatch"), sizeOfAllChannels == N x block_size
 * ("bad_size_of_all_channels"). An empty channel mask gives "no_channels".
 * Differences in lostFPGA or timeCapture between segments are tolerated.
 *
 * \param data bytes of the pack; must stay alive while \p out is used
 * \param len  bytes at \p data
 * \param layout what the client expects
 * \param out  filled on success (left in an unspecified state on error)
 */
parse_error parse_adc_pack(const std::uint8_t* data,
                           std::size_t len,
                           const adc_pack_layout& layout,
                           adc_pack& out);

/*! \brief Samples per channel in one segment: block_size / (bits/8). */
std::size_t samples_per_segment(std::uint32_t block_size, std::uint8_t bits_per_sample);

/*!
 * \brief Decode a segment's samples to left-justified 16-bit codes (full scale +-32768).
 *
 * 16-bit: little-endian int16 as is; 8-bit: the signed byte shifted left by 8 (the wire's
 * 8-bit value is the upper byte of the 16-bit one, section 5.3).
 * \param out room for samples_per_segment(sample_bytes, bits) values
 * \return the number of samples written
 */
std::size_t decode_samples_int16(const std::uint8_t* samples,
                                 std::size_t sample_bytes,
                                 std::uint8_t bits_per_sample,
                                 std::int16_t* out);

/*!
 * \brief Decode a segment's samples to volts: code16 / 32768 x full_scale_volts.
 *
 * \p full_scale_volts is the model's range for the attenuator setting (1 V / 20 V on the
 * 125-14 and 250-12, 0.25 V on the 122-16); expose it as a user parameter (section 5.3).
 * \return the number of samples written
 */
std::size_t decode_samples_volts(const std::uint8_t* samples,
                                 std::size_t sample_bytes,
                                 std::uint8_t bits_per_sample,
                                 float full_scale_volts,
                                 float* out);

//! One 128-byte DAC segment header (section 6.2), as the client sends it.
struct dac_segment_header {
    std::array<std::uint8_t, 16> magic = dac_segment_magic;
    std::uint64_t buffer_size = 0;  //!< 128 + block_size; the board dies on a mismatch
    std::uint64_t pack_id = 0;      //!< 0 (unused by the board)
    std::uint8_t channels = 0;      //!< segments in the pack
    std::uint8_t channel = 0;       //!< 1-based output (1 = OUT1)
    std::uint32_t channel_size = 0; //!< meaningful bytes in this segment
    std::uint64_t size_of_all_channels = 0; //!< N x block_size
    bool one_pack_mode = false;
    bool inf_mode = false;
    std::int64_t repeat_count = 1; //!< -1 with inf_mode for infinite
    std::uint8_t bits = 16;        //!< 8 or 16
};

/*! \brief Encode a DAC segment header, byte-exact per section 6.2 (booleans as 0/1, zero
 * padding). */
std::array<std::uint8_t, segment_header_size>
encode_dac_segment_header(const dac_segment_header& h);

/*!
 * \brief Decode a DAC segment header (emulator side and fuzzing). Errors: "short_header";
 * a boolean byte other than 0/1 gives "bad_bool" (the board reads it as a C++ bool).
 */
parse_error decode_dac_segment_header(const std::uint8_t* data,
                                      std::size_t len,
                                      dac_segment_header& out);

/*!
 * \brief Check a DAC header the way the client must before sending it (section 12.1):
 * bufferSize, channels/channel, channelSize 1...block_size, sizeOfAllChannels, bits 8/16,
 * one-pack count. Reasons: "bad_buffer_size", "bad_channel", "bad_channel_size",
 * "bad_size_of_all_channels", "bad_bits", "bad_repeat_count".
 */
parse_error validate_dac_segment_header(const dac_segment_header& h,
                                        std::uint32_t block_size);

} // namespace redpitaya
} // namespace netstream
} // namespace gr

#endif
