#!/usr/bin/env bash
# Set up a fresh machine: Debian packages and the Python environment in .venv/.
#   bash scripts/setup.sh          a course machine: CJK fonts (Korean in plots), the kit and what it runs on
#   bash scripts/setup.sh --test   also what the kit's tests need: Chromium, LibreOffice Calc and the test-only packages
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(fonts-noto-cjk)
requirements=requirements.txt
if [ "${1:-}" = "--test" ]; then
  packages+=(chromium libreoffice-calc-nogui)  # a browser and a spreadsheet open what the kit writes
  requirements=requirements-test.txt
fi
missing=()
for package in "${packages[@]}"; do
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
.venv/bin/python -m pip install -q -r "$requirements"
# The kit itself, editable: `python -m autograder` and nbgrader's autograde then work in any course directory.
.venv/bin/python -m pip install -q --no-deps -e .
