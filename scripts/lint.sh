#!/usr/bin/env bash
# Copyright 2026 gr-netstream authors.
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Lint: clang-format (repo .clang-format, GNU Radio style) on our C++ and ruff on our Python.
# `scripts/lint.sh --fix` rewrites files instead of checking them.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
RUFF="$REPO/.venv/bin/ruff"
[ -x "$RUFF" ] || RUFF=ruff

mapfile -t cxx < <(git ls-files 'include/*.h' 'lib/*.h' 'lib/*.cc' 'tests/*.cc' 'tests/*.h' 'bench/*.cc')
mapfile -t py < <(git ls-files '*.py' 'apps/netstream-*' | grep -v -E '^(docs/doxygen|python/netstream/bindings)/')

if [ "${1:-}" = "--fix" ]; then
    clang-format -i "${cxx[@]}"
    "$RUFF" check --fix "${py[@]}"
    "$RUFF" format "${py[@]}"
    exit 0
fi
clang-format --dry-run -Werror "${cxx[@]}"
echo "clang-format: ${#cxx[@]} files clean"
"$RUFF" check "${py[@]}"
"$RUFF" format --check "${py[@]}"
