/*
 * Copyright 2020 Free Software Foundation, Inc.
 *
 * This file is part of GNU Radio
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 */

#include <pybind11/pybind11.h>

#define NPY_NO_DEPRECATED_API NPY_1_7_API_VERSION
#include <numpy/arrayobject.h>

namespace py = pybind11;

// Headers for binding functions
/**************************************/
// The following comment block is used for
// gr_modtool to insert function prototypes
// Please do not delete
/**************************************/
// BINDING_FUNCTION_PROTOTYPES(
void bind_rp_adc_source(py::module& m);
void bind_rp_dac_sink(py::module& m);
void bind_zmq_pub_sink(py::module& m);
void bind_zmq_push_sink(py::module& m);
void bind_zmq_rep_sink(py::module& m);
void bind_zmq_sub_source(py::module& m);
void bind_zmq_pull_source(py::module& m);
void bind_zmq_req_source(py::module& m);
void bind_rogue_source(py::module& m);
void bind_rogue_sink(py::module& m);
void bind_rogue_pdu_source(py::module& m);
void bind_rogue_pdu_sink(py::module& m);
void bind_tia_sink(py::module& m);
void bind_tia_source(py::module& m);
void bind_zmq_req_transceiver(py::module& m);
// ) END BINDING_FUNCTION_PROTOTYPES


// We need this hack because import_array() returns NULL
// for newer Python versions.
// This function is also necessary because it ensures access to the C API
// and removes a warning.
void* init_numpy()
{
    import_array();
    return NULL;
}

PYBIND11_MODULE(netstream_python, m)
{
    // Initialize the numpy C API
    // (otherwise we will see segmentation faults)
    init_numpy();

    // Allow access to base block methods
    py::module::import("gnuradio.gr");

    /**************************************/
    // The following comment block is used for
    // gr_modtool to insert binding function calls
    // Please do not delete
    /**************************************/
    // BINDING_FUNCTION_CALLS(
    bind_zmq_pub_sink(m);
    bind_zmq_push_sink(m);
    bind_zmq_rep_sink(m);
    bind_zmq_sub_source(m);
    bind_zmq_pull_source(m);
    bind_zmq_req_source(m);
    bind_rogue_source(m);
    bind_rogue_sink(m);
    bind_rogue_pdu_source(m);
    bind_rogue_pdu_sink(m);
    bind_tia_sink(m);
    bind_tia_source(m);
    bind_zmq_req_transceiver(m);
    bind_rp_adc_source(m);
    bind_rp_dac_sink(m);
    // ) END BINDING_FUNCTION_CALLS
}
