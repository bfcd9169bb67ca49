/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "rp_board_model.h"
#include <stdexcept>

#include <array>
#include <cstdlib>

namespace gr {
namespace netstream {
namespace redpitaya {

namespace {
// name, channels, base rate, bits, LV fs, HV fs, AC/DC
const std::array<board_model, 8> families = { {
    { "125-14", 2, 125000000, 14, 1.0f, 20.0f, false },
    { "125-10", 2, 125000000, 14, 1.0f, 20.0f, false },
    { "122-16", 2, 122880000, 16, 0.25f, 0.0f, false },
    { "250-12", 2, 250000000, 12, 1.0f, 20.0f, true },
    { "4-input", 4, 125000000, 14, 1.0f, 20.0f, false },
    { "gen2", 2, 125000000, 14, 1.0f, 20.0f, false },
    { "125-14-ll", 2, 125000000, 16, 1.0f, 20.0f, false },
    { "65-16", 2, 62500000, 16, 1.0f, 20.0f, false },
} };
} // namespace

std::optional<board_model> model_by_name(const std::string& name)
{
    for (const auto& m : families) {
        if (name == m.name) {
            return m;
        }
    }
    return std::nullopt;
}

std::optional<dac_model> dac_by_name(const std::string& name)
{
    if (!model_by_name(name)) {
        return std::nullopt;
    }
    if (name == "4-input") {
        return dac_model{ 0, 0, 0.0f };
    }
    if (name == "122-16") {
        return dac_model{ 2, 122880000, 1.0f };
    }
    if (name == "250-12" || name == "gen2") {
        return dac_model{ 2, 250000000 / (name == "gen2" ? 2u : 1u), 2.0f };
    }
    return dac_model{ 2, 125000000, 1.0f };
}

std::optional<board_model> model_by_id(int id)
{
    switch (id) {
    case 0:
        return model_by_name("125-10");
    case 1:
    case 2:
    case 5:
    case 6:
    case 7:
    case 17:
    case 18:
    case 19:
        return model_by_name("125-14");
    case 3:
    case 4:
        return model_by_name("122-16");
    case 8:
    case 9:
    case 10:
    case 30:
        return model_by_name("4-input");
    case 11:
    case 12:
    case 13:
    case 14:
    case 15:
    case 16:
        return model_by_name("250-12");
    case 20:
    case 21:
    case 22:
    case 23:
    case 24:
    case 31:
    case 32:
    case 33:
        return model_by_name("gen2");
    case 25:
    case 27:
    case 28:
        return model_by_name("125-14-ll");
    case 26:
    case 29:
        return model_by_name("65-16");
    default:
        return std::nullopt;
    }
}

std::optional<board_model> model_by_p2_family(int digit)
{
    switch (digit) {
    case 1:
    case 2:
        return model_by_name("125-14");
    case 3:
        return model_by_name("122-16");
    case 4:
        return model_by_name("250-12");
    case 5:
        return model_by_name("4-input");
    default:
        return std::nullopt;
    }
}

std::optional<board_model>
model_from_header(unsigned base_bits, std::uint32_t header_rate, std::uint32_t decimation)
{
    const double approx = static_cast<double>(header_rate) * decimation;
    const double slack = static_cast<double>(decimation) + 1.0;
    for (const auto& m : families) {
        if (m.adc_bits != base_bits) {
            continue;
        }
        const double base = m.base_rate;
        if (approx <= base && approx > base - slack) {
            return m; // first match: "125-14" before its look-alikes
        }
    }
    return std::nullopt;
}

const char* known_model_names()
{
    return "auto, 125-14, 125-10, 122-16, 250-12, 4-input, gen2, 125-14-ll, 65-16";
}

bool decimation_allowed(long long d)
{
    return d == 1 || d == 2 || d == 4 || d == 8 || (d >= 16 && d <= 65536);
}

bool parse_item_format(const std::string& param, const std::string& value)
{
    if (value == "float") {
        return true;
    }
    if (value == "short") {
        return false;
    }
    throw std::invalid_argument(param + ": got \"" + value +
                                "\", allowed \"float\" or \"short\"");
}

std::size_t item_format_size(bool is_float)
{
    return is_float ? sizeof(float) : sizeof(std::int16_t);
}

std::uint32_t
check_ring_size(const std::string& param, long long size, long long block_size)
{
    const long long min_size = 12ll * (block_size + 128);
    if (size < 0 || (size > 0 && size < min_size)) {
        throw std::invalid_argument(
            param + ": got " + std::to_string(size) +
            ", allowed 0 (automatic) or >= 12 x (block_size + 128) = " +
            std::to_string(min_size));
    }
    return static_cast<std::uint32_t>(size);
}

} // namespace redpitaya
} // namespace netstream
} // namespace gr
