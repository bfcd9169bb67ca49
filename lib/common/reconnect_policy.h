/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_NETSTREAM_COMMON_RECONNECT_POLICY_H
#define INCLUDED_NETSTREAM_COMMON_RECONNECT_POLICY_H

#include <chrono>
#include <string>

namespace gr {
namespace netstream {

/*!
 * \brief What a client-role block does when its link is lost, and how long it waits.
 *
 * `retry`: reconnect with exponential back-off (initial delay doubled after
 * every failed attempt, capped at `max_delay`, reset after a success).
 * `done`: give up; the block's work() returns WORK_DONE and the flowgraph ends.
 */
class reconnect_policy
{
public:
    enum class mode { retry, done };

    //! \throws std::invalid_argument naming the bad value.
    reconnect_policy(const std::string& mode_name = "retry",
                     double initial_delay_s = 0.1,
                     double max_delay_s = 5.0);

    static mode parse_mode(const std::string& name); //!< "retry" or "done"

    mode policy() const { return d_mode; }
    bool gives_up() const { return d_mode == mode::done; }

    //! Delay before the next attempt; doubles the following one (up to the cap).
    std::chrono::milliseconds next_delay();
    //! Call after a successful (re)connection.
    void reset() { d_next = d_initial; }
    unsigned attempts() const { return d_attempts; }

private:
    mode d_mode;
    std::chrono::milliseconds d_initial;
    std::chrono::milliseconds d_max;
    std::chrono::milliseconds d_next;
    unsigned d_attempts = 0;
};

} // namespace netstream
} // namespace gr

#endif
