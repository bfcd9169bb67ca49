/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_NETSTREAM_COMMON_COUNTER_SET_H
#define INCLUDED_NETSTREAM_COMMON_COUNTER_SET_H

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace gr {
namespace netstream {

//! The counters every block has; hot-path increments are lock-free.
enum class ctr : unsigned {
    items_in = 0,
    items_out,
    bytes_in,
    bytes_out,
    frames_in,
    frames_out,
    drops,
    gaps,
    malformed,
    reconnects,
    cmd_accepted,
    cmd_rejected,
    count_ //!< number of standard counters (not a counter)
};

//! Name of a standard counter as seen in status dicts and Python.
const char* counter_name(ctr c);

/*!
 * \brief Thread-safe set of named counters.
 *
 * Standard counters are atomics (cheap to bump from work() and I/O threads).
 * Other counters (per-reason malformed counts, family extras) live in a small
 * map behind a mutex; they are bumped only on rare events.
 */
class counter_set
{
public:
    counter_set();

    void add(ctr c, uint64_t n = 1)
    {
        d_std[idx(c)].fetch_add(n, std::memory_order_relaxed);
    }
    uint64_t get(ctr c) const { return d_std[idx(c)].load(std::memory_order_relaxed); }

    //! Bump a named counter (created at zero on first use).
    void add(const std::string& name, uint64_t n = 1);

    //! Count one malformed input: bumps `malformed` and `malformed.<reason>`.
    void add_malformed(const std::string& reason, uint64_t n = 1);

    //! Declare a named counter so it shows as 0 before its first event.
    void declare(const std::string& name);

    uint64_t get(const std::string& name) const;
    std::map<std::string, uint64_t> snapshot() const;
    void reset();

private:
    static constexpr unsigned idx(ctr c) { return static_cast<unsigned>(c); }
    std::array<std::atomic<uint64_t>, static_cast<unsigned>(ctr::count_)> d_std;
    mutable std::mutex d_mutex;
    std::map<std::string, uint64_t> d_named;
};

} // namespace netstream
} // namespace gr

#endif
