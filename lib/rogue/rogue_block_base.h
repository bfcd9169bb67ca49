/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_NETSTREAM_ROGUE_ROGUE_BLOCK_BASE_H
#define INCLUDED_NETSTREAM_ROGUE_ROGUE_BLOCK_BASE_H

// What the four Rogue blocks share: parameter checks, the transport, connection
// events and the extra status fields. Each block keeps only its own data path.

#include "../common/network_block_core.h"
#include "../common/open_retrying.h"
#include "rogue_transport.h"
#include <chrono>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

namespace gr {
namespace netstream {
namespace rogue {

//! "client" / "server" -> bridge_role; throws std::invalid_argument otherwise.
bridge_role parse_role(const std::string& role);
//! timeout_ms in 1..10000, else std::invalid_argument.
std::chrono::milliseconds checked_timeout(int timeout_ms);
//! A parameter in lo..hi, else std::invalid_argument naming it.
int checked_range(const char* name, int value, int lo, int hi);
//! channel_filter: -1 (all) or 0..255.
int checked_channel_filter(int channel);

template <class Public>
class rogue_block_base : public network_block_impl<Public>
{
public:
    std::string last_endpoint() const override
    {
        std::lock_guard<std::mutex> lock(d_transport_mutex);
        return d_transport->last_endpoint();
    }
    int base_port() const override
    {
        std::lock_guard<std::mutex> lock(d_transport_mutex);
        return d_transport->base_port();
    }

protected:
    using network_block_core::count_malformed;
    using network_block_core::d_cmds;
    using network_block_core::d_counters;
    using network_block_core::d_marker;
    using network_block_core::d_net_logger;
    using network_block_core::publish_event;
    using network_block_core::warn_limited;

    rogue_block_base(const std::string& role,
                     frame_direction direction,
                     const std::string& address,
                     int port,
                     int timeout_ms)
        : d_timeout(checked_timeout(timeout_ms)),
          d_role(parse_role(role)),
          d_direction(direction),
          d_address(address)
    {
        d_transport = open_transport(port);
        d_counters.declare("connects");
        d_counters.declare("disconnects");
    }

    /*!
     * \brief Closes the socket (LINGER 0: ZeroMQ drops what it still queues) and opens
     * it again on the same port. Call only while work() cannot run (e.g. in stop()).
     * \return false (logged as an error) if the port could not be opened again
     * within 2 s; a server then binds a new OS-chosen port (see base_port()).
     */
    bool reopen_transport()
    {
        std::lock_guard<std::mutex> lock(d_transport_mutex);
        const int port = d_transport->base_port();
        d_transport.reset();
        try {
            d_transport = open_retrying([&] { return open_transport(port); });
            return true;
        } catch (const std::exception& e) {
            d_net_logger->error("could not reopen port {}: {}", port, e.what());
            d_transport = open_transport(0);
            return false;
        }
    }

    pmt::pmt_t extra_status_fields(pmt::pmt_t d) const override
    {
        d = pmt::dict_add(d, pmt::mp("endpoint"), pmt::mp(last_endpoint()));
        std::lock_guard<std::mutex> lock(d_transport_mutex);
        return pmt::dict_add(
            d, pmt::mp("peers"), pmt::from_long(static_cast<long>(d_transport->peers())));
    }

    /*!
     * \brief Applies the channel filter and drop-errors options to one received frame.
     * \return false (and counts why) when the frame must not be emitted
     */
    bool admit(const frame_view& f, int channel_filter, bool drop_errors)
    {
        if (channel_filter >= 0 && f.chan != channel_filter) {
            d_counters.add("filtered_channel");
            d_counters.add(ctr::drops);
            return false;
        }
        if (drop_errors && f.err != 0) {
            d_counters.add("dropped_errors");
            d_counters.add(ctr::drops);
            return false;
        }
        return true;
    }

    const std::chrono::milliseconds d_timeout;
    std::unique_ptr<rogue_transport> d_transport;

private:
    std::unique_ptr<rogue_transport> open_transport(int port)
    {
        return std::make_unique<rogue_transport>(
            d_role,
            d_direction,
            d_address,
            port,
            [this](const std::string& ev, const std::string& peer) {
                on_socket_event(ev, peer);
            });
    }

    void on_socket_event(const std::string& ev, const std::string& peer)
    {
        if (ev == "disconnect") {
            d_counters.add("disconnects");
        } else {
            if (d_connected_once) {
                d_counters.add(ctr::reconnects);
            }
            d_connected_once = true;
            d_counters.add("connects");
        }
        d_net_logger->info("{} {}", ev, peer);
        publish_event(ev == "disconnect" ? "disconnect" : "connect", peer);
    }

    const bridge_role d_role;
    const frame_direction d_direction;
    const std::string d_address;
    mutable std::mutex d_transport_mutex; //!< getters vs reopen_transport()
    bool d_connected_once = false;
};

} // namespace rogue
} // namespace netstream
} // namespace gr

#endif
