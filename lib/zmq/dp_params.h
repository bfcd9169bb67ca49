/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_NETSTREAM_ZMQ_DP_PARAMS_H
#define INCLUDED_NETSTREAM_ZMQ_DP_PARAMS_H

// Parameter checks shared by the doppler blocks: each throws std::invalid_argument
// naming the parameter, the value and what is allowed.

#include <cstddef>

namespace gr {
namespace netstream {
namespace dp {

constexpr int max_frame_size = 1 << 26;

int check_frame_size(int samples);                 //!< 1 .. 2^26
int check_timeout_ms(int ms);                      //!< 1 .. 10000
int resolve_recv_hwm(int hwm);                     //!< >= 0; 0 = libzmq default (1000)
int resolve_send_hwm(int hwm, size_t frame_bytes); //!< >= 0; 0 = about 64 MiB of frames
double check_scale(double scale);                  //!< >= 0; 0 = full scale of the type

} // namespace dp
} // namespace netstream
} // namespace gr

#endif
