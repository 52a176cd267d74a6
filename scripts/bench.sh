#!/usr/bin/env bash
# Builds and runs the benchmarks; prints figures and ratios against baselines run alongside.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
command -v wrk >/dev/null || { SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo; $SUDO apt-get install -y -qq wrk; }
scripts/build.sh build
build/tests/bench/upw_service_bench "$@"
(cd web && UPW_BINARY="$PWD/../build/firmware/upw" node bench/register.mjs)
build/tests/bench/upw_sync_bench "$@"
