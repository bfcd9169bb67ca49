/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "rogue_sink_impl.h"
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

int checked_framing(const std::string& len_tag_key, int frame_items)
{
    checked_range("frame_items", frame_items, 0, 1 << 30);
    if (len_tag_key.empty() && frame_items == 0) {
        throw std::invalid_argument(
            "frame_items: got 0 with an empty len_tag_key; give a "
            "length tag key, a frame size > 0, or both");
    }
    return frame_items;
}


std::chrono::milliseconds left_until(std::chrono::steady_clock::time_point deadline)
{
    return std::max(std::chrono::milliseconds(0),
                    std::chrono::duration_cast<std::chrono::milliseconds>(
                        deadline - std::chrono::steady_clock::now()));
}
} // namespace

rogue_sink_impl::rogue_sink_impl(const std::string& role,
                                 const std::string& address,
                                 int port,
                                 int itemsize,
                                 int vlen,
                                 const std::string& len_tag_key,
                                 int frame_items,
                                 int flags,
                                 int chan,
                                 int err,
                                 int timeout_ms,
                                 bool drop_on_timeout)
    : gr::sync_block("rogue_sink",
                     gr::io_signature::make(1, 1, checked_item_bytes(itemsize, vlen)),
                     gr::io_signature::make(0, 0, 0)),
      rogue_block_base<rogue_sink>(
          role, frame_direction::send, address, port, timeout_ms),
      d_item_bytes(static_cast<size_t>(itemsize) * static_cast<size_t>(vlen)),
      d_len_key(len_tag_key.empty() ? pmt::PMT_NIL : pmt::string_to_symbol(len_tag_key)),
      d_frame_items(static_cast<uint64_t>(checked_framing(len_tag_key, frame_items))),
      d_drop_on_timeout(drop_on_timeout),
      d_flags(static_cast<uint16_t>(checked_range("flags", flags, 0, 0xFFFF))),
      d_chan(static_cast<uint8_t>(checked_range("chan", chan, 0, 0xFF))),
      d_err(static_cast<uint8_t>(checked_range("err", err, 0, 0xFF))),
      d_coalescer(frame_batch_items(static_cast<size_t>(d_frame_items), d_item_bytes),
                  input_coalescer::max_wait_within(std::chrono::milliseconds(timeout_ms)))
{
    d_coalescer.request_buffer(*this);
    for (const char* c : { "dropped_timeout",
                           "empty_frames_skipped",
                           "items_without_frame",
                           "frames_lent",
                           "lent_wait_timeouts",
                           "lent_dropped_at_stop" }) {
        d_counters.declare(c);
    }
    d_cmds.add_int("flags", [this](int64_t v) { set_flags(static_cast<int>(v)); });
    d_cmds.add_int("chan", [this](int64_t v) { set_chan(static_cast<int>(v)); });
    d_cmds.add_int("err", [this](int64_t v) { set_err(static_cast<int>(v)); });
    // Frames are sent whole; tags are consumed here.
    this->set_tag_propagation_policy(gr::block::TPP_DONT);
}

void rogue_sink_impl::set_flags(int flags)
{
    d_flags = static_cast<uint16_t>(checked_range("flags", flags, 0, 0xFFFF));
}
void rogue_sink_impl::set_chan(int chan)
{
    d_chan = static_cast<uint8_t>(checked_range("chan", chan, 0, 0xFF));
}
void rogue_sink_impl::set_err(int err)
{
    d_err = static_cast<uint8_t>(checked_range("err", err, 0, 0xFF));
}

bool rogue_sink_impl::start()
{
    input_coalescer::release_multiple(*this);
    this->net_start();
    return rogue_sink::start();
}

bool rogue_sink_impl::stop()
{
    this->net_stop();
    if (d_lent_items > 0) {
        // ZeroMQ may still queue a frame that points into GNU Radio's buffer (the peer
        // stalled): close the socket, which drops it, before the buffer can go away.
        const auto r = d_lent.reclaim(clock::now() + d_timeout, [this] {
            d_net_logger->warn("stop: a lent frame was not sent within timeout_ms; "
                               "closing and reopening the socket to drop it");
            d_counters.add("lent_dropped_at_stop");
            d_counters.add(ctr::drops);
            d_marker.emit('D');
            try {
                reopen_transport();
            } catch (const std::exception& e) {
                d_net_logger->error("stop: reopening the socket failed: {}", e.what());
            }
        });
        if (r == lent_buffer::reclaim_result::still_lent) {
            d_net_logger->error("stop: ZeroMQ did not release a lent frame");
        }
    }
    d_lent_items = 0;
    d_coalescer.request_buffer(*this); // for the buffers of a restart
    return rogue_sink::stop();
}

uint64_t rogue_sink_impl::begin_frame(uint64_t offset)
{
    meta_collector meta;
    uint64_t len = 0;
    bool len_tagged = false;
    for (const auto& t : d_tags) {
        if (t.offset != offset) {
            continue;
        }
        if (!pmt::is_null(d_len_key) && pmt::eqv(t.key, d_len_key)) {
            // Several length tags on one item: all but the last describe empty frames.
            if (len_tagged && len == 0) {
                d_counters.add("empty_frames_skipped");
            }
            if (!pmt::is_integer(t.value) || pmt::to_long(t.value) < 0) {
                count_malformed("bad_length_tag",
                                "length tag must be a non-negative integer, got " +
                                    pmt::write_string(t.value));
                continue;
            }
            len = static_cast<uint64_t>(pmt::to_long(t.value));
            len_tagged = true;
            continue;
        }
        if (auto e = meta.offer(t.key, t.value)) {
            count_malformed(e.reason, e.detail);
        }
    }
    if (len_tagged && len == 0) {
        // Rogue loses an empty frame and the one after it: never send one.
        d_counters.add("empty_frames_skipped");
        warn_limited("skipped an empty frame (length tag 0): Rogue must never get one");
    }
    if (len == 0) {
        len = d_frame_items;
    }
    if (len == 0) {
        return 0;
    }
    d_meta = meta.resolve(frame_meta{ d_flags.load(), d_chan.load(), d_err.load() });
    d_have = 0;
    // Refuse an oversized frame before allocating it; its items are then skipped.
    const uint64_t bytes =
        len > max_payload_size / d_item_bytes ? max_payload_size + 1 : len * d_item_bytes;
    if (const parse_error refusal = check_payload_size(bytes)) {
        count_malformed(refusal.reason, refusal.detail);
        d_discarding = true;
        return len;
    }
    d_discarding = false;
    // The payload message is made in work(): a large frame that is whole in the input
    // is lent to ZeroMQ without a copy; otherwise one message of exactly the payload
    // size (large ones in a reused, already-mapped buffer) gets the items copied in.
    return len;
}

bool rogue_sink_impl::send_frame(zmq::message_t& payload, clock::time_point deadline)
{
    parse_error refusal;
    const size_t bytes = payload.size();
    const auto r = d_transport->send(
        d_meta.flags, d_meta.chan, d_meta.err, payload, left_until(deadline), refusal);
    if (r == rogue_transport::send_status::sent) {
        d_counters.add(ctr::frames_out);
        d_counters.add(ctr::bytes_out, bytes + 4);
        return true;
    }
    if (r == rogue_transport::send_status::refused) {
        count_malformed(refusal.reason, refusal.detail);
        return true;
    }
    if (!d_drop_on_timeout) {
        return false;
    }
    d_counters.add(ctr::drops);
    d_counters.add("dropped_timeout");
    d_marker.emit('D');
    warn_limited("dropped a frame: no Rogue peer took it within timeout_ms");
    return true;
}

int rogue_sink_impl::work(int noutput_items,
                          gr_vector_const_void_star& input_items,
                          gr_vector_void_star&)
{
    const auto* in = static_cast<const uint8_t*>(input_items[0]);
    const auto n = static_cast<uint64_t>(noutput_items);
    const uint64_t base = this->nitems_read(0);
    const auto deadline = clock::now() + d_timeout;
    uint64_t consumed = 0;
    if (d_lent_items > 0) {
        // The first d_lent_items items were sent without a copy: they may be consumed
        // (and overwritten upstream) only once ZeroMQ has given them back.
        if (!d_lent.wait_returned(deadline)) {
            d_counters.add("lent_wait_timeouts");
            return 0;
        }
        consumed = std::min(d_lent_items, n);
        d_lent_items = 0;
    } else if (d_coalescer.should_wait(static_cast<size_t>(n))) {
        return 0; // called again at once, with the input that came in meanwhile
    }
    this->get_tags_in_range(d_tags, 0, base, base + n);
    std::stable_sort(d_tags.begin(), d_tags.end(), gr::tag_t::offset_compare);

    while (consumed < n) {
        if (d_frame_len == 0) {
            d_frame_len = begin_frame(base + consumed);
            if (d_frame_len == 0) {
                // No frame starts here: skip to the next length tag (or the window end).
                uint64_t next = base + n;
                for (const auto& t : d_tags) {
                    if (t.offset > base + consumed && pmt::eqv(t.key, d_len_key)) {
                        next = std::min(next, t.offset);
                    }
                }
                const uint64_t skipped = next - (base + consumed);
                d_counters.add("items_without_frame", skipped);
                d_counters.add(ctr::drops);
                warn_limited("dropped " + std::to_string(skipped) +
                             " item(s) outside any frame (no length tag)");
                consumed += skipped;
                continue;
            }
        }
        const uint64_t k = std::min(d_frame_len - d_have, n - consumed);
        const size_t frame_bytes = static_cast<size_t>(d_frame_len) * d_item_bytes;
        if (!d_discarding && d_have == 0 && k == d_frame_len &&
            frame_bytes >= payload_pool::min_pooled_bytes) {
            // A large frame whole in the input: lend the items to ZeroMQ, no copy.
            zmq::message_t lent = d_lent.lend(in + consumed * d_item_bytes, frame_bytes);
            if (!send_frame(lent, deadline)) {
                break; // keep-blocking: not sent (the loan ended unsent); retry later
            }
            d_frame_len = 0;
            d_counters.add("frames_lent");
            if (d_lent.wait_returned(deadline)) {
                consumed += k;
                continue;
            }
            d_lent_items = k; // consumed on a later call, once ZeroMQ gives it back
            d_counters.add("lent_wait_timeouts");
            break;
        }
        if (!d_discarding && d_have == 0) {
            d_payload = d_pool->make(frame_bytes);
        }
        if (!d_discarding) {
            std::memcpy(static_cast<uint8_t*>(d_payload.data()) + d_have * d_item_bytes,
                        in + consumed * d_item_bytes,
                        k * d_item_bytes);
        }
        if (d_have + k < d_frame_len) {
            d_have += k;
            consumed += k;
            continue;
        }
        if (!d_discarding && !send_frame(d_payload, deadline)) {
            // Keep-blocking: give the last chunk back (d_have is unchanged) and try
            // again on the next call, so an upstream that has finished cannot make us
            // lose this frame. The same items come back and are copied to the same
            // place.
            break;
        }
        consumed += k;
        d_frame_len = 0;
        d_have = 0;
        d_discarding = false;
    }
    d_coalescer.note_consumed(static_cast<size_t>(consumed));
    d_counters.add(ctr::items_in, consumed);
    return static_cast<int>(consumed);
}

} // namespace rogue

rogue_sink::sptr rogue_sink::make(const std::string& role,
                                  const std::string& address,
                                  int port,
                                  int itemsize,
                                  int vlen,
                                  const std::string& len_tag_key,
                                  int frame_items,
                                  int flags,
                                  int chan,
                                  int err,
                                  int timeout_ms,
                                  bool drop_on_timeout)
{
    return gnuradio::make_block_sptr<rogue::rogue_sink_impl>(role,
                                                             address,
                                                             port,
                                                             itemsize,
                                                             vlen,
                                                             len_tag_key,
                                                             frame_items,
                                                             flags,
                                                             chan,
                                                             err,
                                                             timeout_ms,
                                                             drop_on_timeout);
}

} // namespace netstream
} // namespace gr
