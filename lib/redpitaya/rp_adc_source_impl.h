/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_NETSTREAM_REDPITAYA_RP_ADC_SOURCE_IMPL_H
#define INCLUDED_NETSTREAM_REDPITAYA_RP_ADC_SOURCE_IMPL_H

#include "../common/network_block_core.h"
#include "rp_adc_stream.h"
#include <gnuradio/netstream/rp_adc_source.h>
#include <memory>

namespace gr {
namespace netstream {
namespace redpitaya {

class rp_adc_source_impl : public network_block_impl<rp_adc_source>
{
public:
    rp_adc_source_impl(const std::string& host,
                       const std::vector<int>& channels,
                       int decimation,
                       int resolution,
                       const std::string& output_type,
                       double scale,
                       const std::string& model,
                       int attenuator,
                       const std::string& coupling,
                       int block_size,
                       int adc_size,
                       int data_port,
                       const std::string& reconnect);
    ~rp_adc_source_impl() override;

    void set_decimation(int decimation) override;
    int decimation() const override;
    void set_resolution(int resolution) override;
    int resolution() const override;
    void set_block_size(int block_size) override;
    int block_size() const override;
    double sample_rate() const override;
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

    const bool d_float;
    const double d_scale;
    const unsigned d_nports;
    std::unique_ptr<adc_stream> d_stream;
    std::unique_ptr<rx_pack> d_cur;
    std::size_t d_pos = 0;
    std::atomic<double> d_rate{ 0.0 };
};

} // namespace redpitaya
} // namespace netstream
} // namespace gr

#endif
