#!/usr/bin/env bash
# Set up a fresh machine: Debian packages (browser, CJK fonts, bubblewrap) and the Python environment.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
for package in chromium fonts-noto-cjk bubblewrap; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${missing[@]}"
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -r requirements.txt
# The kit itself, editable: `python -m autograder` and nbgrader's autograde then work in any course directory.
.venv/bin/python -m pip install -q --no-deps -e .
