/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_NETSTREAM_REDPITAYA_RP_SOCKET_H
#define INCLUDED_NETSTREAM_REDPITAYA_RP_SOCKET_H

// Small POSIX TCP helpers for the Red Pitaya control and data links: connect with a
// timeout, write fully with a timeout, wait for readability. Every call is bounded.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace gr {
namespace netstream {
namespace redpitaya {

//! Why a link operation failed; the worker decides from it whether to retry.
enum class link_failure {
    refused,  //!< connection refused / unreachable
    timeout,  //!< no answer within the timeout
    closed,   //!< the peer closed the link (EOF) or reset it
    protocol, //!< the peer sent something out of step with the spec
    rejected, //!< the board refused a setting or a start (retrying cannot help)
    cancelled //!< stop() was requested
};

//! A failed link operation, with a sentence a user can act on.
class link_error : public std::runtime_error
{
public:
    link_error(link_failure kind, const std::string& what)
        : std::runtime_error(what), d_kind(kind)
    {
    }
    link_failure kind() const { return d_kind; }

private:
    link_failure d_kind;
};

//! An owned socket descriptor (closed on destruction).
class tcp_socket
{
public:
    tcp_socket() = default;
    ~tcp_socket() { close(); }
    tcp_socket(const tcp_socket&) = delete;
    tcp_socket& operator=(const tcp_socket&) = delete;

    /*!
     * \brief Connect to host:port within \p timeout (IPv4 or a resolvable name).
     * \param rcvbuf SO_RCVBUF to request (0 = system default); TCP_NODELAY is always set.
     * \throws link_error (refused / timeout) naming the endpoint and the system error.
     */
    void connect(const std::string& host,
                 int port,
                 std::chrono::milliseconds timeout,
                 int rcvbuf = 0);
    void close();
    bool is_open() const { return d_fd >= 0; }
    int fd() const { return d_fd; }
    const std::string& endpoint() const { return d_endpoint; }

    /*! \brief Write all bytes, waiting at most \p timeout in total. \throws link_error.
     */
    void write_all(const std::uint8_t* data,
                   std::size_t len,
                   std::chrono::milliseconds timeout);

    /*!
     * \brief Write as much as the socket takes within \p timeout (back-pressure aware).
     * \return bytes written (0 if the peer did not read within \p timeout).
     * \throws link_error(closed) on a socket error.
     */
    std::size_t write_some(const std::uint8_t* data,
                           std::size_t len,
                           std::chrono::milliseconds timeout);

    /*!
     * \brief Read what is available (up to \p len) without blocking.
     * \return bytes read (> 0), 0 if nothing is available now.
     * \throws link_error(closed) on EOF or a socket error.
     */
    std::size_t read_some(std::uint8_t* data, std::size_t len);

private:
    int d_fd = -1;
    std::string d_endpoint;
};

/*!
 * \brief Wait until \p fd_a or \p fd_b (-1 = unused) is readable, at most \p timeout.
 * \return bit 0 set: fd_a readable (or hung up); bit 1: fd_b. 0 on timeout.
 */
unsigned wait_readable(int fd_a, int fd_b, std::chrono::milliseconds timeout);

} // namespace redpitaya
} // namespace netstream
} // namespace gr

#endif
