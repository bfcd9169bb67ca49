/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

// libFuzzer harness for the doppler v1 frame validator (lib/zmq/dp_header_codec).
//
// Input framing: byte 0 % 4 = number of ZeroMQ parts K (0..3); then the first part
// is the next min(remaining, 96 + byte1 % 8) bytes (so header sizes around 96 are
// common) and the second part is the rest. Checks: no crash; an accepted frame's
// payload length is exactly num_samples * bytes_per_sample; a decoded header
// re-encodes to the same 96 bytes.

#include "../../lib/zmq/dp_header_codec.h"
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

using namespace gr::netstream;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size < 2) {
        return 0;
    }
    const size_t parts = data[0] % 4;
    const size_t want_hdr = 96 - 4 + (data[1] % 8);
    data += 2;
    size -= 2;
    const size_t hdr_len = size < want_hdr ? size : want_hdr;
    const uint8_t* hdr = data;
    const size_t payload_len = size - hdr_len;

    dp::header h;
    const parse_error e = dp::validate_frame(parts, hdr, hdr_len, payload_len, h);
    if (e.ok()) {
        if (h.num_samples * dp::bytes_per_sample(h.sample_type) != payload_len) {
            std::abort();
        }
        uint8_t again[dp::header_size];
        dp::encode_header(h, again);
        // magic is constant; every other field must round-trip
        if (std::memcmp(again, hdr, dp::header_size) != 0) {
            std::abort();
        }
    } else if (e.reason.empty() || e.detail.empty()) {
        std::abort();
    }
    return 0;
}
