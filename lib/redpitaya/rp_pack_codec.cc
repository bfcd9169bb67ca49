/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "rp_le_bytes.h"
#include "rp_pack_codec.h"

#include <algorithm>
#include <string>

namespace gr {
namespace netstream {
namespace redpitaya {

const std::array<std::uint8_t, 16> adc_segment_magic = { 0xFF, 0xFF, 0xFF, 0xFF,
                                                         0xA0, 0xA0, 0xA0, 0xA0,
                                                         0xFF, 0xFF, 0xFF, 0xFF,
                                                         0xA0, 0xA0, 0xA0, 0xA0 };
const std::array<std::uint8_t, 16> dac_segment_magic = { 0xFF, 0xFF, 0xA0, 0xA0,
                                                         0xFF, 0xFF, 0xA0, 0xA0,
                                                         0xFF, 0xFF, 0xA0, 0xA0,
                                                         0xFF, 0xFF, 0xA0, 0xA0 };

namespace {

// ADC header offsets (section 5.2)
constexpr std::size_t adc_off_buffer_size = 16;
constexpr std::size_t adc_off_pack_id = 24;
constexpr std::size_t adc_off_lost = 32;
constexpr std::size_t adc_off_all_size = 40;
constexpr std::size_t adc_off_base_rate = 48;
constexpr std::size_t adc_off_base_bits = 52;
constexpr std::size_t adc_off_channel = 53;
constexpr std::size_t adc_off_bits = 54;
constexpr std::size_t adc_off_mode = 55;
constexpr std::size_t adc_off_time = 56;

// DAC header offsets (section 6.2)
constexpr std::size_t dac_off_buffer_size = 16;
constexpr std::size_t dac_off_pack_id = 24;
constexpr std::size_t dac_off_channels = 32;
constexpr std::size_t dac_off_channel = 33;
constexpr std::size_t dac_off_channel_size = 34;
constexpr std::size_t dac_off_all_size = 38;
constexpr std::size_t dac_off_one_pack = 46;
constexpr std::size_t dac_off_inf = 47;
constexpr std::size_t dac_off_repeat = 48;
constexpr std::size_t dac_off_bits = 56;

std::string u64s(std::uint64_t v) { return std::to_string(v); }

} // namespace

unsigned adc_pack_layout::channel_count() const
{
    unsigned n = 0;
    for (unsigned c = 0; c < max_adc_channels; ++c) {
        n += (channel_mask >> c) & 1u;
    }
    return n;
}

std::size_t adc_pack_layout::pack_size() const
{
    return static_cast<std::size_t>(channel_count()) *
           (segment_header_size + static_cast<std::size_t>(block_size));
}

parse_error decode_adc_segment_header(const std::uint8_t* data,
                                      std::size_t len,
                                      adc_segment_header& out)
{
    if (data == nullptr || len < segment_header_size) {
        return { "short_header",
                 "ADC segment header needs 128 bytes, got " + u64s(data ? len : 0) };
    }
    std::copy(data, data + 16, out.magic.begin());
    out.buffer_size = le::load<std::uint64_t>(data + adc_off_buffer_size);
    out.pack_id = le::load<std::uint64_t>(data + adc_off_pack_id);
    out.lost_fpga = le::load<std::uint64_t>(data + adc_off_lost);
    out.size_of_all_channels = le::load<std::uint64_t>(data + adc_off_all_size);
    out.base_rate = le::load<std::uint32_t>(data + adc_off_base_rate);
    out.base_bits = data[adc_off_base_bits];
    out.channel = data[adc_off_channel];
    out.bits_per_sample = data[adc_off_bits];
    out.adc_mode = data[adc_off_mode];
    out.time_capture = le::load<std::int64_t>(data + adc_off_time);
    return {};
}

std::array<std::uint8_t, segment_header_size>
encode_adc_segment_header(const adc_segment_header& h)
{
    std::array<std::uint8_t, segment_header_size> b{};
    std::copy(h.magic.begin(), h.magic.end(), b.begin());
    le::store(b.data() + adc_off_buffer_size, h.buffer_size);
    le::store(b.data() + adc_off_pack_id, h.pack_id);
    le::store(b.data() + adc_off_lost, h.lost_fpga);
    le::store(b.data() + adc_off_all_size, h.size_of_all_channels);
    le::store(b.data() + adc_off_base_rate, h.base_rate);
    b[adc_off_base_bits] = h.base_bits;
    b[adc_off_channel] = h.channel;
    b[adc_off_bits] = h.bits_per_sample;
    b[adc_off_mode] = h.adc_mode;
    le::store(b.data() + adc_off_time, h.time_capture);
    return b;
}

parse_error parse_adc_pack(const std::uint8_t* data,
                           std::size_t len,
                           const adc_pack_layout& layout,
                           adc_pack& out)
{
    const unsigned n = layout.channel_count();
    if (n == 0) {
        return { "no_channels", "the layout has no enabled channel" };
    }
    if (layout.bits_per_sample != 0 && layout.bits_per_sample != 8 &&
        layout.bits_per_sample != 16) {
        return { "bad_bits",
                 "expected bits per sample must be 0, 8 or 16, not " +
                     u64s(layout.bits_per_sample) };
    }
    const std::size_t seg_size = segment_header_size + layout.block_size;
    if (data == nullptr || len != layout.pack_size()) {
        return { "bad_pack_size",
                 "pack is " + u64s(data ? len : 0) + " bytes, expected " +
                     u64s(layout.pack_size()) + " (" + u64s(n) + " x " + u64s(seg_size) +
                     ")" };
    }
    out.segments.clear();
    out.segments.reserve(n);
    std::uint8_t expected_bits = layout.bits_per_sample;
    unsigned next_channel = 0;
    for (unsigned i = 0; i < n; ++i) {
        const std::uint8_t* seg = data + i * seg_size;
        adc_segment s;
        decode_adc_segment_header(
            seg, seg_size, s.header); // cannot fail: seg_size >= 128
        const auto& h = s.header;
        const std::string where = "segment " + u64s(i) + ": ";
        if (h.magic != adc_segment_magic) {
            return { "bad_magic", where + "ID_PACK is not the ADC magic" };
        }
        if (h.buffer_size != seg_size) {
            return { "bad_buffer_size",
                     where + "bufferSize " + u64s(h.buffer_size) + ", expected " +
                         u64s(seg_size) };
        }
        while (next_channel < max_adc_channels &&
               !((layout.channel_mask >> next_channel) & 1u)) {
            ++next_channel;
        }
        if (h.channel != next_channel) {
            return { "bad_channel_order",
                     where + "channel " + u64s(h.channel) + ", expected " +
                         u64s(next_channel) };
        }
        ++next_channel;
        if (h.bits_per_sample != 8 && h.bits_per_sample != 16) {
            return { "bad_bits",
                     where + "bitBySample " + u64s(h.bits_per_sample) +
                         " is not 8 or 16" };
        }
        if (expected_bits == 0) {
            expected_bits = h.bits_per_sample;
        } else if (h.bits_per_sample != expected_bits) {
            return { "bad_bits",
                     where + "bitBySample " + u64s(h.bits_per_sample) + ", expected " +
                         u64s(expected_bits) };
        }
        if (i > 0 && h.pack_id != out.segments.front().header.pack_id) {
            return { "pack_id_mismatch",
                     where + "packId " + u64s(h.pack_id) +
                         " differs from the first segment's " +
                         u64s(out.segments.front().header.pack_id) };
        }
        const std::uint64_t all = static_cast<std::uint64_t>(n) * layout.block_size;
        if (h.size_of_all_channels != all) {
            return { "bad_size_of_all_channels",
                     where + "sizeOfAllChannels " + u64s(h.size_of_all_channels) +
                         ", expected " + u64s(all) };
        }
        s.samples = seg + segment_header_size;
        s.sample_bytes = layout.block_size;
        out.segments.push_back(s);
    }
    const auto& first = out.segments.front().header;
    out.pack_id = first.pack_id;
    out.lost_fpga = first.lost_fpga;
    out.time_capture = first.time_capture;
    out.base_rate = first.base_rate;
    out.base_bits = first.base_bits;
    out.bits_per_sample = first.bits_per_sample;
    return {};
}

std::size_t samples_per_segment(std::uint32_t block_size, std::uint8_t bits_per_sample)
{
    return bits_per_sample == 8 ? block_size : block_size / 2;
}

std::size_t decode_samples_int16(const std::uint8_t* samples,
                                 std::size_t sample_bytes,
                                 std::uint8_t bits_per_sample,
                                 std::int16_t* out)
{
    if (bits_per_sample == 8) {
        for (std::size_t i = 0; i < sample_bytes; ++i) {
            // the wire byte is the upper byte of the left-justified 16-bit value
            out[i] =
                static_cast<std::int16_t>(static_cast<std::uint16_t>(samples[i]) << 8);
        }
        return sample_bytes;
    }
    const std::size_t n = sample_bytes / 2;
    for (std::size_t i = 0; i < n; ++i) {
        out[i] = le::load<std::int16_t>(samples + 2 * i);
    }
    return n;
}

std::size_t decode_samples_volts(const std::uint8_t* samples,
                                 std::size_t sample_bytes,
                                 std::uint8_t bits_per_sample,
                                 float full_scale_volts,
                                 float* out)
{
    const float scale = full_scale_volts / 32768.0f;
    if (bits_per_sample == 8) {
        for (std::size_t i = 0; i < sample_bytes; ++i) {
            out[i] =
                static_cast<float>(static_cast<std::int8_t>(samples[i])) * 256.0f * scale;
        }
        return sample_bytes;
    }
    const std::size_t n = sample_bytes / 2;
    for (std::size_t i = 0; i < n; ++i) {
        out[i] = static_cast<float>(le::load<std::int16_t>(samples + 2 * i)) * scale;
    }
    return n;
}

std::array<std::uint8_t, segment_header_size>
encode_dac_segment_header(const dac_segment_header& h)
{
    std::array<std::uint8_t, segment_header_size> b{};
    std::copy(h.magic.begin(), h.magic.end(), b.begin());
    le::store(b.data() + dac_off_buffer_size, h.buffer_size);
    le::store(b.data() + dac_off_pack_id, h.pack_id);
    b[dac_off_channels] = h.channels;
    b[dac_off_channel] = h.channel;
    le::store(b.data() + dac_off_channel_size, h.channel_size);
    le::store(b.data() + dac_off_all_size, h.size_of_all_channels);
    b[dac_off_one_pack] = h.one_pack_mode ? 1 : 0;
    b[dac_off_inf] = h.inf_mode ? 1 : 0;
    le::store(b.data() + dac_off_repeat, h.repeat_count);
    b[dac_off_bits] = h.bits;
    return b;
}

parse_error decode_dac_segment_header(const std::uint8_t* data,
                                      std::size_t len,
                                      dac_segment_header& out)
{
    if (data == nullptr || len < segment_header_size) {
        return { "short_header",
                 "DAC segment header needs 128 bytes, got " + u64s(data ? len : 0) };
    }
    if (data[dac_off_one_pack] > 1 || data[dac_off_inf] > 1) {
        return { "bad_bool", "onePackMode/infMode must be 0 or 1" };
    }
    std::copy(data, data + 16, out.magic.begin());
    out.buffer_size = le::load<std::uint64_t>(data + dac_off_buffer_size);
    out.pack_id = le::load<std::uint64_t>(data + dac_off_pack_id);
    out.channels = data[dac_off_channels];
    out.channel = data[dac_off_channel];
    out.channel_size = le::load<std::uint32_t>(data + dac_off_channel_size);
    out.size_of_all_channels = le::load<std::uint64_t>(data + dac_off_all_size);
    out.one_pack_mode = data[dac_off_one_pack] != 0;
    out.inf_mode = data[dac_off_inf] != 0;
    out.repeat_count = le::load<std::int64_t>(data + dac_off_repeat);
    out.bits = data[dac_off_bits];
    return {};
}

parse_error validate_dac_segment_header(const dac_segment_header& h,
                                        std::uint32_t block_size)
{
    const std::uint64_t seg =
        segment_header_size + static_cast<std::uint64_t>(block_size);
    if (h.buffer_size != seg) {
        return { "bad_buffer_size",
                 "bufferSize " + u64s(h.buffer_size) + ", the board expects " +
                     u64s(seg) };
    }
    if (h.channels < 1 || h.channels > 2 || h.channel < 1 || h.channel > 2) {
        return { "bad_channel",
                 "channels " + u64s(h.channels) + " / channel " + u64s(h.channel) +
                     ": expected 1 or 2 outputs, 1-based" };
    }
    if (h.channel_size < 1 || h.channel_size > block_size) {
        return { "bad_channel_size",
                 "channelSize " + u64s(h.channel_size) + " is outside 1.." +
                     u64s(block_size) };
    }
    if (h.size_of_all_channels != static_cast<std::uint64_t>(h.channels) * block_size) {
        return { "bad_size_of_all_channels",
                 "sizeOfAllChannels " + u64s(h.size_of_all_channels) + ", expected " +
                     u64s(static_cast<std::uint64_t>(h.channels) * block_size) };
    }
    if (h.bits != 8 && h.bits != 16) {
        return { "bad_bits", "bits " + u64s(h.bits) + " is not 8 or 16" };
    }
    if (h.one_pack_mode && !h.inf_mode && h.repeat_count < 1) {
        return { "bad_repeat_count",
                 "one-pack mode with infMode 0 needs repeatCount >= 1 (the board plays "
                 "nothing)" };
    }
    return {};
}

} // namespace redpitaya
} // namespace netstream
} // namespace gr
