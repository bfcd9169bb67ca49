# Copyright 2026 gr-netstream authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""Pure-Python parts of the Red Pitaya "Data Stream" family.

* :mod:`.protocol`  wire helpers (control framing, settings model, pack headers, beacons, board models)
* :mod:`.emulator`  a board emulator (spec section 11), used by tests and the demo
* :mod:`.discovery` a listener for the UDP discovery beacons

The modules need only the standard library and numpy; no GNU Radio at run time.
"""
