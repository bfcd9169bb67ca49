/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "../common/reconnect_policy.h"
#include "rp_board_model.h"
#include "rp_dac_sink_impl.h"
#include <gnuradio/io_signature.h>
#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace gr {
namespace netstream {

namespace redpitaya {

namespace {
std::uint8_t checked_outputs(const std::vector<int>& outputs)
{
    if (outputs == std::vector<int>{ 1 }) {
        return 1;
    }
    if (outputs == std::vector<int>{ 2 }) {
        return 2;
    }
    if (outputs == std::vector<int>{ 1, 2 }) {
        return 3;
    }
    std::string s;
    for (int o : outputs) {
        s += (s.empty() ? "" : ",") + std::to_string(o);
    }
    throw std::invalid_argument("outputs: got [" + s + "], allowed [1], [2] or [1,2]");
}


int port_count(const std::vector<int>& outputs)
{
    return __builtin_popcount(checked_outputs(outputs));
}

dac_model checked_model(const std::string& model)
{
    const auto m = dac_by_name(model);
    if (!m) {
        throw std::invalid_argument("model: got \"" + model + "\", allowed " +
                                    known_model_names());
    }
    if (m->channels == 0) {
        throw std::invalid_argument("model: got \"" + model +
                                    "\", this board has no DAC outputs");
    }
    return *m;
}

void check_rate(int rate, std::uint32_t base)
{
    // The board rejects rate x 65536 < base (36) and does not check an upper bound,
    // but a rate above the base skips samples (spec section 4.2): refuse both.
    if (rate <= 0 || static_cast<std::uint64_t>(rate) * 65536u < base ||
        static_cast<std::uint32_t>(rate) > base) {
        throw std::invalid_argument("dac_rate: got " + std::to_string(rate) +
                                    ", allowed " + std::to_string(base / 65536 + 1) +
                                    ".." + std::to_string(base) + " for this model");
    }
}

dac_link_config
make_link(const std::string& host, int data_port, const std::string& reconnect)
{
    dac_link_config link;
    link.host = host;
    const auto colon = host.rfind(':');
    if (colon != std::string::npos) {
        link.host = host.substr(0, colon);
        const std::string port = host.substr(colon + 1);
        char* end = nullptr;
        const long p = std::strtol(port.c_str(), &end, 10);
        if (port.empty() || *end != '\0' || p < 1 || p > 65535) {
            throw std::invalid_argument(
                "host: got \"" + host +
                "\", allowed \"address\" or \"address:port\" (port 1..65535)");
        }
        link.control_port = static_cast<int>(p);
    }
    if (link.host.empty()) {
        throw std::invalid_argument("host: empty; the DAC sink needs the board address");
    }
    if (data_port < 0 || data_port > 65535) {
        throw std::invalid_argument("data_port: got " + std::to_string(data_port) +
                                    ", allowed 0 (= 18903) or 1..65535");
    }
    link.data_port = data_port == 0 ? 18903 : data_port;
    reconnect_policy::parse_mode(reconnect); // throws std::invalid_argument
    link.reconnect = reconnect;
    return link;
}
} // namespace

rp_dac_sink_impl::rp_dac_sink_impl(const std::string& host,
                                   const std::vector<int>& outputs,
                                   const std::string& input_type,
                                   int dac_rate,
                                   int block_size,
                                   const std::string& repeat,
                                   int repeat_count,
                                   bool one_pack,
                                   double scale,
                                   const std::string& model,
                                   int dac_size,
                                   int data_port,
                                   const std::string& reconnect)
    : gr::sync_block("rp_dac_sink",
                     gr::io_signature::make(
                         port_count(outputs),
                         port_count(outputs),
                         item_format_size(parse_item_format("input_type", input_type))),
                     gr::io_signature::make(0, 0, 0)),
      d_float(parse_item_format("input_type", input_type)),
      d_nports(static_cast<unsigned>(port_count(outputs))),
      d_dac_base_rate(checked_model(model).base_rate),
      d_block_size(block_size > 0 ? static_cast<std::uint32_t>(block_size) : 0u),
      d_samples_per_pack(d_block_size / 2u),
      d_full_scale(scale > 0.0 ? static_cast<float>(scale)
                               : checked_model(model).full_scale),
      d_one_pack(one_pack)
{
    dac_settings s;
    s.output_mask = checked_outputs(outputs);
    check_rate(dac_rate, d_dac_base_rate);
    s.dac_rate = static_cast<std::uint32_t>(dac_rate);
    if (block_size < 128 || block_size > 8388608 || block_size % 128 != 0) {
        throw std::invalid_argument("block_size: got " + std::to_string(block_size) +
                                    ", allowed a multiple of 128 in 128..8388608");
    }
    s.block_size = d_block_size;
    if (scale < 0.0) {
        throw std::invalid_argument("scale: got " + std::to_string(scale) +
                                    ", must be > 0 (or 0 = the model's full scale)");
    }
    if (repeat != "once" && repeat != "count" && repeat != "infinite") {
        throw std::invalid_argument("repeat: got \"" + repeat +
                                    "\", allowed \"once\", \"count\" or \"infinite\"");
    }
    if (repeat != "once" && !one_pack) {
        throw std::invalid_argument(
            "repeat: \"" + repeat +
            "\" needs one_pack=True (in streaming mode every sample plays once)");
    }
    if (repeat == "count" && repeat_count < 1) {
        throw std::invalid_argument("repeat_count: got " + std::to_string(repeat_count) +
                                    ", allowed >= 1 (0 would play nothing)");
    }
    s.one_pack = one_pack;
    s.inf = repeat == "infinite";
    s.repeat_count = repeat == "count" ? repeat_count : 1;
    s.dac_size = check_ring_size("dac_size", dac_size, block_size);
    const dac_link_config link = make_link(host, data_port, reconnect);

    d_counters.declare("clips");
    d_counters.declare("items_ignored");
    d_stream = std::make_unique<dac_stream>(
        link, s, d_counters, [this](const std::string& e, const std::string& d) {
            on_event(e, d);
        });
    d_stage.assign(d_nports, std::vector<std::int16_t>(d_samples_per_pack, 0));
    d_cmds.add_int("dac_rate", [this](int64_t v) { set_dac_rate(static_cast<int>(v)); });
}

rp_dac_sink_impl::~rp_dac_sink_impl() { d_stream->stop(); }

void rp_dac_sink_impl::on_event(const std::string& event, const std::string& detail)
{
    if (event == "error" || event == "disconnect") {
        d_net_logger->error("{}: {}", event, detail);
    } else if (event == "underflow") {
        warn_limited(event + ": " + detail);
        d_marker.emit('U');
        d_counters.add(ctr::gaps);
    } else if (event == "playback_cut") {
        warn_limited(event + ": " + detail);
    } else {
        d_net_logger->info("{}: {}", event, detail);
    }
    publish_event(event, detail);
}

pmt::pmt_t rp_dac_sink_impl::extra_status_fields(pmt::pmt_t d) const
{
    d = pmt::dict_add(d, pmt::mp("connected"), pmt::from_bool(d_stream->connected()));
    d = pmt::dict_add(d, pmt::mp("endpoint"), pmt::mp(d_stream->endpoint()));
    return pmt::dict_add(d, pmt::mp("protocol"), pmt::mp(protocol()));
}

void rp_dac_sink_impl::set_dac_rate(int rate)
{
    check_rate(rate, d_dac_base_rate);
    d_stream->set_dac_rate(static_cast<std::uint32_t>(rate));
}
int rp_dac_sink_impl::dac_rate() const
{
    return static_cast<int>(d_stream->settings().dac_rate);
}
int rp_dac_sink_impl::block_size() const { return static_cast<int>(d_block_size); }
bool rp_dac_sink_impl::connected() const { return d_stream->connected(); }
std::string rp_dac_sink_impl::protocol() const
{
    switch (d_stream->version()) {
    case protocol_version::p2:
        return "p2";
    case protocol_version::p3:
        return "p3";
    default:
        return "";
    }
}
std::string rp_dac_sink_impl::last_error() const { return d_stream->last_error(); }

bool rp_dac_sink_impl::seal_pack()
{
    std::vector<const std::int16_t*> ptrs;
    for (const auto& v : d_stage) {
        ptrs.push_back(v.data());
    }
    auto p = std::make_unique<tx_pack>();
    if (auto err = build_dac_pack(d_stream->settings(), ptrs, d_staged, *p)) {
        count_malformed(err.reason, "pack not sent: " + err.detail);
        d_staged = 0;
        return false;
    }
    d_staged = 0;
    d_ready = std::move(p);
    return true;
}

bool rp_dac_sink_impl::start()
{
    this->net_start();
    d_staged = 0;
    d_ready.reset();
    d_one_pack_sent = false;
    d_stream->start();
    return sync_block::start();
}

bool rp_dac_sink_impl::stop()
{
    // End of stream: the short last pack, then drain (bounded) and 32.
    if (!d_ready && d_staged > 0 && !(d_one_pack && d_one_pack_sent)) {
        seal_pack();
    }
    if (d_ready) {
        d_stream->push(d_ready, std::chrono::milliseconds(1000));
        d_ready.reset();
    }
    d_stream->finish();
    this->net_stop();
    return sync_block::stop();
}

int rp_dac_sink_impl::work(int noutput_items,
                           gr_vector_const_void_star& input_items,
                           gr_vector_void_star&)
{
    const std::size_t n = static_cast<std::size_t>(noutput_items);
    if (d_stream->finished()) {
        return WORK_DONE;
    }
    std::size_t used = 0;
    std::uint64_t clipped = 0;
    while (used < n) {
        if (d_ready) {
            if (!d_stream->push(d_ready,
                                used == 0 ? std::chrono::milliseconds(100)
                                          : std::chrono::milliseconds(0))) {
                break; // back-pressure: try again in the next call
            }
            d_ready.reset();
            if (d_one_pack) {
                d_one_pack_sent = true;
            }
        }
        if (d_one_pack && d_one_pack_sent) {
            d_counters.add("items_ignored", (n - used) * d_nports);
            used = n;
            break;
        }
        const std::size_t k = std::min(n - used, d_samples_per_pack - d_staged);
        for (unsigned c = 0; c < d_nports; c++) {
            std::int16_t* dst = d_stage[c].data() + d_staged;
            if (d_float) {
                const float* src = static_cast<const float*>(input_items[c]) + used;
                const float g = 32767.0f / d_full_scale;
                for (std::size_t i = 0; i < k; i++) {
                    float v = std::nearbyint(src[i] * g);
                    if (v > 32767.0f || v < -32767.0f || std::isnan(v)) {
                        clipped++;
                        v = std::isnan(v) ? 0.0f : std::clamp(v, -32767.0f, 32767.0f);
                    }
                    dst[i] = static_cast<std::int16_t>(v);
                }
            } else {
                const std::int16_t* src =
                    static_cast<const std::int16_t*>(input_items[c]) + used;
                std::copy(src, src + k, dst);
            }
        }
        d_staged += k;
        used += k;
        if (d_staged == d_samples_per_pack) {
            seal_pack();
        }
    }
    if (clipped > 0) {
        d_counters.add("clips", clipped);
        warn_limited("clip: " + std::to_string(clipped) +
                     " sample(s) beyond full scale were clipped");
        publish_event("clip", std::to_string(clipped) + " sample(s) clipped");
    }
    d_counters.add(ctr::items_in, used * d_nports);
    return static_cast<int>(used);
}

} // namespace redpitaya

rp_dac_sink::sptr rp_dac_sink::make(const std::string& host,
                                    const std::vector<int>& outputs,
                                    const std::string& input_type,
                                    int dac_rate,
                                    int block_size,
                                    const std::string& repeat,
                                    int repeat_count,
                                    bool one_pack,
                                    double scale,
                                    const std::string& model,
                                    int dac_size,
                                    int data_port,
                                    const std::string& reconnect)
{
    return gnuradio::make_block_sptr<redpitaya::rp_dac_sink_impl>(host,
                                                                  outputs,
                                                                  input_type,
                                                                  dac_rate,
                                                                  block_size,
                                                                  repeat,
                                                                  repeat_count,
                                                                  one_pack,
                                                                  scale,
                                                                  model,
                                                                  dac_size,
                                                                  data_port,
                                                                  reconnect);
}

} // namespace netstream
} // namespace gr
