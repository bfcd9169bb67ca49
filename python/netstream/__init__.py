#
# Copyright 2026 gr-netstream authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""gr-netstream: GNU Radio blocks for real streaming systems.

Block families (C++ work functions, wrapped with pybind11):

* doppler-dsp ``doppler.stream`` v1 over ZeroMQ: zmq_pub_sink, zmq_sub_source, zmq_push_sink,
  zmq_pull_source, zmq_req_source, zmq_req_transceiver, zmq_rep_sink
* Red Pitaya "Data Stream" app: rp_adc_source, rp_dac_sink (``netstream.redpitaya`` has the
  vendor-name client API, board emulator, discovery, recorder and player in pure Python)
* TOBI Interface A 1.0: tia_sink, tia_source
* SLAC Rogue stream bridge: rogue_source, rogue_sink, rogue_pdu_source, rogue_pdu_sink
"""

# import pybind11 generated symbols into the netstream namespace
try:
    # this fails only when the compiled bindings are missing (a pure-Python checkout)
    from .netstream_python import *  # noqa: F403
except ModuleNotFoundError:
    pass
