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


static const char* __doc_gr_netstream_zmq_req_transceiver = R"doc()doc";


static const char* __doc_gr_netstream_zmq_req_transceiver_zmq_req_transceiver_0 =
    R"doc()doc";


static const char* __doc_gr_netstream_zmq_req_transceiver_zmq_req_transceiver_1 =
    R"doc()doc";


static const char* __doc_gr_netstream_zmq_req_transceiver_counters = R"doc()doc";


static const char* __doc_gr_netstream_zmq_req_transceiver_counter = R"doc()doc";


static const char* __doc_gr_netstream_zmq_req_transceiver_reset_counters = R"doc()doc";


static const char* __doc_gr_netstream_zmq_req_transceiver_set_status_period = R"doc()doc";


static const char* __doc_gr_netstream_zmq_req_transceiver_status_period = R"doc()doc";


static const char* __doc_gr_netstream_zmq_req_transceiver_make = R"doc()doc";


static const char* __doc_gr_netstream_zmq_req_transceiver_last_endpoint = R"doc()doc";
