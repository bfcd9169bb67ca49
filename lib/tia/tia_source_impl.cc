/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "../common/tag_helpers.h"
#include "tia_source_impl.h"
#include <gnuradio/io_signature.h>
#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace gr {
namespace netstream {

namespace {

std::vector<int> output_sizes(const std::vector<int>& channels)
{
    std::vector<int> sizes;
    for (int c : channels) {
        sizes.push_back(static_cast<int>(sizeof(float)) * std::max(c, 1));
    }
    return sizes;
}

float get_f32_le(const std::uint8_t* at)
{
    const std::uint32_t bits = static_cast<std::uint32_t>(at[0]) |
                               (static_cast<std::uint32_t>(at[1]) << 8) |
                               (static_cast<std::uint32_t>(at[2]) << 16) |
                               (static_cast<std::uint32_t>(at[3]) << 24);
    float f;
    std::memcpy(&f, &bits, sizeof(f));
    return f;
}

std::string describe(const std::vector<std::uint32_t>& flags,
                     const std::vector<int>& channels)
{
    std::string s;
    for (std::size_t i = 0; i < flags.size(); ++i) {
        s += (s.empty() ? "" : ", ") + std::string(tia::type_name_for_flag(flags[i])) +
             "x" + std::to_string(channels[i]);
    }
    return s;
}

} // namespace

tia_source::sptr tia_source::make(const std::string& host,
                                  int port,
                                  const std::vector<std::string>& signal_types,
                                  const std::vector<int>& channels,
                                  int timeout_ms,
                                  const std::string& reconnect,
                                  double max_backoff_s,
                                  int queue_packets)
{
    return gnuradio::make_block_sptr<tia_source_impl>(host,
                                                      port,
                                                      signal_types,
                                                      channels,
                                                      timeout_ms,
                                                      reconnect,
                                                      max_backoff_s,
                                                      queue_packets);
}

tia_source_impl::tia_source_impl(const std::string& host,
                                 int port,
                                 const std::vector<std::string>& signal_types,
                                 const std::vector<int>& channels,
                                 int timeout_ms,
                                 const std::string& reconnect,
                                 double max_backoff_s,
                                 int queue_packets)
    : gr::block("tia_source",
                gr::io_signature::make(0, 0, 0),
                gr::io_signature::makev(static_cast<int>(channels.size()),
                                        static_cast<int>(channels.size()),
                                        output_sizes(channels))),
      d_host(host),
      d_port(port),
      d_channels(channels),
      d_timeout(timeout_ms),
      d_policy(reconnect, 0.1, max_backoff_s),
      d_queue_packets(static_cast<std::size_t>(std::max(queue_packets, 1))),
      d_gap_key(pmt::mp("tia_gap"))
{
    if (signal_types.empty() || signal_types.size() != channels.size()) {
        throw std::invalid_argument(
            "signal_types/channels: need one channel count per type "
            "and at least one signal (got " +
            std::to_string(signal_types.size()) + "/" + std::to_string(channels.size()) +
            ")");
    }
    if (port < 1 || port > 65535) {
        throw std::invalid_argument("port: got " + std::to_string(port) +
                                    ", allowed 1 .. 65535");
    }
    if (timeout_ms < 1 || timeout_ms > 60000) {
        throw std::invalid_argument("timeout_ms: got " + std::to_string(timeout_ms) +
                                    ", allowed 1 .. 60000");
    }
    if (queue_packets < 1) {
        throw std::invalid_argument("queue_packets: got " +
                                    std::to_string(queue_packets) + ", must be >= 1");
    }
    for (std::size_t i = 0; i < signal_types.size(); ++i) {
        const auto flag = tia::flag_for_type_name(signal_types[i]);
        if (flag == 0 ||
            std::find(d_flags.begin(), d_flags.end(), flag) != d_flags.end()) {
            throw std::invalid_argument(
                "signal_types[" + std::to_string(i) + "]: got '" + signal_types[i] +
                "', need a TiA type name (eeg, user1, ...) used once");
        }
        if (channels[i] < 1 || channels[i] > 65535) {
            throw std::invalid_argument("channels[" + std::to_string(i) + "]: got " +
                                        std::to_string(channels[i]) +
                                        ", allowed 1 .. 65535");
        }
        d_flags.push_back(flag);
    }
    d_ports.resize(channels.size());
    for (std::size_t i = 0; i < channels.size(); ++i) {
        d_ports[i].channels = static_cast<std::size_t>(channels[i]);
    }
    d_rates.assign(channels.size(), 0);
    d_block_sizes.assign(channels.size(), 1);
    for (const char* name :
         { "lost_packets", "meta_mismatch", "connects", "disconnects" }) {
        d_counters.declare(name);
    }
    set_tag_propagation_policy(TPP_DONT);
}

tia_source_impl::~tia_source_impl()
{
    d_running.store(false);
    d_cv.notify_all();
    if (d_thread.joinable()) {
        d_thread.join();
    }
}

std::string tia_source_impl::server_meta_info() const
{
    std::lock_guard<std::mutex> lock(d_mutex);
    return d_meta_xml;
}

pmt::pmt_t tia_source_impl::extra_status_fields(pmt::pmt_t d) const
{
    d = pmt::dict_add(d, pmt::mp("connected"), pmt::from_bool(connected()));
    d = pmt::dict_add(
        d, pmt::mp("server"), pmt::mp(d_host + ":" + std::to_string(d_port)));
    d = pmt::dict_add(
        d, pmt::mp("last_packet_id"), pmt::from_uint64(d_last_packet_id.load()));
    return d;
}

bool tia_source_impl::start()
{
    {
        std::lock_guard<std::mutex> lock(d_mutex);
        d_done = false;
    }
    net_start();
    d_running.store(true);
    d_thread = std::thread([this]() { run(); });
    return block::start();
}

bool tia_source_impl::stop()
{
    d_running.store(false);
    d_cv.notify_all();
    if (d_thread.joinable()) {
        d_thread.join();
    }
    net_stop();
    return block::stop();
}

bool tia_source_impl::sleep_interruptible(std::chrono::milliseconds d)
{
    std::unique_lock<std::mutex> lock(d_mutex);
    d_cv.wait_for(lock, d, [this]() { return !d_running.load(); });
    return d_running.load();
}

std::string tia_source_impl::mismatch(const tia::meta_info& info) const
{
    std::vector<std::uint32_t> got_flags;
    std::vector<int> got_channels;
    for (const auto& s : info.signals) {
        got_flags.push_back(s.flag);
        got_channels.push_back(s.num_channels);
    }
    for (std::size_t i = 0; i < d_flags.size(); ++i) {
        const auto it = std::find(got_flags.begin(), got_flags.end(), d_flags[i]);
        if (it == got_flags.end() ||
            got_channels[static_cast<std::size_t>(it - got_flags.begin())] !=
                d_channels[i]) {
            return "expected signals [" + describe(d_flags, d_channels) +
                   "], server has [" + describe(got_flags, got_channels) + "]";
        }
    }
    return {};
}

void tia_source_impl::run()
{
    while (d_running.load()) {
        try {
            session();
        } catch (const tia::session_error& e) {
            if (d_connected.exchange(false)) {
                d_counters.add("disconnects");
                publish_event("disconnect", e.what());
            }
            warn_limited(std::string("TiA session: ") + e.what());
        }
        if (!d_running.load()) {
            break;
        }
        if (d_policy.gives_up()) {
            std::lock_guard<std::mutex> lock(d_mutex);
            d_done = true;
            d_cv.notify_all();
            break;
        }
        sleep_interruptible(d_policy.next_delay());
    }
}

void tia_source_impl::session()
{
    tia::client c(d_host, static_cast<std::uint16_t>(d_port), d_timeout);
    c.check_protocol_version();
    std::string xml;
    const auto info = c.get_meta_info(xml);
    if (const auto why = mismatch(info); !why.empty()) {
        d_counters.add("meta_mismatch");
        d_net_logger->error("TiA meta-info mismatch: {}", why);
        publish_event("mismatch", why);
        throw tia::session_error("meta-info mismatch: " + why);
    }
    {
        std::lock_guard<std::mutex> lock(d_mutex);
        d_meta_xml = xml;
        for (std::size_t i = 0; i < d_flags.size(); ++i) {
            for (const auto& s : info.signals) {
                if (s.flag == d_flags[i]) {
                    d_rates[i] = s.sampling_rate;
                    d_block_sizes[i] = s.block_size;
                }
            }
        }
        d_tag_rate = true;
    }
    c.start_tcp();
    if (d_policy.attempts() > 0 || d_counters.get("connects") > 0) {
        d_counters.add(ctr::reconnects);
    }
    d_policy.reset();
    d_connected.store(true);
    d_counters.add("connects");
    publish_event("connect", d_host + ":" + std::to_string(d_port));
    while (d_running.load()) {
        c.read_packets(
            std::chrono::milliseconds(std::min<long>(d_timeout.count(), 100)),
            [this](const std::vector<std::uint8_t>& raw) { deliver(raw); },
            [this](const parse_error& e) { count_malformed(e.reason, e.detail); });
    }
    c.stop();
}

void tia_source_impl::deliver(const std::vector<std::uint8_t>& raw)
{
    tia::packet_header h;
    if (auto e = tia::decode_packet_header(raw.data(), raw.size(), h)) {
        count_malformed(e.reason, e.detail);
        return;
    }
    d_counters.add(ctr::frames_in);
    d_counters.add(ctr::bytes_in, raw.size());
    // Locate each expected signal in this packet.
    std::vector<std::size_t> offsets(d_flags.size(), 0);
    std::vector<const tia::signal_shape*> shapes(d_flags.size(), nullptr);
    std::size_t offset = tia::packet_fixed_header_size + 4 * h.signals.size();
    for (const auto& s : h.signals) {
        for (std::size_t i = 0; i < d_flags.size(); ++i) {
            if (s.flag == d_flags[i]) {
                if (s.num_channels != d_channels[i]) {
                    count_malformed("channel_count_mismatch",
                                    "packet carries " + std::to_string(s.num_channels) +
                                        " channels for an output of " +
                                        std::to_string(d_channels[i]));
                    return;
                }
                offsets[i] = offset;
                shapes[i] = &s;
            }
        }
        offset += 4u * s.num_channels * s.block_size;
    }
    std::lock_guard<std::mutex> lock(d_mutex);
    // Bound: whole packets are dropped while any output holds queue_packets packets.
    for (std::size_t i = 0; i < d_ports.size(); ++i) {
        const auto& p = d_ports[i];
        const auto held = (p.data.size() - p.read) / p.channels;
        if (held >= d_queue_packets * d_block_sizes[i]) {
            d_counters.add(ctr::drops);
            return;
        }
    }
    uint64_t gap = 0;
    if (d_last_id && h.packet_id > *d_last_id + 1) {
        gap = h.packet_id - *d_last_id - 1;
        d_counters.add(ctr::gaps);
        d_counters.add("lost_packets", gap);
    }
    d_last_id = h.packet_id;
    d_last_packet_id.store(h.packet_id);
    for (std::size_t i = 0; i < d_ports.size(); ++i) {
        auto& p = d_ports[i];
        if (d_tag_rate) {
            p.tags.push_back(
                { p.items_appended, tags::rx_rate(), pmt::from_double(d_rates[i]) });
        }
        if (gap > 0) {
            p.tags.push_back({ p.items_appended, d_gap_key, pmt::from_uint64(gap) });
        }
        if (!shapes[i]) {
            continue; // an aperiodic signal absent from this packet
        }
        const std::size_t ch_n = shapes[i]->num_channels;
        const std::size_t bs = shapes[i]->block_size;
        const std::size_t base = p.data.size();
        p.data.resize(base + ch_n * bs);
        const std::uint8_t* src = raw.data() + offsets[i];
        for (std::size_t ch = 0; ch < ch_n; ++ch) {
            for (std::size_t s = 0; s < bs; ++s) {
                p.data[base + s * ch_n + ch] = get_f32_le(src + 4 * (ch * bs + s));
            }
        }
        p.items_appended += bs;
    }
    d_tag_rate = false;
    d_cv.notify_all();
}

int tia_source_impl::general_work(int noutput_items,
                                  gr_vector_int&,
                                  gr_vector_const_void_star&,
                                  gr_vector_void_star& output_items)
{
    std::unique_lock<std::mutex> lock(d_mutex);
    const auto has_data = [this]() {
        for (const auto& p : d_ports) {
            if (p.data.size() > p.read) {
                return true;
            }
        }
        return false;
    };
    if (!has_data()) {
        d_cv.wait_for(
            lock, d_timeout, [&]() { return has_data() || d_done || !d_running.load(); });
    }
    if (!has_data()) {
        return d_done ? WORK_DONE : 0;
    }
    uint64_t total = 0;
    for (std::size_t i = 0; i < d_ports.size(); ++i) {
        auto& p = d_ports[i];
        const std::size_t avail = (p.data.size() - p.read) / p.channels;
        const std::size_t n = std::min(avail, static_cast<std::size_t>(noutput_items));
        if (n == 0) {
            continue;
        }
        std::memcpy(
            output_items[i], p.data.data() + p.read, n * p.channels * sizeof(float));
        const uint64_t first = nitems_written(static_cast<unsigned>(i));
        std::size_t kept = 0;
        for (auto& t : p.tags) {
            if (t.offset < first + n) {
                add_item_tag(
                    static_cast<unsigned>(i), std::max(t.offset, first), t.key, t.value);
            } else {
                p.tags[kept++] = t;
            }
        }
        p.tags.resize(kept);
        p.read += n * p.channels;
        if (p.read == p.data.size()) {
            p.data.clear();
            p.read = 0;
        } else if (p.read > (1u << 20)) {
            p.data.erase(p.data.begin(),
                         p.data.begin() + static_cast<std::ptrdiff_t>(p.read));
            p.read = 0;
        }
        produce(static_cast<int>(i), static_cast<int>(n));
        total += n;
    }
    d_counters.add(ctr::items_out, total);
    return WORK_CALLED_PRODUCE;
}

} // namespace netstream
} // namespace gr
