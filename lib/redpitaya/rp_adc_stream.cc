/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "rp_adc_stream.h"
#include "rp_discovery.h"

#include <nlohmann/json.hpp>
#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>

namespace gr {
namespace netstream {
namespace redpitaya {

namespace {
using clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr milliseconds poll_slice{ 100 };
constexpr milliseconds data_connect_timeout{ 5000 };
constexpr milliseconds orderly_stop_timeout{ 3000 };
constexpr milliseconds gate_timeout{ 5000 }; // per start phase, as the vendor client

constexpr int data_rcvbuf = 8 << 20;

std::uint64_t realtime_ns()
{
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(
            std::chrono::system_clock::now().time_since_epoch())
            .count());
}

std::string mask_text(unsigned mask)
{
    std::string s;
    for (unsigned k = 0; k < max_adc_channels; k++) {
        if (mask & (1u << k)) {
            s += (s.empty() ? "IN" : "+IN") + std::to_string(k + 1);
        }
    }
    return s.empty() ? "none" : s;
}

bool is_cmd(const control_message& m, command_id id)
{
    return m.kind == message_kind::command && m.command == static_cast<std::uint32_t>(id);
}
} // namespace

adc_stream::adc_stream(const adc_link_config& link,
                       const adc_settings& settings,
                       counter_set& counters,
                       event_fn on_event)
    : stream_worker(std::move(on_event)),
      d_link(link),
      d_counters(counters),
      d_settings(settings),
      d_ctrl([this](const control_message& m) { on_notification(m); }, &d_stop),
      d_model(link.model)
{
    for (const char* c : { "fpga_lost",
                           "packid_gaps",
                           "packs_missing",
                           "lost_samples",
                           "restarts",
                           "resyncs",
                           "notifications",
                           "packs_dropped_at_stop" }) {
        d_counters.declare(c);
        if (!d_link.counter_prefix.empty()) {
            d_counters.declare(d_link.counter_prefix + c);
        }
    }
}

void start_gate::report(unsigned board, phase p)
{
    {
        std::lock_guard<std::mutex> lk(d_mutex);
        if (board < d_phase.size()) {
            d_phase[board] = p;
        }
    }
    d_cv.notify_all();
}

bool start_gate::wait_slaves(phase p, milliseconds timeout, const std::atomic<bool>& stop)
{
    return wait(1, static_cast<unsigned>(d_phase.size()), p, timeout, stop);
}

bool start_gate::wait_master(phase p, milliseconds timeout, const std::atomic<bool>& stop)
{
    return wait(0, 1, p, timeout, stop);
}

bool start_gate::wait(unsigned first,
                      unsigned last,
                      phase p,
                      milliseconds timeout,
                      const std::atomic<bool>& stop)
{
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::unique_lock<std::mutex> lk(d_mutex);
    while (!stop.load()) {
        if (std::all_of(d_phase.begin() + first, d_phase.begin() + last, [p](unsigned x) {
                return x >= p;
            })) {
            return true;
        }
        if (std::chrono::steady_clock::now() >= deadline) {
            return false;
        }
        d_cv.wait_for(lk, milliseconds(50));
    }
    return false;
}

void adc_stream::count(const std::string& name, std::uint64_t n)
{
    d_counters.add(name, n);
    if (!d_link.counter_prefix.empty()) {
        d_counters.add(d_link.counter_prefix + name, n);
    }
}

adc_stream::~adc_stream() { stop(); }

void adc_stream::start()
{
    start_worker([this] { d_queue.clear(); }, [this] { run(); });
}

void adc_stream::stop() { signal_and_join(d_stop); }

std::unique_ptr<rx_pack> adc_stream::pop(milliseconds timeout)
{
    std::unique_lock<std::mutex> lk(d_mutex);
    d_cv.wait_for(lk, timeout, [this] { return !d_queue.empty() || d_worker_done; });
    if (d_queue.empty()) {
        return nullptr;
    }
    auto p = std::move(d_queue.front());
    d_queue.pop_front();
    lk.unlock();
    d_cv.notify_all();
    return p;
}

void adc_stream::recycle(std::unique_ptr<rx_pack> p)
{
    std::lock_guard<std::mutex> lk(d_mutex);
    if (p && d_pool.size() < 4) {
        d_pool.push_back(std::move(p));
    }
}

bool adc_stream::finished() const
{
    std::lock_guard<std::mutex> lk(d_mutex);
    return d_worker_done && d_queue.empty();
}

void adc_stream::update_settings(const std::function<void(adc_settings&)>& change)
{
    {
        std::lock_guard<std::mutex> lk(d_mutex);
        change(d_settings);
    }
    d_restart = true;
    d_cv.notify_all();
}

adc_settings adc_stream::settings() const
{
    std::lock_guard<std::mutex> lk(d_mutex);
    return d_settings;
}

std::string adc_stream::endpoint() const
{
    std::lock_guard<std::mutex> lk(d_mutex);
    return d_host.empty() ? std::string()
                          : d_host + ":" + std::to_string(d_link.control_port);
}

protocol_version adc_stream::version() const { return d_ctrl.version(); }

std::unique_ptr<rx_pack> adc_stream::take_buffer(std::size_t size)
{
    std::unique_ptr<rx_pack> p;
    {
        std::lock_guard<std::mutex> lk(d_mutex);
        if (!d_pool.empty()) {
            p = std::move(d_pool.back());
            d_pool.pop_back();
        }
    }
    if (!p) {
        p = std::make_unique<rx_pack>();
    }
    p->bytes.resize(size);
    p->stream_start = p->tag_time = false;
    p->lost_before = 0;
    return p;
}

bool adc_stream::queue_full() const { return d_queue.size() >= d_queue_max; }

void adc_stream::on_notification(const control_message& m)
{
    if (m.kind != message_kind::command) {
        return; // a late STR_STR/CONFIG reply: nothing to do
    }
    if (d_stop_pending && is_cmd(m, command_id::adc_server_stopped)) {
        d_saw_stopped = true;
        return;
    }
    const std::string name = control_session::callback_name(m.command);
    if (is_cmd(m, command_id::master_connected) ||
        is_cmd(m, command_id::slave_connected) ||
        is_cmd(m, command_id::settings_get_success) ||
        is_cmd(m, command_id::settings_get_fail)) {
        return;
    }
    count("notifications");
    d_event(name.empty() ? "board_notification" : name,
            std::string("CMD ") + std::to_string(m.command) + " " +
                command_name(m.command));
    switch (static_cast<command_id>(m.command)) {
    case command_id::adc_server_stopped:
    case command_id::adc_server_stopped_no_channels:
    case command_id::adc_server_stopped_mem_error:
    case command_id::adc_server_stopped_mem_modify:
    case command_id::adc_server_stopped_sd_full:
    case command_id::adc_server_stopped_sd_done:
        if (!d_stop_pending) {
            d_board_stopped = name;
        }
        break;
    default:
        break;
    }
}

void adc_stream::open_control()
{
    std::string host = d_link.host;
    if (host.empty()) {
        const auto b = discover_first_board(milliseconds(3000), d_link.discovery_port);
        host = b.ip;
        if (!d_model) {
            d_model = b.version == protocol_version::p3 ? model_by_id(b.model)
                                                        : model_by_p2_family(b.model);
        }
        d_event("discovered",
                "board " + b.ip + " role " + std::string(1, b.role) + " model " +
                    std::to_string(b.model));
    }
    {
        std::lock_guard<std::mutex> lk(d_mutex);
        d_host = host;
    }
    d_ctrl.open(host, d_link.control_port);
    d_connected = true;
    d_event("connect",
            d_ctrl.endpoint() +
                (d_ctrl.version() == protocol_version::p3 ? " P3" : " P2") +
                (d_ctrl.is_master() ? " master" : " slave"));
}

void adc_stream::configure(const adc_settings& s)
{
    // Section 12.1: stop before start (a start tears down silently), then set and query.
    d_stop_pending = true;
    d_saw_stopped = false;
    d_ctrl.stop_adc();
    d_stop_pending = false;
    d_board_stopped.clear();

    const bool p3 = d_ctrl.version() == protocol_version::p3;
    d_ctrl.set_value("adc_pass_mode", "NET");
    d_ctrl.set_value("resolution", s.resolution == 8 ? "BIT_8" : "BIT_16");
    d_ctrl.set_value("adc_decimation", std::to_string(s.decimation));
    for (unsigned k = 0; k < max_adc_channels; k++) {
        const bool on = s.channel_mask & (1u << k);
        const std::string n = std::to_string(k + 1);
        d_ctrl.set_value("channel_state_" + n, on ? "ON" : "OFF");
        if (on) {
            d_ctrl.set_value("channel_attenuator_" + n,
                             s.attenuator == 20 ? "A_1_20" : "A_1_1");
            d_ctrl.set_value("channel_ac_dc_" + n, s.coupling);
        }
    }
    if (p3) {
        d_ctrl.set_value("adc_capture_time", "ON");
    }
    if (d_ctrl.get_block_size() != s.block_size) {
        d_ctrl.set_value("block_size", std::to_string(s.block_size));
    }
    const std::uint32_t adc_size =
        std::max<std::uint32_t>(s.adc_size, 12u * (s.block_size + 128u));
    d_ctrl.set_value("adc_size", std::to_string(adc_size));

    // Query back what the board will use (section 12.1): block size, channel set, JSON.
    const std::uint32_t bs = d_ctrl.get_block_size();
    if (bs != s.block_size) {
        throw link_error(link_failure::rejected,
                         "the board reports block_size " + std::to_string(bs) +
                             ", requested " + std::to_string(s.block_size));
    }
    unsigned mask = 0;
    const std::string json_text = d_ctrl.get_config_json();
    const auto j = nlohmann::json::parse(json_text, nullptr, false, true);
    if (j.is_discarded() || !j.is_object() || !j.contains("adc_streaming")) {
        throw link_error(link_failure::protocol,
                         "the board's settings JSON does not parse");
    }
    const auto& adc = j["adc_streaming"];
    for (unsigned k = 0; k < max_adc_channels; k++) {
        const auto key = "channel_state_" + std::to_string(k + 1);
        if (adc.contains(key) && adc[key] == "ON") {
            mask |= 1u << k;
        }
    }
    if (adc.contains("adc_decimation") && adc["adc_decimation"].is_number() &&
        adc["adc_decimation"].get<std::uint64_t>() != s.decimation) {
        throw link_error(link_failure::rejected,
                         "the board reports adc_decimation " +
                             adc["adc_decimation"].dump() + ", requested " +
                             std::to_string(s.decimation));
    }
    if (p3) {
        // Section 12.2: reply 8 is the mask clipped to the inputs the board has.
        mask &= d_ctrl.get_active_channels();
    }
    if (d_model) {
        mask &= (1u << d_model->adc_channels) - 1u;
    }
    if (mask != s.channel_mask) {
        throw link_error(link_failure::rejected,
                         "the board enables " + mask_text(mask) + ", requested " +
                             mask_text(s.channel_mask) +
                             " (does this model have inputs 3 and 4?)");
    }
}

void adc_stream::start_stream(const adc_settings& s)
{
    // Multi-board (section 7.4): 17 to the slaves, then the master; 27 likewise.
    const auto& gate = d_link.gate;
    const unsigned me = d_link.board_index;
    if (gate) {
        gate->report(me, start_gate::idle);
        if (me == 0 && !gate->wait_slaves(start_gate::started, gate_timeout, d_stop)) {
            d_event("gate",
                    "a slave did not start within 5 s; starting the master anyway");
        }
    }
    d_generation++;
    d_ctrl.start_adc(); // 17 -> 25
    if (gate) {
        gate->report(me, start_gate::started);
    }
    const std::string host = [this] {
        std::lock_guard<std::mutex> lk(d_mutex);
        return d_host;
    }();
    try {
        d_data.connect(host, d_link.data_port, data_connect_timeout, data_rcvbuf);
    } catch (const link_error& e) {
        // The board has a pipeline waiting for us: take it down before reporting.
        try {
            d_stop_pending = true;
            d_ctrl.stop_adc(orderly_stop_timeout);
        } catch (const link_error&) {
        }
        d_stop_pending = false;
        throw link_error(
            e.kind(),
            "the board started the ADC stream (25) but its data port failed: " +
                std::string(e.what()));
    }
    if (gate) {
        const bool ok =
            me == 0 ? gate->wait_slaves(start_gate::armed, gate_timeout, d_stop)
                    : gate->wait_master(start_gate::started, gate_timeout, d_stop);
        if (!ok) {
            d_event("gate",
                    me == 0 ? "a slave was not armed within 5 s; arming the master anyway"
                            : "the master did not start within 5 s; arming anyway");
        }
    }
    d_ctrl.start_fpga(); // 27 -> 28, exactly once per 17
    if (gate) {
        gate->report(me, start_gate::armed);
    }
    d_have_last = false;
    d_pending_lost = 0;
    d_new_stream = true;
    const std::size_t pack = (128u + s.block_size) *
                             static_cast<std::size_t>(__builtin_popcount(s.channel_mask));
    std::lock_guard<std::mutex> lk(d_mutex);
    d_queue_max =
        std::max<std::size_t>(4, d_link.queue_bytes / std::max<std::size_t>(pack, 1));
}

void adc_stream::handle_pack(std::unique_ptr<rx_pack> p, const adc_settings& s)
{
    adc_pack_layout layout;
    layout.block_size = s.block_size;
    layout.channel_mask = s.channel_mask;
    layout.bits_per_sample = static_cast<std::uint8_t>(s.resolution);
    if (auto err = parse_adc_pack(p->bytes.data(), p->bytes.size(), layout, p->pack)) {
        d_counters.add_malformed(err.reason);
        throw link_error(link_failure::protocol,
                         "bad ADC pack (" + err.reason + "): " + err.detail);
    }
    d_counters.add(ctr::frames_in);
    d_counters.add(ctr::bytes_in, p->bytes.size());
    const auto& pk = p->pack;
    p->samples = samples_per_segment(s.block_size, pk.bits_per_sample);

    if (!d_model) {
        d_model = model_from_header(pk.base_bits, pk.base_rate, s.decimation);
        if (d_model) {
            d_event("model",
                    std::string("board family ") + d_model->name +
                        " (from the pack header)");
        }
    }
    const double base = d_model ? static_cast<double>(d_model->base_rate)
                                : static_cast<double>(pk.base_rate) * s.decimation;
    p->rate = base / s.decimation;
    float fs = 1.0f;
    if (d_model) {
        fs = (s.attenuator == 20 && d_model->hv_full_scale > 0.0f)
                 ? d_model->hv_full_scale
                 : d_model->lv_full_scale;
    }
    p->full_scale = fs;

    // Loss accounting (section 5.5): lostFPGA of the previous pack lies before this one.
    std::uint64_t lost = d_pending_lost;
    const std::uint64_t expected = d_have_last ? d_last_id + 1 : 0;
    if (pk.pack_id != expected) {
        const std::uint64_t missing = pk.pack_id > expected ? pk.pack_id - expected : 0;
        count("packid_gaps");
        count("packs_missing", missing);
        lost += missing * p->samples;
    }
    d_have_last = true;
    d_last_id = pk.pack_id;
    d_pending_lost = pk.lost_fpga;
    if (pk.lost_fpga > 0) {
        count("fpga_lost", pk.lost_fpga);
    }
    if (lost > 0) {
        p->lost_before = lost;
        count("lost_samples", lost);
        d_counters.add(ctr::gaps);
        d_event("gap",
                std::to_string(lost) + " sample(s) per channel lost before pack " +
                    std::to_string(pk.pack_id));
    }
    p->stream_start = d_new_stream;
    p->generation = d_generation.load();
    p->tag_time = d_new_stream || d_discontinuity || lost > 0;
    d_new_stream = false;
    d_discontinuity = false;
    if (p->tag_time) {
        if (d_ctrl.version() == protocol_version::p3 && pk.time_capture > 0) {
            p->time_ns = static_cast<std::uint64_t>(pk.time_capture);
        } else {
            // P2: no board time; the host clock at arrival minus one pack duration.
            const double dur_ns = static_cast<double>(p->samples) / p->rate * 1e9;
            p->time_ns = realtime_ns() - static_cast<std::uint64_t>(dur_ns);
        }
    }
    std::unique_lock<std::mutex> lk(d_mutex);
    d_queue.push_back(std::move(p));
    lk.unlock();
    d_cv.notify_all();
}

void adc_stream::pump_control()
{
    try {
        d_ctrl.pump();
    } catch (const link_error&) {
        d_ctrl.close(); // the control link is gone or out of step: reconnect
        throw;
    }
}

void adc_stream::stream_loop(const adc_settings& s)
{
    const std::size_t pack_size =
        (128u + s.block_size) *
        static_cast<std::size_t>(__builtin_popcount(s.channel_mask));
    auto cur = take_buffer(pack_size);
    std::size_t filled = 0;
    while (!d_stop && !d_restart) {
        {
            std::unique_lock<std::mutex> lk(d_mutex);
            if (queue_full()) {
                // Back-pressure: stop reading (the board's ring fills and it counts
                // lostFPGA).
                d_cv.wait_for(lk, poll_slice, [this] {
                    return !queue_full() || d_stop.load() || d_restart.load();
                });
                lk.unlock();
                pump_control();
                if (!d_board_stopped.empty()) {
                    throw link_error(link_failure::closed,
                                     "the board stopped the stream (" + d_board_stopped +
                                         ")");
                }
                continue;
            }
        }
        const unsigned ready = wait_readable(d_data.fd(), d_ctrl.fd(), poll_slice);
        if (ready & 2u) {
            pump_control();
            if (!d_board_stopped.empty()) {
                throw link_error(link_failure::closed,
                                 "the board stopped the stream (" + d_board_stopped +
                                     ")");
            }
        }
        if (ready & 1u) {
            std::size_t n;
            try {
                n = d_data.read_some(cur->bytes.data() + filled, pack_size - filled);
            } catch (const link_error& e) {
                if (filled > 0) {
                    d_counters.add_malformed("truncated_pack");
                }
                throw link_error(link_failure::protocol,
                                 std::string("ADC data link lost") +
                                     (filled ? " in the middle of a pack" : "") + ": " +
                                     e.what());
            }
            filled += n;
            if (filled == pack_size) {
                handle_pack(std::move(cur), s);
                cur = take_buffer(pack_size);
                filled = 0;
            }
        }
    }
    recycle(std::move(cur));
}

void adc_stream::stop_stream_orderly()
{
    // Section 5.1 / 12.1: send 18, keep reading the data link until EOF (dropping what
    // arrives: the last pack is stale), and wait for 19. Bounded.
    if (d_link.gate) {
        d_link.gate->report(d_link.board_index, start_gate::idle);
    }
    d_stop_pending = true;
    d_saw_stopped = false;
    const auto deadline = clock::now() + orderly_stop_timeout;
    try {
        d_ctrl.send_command(command_id::adc_server_stop);
        std::array<std::uint8_t, 65536> sink;
        std::uint64_t dropped = 0;
        while (clock::now() < deadline && (d_data.is_open() || !d_saw_stopped)) {
            const unsigned r = wait_readable(d_data.fd(), d_ctrl.fd(), milliseconds(50));
            if (r & 1u) {
                try {
                    dropped += d_data.read_some(sink.data(), sink.size());
                } catch (const link_error&) {
                    d_data.close(); // EOF: the board finished its teardown
                }
            }
            if (r & 2u) {
                d_ctrl.pump();
            }
        }
        if (dropped > 0) {
            count("packs_dropped_at_stop");
        }
    } catch (const link_error&) {
        d_ctrl.close();
        d_connected = false;
    }
    d_data.close();
    d_stop_pending = false;
}

void adc_stream::run()
{
    // Worker-thread state of a new start.
    d_discontinuity = true;
    d_new_stream = true;
    reconnect_policy policy(d_link.reconnect, 0.1, 5.0);
    bool ever_connected = false;
    // Start over from fresh links after an error; false: the policy gives up.
    const auto drop_links_and_back_off = [&](const std::string& what, bool fatal) {
        d_discontinuity = true;
        d_data.close();
        d_ctrl.close();
        report_disconnect(what);
        return back_off_or_give_up(what, fatal, policy);
    };
    while (!d_stop) {
        bool streaming = false;
        try {
            if (!d_ctrl.is_open()) {
                open_control();
                if (ever_connected) {
                    d_counters.add(ctr::reconnects);
                }
                ever_connected = true;
            }
            d_restart = false;
            const adc_settings s = settings();
            configure(s);
            start_stream(s);
            streaming = true;
            policy.reset();
            stream_loop(s);
            // Restart requested (cmd) or stop(): take the stream down cleanly.
            stop_stream_orderly();
            if (!d_stop) {
                count("restarts");
                d_event("restart", "stream restarted with new settings");
            }
            d_discontinuity = true;
        } catch (const link_error& e) {
            if (e.kind() == link_failure::cancelled || d_stop) {
                if (streaming) {
                    stop_stream_orderly();
                }
                break;
            }
            d_discontinuity = true;
            if (streaming && d_ctrl.is_open()) {
                // Data-side problem (bad or truncated pack, data EOF, board stop notice)
                // with a healthy control link: resynchronise by restarting the stream.
                stop_stream_orderly();
                if (d_ctrl.is_open()) {
                    count("resyncs");
                    d_event("resync", e.what());
                    continue;
                }
            }
            if (!drop_links_and_back_off(e.what(), e.kind() == link_failure::rejected)) {
                break;
            }
        } catch (const std::exception& e) {
            // Discovery failure, an unusable reply and the like: as after a link error,
            // so a retry never reuses a half-set-up stream.
            if (!drop_links_and_back_off(e.what(), false)) {
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
