/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_NETSTREAM_RP_DAC_SINK_H
#define INCLUDED_NETSTREAM_RP_DAC_SINK_H

#include <gnuradio/netstream/api.h>
#include <gnuradio/netstream/network_block.h>
#include <gnuradio/sync_block.h>
#include <string>
#include <vector>

namespace gr {
namespace netstream {

/*!
 * \brief Red Pitaya DAC sink for the vendor "Data Stream" app (streaming-server, OS
 * 2.07-43 and later: protocols P2 and P3).
 * \ingroup netstream
 *
 * Connects to the board's control port (TCP 18901), stops any running DAC stream (32),
 * sets `dac_pass_mode`=DAC_NET, `dac_rate`, `block_size` (if different) and `dac_size`,
 * reads `block_size` back, starts the DAC (31 with the P3 output mask or the P2 count,
 * reply 41) and connects to the DAC data port (TCP 18903). Input is cut into packs of
 * `block_size` bytes per output; every 128-byte segment header is encoded and validated
 * before it is queued, so a malformed pack (which makes the real board server exit) is
 * never sent. Packs are written on the block's own thread from a bounded queue; flow
 * control is TCP back-pressure only (spec section 6.4), so work() waits (bounded) when
 * the board's ring is full.
 *
 * Input ports: one per output in `outputs` (OUT1, OUT2), `float` (volts; code =
 * round(x / full_scale x 32767), clipped to +-32767 with the `clips` counter and a
 * `clip` status event) or `short` (raw 16-bit codes, sent as they are).
 *
 * Modes: streaming (`one_pack` false): every sample is played once, in order. One-pack
 * (`one_pack` true): the first block_size/2 samples per output (or fewer, if the input
 * ends earlier) are sent as one pack that the board replays `repeat_count` times
 * (`repeat` = "count") or until stop (`repeat` = "infinite"); later input is consumed
 * and counted as `items_ignored`. repeat "count"/"infinite" need `one_pack`.
 *
 * End of stream (stop()): the partial last pack is sent with a short channelSize, the
 * block waits for the estimated end of playback plus 50 ms (at most 5 s; `playback_cut`
 * when longer), then sends DAC_SERVER_STOP (32) and waits for 33: the board sends no
 * notice of its own when DAC playback ends.
 *
 * Underflow: when the input does not keep the board fed at `dac_rate` (all the samples
 * sent would have been played before the next pack), `underflows` is counted, a `U` is
 * printed and an `underflow` status event is published (host-side estimate).
 *
 * Message ports: `cmd` in, `status` out. cmd keys: `dac_rate` (int Hz; the DAC
 * pipeline restarts), plus the common keys. Status events: `connect`, `disconnect`,
 * `dac_started`, `dac_stopped`, `underflow`, `clip`, `restart`, `playback_cut`, `error`,
 * board notifications by vendor callback name (`dacServerStoppedMemModify`, ...).
 * Extra status fields: `connected`, `endpoint`, `protocol`.
 * Counters: `packs_sent`, `underflows`, `clips`, `items_ignored`, `malformed.<reason>`,
 * `notifications`, `restarts`, `reconnects`, `playback_cut`, `packs_dropped_at_stop`.
 *
 * Link loss: `reconnect` = "retry" reconnects with back-off (samples queued for the lost
 * link are lost; a one-pack waveform is sent again); "done" ends the stream.
 */
class NETSTREAM_API rp_dac_sink : virtual public gr::sync_block
{
public:
    NETSTREAM_NETWORK_BLOCK_METHODS

    typedef std::shared_ptr<rp_dac_sink> sptr;

    /*!
     * \param host         board address, "host" or "host:control_port"
     * \param outputs      {1}, {2} or {1, 2} (P2 boards: {1} or {1, 2})
     * \param input_type   "float" (volts) or "short" (raw codes)
     * \param dac_rate     output sample rate in Hz, base/65536 < rate <= the model's DAC
     *                     base rate
     * \param block_size   data bytes per output per pack, a multiple of 128, 128..8388608
     * \param repeat       "once", "count" or "infinite" (the last two need one_pack)
     * \param repeat_count plays for repeat = "count" (>= 1)
     * \param one_pack     send one pack that the board replays (full rate possible)
     * \param scale        volts at full scale for float input; 0 = from the model
     * \param model        "125-14", "125-10", "122-16", "250-12", "gen2", "125-14-ll",
     *                     "65-16" (the "4-input" board has no DAC)
     * \param dac_size     board RAM for the DAC ring; 0 = 12 x (block_size + 128)
     * \param data_port    DAC data port; 0 = 18903
     * \param reconnect    "retry" or "done"
     */
    static sptr make(const std::string& host,
                     const std::vector<int>& outputs = std::vector<int>{ 1 },
                     const std::string& input_type = "float",
                     int dac_rate = 1000000,
                     int block_size = 65536,
                     const std::string& repeat = "once",
                     int repeat_count = 1,
                     bool one_pack = false,
                     double scale = 0.0,
                     const std::string& model = "125-14",
                     int dac_size = 0,
                     int data_port = 0,
                     const std::string& reconnect = "retry");

    //! Change the DAC rate; the DAC pipeline restarts. \throws std::invalid_argument
    virtual void set_dac_rate(int dac_rate) = 0;
    virtual int dac_rate() const = 0;
    virtual int block_size() const = 0;
    //! True while the control link is up.
    virtual bool connected() const = 0;
    //! "p2", "p3", or "" before the first connection.
    virtual std::string protocol() const = 0;
    //! The error that ended the stream or the last link error ("" if none).
    virtual std::string last_error() const = 0;
};

} // namespace netstream
} // namespace gr

#endif
