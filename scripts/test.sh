#!/usr/bin/env bash
# Set up, then lint and run the kit's whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
export PATH="$PWD/.venv/bin:$PATH"
# Lint first (seconds), then the suite. TODO(format): once `ruff format` has been applied in its one commit, drop
# `--extend-ignore I` (import order) here and add `.venv/bin/ruff format --check .` beside it.
.venv/bin/ruff check --extend-ignore I .
.venv/bin/mypy
exec .venv/bin/python -m pytest "$@"
