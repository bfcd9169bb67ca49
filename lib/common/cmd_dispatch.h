/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_NETSTREAM_COMMON_CMD_DISPATCH_H
#define INCLUDED_NETSTREAM_COMMON_CMD_DISPATCH_H

#include <pmt/pmt.h>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace gr {
namespace netstream {

/*!
 * \brief Table of `cmd` message keys and their handlers.
 *
 * A message is a PMT dict (each key handled in turn) or a single pair
 * (key . value). Typed registration converts and checks the value; a handler
 * may throw std::invalid_argument / std::out_of_range to reject a value it
 * does not accept. dispatch() never throws: every failure is returned as a
 * human-readable error line.
 */
class cmd_dispatcher
{
public:
    struct result {
        unsigned accepted = 0;
        unsigned rejected = 0;
        std::vector<std::string> errors; //!< one line per rejected key or message
    };

    //! Raw handler: gets the PMT value as it came.
    void add(const std::string& key, std::function<void(const pmt::pmt_t&)> fn);
    void add_double(const std::string& key, std::function<void(double)> fn);
    void add_int(const std::string& key, std::function<void(int64_t)> fn);
    void add_bool(const std::string& key, std::function<void(bool)> fn);
    void add_string(const std::string& key, std::function<void(const std::string&)> fn);
    //! Key whose value is ignored (an action such as `reset_counters`).
    void add_action(const std::string& key, std::function<void()> fn);

    result dispatch(const pmt::pmt_t& msg) const noexcept;
    std::vector<std::string> keys() const;

private:
    void handle_one(const pmt::pmt_t& key, const pmt::pmt_t& value, result& r) const;
    std::map<std::string, std::function<void(const pmt::pmt_t&)>> d_handlers;
};

} // namespace netstream
} // namespace gr

#endif
