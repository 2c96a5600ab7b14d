#!/usr/bin/env bash
# Installs Debian's chromium for the browser tests (tests/browser/), and a CJK font so that the
# screenshots show the Chinese pages as people see them (without one, every character is a box),
# unless they are there already. Idempotent and quiet. Playwright drives this browser
# (executable_path=/usr/bin/chromium): its own browser downloads (`playwright install`) cannot
# work on these machines.
set -euo pipefail

# Outside CI a machine that cannot install them still runs every other test (the browser tests
# then skip, saying why); in CI they must run, so a failed install fails the run.
fail() {
    echo "$1" >&2
    if [ -n "${CI:-}" ]; then exit 1; fi
    echo "WARNING: the browser tests will be skipped" >&2
    exit 0
}

# Debian package -> a file it installs.
declare -A PACKAGES=(
    [chromium]=/usr/bin/chromium
    [fonts-wqy-microhei]=/usr/share/fonts/truetype/wqy/wqy-microhei.ttc
)
missing=()
for package in "${!PACKAGES[@]}"; do
    [ -e "${PACKAGES[$package]}" ] || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null 2>&1; then
    fail "ERROR: ${missing[*]} missing and installing needs root (apt-get install ${missing[*]})"
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
if ! { $SUDO apt-get update -qq &&
       DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null; }; then
    fail "ERROR: could not install ${missing[*]} with apt-get; the browser tests need them"
fi
for package in "${missing[@]}"; do
    [ -e "${PACKAGES[$package]}" ] || fail "ERROR: apt-get finished but ${PACKAGES[$package]} is missing"
done
