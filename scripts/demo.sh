#!/usr/bin/env bash
# The demo: two simulated MAXQ1061 chips, one per side; each side's private key
# is generated inside its chip; a throwaway CA certifies both; openssl s_server
# and s_client then run a mutual TLS 1.3 handshake through the provider, and a
# summary tells who signed what on which chip.
# Usage: ./scripts/demo.sh   (exits non-zero on any failure; leaves nothing behind)
set -euo pipefail
cd "$(dirname "$0")/.."
# MAXQ_DEMO_SKIP_BUILD=1: use an existing build (the ctest case of the demo).
[[ "${MAXQ_DEMO_SKIP_BUILD:-0}" == 1 ]] || ./scripts/build.sh >/dev/null
build=$(cd "${BUILD_DIR:-build}" && pwd)
tool="$build/tools/maxq1061-tool"
export OPENSSL_CONF=/dev/null OPENSSL_MODULES="$build/provider"
unset MAXQ1061_DEVICE MAXQ1061_ADMIN_KEY
P=(-provider-path "$build/provider" -provider maxq1061 -provider default)

work=$(mktemp -d "${TMPDIR:-/tmp}/maxq1061-demo.XXXXXX")
server_pid=
cleanup() {
  [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
die() { echo "demo failed: $*" >&2; exit 1; }
step() { echo "==> $*"; }

stat_of() {  # CHIP COMMAND-NAME -> count
  "$tool" --device "sim:$work/$1.state" stats | awk -v c="$2" '
    { name=$0; sub(/^ +/, "", name); n=$NF; sub(/ +[0-9]+$/, "", name); if (name == c) v=n }
    END { print v+0 }'
}
total_of() { "$tool" --device "sim:$work/$1.state" --json stats | sed -n 's/.*"total_commands":\([0-9]*\).*/\1/p'; }
serial_of() { "$tool" --device "sim:$work/$1.state" --json status | sed -n 's/.*"serial":"\([0-9a-f]*\)".*/\1/p'; }

step "provisioning two simulated chips in $work"
for side in client server; do
  "$tool" --device "sim:$work/$side.state" init >/dev/null || die "init $side chip"
done

step "generating each side's P-256 key inside its chip (object 0x0101)"
for side in client server; do
  MAXQ1061_DEVICE="sim:$work/$side.state" openssl genpkey "${P[@]}" -propquery provider=maxq1061 \
    -algorithm EC -pkeyopt group:P-256 -pkeyopt id:0x0101 -out "$work/$side.ref.pem" ||
    die "key generation on the $side chip"
done

step "issuing certificates from a throwaway CA"
# Explicit extensions: OpenSSL 3.2+ writes v3 certificates, and a v3 CA needs
# basicConstraints CA:TRUE to be one.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj "/CN=demo CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -keyout "$work/ca.key" -out "$work/ca.pem" 2>/dev/null || die "CA"
printf '%s\n' "basicConstraints = critical, CA:FALSE" "keyUsage = critical, digitalSignature" \
  >"$work/leaf.ext"
for side in client server; do
  MAXQ1061_DEVICE="sim:$work/$side.state" openssl req "${P[@]}" -new -key "$work/$side.ref.pem" \
    -subj "/CN=demo $side" -out "$work/$side.csr" || die "CSR for $side"
  openssl x509 -req -in "$work/$side.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" -CAcreateserial \
    -days 1 -extfile "$work/leaf.ext" -out "$work/$side.pem" 2>/dev/null || die "certificate for $side"
done

for side in client server; do
  eval "before_${side}_total=\$(total_of $side) before_${side}_sign=\$(stat_of $side sign/verify)"
done

step "mutual TLS 1.3: openssl s_server (key on the server chip) <-> s_client (key on the client chip)"
MAXQ1061_DEVICE="sim:$work/server.state" openssl s_server "${P[@]}" -accept 127.0.0.1:0 -naccept 1 -www \
  -cert "$work/server.pem" -key "$work/server.ref.pem" -Verify 1 -CAfile "$work/ca.pem" \
  -verify_return_error -tls1_3 >"$work/server.out" 2>&1 </dev/null &
server_pid=$!
port=
for _ in $(seq 1 100); do
  port=$(sed -n 's/^ACCEPT 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$work/server.out")
  [[ -n "$port" ]] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.out" >&2; die "s_server exited"; }
  sleep 0.05
done
[[ -n "$port" ]] || die "s_server did not start"
printf 'GET / HTTP/1.0\r\n\r\n' | MAXQ1061_DEVICE="sim:$work/client.state" openssl s_client "${P[@]}" \
  -connect "127.0.0.1:$port" -ign_eof -cert "$work/client.pem" -key "$work/client.ref.pem" \
  -CAfile "$work/ca.pem" -verify_return_error -tls1_3 -groups secp256r1:secp384r1 -brief \
  >"$work/client.out" 2>&1 || { cat "$work/client.out" >&2; die "s_client"; }
wait "$server_pid" || { cat "$work/server.out" >&2; die "s_server"; }
server_pid=
grep -q "CONNECTION ESTABLISHED" "$work/client.out" || die "no TLS connection"
grep -q "Verification: OK" "$work/client.out" || die "server certificate did not verify"
grep -q "Subject: CN *= *demo client" "$work/client.out" || die "server did not see the client certificate"

field() { sed -n "s/^$1: *//p" "$work/client.out" | head -1; }
# OpenSSL 3.0 prints "Server Temp Key: ECDH, prime256v1, 256 bits"; 3.5 prints
# "Negotiated TLS1.3 group: secp256r1" and "Peer Temp Key: ...".
group=$(field 'Negotiated TLS1.3 group')
[[ -n "$group" ]] || group=$(field 'Peer Temp Key')
[[ -n "$group" ]] || group=$(field 'Server Temp Key')
echo
echo "Handshake summary"
echo "  protocol      $(field 'Protocol version')"
echo "  cipher        $(field 'Ciphersuite')"
echo "  group         ${group:-(not printed by this openssl)}"
echo "  client auth   server verified 'CN=demo client' against the demo CA"
for side in client server; do
  eval "b_total=\$before_${side}_total b_sign=\$before_${side}_sign"
  signs=$(( $(stat_of $side sign/verify) - b_sign ))
  cmds=$(( $(total_of $side) - b_total ))
  printf '  %-6s chip   serial %s, key object 0x0101: %d signature(s), %d chip command(s) in the handshake\n' \
    "$side" "$(serial_of $side)" "$signs" "$cmds"
  [[ $signs -eq 1 ]] || die "expected one signature on the $side chip, saw $signs"
done
echo
echo "demo OK"
