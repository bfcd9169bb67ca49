/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "lent_buffer.h"

namespace gr {
namespace netstream {

zmq::message_t lent_buffer::lend(const void* data, std::size_t bytes)
{
    d_loan = std::make_shared<loan>();
    // The hint keeps the loan's state alive until ZeroMQ calls on_free, even if
    // this object (and its block) is gone by then.
    auto* hint = new std::shared_ptr<loan>(d_loan);
    // ZeroMQ never writes to a message it sends; its API only takes void*.
    return zmq::message_t(const_cast<void*>(data), bytes, &lent_buffer::on_free, hint);
}

void lent_buffer::on_free(void*, void* hint)
{
    auto* held = static_cast<std::shared_ptr<loan>*>(hint);
    {
        std::lock_guard<std::mutex> lock((*held)->mutex);
        (*held)->returned = true;
    }
    (*held)->cv.notify_all();
    delete held;
}

bool lent_buffer::outstanding() const
{
    if (!d_loan) {
        return false;
    }
    std::lock_guard<std::mutex> lock(d_loan->mutex);
    return !d_loan->returned;
}

bool lent_buffer::wait_returned(std::chrono::steady_clock::time_point deadline) const
{
    if (!d_loan) {
        return true;
    }
    std::unique_lock<std::mutex> lock(d_loan->mutex);
    return d_loan->cv.wait_until(lock, deadline, [this] { return d_loan->returned; });
}

} // namespace netstream
} // namespace gr
