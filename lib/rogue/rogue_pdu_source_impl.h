/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_NETSTREAM_ROGUE_ROGUE_PDU_SOURCE_IMPL_H
#define INCLUDED_NETSTREAM_ROGUE_ROGUE_PDU_SOURCE_IMPL_H

#include "rogue_block_base.h"
#include <gnuradio/netstream/rogue_pdu_source.h>
#include <atomic>
#include <thread>

namespace gr {
namespace netstream {
namespace rogue {

class rogue_pdu_source_impl : public rogue_block_base<rogue_pdu_source>
{
public:
    rogue_pdu_source_impl(const std::string& role,
                          const std::string& address,
                          int port,
                          int channel_filter,
                          bool drop_errors,
                          int timeout_ms);
    ~rogue_pdu_source_impl() override;

    void set_channel_filter(int channel) override;
    int channel_filter() const override { return d_channel_filter.load(); }
    void set_drop_errors(bool drop) override { d_drop_errors = drop; }
    bool drop_errors() const override { return d_drop_errors.load(); }

    bool start() override;
    bool stop() override;

private:
    void receive_loop();
    void join_receiver();

    const pmt::pmt_t d_port;
    std::atomic<int> d_channel_filter;
    std::atomic<bool> d_drop_errors;
    std::atomic<bool> d_running{ false };
    std::thread d_thread;
    uint64_t d_seq = 0;
};

} // namespace rogue
} // namespace netstream
} // namespace gr

#endif
