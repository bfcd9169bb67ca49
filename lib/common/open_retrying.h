/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_NETSTREAM_COMMON_OPEN_RETRYING_H
#define INCLUDED_NETSTREAM_COMMON_OPEN_RETRYING_H

#include <chrono>
#include <thread>

namespace gr {
namespace netstream {

/*!
 * \brief Calls open() until it returns without throwing, every 10 ms; after
 * \p limit, rethrows its last exception.
 *
 * For reopening a socket right after closing one on the same endpoint: ZeroMQ
 * closes the old socket on its own thread, so the port may stay busy for a moment.
 */
template <class Open>
auto open_retrying(Open open, std::chrono::milliseconds limit = std::chrono::seconds(2))
    -> decltype(open())
{
    const auto give_up = std::chrono::steady_clock::now() + limit;
    while (true) {
        try {
            return open();
        } catch (...) {
            if (std::chrono::steady_clock::now() >= give_up) {
                throw;
            }
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

} // namespace netstream
} // namespace gr

#endif
