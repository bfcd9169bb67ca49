/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "rp_discovery.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vector>

namespace gr {
namespace netstream {
namespace redpitaya {

namespace {
bool is_ipv4(const std::string& s)
{
    in_addr a{};
    return ::inet_pton(AF_INET, s.c_str(), &a) == 1;
}
} // namespace

std::optional<beacon_info> parse_beacon(const std::uint8_t* data, std::size_t len)
{
    const std::string text(reinterpret_cast<const char*>(data), len);
    beacon_info b;
    if (text.find('\n') != std::string::npos) {
        std::vector<std::string> fields;
        std::size_t pos = 0;
        while (pos < text.size()) {
            const auto lf = text.find('\n', pos);
            if (lf == std::string::npos) {
                return std::nullopt; // every field ends with LF
            }
            fields.push_back(text.substr(pos, lf - pos));
            pos = lf + 1;
        }
        if (fields.size() != 4 || fields[2].size() != 1 || fields[3].empty() ||
            !is_ipv4(fields[1])) {
            return std::nullopt;
        }
        for (char c : fields[3]) {
            if (!std::isdigit(static_cast<unsigned char>(c))) {
                return std::nullopt;
            }
        }
        b.mac = fields[0];
        b.ip = fields[1];
        b.role = fields[2][0];
        b.model = std::stoi(fields[3].substr(0, 6));
        b.version = protocol_version::p3;
    } else {
        if (text.size() < 3 || !std::isdigit(static_cast<unsigned char>(text.back()))) {
            return std::nullopt;
        }
        b.model = text.back() - '0';
        b.role = text[text.size() - 2];
        b.ip = text.substr(0, text.size() - 2);
        if (!is_ipv4(b.ip)) {
            return std::nullopt;
        }
        b.version = protocol_version::p2;
    }
    if (b.role != 'M' && b.role != 'S') {
        return std::nullopt;
    }
    return b;
}

beacon_info discover_first_board(std::chrono::milliseconds timeout, int port)
{
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        throw std::runtime_error(std::string("discovery: socket(): ") +
                                 std::strerror(errno));
    }
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    ::setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_ANY);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        const std::string err = std::strerror(errno);
        ::close(fd);
        throw std::runtime_error("discovery: cannot bind UDP port " +
                                 std::to_string(port) + ": " + err);
    }
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::uint8_t buf[1024];
    while (true) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                              deadline - std::chrono::steady_clock::now())
                              .count();
        if (left <= 0) {
            break;
        }
        pollfd p{ fd, POLLIN, 0 };
        if (::poll(&p, 1, static_cast<int>(left)) <= 0) {
            continue;
        }
        const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) {
            continue;
        }
        if (auto b = parse_beacon(buf, static_cast<std::size_t>(n))) {
            ::close(fd);
            return *b;
        }
    }
    ::close(fd);
    throw std::runtime_error("discovery: no Red Pitaya beacon heard on UDP port " +
                             std::to_string(port) + " within " +
                             std::to_string(timeout.count()) +
                             " ms; give the board's address as host");
}

} // namespace redpitaya
} // namespace netstream
} // namespace gr
