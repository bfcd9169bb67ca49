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


static const char* __doc_gr_netstream_rogue_source = R"doc()doc";


static const char* __doc_gr_netstream_rogue_source_rogue_source_0 = R"doc()doc";


static const char* __doc_gr_netstream_rogue_source_rogue_source_1 = R"doc()doc";


static const char* __doc_gr_netstream_rogue_source_counters = R"doc()doc";


static const char* __doc_gr_netstream_rogue_source_counter = R"doc()doc";


static const char* __doc_gr_netstream_rogue_source_reset_counters = R"doc()doc";


static const char* __doc_gr_netstream_rogue_source_set_status_period = R"doc()doc";


static const char* __doc_gr_netstream_rogue_source_status_period = R"doc()doc";


static const char* __doc_gr_netstream_rogue_source_make = R"doc()doc";


static const char* __doc_gr_netstream_rogue_source_last_endpoint = R"doc()doc";


static const char* __doc_gr_netstream_rogue_source_base_port = R"doc()doc";


static const char* __doc_gr_netstream_rogue_source_set_channel_filter = R"doc()doc";


static const char* __doc_gr_netstream_rogue_source_channel_filter = R"doc()doc";


static const char* __doc_gr_netstream_rogue_source_set_drop_errors = R"doc()doc";


static const char* __doc_gr_netstream_rogue_source_drop_errors = R"doc()doc";
