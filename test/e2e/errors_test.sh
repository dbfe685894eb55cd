# Negative paths: each must fail with a clear message and leave state intact.

test_unknown_object_id() {
  provision a
  use_chip a
  openssl pkey "${PROV[@]}" -in maxq1061:id=0x0999 -pubout >"$WORK/out" 2>&1 && fail "loaded a missing key"
  expect_contains "$WORK/out" "0x0999" "error names the id"
}

test_malformed_uri() {
  provision a
  use_chip a
  local uri
  for uri in "maxq1061:id=zzz" "maxq1061:id=0x10000" "maxq1061:" "maxq1061:id=0x0101;type=bogus"; do
    openssl pkey "${PROV[@]}" -in "$uri" -pubout >"$WORK/out" 2>&1 && fail "accepted $uri"
    expect_contains "$WORK/out" "maxq1061:id=" "error shows the accepted URI form for $uri"
  done
}

test_reference_for_other_chip() {
  provision a
  provision b
  use_chip a
  openssl genpkey "${PROV[@]}" -propquery provider=maxq1061 -algorithm EC -pkeyopt group:P-256 \
    -pkeyopt id:0x0101 -out "$WORK/ref.pem" || fail "genpkey"
  use_chip b
  echo data >"$WORK/data"
  openssl pkeyutl "${PROV[@]}" -sign -inkey "$WORK/ref.pem" -rawin -digest sha256 -in "$WORK/data" \
    -out "$WORK/sig" >"$WORK/out" 2>&1 && fail "signed with a reference of another chip"
  expect_contains "$WORK/out" "another chip" "error explains the chip mismatch"
  [[ $(count b "sign/verify") -eq 0 ]] || fail "chip b was asked to sign with a key it does not hold"
}

# verify-signatures: a value the provider does not know is reported, with the
# accepted values, by the first operation that needs the chip; "always" signs
# as usual.
test_verify_signatures_setting() {
  provision a
  make_config identity
  unset MAXQ1061_DEVICE
  echo data >"$WORK/data"
  sed -i 's|^# verify-signatures = .*|verify-signatures = sometimes|' "$WORK/openssl.cnf"
  OPENSSL_CONF="$WORK/openssl.cnf" openssl pkey -in maxq1061:id=0x0101 -pubout \
    >"$WORK/out" 2>&1 && fail "used the chip with verify-signatures = sometimes"
  expect_contains "$WORK/out" "verify-signatures: 'sometimes' is not one of always, after-damage, never" \
    "error names the key and the accepted values"
  expect_contains "$WORK/out" "maxq1061 provider configuration error" "the reason"
  sed -i 's|^verify-signatures = .*|verify-signatures = always|' "$WORK/openssl.cnf"
  OPENSSL_CONF="$WORK/openssl.cnf" openssl genpkey -propquery provider=maxq1061 -algorithm EC \
    -pkeyopt group:P-256 -pkeyopt id:0x0101 -out "$WORK/ref.pem" || fail "genpkey"
  OPENSSL_CONF="$WORK/openssl.cnf" openssl pkeyutl -sign -inkey "$WORK/ref.pem" -rawin \
    -digest sha256 -in "$WORK/data" -out "$WORK/sig" || fail "sign with verify-signatures = always"
  OPENSSL_CONF="$WORK/openssl.cnf" openssl pkey -in "$WORK/ref.pem" -pubout -out "$WORK/pub.pem" ||
    fail "public key"
  openssl pkeyutl -verify -pubin -inkey "$WORK/pub.pem" -rawin -digest sha256 -in "$WORK/data" \
    -sigfile "$WORK/sig" >/dev/null || fail "the signature does not verify"
}

# A key reference made before its object's key was generated again: the first
# signature is checked against the reference's point, and the mismatch is an
# error that says what happened and how to get a current reference.
test_stale_reference_refused() {
  provision a
  use_chip a
  echo data >"$WORK/data"
  openssl genpkey "${PROV[@]}" -propquery provider=maxq1061 -algorithm EC -pkeyopt group:P-256 \
    -pkeyopt id:0x0101 -out "$WORK/old.ref.pem" || fail "genpkey"
  "$TOOL" --device "sim:$WORK/a.state" delete --id 0x0101 >/dev/null || fail "delete"
  openssl genpkey "${PROV[@]}" -propquery provider=maxq1061 -algorithm EC -pkeyopt group:P-256 \
    -pkeyopt id:0x0101 -out "$WORK/new.ref.pem" || fail "genpkey again"
  openssl pkeyutl "${PROV[@]}" -sign -inkey "$WORK/old.ref.pem" -rawin -digest sha256 \
    -in "$WORK/data" -out "$WORK/sig" >"$WORK/out" 2>&1 && fail "signed with a stale reference"
  expect_contains "$WORK/out" "object holds another key than the reference" "the reason"
  expect_contains "$WORK/out" "object 0x0101 holds a different key" "error explains the mismatch"
  expect_contains "$WORK/out" "openssl pkey -provider maxq1061 -in maxq1061:id=0x0101 -out ref.pem" \
    "error says how to write a current reference"
  # That command works, and writes a reference that signs.
  openssl pkey "${PROV[@]}" -in maxq1061:id=0x0101 -out "$WORK/ref.pem" || fail "pkey -out ref.pem"
  cmp -s "$WORK/ref.pem" "$WORK/new.ref.pem" || fail "the written reference differs from genpkey's"
  openssl pkeyutl "${PROV[@]}" -sign -inkey "$WORK/ref.pem" -rawin -digest sha256 \
    -in "$WORK/data" -out "$WORK/sig" || fail "sign with the current reference"
}

test_wrong_curve() {
  provision a
  use_chip a
  openssl genpkey "${PROV[@]}" -propquery provider=maxq1061 -algorithm EC -pkeyopt group:secp256k1 \
    -out "$WORK/ref.pem" >"$WORK/out" 2>&1 && fail "generated a key on an unsupported curve"
  expect_contains "$WORK/out" "secp256k1" "error names the curve"
}

test_missing_state_file() {
  export MAXQ1061_DEVICE="sim:$WORK/none.state"
  openssl pkey "${PROV[@]}" -in maxq1061:id=0x0101 -pubout >"$WORK/out" 2>&1 && fail "loaded a key without a chip"
  expect_contains "$WORK/out" "none.state" "error names the state file"
  expect_contains "$WORK/out" "init" "error says how to create a chip"
  [[ ! -e "$WORK/none.state" ]] || fail "a missing state file was created silently"
}

test_corrupt_state_file() {
  provision a
  use_chip a
  truncate -s 40 "$WORK/a.state"
  cp "$WORK/a.state" "$WORK/a.copy"
  openssl pkey "${PROV[@]}" -in maxq1061:id=0x0101 -pubout >"$WORK/out" 2>&1 && fail "used a corrupt state file"
  expect_contains "$WORK/out" "a.state" "error names the state file"
  cmp "$WORK/a.state" "$WORK/a.copy" || fail "the corrupt state file was modified"
}

test_keygen_without_admin_key() {
  provision a
  use_chip a
  rm "$WORK/a.state.admin.pem"
  openssl genpkey "${PROV[@]}" -propquery provider=maxq1061 -algorithm EC -pkeyopt group:P-256 \
    -pkeyopt id:0x0101 -out "$WORK/ref.pem" >"$WORK/out" 2>&1 && fail "generated a key without the admin key"
  expect_contains "$WORK/out" "admin" "error mentions the admin key"
}
