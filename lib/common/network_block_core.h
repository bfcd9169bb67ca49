/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_NETSTREAM_COMMON_NETWORK_BLOCK_CORE_H
#define INCLUDED_NETSTREAM_COMMON_NETWORK_BLOCK_CORE_H

#include "cmd_dispatch.h"
#include "counter_set.h"
#include "stderr_marker.h"
#include <gnuradio/basic_block.h>
#include <gnuradio/logger.h>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace gr {
namespace netstream {

/*!
 * \brief The behaviour every gr-netstream block shares, written once.
 *
 * A block implementation derives from its public class and from this core:
 *   class foo_impl : public foo, public network_block_core { ... };
 * and constructs it with `network_block_core(this, d_logger)`. The core then
 *  - registers the `cmd` input and `status` output message ports,
 *  - owns the counters (network_block interface) and the cmd key table
 *    (`d_cmds`; blocks add their own keys in their constructor),
 *  - publishes `status` periodically (between net_start() and net_stop())
 *    and on every event (publish_event()),
 *  - offers the rate-limited warning log and the O/U/D stderr markers.
 */
class network_block_core
{
public:
    std::map<std::string, uint64_t> counters() const;
    uint64_t counter(const std::string& name) const;
    void reset_counters();
    void set_status_period(double seconds);
    double status_period() const;

protected:
    network_block_core(gr::basic_block* self, gr::logger_ptr logger);
    virtual ~network_block_core();

    //! Call from the block's start(): publishes `start`, then any events held
    //! since construction, then starts the periodic status publisher.
    void net_start();
    //! Call from the block's stop(): stops the publisher (bounded) and publishes `stop`.
    void net_stop();

    //! Publish a status dict now, with this event name and optional detail text.
    //! Before the first net_start() the dict is made now (counters as they are)
    //! but held, and published right after `start` (at most 64 are held; more are
    //! counted as `status_held_dropped`), so `start` is always the first message.
    void publish_event(const std::string& event, const std::string& detail = "");

    //! Per-family extra fields for status dicts (e.g. `connected`, `endpoint`).
    virtual pmt::pmt_t extra_status_fields(pmt::pmt_t dict) const { return dict; }

    //! Count a malformed input by reason and log it (rate-limited).
    void count_malformed(const std::string& reason, const std::string& detail);
    //! Warning through d_logger, rate-limited (5 per second, then a summary).
    void warn_limited(const std::string& text);

    counter_set d_counters;
    cmd_dispatcher d_cmds;
    stderr_marker d_marker;
    gr::logger_ptr d_net_logger;

private:
    void handle_cmd(const pmt::pmt_t& msg);
    bool stop_status_thread(); //!< true if it was running
    void status_loop();
    pmt::pmt_t make_status(const std::string& event, const std::string& detail) const;

    gr::basic_block* d_self;
    rate_limiter d_warn_limiter;
    mutable std::mutex d_status_mutex;
    std::condition_variable d_status_cv;
    double d_status_period_s = 1.0;
    bool d_status_running = false;
    std::thread d_status_thread;
    std::mutex d_publish_mutex; //!< orders status messages across threads
    bool d_ever_started = false;
    std::vector<pmt::pmt_t> d_held_events;
};

/*!
 * \brief Joins a block's public class (which lists NETSTREAM_NETWORK_BLOCK_METHODS)
 * to the one core implementation.
 *
 * Block implementations derive from `network_block_impl<their_public_class>`
 * and initialise their GNU Radio base (gr::sync_block / gr::block) themselves,
 * as the most-derived class must for a virtual base.
 */
template <class Public>
class network_block_impl : public Public, public network_block_core
{
public:
    std::map<std::string, uint64_t> counters() const override
    {
        return network_block_core::counters();
    }
    uint64_t counter(const std::string& name) const override
    {
        return network_block_core::counter(name);
    }
    void reset_counters() override { network_block_core::reset_counters(); }
    void set_status_period(double seconds) override
    {
        network_block_core::set_status_period(seconds);
    }
    double status_period() const override { return network_block_core::status_period(); }

protected:
    network_block_impl() : network_block_core(this, this->d_logger) {}
};

} // namespace netstream
} // namespace gr

#endif
