/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "tia_client.h"

#include <arpa/inet.h>
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
namespace tia {

namespace {
bool wait_fd(int fd, short events, std::chrono::milliseconds timeout)
{
    pollfd p{ fd, events, 0 };
    int r;
    do {
        r = ::poll(&p, 1, static_cast<int>(timeout.count()));
    } while (r < 0 && errno == EINTR);
    return r > 0;
}
} // namespace

client::client(const std::string& host,
               std::uint16_t port,
               std::chrono::milliseconds timeout)
    : d_host(host), d_timeout(timeout), d_buffer(256 * 1024)
{
    d_ctrl = connect_to(port);
}

client::~client()
{
    if (d_data >= 0) {
        ::close(d_data);
    }
    if (d_ctrl >= 0) {
        ::close(d_ctrl);
    }
}

int client::connect_to(std::uint16_t port)
{
    addrinfo hints{};
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    if (::getaddrinfo(d_host.c_str(), std::to_string(port).c_str(), &hints, &res) != 0 ||
        !res) {
        throw session_error("cannot resolve " + d_host);
    }
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    const int rc = ::connect(fd, res->ai_addr, res->ai_addrlen);
    ::freeaddrinfo(res);
    if (rc != 0 && errno != EINPROGRESS) {
        ::close(fd);
        throw session_error("connect " + d_host + ":" + std::to_string(port) + ": " +
                            std::strerror(errno));
    }
    int err = 0;
    socklen_t len = sizeof(err);
    if (!wait_fd(fd, POLLOUT, d_timeout) ||
        ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) {
        ::close(fd);
        throw session_error("connect " + d_host + ":" + std::to_string(port) + ": " +
                            (err ? std::strerror(err) : "timed out"));
    }
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    return fd;
}

void client::send_all(int fd, const std::string& data)
{
    std::size_t done = 0;
    while (done < data.size()) {
        if (!wait_fd(fd, POLLOUT, d_timeout)) {
            throw session_error("send timed out");
        }
        const auto n = ::send(fd, data.data() + done, data.size() - done, MSG_NOSIGNAL);
        if (n <= 0) {
            if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
                continue;
            }
            throw session_error("control connection closed while sending");
        }
        done += static_cast<std::size_t>(n);
    }
}

control_message client::request(control_command command, const std::string& parameter)
{
    send_all(d_ctrl, encode_request(command, parameter));
    control_message m;
    parse_error err;
    const auto deadline = std::chrono::steady_clock::now() + d_timeout;
    for (;;) {
        const auto st = d_parser.next(m, err);
        if (st == control_parse_status::message) {
            return m;
        }
        if (st == control_parse_status::error) {
            throw session_error("bad reply from server: " + err.detail);
        }
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0 || !wait_fd(d_ctrl, POLLIN, left)) {
            throw session_error("timed out waiting for the reply to " +
                                std::string(command_name(command)));
        }
        const auto n = ::recv(d_ctrl, d_buffer.data(), d_buffer.size(), 0);
        if (n == 0) {
            throw session_error("server closed the control connection");
        }
        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR) {
                continue;
            }
            throw session_error(std::string("control recv: ") + std::strerror(errno));
        }
        d_parser.feed(d_buffer.data(), static_cast<std::size_t>(n));
    }
}

void client::check_protocol_version()
{
    const auto r = request(control_command::check_protocol_version);
    if (r.name != "OK") {
        throw session_error("CheckProtocolVersion answered '" + r.name + "'");
    }
}

meta_info client::get_meta_info(std::string& xml)
{
    const auto r = request(control_command::get_meta_info);
    if (r.name != "MetaInfo" || !r.has_content_length) {
        throw session_error("GetMetaInfo answered '" + r.name + "'");
    }
    xml = r.body;
    meta_info info;
    if (auto e = parse_meta_info_xml(xml, info)) {
        throw session_error("meta-info: " + e.detail);
    }
    return info;
}

void client::start_tcp()
{
    const auto r = request(control_command::get_data_connection, "TCP");
    if (r.name != "DataConnectionPort" || r.parameter.empty()) {
        throw session_error("GetDataConnection:TCP answered '" + r.name + "'");
    }
    unsigned long port = 0;
    try {
        port = std::stoul(r.parameter);
    } catch (const std::exception&) {
        port = 0;
    }
    if (port == 0 || port > 65535) {
        throw session_error("bad data port '" + r.parameter + "'");
    }
    // libtia's order: connect the data socket first, then Start (spec §0 item 4).
    d_data = connect_to(static_cast<std::uint16_t>(port));
    const auto s = request(control_command::start_data_transmission);
    if (s.name != "OK") {
        throw session_error("StartDataTransmission answered '" + s.name + "'");
    }
}

void client::stop()
{
    try {
        send_all(d_ctrl, encode_request(control_command::stop_data_transmission));
    } catch (const session_error&) {
    }
}

void client::read_packets(
    std::chrono::milliseconds wait,
    const std::function<void(const std::vector<std::uint8_t>&)>& on_packet,
    const std::function<void(const parse_error&)>& on_garbage)
{
    if (!wait_fd(d_data, POLLIN, wait)) {
        return;
    }
    const auto n = ::recv(d_data, d_buffer.data(), d_buffer.size(), 0);
    if (n == 0) {
        throw session_error("server closed the data connection");
    }
    if (n < 0) {
        if (errno == EAGAIN || errno == EINTR) {
            return;
        }
        throw session_error(std::string("data recv: ") + std::strerror(errno));
    }
    d_bytes += static_cast<std::uint64_t>(n);
    d_reassembler.feed(d_buffer.data(), static_cast<std::size_t>(n));
    parse_error err;
    for (;;) {
        const auto st = d_reassembler.next(d_packet, err);
        if (st == reassembly_status::need_more) {
            return;
        }
        if (st == reassembly_status::garbage) {
            on_garbage(err);
            continue;
        }
        on_packet(d_packet);
    }
}

} // namespace tia
} // namespace netstream
} // namespace gr
