/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_NETSTREAM_REDPITAYA_RP_DAC_SINK_IMPL_H
#define INCLUDED_NETSTREAM_REDPITAYA_RP_DAC_SINK_IMPL_H

#include "../common/network_block_core.h"
#include "rp_dac_stream.h"
#include <gnuradio/netstream/rp_dac_sink.h>
#include <memory>

namespace gr {
namespace netstream {
namespace redpitaya {

class rp_dac_sink_impl : public network_block_impl<rp_dac_sink>
{
public:
    rp_dac_sink_impl(const std::string& host,
                     const std::vector<int>& outputs,
                     const std::string& input_type,
                     int dac_rate,
                     int block_size,
                     const std::string& repeat,
                     int repeat_count,
                     bool one_pack,
                     double scale,
                     const std::string& model,
                     int dac_size,
                     int data_port,
                     const std::string& reconnect);
    ~rp_dac_sink_impl() override;

    void set_dac_rate(int dac_rate) override;
    int dac_rate() const override;
    int block_size() const override;
    bool connected() const override;
    std::string protocol() const override;
    std::string last_error() const override;

    bool start() override;
    bool stop() override;
    int work(int noutput_items,
             gr_vector_const_void_star& input_items,
             gr_vector_void_star& output_items) override;

protected:
    pmt::pmt_t extra_status_fields(pmt::pmt_t d) const override;

private:
    void on_event(const std::string& event, const std::string& detail);
    //! Encode the staged samples into d_ready (validated); false if the codec refused.
    bool seal_pack();

    const bool d_float;
    const unsigned d_nports;
    const std::uint32_t d_dac_base_rate;
    const std::uint32_t d_block_size;
    const std::size_t d_samples_per_pack;
    const float d_full_scale;
    const bool d_one_pack;
    std::unique_ptr<dac_stream> d_stream;
    std::vector<std::vector<std::int16_t>> d_stage; // per output
    std::size_t d_staged = 0;
    std::unique_ptr<tx_pack> d_ready; // sealed, waiting for room in the queue
    bool d_one_pack_sent = false;
};

} // namespace redpitaya
} // namespace netstream
} // namespace gr

#endif
