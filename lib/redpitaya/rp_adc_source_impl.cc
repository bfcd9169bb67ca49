/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "../common/tag_helpers.h"
#include "rp_adc_source_impl.h"
#include <gnuradio/io_signature.h>
#include <algorithm>
#include <stdexcept>

namespace gr {
namespace netstream {

namespace redpitaya {

namespace {
const pmt::pmt_t& rp_lost_key()
{
    static const pmt::pmt_t k = pmt::intern("rp_lost");
    return k;
}

std::string join(const std::vector<int>& v)
{
    std::string s;
    for (int x : v) {
        s += (s.empty() ? "" : ",") + std::to_string(x);
    }
    return "[" + s + "]";
}

std::uint8_t checked_mask(const std::vector<int>& channels)
{
    if (channels.empty() || channels.size() > max_adc_channels) {
        throw std::invalid_argument("channels: got " + join(channels) +
                                    ", allowed 1 to 4 inputs out of 1, 2, 3, 4");
    }
    unsigned mask = 0;
    int last = 0;
    for (int c : channels) {
        if (c < 1 || c > 4 || c <= last) {
            throw std::invalid_argument(
                "channels: got " + join(channels) +
                ", allowed inputs 1..4 in ascending order without repeats");
        }
        last = c;
        mask |= 1u << (c - 1);
    }
    return static_cast<std::uint8_t>(mask);
}

void check_decimation(int d)
{
    if (!decimation_allowed(d)) {
        throw std::invalid_argument("decimation: got " + std::to_string(d) +
                                    ", allowed 1, 2, 4, 8 or 16..65536");
    }
}

void check_resolution(int r)
{
    if (r != 8 && r != 16) {
        throw std::invalid_argument("resolution: got " + std::to_string(r) +
                                    ", allowed 8 or 16");
    }
}

void check_block_size(int b)
{
    if (b < 128 || b > 8388608 || b % 128 != 0) {
        throw std::invalid_argument("block_size: got " + std::to_string(b) +
                                    ", allowed a multiple of 128 in 128..8388608");
    }
}

bool parse_output_type(const std::string& t)
{
    if (t == "float") {
        return true;
    }
    if (t == "short") {
        return false;
    }
    throw std::invalid_argument("output_type: got \"" + t +
                                "\", allowed \"float\" or \"short\"");
}

std::size_t item_size(const std::string& t)
{
    return parse_output_type(t) ? sizeof(float) : sizeof(std::int16_t);
}

unsigned port_count(const std::vector<int>& channels)
{
    return static_cast<unsigned>(__builtin_popcount(checked_mask(channels)));
}

adc_link_config make_link(const std::string& host,
                          int data_port,
                          const std::string& model,
                          const std::string& reconnect)
{
    adc_link_config link;
    link.host = host;
    const auto colon = host.rfind(':');
    if (colon != std::string::npos) {
        link.host = host.substr(0, colon);
        const std::string port = host.substr(colon + 1);
        char* end = nullptr;
        const long p = std::strtol(port.c_str(), &end, 10);
        if (port.empty() || *end != '\0' || p < 1 || p > 65535 || link.host.empty()) {
            throw std::invalid_argument(
                "host: got \"" + host +
                "\", allowed \"address\" or \"address:port\" (port 1..65535)");
        }
        link.control_port = static_cast<int>(p);
    }
    if (data_port < 0 || data_port > 65535) {
        throw std::invalid_argument("data_port: got " + std::to_string(data_port) +
                                    ", allowed 0 (= 18900) or 1..65535");
    }
    link.data_port = data_port == 0 ? 18900 : data_port;
    if (model != "auto" && model != "") {
        link.model = model_by_name(model);
        if (!link.model) {
            throw std::invalid_argument("model: got \"" + model + "\", allowed " +
                                        known_model_names());
        }
    }
    reconnect_policy::parse_mode(reconnect); // throws std::invalid_argument
    link.reconnect = reconnect;
    return link;
}
} // namespace

rp_adc_source_impl::rp_adc_source_impl(const std::string& host,
                                       const std::vector<int>& channels,
                                       int decimation,
                                       int resolution,
                                       const std::string& output_type,
                                       double scale,
                                       const std::string& model,
                                       int attenuator,
                                       const std::string& coupling,
                                       int block_size,
                                       int adc_size,
                                       int data_port,
                                       const std::string& reconnect)
    : gr::sync_block("rp_adc_source",
                     gr::io_signature::make(0, 0, 0),
                     gr::io_signature::make(static_cast<int>(port_count(channels)),
                                            static_cast<int>(port_count(channels)),
                                            item_size(output_type))),
      d_float(parse_output_type(output_type)),
      d_scale(scale),
      d_nports(port_count(channels))
{
    adc_settings s;
    s.channel_mask = checked_mask(channels);
    check_decimation(decimation);
    s.decimation = static_cast<std::uint32_t>(decimation);
    check_resolution(resolution);
    s.resolution = static_cast<unsigned>(resolution);
    check_block_size(block_size);
    s.block_size = static_cast<std::uint32_t>(block_size);
    if (scale < 0.0) {
        throw std::invalid_argument("scale: got " + std::to_string(scale) +
                                    ", must be > 0 (or 0 = the model's full scale)");
    }
    if (attenuator != 1 && attenuator != 20) {
        throw std::invalid_argument("attenuator: got " + std::to_string(attenuator) +
                                    ", allowed 1 (1:1) or 20 (1:20)");
    }
    s.attenuator = attenuator;
    if (coupling != "DC" && coupling != "AC") {
        throw std::invalid_argument("coupling: got \"" + coupling +
                                    "\", allowed \"DC\" or \"AC\"");
    }
    s.coupling = coupling;
    const std::uint64_t min_adc = 12ull * (static_cast<std::uint64_t>(block_size) + 128u);
    if (adc_size < 0 ||
        (adc_size > 0 && static_cast<std::uint64_t>(adc_size) < min_adc)) {
        throw std::invalid_argument(
            "adc_size: got " + std::to_string(adc_size) +
            ", allowed 0 (automatic) or >= 12 x (block_size + 128) = " +
            std::to_string(min_adc));
    }
    s.adc_size = static_cast<std::uint32_t>(adc_size);
    const adc_link_config link = make_link(host, data_port, model, reconnect);
    if (link.model) {
        const auto& m = *link.model;
        if (s.channel_mask >> m.adc_channels) {
            throw std::invalid_argument("channels: got " + join(channels) + ", the " +
                                        m.name + " has inputs 1.." +
                                        std::to_string(m.adc_channels));
        }
        if (attenuator == 20 && m.hv_full_scale <= 0.0f) {
            throw std::invalid_argument("attenuator: got 20, the " + std::string(m.name) +
                                        " has no 1:20 range (allowed 1)");
        }
        if (coupling == "AC" && !m.has_ac_dc) {
            throw std::invalid_argument("coupling: got \"AC\", the " +
                                        std::string(m.name) +
                                        " has no AC/DC relays (allowed \"DC\")");
        }
        d_rate = static_cast<double>(m.base_rate) / decimation;
    }
    d_stream = std::make_unique<adc_stream>(
        link, s, d_counters, [this](const std::string& e, const std::string& d) {
            on_event(e, d);
        });

    d_cmds.add_int("decimation",
                   [this](int64_t v) { set_decimation(static_cast<int>(v)); });
    d_cmds.add_int("resolution",
                   [this](int64_t v) { set_resolution(static_cast<int>(v)); });
    d_cmds.add_int("block_size",
                   [this](int64_t v) { set_block_size(static_cast<int>(v)); });
    d_cmds.add_action("restart",
                      [this] { d_stream->update_settings([](adc_settings&) {}); });
    set_output_multiple(1);
}

rp_adc_source_impl::~rp_adc_source_impl() { d_stream->stop(); }

void rp_adc_source_impl::on_event(const std::string& event, const std::string& detail)
{
    if (event == "error" || event == "disconnect") {
        d_net_logger->error("{}: {}", event, detail);
    } else if (event == "gap" || event == "resync") {
        warn_limited(event + ": " + detail);
        if (event == "gap") {
            d_marker.emit('O');
        }
    } else {
        d_net_logger->info("{}: {}", event, detail);
    }
    publish_event(event, detail);
}

pmt::pmt_t rp_adc_source_impl::extra_status_fields(pmt::pmt_t d) const
{
    d = pmt::dict_add(d, pmt::mp("connected"), pmt::from_bool(d_stream->connected()));
    d = pmt::dict_add(d, pmt::mp("endpoint"), pmt::mp(d_stream->endpoint()));
    return pmt::dict_add(d, pmt::mp("protocol"), pmt::mp(protocol()));
}

void rp_adc_source_impl::set_decimation(int decimation)
{
    check_decimation(decimation);
    d_stream->update_settings([decimation](adc_settings& s) {
        s.decimation = static_cast<std::uint32_t>(decimation);
    });
}
int rp_adc_source_impl::decimation() const
{
    return static_cast<int>(d_stream->settings().decimation);
}

void rp_adc_source_impl::set_resolution(int resolution)
{
    check_resolution(resolution);
    d_stream->update_settings([resolution](adc_settings& s) {
        s.resolution = static_cast<unsigned>(resolution);
    });
}
int rp_adc_source_impl::resolution() const
{
    return static_cast<int>(d_stream->settings().resolution);
}

void rp_adc_source_impl::set_block_size(int block_size)
{
    check_block_size(block_size);
    const auto s = d_stream->settings();
    if (s.adc_size > 0 &&
        s.adc_size < 12u * (static_cast<std::uint32_t>(block_size) + 128u)) {
        throw std::invalid_argument("block_size: got " + std::to_string(block_size) +
                                    ", too large for adc_size " +
                                    std::to_string(s.adc_size));
    }
    d_stream->update_settings([block_size](adc_settings& st) {
        st.block_size = static_cast<std::uint32_t>(block_size);
    });
}
int rp_adc_source_impl::block_size() const
{
    return static_cast<int>(d_stream->settings().block_size);
}

double rp_adc_source_impl::sample_rate() const { return d_rate.load(); }
bool rp_adc_source_impl::connected() const { return d_stream->connected(); }
std::string rp_adc_source_impl::protocol() const
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
std::string rp_adc_source_impl::last_error() const { return d_stream->last_error(); }

bool rp_adc_source_impl::start()
{
    this->net_start();
    d_cur.reset();
    d_pos = 0;
    d_stream->start();
    return sync_block::start();
}

bool rp_adc_source_impl::stop()
{
    d_stream->stop();
    this->net_stop();
    return sync_block::stop();
}

int rp_adc_source_impl::work(int noutput_items,
                             gr_vector_const_void_star&,
                             gr_vector_void_star& output_items)
{
    const std::size_t n = static_cast<std::size_t>(noutput_items);
    std::size_t produced = 0;
    while (produced < n) {
        if (!d_cur) {
            // Wait (bounded) only while nothing was produced in this call.
            d_cur = d_stream->pop(produced == 0 ? std::chrono::milliseconds(100)
                                                : std::chrono::milliseconds(0));
            if (!d_cur) {
                if (produced == 0 && d_stream->finished()) {
                    return WORK_DONE;
                }
                break;
            }
            d_pos = 0;
            // Tag offsets use nitems_written + produced.
            const uint64_t offset = nitems_written(0) + produced;
            for (unsigned k = 0; k < d_nports; k++) {
                if (d_cur->stream_start) {
                    add_item_tag(k,
                                 offset,
                                 tags::rx_rate(),
                                 pmt::from_double(d_cur->rate),
                                 alias_pmt());
                }
                if (d_cur->tag_time) {
                    add_item_tag(k,
                                 offset,
                                 tags::rx_time(),
                                 tags::rx_time_from_ns(d_cur->time_ns),
                                 alias_pmt());
                }
                if (d_cur->lost_before > 0) {
                    add_item_tag(k,
                                 offset,
                                 rp_lost_key(),
                                 pmt::from_uint64(d_cur->lost_before),
                                 alias_pmt());
                }
            }
            d_rate = d_cur->rate;
        }
        const auto& pk = d_cur->pack;
        const std::size_t k = std::min(n - produced, d_cur->samples - d_pos);
        const std::size_t bps = pk.bits_per_sample / 8u;
        const float fs = d_scale > 0.0 ? static_cast<float>(d_scale) : d_cur->full_scale;
        for (unsigned c = 0; c < d_nports; c++) {
            const std::uint8_t* src = pk.segments[c].samples + d_pos * bps;
            if (d_float) {
                decode_samples_volts(src,
                                     k * bps,
                                     pk.bits_per_sample,
                                     fs,
                                     static_cast<float*>(output_items[c]) + produced);
            } else {
                decode_samples_int16(src,
                                     k * bps,
                                     pk.bits_per_sample,
                                     static_cast<std::int16_t*>(output_items[c]) +
                                         produced);
            }
        }
        d_pos += k;
        produced += k;
        if (d_pos >= d_cur->samples) {
            d_stream->recycle(std::move(d_cur));
        }
    }
    d_counters.add(ctr::items_out, produced * d_nports);
    return static_cast<int>(produced);
}

} // namespace redpitaya

rp_adc_source::sptr rp_adc_source::make(const std::string& host,
                                        const std::vector<int>& channels,
                                        int decimation,
                                        int resolution,
                                        const std::string& output_type,
                                        double scale,
                                        const std::string& model,
                                        int attenuator,
                                        const std::string& coupling,
                                        int block_size,
                                        int adc_size,
                                        int data_port,
                                        const std::string& reconnect)
{
    return gnuradio::make_block_sptr<redpitaya::rp_adc_source_impl>(host,
                                                                    channels,
                                                                    decimation,
                                                                    resolution,
                                                                    output_type,
                                                                    scale,
                                                                    model,
                                                                    attenuator,
                                                                    coupling,
                                                                    block_size,
                                                                    adc_size,
                                                                    data_port,
                                                                    reconnect);
}

} // namespace netstream
} // namespace gr
