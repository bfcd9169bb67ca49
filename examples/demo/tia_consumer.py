#!/usr/bin/env python3
# Copyright 2026 gr-netstream authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""Demo consumer: the real pytia 0.1.0 TiAClient reading our TiA sink (a BCI client's view).

    tia_consumer.py HOST PORT SECONDS

Prints one JSON line: packets, id gaps, the signal layout and the last values received.
"""

import json
import signal
import sys
import time

import pytia


def main() -> None:
    host, port, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    signal.alarm(int(seconds) + 10)  # hard bound
    client = pytia.TiAClient(host, port)
    if not client.connect():
        raise SystemExit("TiA connect failed")
    client.ctrl_socket.settimeout(5)
    client.cmd_check_protocol_version()
    ok, data_port = client.cmd_get_data_connection_tcp()
    client.start_streaming_data_tcp(host, data_port)
    client.data_socket.settimeout(5)
    packets = gaps = 0
    last_id = None
    last = None
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for p in client.get_data():
            if last_id is not None and p.packet_id != last_id + 1:
                gaps += 1
            last_id = p.packet_id
            packets += 1
            last = p
    client.stop_streaming_data()
    client.disconnect()
    print(json.dumps({"packets": packets, "id_gaps": gaps, "last_id": last_id,
                      "channels": list(last.channels) if last else [],
                      "last_values": [list(map(float, s)) for s in last.signals] if last else []}))  # fmt: skip


if __name__ == "__main__":
    main()
