#!/usr/bin/env bash
# From a fresh Debian 12 machine: install, build, and start `upw serve` on http://127.0.0.1:8080
# with a demo authority in demo.db (accounts planner, supervisor1-6, admin; password "demo").
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh build
exec build/firmware/upw serve --db "${UPW_DB:-demo.db}" --listen "${UPW_LISTEN:-127.0.0.1:8080}" --demo
