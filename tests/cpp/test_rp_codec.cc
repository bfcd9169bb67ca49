/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

// Unit tests of the Red Pitaya pack and control codecs against the byte layouts of
// redpitaya-streaming.md (sections 3.2, 3.3, 5.2, 5.3, 6.2).

#define BOOST_TEST_MODULE rp_codec
#include <boost/test/included/unit_test.hpp>

#include "redpitaya/rp_control_codec.h"
#include "redpitaya/rp_pack_codec.h"

#include <cstring>
#include <string>
#include <vector>

using gr::netstream::parse_error;
using namespace gr::netstream::redpitaya;

namespace {

using bytes = std::vector<std::uint8_t>;

bytes hex(const std::string& s)
{
    bytes out;
    std::string digits;
    for (char c : s) {
        if (c != ' ') {
            digits += c;
        }
    }
    for (std::size_t i = 0; i + 1 < digits.size(); i += 2) {
        out.push_back(
            static_cast<std::uint8_t>(std::stoul(digits.substr(i, 2), nullptr, 16)));
    }
    return out;
}

void put_u64(bytes& b, std::size_t off, std::uint64_t v)
{
    for (int i = 0; i < 8; ++i) {
        b[off + i] = static_cast<std::uint8_t>(v >> (8 * i));
    }
}

// One ADC pack built by hand from the spec table (not with the encoder under test).
bytes make_adc_pack(std::uint32_t block_size,
                    const std::vector<std::uint8_t>& channels,
                    std::uint8_t bits,
                    std::uint64_t pack_id)
{
    bytes pack;
    const std::size_t seg = 128 + block_size;
    for (std::size_t i = 0; i < channels.size(); ++i) {
        bytes s(seg, 0);
        const std::uint8_t magic[16] = { 0xFF, 0xFF, 0xFF, 0xFF, 0xA0, 0xA0, 0xA0, 0xA0,
                                         0xFF, 0xFF, 0xFF, 0xFF, 0xA0, 0xA0, 0xA0, 0xA0 };
        std::memcpy(s.data(), magic, 16);
        put_u64(s, 16, seg);
        put_u64(s, 24, pack_id);
        put_u64(s, 32, 77);
        put_u64(s, 40, channels.size() * block_size);
        s[48] = 0x65;
        s[49] = 0xCD;
        s[50] = 0x1D;
        s[51] = 0x00;
        s[52] = 14;
        s[53] = channels[i];
        s[54] = bits;
        s[55] = 1;
        put_u64(s, 56, 0x0102030405060708ULL);
        for (std::size_t k = 0; k < block_size; ++k) {
            s[128 + k] = static_cast<std::uint8_t>(k + 16 * channels[i]);
        }
        pack.insert(pack.end(), s.begin(), s.end());
    }
    return pack;
}

} // namespace

// ------------------------------------------------------------------ control framing
BOOST_AUTO_TEST_CASE(command_frame_matches_spec_worked_example)
{
    // section 3.2: ADC_SERVER_START with an empty tag
    BOOST_TEST(encode_command(command_id::adc_server_start) ==
                   hex("ED CD AB 00 10 00 00 00 11 00 00 00 00 00 00 00"),
               boost::test_tools::per_element());
    BOOST_TEST(encode_command(6, "65536") ==
                   hex("ED CD AB 00 15 00 00 00 06 00 00 00 05 00 00 00 36 35 35 33 36"),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(key_value_and_config_frames)
{
    BOOST_TEST(encode_key_value("ab", "xyz") ==
                   hex("EF CD AB 00 15 00 00 00 02 00 00 00 03 00 00 00 61 62 78 79 7A"),
               boost::test_tools::per_element());
    BOOST_TEST(encode_config("{}") == hex("EB CD AB 00 0E 00 00 00 02 00 00 00 7B 7D"),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(command_names_follow_the_source)
{
    BOOST_TEST(std::string(command_name(0)) == "SETTINGS_GET_SUCCESS");
    BOOST_TEST(std::string(command_name(10)) == "SAVE_SETTING_TO_FILE_SUCCES");
    BOOST_TEST(std::string(command_name(27)) == "ADC_FPGA_START");
    BOOST_TEST(std::string(command_name(45)) == "SERVER_MODE_SD");
    BOOST_TEST(std::string(command_name(46)) == "UNKNOWN");
    BOOST_TEST(static_cast<std::uint32_t>(command_id::dac_server_started) == 41u);
    BOOST_TEST(static_cast<std::uint32_t>(command_id::get_server_mode) == 43u);
}

BOOST_AUTO_TEST_CASE(decode_round_trips)
{
    control_message m;
    auto f = encode_command(3, "adc_decimation");
    BOOST_TEST(decode_message(f.data(), f.size(), m).ok());
    BOOST_TEST((m.kind == message_kind::command));
    BOOST_TEST(m.command == 3u);
    BOOST_TEST(m.tag == "adc_decimation");

    f = encode_key_value("resolution", "BIT_8");
    BOOST_TEST(decode_message(f.data(), f.size(), m).ok());
    BOOST_TEST((m.kind == message_kind::key_value));
    BOOST_TEST(m.key == "resolution");
    BOOST_TEST(m.value == "BIT_8");

    f = encode_config("{\"a\":1}");
    BOOST_TEST(decode_message(f.data(), f.size(), m).ok());
    BOOST_TEST((m.kind == message_kind::config));
    BOOST_TEST(m.json == "{\"a\":1}");
    BOOST_TEST(encode_message(m) == f, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(decode_rejects_malformed_frames)
{
    control_message m;
    auto bad_magic = hex("ED CD AB 01 10 00 00 00 11 00 00 00 00 00 00 00");
    BOOST_TEST(decode_message(bad_magic.data(), bad_magic.size(), m).reason ==
               "bad_magic");
    auto short_total = hex("ED CD AB 00 0C 00 00 00 11 00 00 00");
    BOOST_TEST(decode_message(short_total.data(), short_total.size(), m).reason ==
               "bad_total_len");
    auto tag_overrun = hex("ED CD AB 00 10 00 00 00 11 00 00 00 01 00 00 00");
    BOOST_TEST(decode_message(tag_overrun.data(), tag_overrun.size(), m).reason ==
               "inner_length_overrun");
    auto kv_overrun = hex("EF CD AB 00 12 00 00 00 FF FF FF FF 03 00 00 00 61 62");
    BOOST_TEST(decode_message(kv_overrun.data(), kv_overrun.size(), m).reason ==
               "inner_length_overrun");
    BOOST_TEST(decode_message(nullptr, 0, m).reason == "short_frame");
    // shorter inner length than total_len allows: accepted, tail ignored (board
    // behaviour)
    auto tail = hex("ED CD AB 00 12 00 00 00 06 00 00 00 01 00 00 00 37 38");
    BOOST_TEST(decode_message(tail.data(), tail.size(), m).ok());
    BOOST_TEST(m.tag == "7");
}

BOOST_AUTO_TEST_CASE(stream_parser_handles_fragments)
{
    bytes stream;
    for (const auto& f : { encode_command(15),
                           encode_key_value("block_size", "65536"),
                           encode_config("{\"x\":[1,2]}"),
                           encode_command(6, "1024") }) {
        stream.insert(stream.end(), f.begin(), f.end());
    }
    for (std::size_t chunk :
         { std::size_t(1), std::size_t(3), std::size_t(7), stream.size() }) {
        control_stream_parser p;
        std::vector<control_message> got;
        for (std::size_t i = 0; i < stream.size(); i += chunk) {
            p.feed(stream.data() + i, std::min(chunk, stream.size() - i));
            control_message m;
            parse_error e;
            control_stream_parser::status st;
            while ((st = p.next(m, e)) == control_stream_parser::status::message) {
                got.push_back(m);
            }
            BOOST_TEST((st == control_stream_parser::status::need_more));
        }
        BOOST_TEST_REQUIRE(got.size() == 4u);
        BOOST_TEST(got[0].command == 15u);
        BOOST_TEST(got[1].value == "65536");
        BOOST_TEST(got[2].json == "{\"x\":[1,2]}");
        BOOST_TEST(got[3].tag == "1024");
        BOOST_TEST(p.buffered() == 0u);
    }
}

BOOST_AUTO_TEST_CASE(stream_parser_errors_are_sticky)
{
    control_stream_parser p(4096);
    auto ok = encode_command(5);
    auto zero_len = hex("ED CD AB 00 00 00 00 00");
    p.feed(ok.data(), ok.size());
    p.feed(zero_len.data(), zero_len.size());
    control_message m;
    parse_error e;
    BOOST_TEST((p.next(m, e) == control_stream_parser::status::message));
    BOOST_TEST((p.next(m, e) == control_stream_parser::status::error));
    BOOST_TEST(e.reason == "bad_total_len");
    p.feed(ok.data(), ok.size());
    BOOST_TEST((p.next(m, e) == control_stream_parser::status::error));
    BOOST_TEST(p.failed());
    p.reset();
    p.feed(ok.data(), ok.size());
    BOOST_TEST((p.next(m, e) == control_stream_parser::status::message));

    auto huge = hex("EB CD AB 00 00 00 10 00"); // total_len 1 MiB > 4096
    p.feed(huge.data(), huge.size());
    BOOST_TEST((p.next(m, e) == control_stream_parser::status::error));
    BOOST_TEST(e.reason == "message_too_large");

    control_stream_parser q;
    auto junk = hex("00 01 02 03 04 05 06 07");
    q.feed(junk.data(), junk.size());
    BOOST_TEST((q.next(m, e) == control_stream_parser::status::error));
    BOOST_TEST(e.reason == "bad_magic");
}

// ------------------------------------------------------------------ ADC packs
BOOST_AUTO_TEST_CASE(adc_pack_parses_hand_built_bytes)
{
    const auto pack = make_adc_pack(256, { 0, 2, 3 }, 16, 42);
    adc_pack_layout layout;
    layout.block_size = 256;
    layout.channel_mask = 0b1101;
    layout.bits_per_sample = 16;
    BOOST_TEST(layout.channel_count() == 3u);
    BOOST_TEST(layout.pack_size() == 3u * 384u);
    adc_pack out;
    auto err = parse_adc_pack(pack.data(), pack.size(), layout, out);
    BOOST_TEST_REQUIRE(err.ok(), err.detail);
    BOOST_TEST(out.pack_id == 42u);
    BOOST_TEST(out.lost_fpga == 77u);
    BOOST_TEST(out.base_rate == 1953125u);
    BOOST_TEST(out.base_bits == 14u);
    BOOST_TEST(out.time_capture == 0x0102030405060708LL);
    BOOST_TEST_REQUIRE(out.segments.size() == 3u);
    BOOST_TEST(out.segments[1].header.channel == 2u);
    BOOST_TEST(out.segments[1].header.adc_mode == 1u);
    BOOST_TEST(out.segments[2].samples == pack.data() + 2 * 384 + 128);

    // header encoder reproduces the hand-built bytes
    auto enc = encode_adc_segment_header(out.segments[0].header);
    BOOST_TEST(bytes(enc.begin(), enc.end()) == bytes(pack.begin(), pack.begin() + 128),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(adc_pack_rejections)
{
    adc_pack_layout layout;
    layout.block_size = 128;
    layout.channel_mask = 0b0011;
    layout.bits_per_sample = 0;
    adc_pack out;
    const auto good = make_adc_pack(128, { 0, 1 }, 8, 5);
    BOOST_TEST(parse_adc_pack(good.data(), good.size(), layout, out).ok());
    BOOST_TEST(out.bits_per_sample == 8u);

    BOOST_TEST(parse_adc_pack(good.data(), good.size() - 1, layout, out).reason ==
               "bad_pack_size");

    auto b = good;
    b[256 + 3] = 0; // second segment's magic
    BOOST_TEST(parse_adc_pack(b.data(), b.size(), layout, out).reason == "bad_magic");

    b = good;
    put_u64(b, 16, 999);
    BOOST_TEST(parse_adc_pack(b.data(), b.size(), layout, out).reason ==
               "bad_buffer_size");

    b = make_adc_pack(128, { 1, 0 }, 8, 5);
    BOOST_TEST(parse_adc_pack(b.data(), b.size(), layout, out).reason ==
               "bad_channel_order");

    b = good;
    b[256 + 54] = 16; // bits differ between segments
    BOOST_TEST(parse_adc_pack(b.data(), b.size(), layout, out).reason == "bad_bits");
    b[54] = 12;
    BOOST_TEST(parse_adc_pack(b.data(), b.size(), layout, out).reason == "bad_bits");

    b = good;
    put_u64(b, 256 + 24, 6);
    BOOST_TEST(parse_adc_pack(b.data(), b.size(), layout, out).reason ==
               "pack_id_mismatch");

    b = good;
    put_u64(b, 40, 1);
    BOOST_TEST(parse_adc_pack(b.data(), b.size(), layout, out).reason ==
               "bad_size_of_all_channels");

    layout.channel_mask = 0;
    BOOST_TEST(parse_adc_pack(good.data(), good.size(), layout, out).reason ==
               "no_channels");
}

BOOST_AUTO_TEST_CASE(sample_decoding)
{
    // 14-bit -1 left-justified = 0xFFFF (section 5.3), +1 = 0x0004
    const std::uint8_t s16[] = { 0xFF, 0xFF, 0x04, 0x00, 0x00, 0x80, 0xFF, 0x7F };
    std::int16_t codes[4];
    BOOST_TEST(decode_samples_int16(s16, sizeof s16, 16, codes) == 4u);
    BOOST_TEST(codes[0] == -1);
    BOOST_TEST(codes[1] == 4);
    BOOST_TEST(codes[2] == -32768);
    BOOST_TEST(codes[3] == 32767);
    float volts[4];
    BOOST_TEST(decode_samples_volts(s16, sizeof s16, 16, 20.0f, volts) == 4u);
    BOOST_TEST(volts[2] == -20.0f);

    const std::uint8_t s8[] = { 0x80, 0x7F, 0xFF, 0x01 };
    BOOST_TEST(decode_samples_int16(s8, sizeof s8, 8, codes) == 4u);
    BOOST_TEST(codes[0] == -32768);
    BOOST_TEST(codes[1] == 0x7F00);
    BOOST_TEST(codes[2] == -256);
    BOOST_TEST(decode_samples_volts(s8, sizeof s8, 8, 1.0f, volts) == 4u);
    BOOST_TEST(volts[0] == -1.0f);
    BOOST_TEST(volts[3] == 1.0f / 128.0f);
    BOOST_TEST(samples_per_segment(65536, 16) == 32768u);
    BOOST_TEST(samples_per_segment(65536, 8) == 65536u);
}

// ------------------------------------------------------------------ DAC header
BOOST_AUTO_TEST_CASE(dac_header_is_byte_exact)
{
    dac_segment_header h;
    h.buffer_size = 128 + 65536;
    h.channels = 2;
    h.channel = 2;
    h.channel_size = 1000;
    h.size_of_all_channels = 2 * 65536;
    h.one_pack_mode = true;
    h.inf_mode = true;
    h.repeat_count = -1;
    h.bits = 16;
    const auto b = encode_dac_segment_header(h);
    bytes want(128, 0);
    const bytes head = hex("FFFFA0A0 FFFFA0A0 FFFFA0A0 FFFFA0A0" // ID_PACK
                           "80 00 01 00 00 00 00 00"             // bufferSize 65664
                           "00 00 00 00 00 00 00 00"             // packId
                           "02 02"                               // channels, channel
                           "E8 03 00 00"                         // channelSize 1000
                           "00 00 02 00 00 00 00 00" // sizeOfAllChannels 131072
                           "01 01"                   // onePackMode, infMode
                           "FF FF FF FF FF FF FF FF" // repeatCount -1
                           "10");                    // bits
    std::copy(head.begin(), head.end(), want.begin());
    BOOST_TEST(head.size() == 57u);
    BOOST_TEST(bytes(b.begin(), b.end()) == want, boost::test_tools::per_element());

    dac_segment_header back;
    BOOST_TEST(decode_dac_segment_header(b.data(), b.size(), back).ok());
    BOOST_TEST(back.repeat_count == -1);
    BOOST_TEST(back.channel_size == 1000u);
    BOOST_TEST(validate_dac_segment_header(back, 65536).ok());

    auto bad = b;
    bad[46] = 2;
    BOOST_TEST(decode_dac_segment_header(bad.data(), bad.size(), back).reason ==
               "bad_bool");
    BOOST_TEST(decode_dac_segment_header(b.data(), 127, back).reason == "short_header");
}

BOOST_AUTO_TEST_CASE(dac_header_validation)
{
    dac_segment_header h;
    h.buffer_size = 128 + 4096;
    h.channels = 1;
    h.channel = 1;
    h.channel_size = 4096;
    h.size_of_all_channels = 4096;
    BOOST_TEST(validate_dac_segment_header(h, 4096).ok());
    BOOST_TEST(validate_dac_segment_header(h, 8192).reason == "bad_buffer_size");
    auto c = h;
    c.channel = 3;
    BOOST_TEST(validate_dac_segment_header(c, 4096).reason == "bad_channel");
    c = h;
    c.channel_size = 4097;
    BOOST_TEST(validate_dac_segment_header(c, 4096).reason == "bad_channel_size");
    c = h;
    c.size_of_all_channels = 8192;
    BOOST_TEST(validate_dac_segment_header(c, 4096).reason == "bad_size_of_all_channels");
    c = h;
    c.bits = 12;
    BOOST_TEST(validate_dac_segment_header(c, 4096).reason == "bad_bits");
    c = h;
    c.one_pack_mode = true;
    c.repeat_count = 0;
    BOOST_TEST(validate_dac_segment_header(c, 4096).reason == "bad_repeat_count");
    c.inf_mode = true;
    BOOST_TEST(validate_dac_segment_header(c, 4096).ok());
}
