/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

// libFuzzer harness: TiA control-message framing and the meta-info XML parser.
// The first input byte picks a chunk size so that fragmentation is fuzzed too; every
// parsed message body is also fed to the meta-info parser, and the writer's output for
// a parsed model must parse again.

#include "../../lib/tia/tia_control_parser.h"
#include "../../lib/tia/tia_metainfo.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>

using namespace gr::netstream::tia;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size == 0) {
        return 0;
    }
    const std::size_t chunk = 1 + data[0] % 64;
    ++data;
    --size;

    control_parser_limits limits;
    limits.max_line_bytes = 256;
    limits.max_content_length = 4096;
    control_parser parser(limits);
    control_message message;
    gr::netstream::parse_error error;
    for (std::size_t pos = 0; pos < size; pos += chunk) {
        const std::size_t n = size - pos < chunk ? size - pos : chunk;
        parser.feed(data + pos, n);
        if (parser.buffered_bytes() >
            limits.max_line_bytes + limits.max_content_length + chunk) {
            std::abort(); // memory bound violated
        }
        control_parse_status status;
        while ((status = parser.next(message, error)) == control_parse_status::message) {
            if (message.body.size() > limits.max_content_length) {
                std::abort();
            }
            (void)command_from_name(message.name);
            (void)transport_from_parameter(message.parameter);
            meta_info info;
            if (parse_meta_info_xml(message.body, info).ok() &&
                validate_meta_info(info).ok()) {
                meta_info again;
                if (!parse_meta_info_xml(write_meta_info_xml(info), again).ok()) {
                    std::abort(); // the writer must always produce parseable XML
                }
            }
        }
        if (status == control_parse_status::error && error.reason.empty()) {
            std::abort();
        }
    }
    return 0;
}
