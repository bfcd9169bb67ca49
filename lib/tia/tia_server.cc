/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "tia_control_parser.h"
#include "tia_packet_codec.h"
#include "tia_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <deque>
#include <stdexcept>

namespace gr {
namespace netstream {
namespace tia {

namespace {
constexpr int data_sndbuf_bytes =
    256 * 1024; //!< per TCP data client (the kernel doubles it)

using clock = std::chrono::steady_clock;

constexpr std::size_t staging_target_bytes = 256 * 1024; // per send batch
constexpr std::size_t read_chunk_bytes = 64 * 1024;
constexpr std::size_t pause_reading_backlog = 64 * 1024; // unread replies
constexpr std::size_t max_udp_datagram = 65507;
constexpr auto poll_interval = std::chrono::milliseconds(100);
constexpr auto close_linger = std::chrono::seconds(1);

void set_nonblocking(int fd)
{
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL, 0) | O_NONBLOCK);
}

std::string endpoint_text(const sockaddr_in& addr)
{
    char text[INET_ADDRSTRLEN] = {};
    ::inet_ntop(AF_INET, &addr.sin_addr, text, sizeof(text));
    return std::string(text) + ":" + std::to_string(ntohs(addr.sin_port));
}

sockaddr_in make_address(const std::string& host, std::uint16_t port, const char* what)
{
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    if (::inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) {
        throw std::invalid_argument(std::string(what) + ": got '" + host +
                                    "', expected a dotted IPv4 address");
    }
    return addr;
}

//! A listening TCP socket on addr (port 0 = ephemeral); -1 on failure.
int open_listener(sockaddr_in addr, int backlog)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return -1;
    }
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
        ::listen(fd, backlog) != 0) {
        ::close(fd);
        return -1;
    }
    set_nonblocking(fd);
    return fd;
}

std::uint16_t local_port(int fd)
{
    sockaddr_in addr{};
    socklen_t len = sizeof(addr);
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    return ntohs(addr.sin_port);
}

void close_fd(int& fd)
{
    if (fd >= 0) {
        ::close(fd);
        fd = -1;
    }
}

//! State shared between the producer (publish) and the I/O thread.
struct data_link {
    std::mutex mutex;
    std::deque<shared_packet> queue;
    std::size_t queued_bytes = 0;
    bool streaming = false; //!< Start received and the data socket accepted
    std::uint64_t sent = 0;
    std::uint64_t dropped = 0;
    clock::time_point last_progress = clock::now();
    std::string peer; //!< control connection's peer (for status)
};

//! A TCP data connection (I/O thread only, except `link`).
struct tcp_data {
    int listen_fd = -1;
    int fd = -1;
    std::shared_ptr<data_link> link = std::make_shared<data_link>();
    std::vector<std::uint8_t> staging; //!< whole packets, stamped for this connection
    std::size_t staged_pos = 0;
    std::uint64_t staged_packets = 0;
    std::uint64_t connection_number = 0;
    bool dead = false;
};

struct control_conn {
    std::uint64_t id = 0;
    int fd = -1;
    std::string peer;
    sockaddr_in local{};
    control_parser parser;
    std::string out;
    bool closing = false;
    clock::time_point closing_since;
    std::vector<std::unique_ptr<tcp_data>> data;
    bool udp = false;
    bool started = false;
    bool dead = false;
};

} // namespace

struct server::impl {
    impl(server& owner, server_config cfg, counter_set& ctrs, event_fn ev)
        : self(owner), config(std::move(cfg)), counters(ctrs), on_event(std::move(ev))
    {
    }

    server& self;
    const server_config config;
    counter_set& counters;
    event_fn on_event;

    int listen_fd = -1;
    int wake_fd = -1;
    int udp_fd = -1;
    int state_listen_fd = -1;
    std::vector<int> state_fds;
    sockaddr_in udp_dest{};
    clock::time_point listen_paused_until{};

    std::vector<std::unique_ptr<control_conn>> controls;
    std::uint64_t next_control_id = 1;

    // Producer-visible state.
    mutable std::mutex links_mutex;
    std::vector<std::shared_ptr<data_link>> links;
    int udp_started = 0;          //!< started UDP subscribers (guarded by links_mutex)
    std::uint64_t udp_number = 0; //!< UDP connection packet number (links_mutex)
    std::vector<std::uint8_t> udp_buffer;
    std::atomic<bool> wake_pending{ false };

    std::atomic<bool> running{ false };
    std::thread thread;

    void event(const std::string& name, const std::string& detail)
    {
        if (on_event) {
            on_event(name, detail);
        }
    }

    void wake()
    {
        if (!wake_pending.exchange(true)) {
            const std::uint64_t one = 1;
            [[maybe_unused]] auto n = ::write(wake_fd, &one, sizeof(one));
        }
    }

    void recount_subscribers()
    {
        int n = 0;
        std::lock_guard<std::mutex> lock(links_mutex);
        for (const auto& l : links) {
            std::lock_guard<std::mutex> ll(l->mutex);
            n += l->streaming ? 1 : 0;
        }
        self.d_subscribers.store(n + udp_started);
    }

    void publish(const std::vector<shared_packet>& packets)
    {
        bool need_wake = false;
        std::lock_guard<std::mutex> lock(links_mutex);
        for (const auto& l : links) {
            std::lock_guard<std::mutex> ll(l->mutex);
            if (!l->streaming) {
                continue;
            }
            const bool was_idle = l->queue.empty();
            for (const auto& p : packets) {
                if (l->queued_bytes + p->size() > config.queue_bytes) {
                    ++l->dropped;
                    counters.add(ctr::drops);
                    continue;
                }
                l->queued_bytes += p->size();
                l->queue.push_back(p);
            }
            if (was_idle && !l->queue.empty()) {
                l->last_progress = clock::now();
                need_wake = true;
            }
        }
        if (udp_started > 0 && udp_fd >= 0) {
            for (const auto& p : packets) {
                udp_buffer.assign(p->begin(), p->end());
                set_connection_packet_number(udp_buffer.data(), udp_number++);
                const auto n = ::sendto(udp_fd,
                                        udp_buffer.data(),
                                        udp_buffer.size(),
                                        MSG_DONTWAIT | MSG_NOSIGNAL,
                                        reinterpret_cast<const sockaddr*>(&udp_dest),
                                        sizeof(udp_dest));
                if (n == static_cast<ssize_t>(udp_buffer.size())) {
                    counters.add("udp_frames_out");
                    counters.add(ctr::bytes_out, udp_buffer.size());
                } else {
                    counters.add("udp_drops");
                }
            }
        }
        if (need_wake) {
            wake();
        }
    }

    // ------------------------------------------------------------------ I/O thread

    void send_control(control_conn& c, const std::string& reply)
    {
        c.out += reply;
        flush_control(c);
    }

    void flush_control(control_conn& c)
    {
        while (!c.out.empty()) {
            const auto n =
                ::send(c.fd, c.out.data(), c.out.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
            if (n > 0) {
                c.out.erase(0, static_cast<std::size_t>(n));
                continue;
            }
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
                break;
            }
            c.dead = true;
            return;
        }
        if (c.out.size() > config.max_reply_backlog) {
            counters.add("reply_overflows");
            c.dead = true;
        }
    }

    void close_after_reply(control_conn& c)
    {
        c.closing = true;
        c.closing_since = clock::now();
    }

    void set_started(control_conn& c, bool started)
    {
        if (c.udp && c.started != started) {
            std::lock_guard<std::mutex> lock(links_mutex);
            udp_started += started ? 1 : -1;
        }
        c.started = started;
        for (auto& d : c.data) {
            std::lock_guard<std::mutex> ll(d->link->mutex);
            d->link->streaming = started && d->fd >= 0;
            if (!started) {
                // Stop takes effect at a packet boundary: queued packets are not sent,
                // the staged (whole) packets finish.
                d->link->queue.clear();
                d->link->queued_bytes = 0;
            }
        }
        recount_subscribers();
    }

    void handle_request(control_conn& c, const control_message& m)
    {
        counters.add("requests");
        const auto error = [&]() {
            counters.add("errors_sent");
            send_control(c, encode_error_reply());
        };
        switch (command_from_name(m.name)) {
        case control_command::check_protocol_version:
            send_control(c, encode_ok_reply());
            return;
        case control_command::get_meta_info:
            send_control(c, encode_meta_info_reply(config.meta_info_xml));
            return;
        case control_command::get_data_connection: {
            const auto transport = transport_from_parameter(m.parameter);
            if (transport == data_transport::tcp) {
                sockaddr_in addr = c.local; // reachable at the address the client used
                addr.sin_port = 0;
                auto d = std::make_unique<tcp_data>();
                d->link->peer = c.peer;
                d->listen_fd = open_listener(addr, 1);
                if (d->listen_fd < 0) {
                    error();
                    return;
                }
                const auto port = local_port(d->listen_fd);
                {
                    std::lock_guard<std::mutex> lock(links_mutex);
                    links.push_back(d->link);
                }
                c.data.push_back(std::move(d));
                send_control(c, encode_data_connection_port_reply(port));
                return;
            }
            if (transport == data_transport::udp && config.udp_port != 0 &&
                config.packet_bytes <= max_udp_datagram && open_udp()) {
                if (!c.udp) {
                    c.udp = true;
                    if (c.started) {
                        std::lock_guard<std::mutex> lock(links_mutex);
                        ++udp_started;
                    }
                    recount_subscribers();
                }
                send_control(c, encode_data_connection_port_reply(config.udp_port));
                return;
            }
            error();
            return;
        }
        case control_command::start_data_transmission:
        case control_command::stop_data_transmission:
            if (c.data.empty() && !c.udp) {
                error();
                return;
            }
            set_started(
                c, command_from_name(m.name) == control_command::start_data_transmission);
            send_control(c, encode_ok_reply());
            event(c.started ? "start_data" : "stop_data", c.peer);
            return;
        case control_command::get_server_state_connection:
            if (state_listen_fd < 0) {
                sockaddr_in addr = c.local;
                addr.sin_port = 0;
                state_listen_fd = open_listener(addr, 16);
            }
            if (state_listen_fd < 0) {
                error();
                return;
            }
            send_control(
                c,
                encode_server_state_connection_port_reply(local_port(state_listen_fd)));
            return;
        case control_command::unknown:
            break;
        }
        error(); // unknown command: bare Error, connection kept (spec §2.2)
    }

    bool open_udp()
    {
        if (udp_fd >= 0) {
            return true;
        }
        const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            return false;
        }
        const int one = 1;
        ::setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof(one));
        std::lock_guard<std::mutex> lock(links_mutex);
        udp_fd = fd;
        return true;
    }

    void read_control(control_conn& c)
    {
        std::uint8_t buf[read_chunk_bytes];
        const auto n = ::recv(c.fd, buf, sizeof(buf), MSG_DONTWAIT);
        if (n == 0) {
            c.dead = true;
            return;
        }
        if (n < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                c.dead = true;
            }
            return;
        }
        counters.add(ctr::bytes_in, static_cast<std::uint64_t>(n));
        c.parser.feed(buf, static_cast<std::size_t>(n));
        control_message m;
        parse_error err;
        for (;;) {
            const auto status = c.parser.next(m, err);
            if (status == control_parse_status::need_more) {
                return;
            }
            if (status == control_parse_status::error) {
                counters.add_malformed(err.reason);
                event("malformed", c.peer + ": " + err.detail);
                counters.add("errors_sent");
                send_control(c, encode_error_reply());
                close_after_reply(c);
                return;
            }
            handle_request(c, m);
            if (c.dead) {
                return;
            }
        }
    }

    void accept_control()
    {
        for (int i = 0; i < 64; ++i) {
            sockaddr_in peer{};
            socklen_t len = sizeof(peer);
            const int fd = ::accept4(
                listen_fd, reinterpret_cast<sockaddr*>(&peer), &len, SOCK_CLOEXEC);
            if (fd < 0) {
                if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
                    errno == ENOMEM) {
                    counters.add("accept_failures");
                    listen_paused_until = clock::now() + poll_interval;
                }
                return;
            }
            if (controls.size() >= config.max_control_connections) {
                counters.add("connections_refused");
                ::close(fd);
                continue;
            }
            set_nonblocking(fd);
            const int one = 1;
            ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
            auto c = std::make_unique<control_conn>();
            c->id = next_control_id++;
            c->fd = fd;
            c->peer = endpoint_text(peer);
            socklen_t llen = sizeof(c->local);
            ::getsockname(fd, reinterpret_cast<sockaddr*>(&c->local), &llen);
            counters.add("control_connections");
            event("connect", c->peer);
            controls.push_back(std::move(c));
            self.d_control_count.store(controls.size());
        }
    }

    void accept_data(control_conn& c, tcp_data& d)
    {
        const int fd = ::accept4(d.listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) {
            return;
        }
        close_fd(d.listen_fd); // exactly one connection per data port (spec §6.1)
        set_nonblocking(fd);
        const int one = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        // Cap the kernel's send buffer for this client: our own bounded queue is the
        // buffer that counts, and a client that stops reading must show up as stalled
        // within seconds, not after megabytes of kernel autotuning fill up.
        const int sndbuf = data_sndbuf_bytes;
        ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
        d.fd = fd;
        {
            std::lock_guard<std::mutex> ll(d.link->mutex);
            d.link->streaming = c.started;
            d.link->last_progress = clock::now();
        }
        recount_subscribers();
        counters.add("data_connections");
        event("data_connect", c.peer);
    }

    //! Send what the socket takes; false when the connection is broken.
    bool pump(tcp_data& d)
    {
        for (;;) {
            if (d.staged_pos == d.staging.size()) {
                if (d.staged_packets > 0) {
                    std::lock_guard<std::mutex> ll(d.link->mutex);
                    d.link->sent += d.staged_packets;
                    counters.add(ctr::frames_out, d.staged_packets);
                    d.staged_packets = 0;
                }
                d.staging.clear();
                d.staged_pos = 0;
                std::lock_guard<std::mutex> ll(d.link->mutex);
                while (!d.link->queue.empty() &&
                       d.staging.size() < staging_target_bytes) {
                    const auto& p = *d.link->queue.front();
                    const auto at = d.staging.size();
                    d.staging.insert(d.staging.end(), p.begin(), p.end());
                    set_connection_packet_number(d.staging.data() + at,
                                                 d.connection_number++);
                    ++d.staged_packets;
                    d.link->queued_bytes -= p.size();
                    d.link->queue.pop_front();
                }
                if (d.staging.empty()) {
                    return true;
                }
            }
            const auto n = ::send(d.fd,
                                  d.staging.data() + d.staged_pos,
                                  d.staging.size() - d.staged_pos,
                                  MSG_NOSIGNAL | MSG_DONTWAIT);
            if (n > 0) {
                d.staged_pos += static_cast<std::size_t>(n);
                counters.add(ctr::bytes_out, static_cast<std::uint64_t>(n));
                std::lock_guard<std::mutex> ll(d.link->mutex);
                d.link->last_progress = clock::now();
                continue;
            }
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
                return true;
            }
            return false;
        }
    }

    bool data_pending(tcp_data& d)
    {
        if (d.staged_pos < d.staging.size()) {
            return true;
        }
        std::lock_guard<std::mutex> ll(d.link->mutex);
        return !d.link->queue.empty();
    }

    void drop_data(control_conn& c, tcp_data& d, const char* why)
    {
        const bool was_connected = d.fd >= 0;
        close_fd(d.fd);
        close_fd(d.listen_fd);
        {
            std::lock_guard<std::mutex> lock(links_mutex);
            links.erase(std::remove(links.begin(), links.end(), d.link), links.end());
        }
        {
            std::lock_guard<std::mutex> ll(d.link->mutex);
            d.link->streaming = false;
            d.link->queue.clear();
            d.link->queued_bytes = 0;
        }
        d.dead = true;
        if (was_connected) {
            counters.add("data_disconnects");
            event("data_disconnect", c.peer + " (" + why + ")");
        }
    }

    void close_control(control_conn& c)
    {
        for (auto& d : c.data) {
            if (!d->dead) {
                drop_data(c, *d, "control connection closed");
            }
        }
        c.data.clear();
        set_started(c, false);
        close_fd(c.fd);
        counters.add("control_disconnects");
        event("disconnect", c.peer);
    }

    void accept_state()
    {
        const int fd = ::accept4(state_listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) {
            return;
        }
        set_nonblocking(fd);
        const auto msg = encode_server_state_running();
        [[maybe_unused]] auto n =
            ::send(fd, msg.data(), msg.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        state_fds.push_back(fd);
        counters.add("state_connections");
    }

    void loop()
    {
        enum class kind { wake, listen, state_listen, state, control, data_listen, data };
        struct slot {
            kind k;
            control_conn* c;
            tcp_data* d;
            std::size_t index;
        };
        std::vector<pollfd> fds;
        std::vector<slot> slots;
        auto last_stall_check = clock::now();
        while (running.load()) {
            fds.clear();
            slots.clear();
            const auto add = [&](int fd, short events, slot s) {
                fds.push_back(pollfd{ fd, events, 0 });
                slots.push_back(s);
            };
            add(wake_fd, POLLIN, { kind::wake, nullptr, nullptr, 0 });
            if (clock::now() >= listen_paused_until) {
                add(listen_fd, POLLIN, { kind::listen, nullptr, nullptr, 0 });
            }
            if (state_listen_fd >= 0) {
                add(state_listen_fd, POLLIN, { kind::state_listen, nullptr, nullptr, 0 });
            }
            for (std::size_t i = 0; i < state_fds.size(); ++i) {
                add(state_fds[i], POLLIN, { kind::state, nullptr, nullptr, i });
            }
            for (auto& c : controls) {
                short ev = 0;
                if (!c->closing && c->out.size() < pause_reading_backlog) {
                    ev |= POLLIN;
                }
                if (!c->out.empty()) {
                    ev |= POLLOUT;
                }
                add(c->fd, ev, { kind::control, c.get(), nullptr, 0 });
                for (auto& d : c->data) {
                    if (d->listen_fd >= 0) {
                        add(d->listen_fd,
                            POLLIN,
                            { kind::data_listen, c.get(), d.get(), 0 });
                    }
                    if (d->fd >= 0) {
                        add(d->fd,
                            static_cast<short>(POLLIN | (data_pending(*d) ? POLLOUT : 0)),
                            { kind::data, c.get(), d.get(), 0 });
                    }
                }
            }
            const int ready =
                ::poll(fds.data(), fds.size(), static_cast<int>(poll_interval.count()));
            if (ready < 0 && errno != EINTR) {
                break;
            }
            for (std::size_t i = 0; ready > 0 && i < fds.size(); ++i) {
                const short re = fds[i].revents;
                if (re == 0) {
                    continue;
                }
                const slot& s = slots[i];
                switch (s.k) {
                case kind::wake: {
                    std::uint64_t v;
                    [[maybe_unused]] auto n = ::read(wake_fd, &v, sizeof(v));
                    wake_pending.store(false);
                    break;
                }
                case kind::listen:
                    accept_control();
                    break;
                case kind::state_listen:
                    accept_state();
                    break;
                case kind::state: {
                    char buf[256];
                    const auto n = ::recv(fds[i].fd, buf, sizeof(buf), MSG_DONTWAIT);
                    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
                        ::close(fds[i].fd);
                        state_fds[s.index] = -1;
                    }
                    break;
                }
                case kind::control:
                    if (s.c->dead) {
                        break;
                    }
                    if (re & (POLLERR | POLLHUP | POLLNVAL)) {
                        if (!(re & POLLIN)) {
                            s.c->dead = true;
                            break;
                        }
                    }
                    if (re & POLLOUT) {
                        flush_control(*s.c);
                    }
                    if ((re & POLLIN) && !s.c->dead) {
                        read_control(*s.c);
                    }
                    break;
                case kind::data_listen:
                    if (!s.c->dead && !s.d->dead) {
                        accept_data(*s.c, *s.d);
                    }
                    break;
                case kind::data:
                    if (s.c->dead || s.d->dead) {
                        break;
                    }
                    if (re & POLLIN) {
                        char buf[4096]; // clients send nothing here; discard
                        const auto n = ::recv(s.d->fd, buf, sizeof(buf), MSG_DONTWAIT);
                        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
                            drop_data(*s.c, *s.d, "closed by the client");
                            break;
                        }
                    } else if (re & (POLLERR | POLLHUP | POLLNVAL)) {
                        drop_data(*s.c, *s.d, "socket error");
                        break;
                    }
                    if ((re & POLLOUT) && !pump(*s.d)) {
                        drop_data(*s.c, *s.d, "send failed");
                    }
                    break;
                }
            }
            // Newly queued packets of idle connections: try at once, without a poll
            // round.
            for (auto& c : controls) {
                for (auto& d : c->data) {
                    if (!d->dead && d->fd >= 0 && d->staged_pos == d->staging.size() &&
                        data_pending(*d) && !pump(*d)) {
                        drop_data(*c, *d, "send failed");
                    }
                }
            }
            const auto now = clock::now();
            if (now - last_stall_check >= poll_interval) {
                last_stall_check = now;
                check_stalls(now);
            }
            reap(now);
        }
    }

    void check_stalls(clock::time_point now)
    {
        const auto limit = std::chrono::duration<double>(config.stall_timeout_s);
        for (auto& c : controls) {
            for (auto& d : c->data) {
                if (d->dead || d->fd < 0 || !data_pending(*d)) {
                    continue;
                }
                clock::time_point last;
                {
                    std::lock_guard<std::mutex> ll(d->link->mutex);
                    last = d->link->last_progress;
                }
                if (config.stall_timeout_s > 0 && now - last > limit) {
                    counters.add("clients_stalled");
                    drop_data(*c, *d, "stalled");
                }
            }
        }
    }

    void reap(clock::time_point now)
    {
        for (auto& c : controls) {
            if (c->closing && !c->dead &&
                (c->out.empty() || now - c->closing_since > close_linger)) {
                c->dead = true;
            }
            c->data.erase(std::remove_if(c->data.begin(),
                                         c->data.end(),
                                         [](const auto& d) { return d->dead; }),
                          c->data.end());
        }
        const auto before = controls.size();
        for (auto& c : controls) {
            if (c->dead) {
                close_control(*c);
            }
        }
        controls.erase(std::remove_if(controls.begin(),
                                      controls.end(),
                                      [](const auto& c) { return c->dead; }),
                       controls.end());
        if (controls.size() != before) {
            self.d_control_count.store(controls.size());
        }
        state_fds.erase(std::remove(state_fds.begin(), state_fds.end(), -1),
                        state_fds.end());
    }

    void shutdown_all()
    {
        const auto bye = encode_server_state_shutdown();
        for (int fd : state_fds) {
            // Blocking with a short timeout so the message leaves before the close.
            ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL, 0) & ~O_NONBLOCK);
            timeval tv{ 0, 200000 };
            ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
            [[maybe_unused]] auto n = ::send(fd, bye.data(), bye.size(), MSG_NOSIGNAL);
            ::shutdown(fd, SHUT_WR);
            ::close(fd);
        }
        state_fds.clear();
        close_fd(state_listen_fd);
        for (auto& c : controls) {
            close_control(*c);
        }
        controls.clear();
        self.d_control_count.store(0);
        {
            std::lock_guard<std::mutex> lock(links_mutex);
            links.clear();
            udp_started = 0;
        }
        self.d_subscribers.store(0);
    }
};

server::server(server_config config, counter_set& counters, event_fn on_event)
    : d_impl(
          std::make_unique<impl>(*this, std::move(config), counters, std::move(on_event)))
{
    auto& i = *d_impl;
    const auto addr = make_address(i.config.bind_address, i.config.port, "bind_address");
    i.udp_dest = make_address(i.config.udp_address, i.config.udp_port, "udp_address");
    i.listen_fd = open_listener(addr, 128);
    if (i.listen_fd < 0) {
        throw std::runtime_error("TiA server: cannot listen on " + i.config.bind_address +
                                 ":" + std::to_string(i.config.port) + ": " +
                                 std::strerror(errno));
    }
    d_port = local_port(i.listen_fd);
    i.wake_fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    for (const char* name : { "control_connections",
                              "control_disconnects",
                              "connections_refused",
                              "data_connections",
                              "data_disconnects",
                              "clients_stalled",
                              "requests",
                              "errors_sent",
                              "udp_frames_out",
                              "udp_drops" }) {
        counters.declare(name);
    }
}

server::~server()
{
    stop();
    close_fd(d_impl->listen_fd);
    close_fd(d_impl->wake_fd);
    close_fd(d_impl->udp_fd);
}

void server::start()
{
    if (d_impl->running.exchange(true)) {
        return;
    }
    d_impl->wake_pending.store(false);
    d_impl->thread = std::thread([this]() {
        d_impl->loop();
        d_impl->shutdown_all();
    });
}

void server::stop()
{
    if (!d_impl->running.exchange(false)) {
        return;
    }
    d_impl->wake_pending.store(false);
    d_impl->wake();
    if (d_impl->thread.joinable()) {
        d_impl->thread.join();
    }
}

void server::publish(const std::vector<shared_packet>& packets)
{
    if (!packets.empty()) {
        d_impl->publish(packets);
    }
}

std::vector<client_status> server::clients() const
{
    // Snapshot from the producer-visible links; peers are not tracked there, so the
    // status lists data links in creation order.
    std::vector<client_status> out;
    std::lock_guard<std::mutex> lock(d_impl->links_mutex);
    std::uint64_t id = 0;
    for (const auto& l : d_impl->links) {
        std::lock_guard<std::mutex> ll(l->mutex);
        client_status s;
        s.id = ++id;
        s.transport = "tcp";
        s.peer = l->peer;
        s.streaming = l->streaming;
        s.packets_sent = l->sent;
        s.packets_dropped = l->dropped;
        s.queued_bytes = l->queued_bytes;
        out.push_back(std::move(s));
    }
    return out;
}

} // namespace tia
} // namespace netstream
} // namespace gr
