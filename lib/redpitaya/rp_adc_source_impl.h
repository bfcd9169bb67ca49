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
#include <functional>
#include <memory>
#include <vector>

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
    //! One board of the source: its stream and the pack being copied out.
    struct board {
        std::unique_ptr<adc_stream> stream;
        std::unique_ptr<rx_pack> cur;
        std::size_t pos = 0;       //!< samples of cur already output
        std::uint64_t zeros = 0;   //!< multi-board: zero-fill still owed (a loss)
        std::uint64_t min_gen = 0; //!< multi-board: drop packs of older stream starts
        bool expect_start = true;  //!< multi-board: the next pack starts a stream
        bool tagged = false;       //!< multi-board: cur's rx_rate/rx_time tags are out
    };

    void on_event(const std::string& event, const std::string& detail);
    adc_stream& master() const { return *d_boards.front().stream; }
    void update_all(const std::function<void(adc_settings&)>& change);
    int work_single(std::size_t n, gr_vector_void_star& output_items);
    int work_multi(std::size_t n, gr_vector_void_star& output_items);
    //! Multi-board: next usable pack of board \p b into cur; false if none in \p timeout.
    bool fetch(std::size_t b, std::chrono::milliseconds timeout, std::uint64_t offset);
    //! Multi-board: restart every board in the start order and drop what is queued.
    void realign(const std::string& why);
    void tag_pack(unsigned first_port, std::uint64_t offset, const rx_pack& p);
    void copy_out(const board& bd,
                  std::size_t k,
                  unsigned first_port,
                  std::size_t produced,
                  gr_vector_void_star& output_items) const;

    const bool d_float;
    const double d_scale;
    const unsigned d_nports;     //!< all boards
    const unsigned d_per_board;  //!< enabled channels per board
    std::vector<board> d_boards; //!< [0] = master
    std::atomic<double> d_rate{ 0.0 };
};

} // namespace redpitaya
} // namespace netstream
} // namespace gr

#endif
