/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_NETSTREAM_TIA_CLIENT_H
#define INCLUDED_NETSTREAM_TIA_CLIENT_H

// TiA 1.0 client session (spec §1, §2, §6.1): control requests with framed replies,
// meta-info, one TCP data connection and packet framing. Blocking sockets with a
// timeout on every wait. No GNU Radio headers.

#include "tia_control_parser.h"
#include "tia_metainfo.h"
#include "tia_packet_codec.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace gr {
namespace netstream {
namespace tia {

//! A failed session step (connect, unexpected reply, closed socket, timeout).
class session_error : public std::runtime_error
{
public:
    using std::runtime_error::runtime_error;
};

/*!
 * \brief One client session with a TiA server.
 *
 * Usage: construct (connects the control socket), check_protocol_version(),
 * get_meta_info(), start_tcp() (GetDataConnection:TCP, connect the data socket,
 * StartDataTransmission), then read_packets() repeatedly. Every method throws
 * session_error on failure; the destructor closes both sockets.
 */
class client
{
public:
    client(const std::string& host,
           std::uint16_t port,
           std::chrono::milliseconds timeout);
    ~client();
    client(const client&) = delete;
    client& operator=(const client&) = delete;

    //! Send a request and return the framed reply.
    control_message request(control_command command, const std::string& parameter = {});

    void check_protocol_version();
    //! GetMetaInfo; returns the parsed document, raw XML in \p xml.
    meta_info get_meta_info(std::string& xml);
    //! GetDataConnection:TCP, connect, StartDataTransmission.
    void start_tcp();
    //! StopDataTransmission (best effort, short timeout).
    void stop();

    /*!
     * \brief Wait up to \p wait for data; pass every whole packet to \p on_packet and
     *        every resynchronisation to \p on_garbage. Throws when the socket closes.
     */
    void
    read_packets(std::chrono::milliseconds wait,
                 const std::function<void(const std::vector<std::uint8_t>&)>& on_packet,
                 const std::function<void(const parse_error&)>& on_garbage);

    std::uint64_t bytes_received() const { return d_bytes; }

private:
    void send_all(int fd, const std::string& data);
    int connect_to(std::uint16_t port);

    std::string d_host;
    std::chrono::milliseconds d_timeout;
    int d_ctrl = -1;
    int d_data = -1;
    control_parser d_parser;
    packet_stream_reassembler d_reassembler;
    std::vector<std::uint8_t> d_buffer;
    std::vector<std::uint8_t> d_packet;
    std::uint64_t d_bytes = 0;
};

} // namespace tia
} // namespace netstream
} // namespace gr

#endif /* INCLUDED_NETSTREAM_TIA_CLIENT_H */
