/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_NETSTREAM_ROGUE_FRAME_CODEC_H
#define INCLUDED_NETSTREAM_ROGUE_FRAME_CODEC_H

// Codec for one frame of the SLAC Rogue stream TCP bridge (TcpServer / TcpClient).
//
// On the wire one Rogue frame is exactly one ZeroMQ multipart message of four parts
// (spec rogue-stream-bridge.md §2.2):
//
//   part 0   2 bytes   flags, u16 little-endian (byte 0 = first-user, byte 1 = last-user)
//   part 1   1 byte    channel
//   part 2   1 byte    error (0 = good)
//   part 3   N bytes   payload, N >= 1 (no length prefix: ZMQ carries the length)
//
// This file knows nothing about sockets, ZMQ or GNU Radio: it works on byte spans of
// the four parts. Decoders never throw on wire input; they return a parse_error.

#include "../common/parse_error.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace gr {
namespace netstream {
namespace rogue {

//! Number of ZMQ parts in one Rogue frame message.
constexpr std::size_t frame_part_count = 4;
//! Index and size of each part.
constexpr std::size_t flags_part_index = 0;
constexpr std::size_t chan_part_index = 1;
constexpr std::size_t err_part_index = 2;
constexpr std::size_t payload_part_index = 3;
constexpr std::size_t flags_part_size = 2;
constexpr std::size_t chan_part_size = 1;
constexpr std::size_t err_part_size = 1;
//! A Rogue frame's payload size is a u32 (Frame::getPayload()).
constexpr std::uint64_t max_payload_size = 0xFFFFFFFFu;

/*!
 * \brief Non-owning view of one ZMQ message part (pointer + size).
 *
 * `data` may be null only when `size` is 0.
 */
struct part_view {
    const std::uint8_t* data = nullptr;
    std::size_t size = 0;
};

/*!
 * \brief One Rogue stream frame: metadata plus an owned payload.
 */
struct frame {
    std::uint16_t flags = 0; //!< bits 7..0 = first-user, bits 15..8 = last-user
    std::uint8_t chan = 0;   //!< routing tag (usually AXI-Stream TDEST)
    std::uint8_t err = 0;    //!< 0 = good, anything else is a sender/hardware error code
    std::vector<std::uint8_t> payload;
};

/*!
 * \brief One decoded Rogue frame whose payload still points into the received parts.
 *
 * Valid only as long as the buffers behind the parts it was decoded from.
 */
struct frame_view {
    std::uint16_t flags = 0;
    std::uint8_t chan = 0;
    std::uint8_t err = 0;
    part_view payload;
};

/*!
 * \brief The three fixed-size header parts (parts 0..2) of a frame message.
 *
 * Lets a sender put the payload part straight from its own buffer (no copy).
 */
struct header_parts {
    std::array<std::uint8_t, flags_part_size> flags{}; //!< u16 little-endian
    std::array<std::uint8_t, chan_part_size> chan{};
    std::array<std::uint8_t, err_part_size> err{};
};

//! The four owned parts of one encoded frame message, in wire order.
using wire_message = std::array<std::vector<std::uint8_t>, frame_part_count>;

/*! \brief First-user byte of a flags value (bits 7..0, Rogue getFirstUser()). */
constexpr std::uint8_t first_user(std::uint16_t flags) noexcept
{
    return static_cast<std::uint8_t>(flags & 0xFFu);
}

/*! \brief Last-user byte of a flags value (bits 15..8, Rogue getLastUser()). */
constexpr std::uint8_t last_user(std::uint16_t flags) noexcept
{
    return static_cast<std::uint8_t>((flags >> 8) & 0xFFu);
}

/*!
 * \brief ORs first-user and last-user bytes into a flags value.
 *
 * Mirrors Rogue's setFirstUser()/setLastUser(), which OR into the flags and never
 * clear a bit: `or_user_bytes(0, 0x02, 0x01) == 0x0102`.
 */
constexpr std::uint16_t
or_user_bytes(std::uint16_t flags, std::uint8_t fuser, std::uint8_t luser) noexcept
{
    return static_cast<std::uint16_t>(flags | fuser |
                                      static_cast<std::uint16_t>(luser << 8));
}

/*!
 * \brief Encodes the three header parts of a frame (flags little-endian).
 */
header_parts
encode_header(std::uint16_t flags, std::uint8_t chan, std::uint8_t err) noexcept;

/*!
 * \brief Checks that a payload of \p payload_size bytes may be sent to Rogue.
 *
 * Rogue must never receive an empty payload: it drops that frame and the one after
 * it (spec §2.3). Returns "empty_payload" or "payload_too_large" (> u32), else ok.
 */
parse_error check_payload_size(std::uint64_t payload_size);

/*!
 * \brief Encodes a frame into the four parts of one ZMQ multipart message.
 *
 * \param f    the frame to encode
 * \param out  receives the parts (sizes 2/1/1/N); left untouched on error
 * \return ok, or the error from check_payload_size() (nothing is encoded then)
 */
parse_error encode(const frame& f, wire_message& out);

/*!
 * \brief Decodes the parts of one received ZMQ multipart message, without copying.
 *
 * Checks, in this order: part count ("wrong_part_count"), flags size
 * ("bad_flags_size"), channel size ("bad_chan_size"), error size ("bad_err_size"),
 * payload size ("empty_payload", "payload_too_large").
 *
 * \param parts  the received parts, in order (may be null when \p count is 0)
 * \param count  number of parts received
 * \param out    receives the frame on success; left untouched on error
 */
parse_error decode(const part_view* parts, std::size_t count, frame_view& out);

/*!
 * \brief Decodes like the frame_view overload, then copies the payload into \p out.
 */
parse_error decode(const part_view* parts, std::size_t count, frame& out);

/*! \brief Convenience overload of the copying decode() for a vector of parts. */
parse_error decode(const std::vector<part_view>& parts, frame& out);

} // namespace rogue
} // namespace netstream
} // namespace gr

#endif
