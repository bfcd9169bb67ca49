/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "tia_control_parser.h"

#include <array>
#include <utility>

namespace gr {
namespace netstream {
namespace tia {

namespace {

constexpr std::string_view content_length_key = "Content-Length";

bool is_trimmable(char c) { return c == ' ' || c == '\t' || c == '\r'; }

std::string_view trim(std::string_view text)
{
    while (!text.empty() && is_trimmable(text.front())) {
        text.remove_prefix(1);
    }
    while (!text.empty() && is_trimmable(text.back())) {
        text.remove_suffix(1);
    }
    return text;
}

//! True when \p text holds a control character other than TAB (after trimming).
bool has_control_characters(std::string_view text)
{
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if ((byte < 0x20 && byte != '\t') || byte == 0x7f) {
            return true;
        }
    }
    return false;
}

//! Parse an unsigned decimal with overflow detection; false on anything else.
bool parse_decimal(std::string_view text, std::size_t& value)
{
    if (text.empty() || text.size() > 19) {
        return false;
    }
    std::size_t result = 0;
    for (const char c : text) {
        if (c < '0' || c > '9') {
            return false;
        }
        result = result * 10 + static_cast<std::size_t>(c - '0');
    }
    value = result;
    return true;
}

struct command_entry {
    control_command command;
    std::string_view name;
};

constexpr std::array<command_entry, 6> command_table{ {
    { control_command::check_protocol_version, "CheckProtocolVersion" },
    { control_command::get_meta_info, "GetMetaInfo" },
    { control_command::get_data_connection, "GetDataConnection" },
    { control_command::start_data_transmission, "StartDataTransmission" },
    { control_command::stop_data_transmission, "StopDataTransmission" },
    { control_command::get_server_state_connection, "GetServerStateConnection" },
} };

std::string simple_reply(std::string_view line)
{
    std::string reply;
    reply.reserve(protocol_version_line.size() + line.size() + 3);
    reply.append(protocol_version_line);
    reply.push_back('\n');
    reply.append(line);
    reply.append("\n\n");
    return reply;
}

} // namespace

control_parser::control_parser(control_parser_limits limits) : d_limits(limits) {}

void control_parser::feed(const std::uint8_t* data, std::size_t size)
{
    if (failed() || size == 0) {
        return; // after an error the stream is discarded: memory stays bounded
    }
    compact();
    d_buffer.append(reinterpret_cast<const char*>(data), size);
}

void control_parser::feed(std::string_view data)
{
    feed(reinterpret_cast<const std::uint8_t*>(data.data()), data.size());
}

void control_parser::reset()
{
    d_buffer.clear();
    d_pos = 0;
    d_state = state::version;
    d_current = control_message{};
    d_body_length = 0;
    d_error = parse_error{};
}

void control_parser::compact()
{
    if (d_pos > 0) {
        d_buffer.erase(0, d_pos);
        d_pos = 0;
    }
}

bool control_parser::take_line(std::string_view& line, bool& too_long)
{
    too_long = false;
    const std::size_t newline = d_buffer.find('\n', d_pos);
    if (newline == std::string::npos) {
        too_long = d_buffer.size() - d_pos > d_limits.max_line_bytes;
        return false;
    }
    const std::size_t length = newline - d_pos;
    if (length > d_limits.max_line_bytes) {
        too_long = true;
        return false;
    }
    line = std::string_view(d_buffer).substr(d_pos, length);
    d_pos = newline + 1;
    return true;
}

control_parse_status
control_parser::fail(std::string reason, std::string detail, parse_error& error)
{
    d_error = parse_error(std::move(reason), std::move(detail));
    d_buffer.clear();
    d_buffer.shrink_to_fit();
    d_pos = 0;
    error = d_error;
    return control_parse_status::error;
}

control_parse_status control_parser::next(control_message& message, parse_error& error)
{
    if (failed()) {
        error = d_error;
        return control_parse_status::error;
    }
    for (;;) {
        if (d_state == state::body) {
            if (d_buffer.size() - d_pos < d_body_length) {
                return control_parse_status::need_more;
            }
            d_current.body.assign(d_buffer, d_pos, d_body_length);
            d_pos += d_body_length;
            message = std::move(d_current);
            d_current = control_message{};
            d_state = state::version;
            return control_parse_status::message;
        }

        std::string_view raw_line;
        bool too_long = false;
        if (!take_line(raw_line, too_long)) {
            if (too_long) {
                return fail("line_too_long",
                            "control line longer than " +
                                std::to_string(d_limits.max_line_bytes) + " bytes",
                            error);
            }
            return control_parse_status::need_more;
        }

        if (d_state == state::blank) {
            // libtia requires this line to be exactly empty; a lone CR costs nothing.
            if (!(raw_line.empty() || raw_line == "\r")) {
                return fail("missing_blank_line",
                            "expected an empty line after Content-Length",
                            error);
            }
            d_state = state::body;
            continue;
        }

        const std::string_view line = trim(raw_line);
        if (has_control_characters(line)) {
            return fail(
                "invalid_characters", "control line holds control characters", error);
        }

        switch (d_state) {
        case state::version:
            if (line.empty()) {
                continue; // tolerate stray empty lines between messages
            }
            if (line != protocol_version_line) {
                return fail("bad_version",
                            "version line is not \"TiA 1.0\": \"" +
                                std::string(line.substr(0, 64)) + "\"",
                            error);
            }
            d_state = state::command;
            break;
        case state::command: {
            if (line.empty()) {
                return fail("empty_command", "command line is empty", error);
            }
            const std::size_t colon = line.find(':');
            if (colon == std::string_view::npos) {
                d_current.name.assign(line);
            } else {
                d_current.name.assign(line.substr(0, colon));
                d_current.parameter.assign(trim(line.substr(colon + 1)));
                d_current.has_parameter = true;
            }
            d_state = state::header;
            break;
        }
        case state::header: {
            if (line.empty()) {
                message = std::move(d_current);
                d_current = control_message{};
                d_state = state::version;
                return control_parse_status::message;
            }
            const std::size_t colon = line.find(':');
            if (colon == std::string_view::npos ||
                line.substr(0, colon) != content_length_key) {
                return fail("bad_header_line",
                            "expected an empty line or Content-Length after the command",
                            error);
            }
            std::size_t length = 0;
            if (!parse_decimal(trim(line.substr(colon + 1)), length)) {
                return fail("bad_content_length",
                            "Content-Length is not an unsigned decimal number",
                            error);
            }
            if (length > d_limits.max_content_length) {
                return fail("content_length_too_large",
                            "Content-Length " + std::to_string(length) +
                                " exceeds the limit of " +
                                std::to_string(d_limits.max_content_length) + " bytes",
                            error);
            }
            d_current.has_content_length = true;
            d_body_length = length;
            d_state = state::blank;
            break;
        }
        case state::blank:
        case state::body:
            break; // handled above
        }
    }
}

control_command command_from_name(std::string_view name)
{
    for (const auto& entry : command_table) {
        if (entry.name == name) {
            return entry.command;
        }
    }
    return control_command::unknown;
}

std::string_view command_name(control_command command)
{
    for (const auto& entry : command_table) {
        if (entry.command == command) {
            return entry.name;
        }
    }
    return {};
}

data_transport transport_from_parameter(std::string_view parameter)
{
    if (parameter == "TCP") {
        return data_transport::tcp;
    }
    if (parameter == "UDP") {
        return data_transport::udp;
    }
    return data_transport::invalid;
}

std::string encode_ok_reply() { return simple_reply("OK"); }

std::string encode_error_reply() { return simple_reply("Error"); }

std::string encode_error_reply(std::string_view text)
{
    std::string line = "Error -- ";
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        line.push_back((byte < 0x20 || byte == 0x7f || c == ':') ? ' ' : c);
    }
    return simple_reply(line);
}

std::string encode_data_connection_port_reply(std::uint16_t port)
{
    return simple_reply("DataConnectionPort:" + std::to_string(port));
}

std::string encode_server_state_connection_port_reply(std::uint16_t port)
{
    return simple_reply("ServerStateConnectionPort:" + std::to_string(port));
}

std::string encode_meta_info_reply(std::string_view xml)
{
    std::string reply(protocol_version_line);
    reply.append("\nMetaInfo\nContent-Length:");
    reply.append(std::to_string(xml.size())); // std::string size = UTF-8 bytes
    reply.append("\n\n");
    reply.append(xml);
    return reply;
}

std::string encode_server_state_running() { return simple_reply("ServerStateRunning"); }

std::string encode_server_state_shutdown() { return simple_reply("ServerStateShutdown"); }

std::string encode_request(control_command command, std::string_view parameter)
{
    return encode_request(command_name(command), parameter);
}

std::string encode_request(std::string_view name, std::string_view parameter)
{
    std::string line(name);
    if (!parameter.empty()) {
        line.push_back(':');
        line.append(parameter);
    }
    return simple_reply(line);
}

} // namespace tia
} // namespace netstream
} // namespace gr
