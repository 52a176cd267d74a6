#!/usr/bin/env bash
# Installs every build, test and benchmark dependency on Debian 12 / Raspberry Pi OS (bookworm).
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
PACKAGES=(
  build-essential cmake ninja-build pkg-config clang-format
  libcivetweb-dev libboost-dev libsqlite3-dev sqlite3 nlohmann-json3-dev libcli11-dev
  libspdlog-dev libsodium-dev
  libgtest-dev libgmock-dev libbenchmark-dev libcurl4-openssl-dev
  nginx-light curl
  libkainjow-mustache-dev chromium
  zlib1g-dev libpq-dev libssl-dev postgresql-15 iproute2
)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  # apt and dpkg chatter goes to a log, shown only if the install fails.
  log="$(mktemp)"
  if ! { $SUDO apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
      "${missing[@]}"; } >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    exit 1
  fi
  rm -f "$log"
fi
# nginx-light is for the benchmark baseline only: never leave it running as a service.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet nginx 2>/dev/null; then
  $SUDO systemctl stop nginx || true
fi

# The browser tests' packages (pinned by web/package-lock.json). `npm ci` wipes and reinstalls
# node_modules, so run it only when node_modules is missing or older than the lock file; the
# final touch makes a successful install newer than the lock, so a second run does nothing.
# --ignore-scripts: no package may download anything (e.g. a browser build) at install time.
web="$(cd "$(dirname "$0")/.." && pwd)/web"
if [ -f "$web/package-lock.json" ] &&
  { [ ! -d "$web/node_modules" ] || [ "$web/package-lock.json" -nt "$web/node_modules" ]; }; then
  echo "installing: npm packages for web/"
  (cd "$web" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)
  touch "$web/node_modules"
fi
