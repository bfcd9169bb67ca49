/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "rogue_metadata.h"
#include "rogue_pdu_sink_impl.h"
#include <gnuradio/io_signature.h>
#include <boost/thread/thread.hpp>

namespace gr {
namespace netstream {
namespace rogue {

rogue_pdu_sink_impl::rogue_pdu_sink_impl(const std::string& role,
                                         const std::string& address,
                                         int port,
                                         int flags,
                                         int chan,
                                         int err,
                                         int timeout_ms,
                                         bool drop_on_timeout)
    : gr::block("rogue_pdu_sink",
                gr::io_signature::make(0, 0, 0),
                gr::io_signature::make(0, 0, 0)),
      rogue_block_base<rogue_pdu_sink>(
          role, frame_direction::send, address, port, timeout_ms),
      d_drop_on_timeout(drop_on_timeout),
      d_flags(static_cast<uint16_t>(checked_range("flags", flags, 0, 0xFFFF))),
      d_chan(static_cast<uint8_t>(checked_range("chan", chan, 0, 0xFF))),
      d_err(static_cast<uint8_t>(checked_range("err", err, 0, 0xFF)))
{
    const pmt::pmt_t port_name = pmt::mp("pdus");
    this->message_port_register_in(port_name);
    this->set_msg_handler(port_name, [this](const pmt::pmt_t& msg) { handle_pdu(msg); });
    for (const char* c : { "dropped_timeout", "empty_frames_skipped" }) {
        d_counters.declare(c);
    }
    d_cmds.add_int("flags", [this](int64_t v) { set_flags(static_cast<int>(v)); });
    d_cmds.add_int("chan", [this](int64_t v) { set_chan(static_cast<int>(v)); });
    d_cmds.add_int("err", [this](int64_t v) { set_err(static_cast<int>(v)); });
}

void rogue_pdu_sink_impl::set_flags(int flags)
{
    d_flags = static_cast<uint16_t>(checked_range("flags", flags, 0, 0xFFFF));
}
void rogue_pdu_sink_impl::set_chan(int chan)
{
    d_chan = static_cast<uint8_t>(checked_range("chan", chan, 0, 0xFF));
}
void rogue_pdu_sink_impl::set_err(int err)
{
    d_err = static_cast<uint8_t>(checked_range("err", err, 0, 0xFF));
}

bool rogue_pdu_sink_impl::start()
{
    this->net_start();
    return rogue_pdu_sink::start();
}

bool rogue_pdu_sink_impl::stop()
{
    this->net_stop();
    return rogue_pdu_sink::stop();
}

void rogue_pdu_sink_impl::handle_pdu(const pmt::pmt_t& msg)
{
    if (!pmt::is_pair(msg) || !pmt::is_uniform_vector(pmt::cdr(msg)) ||
        !(pmt::is_dict(pmt::car(msg)) || pmt::is_null(pmt::car(msg)))) {
        count_malformed("not_a_pdu",
                        "expected (meta-dict . uniform vector), got " +
                            pmt::write_string(msg).substr(0, 80));
        return;
    }
    const pmt::pmt_t data = pmt::cdr(msg);
    size_t bytes = 0;
    const auto* payload =
        static_cast<const uint8_t*>(pmt::uniform_vector_elements(data, bytes));
    d_counters.add(ctr::items_in, bytes);
    if (bytes == 0) {
        // Rogue loses an empty frame and the one after it: never send one.
        d_counters.add("empty_frames_skipped");
        warn_limited("skipped an empty PDU: Rogue must never get an empty payload");
        return;
    }
    meta_collector meta;
    if (auto e = meta.offer_dict(pmt::car(msg))) {
        count_malformed(e.reason, e.detail);
    }
    const frame_meta m = meta.resolve({ d_flags.load(), d_chan.load(), d_err.load() });
    while (true) {
        parse_error refusal;
        const auto r =
            d_transport->send(m.flags, m.chan, m.err, payload, bytes, d_timeout, refusal);
        if (r == rogue_transport::send_status::sent) {
            d_counters.add(ctr::frames_out);
            d_counters.add(ctr::bytes_out, bytes + 4);
            return;
        }
        if (r == rogue_transport::send_status::refused) {
            count_malformed(refusal.reason, refusal.detail);
            return;
        }
        if (d_drop_on_timeout) {
            d_counters.add(ctr::drops);
            d_counters.add("dropped_timeout");
            d_marker.emit('D');
            warn_limited("dropped a PDU: no Rogue peer took it within timeout_ms");
            return;
        }
        // Keep waiting like Rogue, but let the flowgraph's stop interrupt us.
        boost::this_thread::interruption_point();
    }
}

} // namespace rogue

rogue_pdu_sink::sptr rogue_pdu_sink::make(const std::string& role,
                                          const std::string& address,
                                          int port,
                                          int flags,
                                          int chan,
                                          int err,
                                          int timeout_ms,
                                          bool drop_on_timeout)
{
    return gnuradio::make_block_sptr<rogue::rogue_pdu_sink_impl>(
        role, address, port, flags, chan, err, timeout_ms, drop_on_timeout);
}

} // namespace netstream
} // namespace gr
