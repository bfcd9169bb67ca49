/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_NETSTREAM_REDPITAYA_RP_STREAM_WORKER_H
#define INCLUDED_NETSTREAM_REDPITAYA_RP_STREAM_WORKER_H

// The worker-thread scaffolding shared by adc_stream and dac_stream: the thread, its
// stop flag, the mutex and condition variable (which also guard each stream's own
// queue and settings, and wake its own waits), the error that ended the stream, the
// done and connected flags, and the reconnect loop's error branch (report the error,
// record it, back off with the reconnect policy, retry or give up).

#include "../common/reconnect_policy.h"

#include <condition_variable>
#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace gr {
namespace netstream {
namespace redpitaya {

class stream_worker
{
public:
    //! (event, detail) for the block's status port and log; called on the worker thread.
    using event_fn = std::function<void(const std::string&, const std::string&)>;

    stream_worker(const stream_worker&) = delete;
    stream_worker& operator=(const stream_worker&) = delete;

    bool connected() const { return d_connected.load(); }
    //! The error that ended the stream (empty if none).
    std::string last_error() const;

protected:
    explicit stream_worker(event_fn on_event);
    //! The derived stream joins the worker (stop()) in its own destructor, while the
    //! members the worker uses still exist.
    ~stream_worker() = default;

    /*!
     * \brief Start \p body on the worker thread, unless the worker is running.
     * Clears the stop flag, then under d_mutex the done flag, the error and whatever
     * \p reset_locked resets (the stream's queue).
     */
    void start_worker(const std::function<void()>& reset_locked,
                      std::function<void()> body);
    //! Set \p flag (d_stop, or a stream's own end request), wake every wait on d_cv
    //! and join the worker.
    void signal_and_join(std::atomic<bool>& flag);

    //! Reconnect loop, link lost: report "disconnect" if the stream was connected.
    void report_disconnect(const std::string& what);
    /*!
     * \brief The reconnect loop's error branch: report "error", record \p what for
     * last_error(), then give up (false: leave the loop) if \p fatal, the policy gives
     * up, or \p end_request is set; else wait the policy's next delay (cut short by
     * stop or \p end_request) and return true (retry).
     * \param end_request a stream's own end request (the DAC's finish), or nullptr
     */
    bool back_off_or_give_up(const std::string& what,
                             bool fatal,
                             reconnect_policy& policy,
                             const std::atomic<bool>* end_request = nullptr);
    //! The worker's last step: not connected, done (under d_mutex); wakes every wait.
    void mark_worker_done();

    event_fn d_event;
    std::atomic<bool> d_stop{ false };
    std::atomic<bool> d_connected{ false };

    //! Guards d_error and d_worker_done, and the stream's own shared state; d_cv wakes
    //! every wait on any of it.
    mutable std::mutex d_mutex;
    std::condition_variable d_cv;
    std::string d_error;
    bool d_worker_done = false;

private:
    void sleep_interruptible(std::chrono::milliseconds d,
                             const std::atomic<bool>* end_request);

    std::thread d_thread;
};

} // namespace redpitaya
} // namespace netstream
} // namespace gr

#endif
