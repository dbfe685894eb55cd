#!/usr/bin/env bash
# Builds the project and runs the whole test suite (the command CI runs).
# Usage: ./scripts/test.sh [extra ctest arguments]
# Environment: BUILD_DIR (default build), MAXQ_SANITIZE=1 for an ASan/UBSan build.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/build.sh
# The end-to-end tests also drive curl, Python's ssl module, nginx, Ruby,
# Node.js, PHP, socat, stunnel4 and haproxy (whose services ensure_packages
# keeps from starting).
source scripts/ensure_packages.sh
ensure_packages curl python3 nginx ruby nodejs php-cli socat stunnel4 haproxy
build_dir=${BUILD_DIR:-build}
[[ "${MAXQ_SANITIZE:-0}" == 1 ]] && build_dir=${BUILD_DIR:-build-asan}
cd "$build_dir"
ctest --output-on-failure -j"$(nproc)" "$@"
