/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_NETSTREAM_REDPITAYA_RP_BOARD_MODEL_H
#define INCLUDED_NETSTREAM_REDPITAYA_RP_BOARD_MODEL_H

// Red Pitaya board families as the ADC client needs them (spec redpitaya-streaming.md
// section 9): input count, base ADC rate, native bits, full scale, front-end options.
// Pure C++17, no GNU Radio dependency.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace gr {
namespace netstream {
namespace redpitaya {

//! One board family (several vendor model ids share each entry).
struct board_model {
    const char* name;        //!< our family name, e.g. "125-14"
    unsigned adc_channels;   //!< 2 or 4
    std::uint32_t base_rate; //!< undecimated ADC rate, Hz
    unsigned adc_bits;       //!< native ADC bits (12, 14, 16)
    float lv_full_scale;     //!< volts at code +-32768, attenuator 1:1
    float hv_full_scale;     //!< volts at code +-32768, attenuator 1:20 (0 = no HV range)
    bool has_ac_dc;          //!< AC/DC relays (250-12)
};

/*!
 * \brief Look a family up by name: "125-14", "125-10", "122-16", "250-12", "4-input",
 * "gen2", "125-14-ll", "65-16". Empty when unknown.
 */
std::optional<board_model> model_by_name(const std::string& name);

/*! \brief Family of a vendor model id (rp_HPeModels_t, the P3 beacon's 4th line). */
std::optional<board_model> model_by_id(int model_id);

/*! \brief Family of a P2 beacon digit (1 125-14, 2 Z7020, 3 122-16, 4 250-12, 5 4-input).
 */
std::optional<board_model> model_by_p2_family(int digit);

/*!
 * \brief Guess the family from what a pack header says: native bits and the effective
 * rate times the decimation (which recovers the base rate within one decimation step).
 * 14-bit boards are reported as "125-14" (same rate and scale as the 4-input board).
 */
std::optional<board_model> model_from_header(unsigned base_bits,
                                             std::uint32_t header_rate,
                                             std::uint32_t decimation);

//! The DAC side of a family (spec sections 6.2 and 9).
struct dac_model {
    unsigned channels;       //!< 0 (4-input board) or 2
    std::uint32_t base_rate; //!< DAC base rate, Hz; dac_rate must not exceed it
    float full_scale;        //!< volts at code +-32767 with gain X1
};

/*! \brief DAC of a family given by name (see model_by_name()). Empty when unknown. */
std::optional<dac_model> dac_by_name(const std::string& name);

//! Names accepted by model_by_name(), comma separated (for error messages).
const char* known_model_names();

/*!
 * \brief Item format of a Red Pitaya block's stream ports: "float" (volts) or "short"
 * (raw codes). Returns true for float.
 * \throws std::invalid_argument naming `param` (e.g. "output_type") and the allowed
 * values.
 */
bool parse_item_format(const std::string& param, const std::string& value);
//! Bytes per stream item for that format (sizeof(float) or sizeof(int16_t)).
std::size_t item_format_size(bool is_float);

/*!
 * \brief Check a board ring size (`adc_size` / `dac_size`): 0 = automatic, else at
 * least 12 x (block_size + 128) bytes, as the board needs.
 * \throws std::invalid_argument naming `param`, the value and the minimum.
 */
std::uint32_t
check_ring_size(const std::string& param, long long size, long long block_size);

//! True if \p decimation is one the board's web UI allows: 1, 2, 4, 8 or 16...65536.
bool decimation_allowed(long long decimation);

} // namespace redpitaya
} // namespace netstream
} // namespace gr

#endif
