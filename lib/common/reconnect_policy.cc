/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "reconnect_policy.h"
#include <algorithm>
#include <stdexcept>

namespace gr {
namespace netstream {

reconnect_policy::mode reconnect_policy::parse_mode(const std::string& name)
{
    if (name == "retry") {
        return mode::retry;
    }
    if (name == "done") {
        return mode::done;
    }
    throw std::invalid_argument("reconnect policy: got '" + name +
                                "', allowed values are 'retry' and 'done'");
}

reconnect_policy::reconnect_policy(const std::string& mode_name,
                                   double initial_delay_s,
                                   double max_delay_s)
    : d_mode(parse_mode(mode_name))
{
    if (!(initial_delay_s > 0.0) || !(max_delay_s >= initial_delay_s)) {
        throw std::invalid_argument(
            "reconnect policy: need 0 < initial_delay <= max_delay (got " +
            std::to_string(initial_delay_s) + " s and " + std::to_string(max_delay_s) +
            " s)");
    }
    d_initial = std::chrono::milliseconds(static_cast<long>(initial_delay_s * 1e3));
    d_max = std::chrono::milliseconds(static_cast<long>(max_delay_s * 1e3));
    d_next = d_initial;
}

std::chrono::milliseconds reconnect_policy::next_delay()
{
    d_attempts++;
    auto now = d_next;
    d_next = std::min(d_max, d_next * 2);
    return now;
}

} // namespace netstream
} // namespace gr
