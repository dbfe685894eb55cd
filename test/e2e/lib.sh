# Shared set-up of the end-to-end tests: a temp dir per test, chips provisioned
# there, throwaway CA, helpers to run the real openssl binary with the provider.
# Sourced by run.sh; every helper fails the test (exit 1) with a message.
set -euo pipefail

: "${MAXQ_BUILD:?MAXQ_BUILD must point at the build directory}"
TOOL="$MAXQ_BUILD/tools/maxq1061-tool"
export OPENSSL_MODULES="$MAXQ_BUILD/provider"
PROV=(-provider-path "$MAXQ_BUILD/provider" -provider maxq1061 -provider default)
export OPENSSL_CONF=/dev/null  # no system config unless a test sets one
unset MAXQ1061_DEVICE MAXQ1061_ADMIN_KEY MAXQ1061_DEBUG

WORK=$(mktemp -d "${TMPDIR:-/tmp}/maxq-e2e.XXXXXX")
PIDS=()
cleanup() {
  local p
  for p in "${PIDS[@]:-}"; do [[ -n "$p" ]] && kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
  rm -rf "$WORK"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
note() { echo "# $*" >&2; }

# provision NAME -> chip state at $WORK/NAME.state, admin key beside it.
provision() {
  "$TOOL" --device "sim:$WORK/$1.state" init >/dev/null || fail "cannot provision chip $1"
}
use_chip() { export MAXQ1061_DEVICE="sim:$WORK/$1.state"; }

# count NAME COMMAND-NAME -> how many times the chip executed that command.
count() {
  "$TOOL" --device "sim:$WORK/$1.state" stats | awk -v c="$2" '
    { name=$0; sub(/^ +/, "", name); n=$NF; sub(/ +[0-9]+$/, "", name); if (name == c) v=n }
    END { print v+0 }'
}

# Throwaway software CA: $WORK/ca.pem, $WORK/ca.key. The extensions are
# explicit: OpenSSL 3.2+ writes v3 certificates, and a v3 CA without
# basicConstraints CA:TRUE is no CA (3.0 wrote v1, which counted as one).
make_ca() {
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj "/CN=maxq1061 e2e test CA" -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout "$WORK/ca.key" -out "$WORK/ca.pem" 2>/dev/null || fail "cannot create the test CA"
  printf '%s\n' "basicConstraints = critical, CA:FALSE" "keyUsage = critical, digitalSignature" \
    >"$WORK/leaf.ext"
}

# issue_cert CN: $WORK/CN.pem from $WORK/CN.csr, an end-entity certificate of the test CA.
issue_cert() {
  openssl x509 -req -in "$WORK/$1.csr" -CA "$WORK/ca.pem" -CAkey "$WORK/ca.key" \
    -CAcreateserial -days 1 -extfile "$WORK/leaf.ext" -out "$WORK/$1.pem" 2>/dev/null
}

# chip_key_cert CHIP ID CURVE CN -> $WORK/CN.ref.pem (key reference) and $WORK/CN.pem
# (certificate issued by the test CA for the chip key).
chip_key_cert() {
  local chip=$1 id=$2 curve=$3 cn=$4
  use_chip "$chip"
  openssl genpkey "${PROV[@]}" -propquery provider=maxq1061 -algorithm EC \
    -pkeyopt "group:$curve" -pkeyopt "id:$id" -out "$WORK/$cn.ref.pem" ||
    fail "genpkey on chip $chip"
  openssl req "${PROV[@]}" -new -key "$WORK/$cn.ref.pem" -subj "/CN=$cn" -out "$WORK/$cn.csr" ||
    fail "req -new with the chip key"
  issue_cert "$cn" || fail "x509 -req"
}

# soft_key_cert CN CURVE -> software key and certificate from the test CA.
soft_key_cert() {
  local cn=$1 curve=${2:-P-256}
  openssl req -new -newkey ec -pkeyopt "ec_paramgen_curve:$curve" -nodes -subj "/CN=$cn" \
    -keyout "$WORK/$cn.key" -out "$WORK/$cn.csr" 2>/dev/null || fail "software key for $cn"
  issue_cert "$cn" || fail "certificate for $cn"
}

# start_server OUTFILE ARGS... : runs s_server on a free loopback port in the
# background; sets PORT and SERVER_PID.
start_server() {
  local out=$1
  shift
  # -www: the server answers "GET /" with a page describing the session (incl.
  # the client certificate) and never reads its own stdin.
  openssl s_server -accept 127.0.0.1:0 -naccept 1 -www "$@" >"$out" 2>&1 </dev/null &
  await_server "$!" "$out"
}

# await_server PID OUTFILE: a background server that prints "ACCEPT
# 127.0.0.1:PORT" when it listens; sets PORT and SERVER_PID, and kills it at exit.
await_server() {
  SERVER_PID=$1
  PIDS+=("$SERVER_PID")
  local out=$2 i
  for i in $(seq 1 200); do
    PORT=$(sed -n 's/^ACCEPT 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$out")
    [[ -n "$PORT" ]] && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$out" >&2; fail "the server exited early"; }
    sleep 0.05
  done
  cat "$out" >&2
  fail "the server did not start"
}

# wait_server: waits for the background s_server; returns its status.
wait_server() {
  local rc=0
  wait "$SERVER_PID" || rc=$?
  PIDS=("${PIDS[@]/$SERVER_PID/}")
  return $rc
}

# An HTTP request for the -www server; s_client keeps reading after stdin EOF.
http_get() { printf 'GET / HTTP/1.0\r\n\r\n'; }

# config PROFILE -> $WORK/openssl.cnf from openssl.cnf.example for profile
# identity | full | seed | direct, with the device set to chip a.
make_config() {
  local src="$MAXQ_SOURCE/openssl.cnf.example" out="$WORK/openssl.cnf"
  sed -e "s|^# device = .*|device = sim:$WORK/a.state|" "$src" >"$out"
  case "$1" in
    full) sed -i -e 's|^# alg_section = maxq1061_full_offload|alg_section = maxq1061_full_offload|' \
      -e 's|^# ssl_conf = maxq1061_ssl|ssl_conf = maxq1061_ssl|' "$out" ;;
    seed) sed -i 's|^# random = maxq1061_random$|random = maxq1061_random|' "$out" ;;
    direct) sed -i 's|^# random = maxq1061_random_direct|random = maxq1061_random_direct|' "$out" ;;
    identity) ;;
  esac
  grep -q "^device = sim:" "$out" || fail "openssl.cnf.example has no '# device = ' line"
}

expect_contains() {  # FILE PATTERN WHAT
  grep -q -- "$2" "$1" || { cat "$1" >&2; fail "$3: '$2' not found"; }
}
