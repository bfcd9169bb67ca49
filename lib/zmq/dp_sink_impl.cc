/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "../common/open_retrying.h"
#include "dp_params.h"
#include "dp_sample_convert.h"
#include "dp_sink_impl.h"
#include <gnuradio/netstream/zmq_pub_sink.h>
#include <gnuradio/netstream/zmq_push_sink.h>
#include <gnuradio/netstream/zmq_rep_sink.h>
#include <algorithm>
#include <stdexcept>

namespace gr {
namespace netstream {
namespace dp {

namespace {
const dp_sink_params& checked(const dp_sink_params& p)
{
    check_frame_size(p.frame_size);
    check_timeout_ms(p.timeout_ms);
    check_scale(p.scale);
    if (!(p.flush_ms >= 0.0) || p.flush_ms > 60000.0) {
        throw std::invalid_argument("flush_ms: got " + std::to_string(p.flush_ms) +
                                    ", allowed 0 .. 60000");
    }
    if (p.sample_rate < 0.0) {
        throw std::invalid_argument("sample_rate: got " + std::to_string(p.sample_rate) +
                                    ", must be >= 0 (0 = unknown)");
    }
    return p;
}
} // namespace

template <class Public>
dp_sink_impl<Public>::dp_sink_impl(int zmq_type,
                                   const char* name,
                                   const dp_sink_params& p)
    : gr::sync_block(name,
                     gr::io_signature::make(1, 1, sizeof(gr_complex)),
                     gr::io_signature::make(0, 0, 0)),
      d_type(zmq_type),
      d_drop_on_full(p.drop_on_full),
      d_timeout(checked(p).timeout_ms),
      d_flush(static_cast<int64_t>(p.flush_ms * 1000.0)),
      d_builder(parse_type_name(p.sample_type),
                static_cast<size_t>(p.frame_size),
                resolve_scale(parse_type_name(p.sample_type), p.scale),
                p.sample_rate,
                p.center_freq),
      d_coalescer(
          frame_batch_items(static_cast<size_t>(p.frame_size), sizeof(gr_complex)),
          input_coalescer::max_wait_within(d_flush))
{
    d_coalescer.request_buffer(*this);
    const size_t frame_bytes = static_cast<size_t>(p.frame_size) *
                               bytes_per_sample(static_cast<uint32_t>(d_builder.type()));
    d_endpoint = p.endpoint;
    d_bind = p.bind;
    d_hwm = resolve_send_hwm(p.hwm, frame_bytes);
    // Lending whole frames waits for ZeroMQ to send each one: right for PUSH, REP and
    // a blocking PUB, not for a PUB that must drop instead of waiting.
    // Over inproc:// the receiver gets the message itself and holds it as long as it
    // likes, so nothing is lent there.
    d_may_lend =
        !(zmq_type == ZMQ_PUB && p.drop_on_full) && p.endpoint.rfind("inproc://", 0) != 0;
    d_sock = std::make_unique<dp_socket>(
        zmq_type,
        p.endpoint,
        p.bind,
        d_hwm,
        [this](const std::string& ev, const std::string& peer) {
            on_socket_event(ev, peer);
        });

    d_counters.declare("items_dropped");
    for (const char* c :
         { "frames_lent", "lent_wait_timeouts", "lent_dropped_at_stop" }) {
        d_counters.declare(c);
    }
    if (d_type == ZMQ_PUB) {
        d_counters.declare("frames_unsubscribed");
    }
    d_counters.declare("connects");
    d_counters.declare("disconnects");
    if (d_type == ZMQ_REP) {
        d_counters.declare("requests");
    }
    this->d_cmds.add_double("sample_rate", [this](double r) { set_sample_rate(r); });
    this->d_cmds.add_double("center_freq", [this](double f) { set_center_freq(f); });
    this->d_cmds.add_double("flush_ms", [this](double ms) {
        if (!(ms >= 0.0) || ms > 60000.0) {
            throw std::out_of_range("allowed 0 .. 60000");
        }
        std::lock_guard<std::mutex> lock(d_mutex);
        d_flush = std::chrono::microseconds(static_cast<int64_t>(ms * 1000.0));
        d_coalescer.set_max_wait(input_coalescer::max_wait_within(d_flush));
    });
    // Frames are sent whole; tags are consumed here, not propagated.
    this->set_tag_propagation_policy(gr::block::TPP_DONT);
}

template <class Public>
dp_sink_impl<Public>::~dp_sink_impl() = default;

template <class Public>
uint64_t dp_sink_impl<Public>::next_sequence() const
{
    // An atomic copy: status publishing must not take d_mutex (work() holds it).
    return d_next_seq.load();
}

template <class Public>
void dp_sink_impl<Public>::set_sample_rate(double rate)
{
    if (!(rate >= 0.0)) {
        throw std::invalid_argument("sample_rate must be >= 0");
    }
    std::lock_guard<std::mutex> lock(d_mutex);
    d_builder.set_sample_rate(rate);
}

template <class Public>
void dp_sink_impl<Public>::set_center_freq(double freq)
{
    std::lock_guard<std::mutex> lock(d_mutex);
    d_builder.set_center_freq(freq);
}

template <class Public>
pmt::pmt_t dp_sink_impl<Public>::extra_status_fields(pmt::pmt_t d) const
{
    d = pmt::dict_add(d, pmt::mp("endpoint"), pmt::mp(d_sock->last_endpoint()));
    d = pmt::dict_add(d, pmt::mp("sequence"), pmt::from_uint64(next_sequence()));
    return d;
}

template <class Public>
void dp_sink_impl<Public>::on_socket_event(const std::string& ev, const std::string& peer)
{
    if (ev == "disconnect") {
        d_counters.add("disconnects");
    } else {
        d_counters.add("connects");
    }
    this->d_net_logger->info("{} {}", ev, peer);
    publish_event(ev == "disconnect" ? "disconnect" : "connect", peer);
}

template <class Public>
bool dp_sink_impl<Public>::start()
{
    input_coalescer::release_multiple(*this);
    this->net_start();
    return Public::start();
}

template <class Public>
bool dp_sink_impl<Public>::stop()
{
    // Send what is pending (bounded by one timeout), then stop reporting.
    {
        std::lock_guard<std::mutex> lock(d_mutex);
        const auto deadline = clock::now() + d_timeout;
        if (d_builder.pending() > 0 || d_out_ready) {
            if (d_type != ZMQ_REP || poll_request(deadline)) {
                transmit(deadline);
            }
        }
        if (d_lent_items > 0) {
            release_lent_frame(deadline);
        }
    }
    this->net_stop();
    d_coalescer.request_buffer(*this); // for the buffers of a restart
    return Public::stop();
}

template <class Public>
void dp_sink_impl<Public>::release_lent_frame(clock::time_point deadline)
{
    // Items lent to ZeroMQ live in GNU Radio's buffer, which may go away after stop():
    // get them back, if need be by dropping the frame (counted).
    if (d_out_ready) {
        d_out_ready = false;
        d_out_payload.rebuild(0); // never handed to ZeroMQ: the loan ends here
        d_counters.add("lent_dropped_at_stop");
        d_counters.add(ctr::drops);
        d_counters.add("items_dropped", d_out_items);
    }
    const auto r = d_lent.reclaim(deadline, [this] {
        d_net_logger->warn("stop: a lent frame was not sent within timeout_ms; closing "
                           "and reopening the socket to drop it");
        d_counters.add("lent_dropped_at_stop");
        d_counters.add(ctr::drops);
        d_counters.add("items_dropped", d_out_items);
        d_marker.emit('D');
        reopen_socket();
    });
    if (r == lent_buffer::reclaim_result::still_lent) {
        d_net_logger->error("stop: ZeroMQ did not release a lent frame");
    }
    d_lent_items = 0;
}

template <class Public>
void dp_sink_impl<Public>::reopen_socket()
{
    // Same endpoint (a bound port 0 keeps the port it got).
    const std::string endpoint = d_bind ? d_sock->last_endpoint() : d_endpoint;
    d_sock->drop_unsent_on_close();
    d_sock.reset();
    try {
        d_sock = open_retrying([&] {
            return std::make_unique<dp_socket>(
                d_type,
                endpoint,
                d_bind,
                d_hwm,
                [this](const std::string& ev, const std::string& peer) {
                    on_socket_event(ev, peer);
                });
        });
    } catch (const std::exception& e) {
        d_net_logger->error("could not reopen {}: {}", endpoint, e.what());
        throw;
    }
}

template <class Public>
bool dp_sink_impl<Public>::flush_due() const
{
    return d_builder.pending() > 0 && d_flush.count() > 0 &&
           clock::now() - d_builder.first_item_time() >= d_flush;
}

template <class Public>
bool dp_sink_impl<Public>::slow_input() const
{
    // The frame cannot fill within flush_ms at the current input rate: waiting only
    // adds latency, so send what we have as soon as the input is drained.
    if (d_builder.pending() == 0 || d_flush.count() == 0 || d_coalescer.rate() <= 0.0) {
        return false;
    }
    const double left = static_cast<double>(d_builder.frame_size() - d_builder.pending());
    return left / d_coalescer.rate() > std::chrono::duration<double>(d_flush).count();
}

template <class Public>
bool dp_sink_impl<Public>::poll_request(clock::time_point deadline)
{
    while (!d_have_request) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - clock::now());
        if (!d_sock->wait_readable(std::max(left, std::chrono::milliseconds(0)))) {
            return false;
        }
        if (!d_sock->recv_all_parts(d_parts)) {
            continue;
        }
        // Any request gets a reply (REP must answer); a malformed one is counted.
        header h;
        const size_t payload_len = d_parts.size() > 1 ? d_parts[1].size() : 0;
        if (auto e = validate_frame(d_parts.size(),
                                    static_cast<const uint8_t*>(d_parts[0].data()),
                                    d_parts[0].size(),
                                    payload_len,
                                    h)) {
            count_malformed(e.reason, "request: " + e.detail);
        }
        d_counters.add("requests");
        d_counters.add(ctr::frames_in);
        d_have_request = true;
    }
    return true;
}

template <class Public>
bool dp_sink_impl<Public>::transmit(clock::time_point deadline)
{
    if (d_type == ZMQ_REP && !poll_request(deadline)) {
        return false;
    }
    if (!d_out_ready) {
        d_out_items = d_builder.pending();
        d_builder.take(d_out_hdr, d_out_payload, d_lent);
        d_next_seq = d_builder.next_sequence();
        d_out_ready = true;
    }
    const size_t bytes = d_out_hdr.size() + d_out_payload.size();
    while (!d_sock->try_send(d_out_hdr, d_out_payload)) {
        if (d_type == ZMQ_PUB && d_drop_on_full) {
            d_counters.add(ctr::drops);
            d_counters.add("items_dropped", d_out_items);
            d_marker.emit('D');
            d_out_ready = false;
            d_out_payload.rebuild(0); // ends a loan at once
            if (!d_in_drop_burst) {
                d_in_drop_burst = true;
                publish_event("drop", "send queue full (slow or stalled subscriber)");
            }
            return true;
        }
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - clock::now());
        if (left.count() <= 0 || !d_sock->wait_writable(left)) {
            return false; // keep the frame; work() returns, stop() stays bounded
        }
    }
    if (d_type == ZMQ_PUB && d_sock->peers() == 0) {
        // PUB discards frames nobody subscribes to: make that visible too.
        d_counters.add("frames_unsubscribed");
    }
    d_in_drop_burst = false;
    d_out_ready = false;
    d_have_request = false;
    d_counters.add(ctr::frames_out);
    d_counters.add(ctr::items_out, d_out_items);
    d_counters.add(ctr::bytes_out, bytes);
    return true;
}

template <class Public>
int dp_sink_impl<Public>::work(int noutput_items,
                               gr_vector_const_void_star& input_items,
                               gr_vector_void_star&)
{
    const auto* in = static_cast<const gr_complex*>(input_items[0]);
    const auto deadline = clock::now() + d_timeout;
    const uint64_t base = this->nitems_read(0);
    std::lock_guard<std::mutex> lock(d_mutex);

    size_t consumed = 0;
    const auto n = static_cast<size_t>(noutput_items);
    d_sock->service_if_due();
    if (d_lent_items > 0) {
        // The first d_lent_items items went out without a copy: send them if that
        // is still pending, then consume them only once ZeroMQ has given them back.
        if (d_out_ready && !transmit(deadline)) {
            return 0;
        }
        if (!d_lent.wait_returned(deadline)) {
            d_counters.add("lent_wait_timeouts");
            return 0;
        }
        consumed = std::min(d_lent_items, n);
        d_lent_items = 0;
    } else if (!d_out_ready &&
               d_coalescer.should_wait(static_cast<size_t>(noutput_items))) {
        return 0; // called again at once, with the input that came in meanwhile
    }
    this->get_tags_in_range(d_tags, 0, base, base + noutput_items);
    if (d_type == ZMQ_REP && !d_have_request) {
        poll_request(clock::now()); // non-blocking: lets a partial frame flush
    }
    size_t lent_k = 0; // items of a lent frame not yet given back
    while (true) {
        const bool can_flush = d_type != ZMQ_REP || d_have_request;
        const bool drained = consumed == n;
        if (d_out_ready || d_builder.complete() ||
            (can_flush && (flush_due() || (drained && slow_input())))) {
            const bool sent = transmit(deadline);
            if (lent_k > 0) {
                if (!sent || !d_lent.wait_returned(deadline)) {
                    // Keep the lent items unconsumed; the next call finishes them.
                    d_counters.add("lent_wait_timeouts");
                    consumed -= lent_k;
                    d_lent_items = lent_k;
                    break;
                }
                lent_k = 0;
            }
            if (!sent) {
                break;
            }
            continue;
        }
        if (drained) {
            break;
        }
        const size_t k = d_builder.fill(
            in + consumed, n - consumed, base + consumed, d_tags, d_may_lend);
        if (d_builder.lending()) {
            lent_k = k;
            d_counters.add("frames_lent");
        }
        consumed += k;
        if (k == 0 && !d_builder.complete()) {
            break;
        }
    }
    d_coalescer.note_consumed(consumed);
    d_counters.add(ctr::items_in, consumed);
    return static_cast<int>(consumed);
}

template class dp_sink_impl<zmq_pub_sink>;
template class dp_sink_impl<zmq_push_sink>;
template class dp_sink_impl<zmq_rep_sink>;

} // namespace dp

namespace {
template <class Public>
typename Public::sptr make_sink(int type, const char* name, const dp::dp_sink_params& p)
{
    return gnuradio::make_block_sptr<dp::dp_sink_impl<Public>>(type, name, p);
}
} // namespace

zmq_pub_sink::sptr zmq_pub_sink::make(const std::string& endpoint,
                                      const std::string& sample_type,
                                      int frame_size,
                                      double sample_rate,
                                      double center_freq,
                                      bool bind,
                                      int hwm,
                                      int timeout_ms,
                                      double flush_ms,
                                      double scale,
                                      bool drop_on_full)
{
    return make_sink<zmq_pub_sink>(ZMQ_PUB,
                                   "zmq_pub_sink",
                                   { endpoint,
                                     sample_type,
                                     frame_size,
                                     sample_rate,
                                     center_freq,
                                     bind,
                                     hwm,
                                     timeout_ms,
                                     flush_ms,
                                     scale,
                                     drop_on_full });
}

zmq_push_sink::sptr zmq_push_sink::make(const std::string& endpoint,
                                        const std::string& sample_type,
                                        int frame_size,
                                        double sample_rate,
                                        double center_freq,
                                        bool bind,
                                        int hwm,
                                        int timeout_ms,
                                        double flush_ms,
                                        double scale)
{
    return make_sink<zmq_push_sink>(ZMQ_PUSH,
                                    "zmq_push_sink",
                                    { endpoint,
                                      sample_type,
                                      frame_size,
                                      sample_rate,
                                      center_freq,
                                      bind,
                                      hwm,
                                      timeout_ms,
                                      flush_ms,
                                      scale,
                                      false });
}

zmq_rep_sink::sptr zmq_rep_sink::make(const std::string& endpoint,
                                      const std::string& sample_type,
                                      int frame_size,
                                      double sample_rate,
                                      double center_freq,
                                      bool bind,
                                      int hwm,
                                      int timeout_ms,
                                      double flush_ms,
                                      double scale)
{
    return make_sink<zmq_rep_sink>(ZMQ_REP,
                                   "zmq_rep_sink",
                                   { endpoint,
                                     sample_type,
                                     frame_size,
                                     sample_rate,
                                     center_freq,
                                     bind,
                                     hwm,
                                     timeout_ms,
                                     flush_ms,
                                     scale,
                                     false });
}

} // namespace netstream
} // namespace gr
