/*
 * Copyright 2026 Free Software Foundation, Inc.
 *
 * This file is part of GNU Radio
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 */
#include "pydoc_macros.h"
#define D(...) DOC(gr, netstream, __VA_ARGS__)
/*
  This file contains placeholders for docstrings for the Python bindings.
  Do not edit! These were automatically extracted during the binding process
  and will be overwritten during the build process
 */


static const char* __doc_gr_netstream_tia_sink = R"doc()doc";


static const char* __doc_gr_netstream_tia_sink_tia_sink_0 = R"doc()doc";


static const char* __doc_gr_netstream_tia_sink_tia_sink_1 = R"doc()doc";


static const char* __doc_gr_netstream_tia_sink_counters = R"doc()doc";


static const char* __doc_gr_netstream_tia_sink_counter = R"doc()doc";


static const char* __doc_gr_netstream_tia_sink_reset_counters = R"doc()doc";


static const char* __doc_gr_netstream_tia_sink_set_status_period = R"doc()doc";


static const char* __doc_gr_netstream_tia_sink_status_period = R"doc()doc";


static const char* __doc_gr_netstream_tia_sink_make = R"doc()doc";


static const char* __doc_gr_netstream_tia_sink_port = R"doc()doc";


static const char* __doc_gr_netstream_tia_sink_meta_info_xml = R"doc()doc";


static const char* __doc_gr_netstream_tia_sink_next_packet_id = R"doc()doc";


static const char* __doc_gr_netstream_tia_sink_packet_bytes = R"doc()doc";


static const char* __doc_gr_netstream_tia_sink_control_connection_count = R"doc()doc";
