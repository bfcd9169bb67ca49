/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_NETSTREAM_ROGUE_ROGUE_PDU_SINK_IMPL_H
#define INCLUDED_NETSTREAM_ROGUE_ROGUE_PDU_SINK_IMPL_H

#include "rogue_block_base.h"
#include <gnuradio/netstream/rogue_pdu_sink.h>
#include <atomic>

namespace gr {
namespace netstream {
namespace rogue {

class rogue_pdu_sink_impl : public rogue_block_base<rogue_pdu_sink>
{
public:
    rogue_pdu_sink_impl(const std::string& role,
                        const std::string& address,
                        int port,
                        int flags,
                        int chan,
                        int err,
                        int timeout_ms,
                        bool drop_on_timeout);

    void set_flags(int flags) override;
    void set_chan(int chan) override;
    void set_err(int err) override;

    bool start() override;
    bool stop() override;

private:
    void handle_pdu(const pmt::pmt_t& msg);

    const bool d_drop_on_timeout;
    std::atomic<uint16_t> d_flags;
    std::atomic<uint8_t> d_chan;
    std::atomic<uint8_t> d_err;
};

} // namespace rogue
} // namespace netstream
} // namespace gr

#endif
