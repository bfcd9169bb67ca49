/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_NETSTREAM_REDPITAYA_RP_CONTROL_CODEC_H
#define INCLUDED_NETSTREAM_REDPITAYA_RP_CONTROL_CODEC_H

// Codec for the Red Pitaya "Data Stream" control link, TCP 18901 (spec
// redpitaya-streaming.md section 3.2 framing, 3.3 command ids, 3.4 settings messages).
// Pure C++17, no GNU Radio dependency. Decoders never throw on wire input.

#include "../common/parse_error.h"

#include <string_view>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace gr {
namespace netstream {
namespace redpitaya {

//! Frame magics (u32 little-endian, first four bytes of every message).
constexpr std::uint32_t magic_command = 0x00ABCDED;
constexpr std::uint32_t magic_key_value = 0x00ABCDEF; //!< STR_STR
constexpr std::uint32_t magic_config = 0x00ABCDEB;    //!< whole JSON

//! Size of the magic + total_len prefix of every frame.
constexpr std::size_t control_prefix_size = 8;

//! Command ids (section 3.3), identical in P2 and P3. Names follow the vendor source.
enum class command_id : std::uint32_t {
    settings_get_success = 0,
    settings_get_fail = 1,
    request_server_settings = 2,
    request_server_settings_variable = 3,
    config_file_missed = 4,
    request_server_mem_block_size = 5,
    mem_block_size = 6,
    request_server_active_channels = 7,
    active_channels = 8,
    request_save_setting_to_file = 9,
    save_setting_to_file_success = 10,
    save_setting_to_file_fail = 11,
    request_load_setting_from_file = 12,
    load_setting_from_file_success = 13,
    load_setting_from_file_fail = 14,
    master_connected = 15,
    slave_connected = 16,
    adc_server_start = 17,
    adc_server_stop = 18,
    adc_server_stopped = 19,
    adc_server_stopped_no_channels = 20,
    adc_server_stopped_mem_error = 21,
    adc_server_stopped_mem_modify = 22,
    adc_server_stopped_sd_full = 23,
    adc_server_stopped_sd_done = 24,
    adc_server_started_tcp = 25,
    adc_server_started_sd = 26,
    adc_fpga_start = 27,
    adc_fpga_start_adc_done = 28,
    dac_fpga_start = 29,
    dac_fpga_start_done = 30,
    dac_server_start = 31,
    dac_server_stop = 32,
    dac_server_stopped = 33,
    dac_server_stopped_mem_error = 34,
    dac_server_stopped_mem_modify = 35,
    dac_server_stopped_config_error = 36,
    dac_server_stopped_sd_done = 37,
    dac_server_stopped_sd_empty = 38,
    dac_server_stopped_sd_broken = 39,
    dac_server_stopped_sd_missing = 40,
    dac_server_started = 41,
    dac_server_started_sd = 42,
    get_server_mode = 43,
    server_mode_tcp = 44,
    server_mode_sd = 45,
};

//! Number of defined command ids (0...45); larger ids are undefined and ignored by the
//! board.
constexpr std::uint32_t command_id_count = 46;

/*! \brief The vendor's name of a command id ("ADC_SERVER_START"), or "UNKNOWN" for ids
 * >= 46. */
const char* command_name(std::uint32_t id);

//! The three kinds of control frame.
enum class message_kind { command, key_value, config };

//! One decoded control message.
struct control_message {
    message_kind kind = message_kind::command;
    std::uint32_t command = 0; //!< command id (kind == command)
    std::string tag;           //!< command tag (kind == command), may be empty
    std::string key;           //!< STR_STR key (kind == key_value)
    std::string value;         //!< STR_STR value (kind == key_value)
    std::string json;          //!< CONFIG body (kind == config)
};

/*! \brief COMMAND frame: magic, total_len = 16 + T, command_id, tag_len = T, tag. */
std::vector<std::uint8_t> encode_command(std::uint32_t id, std::string_view tag = {});
/*! \brief COMMAND frame from a typed id. */
std::vector<std::uint8_t> encode_command(command_id id, std::string_view tag = {});
/*! \brief STR_STR frame ("SET" from the client, reply to 3 from the board). */
std::vector<std::uint8_t> encode_key_value(std::string_view key, std::string_view value);
/*! \brief CONFIG frame carrying the whole settings JSON. */
std::vector<std::uint8_t> encode_config(std::string_view json);
/*! \brief Encode any control_message by its kind. */
std::vector<std::uint8_t> encode_message(const control_message& msg);

/*!
 * \brief Decode exactly one complete frame (\p len must equal its total_len).
 *
 * Reasons: "short_frame" (fewer than the fixed part of the frame), "bad_magic",
 * "bad_total_len" (total_len differs from \p len or is below the kind's fixed part),
 * "inner_length_overrun" (tag/key/value/json lengths run past total_len).
 * Inner lengths shorter than total_len allows are accepted and the tail ignored,
 * as the board does.
 */
parse_error
decode_message(const std::uint8_t* data, std::size_t len, control_message& out);

/*!
 * \brief Incremental control-stream receiver for fragmented TCP input.
 *
 * feed() appends bytes; next() pops one message at a time. Once next() has returned
 * status::error the stream is out of step for good (there is no way to resynchronise a
 * control link): the caller must drop the connection and reconnect; reset() clears it.
 * A frame whose total_len exceeds max_message_size is rejected as "message_too_large"
 * before it is buffered, so a corrupt length cannot make the receiver wait for ever.
 */
class control_stream_parser
{
public:
    enum class status { message, need_more, error };

    //! Default bound on one frame; real frames are tens of bytes, a CONFIG about 1 kB.
    static constexpr std::size_t default_max_message_size = 1u << 20;

    explicit control_stream_parser(
        std::size_t max_message_size = default_max_message_size);

    /*! \brief Append received bytes. Ignored after an error. */
    void feed(const std::uint8_t* data, std::size_t len);

    /*!
     * \brief Pop the next complete message.
     * \return message (\p out filled), need_more, or error (\p err filled; sticky).
     */
    status next(control_message& out, parse_error& err);

    //! True after an error, until reset().
    bool failed() const { return !d_error.ok(); }
    //! The sticky error (empty reason when none).
    const parse_error& error() const { return d_error; }
    //! Bytes buffered and not yet consumed.
    std::size_t buffered() const { return d_buffer.size() - d_read_pos; }
    //! Forget everything (after a reconnect).
    void reset();

private:
    std::vector<std::uint8_t> d_buffer;
    std::size_t d_read_pos = 0;
    std::size_t d_max_message_size;
    parse_error d_error;
};

} // namespace redpitaya
} // namespace netstream
} // namespace gr

#endif
