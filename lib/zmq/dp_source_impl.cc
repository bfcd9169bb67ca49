/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "dp_params.h"
#include "dp_sample_convert.h"
#include "dp_source_impl.h"
#include <gnuradio/netstream/zmq_pull_source.h>
#include <gnuradio/netstream/zmq_req_source.h>
#include <gnuradio/netstream/zmq_sub_source.h>
#include <algorithm>
#include <stdexcept>

namespace gr {
namespace netstream {
namespace dp {


template <class Public>
dp_source_impl<Public>::dp_source_impl(int zmq_type,
                                       const char* name,
                                       const std::string& endpoint,
                                       bool bind,
                                       int hwm,
                                       int timeout_ms,
                                       double scale)
    : gr::sync_block(name,
                     gr::io_signature::make(0, 0, 0),
                     gr::io_signature::make(1, 1, sizeof(gr_complex))),
      d_type(zmq_type),
      d_timeout(check_timeout_ms(timeout_ms)),
      d_scale_param(scale)
{
    check_scale(scale);
    this->set_min_output_buffer(source_min_output_items(sizeof(gr_complex)));
    d_sock = std::make_unique<dp_socket>(
        zmq_type,
        endpoint,
        bind,
        resolve_recv_hwm(hwm),
        [this](const std::string& ev, const std::string& peer) {
            on_socket_event(ev, peer);
        });
    for (const char* c :
         { "restarts", "connects", "disconnects", "frames_missing", "empty_frames" }) {
        d_counters.declare(c);
    }
    if (d_type == ZMQ_REQ) {
        d_counters.declare("requests");
        d_counters.declare("request_timeouts");
    }
}

template <class Public>
dp_source_impl<Public>::~dp_source_impl() = default;

template <class Public>
pmt::pmt_t dp_source_impl<Public>::extra_status_fields(pmt::pmt_t d) const
{
    return pmt::dict_add(d, pmt::mp("endpoint"), pmt::mp(d_sock->last_endpoint()));
}

template <class Public>
void dp_source_impl<Public>::on_socket_event(const std::string& ev,
                                             const std::string& peer)
{
    if (ev == "disconnect") {
        d_counters.add("disconnects");
    } else {
        if (d_counter_connected_once) {
            d_counters.add(ctr::reconnects);
        }
        d_counter_connected_once = true;
        d_counters.add("connects");
    }
    this->d_net_logger->info("{} {}", ev, peer);
    publish_event(ev == "disconnect" ? "disconnect" : "connect", peer);
}

template <class Public>
bool dp_source_impl<Public>::start()
{
    this->net_start();
    return Public::start();
}

template <class Public>
bool dp_source_impl<Public>::stop()
{
    this->net_stop();
    return Public::stop();
}

template <class Public>
bool dp_source_impl<Public>::send_request(clock::time_point deadline)
{
    // A valid doppler v1 frame with no samples: doppler's Replier.recv() returns
    // an empty array for it (anything else would put its socket out of step).
    header h;
    h.sequence = d_request_seq;
    h.timestamp_ns = 0;
    h.num_samples = 0;
    zmq::message_t hdr(header_size), empty(0);
    encode_header(h, static_cast<uint8_t*>(hdr.data()));
    while (!d_sock->try_send(hdr, empty)) {
        if (!d_sock->wait_writable(time_left(deadline)) || clock::now() >= deadline) {
            return false;
        }
    }
    d_request_seq++;
    d_request_in_flight = true;
    d_request_time = clock::now();
    d_counters.add("requests");
    return true;
}

template <class Public>
bool dp_source_impl<Public>::next_frame(clock::time_point deadline, uint64_t tag_offset)
{
    while (true) {
        if (d_type == ZMQ_REQ) {
            if (d_request_in_flight && clock::now() - d_request_time >= d_timeout) {
                // REQ_RELAXED lets us ask again; REQ_CORRELATE drops a late reply.
                d_counters.add("request_timeouts");
                warn_limited("no reply within timeout_ms; sending the request again");
                d_request_in_flight = false;
            }
            if (!d_request_in_flight && !send_request(deadline)) {
                return false;
            }
        }
        // Take a frame that is already queued without a poll (a syscall); poll
        // (bounded by the deadline) only when there is none.
        if (!d_sock->recv_all_parts(d_parts)) {
            if (!d_sock->wait_readable(time_left(deadline))) {
                return false;
            }
            continue;
        }
        d_request_in_flight = false;
        size_t bytes = 0;
        for (const auto& p : d_parts) {
            bytes += p.size();
        }
        d_counters.add(ctr::bytes_in, bytes);
        const size_t payload_len = d_parts.size() > 1 ? d_parts[1].size() : 0;
        header h;
        if (auto e = validate_frame(d_parts.size(),
                                    static_cast<const uint8_t*>(d_parts[0].data()),
                                    d_parts[0].size(),
                                    payload_len,
                                    h)) {
            count_malformed(e.reason, e.detail);
            continue;
        }
        d_counters.add(ctr::frames_in);
        if (h.num_samples == 0) {
            d_counters.add("empty_frames");
            continue;
        }
        const auto r = d_tracker.on_frame(h);
        for (const auto& kv : r.tags) {
            this->add_item_tag(0, tag_offset, kv.first, kv.second, this->alias_pmt());
        }
        if (r.gap_frames) {
            d_counters.add(ctr::gaps);
            d_counters.add("frames_missing", r.gap_frames);
            d_marker.emit('O');
            publish_event("gap",
                          std::to_string(r.gap_frames) +
                              " frame(s) missing before sequence " +
                              std::to_string(h.sequence));
        }
        if (r.restart) {
            d_counters.add("restarts");
            publish_event("restart",
                          "sequence restarted at " + std::to_string(h.sequence));
        }
        d_hdr = h;
        d_payload.move(d_parts[1]);
        d_pos = 0;
        d_scale = resolve_scale(static_cast<sample_type>(h.sample_type), d_scale_param);
        if (d_type == ZMQ_REQ) {
            // Ask for the next frame now, so the replier works while we copy out.
            send_request(clock::now());
        }
        return true;
    }
}

template <class Public>
int dp_source_impl<Public>::work(int noutput_items,
                                 gr_vector_const_void_star&,
                                 gr_vector_void_star& output_items)
{
    auto* out = static_cast<gr_complex*>(output_items[0]);
    const auto n = static_cast<uint64_t>(noutput_items);
    const auto deadline = clock::now() + d_timeout;
    uint64_t produced = 0;
    d_sock->service_if_due();
    while (produced < n) {
        if (d_pos >= d_hdr.num_samples) {
            if (produced > 0) {
                // Hand this frame on now: looking for the next one first would cost
                // a syscall or two of latency when none is queued yet.
                break;
            }
            if (!next_frame(deadline, this->nitems_written(0))) {
                break;
            }
            continue;
        }
        const uint64_t k = std::min(n - produced, d_hdr.num_samples - d_pos);
        const size_t bps = bytes_per_sample(d_hdr.sample_type);
        from_wire(static_cast<sample_type>(d_hdr.sample_type),
                  static_cast<const uint8_t*>(d_payload.data()) + d_pos * bps,
                  k,
                  out + produced,
                  d_scale);
        d_pos += k;
        produced += k;
        if (d_pos >= d_hdr.num_samples) {
            // Give the frame's memory back now, not at the next frame.
            d_payload.rebuild(0);
        }
    }
    d_counters.add(ctr::items_out, produced);
    return static_cast<int>(produced);
}

template class dp_source_impl<zmq_sub_source>;
template class dp_source_impl<zmq_pull_source>;
template class dp_source_impl<zmq_req_source>;

} // namespace dp

zmq_sub_source::sptr zmq_sub_source::make(
    const std::string& endpoint, bool bind, int hwm, int timeout_ms, double scale)
{
    return gnuradio::make_block_sptr<dp::dp_source_impl<zmq_sub_source>>(
        ZMQ_SUB, "zmq_sub_source", endpoint, bind, hwm, timeout_ms, scale);
}

zmq_pull_source::sptr zmq_pull_source::make(
    const std::string& endpoint, bool bind, int hwm, int timeout_ms, double scale)
{
    return gnuradio::make_block_sptr<dp::dp_source_impl<zmq_pull_source>>(
        ZMQ_PULL, "zmq_pull_source", endpoint, bind, hwm, timeout_ms, scale);
}

zmq_req_source::sptr zmq_req_source::make(
    const std::string& endpoint, bool bind, int hwm, int timeout_ms, double scale)
{
    return gnuradio::make_block_sptr<dp::dp_source_impl<zmq_req_source>>(
        ZMQ_REQ, "zmq_req_source", endpoint, bind, hwm, timeout_ms, scale);
}

} // namespace netstream
} // namespace gr
