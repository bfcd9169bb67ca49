/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_NETSTREAM_TIA_CONTROL_PARSER_H
#define INCLUDED_NETSTREAM_TIA_CONTROL_PARSER_H

// TiA 1.0 control connection: an incremental message parser and the reply encoders
// (spec: shared/specs/tia-protocol.md §2 and §7). Pure C++, no GNU Radio dependency.
//
// Requests (client -> server) and replies (server -> client) share one framing:
//
//   line 1  "TiA 1.0"                      (version line; surrounding spaces/CR trimmed)
//   line 2  "<Name>" or "<Name>:<param>"   (split at the first ':'; the line and the
//                                           parameter are trimmed, the name part is not)
//   line 3  "" or "Content-Length:<n>"     (trimmed)
//   line 4  "" (only after Content-Length; a lone CR is tolerated)
//   n bytes of body
//
// so the same parser serves the TiA sink (requests) and the TiA source (replies).

#include "../common/parse_error.h"

#include <string_view>
#include <cstddef>
#include <cstdint>
#include <string>

namespace gr {
namespace netstream {
namespace tia {

//! The only protocol version this module speaks, as written on line 1.
inline constexpr std::string_view protocol_version_line = "TiA 1.0";

//! Control requests defined by TiA 1.0 (plus `unknown` for anything else).
enum class control_command {
    check_protocol_version,      //!< "CheckProtocolVersion"
    get_meta_info,               //!< "GetMetaInfo"
    get_data_connection,         //!< "GetDataConnection" (parameter TCP or UDP)
    start_data_transmission,     //!< "StartDataTransmission"
    stop_data_transmission,      //!< "StopDataTransmission"
    get_server_state_connection, //!< "GetServerStateConnection"
    unknown,                     //!< anything else, including "SetCustomSignalInfo"
};

//! Transport named by the parameter of GetDataConnection.
enum class data_transport { tcp, udp, invalid };

//! One complete framed control message (a request or a reply).
struct control_message {
    std::string name;           //!< line 2 before the first ':' (exact, not trimmed)
    std::string parameter;      //!< line 2 after the first ':', trimmed; empty if none
    bool has_parameter = false; //!< true when line 2 contained a ':'
    bool has_content_length = false; //!< true when line 3 was a Content-Length line
    std::string body;                //!< the body bytes (empty without Content-Length)
};

//! Limits that bound the parser's memory use.
struct control_parser_limits {
    std::size_t max_line_bytes = 1024;            //!< longest header line, excluding LF
    std::size_t max_content_length = 1024 * 1024; //!< largest accepted body (spec: 1 MiB)
};

//! Result of control_parser::next().
enum class control_parse_status {
    message,   //!< a complete message was produced
    need_more, //!< the buffered bytes hold no complete message yet
    error,     //!< the stream is unusable; the parser stays in this state
};

/*!
 * \brief Incremental, bounded-memory parser for the TiA 1.0 control framing.
 *
 * Feed arbitrary chunks of the TCP byte stream with feed(), then call next() until it
 * returns need_more. Messages split across chunks and several messages in one chunk
 * (pipelining) are both handled. Memory is bounded: the parser buffers at most one
 * header line (max_line_bytes) or one body (max_content_length) beyond the bytes of the
 * last feed() that it has not consumed yet.
 *
 * Errors are sticky: after the first error next() keeps returning the same error, since
 * the framing of the rest of the stream cannot be trusted (the server replies `Error`
 * and closes). Error reasons: "line_too_long", "invalid_characters", "bad_version",
 * "empty_command", "bad_header_line", "bad_content_length", "content_length_too_large",
 * "missing_blank_line".
 *
 * Empty lines before a version line are skipped (HTTP-style leniency). Input is never
 * thrown on.
 */
class control_parser
{
public:
    explicit control_parser(control_parser_limits limits = {});

    //! Append raw bytes received from the peer.
    void feed(const std::uint8_t* data, std::size_t size);
    //! Convenience overload for text.
    void feed(std::string_view data);

    /*!
     * \brief Extract the next complete message.
     * \param message receives the message when the result is `message`
     * \param error receives the reason when the result is `error`
     */
    control_parse_status next(control_message& message, parse_error& error);

    //! True once an error has been reported.
    bool failed() const { return !d_error.ok(); }
    //! Bytes currently held (unconsumed input).
    std::size_t buffered_bytes() const { return d_buffer.size() - d_pos; }
    //! Forget all state and buffered input (e.g. for a new connection).
    void reset();

private:
    enum class state { version, command, header, blank, body };

    control_parse_status fail(std::string reason, std::string detail, parse_error& error);
    bool take_line(std::string_view& line, bool& too_long);
    void compact();

    control_parser_limits d_limits;
    std::string d_buffer;
    std::size_t d_pos = 0;
    state d_state = state::version;
    control_message d_current;
    std::size_t d_body_length = 0;
    parse_error d_error;
};

//! Map a request name (line 2 before ':') to a command; exact, case-sensitive.
control_command command_from_name(std::string_view name);
//! The wire name of a command ("" for unknown).
std::string_view command_name(control_command command);
//! Interpret the GetDataConnection parameter ("TCP"/"UDP", already trimmed).
data_transport transport_from_parameter(std::string_view parameter);

//! "TiA 1.0\nOK\n\n"
std::string encode_ok_reply();
//! "TiA 1.0\nError\n\n" (the bare form the spec recommends)
std::string encode_error_reply();
/*!
 * \brief "TiA 1.0\nError -- <text>\n\n" (libtia's form with a description on line 2).
 * Control characters and ':' in \p text are replaced by spaces so the framing holds.
 */
std::string encode_error_reply(std::string_view text);
//! "TiA 1.0\nDataConnectionPort:<port>\n\n"
std::string encode_data_connection_port_reply(std::uint16_t port);
//! "TiA 1.0\nServerStateConnectionPort:<port>\n\n"
std::string encode_server_state_connection_port_reply(std::uint16_t port);
//! "TiA 1.0\nMetaInfo\nContent-Length:<UTF-8 bytes of xml>\n\n<xml>"
std::string encode_meta_info_reply(std::string_view xml);
//! "TiA 1.0\nServerStateRunning\n\n" (pushed on the server-state connection)
std::string encode_server_state_running();
//! "TiA 1.0\nServerStateShutdown\n\n" (pushed before the server stops)
std::string encode_server_state_shutdown();
/*!
 * \brief Encode a request for a client: "TiA 1.0\n<command>[:<parameter>]\n\n".
 * \p parameter is written only when non-empty, with no space after the colon.
 */
std::string encode_request(control_command command, std::string_view parameter = {});
//! As above with a free-form request name (e.g. to send an unknown command in tests).
std::string encode_request(std::string_view name, std::string_view parameter = {});

} // namespace tia
} // namespace netstream
} // namespace gr

#endif /* INCLUDED_NETSTREAM_TIA_CONTROL_PARSER_H */
