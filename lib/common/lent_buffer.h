/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_NETSTREAM_COMMON_LENT_BUFFER_H
#define INCLUDED_NETSTREAM_COMMON_LENT_BUFFER_H

#include <condition_variable>
#include <zmq.hpp>
#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>

namespace gr {
namespace netstream {

/*!
 * \brief Lends memory the caller does not own (a block's input buffer) to ZeroMQ
 * as a message payload, and tells when ZeroMQ has given it back.
 *
 * ZeroMQ sends a large message straight from its memory and frees it (here: marks
 * it returned) on its I/O thread once the last byte is in the kernel. A sink that
 * lends its input items must not consume them before that, so GNU Radio cannot
 * overwrite them. One loan at a time.
 */
class lent_buffer
{
public:
    lent_buffer() = default;
    lent_buffer(const lent_buffer&) = delete;
    lent_buffer& operator=(const lent_buffer&) = delete;

    //! A message whose payload is \p bytes at \p data (not copied). If the message
    //! is destroyed unsent, the loan ends at once.
    zmq::message_t lend(const void* data, std::size_t bytes);

    //! True while ZeroMQ holds the last loan.
    bool outstanding() const;

    //! Waits until ZeroMQ gives the loan back, at most until \p deadline.
    //! \return true if nothing is lent any more
    bool wait_returned(std::chrono::steady_clock::time_point deadline) const;

    enum class reclaim_result {
        returned,  //!< ZeroMQ gave the loan back by the deadline
        dropped,   //!< drop_queued() made ZeroMQ drop and return it
        still_lent //!< not back even 2 s after drop_queued()
    };
    /*!
     * \brief For stop(): gets the loan back before the lent memory can go away.
     *
     * Waits until \p deadline; if the loan is still out, calls \p drop_queued (which
     * must make ZeroMQ drop the message, e.g. by closing its socket) and waits up
     * to 2 s more.
     */
    template <class Drop>
    reclaim_result reclaim(std::chrono::steady_clock::time_point deadline,
                           Drop drop_queued) const
    {
        if (wait_returned(deadline)) {
            return reclaim_result::returned;
        }
        drop_queued();
        return wait_returned(std::chrono::steady_clock::now() + std::chrono::seconds(2))
                   ? reclaim_result::dropped
                   : reclaim_result::still_lent;
    }

private:
    struct loan {
        mutable std::mutex mutex;
        mutable std::condition_variable cv;
        bool returned = false;
    };
    static void on_free(void* data, void* hint);

    std::shared_ptr<loan> d_loan;
};

} // namespace netstream
} // namespace gr

#endif
