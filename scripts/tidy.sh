#!/usr/bin/env bash
# clang-tidy's basic checks (.clang-tidy) over the project's sources, using the
# compile commands of a configured build (BUILD_DIR, default build).
# Usage: ./scripts/tidy.sh [files...]   (default: every non-test source)
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${BUILD_DIR:-build}
[[ -f "$build_dir/compile_commands.json" ]] || ./scripts/build.sh
if [[ $# -eq 0 ]]; then
  mapfile -t files < <(find wire simulator transport provider tools bench -name '*.cc' \
    ! -name '*_test.cc' | sort)
else
  files=("$@")
fi
out=$(clang-tidy -p "$build_dir" --quiet "${files[@]}" 2>/dev/null || true)
if grep -q 'warning:\|error:' <<<"$out"; then
  echo "$out"
  exit 1
fi
echo "clang-tidy: ${#files[@]} files clean"
