/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_NETSTREAM_REDPITAYA_RP_DAC_STREAM_H
#define INCLUDED_NETSTREAM_REDPITAYA_RP_DAC_STREAM_H

// The DAC side of one Red Pitaya (spec redpitaya-streaming.md sections 6, 7.3, 12.1):
// a worker thread that drives the control session (32, settings, 31 -> 41), connects
// the DAC data link (TCP 18903) and writes whole packs from a bounded queue. Packs are
// built and validated by build_dac_pack() before they are queued: a malformed pack is
// never sent (the board server exits on a wrong bufferSize). Flow control is TCP only
// (section 6.4); an underflow (the board would have run dry before the next pack) is
// estimated from dac_rate and reported. At the end the worker waits for the estimated
// end of playback (bounded), then sends 32 (the board sends no end notice, section 6.1).

#include "../common/counter_set.h"
#include "rp_control_session.h"
#include "rp_pack_codec.h"
#include "rp_stream_worker.h"

#include <atomic>
#include <deque>
#include <memory>
#include <string>
#include <vector>

namespace gr {
namespace netstream {
namespace redpitaya {

//! Settings the worker sends to the board before every DAC start.
struct dac_settings {
    std::uint8_t output_mask = 1;     //!< bit0 = OUT1, bit1 = OUT2
    std::uint32_t dac_rate = 1000000; //!< Hz, <= the model's DAC base rate
    std::uint32_t block_size = 65536;
    std::uint32_t dac_size = 0;    //!< 0 = 12 x (block_size + 128)
    bool one_pack = false;         //!< onePackMode: the board replays the first pack
    bool inf = false;              //!< one-pack: loop until stop
    std::int64_t repeat_count = 1; //!< one-pack: number of plays (>= 1)
};

//! Where the board is and how to behave on link loss.
struct dac_link_config {
    std::string host;
    int control_port = 18901;
    int data_port = 18903;
    std::string reconnect = "retry";             //!< "retry" or "done"
    std::size_t queue_packs = 8;                 //!< bound on queued packs
    std::chrono::milliseconds drain_cap{ 5000 }; //!< longest wait for playback at stop
};

//! One encoded pack, ready for the wire.
struct tx_pack {
    std::vector<std::uint8_t> bytes;
    std::size_t samples = 0; //!< samples per output in this pack (channelSize / 2)
};

/*!
 * \brief Encode one DAC pack (section 6.2): for each enabled output, a header from
 * encode_dac_segment_header() and \p block_size data bytes (channelSize = \p
 * sample_count x 2, the rest zero). Every header is checked with
 * validate_dac_segment_header() and decoded back before the pack is accepted.
 * \param data one pointer per enabled output (ascending), \p sample_count int16 each
 * \return an error (reason from the validator) instead of a pack that a board would die
 * on
 */
parse_error build_dac_pack(const dac_settings& s,
                           const std::vector<const std::int16_t*>& data,
                           std::size_t sample_count,
                           tx_pack& out);

class dac_stream : public stream_worker
{
public:
    dac_stream(const dac_link_config& link,
               const dac_settings& settings,
               counter_set& counters,
               event_fn on_event);
    ~dac_stream();

    void start();
    /*!
     * \brief Queue a pack; waits at most \p timeout for room (back-pressure).
     * \return false on timeout (the caller keeps the pack and retries) or when the
     * worker has ended.
     */
    bool push(std::unique_ptr<tx_pack>& p, std::chrono::milliseconds timeout);
    /*!
     * \brief End of stream: send what is queued, wait for the estimated end of playback
     * (at most drain_cap; not at all for an infinite one-pack replay), send 32, join.
     */
    void finish();
    //! Stop at once (32, queued packs discarded) and join; bounded.
    void stop();

    bool finished() const;
    std::string endpoint() const;
    protocol_version version() const { return d_ctrl.version(); }
    //! Change dac_rate; the board's DAC pipeline restarts (32, SET, 31).
    void set_dac_rate(std::uint32_t rate);
    dac_settings settings() const;

private:
    void run();
    void configure_and_start(const dac_settings& s);
    void send_loop(const dac_settings& s);
    void write_pack(const tx_pack& p);
    void end_playback(const dac_settings& s);
    void on_notification(const control_message& m);

    dac_link_config d_link;
    counter_set& d_counters;
    // d_stop (stream_worker): abort
    std::atomic<bool> d_finish{ false }; // end of stream: drain, then stop
    std::atomic<bool> d_restart{ false };

    // under d_mutex (stream_worker), with the error and the done flag
    std::deque<std::unique_ptr<tx_pack>> d_queue;
    dac_settings d_settings;

    // worker-thread state
    control_session d_ctrl;
    tcp_socket d_data;
    std::string d_board_stopped;
    std::unique_ptr<tx_pack> d_one_pack; // kept to resend after a reconnect
    std::chrono::steady_clock::time_point d_anchor;
    std::uint64_t d_samples_since_anchor = 0;
    bool d_anchored = false;
    bool d_in_underflow = false;
};

} // namespace redpitaya
} // namespace netstream
} // namespace gr

#endif
