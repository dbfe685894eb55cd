# Mutual-TLS handshakes between the real s_server and s_client, with -provider
# flags and through an openssl.cnf built from openssl.cnf.example.

# mtls CLIENT_KEY SERVER_CERT SERVER_KEY PROTO [server-extra...] : one handshake,
# client cert $WORK/client.pem; both sides verify the other against the test CA.
mtls() {
  local ckey=$1 scert=$2 skey=$3 proto=$4
  shift 4
  start_server "$WORK/server.out" "$@" -cert "$scert" -key "$skey" -Verify 1 \
    -CAfile "$WORK/ca.pem" -verify_return_error "$proto"
  http_get | openssl s_client "${CLIENT_PROV[@]}" -ign_eof -connect "127.0.0.1:$PORT" \
    -cert "$WORK/client.pem" -key "$ckey" -CAfile "$WORK/ca.pem" -verify_return_error \
    "$proto" -brief >"$WORK/client.out" 2>&1 || { cat "$WORK/client.out" "$WORK/server.out" >&2; fail "s_client"; }
  wait_server || { cat "$WORK/server.out" >&2; fail "s_server"; }
  expect_contains "$WORK/client.out" "CONNECTION ESTABLISHED" "client handshake"
  expect_contains "$WORK/client.out" "Verification: OK" "server certificate verification"
  expect_contains "$WORK/client.out" "Client certificate" "server page over the connection"
  expect_contains "$WORK/client.out" "Subject: CN *= *client" "client certificate seen by the server"
}

setup_client_chip() {
  provision a
  make_ca
  chip_key_cert a 0x0101 "${1:-P-256}" client
  soft_key_cert server "${1:-P-256}"
  CLIENT_PROV=("${PROV[@]}")
}

test_mtls13_uri_flags() {
  setup_client_chip
  use_chip a
  local before
  before=$(count a "sign/verify")
  mtls maxq1061:id=0x0101 "$WORK/server.pem" "$WORK/server.key" -tls1_3
  expect_contains "$WORK/client.out" "Protocol version: TLSv1.3" "TLS 1.3"
  [[ $(( $(count a "sign/verify") - before )) -eq 1 ]] || fail "expected exactly one chip signature"
}

test_mtls12_reffile_flags() {
  setup_client_chip
  use_chip a
  local before
  before=$(count a "sign/verify")
  mtls "$WORK/client.ref.pem" "$WORK/server.pem" "$WORK/server.key" -tls1_2
  expect_contains "$WORK/client.out" "Protocol version: TLSv1.2" "TLS 1.2"
  [[ $(( $(count a "sign/verify") - before )) -eq 1 ]] || fail "expected exactly one chip signature"
}

test_mtls13_p384_both_chips() {
  provision a
  provision b
  make_ca
  chip_key_cert a 0x0101 P-384 client
  chip_key_cert b 0x0101 P-384 server
  # The server runs on chip b, the client on chip a.
  local sa sb
  sa=$(count a "sign/verify")
  sb=$(count b "sign/verify")
  use_chip b
  start_server "$WORK/server.out" "${PROV[@]}" -cert "$WORK/server.pem" -key "$WORK/server.ref.pem" \
    -Verify 1 -CAfile "$WORK/ca.pem" -verify_return_error -tls1_3
  http_get | MAXQ1061_DEVICE="sim:$WORK/a.state" openssl s_client "${PROV[@]}" -ign_eof \
    -connect "127.0.0.1:$PORT" -cert "$WORK/client.pem" -key "$WORK/client.ref.pem" \
    -CAfile "$WORK/ca.pem" -verify_return_error -tls1_3 -brief >"$WORK/client.out" 2>&1 ||
    { cat "$WORK/client.out" "$WORK/server.out" >&2; fail "s_client"; }
  wait_server || { cat "$WORK/server.out" >&2; fail "s_server"; }
  expect_contains "$WORK/client.out" "Verification: OK" "server certificate verification"
  [[ $(( $(count a "sign/verify") - sa )) -eq 1 ]] || fail "client chip: expected one signature"
  [[ $(( $(count b "sign/verify") - sb )) -eq 1 ]] || fail "server chip: expected one signature"
}

test_mismatched_cert_key_refused() {
  setup_client_chip
  use_chip a
  # The server's certificate belongs to another key than the chip key it is given.
  openssl s_server "${PROV[@]}" -accept 127.0.0.1:0 -naccept 1 -cert "$WORK/server.pem" \
    -key "$WORK/client.ref.pem" >"$WORK/server.out" 2>&1 && fail "s_server accepted a mismatching key"
  expect_contains "$WORK/server.out" "mismatch\|does not match" "mismatch error"
}

# Handshake where only OPENSSL_CONF loads the provider (no -provider flags).
config_handshake() {
  local profile=$1
  provision a
  make_ca
  chip_key_cert a 0x0101 P-256 client
  soft_key_cert server
  make_config "$profile"
  local before_sign before_kex before_gen
  before_sign=$(count a "sign/verify")
  before_kex=$(count a "key exchange")
  before_gen=$(count a "import key")
  start_server "$WORK/server.out" -cert "$WORK/server.pem" -key "$WORK/server.key" -Verify 1 \
    -CAfile "$WORK/ca.pem" -verify_return_error -tls1_3
  unset MAXQ1061_DEVICE
  http_get | OPENSSL_CONF="$WORK/openssl.cnf" openssl s_client -ign_eof -connect "127.0.0.1:$PORT" \
    -cert "$WORK/client.pem" -key maxq1061:id=0x0101 -CAfile "$WORK/ca.pem" -verify_return_error \
    -tls1_3 -brief >"$WORK/client.out" 2>&1 || { cat "$WORK/client.out" "$WORK/server.out" >&2; fail "s_client"; }
  wait_server || { cat "$WORK/server.out" >&2; fail "s_server"; }
  expect_contains "$WORK/client.out" "CONNECTION ESTABLISHED" "handshake"
  SIGNS=$(( $(count a "sign/verify") - before_sign ))
  KEX=$(( $(count a "key exchange") - before_kex ))
  GENS=$(( $(count a "import key") - before_gen ))
}

test_mtls13_config_identity() {
  config_handshake identity
  [[ $SIGNS -eq 1 ]] || fail "expected one chip signature, got $SIGNS"
  [[ $KEX -eq 0 && $GENS -eq 0 ]] || fail "identity profile must keep ECDHE in software (kex $KEX, gen $GENS)"
}

test_mtls13_config_full_offload() {
  config_handshake full
  [[ $SIGNS -eq 1 ]] || fail "expected one chip signature, got $SIGNS"
  [[ $KEX -eq 1 ]] || fail "full offload: expected one chip key exchange, got $KEX"
  [[ $GENS -ge 1 ]] || fail "full offload: expected an ephemeral key generated on the chip"
}

test_list_providers_config() {
  provision a
  make_config identity
  OPENSSL_CONF="$WORK/openssl.cnf" openssl list -providers >"$WORK/list.out" 2>&1 || fail "list -providers"
  expect_contains "$WORK/list.out" "maxq1061" "provider listed"
  awk '/maxq1061/{f=1} f && /status: active/{ok=1} END{exit !ok}' "$WORK/list.out" ||
    { cat "$WORK/list.out" >&2; fail "provider not active"; }
}

test_list_random_instances_seed() {
  provision a
  make_config seed
  local before
  before=$(count a "get challenge")
  # OpenSSL 3.0's listing shows the DRBGs (seeded from the chip) but not the
  # seed source itself; the chip's counters prove where the seed came from.
  OPENSSL_CONF="$WORK/openssl.cnf" openssl list -random-instances >"$WORK/list.out" 2>&1 ||
    { cat "$WORK/list.out" >&2; fail "list -random-instances"; }
  expect_contains "$WORK/list.out" "CTR-DRBG" "DRBGs listed"
  [[ $(count a "get challenge") -gt $before ]] || fail "the DRBGs were not seeded from the chip"
  before=$(count a "get challenge")
  OPENSSL_CONF="$WORK/openssl.cnf" openssl rand -hex 16 >/dev/null || fail "rand with the chip seed"
  [[ $(count a "get challenge") -eq $((before + 1)) ]] || fail "expected exactly one seed request per process"
}

test_list_random_instances_direct() {
  provision a
  make_config direct
  OPENSSL_CONF="$WORK/openssl.cnf" openssl list -random-instances >"$WORK/list.out" 2>&1 ||
    { cat "$WORK/list.out" >&2; fail "list -random-instances"; }
  expect_contains "$WORK/list.out" "MAXQ1061-TRNG @ maxq1061" "chip TRNG as the DRBG"
}
