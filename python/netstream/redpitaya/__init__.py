# Copyright 2026 gr-netstream authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""Pure-Python parts of the Red Pitaya "Data Stream" family.

* :mod:`.protocol`  wire helpers (control framing, settings model, pack headers, beacons, board models)
* :mod:`.emulator`  a board emulator (spec section 11), used by tests and the demo
* :mod:`.discovery` a listener for the UDP discovery beacons
* :mod:`.client`    a client with the vendor library's names (ADC part so far)

The modules need only the standard library and numpy; no GNU Radio at run time.
"""

from .client import ADCCallback, ADCPack, ADCStreamClient, DACCallback, DACStreamClient  # noqa: E402,F401
