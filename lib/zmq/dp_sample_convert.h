/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_NETSTREAM_ZMQ_DP_SAMPLE_CONVERT_H
#define INCLUDED_NETSTREAM_ZMQ_DP_SAMPLE_CONVERT_H

#include "dp_header_codec.h"
#include <gnuradio/gr_complex.h>
#include <cstddef>
#include <cstdint>

namespace gr {
namespace netstream {
namespace dp {

/*!
 * \brief Full-scale factor of an integer wire type (127, 32767, 2147483647); 1 for
 * floats.
 *
 * Integer wire samples are `round(x * scale)` of the complex float `x`
 * (saturating), and are read back as `code / scale`.
 */
float full_scale(sample_type t);
//! The scale to use: `requested` if > 0, else full_scale(t). \throws on a negative value.
float resolve_scale(sample_type t, double requested);

//! gr_complex -> wire bytes (VOLK). `out` holds n * bytes_per_sample(t) bytes.
void to_wire(sample_type t, const gr_complex* in, size_t n, uint8_t* out, float scale);
//! wire bytes -> gr_complex (VOLK). `in` holds n * bytes_per_sample(t) bytes (any
//! alignment).
void from_wire(sample_type t, const uint8_t* in, size_t n, gr_complex* out, float scale);

} // namespace dp
} // namespace netstream
} // namespace gr

#endif
