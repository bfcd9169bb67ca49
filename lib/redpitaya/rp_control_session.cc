/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "rp_control_session.h"

#include <algorithm>
#include <array>
#include <cstdlib>

namespace gr {
namespace netstream {
namespace redpitaya {

namespace {
using clock = std::chrono::steady_clock;
constexpr std::chrono::milliseconds slice{ 100 };
constexpr std::chrono::milliseconds write_timeout{ 5000 };

bool is_command(const control_message& m, command_id id)
{
    return m.kind == message_kind::command && m.command == static_cast<std::uint32_t>(id);
}
} // namespace

control_session::control_session(notify_fn notify, const std::atomic<bool>* cancel)
    : d_notify(std::move(notify)), d_cancel(cancel)
{
}

const char* control_session::callback_name(std::uint32_t id)
{
    switch (static_cast<command_id>(id)) {
    case command_id::adc_server_stopped:
        return "adcServerStopped";
    case command_id::adc_server_stopped_no_channels:
        return "adcServerStoppedNoActiveChannels";
    case command_id::adc_server_stopped_mem_error:
        return "adcServerStoppedMemError";
    case command_id::adc_server_stopped_mem_modify:
        return "adcServerStoppedMemModify";
    case command_id::adc_server_stopped_sd_full:
        return "adcServerStoppedSDFull";
    case command_id::adc_server_stopped_sd_done:
        return "adcServerStoppedSDDone";
    case command_id::adc_server_started_tcp:
        return "adcServerStartedTCP";
    case command_id::adc_server_started_sd:
        return "adcServerStartedSD";
    case command_id::adc_fpga_start_adc_done:
        return "adcServerStartedFPGA";
    case command_id::dac_server_stopped_mem_modify:
        return "dacServerStoppedMemModify";
    case command_id::master_connected:
    case command_id::slave_connected:
        return "configConnected";
    case command_id::settings_get_success:
        return "configSuccessSend";
    case command_id::settings_get_fail:
        return "configFailSend";
    default:
        return "";
    }
}

void control_session::open(const std::string& host, int port)
{
    close();
    d_sock.connect(host, port, reply_timeout);
    // The board treats the link as connected only after its greeting (section 3.1).
    const auto greeting = wait_for(
        [](const control_message& m) {
            return is_command(m, command_id::master_connected) ||
                   is_command(m, command_id::slave_connected);
        },
        reply_timeout,
        "the greeting (15/16) on " + d_sock.endpoint());
    d_master = is_command(greeting, command_id::master_connected);
    // Section 12.2: P3 knows adc_capture_time (ON/OFF), P2 answers ERROR.
    const auto v = get_value("adc_capture_time");
    d_version = (v == "ON" || v == "OFF") ? protocol_version::p3 : protocol_version::p2;
}

void control_session::close()
{
    d_sock.close();
    d_parser.reset(); // the version stays known until the next open()
}

void control_session::send(const std::vector<std::uint8_t>& frame)
{
    if (!d_sock.is_open()) {
        throw link_error(link_failure::closed, "control link is not connected");
    }
    d_sock.write_all(frame.data(), frame.size(), write_timeout);
}

bool control_session::read_into_parser(std::chrono::milliseconds timeout)
{
    if (!wait_readable(d_sock.fd(), -1, timeout)) {
        return false;
    }
    std::array<std::uint8_t, 4096> buf;
    const std::size_t n = d_sock.read_some(buf.data(), buf.size());
    d_parser.feed(buf.data(), n);
    return n > 0;
}

bool control_session::next_message(control_message& out)
{
    parse_error err;
    switch (d_parser.next(out, err)) {
    case control_stream_parser::status::message:
        return true;
    case control_stream_parser::status::need_more:
        return false;
    case control_stream_parser::status::error:
    default:
        throw link_error(link_failure::protocol,
                         "control link out of step (" + err.reason + "): " + err.detail);
    }
}

control_message control_session::wait_for(const match_fn& match,
                                          std::chrono::milliseconds timeout,
                                          const std::string& what,
                                          bool cancellable)
{
    const auto deadline = clock::now() + timeout;
    control_message m;
    while (true) {
        while (next_message(m)) {
            if (match(m)) {
                return m;
            }
            if (d_notify) {
                d_notify(m);
            }
        }
        if (cancellable && d_cancel && d_cancel->load()) {
            throw link_error(link_failure::cancelled,
                             "stopped while waiting for " + what);
        }
        const auto now = clock::now();
        if (now >= deadline) {
            throw link_error(link_failure::timeout,
                             "no reply from " + d_sock.endpoint() + " within " +
                                 std::to_string(timeout.count()) +
                                 " ms while waiting for " + what);
        }
        read_into_parser(std::min<std::chrono::milliseconds>(
            slice,
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now)));
    }
}

control_message control_session::command_reply(command_id request,
                                               std::initializer_list<command_id> replies,
                                               const std::string& what,
                                               std::chrono::milliseconds timeout)
{
    send(encode_command(request));
    const std::vector<command_id> want(replies);
    return wait_for(
        [&want](const control_message& m) {
            return std::any_of(want.begin(), want.end(), [&m](command_id id) {
                return is_command(m, id);
            });
        },
        timeout,
        what);
}

std::string control_session::get_value(const std::string& key)
{
    send(encode_command(command_id::request_server_settings_variable, key));
    const auto m = wait_for(
        [&key](const control_message& r) {
            return r.kind == message_kind::key_value && r.key == key;
        },
        reply_timeout,
        "the value of " + key);
    return m.value;
}

void control_session::set_value(const std::string& key, const std::string& value)
{
    send(encode_key_value(key, value));
    const bool side_effects = key == "block_size";
    const auto m = wait_for(
        [side_effects](const control_message& r) {
            if (side_effects &&
                (is_command(r, command_id::adc_server_stopped_mem_modify) ||
                 is_command(r, command_id::dac_server_stopped_mem_modify))) {
                return true; // consumed below, not a notification
            }
            return is_command(r, command_id::settings_get_success) ||
                   is_command(r, command_id::settings_get_fail);
        },
        side_effects ? teardown_timeout : reply_timeout,
        "the reply to SET " + key);
    control_message r = m;
    while (!is_command(r, command_id::settings_get_success) &&
           !is_command(r, command_id::settings_get_fail)) {
        r = wait_for(
            [](const control_message& x) {
                return is_command(x, command_id::settings_get_success) ||
                       is_command(x, command_id::settings_get_fail) ||
                       is_command(x, command_id::adc_server_stopped_mem_modify) ||
                       is_command(x, command_id::dac_server_stopped_mem_modify);
            },
            teardown_timeout,
            "the reply to SET " + key);
    }
    if (is_command(r, command_id::settings_get_fail)) {
        throw link_error(link_failure::rejected,
                         "the board rejected " + key + "=" + value + " (reply 1)");
    }
}

std::string control_session::get_config_json()
{
    send(encode_command(command_id::request_server_settings));
    return wait_for(
               [](const control_message& r) { return r.kind == message_kind::config; },
               reply_timeout,
               "the settings JSON (CONFIG)")
        .json;
}

std::uint32_t control_session::get_block_size()
{
    const auto m = command_reply(command_id::request_server_mem_block_size,
                                 { command_id::mem_block_size },
                                 "MEM_BLOCK_SIZE (6)");
    return static_cast<std::uint32_t>(std::strtoul(m.tag.c_str(), nullptr, 10));
}

std::uint32_t control_session::get_active_channels()
{
    const auto m = command_reply(command_id::request_server_active_channels,
                                 { command_id::active_channels },
                                 "ACTIVE_CHANNELS (8)");
    return static_cast<std::uint32_t>(std::strtoul(m.tag.c_str(), nullptr, 10));
}

void control_session::stop_adc(std::chrono::milliseconds timeout)
{
    send(encode_command(command_id::adc_server_stop));
    wait_for(
        [](const control_message& r) {
            return is_command(r, command_id::adc_server_stopped);
        },
        timeout,
        "ADC_SERVER_STOPPED (19)",
        false);
}

void control_session::start_adc()
{
    const auto m = command_reply(command_id::adc_server_start,
                                 { command_id::adc_server_started_tcp,
                                   command_id::adc_server_started_sd,
                                   command_id::adc_server_stopped_no_channels,
                                   command_id::adc_server_stopped_mem_error },
                                 "the reply to ADC_SERVER_START (25)");
    if (is_command(m, command_id::adc_server_started_tcp)) {
        return;
    }
    if (is_command(m, command_id::adc_server_started_sd)) {
        throw link_error(link_failure::rejected,
                         "the board started a FILE (SD) recording instead of streaming");
    }
    if (is_command(m, command_id::adc_server_stopped_no_channels)) {
        throw link_error(link_failure::rejected,
                         "ADC start failed: no active channel (20, " +
                             std::string(callback_name(m.command)) + ")");
    }
    throw link_error(
        link_failure::rejected,
        "ADC start failed: memory error (21, adcServerStoppedMemError); check "
        "adc_size >= 12 x (block_size + 128) and the board's DMA region");
}

void control_session::start_fpga()
{
    command_reply(command_id::adc_fpga_start,
                  { command_id::adc_fpga_start_adc_done },
                  "ADC_FPGA_START_ADC_DONE (28)");
}

void control_session::start_dac(const std::string& tag)
{
    send(encode_command(command_id::dac_server_start, tag));
    const auto m = wait_for(
        [](const control_message& r) {
            return is_command(r, command_id::dac_server_started) ||
                   is_command(r, command_id::dac_server_started_sd) ||
                   is_command(r, command_id::dac_server_stopped_mem_error) ||
                   is_command(r, command_id::dac_server_stopped_config_error);
        },
        reply_timeout,
        "the reply to DAC_SERVER_START (41)");
    if (is_command(m, command_id::dac_server_started)) {
        return;
    }
    if (is_command(m, command_id::dac_server_started_sd)) {
        throw link_error(link_failure::rejected,
                         "the board started DAC_FILE playback from its SD card instead "
                         "of network streaming");
    }
    if (is_command(m, command_id::dac_server_stopped_mem_error)) {
        throw link_error(link_failure::rejected,
                         "DAC start failed: memory error (34, dacServerStoppedMemError); "
                         "check dac_size >= 12 x (block_size + 128) and the DMA region");
    }
    throw link_error(link_failure::rejected,
                     "DAC start failed: configuration error (36, "
                     "dacServerStoppedConfigError): no DAC on this model, or dac_rate "
                     "too low");
}

void control_session::stop_dac(std::chrono::milliseconds timeout)
{
    send(encode_command(command_id::dac_server_stop));
    wait_for(
        [](const control_message& r) {
            return is_command(r, command_id::dac_server_stopped);
        },
        timeout,
        "DAC_SERVER_STOPPED (33)",
        false);
}

void control_session::pump()
{
    if (!d_sock.is_open()) {
        return;
    }
    while (read_into_parser(std::chrono::milliseconds(0))) {
    }
    control_message m;
    while (next_message(m)) {
        if (d_notify) {
            d_notify(m);
        }
    }
}

} // namespace redpitaya
} // namespace netstream
} // namespace gr
