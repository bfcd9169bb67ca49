/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

// Unit tests of the Rogue 4-part frame codec against the golden messages G1..G6
// (tests/fixtures/rogue/, recorded from Rogue v6.15.0) and every decode error.
//
// The fixture directory is taken from the environment variable
// NETSTREAM_ROGUE_FIXTURE_DIR, else from the macro NETSTREAM_ROGUE_FIXTURE_DIR,
// else from ../fixtures/rogue next to this source file.

#define BOOST_TEST_MODULE rogue_frame_codec
#include <boost/test/data/test_case.hpp>
#include <boost/test/included/unit_test.hpp>

#include "rogue/rogue_frame_codec.h"

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace rogue = gr::netstream::rogue;
namespace bdata = boost::unit_test::data;
using bytes = std::vector<std::uint8_t>;

namespace {

//! One golden message as stored in tests/fixtures/rogue/<name>.txt.
struct golden_message {
    std::string name;
    std::uint16_t flags = 0;
    std::uint8_t chan = 0;
    std::uint8_t err = 0;
    std::uint8_t fuser = 0;
    std::uint8_t luser = 0;
    std::size_t payload_size = 0;
    std::vector<bytes> parts;
};

std::filesystem::path fixture_dir()
{
    if (const char* from_env = std::getenv("NETSTREAM_ROGUE_FIXTURE_DIR")) {
        return from_env;
    }
#ifdef NETSTREAM_ROGUE_FIXTURE_DIR
    return NETSTREAM_ROGUE_FIXTURE_DIR;
#else
    return std::filesystem::path(__FILE__).parent_path() / ".." / "fixtures" / "rogue";
#endif
}

bytes from_hex(const std::string& hex)
{
    if (hex.size() % 2 != 0) {
        throw std::runtime_error("odd-length hex string in fixture");
    }
    bytes out;
    out.reserve(hex.size() / 2);
    for (std::size_t i = 0; i < hex.size(); i += 2) {
        out.push_back(
            static_cast<std::uint8_t>(std::stoul(hex.substr(i, 2), nullptr, 16)));
    }
    return out;
}

unsigned long parse_number(const std::string& text)
{
    return std::stoul(text, nullptr, 0); // accepts 0x.. and decimal
}

golden_message load_golden(const std::string& name)
{
    const std::filesystem::path path = fixture_dir() / (name + ".txt");
    std::ifstream in(path);
    if (!in) {
        throw std::runtime_error("cannot open fixture " + path.string());
    }
    golden_message g;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') {
            continue;
        }
        std::istringstream fields(line);
        std::string key;
        std::string value;
        fields >> key >> value;
        if (key == "name") {
            g.name = value;
        } else if (key == "flags") {
            g.flags = static_cast<std::uint16_t>(parse_number(value));
        } else if (key == "chan") {
            g.chan = static_cast<std::uint8_t>(parse_number(value));
        } else if (key == "err") {
            g.err = static_cast<std::uint8_t>(parse_number(value));
        } else if (key == "fuser") {
            g.fuser = static_cast<std::uint8_t>(parse_number(value));
        } else if (key == "luser") {
            g.luser = static_cast<std::uint8_t>(parse_number(value));
        } else if (key == "payload_size") {
            g.payload_size = parse_number(value);
        } else if (key == "part") {
            g.parts.push_back(from_hex(value));
        }
    }
    if (g.name != name || g.parts.size() != rogue::frame_part_count) {
        throw std::runtime_error("malformed fixture " + path.string());
    }
    return g;
}

std::vector<rogue::part_view> views_of(const std::vector<bytes>& parts)
{
    std::vector<rogue::part_view> views;
    for (const bytes& part : parts) {
        views.push_back(rogue::part_view{ part.data(), part.size() });
    }
    return views;
}

rogue::frame frame_of(const golden_message& g)
{
    rogue::frame f;
    f.flags = g.flags;
    f.chan = g.chan;
    f.err = g.err;
    f.payload = g.parts[rogue::payload_part_index];
    return f;
}

//! A valid message whose part `index` is replaced by `replacement`.
std::vector<bytes> valid_parts_with(std::size_t index, bytes replacement)
{
    std::vector<bytes> parts = { { 0x34, 0x12 }, { 0x07 }, { 0x80 }, { 'h', 'i' } };
    parts.at(index) = std::move(replacement);
    return parts;
}

//! Decodes into a sentinel frame; checks the reason and that the sentinel is untouched.
void check_rejected(const std::vector<bytes>& parts, const std::string& reason)
{
    rogue::frame out;
    out.flags = 0xBEEF;
    out.chan = 0x11;
    out.err = 0x22;
    out.payload = { 0x99 };
    const auto views = views_of(parts);
    const gr::netstream::parse_error error = rogue::decode(views, out);
    BOOST_TEST(!error.ok());
    BOOST_TEST(error.reason == reason);
    BOOST_TEST(!error.detail.empty());
    BOOST_TEST(out.flags == 0xBEEF);
    BOOST_TEST(out.chan == 0x11);
    BOOST_TEST(out.err == 0x22);
    BOOST_TEST(out.payload == bytes{ 0x99 });
}

const std::vector<std::string> golden_names = { "G1", "G2", "G3", "G4", "G5", "G6" };

} // namespace

BOOST_AUTO_TEST_SUITE(golden)

BOOST_DATA_TEST_CASE(encode_is_byte_exact, bdata::make(golden_names), name)
{
    const golden_message g = load_golden(name);
    rogue::wire_message wire;
    const auto error = rogue::encode(frame_of(g), wire);
    BOOST_TEST_REQUIRE(error.ok(), error.detail);
    for (std::size_t i = 0; i < rogue::frame_part_count; ++i) {
        BOOST_TEST_CONTEXT("part " << i)
        {
            BOOST_TEST(wire[i] == g.parts[i], boost::test_tools::per_element());
        }
    }
}

BOOST_DATA_TEST_CASE(encode_header_matches_header_parts, bdata::make(golden_names), name)
{
    const golden_message g = load_golden(name);
    const rogue::header_parts header = rogue::encode_header(g.flags, g.chan, g.err);
    BOOST_TEST(bytes(header.flags.begin(), header.flags.end()) == g.parts[0],
               boost::test_tools::per_element());
    BOOST_TEST(bytes(header.chan.begin(), header.chan.end()) == g.parts[1],
               boost::test_tools::per_element());
    BOOST_TEST(bytes(header.err.begin(), header.err.end()) == g.parts[2],
               boost::test_tools::per_element());
}

BOOST_DATA_TEST_CASE(decode_gives_recorded_fields, bdata::make(golden_names), name)
{
    const golden_message g = load_golden(name);
    rogue::frame f;
    const auto error = rogue::decode(views_of(g.parts), f);
    BOOST_TEST_REQUIRE(error.ok(), error.detail);
    BOOST_TEST(f.flags == g.flags);
    BOOST_TEST(f.chan == g.chan);
    BOOST_TEST(f.err == g.err);
    BOOST_TEST(rogue::first_user(f.flags) == g.fuser);
    BOOST_TEST(rogue::last_user(f.flags) == g.luser);
    BOOST_TEST(f.payload.size() == g.payload_size);
    BOOST_TEST(f.payload == g.parts[3], boost::test_tools::per_element());
}

BOOST_DATA_TEST_CASE(decode_view_points_into_the_payload_part,
                     bdata::make(golden_names),
                     name)
{
    const golden_message g = load_golden(name);
    const auto views = views_of(g.parts);
    rogue::frame_view f;
    const auto error = rogue::decode(views.data(), views.size(), f);
    BOOST_TEST_REQUIRE(error.ok(), error.detail);
    BOOST_TEST(f.flags == g.flags);
    BOOST_TEST(f.chan == g.chan);
    BOOST_TEST(f.err == g.err);
    BOOST_TEST(f.payload.data == g.parts[3].data()); // no copy
    BOOST_TEST(f.payload.size == g.payload_size);
}

BOOST_AUTO_TEST_CASE(recorded_values_the_spec_names)
{
    // Spot checks straight from the spec table, independent of the fixture fields.
    BOOST_TEST(load_golden("G2").parts[0] == (bytes{ 0x02, 0x01 }),
               boost::test_tools::per_element());
    BOOST_TEST(load_golden("G1").parts[3].size() == 1027u);
    BOOST_TEST(load_golden("G4").parts[3] ==
                   (bytes{ 'h', 'e', 'l', 'l', 'o', '-', 'r', 'o', 'g', 'u', 'e' }),
               boost::test_tools::per_element());
    BOOST_TEST(load_golden("G6").parts[0] == (bytes{ 0x00, 0xFF }),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(user_bytes)

BOOST_AUTO_TEST_CASE(first_and_last_user_split_the_flags)
{
    BOOST_TEST(rogue::first_user(0x1234) == 0x34);
    BOOST_TEST(rogue::last_user(0x1234) == 0x12);
    BOOST_TEST(rogue::first_user(0xFF00) == 0x00);
    BOOST_TEST(rogue::last_user(0xFF00) == 0xFF);
}

BOOST_AUTO_TEST_CASE(or_user_bytes_ors_like_rogue_setters)
{
    // G2: setFirstUser(0x02) then setLastUser(0x01) on a new frame gives 0x0102.
    BOOST_TEST(rogue::or_user_bytes(0, 0x02, 0x01) == 0x0102);
    // The setters OR and never clear bits.
    BOOST_TEST(rogue::or_user_bytes(0x0F0F, 0xF0, 0x00) == 0x0FFF);
    BOOST_TEST(rogue::or_user_bytes(0xFFFF, 0x00, 0x00) == 0xFFFF);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(round_trip)

BOOST_AUTO_TEST_CASE(every_header_value_survives)
{
    for (std::uint32_t flags = 0; flags <= 0xFFFF; flags += 0x0101) {
        for (std::uint32_t small = 0; small <= 0xFF; small += 0x33) {
            rogue::frame in;
            in.flags = static_cast<std::uint16_t>(flags);
            in.chan = static_cast<std::uint8_t>(small);
            in.err = static_cast<std::uint8_t>(0xFF - small);
            in.payload = { static_cast<std::uint8_t>(small) };
            rogue::wire_message wire;
            BOOST_TEST_REQUIRE(rogue::encode(in, wire).ok());
            const std::vector<bytes> parts(wire.begin(), wire.end());
            rogue::frame out;
            BOOST_TEST_REQUIRE(rogue::decode(views_of(parts), out).ok());
            BOOST_TEST(out.flags == in.flags);
            BOOST_TEST(out.chan == in.chan);
            BOOST_TEST(out.err == in.err);
            BOOST_TEST(out.payload == in.payload);
        }
    }
}

BOOST_AUTO_TEST_CASE(large_payload_is_carried_whole)
{
    rogue::frame in;
    in.payload.resize(4u << 20); // 4 MiB: the spec saw this work in both directions
    for (std::size_t i = 0; i < in.payload.size(); ++i) {
        in.payload[i] = static_cast<std::uint8_t>(i * 7u);
    }
    rogue::wire_message wire;
    BOOST_TEST_REQUIRE(rogue::encode(in, wire).ok());
    BOOST_TEST(wire[3].size() == in.payload.size());
    const std::vector<bytes> parts(wire.begin(), wire.end());
    rogue::frame out;
    BOOST_TEST_REQUIRE(rogue::decode(views_of(parts), out).ok());
    BOOST_TEST((out.payload == in.payload));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(encode_errors)

BOOST_AUTO_TEST_CASE(empty_payload_is_refused_and_nothing_written)
{
    rogue::frame empty;
    empty.chan = 2;
    rogue::wire_message wire;
    wire[0] = { 0xAA };
    const auto error = rogue::encode(empty, wire);
    BOOST_TEST(error.reason == "empty_payload");
    BOOST_TEST(!error.detail.empty());
    BOOST_TEST(wire[0] == bytes{ 0xAA });
    BOOST_TEST(wire[3].empty());
}

BOOST_AUTO_TEST_CASE(check_payload_size_limits)
{
    BOOST_TEST(rogue::check_payload_size(0).reason == "empty_payload");
    BOOST_TEST(rogue::check_payload_size(1).ok());
    BOOST_TEST(rogue::check_payload_size(0xFFFFFFFFull).ok());
    BOOST_TEST(rogue::check_payload_size(0x100000000ull).reason == "payload_too_large");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(decode_errors)

BOOST_AUTO_TEST_CASE(wrong_part_count)
{
    // A stock single-part ZMQ message, and G7's 3-part and 5-part messages.
    check_rejected({}, "wrong_part_count");
    check_rejected({ { 'x' } }, "wrong_part_count");
    check_rejected({ { 0x34, 0x12 }, { 0x07 }, { 0x80 } }, "wrong_part_count");
    check_rejected({ { 0x34, 0x12 }, { 0x07 }, { 0x80 }, { 'a' }, { 'b' } },
                   "wrong_part_count");
    // The part count is checked before any size.
    check_rejected({ { 1, 2, 3 }, {}, {} }, "wrong_part_count");
}

BOOST_AUTO_TEST_CASE(null_parts_pointer_counts_as_no_parts)
{
    rogue::frame_view out;
    const auto error = rogue::decode(nullptr, 4, out);
    BOOST_TEST(error.reason == "wrong_part_count");
}

BOOST_AUTO_TEST_CASE(bad_flags_size)
{
    check_rejected(valid_parts_with(0, { 0x34, 0x12, 0x00 }),
                   "bad_flags_size"); // G7's 3-byte flags
    check_rejected(valid_parts_with(0, { 0x34 }), "bad_flags_size");
    check_rejected(valid_parts_with(0, {}), "bad_flags_size");
}

BOOST_AUTO_TEST_CASE(bad_chan_size)
{
    check_rejected(valid_parts_with(1, {}), "bad_chan_size");
    check_rejected(valid_parts_with(1, { 0x07, 0x00 }), "bad_chan_size");
}

BOOST_AUTO_TEST_CASE(bad_err_size)
{
    check_rejected(valid_parts_with(2, {}), "bad_err_size");
    check_rejected(valid_parts_with(2, { 0x80, 0x00, 0x00, 0x00 }), "bad_err_size");
}

BOOST_AUTO_TEST_CASE(empty_payload)
{
    // G8: an empty data part (Rogue loses it and the next frame; we only reject it).
    check_rejected(valid_parts_with(3, {}), "empty_payload");
}

BOOST_AUTO_TEST_CASE(header_sizes_are_checked_in_wire_order)
{
    check_rejected({ { 1 }, {}, {}, {} }, "bad_flags_size");
    check_rejected({ { 1, 2 }, {}, {}, {} }, "bad_chan_size");
    check_rejected({ { 1, 2 }, { 3 }, {}, {} }, "bad_err_size");
}

BOOST_AUTO_TEST_CASE(payload_too_large)
{
    if constexpr (sizeof(std::size_t) > 4) {
        // The size is checked before the payload is touched, so no 4 GiB buffer is
        // needed.
        const std::uint8_t header[4] = { 0x01, 0x00, 0x02, 0x00 };
        const std::uint8_t one_byte = 0;
        const rogue::part_view parts[4] = {
            { header, 2 },
            { header + 2, 1 },
            { header + 3, 1 },
            { &one_byte, static_cast<std::size_t>(0x100000000ull) },
        };
        rogue::frame_view out;
        const auto error = rogue::decode(parts, 4, out);
        BOOST_TEST(error.reason == "payload_too_large");
        BOOST_TEST(out.payload.data == nullptr);
    }
}

BOOST_AUTO_TEST_SUITE_END()
