# Copyright 2026 gr-netstream authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""pytest set-up shared by every test file.

* Tests run from the build tree without installing: ``build/test_modules`` (where
  CMake copies the Python package and the compiled bindings) goes first on
  ``sys.path``. Set ``NETSTREAM_BUILD_DIR`` to use another build directory, or
  ``NETSTREAM_USE_INSTALLED=1`` to test the installed ``gnuradio.netstream``.
* ``tests/`` itself is importable, so tests can ``from netstream_testing import ...``
  and ``from peers.x import ...``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

TESTS_DIR = Path(__file__).resolve().parent
REPO_DIR = TESTS_DIR.parent
BUILD_DIR = Path(os.environ.get("NETSTREAM_BUILD_DIR", REPO_DIR / "build"))

if not os.environ.get("NETSTREAM_USE_INSTALLED"):
    test_modules = BUILD_DIR / "test_modules"
    if test_modules.is_dir():
        sys.path.insert(0, str(test_modules))
sys.path.insert(0, str(TESTS_DIR))

# GNU Radio QA conventions: never read the user's preferences in tests.
os.environ.setdefault("GR_DONT_LOAD_PREFS", "1")
