/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "counter_set.h"

namespace gr {
namespace netstream {

const char* counter_name(ctr c)
{
    switch (c) {
    case ctr::items_in:
        return "items_in";
    case ctr::items_out:
        return "items_out";
    case ctr::bytes_in:
        return "bytes_in";
    case ctr::bytes_out:
        return "bytes_out";
    case ctr::frames_in:
        return "frames_in";
    case ctr::frames_out:
        return "frames_out";
    case ctr::drops:
        return "drops";
    case ctr::gaps:
        return "gaps";
    case ctr::malformed:
        return "malformed";
    case ctr::reconnects:
        return "reconnects";
    case ctr::cmd_accepted:
        return "cmd_accepted";
    case ctr::cmd_rejected:
        return "cmd_rejected";
    case ctr::count_:
        break;
    }
    return "?";
}

counter_set::counter_set()
{
    for (auto& a : d_std) {
        a.store(0);
    }
}

void counter_set::add(const std::string& name, uint64_t n)
{
    std::lock_guard<std::mutex> lock(d_mutex);
    d_named[name] += n;
}

void counter_set::add_malformed(const std::string& reason, uint64_t n)
{
    add(ctr::malformed, n);
    add("malformed." + reason, n);
}

void counter_set::declare(const std::string& name)
{
    std::lock_guard<std::mutex> lock(d_mutex);
    d_named.emplace(name, 0);
}

uint64_t counter_set::get(const std::string& name) const
{
    for (unsigned i = 0; i < d_std.size(); i++) {
        if (name == counter_name(static_cast<ctr>(i))) {
            return d_std[i].load(std::memory_order_relaxed);
        }
    }
    std::lock_guard<std::mutex> lock(d_mutex);
    auto it = d_named.find(name);
    return it == d_named.end() ? 0 : it->second;
}

std::map<std::string, uint64_t> counter_set::snapshot() const
{
    std::map<std::string, uint64_t> out;
    for (unsigned i = 0; i < d_std.size(); i++) {
        out[counter_name(static_cast<ctr>(i))] = d_std[i].load(std::memory_order_relaxed);
    }
    std::lock_guard<std::mutex> lock(d_mutex);
    for (const auto& kv : d_named) {
        out[kv.first] = kv.second;
    }
    return out;
}

void counter_set::reset()
{
    for (auto& a : d_std) {
        a.store(0);
    }
    std::lock_guard<std::mutex> lock(d_mutex);
    for (auto& kv : d_named) {
        kv.second = 0;
    }
}

} // namespace netstream
} // namespace gr
