#!/usr/bin/env bash
# Every test, from a fresh Debian 12 machine: installs dependencies, checks formatting, builds with
# warnings as errors and runs the unit, integration and sync tests (the sync suites also with the
# hub on a PostgreSQL 15 started here on 127.0.0.1) and the browser tests; then builds again with
# AddressSanitizer + UndefinedBehaviorSanitizer and runs them again.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh

echo "== clang-format check"
files=$(git ls-files '*.cpp' '*.h' 2>/dev/null || find firmware sync tests -name '*.cpp' -o -name '*.h')
clang-format --dry-run -Werror $files

echo "== build (warnings are errors)"
scripts/build.sh build
echo "== PostgreSQL for the sync tests (the hub's PostgreSQL store)"
UPW_TEST_PG_URL="$(scripts/start-postgres.sh | tail -n 1)"
export UPW_TEST_PG_URL UPW_REQUIRE_PG=1
echo "== tests"
# The fault-injection suite runs 120 seeded runs here, 40 more with the hub on PostgreSQL, and 30
# under the sanitizers (tests/sync/fault_soak_test.cpp; longer soaks: UPW_SYNC_SEEDS=N).
(cd build && UPW_SYNC_SEEDS=120 ctest --output-on-failure -j 2 -L 'unit|integration|sync')
echo "== sync tests with the hub on PostgreSQL"
(cd build && UPW_SYNC_HUB=postgres UPW_SYNC_SEEDS=40 UPW_SYNC_FIRST_SEED=5000 \
  tests/upw_sync_tests --gtest_filter='SyncFlow.*:FaultSoak.*')
echo "== browser tests"
(cd web && UPW_BINARY="$PWD/../build/firmware/upw" node --test tests/)

echo "== build with AddressSanitizer + UBSan"
scripts/build.sh build-asan -DUPW_SANITIZE=ON -DUPW_BUILD_BENCH=OFF
echo "== tests under sanitizers"
(cd build-asan && UPW_SYNC_SEEDS=30 UPW_SYNC_FIRST_SEED=9000 ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
  UBSAN_OPTIONS=print_stacktrace=1 ctest --output-on-failure -j 2 -L 'unit|integration|sync')
echo "== browser tests against the sanitized server"
(cd web && UPW_BINARY="$PWD/../build-asan/firmware/upw" \
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 node --test tests/)
