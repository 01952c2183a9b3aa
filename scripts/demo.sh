#!/usr/bin/env bash
# One command on a fresh machine: set up, then run the main job on the bundled demo.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec .venv/bin/zwgk demo "$@"
