/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "dp_params.h"
#include "dp_sample_convert.h"
#include "zmq_req_transceiver_impl.h"
#include <gnuradio/io_signature.h>
#include <algorithm>
#include <stdexcept>

namespace gr {
namespace netstream {


zmq_req_transceiver::sptr zmq_req_transceiver::make(const std::string& endpoint,
                                                    const std::string& sample_type,
                                                    int frame_size,
                                                    double sample_rate,
                                                    double center_freq,
                                                    bool bind,
                                                    int hwm,
                                                    int timeout_ms,
                                                    double scale)
{
    return gnuradio::make_block_sptr<zmq_req_transceiver_impl>(endpoint,
                                                               sample_type,
                                                               frame_size,
                                                               sample_rate,
                                                               center_freq,
                                                               bind,
                                                               hwm,
                                                               timeout_ms,
                                                               scale);
}

zmq_req_transceiver_impl::zmq_req_transceiver_impl(const std::string& endpoint,
                                                   const std::string& sample_type,
                                                   int frame_size,
                                                   double sample_rate,
                                                   double center_freq,
                                                   bool bind,
                                                   int hwm,
                                                   int timeout_ms,
                                                   double scale)
    : gr::block("zmq_req_transceiver",
                gr::io_signature::make(1, 1, sizeof(gr_complex)),
                gr::io_signature::make(1, 1, sizeof(gr_complex))),
      d_frame_size(static_cast<size_t>(dp::check_frame_size(frame_size))),
      d_timeout(dp::check_timeout_ms(timeout_ms)),
      d_scale_param(scale),
      d_builder(dp::parse_type_name(sample_type),
                d_frame_size,
                dp::resolve_scale(dp::parse_type_name(sample_type), scale),
                sample_rate,
                center_freq)
{
    d_sock = std::make_unique<dp::dp_socket>(
        ZMQ_REQ,
        endpoint,
        bind,
        dp::resolve_recv_hwm(hwm),
        [this](const std::string& ev, const std::string& peer) {
            d_counters.add(ev == "disconnect" ? "disconnects" : "connects");
            publish_event(ev == "disconnect" ? "disconnect" : "connect", peer);
        });
    for (const char* c :
         { "requests", "request_timeouts", "replies", "connects", "disconnects" }) {
        d_counters.declare(c);
    }
    set_tag_propagation_policy(TPP_DONT);
}

zmq_req_transceiver_impl::~zmq_req_transceiver_impl() = default;

bool zmq_req_transceiver_impl::start()
{
    net_start();
    return gr::block::start();
}

bool zmq_req_transceiver_impl::stop()
{
    net_stop();
    return gr::block::stop();
}

void zmq_req_transceiver_impl::forecast(int, gr_vector_int& ninput_items_required)
{
    // Input is needed only to form the next request.
    ninput_items_required[0] =
        (have_reply() || d_request_in_flight) ? 0 : static_cast<int>(d_frame_size);
}

bool zmq_req_transceiver_impl::send_request(clock::time_point deadline)
{
    zmq::message_t hdr, payload;
    hdr.copy(d_req_hdr);
    payload.copy(d_req_payload);
    while (!d_sock->try_send(hdr, payload)) {
        if (clock::now() >= deadline || !d_sock->wait_writable(time_left(deadline))) {
            return false;
        }
    }
    d_request_in_flight = true;
    d_request_time = clock::now();
    d_counters.add("requests");
    d_counters.add(ctr::frames_out);
    d_counters.add(ctr::bytes_out, d_req_hdr.size() + d_req_payload.size());
    return true;
}

bool zmq_req_transceiver_impl::receive_reply(clock::time_point deadline,
                                             uint64_t tag_offset)
{
    while (d_sock->wait_readable(time_left(deadline))) {
        if (!d_sock->recv_all_parts(d_parts)) {
            continue;
        }
        size_t bytes = 0;
        for (const auto& p : d_parts) {
            bytes += p.size();
        }
        d_counters.add(ctr::bytes_in, bytes);
        dp::header h;
        const size_t payload_len = d_parts.size() > 1 ? d_parts[1].size() : 0;
        if (auto e = dp::validate_frame(d_parts.size(),
                                        static_cast<const uint8_t*>(d_parts[0].data()),
                                        d_parts[0].size(),
                                        payload_len,
                                        h)) {
            count_malformed(e.reason, "reply: " + e.detail);
            d_request_in_flight = false; // answered, but unusable: ask again
            send_request(deadline);
            continue;
        }
        d_request_in_flight = false;
        d_counters.add("replies");
        d_counters.add(ctr::frames_in);
        if (h.num_samples == 0) {
            return true; // an empty reply answers the request with no output
        }
        const auto r = d_tracker.on_frame(h);
        for (const auto& kv : r.tags) {
            add_item_tag(0, tag_offset, kv.first, kv.second, alias_pmt());
        }
        d_reply_hdr = h;
        d_reply.move(d_parts[1]);
        d_pos = 0;
        d_reply_scale =
            dp::resolve_scale(static_cast<dp::sample_type>(h.sample_type), d_scale_param);
        return true;
    }
    if (d_request_in_flight && clock::now() - d_request_time >= d_timeout) {
        d_counters.add("request_timeouts");
        warn_limited("no reply within timeout_ms; sending the request again");
        d_request_in_flight = false;
        send_request(clock::now() + d_timeout);
    }
    return false;
}

int zmq_req_transceiver_impl::general_work(int noutput_items,
                                           gr_vector_int& ninput_items,
                                           gr_vector_const_void_star& input_items,
                                           gr_vector_void_star& output_items)
{
    const auto* in = static_cast<const gr_complex*>(input_items[0]);
    auto* out = static_cast<gr_complex*>(output_items[0]);
    const auto deadline = clock::now() + d_timeout;
    const auto n_out = static_cast<uint64_t>(noutput_items);
    uint64_t produced = 0;
    size_t consumed = 0; // consume() takes effect only when this call returns
    d_sock->service();

    while (produced < n_out) {
        if (have_reply()) {
            const uint64_t k =
                std::min(n_out - produced, d_reply_hdr.num_samples - d_pos);
            const size_t bps = dp::bytes_per_sample(d_reply_hdr.sample_type);
            dp::from_wire(static_cast<dp::sample_type>(d_reply_hdr.sample_type),
                          static_cast<const uint8_t*>(d_reply.data()) + d_pos * bps,
                          k,
                          out + produced,
                          d_reply_scale);
            d_pos += k;
            produced += k;
            continue;
        }
        if (d_request_in_flight) {
            if (!receive_reply(produced == 0 ? deadline : clock::now(),
                               nitems_written(0) + produced)) {
                break;
            }
            continue;
        }
        // Form the next request from the input.
        const auto avail = static_cast<size_t>(ninput_items[0]) - consumed;
        if (avail < d_frame_size) {
            break;
        }
        const uint64_t base = nitems_read(0) + consumed;
        const gr_complex* frame_in = in + consumed;
        get_tags_in_range(d_tags, 0, base, base + d_frame_size);
        size_t used = 0;
        while (!d_builder.complete() && used < d_frame_size) {
            const size_t k =
                d_builder.fill(frame_in + used, d_frame_size - used, base + used, d_tags);
            if (k == 0) {
                break;
            }
            used += k;
        }
        d_builder.take(d_req_hdr, d_req_payload);
        consumed += used;
        d_counters.add(ctr::items_in, used);
        if (!send_request(deadline)) {
            // Kept in d_req_*: sent on the next call.
            d_request_in_flight = true;
            d_request_time = clock::now() - d_timeout; // resend at once next time
            break;
        }
    }
    consume(0, static_cast<int>(consumed));
    d_counters.add(ctr::items_out, produced);
    return static_cast<int>(produced);
}

} // namespace netstream
} // namespace gr
