/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

// Unit tests of the TiA 1.0 codecs: control framing and replies, meta-info XML,
// packet v3. Golden bytes are taken from shared/specs/tia-protocol.md (§2.3, §4.1, §5.2).

#define BOOST_TEST_MODULE tia_codec
#include <boost/test/included/unit_test.hpp>

#include "../../lib/tia/tia_control_parser.h"
#include "../../lib/tia/tia_metainfo.h"
#include "../../lib/tia/tia_packet_codec.h"

#include <cstdint>
#include <string>
#include <vector>

using namespace gr::netstream::tia;
using gr::netstream::parse_error;
using namespace std::string_literals;

namespace {

// ---------------------------------------------------------------- helpers

struct parsed {
    std::vector<control_message> messages;
    parse_error error;
};

//! Feed \p input in chunks of \p chunk bytes and drain the parser after each chunk.
parsed parse_all(const std::string& input,
                 std::size_t chunk,
                 control_parser_limits limits = control_parser_limits{})
{
    control_parser parser(limits);
    parsed result;
    for (std::size_t pos = 0; pos < input.size(); pos += chunk) {
        parser.feed(std::string_view(input).substr(pos, chunk));
        control_message message;
        for (;;) {
            const auto status = parser.next(message, result.error);
            if (status == control_parse_status::message) {
                result.messages.push_back(message);
            } else {
                break;
            }
        }
        if (!result.error.ok()) {
            break;
        }
    }
    return result;
}

std::string parse_error_reason(const std::string& input,
                               control_parser_limits limits = {})
{
    return parse_all(input, input.size() ? input.size() : 1, limits).error.reason;
}

const std::string example_requests = "TiA 1.0\nCheckProtocolVersion\n\n"
                                     "TiA 1.0\nGetMetaInfo\n\n"
                                     "TiA 1.0\nGetDataConnection: TCP\n\n"
                                     "TiA 1.0\nStartDataTransmission\n\n"
                                     "TiA 1.0\nFooBar\n\n";

const std::string example_xml =
    "<tiaMetaInfo version=\"1.0\">\n"
    "<subject id=\"S01\" firstName=\"Jane\" surname=\"Doe\"/>\n"
    "<masterSignal samplingRate=\"512\" blockSize=\"8\"/>\n"
    "<signal type=\"eeg\" samplingRate=\"512\" blockSize=\"8\" numChannels=\"2\">\n"
    "<channel nr=\"1\" label=\"C3\"/>\n"
    "<channel nr=\"2\" label=\"C4\"/>\n"
    "</signal>\n"
    "<signal type=\"user1\" samplingRate=\"64\" blockSize=\"1\" numChannels=\"1\">\n"
    "<channel nr=\"1\" label=\"trigger\"/>\n"
    "</signal>\n"
    "</tiaMetaInfo>\n";

meta_info example_model()
{
    meta_info info;
    info.subject.id = "S01";
    info.subject.first_name = "Jane";
    info.subject.surname = "Doe";
    info.master_sampling_rate = 512;
    info.master_block_size = 8;
    signal_info user1;
    user1.flag = 0x10000;
    user1.sampling_rate = 64;
    user1.block_size = 1;
    user1.num_channels = 1;
    user1.channel_labels = { "trigger" };
    signal_info eeg;
    eeg.flag = 0x1;
    eeg.sampling_rate = 512;
    eeg.block_size = 8;
    eeg.num_channels = 2;
    eeg.channel_labels = { "C3", "C4" };
    info.signals = { user1, eeg }; // deliberately not in flag order
    return info;
}

// Spec §5.2 annotated example, 69 bytes.
const std::vector<std::uint8_t> example_packet_bytes = {
    0x03, 0x45, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x42, 0x0f,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01, 0x00, 0x02, 0x00, 0x03, 0x00, 0x00,
    0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0x40, 0x40, 0x00, 0x00, 0x80,
    0x40, 0x00, 0x00, 0x80, 0xbf, 0x00, 0x00, 0x00, 0x3f, 0x00, 0x00, 0x80, 0x3e,
};

packet example_packet()
{
    packet p;
    p.packet_id = 5;
    p.connection_packet_number = 2;
    p.timestamp_us = 1000000;
    p.signals.push_back(
        { { 0x10000, 1, 3 }, { -1.0f, 0.5f, 0.25f } }); // user1 first on input
    p.signals.push_back({ { 0x1, 2, 2 }, { 1.0f, 2.0f, 3.0f, 4.0f } });
    return p;
}

std::string decode_reason(std::vector<std::uint8_t> bytes)
{
    packet p;
    return decode_packet(bytes.data(), bytes.size(), p).reason;
}

} // namespace

// ================================================================ control parser

BOOST_AUTO_TEST_SUITE(control_parser_suite)

BOOST_AUTO_TEST_CASE(example_exchange_parses_in_one_chunk_and_byte_by_byte)
{
    for (const std::size_t chunk :
         { example_requests.size(), std::size_t{ 1 }, std::size_t{ 7 } }) {
        const auto result = parse_all(example_requests, chunk);
        BOOST_TEST_INFO("chunk " << chunk);
        BOOST_TEST(result.error.ok());
        BOOST_REQUIRE_EQUAL(result.messages.size(), 5u);
        BOOST_TEST(result.messages[0].name == "CheckProtocolVersion");
        BOOST_TEST(!result.messages[0].has_parameter);
        BOOST_TEST(result.messages[1].name == "GetMetaInfo");
        BOOST_TEST(result.messages[2].name == "GetDataConnection");
        BOOST_TEST(result.messages[2].has_parameter);
        BOOST_TEST(result.messages[2].parameter == "TCP");
        BOOST_TEST(result.messages[3].name == "StartDataTransmission");
        BOOST_TEST(result.messages[4].name == "FooBar");
        BOOST_TEST(
            (command_from_name(result.messages[4].name) == control_command::unknown));
    }
}

BOOST_AUTO_TEST_CASE(need_more_until_request_is_complete)
{
    control_parser parser;
    control_message message;
    parse_error error;
    parser.feed("TiA 1.0\nCheckProto");
    BOOST_TEST((parser.next(message, error) == control_parse_status::need_more));
    parser.feed("colVersion\n");
    BOOST_TEST((parser.next(message, error) == control_parse_status::need_more));
    parser.feed("\nTiA 1.0\n");
    BOOST_TEST((parser.next(message, error) == control_parse_status::message));
    BOOST_TEST(message.name == "CheckProtocolVersion");
    BOOST_TEST((parser.next(message, error) == control_parse_status::need_more));
    BOOST_TEST(parser.buffered_bytes() == 0u); // consumed lines are not kept
}

BOOST_AUTO_TEST_CASE(crlf_trailing_spaces_and_stray_blank_lines_are_tolerated)
{
    const auto result = parse_all("\r\n\nTiA 1.0 \r\nCheckProtocolVersion\r\n\r\n"
                                  "  TiA 1.0\nGetDataConnection:UDP \n \n",
                                  3);
    BOOST_TEST(result.error.ok());
    BOOST_REQUIRE_EQUAL(result.messages.size(), 2u);
    BOOST_TEST(result.messages[0].name == "CheckProtocolVersion");
    BOOST_TEST(result.messages[1].parameter == "UDP");
    BOOST_TEST(
        (transport_from_parameter(result.messages[1].parameter) == data_transport::udp));
}

BOOST_AUTO_TEST_CASE(command_part_is_not_trimmed_like_libtia)
{
    const auto result = parse_all("TiA 1.0\nGetDataConnection : TCP\n\n", 64);
    BOOST_REQUIRE_EQUAL(result.messages.size(), 1u);
    BOOST_TEST(result.messages[0].name == "GetDataConnection ");
    BOOST_TEST((command_from_name(result.messages[0].name) == control_command::unknown));
    BOOST_TEST(result.messages[0].parameter == "TCP");
}

BOOST_AUTO_TEST_CASE(body_of_unknown_command_is_consumed_and_next_request_parses)
{
    const std::string body = "<tiaCustomSignalInfo>\n\n</tiaCustomSignalInfo>";
    const std::string input =
        "TiA 1.0\nSetCustomSignalInfo\nContent-Length: " + std::to_string(body.size()) +
        " \n\n" + body + "TiA 1.0\nGetMetaInfo\n\n";
    for (const std::size_t chunk : { input.size(), std::size_t{ 1 }, std::size_t{ 5 } }) {
        const auto result = parse_all(input, chunk);
        BOOST_TEST(result.error.ok());
        BOOST_REQUIRE_EQUAL(result.messages.size(), 2u);
        BOOST_TEST(result.messages[0].has_content_length);
        BOOST_TEST(result.messages[0].body == body);
        BOOST_TEST(result.messages[1].name == "GetMetaInfo");
        BOOST_TEST(result.messages[1].body.empty());
    }
}

BOOST_AUTO_TEST_CASE(zero_content_length_and_lone_cr_blank_line)
{
    const auto result = parse_all(
        "TiA 1.0\nX\nContent-Length:0\r\n\r\nTiA 1.0\nY\nContent-Length:0\n\n", 2);
    BOOST_TEST(result.error.ok());
    BOOST_REQUIRE_EQUAL(result.messages.size(), 2u);
    BOOST_TEST(result.messages[0].has_content_length);
    BOOST_TEST(result.messages[0].body.empty());
    BOOST_TEST(result.messages[1].name == "Y");
}

BOOST_AUTO_TEST_CASE(replies_parse_with_the_same_framing)
{
    const std::string xml = write_meta_info_xml(example_model());
    const std::string stream = encode_ok_reply() + encode_meta_info_reply(xml) +
                               encode_data_connection_port_reply(40417) +
                               encode_error_reply();
    const auto result = parse_all(stream, 13);
    BOOST_TEST(result.error.ok());
    BOOST_REQUIRE_EQUAL(result.messages.size(), 4u);
    BOOST_TEST(result.messages[0].name == "OK");
    BOOST_TEST(result.messages[1].name == "MetaInfo");
    BOOST_TEST(result.messages[1].body == xml);
    BOOST_TEST(result.messages[2].name == "DataConnectionPort");
    BOOST_TEST(result.messages[2].parameter == "40417");
    BOOST_TEST(result.messages[3].name == "Error");
}

BOOST_AUTO_TEST_CASE(error_reasons)
{
    control_parser_limits small;
    small.max_line_bytes = 32;
    small.max_content_length = 100;
    BOOST_TEST(parse_error_reason(std::string(40, 'A') + "\n", small) == "line_too_long");
    BOOST_TEST(parse_error_reason(std::string(40, 'A'), small) ==
               "line_too_long"); // no LF yet
    BOOST_TEST(parse_error_reason("TiA 1.0\nCheck\0Version\n\n"s) ==
               "invalid_characters");
    BOOST_TEST(parse_error_reason("TiA 2.0\nCheckProtocolVersion\n\n") == "bad_version");
    BOOST_TEST(parse_error_reason("GET / HTTP/1.1\r\nHost: x\r\n\r\n") == "bad_version");
    BOOST_TEST(parse_error_reason("\x89PNG\r\n\x1a\n"s) == "bad_version");
    BOOST_TEST(parse_error_reason("TiA 1.0\n \n\n") == "empty_command");
    BOOST_TEST(parse_error_reason("TiA 1.0\nGetMetaInfo\nHost: x\n\n") ==
               "bad_header_line");
    BOOST_TEST(parse_error_reason("TiA 1.0\nGetMetaInfo\ncontent-length:1\n\nx") ==
               "bad_header_line"); // tokens are case-sensitive
    BOOST_TEST(parse_error_reason("TiA 1.0\nX\nContent-Length:abc\n\n") ==
               "bad_content_length");
    BOOST_TEST(parse_error_reason("TiA 1.0\nX\nContent-Length:-1\n\n") ==
               "bad_content_length");
    BOOST_TEST(parse_error_reason("TiA 1.0\nX\nContent-Length:\n\n") ==
               "bad_content_length");
    BOOST_TEST(
        parse_error_reason("TiA 1.0\nX\nContent-Length:99999999999999999999999\n\n") ==
        "bad_content_length");
    BOOST_TEST(parse_error_reason("TiA 1.0\nX\nContent-Length:101\n\n", small) ==
               "content_length_too_large");
    BOOST_TEST(parse_error_reason("TiA 1.0\nX\nContent-Length:1048577\n\n") ==
               "content_length_too_large"); // default cap 1 MiB
    BOOST_TEST(parse_error_reason("TiA 1.0\nX\nContent-Length:3\nabc\n") ==
               "missing_blank_line");
    BOOST_TEST(parse_error_reason("TiA 1.0\nX\nContent-Length:3\n \nabc") ==
               "missing_blank_line");
}

BOOST_AUTO_TEST_CASE(errors_are_sticky_and_memory_stays_bounded)
{
    control_parser parser;
    control_message message;
    parse_error error;
    const std::string chunk(4096, 'x'); // no newline at all
    control_parse_status status = control_parse_status::need_more;
    std::size_t fed = 0;
    while (status == control_parse_status::need_more && fed < (1u << 20)) {
        parser.feed(chunk);
        fed += chunk.size();
        BOOST_TEST(parser.buffered_bytes() <= 1024u + chunk.size());
        status = parser.next(message, error);
    }
    BOOST_TEST((status == control_parse_status::error));
    BOOST_TEST(error.reason == "line_too_long");
    BOOST_TEST(fed <= 2 * chunk.size());
    parser.feed("TiA 1.0\nCheckProtocolVersion\n\n");
    BOOST_TEST(parser.buffered_bytes() == 0u);
    parse_error again;
    BOOST_TEST((parser.next(message, again) == control_parse_status::error));
    BOOST_TEST(again.reason == "line_too_long");
    parser.reset();
    parser.feed("TiA 1.0\nCheckProtocolVersion\n\n");
    BOOST_TEST((parser.next(message, error) == control_parse_status::message));
}

BOOST_AUTO_TEST_CASE(huge_content_length_is_rejected_before_any_body_is_buffered)
{
    control_parser parser;
    control_message message;
    parse_error error;
    parser.feed("TiA 1.0\nGetMetaInfo\nContent-Length:4294967296\n\n");
    BOOST_TEST((parser.next(message, error) == control_parse_status::error));
    BOOST_TEST(error.reason == "content_length_too_large");
    BOOST_TEST(!error.detail.empty());
}

BOOST_AUTO_TEST_SUITE_END()

// ================================================================ reply encoders

BOOST_AUTO_TEST_SUITE(reply_encoders)

BOOST_AUTO_TEST_CASE(golden_replies_from_spec_2_3)
{
    BOOST_TEST(encode_ok_reply() == "TiA 1.0\nOK\n\n");
    BOOST_TEST(encode_error_reply() == "TiA 1.0\nError\n\n");
    BOOST_TEST(encode_data_connection_port_reply(40417) ==
               "TiA 1.0\nDataConnectionPort:40417\n\n");
    BOOST_TEST(encode_server_state_connection_port_reply(9001) ==
               "TiA 1.0\nServerStateConnectionPort:9001\n\n");
    BOOST_TEST(encode_server_state_running() == "TiA 1.0\nServerStateRunning\n\n");
    BOOST_TEST(encode_server_state_shutdown() == "TiA 1.0\nServerStateShutdown\n\n");
    BOOST_TEST(encode_error_reply("Target and remote subnet do not match!") ==
               "TiA 1.0\nError -- Target and remote subnet do not match!\n\n");
    BOOST_TEST(encode_error_reply("a\nb:c") == "TiA 1.0\nError -- a b c\n\n");
}

BOOST_AUTO_TEST_CASE(meta_info_reply_counts_utf8_bytes)
{
    BOOST_TEST(encode_meta_info_reply(example_xml) ==
               "TiA 1.0\nMetaInfo\nContent-Length:394\n\n" + example_xml);
    const std::string utf8 = "<x label=\"\xC3\xA9\"/>"; // é = 2 bytes, 1 character
    BOOST_TEST(encode_meta_info_reply(utf8) ==
               "TiA 1.0\nMetaInfo\nContent-Length:" + std::to_string(utf8.size()) +
                   "\n\n" + utf8);
    BOOST_TEST(utf8.size() == 15u); // 14 characters
}

BOOST_AUTO_TEST_CASE(requests_and_command_names)
{
    BOOST_TEST(encode_request(control_command::check_protocol_version) ==
               "TiA 1.0\nCheckProtocolVersion\n\n");
    BOOST_TEST(encode_request(control_command::get_data_connection, "TCP") ==
               "TiA 1.0\nGetDataConnection:TCP\n\n");
    BOOST_TEST(encode_request("FooBar") == "TiA 1.0\nFooBar\n\n");
    for (const auto command : { control_command::check_protocol_version,
                                control_command::get_meta_info,
                                control_command::get_data_connection,
                                control_command::start_data_transmission,
                                control_command::stop_data_transmission,
                                control_command::get_server_state_connection }) {
        BOOST_TEST((command_from_name(command_name(command)) == command));
    }
    BOOST_TEST((command_from_name("getmetainfo") == control_command::unknown));
    BOOST_TEST((transport_from_parameter("TCP") == data_transport::tcp));
    BOOST_TEST((transport_from_parameter("tcp") == data_transport::invalid));
    BOOST_TEST((transport_from_parameter("") == data_transport::invalid));
}

BOOST_AUTO_TEST_SUITE_END()

// ================================================================ meta-info

BOOST_AUTO_TEST_SUITE(meta_info_suite)

BOOST_AUTO_TEST_CASE(signal_type_table_matches_spec)
{
    const std::vector<std::pair<std::string, std::uint32_t>> expected = {
        { "eeg", 0x1 },
        { "emg", 0x2 },
        { "eog", 0x4 },
        { "ecg", 0x8 },
        { "hr", 0x10 },
        { "bp", 0x20 },
        { "button", 0x40 },
        { "joystick", 0x80 },
        { "sensor", 0x100 },
        { "nirs", 0x200 },
        { "fmri", 0x400 },
        { "mouse", 0x800 },
        { "mouse-button", 0x1000 },
        { "user1", 0x10000 },
        { "user2", 0x20000 },
        { "user3", 0x40000 },
        { "user4", 0x80000 },
        { "undefined", 0x100000 },
        { "event", 0x200000 },
    };
    BOOST_REQUIRE_EQUAL(signal_types().size(), expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        BOOST_TEST(std::string(signal_types()[i].name) == expected[i].first);
        BOOST_TEST(signal_types()[i].flag == expected[i].second);
        BOOST_TEST(flag_for_type_name(expected[i].first) == expected[i].second);
        BOOST_TEST(std::string(type_name_for_flag(expected[i].second)) ==
                   expected[i].first);
        BOOST_TEST(is_valid_signal_flag(expected[i].second));
    }
    BOOST_TEST(flag_for_type_name("axis") == 0x80u);
    BOOST_TEST(flag_for_type_name("sensors") == 0x100u);
    BOOST_TEST(flag_for_type_name("user_1") == 0x10000u);
    BOOST_TEST(flag_for_type_name("user_4") == 0x80000u);
    BOOST_TEST(flag_for_type_name("EEG") == 0u);
    BOOST_TEST(!is_valid_signal_flag(0));
    BOOST_TEST(!is_valid_signal_flag(0x3));      // two bits
    BOOST_TEST(!is_valid_signal_flag(0x2000));   // bit 13 unused
    BOOST_TEST(!is_valid_signal_flag(0x400000)); // bit 22 reserved
    BOOST_TEST(defined_flags_mask() == 0x003F1FFFu);
}

BOOST_AUTO_TEST_CASE(writer_reproduces_spec_example_byte_for_byte)
{
    const meta_info info = example_model();
    BOOST_TEST(validate_meta_info(info).ok());
    const std::string xml = write_meta_info_xml(info);
    BOOST_TEST(xml == example_xml);
    BOOST_TEST(xml.size() == 394u);
}

BOOST_AUTO_TEST_CASE(writer_escapes_and_sanitises)
{
    meta_info info;
    info.master_sampling_rate = 100;
    info.subject.id = "a&b";
    info.subject.surname = "O'Neil \"x\" <y>";
    signal_info signal;
    signal.flag = 0x1;
    signal.sampling_rate = 100;
    signal.num_channels = 3;
    signal.channel_labels = { "C\xC3\xA9", "bad\xFF\x01utf\ttab\nnl", "" };
    info.signals = { signal };
    const std::string xml = write_meta_info_xml(info);
    BOOST_TEST(xml.find("id=\"a&amp;b\"") != std::string::npos);
    BOOST_TEST(xml.find("surname=\"O&apos;Neil &quot;x&quot; &lt;y&gt;\"") !=
               std::string::npos);
    BOOST_TEST(xml.find("label=\"C\xC3\xA9\"") != std::string::npos);
    BOOST_TEST(xml.find("label=\"bad\xEF\xBF\xBD\xEF\xBF\xBDutf&#9;tab&#10;nl\"") !=
               std::string::npos);
    BOOST_TEST(xml.find("<channel nr=\"3\" label=\"ch3\"/>") != std::string::npos);
    BOOST_TEST(xml.find("firstName") == std::string::npos); // empty attribute left out

    meta_info parsed_info;
    BOOST_REQUIRE(parse_meta_info_xml(xml, parsed_info).ok());
    BOOST_TEST(parsed_info.subject.id == "a&b");
    BOOST_TEST(parsed_info.subject.surname == "O'Neil \"x\" <y>");
    BOOST_REQUIRE_EQUAL(parsed_info.signals.size(), 1u);
    BOOST_TEST(parsed_info.signals[0].channel_labels[0] == "C\xC3\xA9");
    BOOST_TEST(parsed_info.signals[0].channel_labels[1] ==
               "bad\xEF\xBF\xBD\xEF\xBF\xBDutf\ttab\nnl");
}

BOOST_AUTO_TEST_CASE(parser_reads_spec_example)
{
    meta_info info;
    const auto error = parse_meta_info_xml(example_xml, info);
    BOOST_TEST(error.ok(), error.detail);
    BOOST_TEST(info.subject.id == "S01");
    BOOST_TEST(info.subject.first_name == "Jane");
    BOOST_TEST(info.subject.surname == "Doe");
    BOOST_TEST(info.has_master);
    BOOST_TEST(info.master_sampling_rate == 512u);
    BOOST_TEST(info.master_block_size == 8u);
    BOOST_REQUIRE_EQUAL(info.signals.size(), 2u);
    BOOST_TEST(info.signals[0].flag == 0x1u);
    BOOST_TEST(info.signals[0].num_channels == 2u);
    BOOST_TEST(info.signals[0].block_size == 8u);
    BOOST_TEST(info.signals[0].channel_labels ==
               std::vector<std::string>({ "C3", "C4" }));
    BOOST_TEST(info.signals[1].flag == 0x10000u);
    BOOST_TEST(info.signals[1].type_name == "user1");
    BOOST_TEST(info.signals[1].sampling_rate == 64u);
    BOOST_TEST(write_meta_info_xml(info) == example_xml); // round trip
}

BOOST_AUTO_TEST_CASE(parser_reads_pytia_and_libtia_spellings)
{
    // Shape emitted by pytia 0.1.0: master first, user_N/sensors names, body ends "\n\n".
    const std::string pytia_xml =
        "<tiaMetaInfo version=\"1.0\">\n"
        "<subject id=\"subject0\" firstName=\"ABC\" surname=\"DEF\"/>\n"
        "<masterSignal samplingRate=\"312\" blockSize=\"32\"/>\n"
        "<signal type=\"sensors\" samplingRate=\"312\" blockSize=\"32\" "
        "numChannels=\"2\">\n"
        "<channel nr=\"1\" label=\"channel1\"/>\n<channel nr=\"2\" label=\"channel2\"/>\n"
        "</signal>\n"
        "<signal type=\"user_1\" samplingRate=\"312\" blockSize=\"32\" "
        "numChannels=\"1\">\n"
        "<channel nr=\"1\" label=\"channel1\"/>\n"
        "</signal>\n"
        "</tiaMetaInfo>\n\n";
    meta_info info;
    BOOST_REQUIRE(parse_meta_info_xml(pytia_xml, info).ok());
    BOOST_REQUIRE_EQUAL(info.signals.size(), 2u);
    BOOST_TEST(info.signals[0].flag == 0x100u);
    BOOST_TEST(info.signals[1].flag == 0x10000u);

    const std::string libtia_xml =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
        "<tiaMetaInfo version=\"1.0\"><subject id=\"x\"/>"
        "<masterSignal samplingRate=\"50\" blockSize=\"1\"/>"
        "<signal type=\"axis\" samplingRate=\"50\" blockSize=\"1\" "
        "numChannels=\"2\"><channel nr=\"2\" label=\"y\"/></signal>"
        "<futureElement/></tiaMetaInfo>";
    BOOST_REQUIRE(parse_meta_info_xml(libtia_xml, info).ok());
    BOOST_REQUIRE_EQUAL(info.signals.size(), 1u);
    BOOST_TEST(info.signals[0].flag == 0x80u);
    BOOST_TEST(info.signals[0].channel_labels == std::vector<std::string>({ "", "y" }));
}

BOOST_AUTO_TEST_CASE(parser_error_reasons)
{
    const auto reason = [](const std::string& xml) {
        meta_info info;
        return parse_meta_info_xml(xml, info).reason;
    };
    const std::string head = "<tiaMetaInfo version=\"1.0\">";
    const std::string tail = "</tiaMetaInfo>";
    BOOST_TEST(reason("") == "xml_syntax");
    BOOST_TEST(reason(head + "<signal") == "xml_syntax");
    BOOST_TEST(reason(head + tail + "<tiaMetaInfo/>") == "xml_syntax"); // second root
    BOOST_TEST(reason("<!DOCTYPE lolz [<!ENTITY lol \"lol\">]>" + head + tail) ==
               "doctype_not_allowed");
    BOOST_TEST(reason("<tiaInfo/>") == "bad_root");
    BOOST_TEST(reason("<tiaMetaInfo version=\"2.0\"/>") == "bad_version");
    BOOST_TEST(reason(head + "<signal type=\"eeg\" samplingRate=\"1\" blockSize=\"1\"/>" +
                      tail) == "missing_attribute");
    BOOST_TEST(reason(head +
                      "<signal samplingRate=\"1\" blockSize=\"1\" numChannels=\"1\"/>" +
                      tail) == "missing_attribute");
    BOOST_TEST(reason(head + "<masterSignal samplingRate=\"1\"/>" + tail) ==
               "missing_attribute");
    BOOST_TEST(
        reason(
            head +
            "<signal type=\"eeg\" sampleRate=\"1\" blockSize=\"1\" numChannels=\"1\"/>" +
            tail) == "missing_attribute"); // the doc's sampleRate spelling
    BOOST_TEST(reason(head +
                      "<signal type=\"eeg\" samplingRate=\"512.5\" blockSize=\"1\" "
                      "numChannels=\"1\"/>" +
                      tail) == "bad_number");
    BOOST_TEST(reason(head +
                      "<signal type=\"eeg\" samplingRate=\"1\" blockSize=\"70000\" "
                      "numChannels=\"1\"/>" +
                      tail) == "bad_number");
    BOOST_TEST(reason(head +
                      "<signal type=\"eeg\" samplingRate=\"1\" blockSize=\"1\" "
                      "numChannels=\"0\"/>" +
                      tail) == "bad_number");
    BOOST_TEST(reason(head +
                      "<signal type=\"brainwaves\" samplingRate=\"1\" blockSize=\"1\" "
                      "numChannels=\"1\"/>" +
                      tail) == "unknown_signal_type");
    const std::string eeg =
        "<signal type=\"eeg\" samplingRate=\"1\" blockSize=\"1\" numChannels=\"2\">";
    BOOST_TEST(reason(head + eeg + "</signal>" + eeg + "</signal>" + tail) ==
               "duplicate_signal_type");
    BOOST_TEST(reason(head + eeg + "<channel nr=\"3\" label=\"x\"/></signal>" + tail) ==
               "bad_channel_number");
    BOOST_TEST(reason(head + eeg + "<channel nr=\"0\" label=\"x\"/></signal>" + tail) ==
               "bad_channel_number");
    BOOST_TEST(reason(head + eeg + "<channel nr=\"1\"/></signal>" + tail) ==
               "missing_attribute");
}

BOOST_AUTO_TEST_CASE(validate_reasons)
{
    meta_info info = example_model();
    BOOST_TEST(validate_meta_info(info).ok());
    meta_info bad = info;
    bad.signals.clear();
    BOOST_TEST(validate_meta_info(bad).reason == "no_signals");
    bad = info;
    bad.signals[0].flag = 0x3;
    BOOST_TEST(validate_meta_info(bad).reason == "invalid_signal_type");
    bad = info;
    bad.signals[0].flag = bad.signals[1].flag;
    BOOST_TEST(validate_meta_info(bad).reason == "duplicate_signal_type");
    bad = info;
    bad.signals[0].num_channels = 0;
    bad.signals[0].channel_labels.clear();
    BOOST_TEST(validate_meta_info(bad).reason == "zero_channels");
    bad = info;
    bad.signals[0].block_size = 0;
    BOOST_TEST(validate_meta_info(bad).reason == "zero_block_size");
    bad = info;
    bad.signals[0].channel_labels.push_back("extra");
    BOOST_TEST(validate_meta_info(bad).reason == "too_many_labels");
    bad = info;
    bad.master_block_size = 0;
    BOOST_TEST(validate_meta_info(bad).reason == "zero_master_block_size");
}

BOOST_AUTO_TEST_SUITE_END()

// ================================================================ packet codec

BOOST_AUTO_TEST_SUITE(packet_codec)

BOOST_AUTO_TEST_CASE(encoder_reproduces_spec_example_5_2)
{
    std::vector<std::uint8_t> bytes;
    BOOST_REQUIRE(encode_packet(example_packet(), bytes).ok());
    BOOST_TEST(bytes == example_packet_bytes, boost::test_tools::per_element());
    BOOST_TEST(packet_size_for({ { 0x1, 2, 2 }, { 0x10000, 1, 3 } }) == 69u);
}

BOOST_AUTO_TEST_CASE(decoder_reads_spec_example_5_2)
{
    packet p;
    const auto error =
        decode_packet(example_packet_bytes.data(), example_packet_bytes.size(), p);
    BOOST_REQUIRE_MESSAGE(error.ok(), error.detail);
    BOOST_TEST(p.packet_id == 5u);
    BOOST_TEST(p.connection_packet_number == 2u);
    BOOST_TEST(p.timestamp_us == 1000000u);
    BOOST_REQUIRE_EQUAL(p.signals.size(), 2u);
    BOOST_TEST(p.signals[0].shape.flag == 0x1u);
    BOOST_TEST(p.signals[0].shape.num_channels == 2u);
    BOOST_TEST(p.signals[0].shape.block_size == 2u);
    BOOST_TEST(p.signals[0].samples == std::vector<float>({ 1.0f, 2.0f, 3.0f, 4.0f }),
               boost::test_tools::per_element());
    BOOST_TEST(p.signals[1].shape.flag == 0x10000u);
    BOOST_TEST(p.signals[1].samples == std::vector<float>({ -1.0f, 0.5f, 0.25f }),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(round_trip_with_many_signals_and_large_values)
{
    packet p;
    p.packet_id = 0xFEDCBA9876543210ull;
    p.connection_packet_number = 0x0102030405060708ull;
    p.timestamp_us = UINT64_MAX;
    for (const std::uint32_t flag : { 0x200000u, 0x100u, 0x1u, 0x80000u }) {
        packet_signal s;
        s.shape = { flag, 3, 5 };
        for (int i = 0; i < 15; ++i) {
            s.samples.push_back(static_cast<float>(flag) + static_cast<float>(i) * 0.5f);
        }
        p.signals.push_back(s);
    }
    std::vector<std::uint8_t> bytes;
    BOOST_REQUIRE(encode_packet(p, bytes).ok());
    BOOST_TEST(bytes.size() == 33u + 16u + 4u * 60u);
    packet back;
    BOOST_REQUIRE(decode_packet(bytes.data(), bytes.size(), back).ok());
    BOOST_TEST(back.packet_id == p.packet_id);
    BOOST_TEST(back.connection_packet_number == p.connection_packet_number);
    BOOST_TEST(back.timestamp_us == p.timestamp_us);
    BOOST_REQUIRE_EQUAL(back.signals.size(), 4u);
    const std::uint32_t ascending[] = { 0x1u, 0x100u, 0x80000u, 0x200000u };
    for (std::size_t i = 0; i < 4; ++i) {
        BOOST_TEST(back.signals[i].shape.flag == ascending[i]);
        BOOST_TEST(back.signals[i].samples[14] ==
                   static_cast<float>(ascending[i]) + 7.0f);
    }
    set_connection_packet_number(bytes.data(), 77);
    BOOST_REQUIRE(decode_packet(bytes.data(), bytes.size(), back).ok());
    BOOST_TEST(back.connection_packet_number == 77u);
    BOOST_TEST(back.packet_id == p.packet_id);
}

BOOST_AUTO_TEST_CASE(encoder_error_reasons)
{
    std::vector<std::uint8_t> bytes{ 1, 2, 3 };
    packet p;
    BOOST_TEST(encode_packet(p, bytes).reason == "no_signals");
    BOOST_TEST(bytes.empty());
    p = example_packet();
    p.signals[0].samples.pop_back();
    BOOST_TEST(encode_packet(p, bytes).reason == "sample_count_mismatch");
    p = example_packet();
    p.signals[0].shape.flag = 0x1;
    BOOST_TEST(encode_packet(p, bytes).reason == "duplicate_signal_type");
    p = example_packet();
    p.signals[0].shape.flag = 0x4000;
    BOOST_TEST(encode_packet(p, bytes).reason == "invalid_signal_type");
    p = example_packet();
    p.signals[0].shape.num_channels = 0;
    p.signals[0].samples.clear();
    BOOST_TEST(encode_packet(p, bytes).reason == "empty_signal");
    BOOST_TEST(validate_signal_shapes({ { 0x1, 1000, 1000 } }, 1024).reason ==
               "packet_too_large");
}

BOOST_AUTO_TEST_CASE(decoder_error_reasons)
{
    const auto& good = example_packet_bytes;
    BOOST_TEST(decode_reason({}) == "truncated_header");
    BOOST_TEST(decode_reason({ good.begin(), good.begin() + 20 }) == "truncated_header");
    BOOST_TEST(decode_reason({ good.begin(), good.begin() + 35 }) == "truncated_header");
    BOOST_TEST(decode_reason({ good.begin(), good.end() - 1 }) == "truncated_packet");
    auto bytes = good;
    bytes.push_back(0);
    BOOST_TEST(decode_reason(bytes) == "trailing_bytes");
    bytes = good;
    bytes[0] = 2;
    BOOST_TEST(decode_reason(bytes) == "bad_version");
    bytes = good;
    bytes[1] = 32;
    BOOST_TEST(decode_reason(bytes) == "size_too_small");
    bytes = good;
    bytes[4] = 0x7f;
    BOOST_TEST(decode_reason(bytes) == "packet_too_large");
    bytes = good;
    bytes[1] = 0x49; // 73: size field disagrees with 33+4N+4V
    BOOST_TEST(decode_reason(bytes) == "size_mismatch");
    bytes = good;
    bytes[8] = 0x80; // bit 31
    BOOST_TEST(decode_reason(bytes) == "undefined_flag_bits");
    bytes = good;
    bytes[5] = 0;
    bytes[7] = 0;
    BOOST_TEST(decode_reason(bytes) == "no_signals");
    bytes = good;
    bytes[33] = 0; // eeg channels = 0
    BOOST_TEST(decode_reason(bytes) == "empty_signal");
    packet p;
    BOOST_TEST(decode_packet(good.data(), good.size(), p, 68).reason ==
               "packet_too_large");
}

BOOST_AUTO_TEST_SUITE_END()

// ================================================================ stream reassembler

BOOST_AUTO_TEST_SUITE(reassembler)

namespace {

struct drained {
    std::vector<std::vector<std::uint8_t>> packets;
    std::vector<std::string> garbage_reasons;
};

drained drain(packet_stream_reassembler& r)
{
    drained out;
    std::vector<std::uint8_t> bytes;
    parse_error error;
    for (;;) {
        const auto status = r.next(bytes, error);
        if (status == reassembly_status::packet) {
            out.packets.push_back(bytes);
        } else if (status == reassembly_status::garbage) {
            out.garbage_reasons.push_back(error.reason);
        } else {
            return out;
        }
    }
}

std::vector<std::uint8_t> packet_with_id(std::uint64_t id)
{
    packet p = example_packet();
    p.packet_id = id;
    std::vector<std::uint8_t> bytes;
    encode_packet(p, bytes);
    return bytes;
}

} // namespace

BOOST_AUTO_TEST_CASE(extracts_back_to_back_packets_from_any_fragmentation)
{
    std::vector<std::uint8_t> stream;
    for (std::uint64_t id = 0; id < 20; ++id) {
        const auto bytes = packet_with_id(id);
        stream.insert(stream.end(), bytes.begin(), bytes.end());
    }
    for (const std::size_t chunk : { std::size_t{ 1 },
                                     std::size_t{ 32 },
                                     std::size_t{ 69 },
                                     std::size_t{ 100 },
                                     stream.size() }) {
        packet_stream_reassembler r;
        std::vector<std::vector<std::uint8_t>> packets;
        for (std::size_t pos = 0; pos < stream.size(); pos += chunk) {
            r.feed(stream.data() + pos, std::min(chunk, stream.size() - pos));
            const auto out = drain(r);
            BOOST_TEST(out.garbage_reasons.empty());
            packets.insert(packets.end(), out.packets.begin(), out.packets.end());
        }
        BOOST_REQUIRE_EQUAL(packets.size(), 20u);
        for (std::uint64_t id = 0; id < 20; ++id) {
            BOOST_TEST(packets[id] == packet_with_id(id));
        }
        BOOST_TEST(r.buffered_bytes() == 0u);
        BOOST_TEST(r.packets() == 20u);
        BOOST_TEST(r.skipped_bytes() == 0u);
    }
}

BOOST_AUTO_TEST_CASE(resynchronises_after_garbage)
{
    std::vector<std::uint8_t> stream = { 'x', 'y', 0x03, 0xff, 0xff, 0xff, 0xff, 'z' };
    const auto first = packet_with_id(1);
    stream.insert(stream.end(), first.begin(), first.end());
    // a corrupted packet: valid start, wrong size field
    auto corrupt = packet_with_id(2);
    corrupt[1] = 0x49;
    stream.insert(stream.end(), corrupt.begin(), corrupt.end());
    const auto third = packet_with_id(3);
    stream.insert(stream.end(), third.begin(), third.end());

    packet_stream_reassembler r;
    r.feed(stream.data(), stream.size());
    const auto out = drain(r);
    BOOST_REQUIRE_EQUAL(out.packets.size(), 2u);
    BOOST_TEST(out.packets[0] == first);
    BOOST_TEST(out.packets[1] == third);
    BOOST_REQUIRE_EQUAL(out.garbage_reasons.size(), 2u);
    BOOST_TEST(out.garbage_reasons[0] == "bad_version");
    BOOST_TEST(out.garbage_reasons[1] == "size_mismatch");
    BOOST_TEST(r.skipped_bytes() == 8u + corrupt.size());
}

BOOST_AUTO_TEST_CASE(huge_size_field_does_not_make_it_wait_or_allocate)
{
    packet_stream_reassembler r(4096);
    std::vector<std::uint8_t> stream = { 0x03, 0x00, 0x00, 0x00, 0x40 }; // 1 GiB claim
    const auto good = packet_with_id(9);
    stream.insert(stream.end(), good.begin(), good.end());
    r.feed(stream.data(), stream.size());
    const auto out = drain(r);
    BOOST_REQUIRE_EQUAL(out.garbage_reasons.size(), 1u);
    BOOST_TEST(out.garbage_reasons[0] == "packet_too_large");
    BOOST_REQUIRE_EQUAL(out.packets.size(), 1u);
    BOOST_TEST(out.packets[0] == good);
}

BOOST_AUTO_TEST_CASE(every_decoded_packet_validates)
{
    // Pseudo-random garbage mixed with packets: whatever comes out must decode cleanly.
    std::uint32_t seed = 12345;
    const auto next_byte = [&seed]() {
        seed = seed * 1103515245u + 12345u;
        return static_cast<std::uint8_t>(seed >> 16);
    };
    std::vector<std::uint8_t> stream;
    for (int round = 0; round < 200; ++round) {
        for (int i = 0; i < 17; ++i) {
            stream.push_back(next_byte());
        }
        const auto bytes = packet_with_id(static_cast<std::uint64_t>(round));
        stream.insert(stream.end(), bytes.begin(), bytes.end());
    }
    packet_stream_reassembler r;
    std::size_t found = 0;
    for (std::size_t pos = 0; pos < stream.size(); pos += 97) {
        r.feed(stream.data() + pos, std::min<std::size_t>(97, stream.size() - pos));
        for (const auto& bytes : drain(r).packets) {
            packet p;
            BOOST_TEST(decode_packet(bytes.data(), bytes.size(), p).ok());
            ++found;
        }
    }
    BOOST_TEST(found >= 190u); // random bytes may occasionally swallow a packet
    BOOST_TEST(r.buffered_bytes() <= default_max_packet_bytes);
}

BOOST_AUTO_TEST_SUITE_END()
