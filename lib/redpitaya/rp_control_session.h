/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_NETSTREAM_REDPITAYA_RP_CONTROL_SESSION_H
#define INCLUDED_NETSTREAM_REDPITAYA_RP_CONTROL_SESSION_H

// Client side of the Red Pitaya control link, TCP 18901 (spec redpitaya-streaming.md
// sections 3 and 7). One thread drives it: requests are therefore serialised (the
// protocol has no request ids, section 3.1), every reply is awaited for at most 5 s
// (longer for replies that follow a teardown), frames are written fully, and messages
// that are not the awaited reply are handed to a notification callback.

#include "rp_control_codec.h"
#include "rp_socket.h"

#include <atomic>
#include <chrono>
#include <functional>
#include <string>

namespace gr {
namespace netstream {
namespace redpitaya {

//! Protocol generation (section 0).
enum class protocol_version { unknown, p2, p3 };

class control_session
{
public:
    //! Called (on the driving thread) for every message that is not an awaited reply.
    using notify_fn = std::function<void(const control_message&)>;

    //! Reply timeout of the reference client (section 3.1).
    static constexpr std::chrono::milliseconds reply_timeout{ 5000 };
    //! Replies that wait for an ADC teardown (19, the 0 of a block_size SET):
    //! section 12.1.
    static constexpr std::chrono::milliseconds teardown_timeout{ 10000 };

    /*!
     * \param notify receives unsolicited messages (server notifications)
     * \param cancel when it becomes true, cancellable waits end with
     * link_failure::cancelled
     */
    control_session(notify_fn notify, const std::atomic<bool>* cancel);

    /*!
     * \brief Connect, wait for the greeting (15 master / 16 slave), then tell P2 from P3
     * with `CMD 3 adc_capture_time` (section 12.2). \throws link_error.
     */
    void open(const std::string& host, int port);
    void close();
    bool is_open() const { return d_sock.is_open(); }
    int fd() const { return d_sock.fd(); }
    const std::string& endpoint() const { return d_sock.endpoint(); }
    bool is_master() const { return d_master; }
    //! Version of the board last connected (kept after close()).
    protocol_version version() const { return d_version.load(); }

    //! CMD 3: one setting in wire format ("ERROR" for an unknown key).
    std::string get_value(const std::string& key);
    /*!
     * \brief SET (STR_STR) one key; waits for 0 / 1. For `block_size` the 22 and 35 that
     * precede the 0 are consumed here, not reported (section 3.4).
     * \throws link_error(rejected) when the board replies 1.
     */
    void set_value(const std::string& key, const std::string& value);
    //! CMD 2: the whole settings JSON.
    std::string get_config_json();
    //! CMD 5 -> 6: the board's block_size.
    std::uint32_t get_block_size();
    //! CMD 7 -> 8: P3 channel bitmask, P2 channel count (section 3.3 row 8).
    std::uint32_t get_active_channels();
    //! Send a bare command and return at once (the caller watches for the reply via
    //! pump()).
    void send_command(command_id id) { send(encode_command(id)); }
    //! CMD 18 -> 19 (always answered, also when idle). Not cancellable.
    void stop_adc(std::chrono::milliseconds timeout = teardown_timeout);
    /*!
     * \brief CMD 17 -> 25. \throws link_error(rejected) on 20 (no channel), 21 (memory),
     * or 26 (the board is in FILE mode).
     */
    void start_adc();
    //! CMD 27 -> 28. Send exactly once per start_adc() (a second 27 kills the board).
    void start_fpga();
    /*!
     * \brief CMD 31 (tag: P3 output bitmask 1/2/3, P2 output count 1/2) -> 41.
     * \throws link_error(rejected) on 34 (memory), 36 (config / no DAC / dac_rate) or
     * 42 (the board is in DAC_FILE mode).
     */
    void start_dac(const std::string& tag);
    //! CMD 32 -> 33 (always answered, also when idle). Not cancellable.
    void stop_dac(std::chrono::milliseconds timeout = teardown_timeout);

    /*!
     * \brief Read and dispatch whatever is waiting, without blocking.
     * \throws link_error(closed / protocol) when the link is lost or out of step.
     */
    void pump();

    //! Vendor callback name of a board notification id ("adcServerStoppedMemModify"), or
    //! "".
    static const char* callback_name(std::uint32_t id);

private:
    void send(const std::vector<std::uint8_t>& frame);
    bool read_into_parser(std::chrono::milliseconds timeout);
    bool next_message(control_message& out);
    using match_fn = std::function<bool(const control_message&)>;
    control_message wait_for(const match_fn& match,
                             std::chrono::milliseconds timeout,
                             const std::string& what,
                             bool cancellable = true);
    control_message command_reply(command_id request,
                                  std::initializer_list<command_id> replies,
                                  const std::string& what,
                                  std::chrono::milliseconds timeout = reply_timeout);

    notify_fn d_notify;
    const std::atomic<bool>* d_cancel;
    tcp_socket d_sock;
    control_stream_parser d_parser;
    bool d_master = true;
    std::atomic<protocol_version> d_version{ protocol_version::unknown };
};

} // namespace redpitaya
} // namespace netstream
} // namespace gr

#endif
