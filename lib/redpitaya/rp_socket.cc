/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "rp_socket.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>

namespace gr {
namespace netstream {
namespace redpitaya {

namespace {
using clock = std::chrono::steady_clock;

int ms_left(clock::time_point deadline)
{
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now())
            .count();
    return left < 0 ? 0 : static_cast<int>(left);
}
} // namespace

void tcp_socket::connect(const std::string& host,
                         int port,
                         std::chrono::milliseconds timeout,
                         int rcvbuf)
{
    close();
    d_endpoint = host + ":" + std::to_string(port);
    addrinfo hints{};
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    const int gai =
        ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res);
    if (gai != 0 || res == nullptr) {
        throw link_error(link_failure::refused,
                         "cannot resolve " + d_endpoint + ": " + ::gai_strerror(gai));
    }
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        ::freeaddrinfo(res);
        throw link_error(link_failure::refused,
                         std::string("socket(): ") + std::strerror(errno));
    }
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (rcvbuf > 0) {
        ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    }
    int rc = ::connect(fd, res->ai_addr, res->ai_addrlen);
    ::freeaddrinfo(res);
    int err = rc == 0 ? 0 : errno;
    if (rc != 0 && err == EINPROGRESS) {
        pollfd p{ fd, POLLOUT, 0 };
        rc = ::poll(&p, 1, static_cast<int>(timeout.count()));
        if (rc == 0) {
            ::close(fd);
            throw link_error(link_failure::timeout,
                             "connecting to " + d_endpoint + " timed out after " +
                                 std::to_string(timeout.count()) + " ms");
        }
        socklen_t len = sizeof err;
        ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
    }
    if (err != 0) {
        ::close(fd);
        throw link_error(link_failure::refused,
                         "cannot connect to " + d_endpoint + ": " + std::strerror(err));
    }
    d_fd = fd;
}

void tcp_socket::close()
{
    if (d_fd >= 0) {
        ::close(d_fd);
        d_fd = -1;
    }
}

void tcp_socket::write_all(const std::uint8_t* data,
                           std::size_t len,
                           std::chrono::milliseconds timeout)
{
    const auto deadline = clock::now() + timeout;
    std::size_t done = 0;
    while (done < len) {
        const ssize_t n = ::send(d_fd, data + done, len - done, MSG_NOSIGNAL);
        if (n > 0) {
            done += static_cast<std::size_t>(n);
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
            pollfd p{ d_fd, POLLOUT, 0 };
            if (::poll(&p, 1, ms_left(deadline)) == 0 && clock::now() >= deadline) {
                throw link_error(link_failure::timeout,
                                 "writing to " + d_endpoint + " timed out");
            }
            continue;
        }
        throw link_error(link_failure::closed,
                         "writing to " + d_endpoint + " failed: " + std::strerror(errno));
    }
}

std::size_t tcp_socket::write_some(const std::uint8_t* data,
                                   std::size_t len,
                                   std::chrono::milliseconds timeout)
{
    pollfd p{ d_fd, POLLOUT, 0 };
    const int rc = ::poll(&p, 1, static_cast<int>(timeout.count()));
    if (rc == 0) {
        return 0;
    }
    if (rc < 0) {
        if (errno == EINTR) {
            return 0;
        }
        throw link_error(link_failure::closed,
                         "waiting to write to " + d_endpoint +
                             " failed: " + std::strerror(errno));
    }
    const ssize_t n = ::send(d_fd, data, len, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n >= 0) {
        return static_cast<std::size_t>(n);
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
        return 0;
    }
    throw link_error(link_failure::closed,
                     "writing to " + d_endpoint + " failed: " + std::strerror(errno));
}

std::size_t tcp_socket::read_some(std::uint8_t* data, std::size_t len)
{
    while (true) {
        const ssize_t n = ::recv(d_fd, data, len, 0);
        if (n > 0) {
            return static_cast<std::size_t>(n);
        }
        if (n == 0) {
            throw link_error(link_failure::closed, d_endpoint + " closed the connection");
        }
        if (errno == EINTR) {
            continue;
        }
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            return 0;
        }
        throw link_error(link_failure::closed,
                         "reading from " + d_endpoint +
                             " failed: " + std::strerror(errno));
    }
}

unsigned wait_readable(int fd_a, int fd_b, std::chrono::milliseconds timeout)
{
    pollfd p[2] = { { fd_a, POLLIN, 0 }, { fd_b, POLLIN, 0 } };
    const int rc = ::poll(p, 2, static_cast<int>(timeout.count()));
    if (rc <= 0) {
        return 0;
    }
    unsigned r = 0;
    if (fd_a >= 0 && (p[0].revents & (POLLIN | POLLHUP | POLLERR))) {
        r |= 1u;
    }
    if (fd_b >= 0 && (p[1].revents & (POLLIN | POLLHUP | POLLERR))) {
        r |= 2u;
    }
    return r;
}

} // namespace redpitaya
} // namespace netstream
} // namespace gr
