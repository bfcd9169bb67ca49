/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "tia_metainfo.h"

#include <expat.h>

#include <algorithm>
#include <climits>
#include <cstring>

namespace gr {
namespace netstream {
namespace tia {

namespace {

struct type_alias {
    std::string_view name;
    std::uint32_t flag;
};

// Spellings emitted by other implementations (spec §3, §4.2); accepted on input only.
constexpr type_alias type_aliases[] = {
    { "axis", 0x00000080 },    { "axes", 0x00000080 },   { "sensors", 0x00000100 },
    { "keycode", 0x00000800 }, { "user_1", 0x00010000 }, { "user_2", 0x00020000 },
    { "user_3", 0x00040000 },  { "user_4", 0x00080000 },
};

constexpr std::string_view replacement_character = "\xEF\xBF\xBD"; // U+FFFD

//! Length of the valid UTF-8 sequence at \p text[0] that is an XML Char, or 0.
std::size_t valid_utf8_length(std::string_view text)
{
    const auto b0 = static_cast<unsigned char>(text[0]);
    std::size_t length = 0;
    std::uint32_t code = 0;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        length = 2;
        code = b0 & 0x1Fu;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        length = 3;
        code = b0 & 0x0Fu;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        length = 4;
        code = b0 & 0x07u;
    } else {
        return 0;
    }
    if (text.size() < length) {
        return 0;
    }
    for (std::size_t i = 1; i < length; ++i) {
        const auto b = static_cast<unsigned char>(text[i]);
        if ((b & 0xC0u) != 0x80u) {
            return 0;
        }
        code = (code << 6) | (b & 0x3Fu);
    }
    const bool overlong =
        (length == 3 && code < 0x800) || (length == 4 && code < 0x10000);
    const bool surrogate = code >= 0xD800 && code <= 0xDFFF;
    const bool non_character = code == 0xFFFE || code == 0xFFFF;
    if (overlong || surrogate || non_character || code > 0x10FFFF) {
        return 0;
    }
    return length;
}

void append_escaped(std::string& out, std::string_view value)
{
    while (!value.empty()) {
        const char c = value.front();
        const auto byte = static_cast<unsigned char>(c);
        if (byte >= 0x80) {
            const std::size_t length = valid_utf8_length(value);
            if (length == 0) {
                out.append(replacement_character);
                value.remove_prefix(1);
            } else {
                out.append(value.substr(0, length));
                value.remove_prefix(length);
            }
            continue;
        }
        switch (c) {
        case '&':
            out.append("&amp;");
            break;
        case '<':
            out.append("&lt;");
            break;
        case '>':
            out.append("&gt;");
            break;
        case '"':
            out.append("&quot;");
            break;
        case '\'':
            out.append("&apos;");
            break;
        case '\t':
            out.append("&#9;");
            break;
        case '\n':
            out.append("&#10;");
            break;
        case '\r':
            out.append("&#13;");
            break;
        default:
            if (byte < 0x20) {
                out.append(replacement_character); // not allowed in XML 1.0
            } else {
                out.push_back(c);
            }
        }
        value.remove_prefix(1);
    }
}

void append_attribute(std::string& out, std::string_view name, std::string_view value)
{
    out.push_back(' ');
    out.append(name);
    out.append("=\"");
    append_escaped(out, value);
    out.push_back('"');
}

void append_attribute(std::string& out, std::string_view name, std::uint64_t value)
{
    append_attribute(out, name, std::to_string(value));
}

// ---------------------------------------------------------------- parser (expat)

struct parse_state {
    XML_Parser parser = nullptr;
    meta_info* info = nullptr;
    parse_error error;
    int depth = 0;          //!< current element depth (root = 1 while inside it)
    bool in_signal = false; //!< inside a <signal> that is a child of the root
    std::uint32_t seen_flags = 0;

    void stop(std::string reason, std::string detail)
    {
        if (error.ok()) {
            error = parse_error(std::move(reason), std::move(detail));
        }
        XML_StopParser(parser, XML_FALSE);
    }
};

const char* find_attribute(const XML_Char** attributes, std::string_view name)
{
    for (std::size_t i = 0; attributes[i] != nullptr; i += 2) {
        if (name == attributes[i]) {
            return attributes[i + 1];
        }
    }
    return nullptr;
}

//! Read a required unsigned decimal attribute in [min_value, max_value].
bool read_number(parse_state& state,
                 const XML_Char** attributes,
                 std::string_view element,
                 std::string_view name,
                 std::uint64_t min_value,
                 std::uint64_t max_value,
                 std::uint64_t& value)
{
    const char* text = find_attribute(attributes, name);
    if (text == nullptr) {
        state.stop("missing_attribute",
                   "<" + std::string(element) + "> lacks the attribute " +
                       std::string(name));
        return false;
    }
    const std::string_view digits(text);
    std::uint64_t result = 0;
    bool ok = !digits.empty() && digits.size() <= 10;
    for (const char c : digits) {
        if (c < '0' || c > '9') {
            ok = false;
            break;
        }
        result = result * 10 + static_cast<std::uint64_t>(c - '0');
    }
    if (!ok || result < min_value || result > max_value) {
        state.stop("bad_number",
                   "<" + std::string(element) + "> " + std::string(name) + "=\"" +
                       std::string(digits.substr(0, 32)) + "\" is not an integer in [" +
                       std::to_string(min_value) + ", " + std::to_string(max_value) +
                       "]");
        return false;
    }
    value = result;
    return true;
}

void on_subject(parse_state& state, const XML_Char** attributes)
{
    subject_info& subject = state.info->subject;
    for (std::size_t i = 0; attributes[i] != nullptr; i += 2) {
        const std::string_view name(attributes[i]);
        if (name == "id") {
            subject.id = attributes[i + 1];
        } else if (name == "firstName") {
            subject.first_name = attributes[i + 1];
        } else if (name == "surname" || name == "lastName") {
            subject.surname = attributes[i + 1];
        } else {
            subject.other_attributes.emplace_back(attributes[i], attributes[i + 1]);
        }
    }
}

void on_master(parse_state& state, const XML_Char** attributes)
{
    std::uint64_t rate = 0;
    std::uint64_t block = 0;
    if (!read_number(
            state, attributes, "masterSignal", "samplingRate", 0, UINT32_MAX, rate) ||
        !read_number(
            state, attributes, "masterSignal", "blockSize", 1, UINT16_MAX, block)) {
        return;
    }
    state.info->has_master = true;
    state.info->master_sampling_rate = static_cast<std::uint32_t>(rate);
    state.info->master_block_size = static_cast<std::uint16_t>(block);
}

void on_signal(parse_state& state, const XML_Char** attributes)
{
    const char* type = find_attribute(attributes, "type");
    if (type == nullptr) {
        state.stop("missing_attribute", "<signal> lacks the attribute type");
        return;
    }
    const std::uint32_t flag = flag_for_type_name(type);
    if (flag == 0) {
        state.stop("unknown_signal_type",
                   "<signal type=\"" + std::string(type).substr(0, 32) +
                       "\"> is not a TiA type");
        return;
    }
    if ((state.seen_flags & flag) != 0) {
        state.stop("duplicate_signal_type",
                   "signal type \"" + std::string(type).substr(0, 32) +
                       "\" appears twice");
        return;
    }
    std::uint64_t rate = 0;
    std::uint64_t block = 0;
    std::uint64_t channels = 0;
    if (!read_number(state, attributes, "signal", "samplingRate", 0, UINT32_MAX, rate) ||
        !read_number(state, attributes, "signal", "blockSize", 1, UINT16_MAX, block) ||
        !read_number(
            state, attributes, "signal", "numChannels", 1, UINT16_MAX, channels)) {
        return;
    }
    state.seen_flags |= flag;
    signal_info signal;
    signal.flag = flag;
    signal.type_name = type;
    signal.sampling_rate = static_cast<std::uint32_t>(rate);
    signal.block_size = static_cast<std::uint16_t>(block);
    signal.num_channels = static_cast<std::uint16_t>(channels);
    signal.channel_labels.assign(signal.num_channels, std::string());
    state.info->signals.push_back(std::move(signal));
    state.in_signal = true;
}

void on_channel(parse_state& state, const XML_Char** attributes)
{
    signal_info& signal = state.info->signals.back();
    std::uint64_t nr = 0;
    if (!read_number(state, attributes, "channel", "nr", 1, signal.num_channels, nr)) {
        if (state.error.reason == "bad_number") {
            state.error.reason = "bad_channel_number";
        }
        return;
    }
    const char* label = find_attribute(attributes, "label");
    if (label == nullptr) {
        state.stop("missing_attribute", "<channel> lacks the attribute label");
        return;
    }
    signal.channel_labels[nr - 1] = label;
}

void XMLCALL on_start(void* user_data, const XML_Char* name, const XML_Char** attributes)
{
    auto& state = *static_cast<parse_state*>(user_data);
    ++state.depth;
    const std::string_view element(name);
    if (state.depth == 1) {
        if (element != "tiaMetaInfo") {
            state.stop("bad_root",
                       "root element is <" + std::string(element) +
                           ">, not <tiaMetaInfo>");
            return;
        }
        const char* version = find_attribute(attributes, "version");
        if (version != nullptr && std::string_view(version) != "1.0") {
            state.stop("bad_version", "tiaMetaInfo version is not 1.0");
        }
        return;
    }
    if (state.depth == 2) {
        if (element == "subject") {
            on_subject(state, attributes);
        } else if (element == "masterSignal") {
            on_master(state, attributes);
        } else if (element == "signal") {
            on_signal(state, attributes);
        }
        return; // unknown elements are ignored with their content
    }
    if (state.depth == 3 && state.in_signal && element == "channel") {
        on_channel(state, attributes);
    }
}

void XMLCALL on_end(void* user_data, const XML_Char* /*name*/)
{
    auto& state = *static_cast<parse_state*>(user_data);
    if (state.depth == 2) {
        state.in_signal = false;
    }
    --state.depth;
}

void XMLCALL on_doctype(void* user_data,
                        const XML_Char* /*name*/,
                        const XML_Char* /*sysid*/,
                        const XML_Char* /*pubid*/,
                        int /*has_internal_subset*/)
{
    static_cast<parse_state*>(user_data)->stop("doctype_not_allowed",
                                               "meta-info must not contain a DOCTYPE");
}

void XMLCALL on_entity_declaration(void* user_data,
                                   const XML_Char* /*name*/,
                                   int /*is_parameter_entity*/,
                                   const XML_Char* /*value*/,
                                   int /*value_length*/,
                                   const XML_Char* /*base*/,
                                   const XML_Char* /*system_id*/,
                                   const XML_Char* /*public_id*/,
                                   const XML_Char* /*notation_name*/)
{
    static_cast<parse_state*>(user_data)->stop("doctype_not_allowed",
                                               "meta-info must not declare entities");
}

} // namespace

const std::vector<signal_type_info>& signal_types()
{
    static const std::vector<signal_type_info> table{
        { "eeg", 0x00000001, false, false },
        { "emg", 0x00000002, false, false },
        { "eog", 0x00000004, false, false },
        { "ecg", 0x00000008, false, false },
        { "hr", 0x00000010, false, false },
        { "bp", 0x00000020, false, false },
        { "button", 0x00000040, true, false },
        { "joystick", 0x00000080, true, false },
        { "sensor", 0x00000100, false, false },
        { "nirs", 0x00000200, false, false },
        { "fmri", 0x00000400, false, false },
        { "mouse", 0x00000800, true, true },
        { "mouse-button", 0x00001000, true, true },
        { "user1", 0x00010000, false, false },
        { "user2", 0x00020000, false, false },
        { "user3", 0x00040000, false, false },
        { "user4", 0x00080000, false, false },
        { "undefined", 0x00100000, false, false },
        { "event", 0x00200000, true, false },
    };
    return table;
}

std::uint32_t flag_for_type_name(std::string_view name)
{
    for (const auto& type : signal_types()) {
        if (type.name == name) {
            return type.flag;
        }
    }
    for (const auto& alias : type_aliases) {
        if (alias.name == name) {
            return alias.flag;
        }
    }
    return 0;
}

std::string_view type_name_for_flag(std::uint32_t flag)
{
    for (const auto& type : signal_types()) {
        if (type.flag == flag) {
            return type.name;
        }
    }
    return {};
}

std::uint32_t defined_flags_mask()
{
    std::uint32_t mask = 0;
    for (const auto& type : signal_types()) {
        mask |= type.flag;
    }
    return mask;
}

bool is_valid_signal_flag(std::uint32_t flag)
{
    return flag != 0 && (flag & (flag - 1)) == 0 && (flag & defined_flags_mask()) == flag;
}

parse_error validate_meta_info(const meta_info& info)
{
    if (info.signals.empty()) {
        return { "no_signals", "the meta-info must describe at least one signal" };
    }
    if (info.has_master && info.master_block_size == 0) {
        return { "zero_master_block_size", "masterSignal blockSize must be at least 1" };
    }
    std::uint32_t seen = 0;
    for (const auto& signal : info.signals) {
        if (!is_valid_signal_flag(signal.flag)) {
            return { "invalid_signal_type",
                     "signal flag " + std::to_string(signal.flag) +
                         " is not a single defined type bit" };
        }
        const std::string name(type_name_for_flag(signal.flag));
        if ((seen & signal.flag) != 0) {
            return { "duplicate_signal_type", "signal type " + name + " appears twice" };
        }
        seen |= signal.flag;
        if (signal.num_channels == 0) {
            return { "zero_channels", "signal " + name + " has no channels" };
        }
        if (signal.block_size == 0) {
            return { "zero_block_size", "signal " + name + " has block size 0" };
        }
        if (signal.channel_labels.size() > signal.num_channels) {
            return { "too_many_labels",
                     "signal " + name + " has more labels than channels" };
        }
    }
    return {};
}

std::string write_meta_info_xml(const meta_info& info)
{
    std::vector<const signal_info*> ordered;
    ordered.reserve(info.signals.size());
    for (const auto& signal : info.signals) {
        ordered.push_back(&signal);
    }
    std::stable_sort(
        ordered.begin(), ordered.end(), [](const signal_info* a, const signal_info* b) {
            return a->flag < b->flag;
        });

    std::string xml = "<tiaMetaInfo version=\"1.0\">\n<subject";
    const subject_info& subject = info.subject;
    if (!subject.id.empty()) {
        append_attribute(xml, "id", subject.id);
    }
    if (!subject.first_name.empty()) {
        append_attribute(xml, "firstName", subject.first_name);
    }
    if (!subject.surname.empty()) {
        append_attribute(xml, "surname", subject.surname);
    }
    for (const auto& [name, value] : subject.other_attributes) {
        if (!value.empty()) {
            append_attribute(xml, name, value);
        }
    }
    xml.append("/>\n");
    if (info.has_master) {
        xml.append("<masterSignal");
        append_attribute(xml, "samplingRate", info.master_sampling_rate);
        append_attribute(xml, "blockSize", info.master_block_size);
        xml.append("/>\n");
    }
    for (const signal_info* signal : ordered) {
        xml.append("<signal");
        append_attribute(xml, "type", type_name_for_flag(signal->flag));
        append_attribute(xml, "samplingRate", signal->sampling_rate);
        append_attribute(xml, "blockSize", signal->block_size);
        append_attribute(xml, "numChannels", signal->num_channels);
        xml.append(">\n");
        for (std::size_t ch = 0; ch < signal->num_channels; ++ch) {
            const bool has_label =
                ch < signal->channel_labels.size() && !signal->channel_labels[ch].empty();
            xml.append("<channel");
            append_attribute(xml, "nr", ch + 1);
            append_attribute(xml,
                             "label",
                             has_label ? signal->channel_labels[ch]
                                       : "ch" + std::to_string(ch + 1));
            xml.append("/>\n");
        }
        xml.append("</signal>\n");
    }
    xml.append("</tiaMetaInfo>\n");
    return xml;
}

parse_error parse_meta_info_xml(std::string_view xml, meta_info& info)
{
    info = meta_info{};
    info.has_master = false;
    if (xml.size() > static_cast<std::size_t>(INT_MAX / 2)) {
        return { "xml_syntax", "meta-info document is too large" };
    }
    XML_Parser parser = XML_ParserCreate("UTF-8");
    if (parser == nullptr) {
        return { "xml_syntax", "could not allocate the XML parser" };
    }
    parse_state state;
    state.parser = parser;
    state.info = &info;
    XML_SetUserData(parser, &state);
    XML_SetElementHandler(parser, on_start, on_end);
    XML_SetStartDoctypeDeclHandler(parser, on_doctype);
    XML_SetEntityDeclHandler(parser, on_entity_declaration);

    const XML_Status status =
        XML_Parse(parser, xml.data(), static_cast<int>(xml.size()), XML_TRUE);
    if (status != XML_STATUS_OK && state.error.ok()) {
        state.error = parse_error(
            "xml_syntax",
            std::string("meta-info XML: ") + XML_ErrorString(XML_GetErrorCode(parser)) +
                " at line " + std::to_string(XML_GetCurrentLineNumber(parser)));
    }
    XML_ParserFree(parser);
    if (!state.error.ok()) {
        info = meta_info{};
    }
    return state.error;
}

} // namespace tia
} // namespace netstream
} // namespace gr
