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
)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# nginx-light is for the benchmark baseline only: never leave it running as a service.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet nginx 2>/dev/null; then
  $SUDO systemctl stop nginx || true
fi
