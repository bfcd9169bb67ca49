/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "rp_control_codec.h"
#include "rp_le_bytes.h"

#include <array>

namespace gr {
namespace netstream {
namespace redpitaya {

namespace {

constexpr std::size_t command_fixed_size = 16;   // magic, total_len, command_id, tag_len
constexpr std::size_t key_value_fixed_size = 16; // magic, total_len, key_len, value_len
constexpr std::size_t config_fixed_size = 12;    // magic, total_len, json_len

const std::array<const char*, command_id_count> command_names = {
    "SETTINGS_GET_SUCCESS",
    "SETTINGS_GET_FAIL",
    "REQUEST_SERVER_SETTINGS",
    "REQUEST_SERVER_SETTINGS_VARIABLE",
    "CONFIG_FILE_MISSED",
    "REQUEST_SERVER_MEM_BLOCK_SIZE",
    "MEM_BLOCK_SIZE",
    "REQUEST_SERVER_ACTIVE_CHANNELS",
    "ACTIVE_CHANNELS",
    "REQUEST_SAVE_SETTING_TO_FILE",
    "SAVE_SETTING_TO_FILE_SUCCES",
    "SAVE_SETTING_TO_FILE_FAIL",
    "REQUEST_LOAD_SETTING_FROM_FILE",
    "LOAD_SETTING_FROM_FILE_SUCCES",
    "LOAD_SETTING_FROM_FILE_FAIL",
    "MASTER_CONNECTED",
    "SLAVE_CONNECTED",
    "ADC_SERVER_START",
    "ADC_SERVER_STOP",
    "ADC_SERVER_STOPPED",
    "ADC_SERVER_STOPPED_NO_CHANNELS",
    "ADC_SERVER_STOPPED_MEM_ERROR",
    "ADC_SERVER_STOPPED_MEM_MODIFY",
    "ADC_SERVER_STOPPED_SD_FULL",
    "ADC_SERVER_STOPPED_SD_DONE",
    "ADC_SERVER_STARTED_TCP",
    "ADC_SERVER_STARTED_SD",
    "ADC_FPGA_START",
    "ADC_FPGA_START_ADC_DONE",
    "DAC_FPGA_START",
    "DAC_FPGA_START_DONE",
    "DAC_SERVER_START",
    "DAC_SERVER_STOP",
    "DAC_SERVER_STOPPED",
    "DAC_SERVER_STOPPED_MEM_ERROR",
    "DAC_SERVER_STOPPED_MEM_MODIFY",
    "DAC_SERVER_STOPPED_CONFIG_ERROR",
    "DAC_SERVER_STOPPED_SD_DONE",
    "DAC_SERVER_STOPPED_SD_EMPTY",
    "DAC_SERVER_STOPPED_SD_BROKEN",
    "DAC_SERVER_STOPPED_SD_MISSING",
    "DAC_SERVER_STARTED",
    "DAC_SERVER_STARTED_SD",
    "GET_SERVER_MODE",
    "SERVER_MODE_TCP",
    "SERVER_MODE_SD",
};

std::size_t fixed_size_of(std::uint32_t magic)
{
    switch (magic) {
    case magic_command:
        return command_fixed_size;
    case magic_key_value:
        return key_value_fixed_size;
    case magic_config:
        return config_fixed_size;
    default:
        return 0;
    }
}

std::string hex32(std::uint32_t v)
{
    static const char digits[] = "0123456789ABCDEF";
    std::string s = "0x";
    for (int shift = 28; shift >= 0; shift -= 4) {
        s += digits[(v >> shift) & 0xFu];
    }
    return s;
}

void append_u32(std::vector<std::uint8_t>& out, std::uint32_t v)
{
    std::uint8_t b[4];
    le::store(b, v);
    out.insert(out.end(), b, b + 4);
}

void append_text(std::vector<std::uint8_t>& out, std::string_view s)
{
    out.insert(out.end(), s.begin(), s.end());
}

} // namespace

const char* command_name(std::uint32_t id)
{
    return id < command_id_count ? command_names[id] : "UNKNOWN";
}

std::vector<std::uint8_t> encode_command(std::uint32_t id, std::string_view tag)
{
    std::vector<std::uint8_t> out;
    out.reserve(command_fixed_size + tag.size());
    append_u32(out, magic_command);
    append_u32(out, static_cast<std::uint32_t>(command_fixed_size + tag.size()));
    append_u32(out, id);
    append_u32(out, static_cast<std::uint32_t>(tag.size()));
    append_text(out, tag);
    return out;
}

std::vector<std::uint8_t> encode_command(command_id id, std::string_view tag)
{
    return encode_command(static_cast<std::uint32_t>(id), tag);
}

std::vector<std::uint8_t> encode_key_value(std::string_view key, std::string_view value)
{
    std::vector<std::uint8_t> out;
    out.reserve(key_value_fixed_size + key.size() + value.size());
    append_u32(out, magic_key_value);
    append_u32(
        out,
        static_cast<std::uint32_t>(key_value_fixed_size + key.size() + value.size()));
    append_u32(out, static_cast<std::uint32_t>(key.size()));
    append_u32(out, static_cast<std::uint32_t>(value.size()));
    append_text(out, key);
    append_text(out, value);
    return out;
}

std::vector<std::uint8_t> encode_config(std::string_view json)
{
    std::vector<std::uint8_t> out;
    out.reserve(config_fixed_size + json.size());
    append_u32(out, magic_config);
    append_u32(out, static_cast<std::uint32_t>(config_fixed_size + json.size()));
    append_u32(out, static_cast<std::uint32_t>(json.size()));
    append_text(out, json);
    return out;
}

std::vector<std::uint8_t> encode_message(const control_message& msg)
{
    switch (msg.kind) {
    case message_kind::key_value:
        return encode_key_value(msg.key, msg.value);
    case message_kind::config:
        return encode_config(msg.json);
    case message_kind::command:
    default:
        return encode_command(msg.command, msg.tag);
    }
}

parse_error
decode_message(const std::uint8_t* data, std::size_t len, control_message& out)
{
    if (data == nullptr || len < control_prefix_size) {
        return { "short_frame",
                 "a control frame needs at least 8 bytes, got " +
                     std::to_string(data ? len : 0) };
    }
    const auto magic = le::load<std::uint32_t>(data);
    const std::size_t total = le::load<std::uint32_t>(data + 4);
    const std::size_t fixed = fixed_size_of(magic);
    if (fixed == 0) {
        return { "bad_magic", "magic " + hex32(magic) + " is not a control frame magic" };
    }
    if (total < fixed) {
        return { "bad_total_len",
                 "total_len " + std::to_string(total) + " is below the frame's fixed " +
                     std::to_string(fixed) + " bytes" };
    }
    if (total != len) {
        return { "bad_total_len",
                 "total_len " + std::to_string(total) + " but the frame has " +
                     std::to_string(len) + " bytes" };
    }
    const char* body = reinterpret_cast<const char*>(data);
    if (magic == magic_command) {
        const std::size_t tag_len = le::load<std::uint32_t>(data + 12);
        if (tag_len > total - command_fixed_size) {
            return { "inner_length_overrun",
                     "tag_len " + std::to_string(tag_len) + " runs past total_len " +
                         std::to_string(total) };
        }
        out = control_message{};
        out.kind = message_kind::command;
        out.command = le::load<std::uint32_t>(data + 8);
        out.tag.assign(body + command_fixed_size, tag_len);
        return {};
    }
    if (magic == magic_key_value) {
        const std::size_t key_len = le::load<std::uint32_t>(data + 8);
        const std::size_t value_len = le::load<std::uint32_t>(data + 12);
        const std::size_t room = total - key_value_fixed_size;
        if (key_len > room || value_len > room - key_len) {
            return { "inner_length_overrun",
                     "key_len " + std::to_string(key_len) + " + value_len " +
                         std::to_string(value_len) + " run past total_len " +
                         std::to_string(total) };
        }
        out = control_message{};
        out.kind = message_kind::key_value;
        out.key.assign(body + key_value_fixed_size, key_len);
        out.value.assign(body + key_value_fixed_size + key_len, value_len);
        return {};
    }
    const std::size_t json_len = le::load<std::uint32_t>(data + 8);
    if (json_len > total - config_fixed_size) {
        return { "inner_length_overrun",
                 "json_len " + std::to_string(json_len) + " runs past total_len " +
                     std::to_string(total) };
    }
    out = control_message{};
    out.kind = message_kind::config;
    out.json.assign(body + config_fixed_size, json_len);
    return {};
}

control_stream_parser::control_stream_parser(std::size_t max_message_size)
    : d_max_message_size(max_message_size < control_prefix_size ? control_prefix_size
                                                                : max_message_size)
{
}

void control_stream_parser::feed(const std::uint8_t* data, std::size_t len)
{
    if (failed() || data == nullptr || len == 0) {
        return;
    }
    if (d_read_pos > 0 && d_read_pos == d_buffer.size()) {
        d_buffer.clear();
        d_read_pos = 0;
    } else if (d_read_pos > 4096 && d_read_pos * 2 > d_buffer.size()) {
        d_buffer.erase(d_buffer.begin(),
                       d_buffer.begin() + static_cast<std::ptrdiff_t>(d_read_pos));
        d_read_pos = 0;
    }
    d_buffer.insert(d_buffer.end(), data, data + len);
}

control_stream_parser::status control_stream_parser::next(control_message& out,
                                                          parse_error& err)
{
    if (failed()) {
        err = d_error;
        return status::error;
    }
    if (buffered() < control_prefix_size) {
        return status::need_more;
    }
    const std::uint8_t* p = d_buffer.data() + d_read_pos;
    const auto magic = le::load<std::uint32_t>(p);
    const std::size_t total = le::load<std::uint32_t>(p + 4);
    const std::size_t fixed = fixed_size_of(magic);
    if (fixed == 0) {
        d_error = { "bad_magic",
                    "magic " + hex32(magic) + " is not a control frame magic" };
    } else if (total < fixed) {
        d_error = { "bad_total_len",
                    "total_len " + std::to_string(total) +
                        " is below the frame's fixed " + std::to_string(fixed) +
                        " bytes" };
    } else if (total > d_max_message_size) {
        d_error = { "message_too_large",
                    "total_len " + std::to_string(total) + " exceeds the limit of " +
                        std::to_string(d_max_message_size) + " bytes" };
    }
    if (failed()) {
        err = d_error;
        return status::error;
    }
    if (buffered() < total) {
        return status::need_more;
    }
    parse_error e = decode_message(p, total, out);
    if (e) {
        d_error = e;
        err = e;
        return status::error;
    }
    d_read_pos += total;
    return status::message;
}

void control_stream_parser::reset()
{
    d_buffer.clear();
    d_read_pos = 0;
    d_error = parse_error{};
}

} // namespace redpitaya
} // namespace netstream
} // namespace gr
