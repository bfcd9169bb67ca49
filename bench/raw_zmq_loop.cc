/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/*
 * Raw libzmq PUSH/PULL loop carrying the doppler v1 wire (2 parts: the 96-byte
 * header, then num_samples CF32 samples). It is the "practical limit" that
 * bench/bench_zmq.py compares the GNU Radio blocks against. bench_zmq.py builds it:
 *
 *   g++ -std=c++17 -O2 -Wall -Wextra raw_zmq_loop.cc -o raw_zmq_loop -lzmq
 *
 *   raw_zmq_loop send <endpoint-to-bind> <samples_per_frame> <seconds> [sndhwm]
 *       binds a PUSH socket, prints {"endpoint": "..."} and sends frames as fast
 *       as the socket takes them for <seconds> (one copy per frame, as zmq_send
 *       does; the same single copy our sink makes into its frame).
 *   raw_zmq_loop recv <endpoint> <warmup_s> <window_s>
 *       connects a PULL socket, validates each frame (2 parts, 96-byte header,
 *       magic, payload length), skips <warmup_s>, counts samples for <window_s>
 *       and prints {"items": N, "frames": F, "seconds": S, "bad": B}.
 */

#include <zmq.h>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

constexpr size_t header_size = 96;
constexpr uint32_t dp_magic = 0x53494753; // "SGIS" on the wire
constexpr uint32_t dp_version = 0x00010000;
constexpr uint32_t type_cf32 = 5;
constexpr size_t cf32_bytes = 8;

using steady = std::chrono::steady_clock;

void put_u32(uint8_t* p, uint32_t v)
{
    for (int i = 0; i < 4; i++) {
        p[i] = static_cast<uint8_t>(v >> (8 * i));
    }
}

void put_u64(uint8_t* p, uint64_t v)
{
    for (int i = 0; i < 8; i++) {
        p[i] = static_cast<uint8_t>(v >> (8 * i));
    }
}

uint32_t get_u32(const uint8_t* p)
{
    uint32_t v = 0;
    for (int i = 3; i >= 0; i--) {
        v = (v << 8) | p[i];
    }
    return v;
}

uint64_t get_u64(const uint8_t* p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) {
        v = (v << 8) | p[i];
    }
    return v;
}

uint64_t realtime_ns()
{
    return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count());
}

//! Encode a v1 header for a CF32 frame (sample_rate/center_freq left at 0.0).
void encode_header(uint8_t* h, uint64_t sequence, uint64_t num_samples)
{
    std::memset(h, 0, header_size);
    put_u32(h + 0, dp_magic);
    put_u32(h + 4, dp_version);
    put_u32(h + 16, type_cf32);
    put_u64(h + 24, sequence);
    put_u64(h + 32, realtime_ns());
    put_u64(h + 56, num_samples);
}

int fail(const char* what)
{
    std::fprintf(stderr, "raw_zmq_loop: %s: %s\n", what, zmq_strerror(zmq_errno()));
    return 1;
}

int run_send(const char* endpoint, uint64_t samples, double seconds, int hwm)
{
    void* ctx = zmq_ctx_new();
    void* sock = zmq_socket(ctx, ZMQ_PUSH);
    const int linger = 0;
    zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(sock, ZMQ_SNDHWM, &hwm, sizeof hwm);
    if (zmq_bind(sock, endpoint) != 0) {
        return fail("bind");
    }
    char last[256] = { 0 };
    size_t last_len = sizeof last;
    zmq_getsockopt(sock, ZMQ_LAST_ENDPOINT, last, &last_len);
    std::printf("{\"endpoint\": \"%s\"}\n", last);
    std::fflush(stdout);

    std::vector<uint8_t> payload(samples * cf32_bytes, 0);
    uint8_t hdr[header_size];
    const int send_timeout_ms = 100; // a vanished receiver must not hang us
    zmq_setsockopt(sock, ZMQ_SNDTIMEO, &send_timeout_ms, sizeof send_timeout_ms);
    const auto end = steady::now() + std::chrono::duration_cast<steady::duration>(
                                         std::chrono::duration<double>(seconds));
    uint64_t seq = 0;
    while (steady::now() < end) {
        encode_header(hdr, seq, samples);
        if (zmq_send(sock, hdr, header_size, ZMQ_SNDMORE) < 0) {
            continue; // EAGAIN after SNDTIMEO: check the clock, try again
        }
        while (zmq_send(sock, payload.data(), payload.size(), 0) < 0) {
            if (zmq_errno() != EAGAIN && zmq_errno() != EINTR) {
                return fail("send payload");
            }
        }
        seq++;
    }
    zmq_close(sock);
    zmq_ctx_term(ctx);
    return 0;
}

int run_recv(const char* endpoint, double warmup, double window)
{
    void* ctx = zmq_ctx_new();
    void* sock = zmq_socket(ctx, ZMQ_PULL);
    const int linger = 0;
    const int rcv_timeout_ms = 100;
    zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(sock, ZMQ_RCVTIMEO, &rcv_timeout_ms, sizeof rcv_timeout_ms);
    if (zmq_connect(sock, endpoint) != 0) {
        return fail("connect");
    }
    zmq_msg_t part1, part2;
    zmq_msg_init(&part1);
    zmq_msg_init(&part2);
    const auto t_start = steady::now();
    const auto t_count = t_start + std::chrono::duration_cast<steady::duration>(
                                       std::chrono::duration<double>(warmup));
    const auto t_end = t_count + std::chrono::duration_cast<steady::duration>(
                                     std::chrono::duration<double>(window));
    bool counting = false;
    uint64_t items = 0, frames = 0, bad = 0;
    steady::time_point t0 = t_count;
    while (true) {
        const auto now = steady::now();
        if (!counting && now >= t_count) {
            counting = true;
            t0 = now;
        }
        if (now >= t_end) {
            break;
        }
        if (zmq_msg_recv(&part1, sock, 0) < 0) {
            continue; // timeout: check the clock
        }
        int more = 0;
        size_t more_len = sizeof more;
        zmq_getsockopt(sock, ZMQ_RCVMORE, &more, &more_len);
        if (!more) {
            bad++;
            continue;
        }
        zmq_msg_recv(&part2, sock, 0);
        zmq_getsockopt(sock, ZMQ_RCVMORE, &more, &more_len);
        while (more) { // drain extra parts of a malformed message
            zmq_msg_recv(&part2, sock, 0);
            zmq_getsockopt(sock, ZMQ_RCVMORE, &more, &more_len);
            bad++;
        }
        const auto* h = static_cast<const uint8_t*>(zmq_msg_data(&part1));
        if (zmq_msg_size(&part1) != header_size || get_u32(h) != dp_magic ||
            get_u32(h + 16) != type_cf32 ||
            zmq_msg_size(&part2) != get_u64(h + 56) * cf32_bytes) {
            bad++;
            continue;
        }
        if (counting) {
            items += get_u64(h + 56);
            frames++;
        }
    }
    const double secs = std::chrono::duration<double>(steady::now() - t0).count();
    std::printf("{\"items\": %llu, \"frames\": %llu, \"seconds\": %.6f, \"bad\": %llu}\n",
                static_cast<unsigned long long>(items),
                static_cast<unsigned long long>(frames),
                secs,
                static_cast<unsigned long long>(bad));
    std::fflush(stdout);
    zmq_msg_close(&part1);
    zmq_msg_close(&part2);
    zmq_close(sock);
    zmq_ctx_term(ctx);
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    const std::string mode = argc > 1 ? argv[1] : "";
    if (mode == "send" && (argc == 5 || argc == 6)) {
        return run_send(argv[2],
                        std::strtoull(argv[3], nullptr, 10),
                        std::atof(argv[4]),
                        argc == 6 ? std::atoi(argv[5]) : 1000);
    }
    if (mode == "recv" && argc == 5) {
        return run_recv(argv[2], std::atof(argv[3]), std::atof(argv[4]));
    }
    std::fprintf(stderr,
                 "usage: %s send <endpoint> <samples_per_frame> <seconds> [sndhwm]\n"
                 "       %s recv <endpoint> <warmup_s> <window_s>\n",
                 argv[0],
                 argv[0]);
    return 2;
}
