/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "tia_metainfo.h"
#include "tia_packet_codec.h"
#include "tia_sink_impl.h"
#include <gnuradio/io_signature.h>
#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>

namespace gr {
namespace netstream {

namespace {

constexpr bool host_is_little_endian = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__;

void put_u64_le(std::uint8_t* at, std::uint64_t v)
{
    for (int i = 0; i < 8; ++i) {
        at[i] = static_cast<std::uint8_t>(v >> (8 * i));
    }
}

void put_f32_le(std::uint8_t* at, float f)
{
    std::uint32_t bits;
    std::memcpy(&bits, &f, sizeof(bits));
    for (int i = 0; i < 4; ++i) {
        at[i] = static_cast<std::uint8_t>(bits >> (8 * i));
    }
}

std::vector<std::string> split_labels(const std::string& text)
{
    std::vector<std::string> out;
    if (text.find_first_not_of(" \t") == std::string::npos) {
        return out;
    }
    std::size_t pos = 0;
    for (;;) {
        const auto comma = text.find(',', pos);
        std::string item = text.substr(
            pos, comma == std::string::npos ? std::string::npos : comma - pos);
        const auto b = item.find_first_not_of(" \t");
        const auto e = item.find_last_not_of(" \t");
        out.push_back(b == std::string::npos ? "" : item.substr(b, e - b + 1));
        if (comma == std::string::npos) {
            return out;
        }
        pos = comma + 1;
    }
}

std::string join_ints(const std::vector<int>& v)
{
    std::string s;
    for (auto x : v) {
        s += (s.empty() ? "" : ",") + std::to_string(x);
    }
    return s;
}

struct checked_setup {
    tia::meta_info info;
    std::vector<tia::signal_shape> shapes;
    double packet_rate = 0.0;
};

checked_setup check_parameters(const std::vector<std::string>& types,
                               const std::vector<int>& channels,
                               const std::vector<int>& block_sizes,
                               const std::vector<double>& rates,
                               const std::vector<std::string>& labels,
                               int master,
                               int port,
                               int udp_port,
                               int queue_bytes,
                               double stall_timeout_s,
                               const std::string& subject_id)
{
    const std::size_t n = types.size();
    if (n == 0 || n > 22) {
        throw std::invalid_argument("signal_types: got " + std::to_string(n) +
                                    " signals, allowed 1 .. 22 (one per TiA type)");
    }
    if (channels.size() != n || block_sizes.size() != n || rates.size() != n) {
        throw std::invalid_argument(
            "channels/block_sizes/sample_rates: need one entry per signal type (" +
            std::to_string(n) + "), got " + std::to_string(channels.size()) + "/" +
            std::to_string(block_sizes.size()) + "/" + std::to_string(rates.size()));
    }
    if (labels.size() > n) {
        throw std::invalid_argument("channel_labels: got " +
                                    std::to_string(labels.size()) + " entries for " +
                                    std::to_string(n) + " signals");
    }
    if (master < 0 || static_cast<std::size_t>(master) >= n) {
        throw std::invalid_argument("master: got " + std::to_string(master) +
                                    ", allowed 0 .. " + std::to_string(n - 1));
    }
    if (port < 0 || port > 65535) {
        throw std::invalid_argument("port: got " + std::to_string(port) +
                                    ", allowed 0 .. 65535");
    }
    if (udp_port < 0 || udp_port > 65535) {
        throw std::invalid_argument("udp_port: got " + std::to_string(udp_port) +
                                    ", allowed 0 .. 65535 (0 = no UDP)");
    }
    if (!(stall_timeout_s >= 0.0)) {
        throw std::invalid_argument("stall_timeout_s: must be >= 0 (0 = never)");
    }
    checked_setup out;
    out.info.subject.id = subject_id;
    for (std::size_t i = 0; i < n; ++i) {
        const auto flag = tia::flag_for_type_name(types[i]);
        if (flag == 0) {
            throw std::invalid_argument(
                "signal_types[" + std::to_string(i) + "]: got '" + types[i] +
                "', allowed eeg, emg, eog, ecg, hr, bp, button, joystick, sensor, nirs, "
                "fmri, mouse, mouse-button, user1 .. user4, undefined, event");
        }
        if (channels[i] < 1 || channels[i] > 65535) {
            throw std::invalid_argument("channels[" + std::to_string(i) + "]: got " +
                                        std::to_string(channels[i]) +
                                        ", allowed 1 .. 65535");
        }
        if (block_sizes[i] < 1 || block_sizes[i] > 65535) {
            throw std::invalid_argument("block_sizes[" + std::to_string(i) + "]: got " +
                                        std::to_string(block_sizes[i]) +
                                        ", allowed 1 .. 65535");
        }
        if (!(rates[i] > 0.0) || rates[i] > 4.0e9) {
            throw std::invalid_argument("sample_rates[" + std::to_string(i) + "]: got " +
                                        std::to_string(rates[i]) +
                                        ", must be > 0 and < 4e9");
        }
        tia::signal_info s;
        s.flag = flag;
        s.sampling_rate = static_cast<std::uint32_t>(std::lround(rates[i]));
        s.block_size = static_cast<std::uint16_t>(block_sizes[i]);
        s.num_channels = static_cast<std::uint16_t>(channels[i]);
        if (i < labels.size()) {
            s.channel_labels = split_labels(labels[i]);
            if (s.channel_labels.size() > s.num_channels) {
                throw std::invalid_argument(
                    "channel_labels[" + std::to_string(i) +
                    "]: " + std::to_string(s.channel_labels.size()) + " labels for " +
                    std::to_string(channels[i]) + " channels");
            }
        }
        out.info.signals.push_back(s);
        out.shapes.push_back({ flag, s.num_channels, s.block_size });
    }
    out.packet_rate = rates[master] / block_sizes[master];
    for (std::size_t i = 0; i < n; ++i) {
        const double r = rates[i] / block_sizes[i];
        if (std::fabs(r - out.packet_rate) > 1e-9 * out.packet_rate) {
            throw std::invalid_argument(
                "sample_rates/block_sizes: signal " + std::to_string(i) + " (" +
                types[i] + ") gives " + std::to_string(r) +
                " packets/s but the master gives " + std::to_string(out.packet_rate) +
                "; every signal must satisfy rate/block_size = master rate/block_size");
        }
    }
    out.info.master_sampling_rate = out.info.signals[master].sampling_rate;
    out.info.master_block_size = out.info.signals[master].block_size;
    if (auto e = tia::validate_meta_info(out.info)) {
        throw std::invalid_argument("signal_types: " + e.detail);
    }
    if (auto e = tia::validate_signal_shapes(out.shapes)) {
        throw std::invalid_argument("channels/block_sizes: " + e.detail + " (channels " +
                                    join_ints(channels) + ", block sizes " +
                                    join_ints(block_sizes) + ")");
    }
    if (queue_bytes < static_cast<int>(tia::packet_size_for(out.shapes))) {
        throw std::invalid_argument("queue_bytes: got " + std::to_string(queue_bytes) +
                                    ", must hold one packet (" +
                                    std::to_string(tia::packet_size_for(out.shapes)) +
                                    " bytes)");
    }
    return out;
}

std::vector<int> item_sizes(const std::vector<int>& channels)
{
    std::vector<int> sizes;
    for (int c : channels) {
        sizes.push_back(static_cast<int>(sizeof(float)) * std::max(c, 1));
    }
    return sizes;
}

} // namespace

tia_sink::sptr tia_sink::make(const std::vector<std::string>& signal_types,
                              const std::vector<int>& channels,
                              const std::vector<int>& block_sizes,
                              const std::vector<double>& sample_rates,
                              const std::vector<std::string>& channel_labels,
                              int master,
                              const std::string& bind_address,
                              int port,
                              const std::string& udp_address,
                              int udp_port,
                              int queue_bytes,
                              double stall_timeout_s,
                              const std::string& subject_id)
{
    return gnuradio::make_block_sptr<tia_sink_impl>(signal_types,
                                                    channels,
                                                    block_sizes,
                                                    sample_rates,
                                                    channel_labels,
                                                    master,
                                                    bind_address,
                                                    port,
                                                    udp_address,
                                                    udp_port,
                                                    queue_bytes,
                                                    stall_timeout_s,
                                                    subject_id);
}

tia_sink_impl::tia_sink_impl(const std::vector<std::string>& signal_types,
                             const std::vector<int>& channels,
                             const std::vector<int>& block_sizes,
                             const std::vector<double>& sample_rates,
                             const std::vector<std::string>& channel_labels,
                             int master,
                             const std::string& bind_address,
                             int port,
                             const std::string& udp_address,
                             int udp_port,
                             int queue_bytes,
                             double stall_timeout_s,
                             const std::string& subject_id)
    : gr::block("tia_sink",
                gr::io_signature::makev(static_cast<int>(channels.size()),
                                        static_cast<int>(channels.size()),
                                        item_sizes(channels)),
                gr::io_signature::make(0, 0, 0))
{
    const auto setup = check_parameters(signal_types,
                                        channels,
                                        block_sizes,
                                        sample_rates,
                                        channel_labels,
                                        master,
                                        port,
                                        udp_port,
                                        queue_bytes,
                                        stall_timeout_s,
                                        subject_id);
    d_xml = tia::write_meta_info_xml(setup.info);
    d_packet_period_us = 1e6 / setup.packet_rate;

    // A zero-sample packet from the codec gives the exact header; work() fills in id,
    // timestamp and samples at the offsets computed here.
    tia::packet zero;
    for (const auto& s : setup.shapes) {
        zero.signals.push_back(
            { s,
              std::vector<float>(std::size_t{ s.num_channels } * s.block_size, 0.0f) });
    }
    if (auto e = tia::encode_packet(zero, d_template)) {
        throw std::invalid_argument("signal_types: " + e.detail);
    }
    // Byte offset of each signal's samples: signals are laid out in ascending flag order.
    std::vector<std::size_t> order(setup.shapes.size());
    for (std::size_t i = 0; i < order.size(); ++i) {
        order[i] = i;
    }
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return setup.shapes[a].flag < setup.shapes[b].flag;
    });
    d_inputs.resize(order.size());
    std::size_t offset = tia::packet_fixed_header_size + 4 * order.size();
    for (auto i : order) {
        const auto& s = setup.shapes[i];
        d_inputs[i] = { s.num_channels, s.block_size, offset };
        offset += 4u * s.num_channels * s.block_size;
    }

    tia::server_config cfg;
    cfg.bind_address = bind_address;
    cfg.port = static_cast<std::uint16_t>(port);
    cfg.udp_address = udp_address;
    cfg.udp_port = static_cast<std::uint16_t>(udp_port);
    cfg.queue_bytes = static_cast<std::size_t>(queue_bytes);
    cfg.stall_timeout_s = stall_timeout_s;
    cfg.meta_info_xml = d_xml;
    cfg.packet_bytes = d_template.size();
    d_server = std::make_unique<tia::server>(
        cfg, d_counters, [this](const std::string& ev, const std::string& detail) {
            d_net_logger->debug("{} {}", ev, detail);
            publish_event(ev, detail);
        });
    d_counters.declare("packets_assembled");
    set_tag_propagation_policy(TPP_DONT);
}

tia_sink_impl::~tia_sink_impl() { d_server.reset(); }

bool tia_sink_impl::start()
{
    d_next_id.store(0);
    net_start();
    d_server->start();
    return block::start();
}

bool tia_sink_impl::stop()
{
    d_server->stop();
    net_stop();
    return block::stop();
}

void tia_sink_impl::forecast(int, gr_vector_int& ninput_items_required)
{
    for (std::size_t i = 0; i < ninput_items_required.size() && i < d_inputs.size();
         ++i) {
        ninput_items_required[i] = static_cast<int>(d_inputs[i].block_size);
    }
}

void tia_sink_impl::fill_packet(std::uint8_t* out,
                                uint64_t id,
                                std::size_t block,
                                const gr_vector_const_void_star& inputs) const
{
    std::memcpy(out, d_template.data(), d_template.size());
    put_u64_le(out + tia::packet_offset_id, id);
    put_u64_le(out + tia::packet_offset_timestamp,
               static_cast<uint64_t>(
                   std::llround(static_cast<double>(id) * d_packet_period_us)));
    for (std::size_t i = 0; i < d_inputs.size(); ++i) {
        const auto& in = d_inputs[i];
        const auto* src =
            static_cast<const float*>(inputs[i]) + block * in.block_size * in.channels;
        std::uint8_t* dst = out + in.byte_offset;
        if (in.channels == 1 && host_is_little_endian) {
            std::memcpy(dst, src, 4 * in.block_size);
            continue;
        }
        // Items are one sample of every channel; the wire wants channel-major.
        for (std::size_t ch = 0; ch < in.channels; ++ch) {
            for (std::size_t s = 0; s < in.block_size; ++s) {
                put_f32_le(dst, src[s * in.channels + ch]);
                dst += 4;
            }
        }
    }
}

int tia_sink_impl::general_work(int,
                                gr_vector_int& ninput_items,
                                gr_vector_const_void_star& input_items,
                                gr_vector_void_star&)
{
    std::size_t blocks = SIZE_MAX;
    for (std::size_t i = 0; i < d_inputs.size(); ++i) {
        blocks = std::min(
            blocks, static_cast<std::size_t>(ninput_items[i]) / d_inputs[i].block_size);
    }
    if (blocks == 0 || blocks == SIZE_MAX) {
        return 0;
    }
    const bool wanted = d_server->has_subscribers();
    const uint64_t first_id = d_next_id.load();
    d_batch.clear();
    if (wanted) {
        for (std::size_t b = 0; b < blocks; ++b) {
            auto p = std::make_shared<std::vector<std::uint8_t>>(d_template.size());
            fill_packet(p->data(), first_id + b, b, input_items);
            d_batch.push_back(std::move(p));
        }
        d_server->publish(d_batch);
        d_batch.clear();
    }
    d_next_id.store(first_id + blocks);
    d_counters.add("packets_assembled", blocks);
    uint64_t items = 0;
    for (std::size_t i = 0; i < d_inputs.size(); ++i) {
        consume(static_cast<int>(i), static_cast<int>(blocks * d_inputs[i].block_size));
        items += blocks * d_inputs[i].block_size;
    }
    d_counters.add(ctr::items_in, items);
    return 0;
}

pmt::pmt_t tia_sink_impl::extra_status_fields(pmt::pmt_t d) const
{
    d = pmt::dict_add(d, pmt::mp("port"), pmt::from_long(port()));
    d = pmt::dict_add(d, pmt::mp("packet_id"), pmt::from_uint64(next_packet_id()));
    d = pmt::dict_add(
        d, pmt::mp("control_connections"), pmt::from_long(control_connection_count()));
    pmt::pmt_t clients = pmt::PMT_NIL;
    for (const auto& c : d_server->clients()) {
        pmt::pmt_t e = pmt::make_dict();
        e = pmt::dict_add(e, pmt::mp("peer"), pmt::mp(c.peer));
        e = pmt::dict_add(e, pmt::mp("streaming"), pmt::from_bool(c.streaming));
        e = pmt::dict_add(e, pmt::mp("packets_sent"), pmt::from_uint64(c.packets_sent));
        e = pmt::dict_add(
            e, pmt::mp("packets_dropped"), pmt::from_uint64(c.packets_dropped));
        e = pmt::dict_add(e, pmt::mp("queued_bytes"), pmt::from_uint64(c.queued_bytes));
        clients = pmt::list_add(clients, e);
    }
    return pmt::dict_add(d, pmt::mp("clients"), clients);
}

} // namespace netstream
} // namespace gr
