/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_NETSTREAM_TIA_SOURCE_IMPL_H
#define INCLUDED_NETSTREAM_TIA_SOURCE_IMPL_H

#include "../common/network_block_core.h"
#include "../common/reconnect_policy.h"
#include "tia_client.h"
#include <gnuradio/netstream/tia_source.h>
#include <condition_variable>
#include <atomic>
#include <mutex>
#include <optional>
#include <thread>

namespace gr {
namespace netstream {

class tia_source_impl : public network_block_impl<tia_source>
{
public:
    tia_source_impl(const std::string& host,
                    int port,
                    const std::vector<std::string>& signal_types,
                    const std::vector<int>& channels,
                    int timeout_ms,
                    const std::string& reconnect,
                    double max_backoff_s,
                    int queue_packets);
    ~tia_source_impl() override;

    bool connected() const override { return d_connected.load(); }
    std::string server_meta_info() const override;

    bool start() override;
    bool stop() override;
    int general_work(int noutput_items,
                     gr_vector_int& ninput_items,
                     gr_vector_const_void_star& input_items,
                     gr_vector_void_star& output_items) override;

protected:
    pmt::pmt_t extra_status_fields(pmt::pmt_t d) const override;

private:
    struct pending_tag {
        uint64_t offset;
        pmt::pmt_t key;
        pmt::pmt_t value;
    };
    //! Samples of one output, interleaved (item = one sample of every channel).
    struct port_buffer {
        std::size_t channels = 1;
        std::vector<float> data;
        std::size_t read = 0;        //!< floats already handed out
        uint64_t items_appended = 0; //!< absolute item index of the next append
        std::vector<pending_tag> tags;
    };

    void run();
    void session();
    //! Check the server's signals against the expected list; "" if they match.
    std::string mismatch(const tia::meta_info& info) const;
    void deliver(const std::vector<std::uint8_t>& raw);
    bool sleep_interruptible(std::chrono::milliseconds d);

    const std::string d_host;
    const int d_port;
    std::vector<std::uint32_t> d_flags; //!< expected type bit per output
    std::vector<int> d_channels;
    const std::chrono::milliseconds d_timeout;
    reconnect_policy d_policy;
    const std::size_t d_queue_packets;

    mutable std::mutex d_mutex;
    std::condition_variable d_cv;
    std::vector<port_buffer> d_ports;
    std::vector<uint32_t> d_rates;          //!< samplingRate per output (current session)
    std::vector<std::size_t> d_block_sizes; //!< per output (current session)
    std::optional<uint64_t> d_last_id;
    bool d_tag_rate = false;
    bool d_done = false;
    std::string d_meta_xml;

    std::atomic<bool> d_running{ false };
    std::atomic<bool> d_connected{ false };
    std::atomic<uint64_t> d_last_packet_id{ 0 };
    std::thread d_thread;
    const pmt::pmt_t d_gap_key;
};

} // namespace netstream
} // namespace gr

#endif /* INCLUDED_NETSTREAM_TIA_SOURCE_IMPL_H */
