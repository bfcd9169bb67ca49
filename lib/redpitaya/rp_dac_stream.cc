/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "rp_dac_stream.h"

#include <algorithm>
#include <cstring>

namespace gr {
namespace netstream {
namespace redpitaya {

namespace {
using clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr milliseconds poll_slice{ 100 };
constexpr milliseconds data_connect_timeout{ 5000 };

bool is_cmd(const control_message& m, command_id id)
{
    return m.kind == message_kind::command && m.command == static_cast<std::uint32_t>(id);
}

unsigned popcount(unsigned v) { return static_cast<unsigned>(__builtin_popcount(v)); }
} // namespace

parse_error build_dac_pack(const dac_settings& s,
                           const std::vector<const std::int16_t*>& data,
                           std::size_t sample_count,
                           tx_pack& out)
{
    const unsigned n = popcount(s.output_mask & 3u);
    if (n == 0 || data.size() != n) {
        return parse_error("bad_channel",
                           "the pack needs one data pointer per enabled output");
    }
    const std::size_t bytes = sample_count * sizeof(std::int16_t);
    const std::size_t seg = segment_header_size + s.block_size;
    out.bytes.assign(seg * n, 0);
    out.samples = sample_count;
    unsigned k = 0;
    for (unsigned o = 1; o <= 2; o++) {
        if (!(s.output_mask & (1u << (o - 1)))) {
            continue;
        }
        dac_segment_header h;
        h.buffer_size = seg;
        h.channels = static_cast<std::uint8_t>(n);
        h.channel = static_cast<std::uint8_t>(o);
        h.channel_size = static_cast<std::uint32_t>(bytes);
        h.size_of_all_channels = static_cast<std::uint64_t>(n) * s.block_size;
        h.one_pack_mode = s.one_pack;
        h.inf_mode = s.one_pack && s.inf;
        h.repeat_count = (s.one_pack && s.inf) ? -1 : (s.one_pack ? s.repeat_count : 1);
        h.bits = 16;
        if (auto err = validate_dac_segment_header(h, s.block_size)) {
            return err;
        }
        const auto raw = encode_dac_segment_header(h);
        // Belt and braces: what goes on the wire must decode to what was validated.
        dac_segment_header back;
        if (auto err = decode_dac_segment_header(raw.data(), raw.size(), back)) {
            return err;
        }
        if (back.buffer_size != seg || back.channel_size != h.channel_size) {
            return parse_error("bad_buffer_size", "encoded header does not decode back");
        }
        std::uint8_t* dst = out.bytes.data() + k * seg;
        std::memcpy(dst, raw.data(), raw.size());
        std::uint8_t* d = dst + segment_header_size;
        for (std::size_t i = 0; i < sample_count; i++) {
            const auto v = static_cast<std::uint16_t>(data[k][i]);
            d[2 * i] = static_cast<std::uint8_t>(v & 0xFFu);
            d[2 * i + 1] = static_cast<std::uint8_t>(v >> 8);
        }
        k++;
    }
    return {};
}

dac_stream::dac_stream(const dac_link_config& link,
                       const dac_settings& settings,
                       counter_set& counters,
                       event_fn on_event)
    : stream_worker(std::move(on_event)),
      d_link(link),
      d_counters(counters),
      d_settings(settings),
      d_ctrl([this](const control_message& m) { on_notification(m); }, &d_stop)
{
    for (const char* c : { "packs_sent",
                           "underflows",
                           "notifications",
                           "restarts",
                           "playback_cut",
                           "packs_dropped_at_stop" }) {
        d_counters.declare(c);
    }
}

dac_stream::~dac_stream() { stop(); }

void dac_stream::start()
{
    start_worker(
        [this] {
            d_finish = false;
            d_queue.clear();
        },
        [this] { run(); });
}

bool dac_stream::push(std::unique_ptr<tx_pack>& p, milliseconds timeout)
{
    std::unique_lock<std::mutex> lk(d_mutex);
    d_cv.wait_for(lk, timeout, [this] {
        return d_queue.size() < d_link.queue_packs || d_worker_done;
    });
    if (d_worker_done || d_queue.size() >= d_link.queue_packs) {
        return false;
    }
    d_queue.push_back(std::move(p));
    lk.unlock();
    d_cv.notify_all();
    return true;
}

void dac_stream::finish() { signal_and_join(d_finish); }

void dac_stream::stop() { signal_and_join(d_stop); }

bool dac_stream::finished() const
{
    std::lock_guard<std::mutex> lk(d_mutex);
    return d_worker_done;
}

std::string dac_stream::endpoint() const
{
    return d_link.host + ":" + std::to_string(d_link.control_port);
}

void dac_stream::set_dac_rate(std::uint32_t rate)
{
    {
        std::lock_guard<std::mutex> lk(d_mutex);
        d_settings.dac_rate = rate;
    }
    d_restart = true;
    d_cv.notify_all();
}

dac_settings dac_stream::settings() const
{
    std::lock_guard<std::mutex> lk(d_mutex);
    return d_settings;
}

void dac_stream::on_notification(const control_message& m)
{
    if (m.kind != message_kind::command || is_cmd(m, command_id::master_connected) ||
        is_cmd(m, command_id::slave_connected) ||
        is_cmd(m, command_id::settings_get_success) ||
        is_cmd(m, command_id::settings_get_fail)) {
        return;
    }
    const std::string name = control_session::callback_name(m.command);
    d_counters.add("notifications");
    d_event(name.empty() ? "board_notification" : name,
            "CMD " + std::to_string(m.command) + " " + command_name(m.command));
    if (is_cmd(m, command_id::dac_server_stopped_mem_modify) ||
        is_cmd(m, command_id::dac_server_stopped)) {
        // Another controller or a block_size change took the DAC pipeline down.
        d_board_stopped = name.empty() ? "DAC_SERVER_STOPPED" : name;
    }
}

void dac_stream::configure_and_start(const dac_settings& s)
{
    // Section 7.3: stop first (a start tears down silently), then settings, then 31.
    d_ctrl.stop_dac();
    d_board_stopped.clear();
    const bool p2 = d_ctrl.version() == protocol_version::p2;
    if (p2 && s.output_mask == 2u) {
        throw link_error(link_failure::rejected,
                         "a P2 board can start only OUT1 or OUT1+OUT2, not OUT2 alone");
    }
    d_ctrl.set_value("dac_pass_mode", "DAC_NET");
    d_ctrl.set_value("dac_rate", std::to_string(s.dac_rate));
    if (d_ctrl.get_block_size() != s.block_size) {
        d_ctrl.set_value("block_size", std::to_string(s.block_size));
        d_board_stopped.clear(); // the 35 of our own block_size SET
    }
    const std::uint32_t dac_size =
        std::max<std::uint32_t>(s.dac_size, 12u * (s.block_size + 128u));
    d_ctrl.set_value("dac_size", std::to_string(dac_size));
    const std::uint32_t bs = d_ctrl.get_block_size();
    if (bs != s.block_size) {
        // Never send packs of the wrong size: the board server would exit (section 6.1).
        throw link_error(link_failure::rejected,
                         "the board reports block_size " + std::to_string(bs) +
                             ", requested " + std::to_string(s.block_size));
    }
    const unsigned n = popcount(s.output_mask);
    d_ctrl.start_dac(p2 ? std::to_string(n) : std::to_string(s.output_mask));
    try {
        d_data.connect(d_link.host, d_link.data_port, data_connect_timeout);
    } catch (const link_error& e) {
        try {
            d_ctrl.stop_dac();
        } catch (const link_error&) {
        }
        throw link_error(e.kind(),
                         "the board started the DAC (41) but its data port failed: " +
                             std::string(e.what()));
    }
    d_anchored = false;
    d_in_underflow = false;
    d_event("dac_started",
            "DAC streaming to " + d_data.endpoint() + " at " +
                std::to_string(s.dac_rate) + " S/s");
}

void dac_stream::write_pack(const tx_pack& p)
{
    std::size_t done = 0;
    while (done < p.bytes.size()) {
        if (d_stop || d_restart) {
            if (done > 0) {
                // A partial pack cannot be completed: the data link must go.
                throw link_error(link_failure::cancelled,
                                 "stopped in the middle of a pack");
            }
            return;
        }
        done +=
            d_data.write_some(p.bytes.data() + done, p.bytes.size() - done, poll_slice);
        d_ctrl.pump();
        if (!d_board_stopped.empty()) {
            throw link_error(link_failure::closed,
                             "the board stopped the DAC (" + d_board_stopped + ")");
        }
    }
    d_counters.add(ctr::frames_out);
    d_counters.add(ctr::bytes_out, p.bytes.size());
    d_counters.add("packs_sent");
}

void dac_stream::send_loop(const dac_settings& s)
{
    if (d_one_pack) {
        write_pack(*d_one_pack); // after a reconnect: the waveform again
    }
    while (!d_stop && !d_restart) {
        std::unique_ptr<tx_pack> p;
        {
            std::unique_lock<std::mutex> lk(d_mutex);
            d_cv.wait_for(lk, poll_slice, [this] {
                return !d_queue.empty() || d_stop.load() || d_finish.load() ||
                       d_restart.load();
            });
            if (!d_queue.empty()) {
                p = std::move(d_queue.front());
                d_queue.pop_front();
            }
        }
        d_cv.notify_all();
        d_ctrl.pump();
        if (!d_board_stopped.empty()) {
            throw link_error(link_failure::closed,
                             "the board stopped the DAC (" + d_board_stopped + ")");
        }
        const auto now = clock::now();
        if (!p) {
            if (d_finish) {
                return;
            }
            // Underflow: the board would have played everything sent so far.
            if (!s.one_pack && d_anchored && !d_in_underflow) {
                const auto end =
                    d_anchor +
                    std::chrono::nanoseconds(static_cast<long long>(
                        1e9 * static_cast<double>(d_samples_since_anchor) / s.dac_rate));
                if (now > end) {
                    d_in_underflow = true;
                    d_counters.add("underflows");
                    d_event("underflow",
                            "the input did not keep the board fed at " +
                                std::to_string(s.dac_rate) + " S/s");
                }
            }
            continue;
        }
        if (!d_anchored || d_in_underflow) {
            d_anchor = now;
            d_samples_since_anchor = 0;
            d_anchored = true;
            d_in_underflow = false;
        }
        write_pack(*p);
        d_samples_since_anchor += p->samples;
        if (s.one_pack) {
            d_one_pack = std::move(p);
        }
    }
}

void dac_stream::end_playback(const dac_settings& s)
{
    // Section 6.1 item 4: 32 discards what is queued, so wait for playback first.
    if (d_anchored && !(s.one_pack && s.inf) && !d_stop) {
        const double plays = s.one_pack ? static_cast<double>(s.repeat_count) : 1.0;
        // The anchor is when the first pack was written, not when the board started
        // playing it: add one pack's duration (block_size bytes of 16-bit codes, the
        // longest a pack can last) plus 50 ms, so the stop never cuts the last pack.
        const double margin_s =
            static_cast<double>(s.block_size) / 2.0 / s.dac_rate + 0.05;
        const auto end =
            d_anchor +
            std::chrono::nanoseconds(static_cast<long long>(
                1e9 * (plays * static_cast<double>(d_samples_since_anchor) / s.dac_rate +
                       margin_s)));
        const auto cap = clock::now() + d_link.drain_cap;
        while (clock::now() < std::min(end, cap) && !d_stop) {
            std::unique_lock<std::mutex> lk(d_mutex);
            d_cv.wait_for(lk, milliseconds(20), [this] { return d_stop.load(); });
        }
        if (end > cap) {
            d_counters.add("playback_cut");
            d_event("playback_cut",
                    "stop waited the longest allowed time; the end of playback was cut");
        }
    }
    d_data.close();
    d_ctrl.stop_dac(); // the end notice of the protocol (section 7.3)
    d_event("dac_stopped", "end of stream: DAC_SERVER_STOP sent, 33 received");
}

void dac_stream::run()
{
    d_one_pack.reset(); // worker-thread state of a new start
    reconnect_policy policy(d_link.reconnect, 0.1, 5.0);
    bool ever_connected = false;
    while (!d_stop) {
        bool streaming = false;
        try {
            if (!d_ctrl.is_open()) {
                d_ctrl.open(d_link.host, d_link.control_port);
                d_connected = true;
                if (ever_connected) {
                    d_counters.add(ctr::reconnects);
                }
                ever_connected = true;
                d_event("connect",
                        d_ctrl.endpoint() +
                            (d_ctrl.version() == protocol_version::p3 ? " P3" : " P2"));
            }
            d_restart = false;
            const dac_settings s = settings();
            configure_and_start(s);
            streaming = true;
            policy.reset();
            send_loop(s);
            if (d_restart && !d_stop) {
                d_data.close();
                d_ctrl.stop_dac();
                d_counters.add("restarts");
                d_event("restart", "DAC restarted with new settings");
                continue;
            }
            if (d_stop) {
                std::lock_guard<std::mutex> lk(d_mutex);
                d_counters.add("packs_dropped_at_stop", d_queue.size());
                d_queue.clear();
            }
            end_playback(s);
            break;
        } catch (const link_error& e) {
            d_data.close();
            if (e.kind() == link_failure::cancelled || d_stop) {
                if (streaming && d_ctrl.is_open()) {
                    try {
                        d_ctrl.stop_dac();
                    } catch (const link_error&) {
                    }
                }
                break;
            }
            d_ctrl.close();
            report_disconnect(e.what());
            if (!back_off_or_give_up(
                    e.what(), e.kind() == link_failure::rejected, policy, &d_finish)) {
                break;
            }
        }
    }
    d_data.close();
    d_ctrl.close();
    mark_worker_done();
}

} // namespace redpitaya
} // namespace netstream
} // namespace gr
