/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "rogue_metadata.h"
#include "rogue_pdu_source_impl.h"
#include <gnuradio/io_signature.h>

namespace gr {
namespace netstream {
namespace rogue {

rogue_pdu_source_impl::rogue_pdu_source_impl(const std::string& role,
                                             const std::string& address,
                                             int port,
                                             int channel_filter,
                                             bool drop_errors,
                                             int timeout_ms)
    : gr::block("rogue_pdu_source",
                gr::io_signature::make(0, 0, 0),
                gr::io_signature::make(0, 0, 0)),
      rogue_block_base<rogue_pdu_source>(
          role, frame_direction::receive, address, port, timeout_ms),
      d_port(pmt::mp("pdus")),
      d_channel_filter(checked_channel_filter(channel_filter)),
      d_drop_errors(drop_errors)
{
    this->message_port_register_out(d_port);
    for (const char* c : { "filtered_channel", "dropped_errors" }) {
        d_counters.declare(c);
    }
    d_cmds.add_int("channel_filter",
                   [this](int64_t v) { set_channel_filter(static_cast<int>(v)); });
    d_cmds.add_bool("drop_errors", [this](bool v) { set_drop_errors(v); });
}

rogue_pdu_source_impl::~rogue_pdu_source_impl() { join_receiver(); }

void rogue_pdu_source_impl::set_channel_filter(int channel)
{
    d_channel_filter = checked_channel_filter(channel);
}

bool rogue_pdu_source_impl::start()
{
    this->net_start();
    join_receiver();
    d_running = true;
    d_thread = std::thread([this] { receive_loop(); });
    return rogue_pdu_source::start();
}

bool rogue_pdu_source_impl::stop()
{
    join_receiver(); // returns within one timeout_ms
    this->net_stop();
    return rogue_pdu_source::stop();
}

void rogue_pdu_source_impl::join_receiver()
{
    d_running = false;
    if (d_thread.joinable()) {
        d_thread.join();
    }
}

void rogue_pdu_source_impl::receive_loop()
{
    while (d_running.load()) {
        frame_view f;
        parse_error e;
        size_t wire_bytes = 0;
        const auto r = d_transport->receive(d_timeout, f, e, wire_bytes);
        if (r == rogue_transport::recv_status::timeout) {
            continue;
        }
        d_counters.add(ctr::bytes_in, wire_bytes);
        if (r == rogue_transport::recv_status::malformed) {
            count_malformed(e.reason, e.detail);
            continue;
        }
        d_counters.add(ctr::frames_in);
        if (!admit(f, d_channel_filter.load(), d_drop_errors.load())) {
            continue;
        }
        pmt::pmt_t meta = pmt::make_dict();
        for (const auto& kv :
             frame_metadata({ f.flags, f.chan, f.err }, f.payload.size, d_seq)) {
            meta = pmt::dict_add(meta, kv.first, kv.second);
        }
        d_seq++;
        const pmt::pmt_t data = pmt::init_u8vector(f.payload.size, f.payload.data);
        this->message_port_pub(d_port, pmt::cons(meta, data));
        d_counters.add(ctr::frames_out);
        d_counters.add(ctr::items_out, f.payload.size);
    }
}

} // namespace rogue

rogue_pdu_source::sptr rogue_pdu_source::make(const std::string& role,
                                              const std::string& address,
                                              int port,
                                              int channel_filter,
                                              bool drop_errors,
                                              int timeout_ms)
{
    return gnuradio::make_block_sptr<rogue::rogue_pdu_source_impl>(
        role, address, port, channel_filter, drop_errors, timeout_ms);
}

} // namespace netstream
} // namespace gr
