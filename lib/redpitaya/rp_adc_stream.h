/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_NETSTREAM_REDPITAYA_RP_ADC_STREAM_H
#define INCLUDED_NETSTREAM_REDPITAYA_RP_ADC_STREAM_H

// The ADC side of one Red Pitaya (spec redpitaya-streaming.md sections 5, 7.1, 12):
// a worker thread that drives the control session (stop, configure, query, start) and
// reads packs from the data link into a bounded queue. Every pack is validated with the
// codec; a mismatch drops the stream and restarts it cleanly (resync). Lost samples are
// accounted from lostFPGA (gap after the pack that carries it) and from packId gaps.

#include "../common/counter_set.h"
#include "rp_board_model.h"
#include "rp_control_session.h"
#include "rp_pack_codec.h"
#include "rp_stream_worker.h"

#include <condition_variable>
#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace gr {
namespace netstream {
namespace redpitaya {

//! Settings the worker sends to the board before every start.
struct adc_settings {
    std::uint32_t decimation = 64;
    unsigned resolution = 16;      //!< 8 or 16
    std::uint8_t channel_mask = 1; //!< bit k = IN(k+1)
    std::uint32_t block_size = 65536;
    std::uint32_t adc_size = 0;  //!< 0 = 12 x (block_size + 128)
    int attenuator = 1;          //!< 1 (1:1) or 20 (1:20), all enabled inputs
    std::string coupling = "DC"; //!< "DC" or "AC", all enabled inputs
};

/*!
 * \brief Start order of a master and its slaves (spec section 7.4), as the vendor client:
 * ADC_SERVER_START (17) to every slave, then to the master; ADC_FPGA_START (27) to every
 * slave, then to the master.
 *
 * Shared by the adc_stream of each board of one multi-board source (board 0 = master).
 * Each board reports its phase; a waiting board goes on after \p timeout (5 s per phase
 * in the vendor client) even if another has not got there.
 */
class start_gate
{
public:
    enum phase : unsigned { idle = 0, started = 1, armed = 2 };

    explicit start_gate(unsigned boards) : d_phase(boards, idle) {}
    //! Board \p board (0 = master) reached \p p.
    void report(unsigned board, phase p);
    //! Master: wait until every slave reached \p p; false on timeout or stop.
    bool wait_slaves(phase p,
                     std::chrono::milliseconds timeout,
                     const std::atomic<bool>& stop);
    //! Slave: wait until the master reached \p p; false on timeout or stop.
    bool wait_master(phase p,
                     std::chrono::milliseconds timeout,
                     const std::atomic<bool>& stop);

private:
    bool wait(unsigned first,
              unsigned last,
              phase p,
              std::chrono::milliseconds timeout,
              const std::atomic<bool>& stop);

    std::mutex d_mutex;
    std::condition_variable d_cv;
    std::vector<unsigned> d_phase;
};

//! Where the board is and how to behave on link loss.
struct adc_link_config {
    std::string host; //!< empty = discovery
    int control_port = 18901;
    int data_port = 18900;
    int discovery_port = 18902;
    std::string reconnect = "retry"; //!< "retry" or "done"
    std::optional<board_model>
        model; //!< known family (else from the beacon or the first pack)
    std::size_t queue_bytes = 64u << 20; //!< bound on queued packs
    //! Multi-board: per-board counters are also counted under this prefix ("board2.").
    std::string counter_prefix;
    //! Multi-board: the start order; nullptr for a single board.
    std::shared_ptr<start_gate> gate;
    //! Multi-board: 0 = master, k >= 1 = the k-th slave.
    unsigned board_index = 0;
};

//! One validated pack and what the block must tag on its first sample.
struct rx_pack {
    std::vector<std::uint8_t> bytes; //!< the pack as received
    adc_pack pack;                   //!< segment views into bytes
    std::size_t samples = 0;         //!< samples per channel
    bool stream_start = false;       //!< first pack of a (re)started stream: tag rx_rate
    bool tag_time = false;           //!< tag rx_time (start, after loss)
    std::uint64_t time_ns = 0;       //!< rx_time of the first sample
    std::uint64_t lost_before = 0; //!< samples per channel missing just before this pack
    double rate = 0.0;             //!< base rate / decimation
    float full_scale = 1.0f;       //!< volts at code +-32768
    std::uint64_t generation =
        0; //!< which start of the stream (see adc_stream::generation())
};

class adc_stream : public stream_worker
{
public:
    adc_stream(const adc_link_config& link,
               const adc_settings& settings,
               counter_set& counters,
               event_fn on_event);
    ~adc_stream();

    void start();
    /*! \brief Stop the board stream (18, drain to EOF, 19) and join; bounded (~3 s). */
    void stop();

    /*!
     * \brief Pop the next pack, waiting at most \p timeout.
     * \return nullptr on timeout or when the stream has ended (see finished()).
     */
    std::unique_ptr<rx_pack> pop(std::chrono::milliseconds timeout);
    //! Give a pack's buffer back for reuse.
    void recycle(std::unique_ptr<rx_pack> p);
    //! True once the worker has given up (policy "done" or a rejected setting) and the
    //! queue is empty.
    bool finished() const;

    //! Change settings; the stream restarts cleanly (stop, configure, start).
    void update_settings(const std::function<void(adc_settings&)>& change);
    adc_settings settings() const;
    //! Number of stream starts so far; the packs of the next start carry a larger one.
    std::uint64_t generation() const { return d_generation.load(); }
    std::string endpoint() const;
    protocol_version version() const;

private:
    void run();
    void open_control();
    void configure(const adc_settings& s);
    void start_stream(const adc_settings& s);
    void stream_loop(const adc_settings& s);
    void stop_stream_orderly();
    void pump_control();
    void handle_pack(std::unique_ptr<rx_pack> p, const adc_settings& s);
    void on_notification(const control_message& m);
    std::unique_ptr<rx_pack> take_buffer(std::size_t size);
    bool queue_full() const;
    //! Count \p name, and under the board's prefix on a multi-board source.
    void count(const std::string& name, std::uint64_t n = 1);

    adc_link_config d_link;
    counter_set& d_counters;
    std::atomic<bool> d_restart{ false };
    std::atomic<std::uint64_t> d_generation{ 0 };

    // under d_mutex (stream_worker), with the error and the done flag
    std::deque<std::unique_ptr<rx_pack>> d_queue;
    std::vector<std::unique_ptr<rx_pack>> d_pool;
    std::size_t d_queue_max = 8;
    adc_settings d_settings;
    std::string d_host;

    // worker-thread state
    control_session d_ctrl;
    tcp_socket d_data;
    bool d_stop_pending = false;
    bool d_saw_stopped = false;
    std::string d_board_stopped; // callback name of an unsolicited stop notice
    bool d_have_last = false;
    std::uint64_t d_last_id = 0;
    std::uint64_t d_pending_lost = 0;
    bool d_discontinuity = true;
    bool d_new_stream = true;
    std::optional<board_model> d_model;
};

} // namespace redpitaya
} // namespace netstream
} // namespace gr

#endif
