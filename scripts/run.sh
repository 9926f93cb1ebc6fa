#!/usr/bin/env bash
# Set up, then run the main job: a term of the bundled sample class, from release to feedback and reports.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/.venv/bin:$PATH"
exec .venv/bin/python -m autograder sample-class "$@"
