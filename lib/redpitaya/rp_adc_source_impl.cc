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


unsigned port_count(const std::vector<int>& channels)
{
    return static_cast<unsigned>(__builtin_popcount(checked_mask(channels)));
}

/*! "a, b:port, c" -> {"a", "b:port", "c"}; "" -> {""} (discovery, one board). */
std::vector<std::string> split_hosts(const std::string& host)
{
    std::vector<std::string> out;
    if (host.find(',') == std::string::npos) {
        out.push_back(host);
        return out;
    }
    std::size_t from = 0;
    while (true) {
        const auto comma = host.find(',', from);
        std::string h =
            host.substr(from, comma == std::string::npos ? comma : comma - from);
        const auto a = h.find_first_not_of(" \t");
        const auto b = h.find_last_not_of(" \t");
        h = a == std::string::npos ? std::string() : h.substr(a, b - a + 1);
        if (h.empty()) {
            throw std::invalid_argument(
                "host: got \"" + host +
                "\", allowed one address or a comma-separated list (master first) "
                "without empty entries; discovery only for a single board");
        }
        out.push_back(h);
        if (comma == std::string::npos) {
            return out;
        }
        from = comma + 1;
    }
}

unsigned total_ports(const std::string& host, const std::vector<int>& channels)
{
    return static_cast<unsigned>(split_hosts(host).size()) * port_count(channels);
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
                     gr::io_signature::make(static_cast<int>(total_ports(host, channels)),
                                            static_cast<int>(total_ports(host, channels)),
                                            item_format_size(parse_item_format(
                                                "output_type", output_type)))),
      d_float(parse_item_format("output_type", output_type)),
      d_scale(scale),
      d_nports(total_ports(host, channels)),
      d_per_board(port_count(channels))
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
    s.adc_size = check_ring_size("adc_size", adc_size, block_size);
    const std::vector<std::string> hosts = split_hosts(host);
    std::shared_ptr<start_gate> gate;
    if (hosts.size() > 1) {
        gate = std::make_shared<start_gate>(static_cast<unsigned>(hosts.size()));
    }
    for (std::size_t b = 0; b < hosts.size(); b++) {
        adc_link_config link = make_link(hosts[b], data_port, model, reconnect);
        if (link.model) {
            const auto& m = *link.model;
            if (s.channel_mask >> m.adc_channels) {
                throw std::invalid_argument("channels: got " + join(channels) + ", the " +
                                            m.name + " has inputs 1.." +
                                            std::to_string(m.adc_channels));
            }
            if (attenuator == 20 && m.hv_full_scale <= 0.0f) {
                throw std::invalid_argument("attenuator: got 20, the " +
                                            std::string(m.name) +
                                            " has no 1:20 range (allowed 1)");
            }
            if (coupling == "AC" && !m.has_ac_dc) {
                throw std::invalid_argument("coupling: got \"AC\", the " +
                                            std::string(m.name) +
                                            " has no AC/DC relays (allowed \"DC\")");
            }
            d_rate = static_cast<double>(m.base_rate) / decimation;
        }
        std::string label;
        if (gate) {
            link.gate = gate;
            link.board_index = static_cast<unsigned>(b);
            link.counter_prefix = "board" + std::to_string(b + 1) + ".";
            label = "board" + std::to_string(b + 1) + " (" + hosts[b] + "): ";
        }
        board bd;
        bd.stream = std::make_unique<adc_stream>(
            link,
            s,
            d_counters,
            [this, label](const std::string& e, const std::string& d) {
                on_event(e, label + d);
            });
        d_boards.push_back(std::move(bd));
    }
    if (gate) {
        d_counters.declare("realigns");
        for (std::size_t b = 0; b < hosts.size(); b++) {
            d_counters.declare("board" + std::to_string(b + 1) + ".zero_filled");
        }
    }

    d_cmds.add_int("decimation",
                   [this](int64_t v) { set_decimation(static_cast<int>(v)); });
    d_cmds.add_int("resolution",
                   [this](int64_t v) { set_resolution(static_cast<int>(v)); });
    d_cmds.add_int("block_size",
                   [this](int64_t v) { set_block_size(static_cast<int>(v)); });
    d_cmds.add_action("restart", [this] { update_all([](adc_settings&) {}); });
    set_output_multiple(1);
}

rp_adc_source_impl::~rp_adc_source_impl()
{
    for (auto& bd : d_boards) {
        bd.stream->stop();
    }
}

void rp_adc_source_impl::update_all(const std::function<void(adc_settings&)>& change)
{
    for (auto& bd : d_boards) {
        bd.stream->update_settings(change);
    }
}

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
    d = pmt::dict_add(d, pmt::mp("connected"), pmt::from_bool(connected()));
    d = pmt::dict_add(d, pmt::mp("endpoint"), pmt::mp(master().endpoint()));
    if (d_boards.size() > 1) {
        std::string all;
        for (const auto& bd : d_boards) {
            all += (all.empty() ? "" : ",") + bd.stream->endpoint();
        }
        d = pmt::dict_add(d, pmt::mp("endpoints"), pmt::mp(all));
    }
    return pmt::dict_add(d, pmt::mp("protocol"), pmt::mp(protocol()));
}

void rp_adc_source_impl::set_decimation(int decimation)
{
    check_decimation(decimation);
    update_all([decimation](adc_settings& s) {
        s.decimation = static_cast<std::uint32_t>(decimation);
    });
}
int rp_adc_source_impl::decimation() const
{
    return static_cast<int>(master().settings().decimation);
}

void rp_adc_source_impl::set_resolution(int resolution)
{
    check_resolution(resolution);
    update_all([resolution](adc_settings& s) {
        s.resolution = static_cast<unsigned>(resolution);
    });
}
int rp_adc_source_impl::resolution() const
{
    return static_cast<int>(master().settings().resolution);
}

void rp_adc_source_impl::set_block_size(int block_size)
{
    check_block_size(block_size);
    const auto s = master().settings();
    if (s.adc_size > 0 &&
        s.adc_size < 12u * (static_cast<std::uint32_t>(block_size) + 128u)) {
        throw std::invalid_argument("block_size: got " + std::to_string(block_size) +
                                    ", too large for adc_size " +
                                    std::to_string(s.adc_size));
    }
    update_all([block_size](adc_settings& st) {
        st.block_size = static_cast<std::uint32_t>(block_size);
    });
}
int rp_adc_source_impl::block_size() const
{
    return static_cast<int>(master().settings().block_size);
}

double rp_adc_source_impl::sample_rate() const { return d_rate.load(); }
bool rp_adc_source_impl::connected() const
{
    return std::all_of(d_boards.begin(), d_boards.end(), [](const board& bd) {
        return bd.stream->connected();
    });
}
std::string rp_adc_source_impl::protocol() const
{
    switch (master().version()) {
    case protocol_version::p2:
        return "p2";
    case protocol_version::p3:
        return "p3";
    default:
        return "";
    }
}
std::string rp_adc_source_impl::last_error() const
{
    for (const auto& bd : d_boards) {
        auto e = bd.stream->last_error();
        if (!e.empty()) {
            return e;
        }
    }
    return {};
}

bool rp_adc_source_impl::start()
{
    this->net_start();
    for (auto it = d_boards.rbegin(); it != d_boards.rend(); ++it) { // slaves first
        it->cur.reset();
        it->pos = 0;
        it->zeros = 0;
        it->min_gen = 0;
        it->expect_start = true;
        it->tagged = false;
        it->stream->start();
    }
    return sync_block::start();
}

bool rp_adc_source_impl::stop()
{
    for (auto& bd : d_boards) { // master first (section 7.4)
        bd.stream->stop();
    }
    this->net_stop();
    return sync_block::stop();
}

int rp_adc_source_impl::work(int noutput_items,
                             gr_vector_const_void_star&,
                             gr_vector_void_star& output_items)
{
    const std::size_t n = static_cast<std::size_t>(noutput_items);
    return d_boards.size() == 1 ? work_single(n, output_items)
                                : work_multi(n, output_items);
}

int rp_adc_source_impl::work_single(std::size_t n, gr_vector_void_star& output_items)
{
    auto& cur = d_boards.front().cur;
    auto& pos = d_boards.front().pos;
    auto& stream = *d_boards.front().stream;
    std::size_t produced = 0;
    while (produced < n) {
        if (!cur) {
            // Wait (bounded) only while nothing was produced in this call.
            cur = stream.pop(produced == 0 ? std::chrono::milliseconds(100)
                                           : std::chrono::milliseconds(0));
            if (!cur) {
                if (produced == 0 && stream.finished()) {
                    return WORK_DONE;
                }
                break;
            }
            pos = 0;
            // Tag offsets use nitems_written + produced.
            const uint64_t offset = nitems_written(0) + produced;
            for (unsigned k = 0; k < d_nports; k++) {
                if (cur->stream_start) {
                    add_item_tag(k,
                                 offset,
                                 tags::rx_rate(),
                                 pmt::from_double(cur->rate),
                                 alias_pmt());
                }
                if (cur->tag_time) {
                    add_item_tag(k,
                                 offset,
                                 tags::rx_time(),
                                 tags::rx_time_from_ns(cur->time_ns),
                                 alias_pmt());
                }
                if (cur->lost_before > 0) {
                    add_item_tag(k,
                                 offset,
                                 rp_lost_key(),
                                 pmt::from_uint64(cur->lost_before),
                                 alias_pmt());
                }
            }
            d_rate = cur->rate;
        }
        const auto& pk = cur->pack;
        const std::size_t k = std::min(n - produced, cur->samples - pos);
        const std::size_t bps = pk.bits_per_sample / 8u;
        const float fs = d_scale > 0.0 ? static_cast<float>(d_scale) : cur->full_scale;
        for (unsigned c = 0; c < d_nports; c++) {
            const std::uint8_t* src = pk.segments[c].samples + pos * bps;
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
        pos += k;
        produced += k;
        if (pos >= cur->samples) {
            stream.recycle(std::move(cur));
        }
    }
    d_counters.add(ctr::items_out, produced * d_nports);
    return static_cast<int>(produced);
}

void rp_adc_source_impl::tag_pack(unsigned first_port,
                                  std::uint64_t offset,
                                  const rx_pack& p)
{
    for (unsigned k = first_port; k < first_port + d_per_board; k++) {
        if (p.stream_start) {
            add_item_tag(
                k, offset, tags::rx_rate(), pmt::from_double(p.rate), alias_pmt());
        }
        if (p.tag_time) {
            add_item_tag(k,
                         offset,
                         tags::rx_time(),
                         tags::rx_time_from_ns(p.time_ns),
                         alias_pmt());
        }
    }
}

void rp_adc_source_impl::copy_out(const board& bd,
                                  std::size_t k,
                                  unsigned first_port,
                                  std::size_t produced,
                                  gr_vector_void_star& output_items) const
{
    for (unsigned c = 0; c < d_per_board; c++) {
        void* out = output_items[first_port + c];
        if (bd.zeros > 0) {
            if (d_float) {
                std::fill_n(static_cast<float*>(out) + produced, k, 0.0f);
            } else {
                std::fill_n(
                    static_cast<std::int16_t*>(out) + produced, k, std::int16_t{ 0 });
            }
            continue;
        }
        const auto& pk = bd.cur->pack;
        const std::size_t bps = pk.bits_per_sample / 8u;
        const std::uint8_t* src = pk.segments[c].samples + bd.pos * bps;
        if (d_float) {
            const float fs =
                d_scale > 0.0 ? static_cast<float>(d_scale) : bd.cur->full_scale;
            decode_samples_volts(src,
                                 k * bps,
                                 pk.bits_per_sample,
                                 fs,
                                 static_cast<float*>(out) + produced);
        } else {
            decode_samples_int16(src,
                                 k * bps,
                                 pk.bits_per_sample,
                                 static_cast<std::int16_t*>(out) + produced);
        }
    }
}

void rp_adc_source_impl::realign(const std::string& why)
{
    // One board restarted on its own (resync, reconnect): its samples no longer line up
    // with the others. Restart all of them (the start gate orders slaves before the
    // master again) and drop every pack of the old starts.
    d_counters.add("realigns");
    publish_event("realign", why);
    warn_limited("realign: " + why);
    for (auto& bd : d_boards) {
        if (bd.cur) {
            bd.stream->recycle(std::move(bd.cur));
        }
        bd.pos = 0;
        bd.zeros = 0;
        bd.tagged = false;
        bd.expect_start = true;
        bd.min_gen = bd.stream->generation() + 1;
        bd.stream->update_settings([](adc_settings&) {});
    }
}

bool rp_adc_source_impl::fetch(std::size_t b,
                               std::chrono::milliseconds timeout,
                               std::uint64_t offset)
{
    auto& bd = d_boards[b];
    while (true) {
        auto p = bd.stream->pop(timeout);
        if (!p) {
            return false;
        }
        if (p->generation < bd.min_gen) { // queued before a realign
            bd.stream->recycle(std::move(p));
            continue;
        }
        if (p->stream_start && !bd.expect_start) {
            bd.stream->recycle(std::move(p));
            realign("board" + std::to_string(b + 1) + " restarted its stream");
            return false;
        }
        bd.expect_start = false;
        bd.cur = std::move(p);
        bd.pos = 0;
        bd.tagged = false;
        if (bd.cur->lost_before > 0) {
            // Zero-fill the loss so every board stays on one time axis; the tag marks
            // the first zero.
            bd.zeros = bd.cur->lost_before;
            d_counters.add("board" + std::to_string(b + 1) + ".zero_filled", bd.zeros);
            const unsigned first = static_cast<unsigned>(b) * d_per_board;
            for (unsigned k = first; k < first + d_per_board; k++) {
                add_item_tag(
                    k, offset, rp_lost_key(), pmt::from_uint64(bd.zeros), alias_pmt());
            }
        }
        if (b == 0) {
            d_rate = bd.cur->rate;
        }
        return true;
    }
}

int rp_adc_source_impl::work_multi(std::size_t n, gr_vector_void_star& output_items)
{
    // Lock-step: a sample is output only when every board has it (or owes zeros for a
    // loss at that position), so output index i is the same instant on every board.
    std::size_t produced = 0;
    while (produced < n) {
        const std::uint64_t offset = nitems_written(0) + produced;
        std::size_t k = n - produced;
        for (std::size_t b = 0; b < d_boards.size() && k > 0; b++) {
            auto& bd = d_boards[b];
            if (!bd.cur && bd.zeros == 0 &&
                !fetch(b,
                       produced == 0 ? std::chrono::milliseconds(100)
                                     : std::chrono::milliseconds(0),
                       offset)) {
                if (produced == 0 && bd.stream->finished()) {
                    return WORK_DONE;
                }
                k = 0;
                break;
            }
            if (!bd.cur && bd.zeros == 0) { // a realign dropped everything
                k = 0;
                break;
            }
            k = std::min<std::uint64_t>(
                k, bd.zeros > 0 ? bd.zeros : bd.cur->samples - bd.pos);
        }
        if (k == 0) {
            break;
        }
        for (std::size_t b = 0; b < d_boards.size(); b++) {
            auto& bd = d_boards[b];
            const unsigned first = static_cast<unsigned>(b) * d_per_board;
            if (bd.zeros == 0 && !bd.tagged) {
                tag_pack(first, offset, *bd.cur);
                bd.tagged = true;
            }
            copy_out(bd, k, first, produced, output_items);
            if (bd.zeros > 0) {
                bd.zeros -= k;
            } else {
                bd.pos += k;
                if (bd.pos >= bd.cur->samples) {
                    bd.stream->recycle(std::move(bd.cur));
                }
            }
        }
        produced += k;
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
