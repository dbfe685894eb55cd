#!/usr/bin/env bash
# Installs missing Debian packages, configures and builds. Used by test.sh and demo.sh.
# Environment: BUILD_DIR (default build), MAXQ_SANITIZE=1 for an ASan/UBSan build.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure_packages.sh
ensure_packages cmake g++ make libssl-dev libftdi1-dev catch2 openssl pkg-config

build_dir=${BUILD_DIR:-build}
cmake_args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo)
if [[ "${MAXQ_SANITIZE:-0}" == 1 ]]; then
  build_dir=${BUILD_DIR:-build-asan}
  cmake_args+=(-DMAXQ_ASAN=ON -DMAXQ_UBSAN=ON)
fi
cmake -S . -B "$build_dir" "${cmake_args[@]}" >/dev/null
cmake --build "$build_dir" -j"$(nproc)"
