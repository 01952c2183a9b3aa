#!/usr/bin/env bash
# One command on a fresh machine: set up, then run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test
# The browser tests (tests/browser/) drive Debian's chromium through playwright; CJK fonts for the pages.
if [ ! -x /usr/bin/chromium ]; then
    SUDO=""
    if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium fonts-wqy-microhei
fi
# One worker per CPU (pytest-xdist); a module's tests stay on one worker, so a module-scoped crawl runs once.
exec .venv/bin/python -m pytest -n auto --dist loadscope "$@"
