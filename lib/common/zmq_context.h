/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_NETSTREAM_COMMON_ZMQ_CONTEXT_H
#define INCLUDED_NETSTREAM_COMMON_ZMQ_CONTEXT_H

#include <zmq.hpp>

namespace gr {
namespace netstream {

/*!
 * \brief The one ZeroMQ context of the process, shared by all gr-netstream blocks.
 *
 * Sharing it is what makes `inproc://` endpoints work between our blocks
 * (in-tree gr-zeromq makes one context per block, so inproc never connects).
 * It is created on first use and deliberately never terminated: terminating a
 * context blocks until every socket closes, which must not happen at exit.
 */
zmq::context_t& shared_zmq_context();

} // namespace netstream
} // namespace gr

#endif
