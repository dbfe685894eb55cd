# Key generation, certificates, derive, rand and export through the openssl binary
# with -provider flags.

test_genpkey_pubout() {
  provision a
  use_chip a
  openssl genpkey "${PROV[@]}" -propquery provider=maxq1061 -algorithm EC \
    -pkeyopt group:P-256 -pkeyopt id:0x0101 -out "$WORK/ref.pem" || fail "genpkey"
  expect_contains "$WORK/ref.pem" "BEGIN MAXQ1061 KEY REFERENCE" "key reference file"
  ! grep -q "PRIVATE KEY" "$WORK/ref.pem" || fail "genpkey wrote a private key"
  [[ $(count a "import key") -eq 1 ]] || fail "expected one on-chip key generation"
  openssl pkey "${PROV[@]}" -in "$WORK/ref.pem" -pubout -out "$WORK/pub.pem" || fail "pkey -pubout"
  "$TOOL" --device "sim:$WORK/a.state" pubkey --id 0x0101 >"$WORK/chip-pub.pem"
  cmp "$WORK/pub.pem" "$WORK/chip-pub.pem" || fail "public key from the reference differs from the chip's"
  # P-384 with id:auto: the provider picks a free object id.
  openssl genpkey "${PROV[@]}" -propquery provider=maxq1061 -algorithm EC \
    -pkeyopt group:P-384 -pkeyopt id:auto -out "$WORK/ref384.pem" || fail "genpkey P-384"
  openssl pkey "${PROV[@]}" -in "$WORK/ref384.pem" -pubout -text -noout >"$WORK/384.txt"
  expect_contains "$WORK/384.txt" "secp384r1\|P-384" "P-384 key"
}

# -outform DER writes the reference's DER body (before, the key was made and
# then the encoding failed, leaving an object nobody had a reference to); the
# provider reads it back, with or without -inform DER, and signs with it.
test_genpkey_der_reference() {
  provision a
  use_chip a
  openssl genpkey "${PROV[@]}" -propquery provider=maxq1061 -algorithm EC \
    -pkeyopt group:P-256 -pkeyopt id:0x0101 -outform DER -out "$WORK/ref.der" || fail "genpkey -outform DER"
  [[ $(count a "import key") -eq 1 ]] || fail "expected one on-chip key generation"
  openssl pkey "${PROV[@]}" -inform DER -in "$WORK/ref.der" -pubout -out "$WORK/pub.pem" ||
    fail "pkey -inform DER"
  "$TOOL" --device "sim:$WORK/a.state" pubkey --id 0x0101 >"$WORK/chip-pub.pem"
  cmp "$WORK/pub.pem" "$WORK/chip-pub.pem" || fail "public key from the DER reference differs from the chip's"
  openssl pkey "${PROV[@]}" -in "$WORK/ref.der" -out "$WORK/ref.pem" || fail "DER reference to PEM"
  expect_contains "$WORK/ref.pem" "BEGIN MAXQ1061 KEY REFERENCE" "PEM key reference"
  openssl pkey "${PROV[@]}" -in "$WORK/ref.pem" -outform DER -out "$WORK/back.der" || fail "PEM to DER"
  cmp -s "$WORK/ref.der" "$WORK/back.der" || fail "the DER reference changed on the way through PEM"
  echo data >"$WORK/data"
  openssl pkeyutl "${PROV[@]}" -sign -keyform DER -inkey "$WORK/ref.der" -rawin -digest sha256 \
    -in "$WORK/data" -out "$WORK/sig" || fail "sign with the DER reference"
  openssl pkeyutl -verify -pubin -inkey "$WORK/pub.pem" -rawin -digest sha256 -in "$WORK/data" \
    -sigfile "$WORK/sig" >/dev/null || fail "the signature does not verify"
  [[ $(count a "sign/verify") -eq 1 ]] || fail "expected one chip signature"
}

test_req_x509() {
  provision a
  make_ca
  chip_key_cert a 0x0101 P-256 client
  openssl verify -CAfile "$WORK/ca.pem" "$WORK/client.pem" >/dev/null || fail "issued certificate does not verify"
  openssl req "${PROV[@]}" -verify -in "$WORK/client.csr" -noout 2>&1 | grep -q "verify OK" ||
    fail "CSR signed by the chip does not verify"
  # Self-signed certificate straight from the chip key.
  openssl req "${PROV[@]}" -x509 -new -key "$WORK/client.ref.pem" -subj /CN=self -days 1 \
    -out "$WORK/self.pem" || fail "req -x509 with the chip key"
  openssl verify -CAfile "$WORK/self.pem" "$WORK/self.pem" >/dev/null || fail "self-signed cert does not verify"
  [[ $(count a "sign/verify") -eq 2 ]] || fail "expected exactly two chip signatures (CSR, self-signed)"
}

test_pkeyutl_derive() {
  provision a
  use_chip a
  openssl genpkey "${PROV[@]}" -propquery provider=maxq1061 -algorithm EC \
    -pkeyopt group:P-256 -pkeyopt id:0x0102 -out "$WORK/ref.pem" || fail "genpkey"
  openssl pkey "${PROV[@]}" -in "$WORK/ref.pem" -pubout -out "$WORK/chip-pub.pem"
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$WORK/peer.key"
  openssl pkey -in "$WORK/peer.key" -pubout -out "$WORK/peer-pub.pem"
  openssl pkeyutl "${PROV[@]}" -derive -inkey "$WORK/ref.pem" -peerkey "$WORK/peer-pub.pem" \
    -out "$WORK/s-chip" || fail "pkeyutl -derive with the chip key"
  openssl pkeyutl -derive -inkey "$WORK/peer.key" -peerkey "$WORK/chip-pub.pem" -out "$WORK/s-soft"
  [[ $(stat -c %s "$WORK/s-chip") -eq 32 ]] || fail "secret is not 32 bytes"
  cmp "$WORK/s-chip" "$WORK/s-soft" || fail "chip ECDH secret differs from software ECDH"
  [[ $(count a "key exchange") -eq 1 ]] || fail "expected one chip key exchange"
}

# `openssl rand` prints chip bytes when the chip's TRNG is the DRBG
# ([random] random = MAXQ1061-TRNG). With only -provider/-propquery flags,
# OpenSSL 3.0's rand command keeps its CTR-DRBG (the app's property query does
# not reach the DRBG), so the config is the way to get chip bytes.
test_rand() {
  provision a
  make_config direct
  local r1 r2 before
  before=$(count a "get challenge")
  r1=$(OPENSSL_CONF="$WORK/openssl.cnf" openssl rand -hex 32) || fail "openssl rand"
  r2=$(OPENSSL_CONF="$WORK/openssl.cnf" openssl rand -hex 32) || fail "openssl rand"
  [[ "$r1" =~ ^[0-9a-f]{64}$ ]] || fail "unexpected rand output '$r1'"
  [[ "$r1" != "$r2" ]] || fail "two rand calls returned the same bytes"
  [[ $(( $(count a "get challenge") - before )) -ge 2 ]] || fail "rand did not come from the chip"
}

test_private_key_export_refused() {
  provision a
  use_chip a
  openssl genpkey "${PROV[@]}" -propquery provider=maxq1061 -algorithm EC \
    -pkeyopt group:P-256 -pkeyopt id:0x0101 -out "$WORK/ref.pem" || fail "genpkey"
  openssl pkey "${PROV[@]}" -in "$WORK/ref.pem" -out "$WORK/x.pem" >"$WORK/out.txt" 2>&1 || true
  openssl pkey "${PROV[@]}" -in "$WORK/ref.pem" -text -noout >>"$WORK/out.txt" 2>&1 || true
  openssl pkey "${PROV[@]}" -in "$WORK/ref.pem" -outform DER -out "$WORK/x.der" >>"$WORK/out.txt" 2>&1 || true
  openssl pkcs8 "${PROV[@]}" -topk8 -nocrypt -in "$WORK/ref.pem" -out "$WORK/p8.pem" >>"$WORK/out.txt" 2>&1 || true
  cat "$WORK"/x.pem "$WORK"/p8.pem >>"$WORK/out.txt" 2>/dev/null || true
  ! grep -q "BEGIN PRIVATE KEY\|BEGIN EC PRIVATE KEY\|priv:" "$WORK/out.txt" ||
    { cat "$WORK/out.txt" >&2; fail "private key material was written"; }
  if [[ -s "$WORK/x.der" ]]; then
    ! openssl pkey -inform DER -in "$WORK/x.der" -noout 2>/dev/null || fail "DER private key written"
  fi
}

# The provider never writes to stdout, even tracing (MAXQ1061_DEBUG=1) or
# failing: s_client/s_server and `openssl rand` output must stay clean.
test_stdout_stays_clean() {
  provision a
  make_config direct
  MAXQ1061_DEBUG=1 OPENSSL_CONF="$WORK/openssl.cnf" openssl rand -hex 16 \
    >"$WORK/stdout" 2>"$WORK/stderr" || { cat "$WORK/stderr" >&2; fail "openssl rand"; }
  [[ "$(cat "$WORK/stdout")" =~ ^[0-9a-f]{32}$ ]] ||
    { cat "$WORK/stdout" >&2; fail "stdout holds more than the random bytes"; }
  expect_contains "$WORK/stderr" "maxq1061" "the debug trace (on stderr)"
  use_chip a
  MAXQ1061_DEBUG=1 openssl pkey "${PROV[@]}" -in maxq1061:id=0x0999 -pubout \
    >"$WORK/stdout" 2>"$WORK/stderr" && fail "loaded a missing key"
  [[ ! -s "$WORK/stdout" ]] || { cat "$WORK/stdout" >&2; fail "a failing load wrote to stdout"; }
  expect_contains "$WORK/stderr" "0x0999" "the error (on stderr)"
}
