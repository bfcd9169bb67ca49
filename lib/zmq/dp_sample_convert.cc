/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "dp_params.h"
#include "dp_sample_convert.h"
#include <volk/volk.h>
#include <cstring>
#include <stdexcept>
#include <string>

namespace gr {
namespace netstream {
namespace dp {

float full_scale(sample_type t)
{
    switch (t) {
    case sample_type::ci8:
        return 127.0f;
    case sample_type::ci16:
        return 32767.0f;
    case sample_type::ci32:
        return 2147483647.0f;
    default:
        return 1.0f;
    }
}

float resolve_scale(sample_type t, double requested)
{
    check_scale(requested);
    return requested > 0.0 ? static_cast<float>(requested) : full_scale(t);
}

// Interleaved I/Q: n complex samples are 2n scalars.
void to_wire(sample_type t, const gr_complex* in, size_t n, uint8_t* out, float scale)
{
    const auto* f = reinterpret_cast<const float*>(in);
    const auto m = static_cast<unsigned>(2 * n);
    switch (t) {
    case sample_type::cf32:
        std::memcpy(out, in, n * sizeof(gr_complex));
        break;
    case sample_type::cf64:
        volk_32f_convert_64f(reinterpret_cast<double*>(out), f, m);
        break;
    case sample_type::ci16:
        volk_32f_s32f_convert_16i(reinterpret_cast<int16_t*>(out), f, scale, m);
        break;
    case sample_type::ci8:
        volk_32f_s32f_convert_8i(reinterpret_cast<int8_t*>(out), f, scale, m);
        break;
    case sample_type::ci32:
        volk_32f_s32f_convert_32i(reinterpret_cast<int32_t*>(out), f, scale, m);
        break;
    case sample_type::cf128:
        throw std::logic_error("cf128 is never sent");
    }
}

void from_wire(sample_type t, const uint8_t* in, size_t n, gr_complex* out, float scale)
{
    auto* f = reinterpret_cast<float*>(out);
    const auto m = static_cast<unsigned>(2 * n);
    switch (t) {
    case sample_type::cf32:
        std::memcpy(out, in, n * sizeof(gr_complex));
        break;
    case sample_type::cf64:
        volk_64f_convert_32f(f, reinterpret_cast<const double*>(in), m);
        break;
    case sample_type::ci16:
        volk_16i_s32f_convert_32f(f, reinterpret_cast<const int16_t*>(in), scale, m);
        break;
    case sample_type::ci8:
        volk_8i_s32f_convert_32f(f, reinterpret_cast<const int8_t*>(in), scale, m);
        break;
    case sample_type::ci32:
        volk_32i_s32f_convert_32f(f, reinterpret_cast<const int32_t*>(in), scale, m);
        break;
    case sample_type::cf128:
        throw std::logic_error("cf128 frames are rejected before conversion");
    }
}

} // namespace dp
} // namespace netstream
} // namespace gr
