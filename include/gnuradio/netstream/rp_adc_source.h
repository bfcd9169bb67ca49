/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_NETSTREAM_RP_ADC_SOURCE_H
#define INCLUDED_NETSTREAM_RP_ADC_SOURCE_H

#include <gnuradio/netstream/api.h>
#include <gnuradio/netstream/network_block.h>
#include <gnuradio/sync_block.h>
#include <string>
#include <vector>

namespace gr {
namespace netstream {

/*!
 * \brief Red Pitaya ADC source for the vendor "Data Stream" app (streaming-server, OS
 * 2.07-43 and later: protocols P2 and P3).
 * \ingroup netstream
 *
 * Connects to the board's control port (TCP 18901), stops any running ADC stream,
 * sets and reads back the settings (decimation, resolution, channels, attenuator,
 * coupling, block_size, adc_size), starts the stream, connects to the ADC data port
 * (TCP 18900) and arms the FPGA. Packs are read on the block's own thread into a
 * bounded queue and every segment is validated (magic, bufferSize, channel order,
 * bits, identical packId); a bad or truncated pack makes the block stop and restart
 * the stream cleanly (resync) rather than desynchronise. P2 and P3 are told apart
 * with `CMD 3 adc_capture_time`.
 *
 * Output ports: one per enabled channel, in ascending input order (IN1..IN4).
 * Item type: `float` (volts: code / 32768 x full scale; full scale from the model and
 * the attenuator, or `scale` when > 0) or `short` (raw left-justified 16-bit codes;
 * 8-bit samples are shifted into the upper byte).
 *
 * Tags on every output port:
 *  - `rx_rate` (double, base rate / decimation) on the first sample of every stream
 * start;
 *  - `rx_time` (tuple u64 s, double frac) on the first sample and after every loss or
 *    restart: P3 from the pack's timeCapture, P2 from the host clock (arrival time minus
 *    one pack duration; approximate);
 *  - `rp_lost` (u64, samples per channel) on the first sample after a loss (lostFPGA of
 *    the previous pack, plus whole packs missing from the packId sequence).
 *
 * Message ports: `cmd` in, `status` out. cmd keys: `decimation` (int, restarts the
 * stream), `resolution` (8/16, restarts), `block_size` (int, restarts), `restart` (any),
 * plus the common keys (`status_period`, `reset_counters`, `publish_status`).
 * Status events: `connect`, `disconnect`, `discovered`, `model`, `gap`, `resync`,
 * `restart`, `error`, and board notifications under the vendor callback's name
 * (`adcServerStopped`, `adcServerStoppedNoActiveChannels`, `adcServerStoppedMemError`,
 * `adcServerStoppedMemModify`, `adcServerStoppedSDFull`, `adcServerStoppedSDDone`,
 * `dacServerStoppedMemModify`, ...). Extra status fields: `connected`, `endpoint`,
 * `protocol`.
 *
 * Counters (besides the standard ones): `fpga_lost` (samples per channel reported in
 * lostFPGA), `packid_gaps`, `packs_missing`, `lost_samples` (samples per channel tagged
 * as lost), `reconnects`, `resyncs`, `restarts`, `notifications`,
 * `packs_dropped_at_stop`, `malformed.<reason>`. An `O` is printed on every loss.
 *
 * Several boards (X-channel master and slaves, spec section 7.4): give `host` as a
 * comma-separated list, master first ("10.0.0.1, 10.0.0.2"). Every board gets the same
 * settings and the same `data_port`; slaves are sent ADC_SERVER_START (17) and
 * ADC_FPGA_START (27) before the master (the master waits up to 5 s per phase), and the
 * master is stopped first. Output ports: board-major, then channel (board 1 IN1, IN2,
 * board 2 IN1, IN2, ...). The boards are output in lock-step: output sample i is sample
 * i of every board. A loss on one board (lostFPGA, packId gap) is zero-filled on that
 * board's ports only and tagged there with `rp_lost`; a board that restarts on its own
 * (resync, reconnect) makes the block restart all boards in the start order (counter
 * `realigns`, event `realign`), with new `rx_rate`/`rx_time` tags on every port at the
 * same offset. Per-board counters: `board<k>.fpga_lost`, `.packid_gaps`,
 * `.packs_missing`, `.lost_samples`, `.zero_filled`, `.restarts`, `.resyncs`,
 * `.notifications`, `.packs_dropped_at_stop` (the unprefixed ones are totals); status
 * field `endpoints`. Samples are aligned only with the X-channel / Click-Shield sync
 * hardware; without it the boards are merely started together.
 *
 * Link loss: with `reconnect` = "retry" the block reconnects with exponential back-off
 * (0.1 s doubling to 5 s) and tags the gap; with "done" it ends the flowgraph. A board
 * that rejects a setting ends the flowgraph in both modes (last_error() says why).
 * Only one controller per board is served: a second client (another flowgraph, the
 * vendor GUI) takes the board over.
 */
class NETSTREAM_API rp_adc_source : virtual public gr::sync_block
{
public:
    NETSTREAM_NETWORK_BLOCK_METHODS

    typedef std::shared_ptr<rp_adc_source> sptr;

    /*!
     * \param host        board address, "host" or "host:control_port"; empty = listen for
     *                    discovery beacons (UDP 18902, 3 s) and take the first board;
     *                    several boards: a comma-separated list, master first
     * \param channels    enabled inputs, 1..4, ascending without repeats (3, 4: 4-input
     * board) \param decimation  1, 2, 4, 8 or 16..65536; rate = base rate / decimation
     * \param resolution  8 or 16 bits per sample on the wire
     * \param output_type "float" (volts) or "short" (raw 16-bit codes)
     * \param scale       volts at full scale for float output; 0 = from the model
     * \param model       "auto" (beacon or pack header), "125-14", "125-10", "122-16",
     *                    "250-12", "4-input", "gen2", "125-14-ll", "65-16"
     * \param attenuator  1 (1:1, LV) or 20 (1:20, HV; not on the 122-16)
     * \param coupling    "DC" or "AC" (AC only on the 250-12)
     * \param block_size  data bytes per channel per pack, a multiple of 128, 128..8388608
     * \param adc_size    board RAM for the ADC ring; 0 = 12 x (block_size + 128)
     * \param data_port   ADC data port; 0 = 18900 (emulators on other ports)
     * \param reconnect   "retry" (back-off) or "done" (end the flowgraph on link loss)
     */
    static sptr make(const std::string& host = "",
                     const std::vector<int>& channels = std::vector<int>{ 1, 2 },
                     int decimation = 64,
                     int resolution = 16,
                     const std::string& output_type = "float",
                     double scale = 0.0,
                     const std::string& model = "auto",
                     int attenuator = 1,
                     const std::string& coupling = "DC",
                     int block_size = 65536,
                     int adc_size = 0,
                     int data_port = 0,
                     const std::string& reconnect = "retry");

    //! Change the decimation; the stream restarts cleanly. \throws std::invalid_argument
    virtual void set_decimation(int decimation) = 0;
    virtual int decimation() const = 0;
    //! Change the wire resolution (8/16); the stream restarts. \throws
    //! std::invalid_argument
    virtual void set_resolution(int resolution) = 0;
    virtual int resolution() const = 0;
    //! Change block_size; the stream restarts. \throws std::invalid_argument
    virtual void set_block_size(int block_size) = 0;
    virtual int block_size() const = 0;
    //! Sample rate of the outputs (base rate / decimation); 0 before the model is known.
    virtual double sample_rate() const = 0;
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
