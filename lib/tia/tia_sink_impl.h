/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_NETSTREAM_TIA_SINK_IMPL_H
#define INCLUDED_NETSTREAM_TIA_SINK_IMPL_H

#include "../common/network_block_core.h"
#include "tia_server.h"
#include <gnuradio/netstream/tia_sink.h>
#include <atomic>
#include <memory>

namespace gr {
namespace netstream {

class tia_sink_impl : public network_block_impl<tia_sink>
{
public:
    tia_sink_impl(const std::vector<std::string>& signal_types,
                  const std::vector<int>& channels,
                  const std::vector<int>& block_sizes,
                  const std::vector<double>& sample_rates,
                  const std::vector<std::string>& channel_labels,
                  int master,
                  const std::string& bind_address,
                  int port,
                  const std::string& udp_address,
                  int udp_port,
                  int queue_bytes,
                  double stall_timeout_s,
                  const std::string& subject_id);
    ~tia_sink_impl() override;

    int port() const override { return d_server->port(); }
    std::string meta_info_xml() const override { return d_xml; }
    uint64_t next_packet_id() const override { return d_next_id.load(); }
    int packet_bytes() const override { return static_cast<int>(d_template.size()); }
    int control_connection_count() const override
    {
        return static_cast<int>(d_server->control_connection_count());
    }

    bool start() override;
    bool stop() override;
    void forecast(int noutput_items, gr_vector_int& ninput_items_required) override;
    int general_work(int noutput_items,
                     gr_vector_int& ninput_items,
                     gr_vector_const_void_star& input_items,
                     gr_vector_void_star& output_items) override;

protected:
    pmt::pmt_t extra_status_fields(pmt::pmt_t d) const override;

private:
    //! One input, in the order of the ports.
    struct input_layout {
        std::size_t channels;
        std::size_t block_size;
        std::size_t byte_offset; //!< where its samples start in a packet
    };

    void fill_packet(std::uint8_t* out,
                     uint64_t id,
                     std::size_t block,
                     const gr_vector_const_void_star& inputs) const;

    std::vector<input_layout> d_inputs;
    std::vector<std::uint8_t> d_template; //!< encoded packet with zero samples
    std::string d_xml;
    double d_packet_period_us;
    std::atomic<uint64_t> d_next_id{ 0 };
    std::unique_ptr<tia::server> d_server;
    std::vector<tia::shared_packet> d_batch;
};

} // namespace netstream
} // namespace gr

#endif /* INCLUDED_NETSTREAM_TIA_SINK_IMPL_H */
