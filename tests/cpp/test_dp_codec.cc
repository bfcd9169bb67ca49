/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

// Unit tests of the doppler v1 header codec, against the capture in the wire spec.

#define BOOST_TEST_MODULE dp_codec
#include <boost/test/included/unit_test.hpp>

#include "zmq/dp_header_codec.h"
#include <cstring>
#include <vector>

using namespace gr::netstream;

namespace {
// Spec §2 capture: CF64, 5 samples, 1.25 MHz, 2.4 GHz, sequence 0 (timestamp set to
// 0x0102030405060708).
const uint8_t golden_cf64[96] = {
    0x53, 0x47, 0x49, 0x53, 0x00, 0x00, 0x01, 0x00, // magic "SGIS", version 0x00010000
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // protocol, stream_id
    0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // sample_type 1 (CF64), flags
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // sequence 0
    0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01, // timestamp_ns
    0x00, 0x00, 0x00, 0x00, 0xd0, 0x12, 0x33, 0x41, // sample_rate 1.25e6
    0x00, 0x00, 0x00, 0x00, 0xa3, 0xe1, 0xe1, 0x41, // center_freq 2.4e9
    0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // num_samples 5
    0,    0,    0,    0,    0,    0,    0,    0,    0, 0, 0, 0, 0, 0, 0, 0,
    0,    0,    0,    0,    0,    0,    0,    0,    0, 0, 0, 0, 0, 0, 0, 0,
};
} // namespace

BOOST_AUTO_TEST_CASE(encode_matches_spec_capture)
{
    dp::header h;
    h.sample_type = 1;
    h.sequence = 0;
    h.timestamp_ns = 0x0102030405060708ULL;
    h.sample_rate = 1.25e6;
    h.center_freq = 2.4e9;
    h.num_samples = 5;
    uint8_t out[96];
    dp::encode_header(h, out);
    BOOST_TEST(std::memcmp(out, golden_cf64, 96) == 0);
}

BOOST_AUTO_TEST_CASE(decode_round_trip)
{
    dp::header h;
    BOOST_TEST(dp::decode_header(golden_cf64, 96, h).ok());
    BOOST_TEST(h.sample_type == 1u);
    BOOST_TEST(h.sample_rate == 1.25e6);
    BOOST_TEST(h.center_freq == 2.4e9);
    BOOST_TEST(h.num_samples == 5u);
    BOOST_TEST(h.timestamp_ns == 0x0102030405060708ULL);
    BOOST_TEST(h.version == dp::version_v1);
}

BOOST_AUTO_TEST_CASE(validate_reasons)
{
    dp::header h;
    BOOST_TEST(dp::validate_frame(2, golden_cf64, 96, 80, h).ok());
    BOOST_TEST(dp::validate_frame(1, golden_cf64, 96, 0, h).reason == "wrong_part_count");
    BOOST_TEST(dp::validate_frame(3, golden_cf64, 96, 80, h).reason ==
               "wrong_part_count");
    BOOST_TEST(dp::validate_frame(2, golden_cf64, 64, 80, h).reason == "bad_header_size");
    BOOST_TEST(dp::validate_frame(2, golden_cf64, 97, 80, h).reason == "bad_header_size");
    BOOST_TEST(dp::validate_frame(2, golden_cf64, 96, 79, h).reason ==
               "payload_size_mismatch");
    BOOST_TEST(dp::validate_frame(2, golden_cf64, 96, 96, h).reason ==
               "payload_size_mismatch");
    BOOST_TEST(dp::validate_frame(2, golden_cf64, 96, 0, h).reason ==
               "payload_size_mismatch");

    uint8_t bad[96];
    std::memcpy(bad, golden_cf64, 96);
    bad[0] = 0x54;
    BOOST_TEST(dp::validate_frame(2, bad, 96, 80, h).reason == "bad_magic");
    std::memcpy(bad, golden_cf64, 96);
    bad[16] = 2; // CF128
    BOOST_TEST(dp::validate_frame(2, bad, 96, 160, h).reason == "unsupported_type_cf128");
    bad[16] = 6;
    BOOST_TEST(dp::validate_frame(2, bad, 96, 80, h).reason == "unknown_type");
}

BOOST_AUTO_TEST_CASE(huge_num_samples_does_not_overflow)
{
    uint8_t bad[96];
    std::memcpy(bad, golden_cf64, 96);
    // num_samples = 2^60: num_samples * 16 overflows 64 bits to 0
    std::memset(bad + 56, 0, 8);
    bad[63] = 0x10;
    dp::header h;
    BOOST_TEST(dp::validate_frame(2, bad, 96, 0, h).reason == "payload_size_mismatch");
}

BOOST_AUTO_TEST_CASE(type_names)
{
    BOOST_TEST(dp::bytes_per_sample(5) == 8u);
    BOOST_TEST(dp::bytes_per_sample(3) == 2u);
    BOOST_TEST(dp::bytes_per_sample(4) == 4u);
    BOOST_TEST(dp::bytes_per_sample(0) == 8u);
    BOOST_TEST(dp::bytes_per_sample(1) == 16u);
    BOOST_TEST(dp::bytes_per_sample(9) == 0u);
    BOOST_TEST(static_cast<int>(dp::parse_type_name("CF32")) == 5);
    BOOST_CHECK_THROW(dp::parse_type_name("cf128"), std::invalid_argument);
    BOOST_CHECK_THROW(dp::parse_type_name("float"), std::invalid_argument);
}
