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
# pytest-xdist, two workers per CPU: most of a test's wall time is spent waiting on a child process or a
# loopback server, not computing. A module's tests stay on one worker, so a module-scoped crawl runs once.
# A later -n (e.g. `scripts/test.sh -n 0`) wins.
exec .venv/bin/python -m pytest -n "$(( $(nproc) * 2 ))" --dist loadscope "$@"
