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


static const char* __doc_gr_netstream_rogue_sink = R"doc()doc";


static const char* __doc_gr_netstream_rogue_sink_rogue_sink_0 = R"doc()doc";


static const char* __doc_gr_netstream_rogue_sink_rogue_sink_1 = R"doc()doc";


static const char* __doc_gr_netstream_rogue_sink_counters = R"doc()doc";


static const char* __doc_gr_netstream_rogue_sink_counter = R"doc()doc";


static const char* __doc_gr_netstream_rogue_sink_reset_counters = R"doc()doc";


static const char* __doc_gr_netstream_rogue_sink_set_status_period = R"doc()doc";


static const char* __doc_gr_netstream_rogue_sink_status_period = R"doc()doc";


static const char* __doc_gr_netstream_rogue_sink_make = R"doc()doc";


static const char* __doc_gr_netstream_rogue_sink_last_endpoint = R"doc()doc";


static const char* __doc_gr_netstream_rogue_sink_base_port = R"doc()doc";


static const char* __doc_gr_netstream_rogue_sink_set_flags = R"doc()doc";


static const char* __doc_gr_netstream_rogue_sink_set_chan = R"doc()doc";


static const char* __doc_gr_netstream_rogue_sink_set_err = R"doc()doc";
