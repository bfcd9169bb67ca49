/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_NETSTREAM_TIA_METAINFO_H
#define INCLUDED_NETSTREAM_TIA_METAINFO_H

// TiA 1.0 signal types (spec §3) and the meta-info model with its XML writer and parser
// (spec §4). Pure C++; the parser uses expat (libexpat1-dev). No GNU Radio dependency.

#include "../common/parse_error.h"

#include <string_view>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace gr {
namespace netstream {
namespace tia {

//! One row of the TiA signal type table (spec §3, "recommended" column).
struct signal_type_info {
    std::string_view name; //!< type string we emit in the meta-info XML
    std::uint32_t flag;    //!< the single bit of the packet flags field
    bool aperiodic;        //!< button, joystick, mouse, mouse-button, event
    bool discouraged;      //!< mouse / mouse-button: libtia maps these differently
};

//! All defined signal types, in ascending flag order.
const std::vector<signal_type_info>& signal_types();

/*!
 * \brief Flag for a type string, or 0 when unknown.
 *
 * Accepts the recommended names and the spellings other implementations emit:
 * "axis"/"axes" (joystick), "sensors" (sensor), "user_1".."user_4" (user1..user4),
 * "keycode" (libtia's name for bit 11).
 */
std::uint32_t flag_for_type_name(std::string_view name);

//! Recommended type string for a single-bit flag, or "" if the bit is not defined.
std::string_view type_name_for_flag(std::uint32_t flag);

//! True when \p flag has exactly one bit set and that bit is a defined type.
bool is_valid_signal_flag(std::uint32_t flag);

//! OR of all defined type bits (bits 0-12 and 16-21).
std::uint32_t defined_flags_mask();

//! Subject description (`<subject>`); empty fields are left out of the XML.
struct subject_info {
    std::string id;
    std::string first_name; //!< attribute "firstName"
    std::string surname;    //!< attribute "surname"
    //! Further XSD attributes (sex, birthday, handedness, ...) in the order written.
    std::vector<std::pair<std::string, std::string>> other_attributes;
};

//! One `<signal>` element.
struct signal_info {
    std::uint32_t flag = 0; //!< single type bit; the writer emits its recommended name
    std::string type_name;  //!< parser: the type string as received (informative)
    std::uint32_t sampling_rate = 0; //!< samples/s per channel (integer on the wire)
    std::uint16_t block_size = 1;    //!< samples per channel per packet
    std::uint16_t num_channels = 1;
    //! Labels of channels 1..n; the writer emits "chN" for missing or empty ones.
    std::vector<std::string> channel_labels;
};

//! The whole meta-info document.
struct meta_info {
    subject_info subject;
    bool has_master = true;                 //!< `<masterSignal>` present (always written)
    std::uint32_t master_sampling_rate = 0; //!< masterSignal samplingRate
    std::uint16_t master_block_size = 1;    //!< masterSignal blockSize
    std::vector<signal_info> signals;       //!< any order; the writer sorts by flag
};

/*!
 * \brief Check that a model can be written and streamed.
 *
 * Reasons: "no_signals", "invalid_signal_type", "duplicate_signal_type",
 * "zero_channels", "zero_block_size", "too_many_labels", "zero_master_block_size".
 */
parse_error validate_meta_info(const meta_info& info);

/*!
 * \brief Write the compact meta-info XML (spec §4.1): no declaration, no indentation,
 *        one element per line, signals in ascending flag order, one trailing LF.
 *
 * Attribute values are escaped (& < > " ' and TAB/CR/LF as character references);
 * other control characters and invalid UTF-8 are replaced by U+FFFD so the document
 * is always well-formed. The model should pass validate_meta_info() first.
 */
std::string write_meta_info_xml(const meta_info& info);

/*!
 * \brief Parse a meta-info document received from a TiA server.
 *
 * Accepts an XML declaration, any signal order, and the type-name spellings listed at
 * flag_for_type_name(). Rejects DOCTYPE/entity declarations. Never throws.
 * Reasons: "xml_syntax", "doctype_not_allowed", "bad_root", "bad_version",
 * "missing_attribute", "bad_number", "unknown_signal_type", "duplicate_signal_type",
 * "bad_channel_number", "unexpected_element".
 */
parse_error parse_meta_info_xml(std::string_view xml, meta_info& info);

} // namespace tia
} // namespace netstream
} // namespace gr

#endif /* INCLUDED_NETSTREAM_TIA_METAINFO_H */
