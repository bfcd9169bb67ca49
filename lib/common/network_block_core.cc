/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "network_block_core.h"
#include <chrono>
#include <stdexcept>

namespace gr {
namespace netstream {

namespace {
const pmt::pmt_t& cmd_port()
{
    static const pmt::pmt_t p = pmt::mp("cmd");
    return p;
}
const pmt::pmt_t& status_port()
{
    static const pmt::pmt_t p = pmt::mp("status");
    return p;
}
} // namespace

network_block_core::network_block_core(gr::basic_block* self, gr::logger_ptr logger)
    : d_net_logger(std::move(logger)), d_self(self)
{
    d_self->message_port_register_in(cmd_port());
    d_self->message_port_register_out(status_port());
    d_self->set_msg_handler(cmd_port(),
                            [this](const pmt::pmt_t& msg) { handle_cmd(msg); });

    d_cmds.add_double("status_period", [this](double s) { set_status_period(s); });
    d_cmds.add_action("reset_counters", [this]() { reset_counters(); });
    d_cmds.add_action("publish_status", [this]() { publish_event("request"); });
}

network_block_core::~network_block_core() { stop_status_thread(); }

std::map<std::string, uint64_t> network_block_core::counters() const
{
    return d_counters.snapshot();
}

uint64_t network_block_core::counter(const std::string& name) const
{
    return d_counters.get(name);
}

void network_block_core::reset_counters() { d_counters.reset(); }

void network_block_core::set_status_period(double seconds)
{
    if (!(seconds >= 0.0) || seconds > 86400.0) {
        throw std::invalid_argument("status_period: got " + std::to_string(seconds) +
                                    " s, allowed 0 (events only) to 86400 s");
    }
    {
        std::lock_guard<std::mutex> lock(d_status_mutex);
        d_status_period_s = seconds;
    }
    d_status_cv.notify_all();
}

double network_block_core::status_period() const
{
    std::lock_guard<std::mutex> lock(d_status_mutex);
    return d_status_period_s;
}

void network_block_core::net_start()
{
    {
        std::lock_guard<std::mutex> publish_lock(d_publish_mutex);
        d_self->message_port_pub(status_port(), make_status("start", ""));
        for (const auto& held : d_held_events) {
            d_self->message_port_pub(status_port(), held);
        }
        d_held_events.clear();
        d_ever_started = true;
    }
    std::lock_guard<std::mutex> lock(d_status_mutex);
    if (d_status_running) {
        return;
    }
    d_status_running = true;
    d_status_thread = std::thread([this]() { status_loop(); });
}

bool network_block_core::stop_status_thread()
{
    {
        std::lock_guard<std::mutex> lock(d_status_mutex);
        if (!d_status_running) {
            return false;
        }
        d_status_running = false;
    }
    d_status_cv.notify_all();
    if (d_status_thread.joinable()) {
        d_status_thread.join();
    }
    return true;
}

void network_block_core::net_stop()
{
    if (stop_status_thread()) {
        publish_event("stop");
    }
}

void network_block_core::status_loop()
{
    std::unique_lock<std::mutex> lock(d_status_mutex);
    while (d_status_running) {
        const double period = d_status_period_s;
        if (period <= 0.0) {
            d_status_cv.wait(lock);
            continue;
        }
        const auto wait = std::chrono::microseconds(static_cast<int64_t>(period * 1e6));
        if (d_status_cv.wait_for(lock, wait) == std::cv_status::timeout &&
            d_status_running) {
            lock.unlock();
            publish_event("periodic");
            lock.lock();
        }
    }
}

pmt::pmt_t network_block_core::make_status(const std::string& event,
                                           const std::string& detail) const
{
    pmt::pmt_t d = pmt::make_dict();
    for (const auto& kv : d_counters.snapshot()) {
        d = pmt::dict_add(d, pmt::mp(kv.first), pmt::from_uint64(kv.second));
    }
    d = pmt::dict_add(d, pmt::mp("event"), pmt::mp(event));
    if (!detail.empty()) {
        d = pmt::dict_add(d, pmt::mp("detail"), pmt::mp(detail));
    }
    d = pmt::dict_add(d, pmt::mp("block"), pmt::mp(d_self->alias()));
    return extra_status_fields(d);
}

void network_block_core::publish_event(const std::string& event,
                                       const std::string& detail)
{
    constexpr size_t max_held = 64;
    std::lock_guard<std::mutex> lock(d_publish_mutex);
    if (d_ever_started) {
        d_self->message_port_pub(status_port(), make_status(event, detail));
    } else if (d_held_events.size() < max_held) {
        d_held_events.push_back(make_status(event, detail));
    } else {
        d_counters.add("status_held_dropped", 1);
    }
}

void network_block_core::count_malformed(const std::string& reason,
                                         const std::string& detail)
{
    d_counters.add_malformed(reason);
    warn_limited("malformed input (" + reason + "): " + detail);
}

void network_block_core::warn_limited(const std::string& text)
{
    if (d_warn_limiter.allow()) {
        const uint64_t skipped = d_warn_limiter.take_suppressed();
        if (skipped) {
            d_net_logger->warn("{} ({} similar warnings suppressed)", text, skipped);
        } else {
            d_net_logger->warn("{}", text);
        }
    }
}

void network_block_core::handle_cmd(const pmt::pmt_t& msg)
{
    const auto r = d_cmds.dispatch(msg);
    d_counters.add(ctr::cmd_accepted, r.accepted);
    d_counters.add(ctr::cmd_rejected, r.rejected);
    for (const auto& e : r.errors) {
        d_net_logger->warn("{}", e);
    }
}

} // namespace netstream
} // namespace gr
