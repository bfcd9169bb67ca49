/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_NETSTREAM_ROGUE_ROGUE_PAYLOAD_POOL_H
#define INCLUDED_NETSTREAM_ROGUE_ROGUE_PAYLOAD_POOL_H

// Reusable payload buffers for large outgoing frames. A fresh 1 MiB allocation is
// mmap()ed memory: writing it costs a page fault per 4 KiB page, which on a loopback
// link is as much CPU as copying the frame. ZeroMQ frees a sent message on its I/O
// thread; the pool takes the buffer back there and hands it out again, already mapped.

#include <zmq.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

namespace gr {
namespace netstream {
namespace rogue {

/*!
 * \brief A small thread-safe pool of payload buffers lent to zmq::message_t objects.
 *
 * Hold it in a std::shared_ptr: every message lent out keeps the pool alive until
 * ZeroMQ releases it (possibly after the block that made it is gone).
 */
class payload_pool : public std::enable_shared_from_this<payload_pool>
{
public:
    //! Frames smaller than this are allocated by ZeroMQ (malloc reuses warm memory).
    static constexpr std::size_t min_pooled_bytes = 64 * 1024;
    //! At most this many idle buffers are kept; more in flight are freed on release.
    static constexpr std::size_t max_idle = 4;

    /*!
     * \brief Returns a message of exactly \p bytes whose memory the caller may fill.
     *
     * Large messages use a pooled buffer (capacity bytes .. 2 * bytes), small ones a
     * plain zmq::message_t(bytes).
     */
    zmq::message_t make(std::size_t bytes)
    {
        if (bytes < min_pooled_bytes) {
            return zmq::message_t(bytes);
        }
        auto* l = new lease{ shared_from_this(), take(bytes) };
        return zmq::message_t(l->buf.data.get(), bytes, &release, l);
    }

    //! Idle buffers currently kept (for tests and status).
    std::size_t idle() const
    {
        std::lock_guard<std::mutex> lock(d_mutex);
        return d_idle.size();
    }

private:
    struct buffer {
        std::unique_ptr<std::uint8_t[]> data;
        std::size_t capacity = 0;
    };
    struct lease {
        std::shared_ptr<payload_pool> pool;
        buffer buf;
    };

    buffer take(std::size_t bytes)
    {
        {
            std::lock_guard<std::mutex> lock(d_mutex);
            for (auto it = d_idle.begin(); it != d_idle.end(); ++it) {
                if (it->capacity >= bytes && it->capacity / 2 <= bytes) {
                    buffer b = std::move(*it);
                    d_idle.erase(it);
                    return b;
                }
            }
        }
        return buffer{ std::make_unique<std::uint8_t[]>(bytes), bytes };
    }

    void give_back(buffer b)
    {
        std::lock_guard<std::mutex> lock(d_mutex);
        if (d_idle.size() < max_idle) {
            d_idle.push_back(std::move(b));
        }
        // else: b is freed here
    }

    //! zmq free function: runs on ZeroMQ's I/O thread (or wherever the message dies).
    static void release(void*, void* hint)
    {
        std::unique_ptr<lease> l(static_cast<lease*>(hint));
        l->pool->give_back(std::move(l->buf));
    }

    mutable std::mutex d_mutex;
    std::vector<buffer> d_idle;
};

} // namespace rogue
} // namespace netstream
} // namespace gr

#endif
