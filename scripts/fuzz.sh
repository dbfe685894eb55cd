#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/, clang, MAXQ_FUZZ=ON) and runs them.
#
#   ./scripts/fuzz.sh --short 20 [TARGET...]   CI: each target 20 s on its seed corpus
#   ./scripts/fuzz.sh [--runs N] [TARGET...]     a campaign: N executions per target
#                                                (default 1000000), corpus kept
#
# Targets are the names of fuzz/<name>_fuzz.cc (all when none is given).
# Working corpora live in $FUZZ_BUILD/corpus/<target> (seeded from
# fuzz/corpus/<target>, which stays untouched); crashes, leaks and timeouts
# are written to $FUZZ_BUILD/findings/<target>/ and fail the script. One line
# per target gives executions, seconds, executions per second and coverage.
# Environment: FUZZ_BUILD (default build-fuzz), FUZZ_JOBS (build parallelism, 2).
set -euo pipefail
cd "$(dirname "$0")/.."
mode=runs
runs=1000000
seconds=20
targets=()
while (($#)); do
  case "$1" in
    --short) mode=short; seconds=${2:?--short needs seconds}; shift 2 ;;
    --runs) mode=runs; runs=${2:?--runs needs a count}; shift 2 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) targets+=("$1"); shift ;;
  esac
done
if ((${#targets[@]} == 0)); then
  for f in fuzz/*_fuzz.cc; do n=${f#fuzz/}; targets+=("${n%_fuzz.cc}"); done
fi

source scripts/ensure_packages.sh
# libFuzzer's runtime comes with libclang-rt-N-dev (N: clang's major version,
# 14 on Debian 12, 19 on Debian 13).
ensure_packages cmake clang libssl-dev libftdi1-dev pkg-config
ensure_packages "libclang-rt-$(clang -dumpversion | cut -d. -f1)-dev"

build=${FUZZ_BUILD:-build-fuzz}
CC=clang CXX=clang++ cmake -S . -B "$build" -DMAXQ_FUZZ=ON -DMAXQ_BUILD_TESTS=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" --target maxq_fuzzers -j"${FUZZ_JOBS:-2}" >/dev/null
build=$(cd "$build" && pwd)

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
failed=()
printf '%-20s %12s %8s %10s %8s\n' target executions seconds exec/s cov
for t in "${targets[@]}"; do
  exe="$build/fuzz/maxq-fuzz-$t"
  [[ -x $exe ]] || { echo "no fuzz target $t ($exe)" >&2; exit 2; }
  work="$build/corpus/$t" findings="$build/findings/$t"
  mkdir -p "$work" "$findings"
  [[ -d fuzz/corpus/$t ]] && cp -n fuzz/corpus/"$t"/* "$work"/ 2>/dev/null || true
  args=(-timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$findings/")
  if [[ $mode == short ]]; then args+=(-max_total_time="$seconds"); else args+=(-runs="$runs"); fi
  log="$build/findings/$t.log"
  start=$(date +%s)
  # (The simulator daemon's own log of refused clients is left out.)
  if ! ("$exe" "${args[@]}" "$work" 2>&1 |
    grep -v '^maxq1061-sim: client' >"$log"); then
    failed+=("$t")
    echo "FAILED: $t (log $log):" >&2
    grep -E "ERROR|SUMMARY|Test unit written|==[0-9]+==" "$log" | head -20 >&2 || tail -20 "$log" >&2
  fi
  end=$(date +%s)
  execs=$(grep -a '^stat::number_of_executed_units:' "$log" | tail -1 | tr -dc 0-9)
  cov=$(grep -a -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  secs=$((end - start))
  printf '%-20s %12s %8s %10s %8s\n' "$t" "${execs:-?}" "$secs" \
    "$(( ${execs:-0} / (secs > 0 ? secs : 1) ))" "${cov:-?}"
done
if ((${#failed[@]})); then
  echo "fuzzing found problems in: ${failed[*]} (reproduce: $build/fuzz/maxq-fuzz-TARGET FILE)" >&2
  exit 1
fi
