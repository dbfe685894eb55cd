#!/usr/bin/env bash
# clang-tidy's basic checks (.clang-tidy) over the project's sources, using the
# compile commands of a configured build (BUILD_DIR, default build); one
# clang-tidy per file, as many at once as there are cores. CI runs it.
# Usage: ./scripts/tidy.sh [files...]   (default: every non-test source)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure_packages.sh
ensure_packages clang-tidy
build_dir=${BUILD_DIR:-build}
[[ -f "$build_dir/compile_commands.json" ]] || ./scripts/build.sh
if [[ $# -eq 0 ]]; then
  mapfile -t files < <(find wire simulator transport provider tools bench broker -name '*.cc' \
    ! -name '*_test.cc' | sort)
else
  files=("$@")
fi
out=$(printf '%s\0' "${files[@]}" |
  xargs -0 -n 4 -P "$(nproc)" clang-tidy -p "$build_dir" --quiet 2>/dev/null || true)
if grep -q 'warning:\|error:' <<<"$out"; then
  echo "$out"
  exit 1
fi
echo "clang-tidy: ${#files[@]} files clean"
