/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "zmq_context.h"

namespace gr {
namespace netstream {

zmq::context_t& shared_zmq_context()
{
    // Leaked on purpose (see header): no zmq_ctx_term at static destruction time.
    static zmq::context_t* ctx = new zmq::context_t(1);
    return *ctx;
}

} // namespace netstream
} // namespace gr
