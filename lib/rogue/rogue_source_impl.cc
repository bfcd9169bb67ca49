/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "../common/input_coalescer.h"
#include "rogue_metadata.h"
#include "rogue_source_impl.h"
#include <gnuradio/io_signature.h>
#include <algorithm>
#include <cstring>

namespace gr {
namespace netstream {
namespace rogue {

namespace {
int checked_item_bytes(int itemsize, int vlen)
{
    checked_range("itemsize", itemsize, 1, 1 << 16);
    checked_range("vlen", vlen, 1, 1 << 20);
    return itemsize * vlen;
}

bool parse_partial_policy(const std::string& policy)
{
    if (policy == "drop") {
        return false;
    }
    if (policy == "pad") {
        return true;
    }
    throw std::invalid_argument("partial_policy: got '" + policy +
                                "', allowed 'drop' or 'pad'");
}

std::chrono::milliseconds left_until(std::chrono::steady_clock::time_point deadline)
{
    return std::max(std::chrono::milliseconds(0),
                    std::chrono::duration_cast<std::chrono::milliseconds>(
                        deadline - std::chrono::steady_clock::now()));
}

const pmt::pmt_t& packet_len_key()
{
    static const pmt::pmt_t k = pmt::string_to_symbol("packet_len");
    return k;
}
} // namespace

rogue_source_impl::rogue_source_impl(const std::string& role,
                                     const std::string& address,
                                     int port,
                                     int itemsize,
                                     int vlen,
                                     int channel_filter,
                                     bool drop_errors,
                                     const std::string& partial_policy,
                                     int timeout_ms)
    : gr::sync_block("rogue_source",
                     gr::io_signature::make(0, 0, 0),
                     gr::io_signature::make(1, 1, checked_item_bytes(itemsize, vlen))),
      rogue_block_base<rogue_source>(
          role, frame_direction::receive, address, port, timeout_ms),
      d_item_bytes(static_cast<size_t>(itemsize) * static_cast<size_t>(vlen)),
      d_pad_partial(parse_partial_policy(partial_policy)),
      d_channel_filter(checked_channel_filter(channel_filter)),
      d_drop_errors(drop_errors)
{
    this->set_min_output_buffer(source_min_output_items(d_item_bytes));
    for (const char* c :
         { "filtered_channel", "dropped_errors", "dropped_partial", "padded_partial" }) {
        d_counters.declare(c);
    }
    d_cmds.add_int("channel_filter",
                   [this](int64_t v) { set_channel_filter(static_cast<int>(v)); });
    d_cmds.add_bool("drop_errors", [this](bool v) { set_drop_errors(v); });
}

void rogue_source_impl::set_channel_filter(int channel)
{
    d_channel_filter = checked_channel_filter(channel);
}

bool rogue_source_impl::start()
{
    this->net_start();
    return rogue_source::start();
}

bool rogue_source_impl::stop()
{
    this->net_stop();
    return rogue_source::stop();
}

bool rogue_source_impl::next_frame(clock::time_point deadline, uint64_t tag_offset)
{
    while (true) {
        frame_view f;
        parse_error e;
        size_t wire_bytes = 0;
        const auto r = d_transport->receive(left_until(deadline), f, e, wire_bytes);
        if (r == rogue_transport::recv_status::timeout) {
            return false;
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
        const size_t rest = f.payload.size % d_item_bytes;
        d_cur = f.payload.data;
        d_cur_bytes = f.payload.size;
        d_out_bytes = f.payload.size;
        if (rest != 0) {
            if (!d_pad_partial) {
                d_counters.add("dropped_partial");
                d_counters.add(ctr::drops);
                warn_limited("dropped a frame of " + std::to_string(f.payload.size) +
                             " bytes: not a whole number of " +
                             std::to_string(d_item_bytes) + "-byte items");
                continue;
            }
            d_counters.add("padded_partial");
            d_out_bytes += d_item_bytes - rest;
        }
        d_pos = 0;
        const frame_meta m{ f.flags, f.chan, f.err };
        this->add_item_tag(0,
                           tag_offset,
                           packet_len_key(),
                           pmt::from_long(static_cast<long>(d_out_bytes / d_item_bytes)),
                           this->alias_pmt());
        for (const auto& kv : frame_metadata(m, f.payload.size, d_seq)) {
            this->add_item_tag(0, tag_offset, kv.first, kv.second, this->alias_pmt());
        }
        d_seq++;
        d_counters.add(ctr::frames_out);
        return true;
    }
}

int rogue_source_impl::work(int noutput_items,
                            gr_vector_const_void_star&,
                            gr_vector_void_star& output_items)
{
    auto* out = static_cast<uint8_t*>(output_items[0]);
    const auto n = static_cast<uint64_t>(noutput_items);
    const auto deadline = clock::now() + d_timeout;
    uint64_t produced = 0;
    while (produced < n) {
        if (d_pos >= d_out_bytes) {
            // Wait only while nothing was produced in this call.
            if (!next_frame(produced == 0 ? deadline : clock::now(),
                            this->nitems_written(0) + produced)) {
                break;
            }
            continue;
        }
        const size_t bytes = std::min(static_cast<size_t>(n - produced) * d_item_bytes,
                                      d_out_bytes - d_pos);
        uint8_t* dst = out + produced * d_item_bytes;
        const size_t data =
            d_pos < d_cur_bytes ? std::min(bytes, d_cur_bytes - d_pos) : 0;
        if (data > 0) {
            std::memcpy(dst, d_cur + d_pos, data);
        }
        if (data < bytes) {
            std::memset(dst + data, 0, bytes - data); // "pad" policy: the zero tail
        }
        d_pos += bytes;
        produced += bytes / d_item_bytes;
    }
    d_counters.add(ctr::items_out, produced);
    return static_cast<int>(produced);
}

} // namespace rogue

rogue_source::sptr rogue_source::make(const std::string& role,
                                      const std::string& address,
                                      int port,
                                      int itemsize,
                                      int vlen,
                                      int channel_filter,
                                      bool drop_errors,
                                      const std::string& partial_policy,
                                      int timeout_ms)
{
    return gnuradio::make_block_sptr<rogue::rogue_source_impl>(role,
                                                               address,
                                                               port,
                                                               itemsize,
                                                               vlen,
                                                               channel_filter,
                                                               drop_errors,
                                                               partial_policy,
                                                               timeout_ms);
}

} // namespace netstream
} // namespace gr
