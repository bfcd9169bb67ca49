/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "rp_stream_worker.h"

namespace gr {
namespace netstream {
namespace redpitaya {

stream_worker::stream_worker(event_fn on_event) : d_event(std::move(on_event)) {}

std::string stream_worker::last_error() const
{
    std::lock_guard<std::mutex> lk(d_mutex);
    return d_error;
}

void stream_worker::start_worker(const std::function<void()>& reset_locked,
                                 std::function<void()> body)
{
    if (d_thread.joinable()) {
        return;
    }
    d_stop = false;
    {
        std::lock_guard<std::mutex> lk(d_mutex);
        d_worker_done = false;
        d_error.clear();
        reset_locked();
    }
    d_thread = std::thread(std::move(body));
}

void stream_worker::signal_and_join(std::atomic<bool>& flag)
{
    flag = true;
    d_cv.notify_all();
    if (d_thread.joinable()) {
        d_thread.join();
    }
}

void stream_worker::sleep_interruptible(std::chrono::milliseconds d,
                                        const std::atomic<bool>* end_request)
{
    std::unique_lock<std::mutex> lk(d_mutex);
    d_cv.wait_for(lk, d, [this, end_request] {
        return d_stop.load() || (end_request && end_request->load());
    });
}

void stream_worker::report_disconnect(const std::string& what)
{
    if (d_connected.exchange(false)) {
        d_event("disconnect", what);
    }
}

bool stream_worker::back_off_or_give_up(const std::string& what,
                                        bool fatal,
                                        reconnect_policy& policy,
                                        const std::atomic<bool>* end_request)
{
    d_event("error", what);
    {
        std::lock_guard<std::mutex> lk(d_mutex);
        d_error = what;
    }
    if (fatal || policy.gives_up() || (end_request && end_request->load())) {
        return false;
    }
    sleep_interruptible(policy.next_delay(), end_request);
    return true;
}

void stream_worker::mark_worker_done()
{
    d_connected = false;
    {
        std::lock_guard<std::mutex> lk(d_mutex);
        d_worker_done = true;
    }
    d_cv.notify_all();
}

} // namespace redpitaya
} // namespace netstream
} // namespace gr
