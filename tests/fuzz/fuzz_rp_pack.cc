/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

// libFuzzer harness: Red Pitaya ADC pack parser and DAC header codec (spec 5.2, 6.2).
// Input byte 0 = channel mask (low 4 bits) and expected bits (bit 4: 8, bit 5: 16),
// byte 1 = block size in units of 16 bytes (0...255 -> 0...4080). The rest is the pack.
// A pack that parses must decode its samples and re-encode its headers byte for byte.

#include "../../lib/redpitaya/rp_pack_codec.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

using namespace gr::netstream::redpitaya;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size < 2) {
        return 0;
    }
    adc_pack_layout layout;
    layout.channel_mask = data[0] & 0x0F;
    layout.bits_per_sample = (data[0] & 0x10) ? 8 : (data[0] & 0x20) ? 16 : 0;
    layout.block_size = 16u * data[1];
    data += 2;
    size -= 2;

    adc_pack pack;
    const auto err = parse_adc_pack(data, size, layout, pack);
    if (err.ok()) {
        if (pack.segments.size() != layout.channel_count()) {
            std::abort();
        }
        std::vector<std::int16_t> codes(layout.block_size + 1);
        std::vector<float> volts(layout.block_size + 1);
        for (std::size_t i = 0; i < pack.segments.size(); ++i) {
            const auto& s = pack.segments[i];
            const auto n = decode_samples_int16(
                s.samples, s.sample_bytes, pack.bits_per_sample, codes.data());
            const auto m = decode_samples_volts(
                s.samples, s.sample_bytes, pack.bits_per_sample, 1.0f, volts.data());
            if (n != m ||
                n != samples_per_segment(layout.block_size, pack.bits_per_sample)) {
                std::abort();
            }
            const auto hdr = encode_adc_segment_header(s.header);
            const std::uint8_t* orig = s.samples - segment_header_size;
            // bytes 64..127 are padding the decoder does not keep; the rest must match
            if (std::memcmp(hdr.data(), orig, 64) != 0) {
                std::abort();
            }
        }
    } else if (err.reason.empty() || err.detail.empty()) {
        std::abort();
    }

    dac_segment_header dac;
    if (decode_dac_segment_header(data, size, dac).ok()) {
        const auto again = encode_dac_segment_header(dac);
        if (std::memcmp(again.data(), data, 57) != 0) {
            std::abort();
        }
        (void)validate_dac_segment_header(dac, layout.block_size);
    }
    return 0;
}
