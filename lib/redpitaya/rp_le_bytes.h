/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_NETSTREAM_REDPITAYA_RP_LE_BYTES_H
#define INCLUDED_NETSTREAM_REDPITAYA_RP_LE_BYTES_H

// Explicit little-endian load/store helpers for the Red Pitaya wire formats.
// Every multi-byte integer on the Red Pitaya links is little-endian (spec section 1).

#include <cstddef>
#include <cstdint>

namespace gr {
namespace netstream {
namespace redpitaya {
namespace le {

/*! \brief Read an unsigned little-endian integer of \p N bytes at \p p. */
template <typename T, std::size_t N = sizeof(T)>
inline T load(const std::uint8_t* p)
{
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < N; ++i) {
        v |= static_cast<std::uint64_t>(p[i]) << (8 * i);
    }
    return static_cast<T>(v);
}

/*! \brief Write \p v as \p N little-endian bytes at \p p. */
template <typename T, std::size_t N = sizeof(T)>
inline void store(std::uint8_t* p, T v)
{
    const auto u = static_cast<std::uint64_t>(v);
    for (std::size_t i = 0; i < N; ++i) {
        p[i] = static_cast<std::uint8_t>(u >> (8 * i));
    }
}

} // namespace le
} // namespace redpitaya
} // namespace netstream
} // namespace gr

#endif
