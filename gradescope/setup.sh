#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image (Ubuntu).
# It installs Python, bubblewrap (the sandbox every hand-in runs in) and the course's
# requirements into a virtual environment at /autograder/venv.
set -euo pipefail
cd "$(dirname "$0")"
apt-get update
apt-get install -y --no-install-recommends python3 python3-venv python3-pip bubblewrap util-linux
python3 -m venv /autograder/venv
/autograder/venv/bin/python -m pip install --no-cache-dir -r requirements.txt
