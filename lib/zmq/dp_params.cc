/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "dp_params.h"
#include <algorithm>
#include <stdexcept>
#include <string>

namespace gr {
namespace netstream {
namespace dp {

int check_frame_size(int samples)
{
    if (samples < 1 || samples > max_frame_size) {
        throw std::invalid_argument("frame_size: got " + std::to_string(samples) +
                                    ", allowed 1 .. " + std::to_string(max_frame_size));
    }
    return samples;
}

int check_timeout_ms(int ms)
{
    if (ms < 1 || ms > 10000) {
        throw std::invalid_argument("timeout_ms: got " + std::to_string(ms) +
                                    ", allowed 1 .. 10000");
    }
    return ms;
}

int resolve_recv_hwm(int hwm)
{
    if (hwm < 0) {
        throw std::invalid_argument("hwm: got " + std::to_string(hwm) +
                                    ", must be >= 0 (0 = libzmq default)");
    }
    return hwm == 0 ? 1000 : hwm;
}

int resolve_send_hwm(int hwm, size_t frame_bytes)
{
    if (hwm < 0) {
        throw std::invalid_argument("hwm: got " + std::to_string(hwm) +
                                    ", must be >= 0 (0 = about 64 MiB of frames)");
    }
    if (hwm > 0) {
        return hwm;
    }
    const size_t frames = (size_t{ 64 } << 20) / std::max<size_t>(frame_bytes, 1);
    return static_cast<int>(std::clamp<size_t>(frames, 4, 1000));
}

double check_scale(double scale)
{
    if (!(scale >= 0.0)) {
        throw std::invalid_argument("scale: got " + std::to_string(scale) +
                                    ", must be > 0 (or 0 = full scale of the type)");
    }
    return scale;
}

} // namespace dp
} // namespace netstream
} // namespace gr
