/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "dp_header_codec.h"
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace gr {
namespace netstream {
namespace dp {

namespace {
// Explicit little-endian field access: the wire is LE on every doppler platform.
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
void put_f64(uint8_t* p, double v)
{
    uint64_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    put_u64(p, bits);
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
double get_f64(const uint8_t* p)
{
    const uint64_t bits = get_u64(p);
    double v;
    std::memcpy(&v, &bits, sizeof v);
    return v;
}
} // namespace

size_t bytes_per_sample(uint32_t code)
{
    switch (code) {
    case 0:
        return 8; // CI32
    case 1:
        return 16; // CF64
    case 2:
        return 32; // CF128 (x86-64 Linux layout)
    case 3:
        return 2; // CI8
    case 4:
        return 4; // CI16
    case 5:
        return 8; // CF32
    default:
        return 0;
    }
}

const char* type_name(uint32_t code)
{
    static const char* names[] = { "ci32", "cf64", "cf128", "ci8", "ci16", "cf32" };
    return code < 6 ? names[code] : "unknown";
}

sample_type parse_type_name(const std::string& name)
{
    std::string n = name;
    std::transform(n.begin(), n.end(), n.begin(), [](unsigned char c) {
        return static_cast<char>(std::tolower(c));
    });
    if (n == "cf128") {
        throw std::invalid_argument(
            "sample_type 'cf128' is not supported: doppler's CF128 is x87 long double on "
            "x86-64 and differs per platform; use cf32 (default), cf64, ci32, ci16 or "
            "ci8");
    }
    for (uint32_t c = 0; c < 6; c++) {
        if (n == type_name(c)) {
            return static_cast<sample_type>(c);
        }
    }
    throw std::invalid_argument("sample_type: got '" + name +
                                "', allowed are cf32, cf64, ci32, ci16, ci8");
}

bool is_integer_type(sample_type t)
{
    return t == sample_type::ci8 || t == sample_type::ci16 || t == sample_type::ci32;
}

void encode_header(const header& h, uint8_t out[header_size])
{
    put_u32(out + 0, magic);
    put_u32(out + 4, h.version);
    put_u32(out + 8, h.protocol);
    put_u32(out + 12, h.stream_id);
    put_u32(out + 16, h.sample_type);
    put_u32(out + 20, h.flags);
    put_u64(out + 24, h.sequence);
    put_u64(out + 32, h.timestamp_ns);
    put_f64(out + 40, h.sample_rate);
    put_f64(out + 48, h.center_freq);
    put_u64(out + 56, h.num_samples);
    for (int i = 0; i < 4; i++) {
        put_u64(out + 64 + 8 * i, h.reserved[i]);
    }
}

parse_error decode_header(const uint8_t* data, size_t len, header& out)
{
    if (data == nullptr || len != header_size) {
        return { "bad_header_size",
                 "header part is " + std::to_string(len) + " bytes, expected 96" };
    }
    const uint32_t m = get_u32(data);
    if (m != magic) {
        char buf[64];
        std::snprintf(
            buf, sizeof buf, "magic 0x%08x, expected 0x%08x (\"SGIS\")", m, magic);
        return { "bad_magic", buf };
    }
    out.version = get_u32(data + 4);
    out.protocol = get_u32(data + 8);
    out.stream_id = get_u32(data + 12);
    out.sample_type = get_u32(data + 16);
    out.flags = get_u32(data + 20);
    out.sequence = get_u64(data + 24);
    out.timestamp_ns = get_u64(data + 32);
    out.sample_rate = get_f64(data + 40);
    out.center_freq = get_f64(data + 48);
    out.num_samples = get_u64(data + 56);
    for (int i = 0; i < 4; i++) {
        out.reserved[i] = get_u64(data + 64 + 8 * i);
    }
    return {};
}

parse_error validate_frame(
    size_t n_parts, const uint8_t* hdr, size_t hdr_len, size_t payload_len, header& out)
{
    if (n_parts != 2) {
        return { "wrong_part_count",
                 "message has " + std::to_string(n_parts) + " parts, expected 2" };
    }
    if (auto e = decode_header(hdr, hdr_len, out)) {
        return e;
    }
    if (out.sample_type == static_cast<uint32_t>(sample_type::cf128)) {
        return { "unsupported_type_cf128",
                 "CF128 frames are not portable and are not accepted" };
    }
    const size_t bps = bytes_per_sample(out.sample_type);
    if (bps == 0) {
        return { "unknown_type", "sample_type " + std::to_string(out.sample_type) };
    }
    // Overflow-safe check of num_samples * bps == payload_len.
    if (payload_len % bps != 0 || out.num_samples != payload_len / bps) {
        return { "payload_size_mismatch",
                 "header claims " + std::to_string(out.num_samples) + " " +
                     type_name(out.sample_type) + " samples, payload has " +
                     std::to_string(payload_len) + " bytes" };
    }
    return {};
}

} // namespace dp
} // namespace netstream
} // namespace gr
