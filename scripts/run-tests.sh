#!/usr/bin/env bash
# Every test, from a fresh Debian 12 machine: installs dependencies, checks formatting, builds with
# warnings as errors and runs the unit and integration tests; then builds again with
# AddressSanitizer + UndefinedBehaviorSanitizer and runs them again.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh

echo "== clang-format check"
files=$(git ls-files '*.cpp' '*.h' 2>/dev/null || find firmware sync tests -name '*.cpp' -o -name '*.h')
clang-format --dry-run -Werror $files

echo "== build (warnings are errors)"
scripts/build.sh build
echo "== tests"
(cd build && ctest --output-on-failure -j 2 -L 'unit|integration')
echo "== browser tests"
(cd web && UPW_BINARY="$PWD/../build/firmware/upw" node --test tests/)

echo "== build with AddressSanitizer + UBSan"
scripts/build.sh build-asan -DUPW_SANITIZE=ON -DUPW_BUILD_BENCH=OFF
echo "== tests under sanitizers"
(cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --output-on-failure -j 2 -L 'unit|integration')
echo "== browser tests against the sanitized server"
(cd web && UPW_BINARY="$PWD/../build-asan/firmware/upw" \
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 node --test tests/)
