#!/usr/bin/env bash
# Installs Debian's chromium for the browser tests (tests/browser/), unless it is there already.
# Idempotent and quiet. Playwright drives this browser (executable_path=/usr/bin/chromium): its
# own browser downloads (`playwright install`) cannot work on these machines.
set -euo pipefail

# Outside CI a machine that cannot install it still runs every other test (the browser tests
# then skip, saying why); in CI they must run, so a failed install fails the run.
fail() {
    echo "$1" >&2
    if [ -n "${CI:-}" ]; then exit 1; fi
    echo "WARNING: the browser tests will be skipped" >&2
    exit 0
}

if command -v chromium >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null 2>&1; then
    fail "ERROR: chromium is missing and installing it needs root (apt-get install chromium)"
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
if ! { $SUDO apt-get update -qq &&
       DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null; }; then
    fail "ERROR: could not install chromium with apt-get (Debian package 'chromium'); the browser tests need it"
fi
if ! command -v chromium >/dev/null 2>&1; then
    fail "ERROR: apt-get finished but there is no chromium on PATH"
fi
