/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "cmd_dispatch.h"
#include <stdexcept>

namespace gr {
namespace netstream {

void cmd_dispatcher::add(const std::string& key,
                         std::function<void(const pmt::pmt_t&)> fn)
{
    d_handlers[key] = std::move(fn);
}

void cmd_dispatcher::add_double(const std::string& key, std::function<void(double)> fn)
{
    add(key, [fn](const pmt::pmt_t& v) {
        if (!pmt::is_number(v) || pmt::is_complex(v)) {
            throw std::invalid_argument("expected a real number");
        }
        fn(pmt::is_uint64(v) ? static_cast<double>(pmt::to_uint64(v))
                             : pmt::to_double(v));
    });
}

void cmd_dispatcher::add_int(const std::string& key, std::function<void(int64_t)> fn)
{
    add(key, [fn](const pmt::pmt_t& v) {
        if (pmt::is_integer(v)) {
            fn(pmt::to_long(v));
        } else if (pmt::is_uint64(v)) {
            fn(static_cast<int64_t>(pmt::to_uint64(v)));
        } else if (pmt::is_real(v) &&
                   pmt::to_double(v) ==
                       static_cast<double>(static_cast<int64_t>(pmt::to_double(v)))) {
            fn(static_cast<int64_t>(pmt::to_double(v)));
        } else {
            throw std::invalid_argument("expected an integer");
        }
    });
}

void cmd_dispatcher::add_bool(const std::string& key, std::function<void(bool)> fn)
{
    add(key, [fn](const pmt::pmt_t& v) {
        if (pmt::is_bool(v)) {
            fn(pmt::to_bool(v));
        } else if (pmt::is_integer(v)) {
            fn(pmt::to_long(v) != 0);
        } else {
            throw std::invalid_argument("expected a boolean");
        }
    });
}

void cmd_dispatcher::add_string(const std::string& key,
                                std::function<void(const std::string&)> fn)
{
    add(key, [fn](const pmt::pmt_t& v) {
        if (!pmt::is_symbol(v)) {
            throw std::invalid_argument("expected a string");
        }
        fn(pmt::symbol_to_string(v));
    });
}

void cmd_dispatcher::add_action(const std::string& key, std::function<void()> fn)
{
    add(key, [fn](const pmt::pmt_t&) { fn(); });
}

void cmd_dispatcher::handle_one(const pmt::pmt_t& key,
                                const pmt::pmt_t& value,
                                result& r) const
{
    if (!pmt::is_symbol(key)) {
        r.rejected++;
        r.errors.push_back("cmd key is not a symbol: " + pmt::write_string(key));
        return;
    }
    const std::string name = pmt::symbol_to_string(key);
    auto it = d_handlers.find(name);
    if (it == d_handlers.end()) {
        r.rejected++;
        std::string known;
        for (const auto& kv : d_handlers) {
            known += (known.empty() ? "" : ", ") + kv.first;
        }
        r.errors.push_back("unknown cmd key '" + name + "' (known: " + known + ")");
        return;
    }
    try {
        it->second(value);
        r.accepted++;
    } catch (const std::exception& e) {
        r.rejected++;
        r.errors.push_back("cmd key '" + name + "' rejected value " +
                           pmt::write_string(value) + ": " + e.what());
    } catch (...) {
        r.rejected++;
        r.errors.push_back("cmd key '" + name + "' rejected value " +
                           pmt::write_string(value));
    }
}

cmd_dispatcher::result cmd_dispatcher::dispatch(const pmt::pmt_t& msg) const noexcept
{
    result r;
    try {
        // A PMT dict is an association list: a list whose elements are pairs.
        // A single (key . value) pair has a symbol as its car instead.
        if (pmt::is_null(msg)) {
            return r; // empty dict: nothing to do
        }
        if (pmt::is_pair(msg) && pmt::is_pair(pmt::car(msg))) {
            for (pmt::pmt_t p = msg; pmt::is_pair(p); p = pmt::cdr(p)) {
                const pmt::pmt_t kv = pmt::car(p);
                if (!pmt::is_pair(kv)) {
                    r.rejected++;
                    r.errors.push_back("cmd dict entry is not a pair: " +
                                       pmt::write_string(kv));
                    continue;
                }
                handle_one(pmt::car(kv), pmt::cdr(kv), r);
            }
        } else if (pmt::is_pair(msg)) {
            handle_one(pmt::car(msg), pmt::cdr(msg), r);
        } else {
            r.rejected++;
            r.errors.push_back(
                "cmd message must be a dict or a (key . value) pair, got " +
                pmt::write_string(msg));
        }
    } catch (const std::exception& e) {
        r.rejected++;
        r.errors.push_back(std::string("malformed cmd message: ") + e.what());
    }
    return r;
}

std::vector<std::string> cmd_dispatcher::keys() const
{
    std::vector<std::string> k;
    for (const auto& kv : d_handlers) {
        k.push_back(kv.first);
    }
    return k;
}

} // namespace netstream
} // namespace gr
