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


static const char* __doc_gr_netstream_rp_dac_sink = R"doc()doc";


static const char* __doc_gr_netstream_rp_dac_sink_rp_dac_sink_0 = R"doc()doc";


static const char* __doc_gr_netstream_rp_dac_sink_rp_dac_sink_1 = R"doc()doc";


static const char* __doc_gr_netstream_rp_dac_sink_counters = R"doc()doc";


static const char* __doc_gr_netstream_rp_dac_sink_counter = R"doc()doc";


static const char* __doc_gr_netstream_rp_dac_sink_reset_counters = R"doc()doc";


static const char* __doc_gr_netstream_rp_dac_sink_set_status_period = R"doc()doc";


static const char* __doc_gr_netstream_rp_dac_sink_status_period = R"doc()doc";


static const char* __doc_gr_netstream_rp_dac_sink_make = R"doc()doc";


static const char* __doc_gr_netstream_rp_dac_sink_set_dac_rate = R"doc()doc";


static const char* __doc_gr_netstream_rp_dac_sink_dac_rate = R"doc()doc";


static const char* __doc_gr_netstream_rp_dac_sink_block_size = R"doc()doc";


static const char* __doc_gr_netstream_rp_dac_sink_connected = R"doc()doc";


static const char* __doc_gr_netstream_rp_dac_sink_protocol = R"doc()doc";


static const char* __doc_gr_netstream_rp_dac_sink_last_error = R"doc()doc";
