# What a chip key must not break in the openssl binary: TLS group names,
# digests and input sizes for signing, clear refusals to export, the public
# half with only this provider loaded, and the full-offload profile leaving
# software key generation alone.

# compat_key: chip a with the key 0x0101 (P-256), its reference and public key.
compat_key() {
  provision a
  use_chip a
  openssl genpkey "${PROV[@]}" -propquery provider=maxq1061 -algorithm EC \
    -pkeyopt group:P-256 -pkeyopt id:0x0101 -out "$WORK/ref.pem" || fail "genpkey"
  "$TOOL" --device "sim:$WORK/a.state" pubkey --id 0x0101 >"$WORK/pub.pem" || fail "pubkey"
}

# Every name OpenSSL's default provider gives the chip's curves works in a
# group list once the provider is loaded: libssl then takes the EC groups from
# this provider (profile B), or from the default provider (profile A).
test_group_names_with_provider() {
  provision a
  make_ca
  chip_key_cert a 0x0101 P-256 client
  soft_key_cert server
  local profile name before
  for profile in identity full; do
    make_config "$profile"
    for name in P-256 secp256r1 prime256v1 P-384 secp384r1; do
      before=$(count a "sign/verify")
      start_server "$WORK/server.out" -cert "$WORK/server.pem" -key "$WORK/server.key" -Verify 1 \
        -CAfile "$WORK/ca.pem" -verify_return_error -tls1_3 -groups "$name"
      http_get | OPENSSL_CONF="$WORK/openssl.cnf" MAXQ1061_DEVICE="sim:$WORK/a.state" \
        openssl s_client -ign_eof -connect "127.0.0.1:$PORT" -groups "$name" \
        -cert "$WORK/client.pem" -key "$WORK/client.ref.pem" -CAfile "$WORK/ca.pem" \
        -verify_return_error -tls1_3 -brief >"$WORK/client.out" 2>&1 ||
        { cat "$WORK/client.out" "$WORK/server.out" >&2; fail "-groups $name, profile $profile"; }
      wait_server || { cat "$WORK/server.out" >&2; fail "s_server (-groups $name)"; }
      expect_contains "$WORK/client.out" "CONNECTION ESTABLISHED" "-groups $name, profile $profile"
      [[ $(( $(count a "sign/verify") - before )) -eq 1 ]] || fail "-groups $name: one chip signature"
    done
  done
  # The shipped profile B sets `Groups = P-256:P-384` in its ssl_conf section:
  # the handshake above used it for every name the command line did not override.
  grep -q "^Groups = P-256:P-384" "$WORK/openssl.cnf" || fail "openssl.cnf.example's Groups line"
}

# dgst signs with any digest OpenSSL's own ECDSA takes (SHA-1, SHA-2, SHA-3).
test_dgst_digests() {
  compat_key
  echo "data to sign" >"$WORK/data"
  local d
  for d in sha256 sha384 sha512 sha3-256 sha3-512 sha512-256 sha1; do
    openssl dgst "${PROV[@]}" "-$d" -sign "$WORK/ref.pem" -out "$WORK/sig" "$WORK/data" ||
      fail "dgst -$d -sign"
    openssl dgst "-$d" -verify "$WORK/pub.pem" -signature "$WORK/sig" "$WORK/data" >/dev/null ||
      fail "the -$d signature does not verify"
  done
  [[ $(count a "sign/verify") -eq 7 ]] || fail "expected 7 chip signatures"
  # What software ECDSA refuses, the chip key refuses too, saying so.
  openssl dgst "${PROV[@]}" -md5 -sign "$WORK/ref.pem" -out "$WORK/sig" "$WORK/data" \
    >"$WORK/md5.out" 2>&1 && fail "dgst -md5 -sign succeeded"
  expect_contains "$WORK/md5.out" "SHA-1, SHA-2 or SHA-3" "the refusal of MD5"
}

# pkeyutl -sign over input that is not a digest's size: ECDSA uses the
# leftmost bits of a longer input and pads a shorter one (bits2int), on the
# chip as in software, so software verifies what the chip signed. (pkeyutl
# itself refuses more than 64 bytes without -rawin, for any key.)
test_pkeyutl_sign_any_length() {
  compat_key
  local n
  for n in 1 16 19 20 33 48 64; do
    head -c "$n" /dev/urandom >"$WORK/in"
    openssl pkeyutl "${PROV[@]}" -sign -inkey "$WORK/ref.pem" -in "$WORK/in" -out "$WORK/sig" ||
      fail "pkeyutl -sign over $n bytes"
    openssl pkeyutl -verify -pubin -inkey "$WORK/pub.pem" -in "$WORK/in" -sigfile "$WORK/sig" \
      >/dev/null || fail "the signature over $n bytes does not verify"
  done
}

# PKCS#8 and PKCS#12 need the private key: refused, saying why and what to
# do; pkcs12 writes no file. (openssl pkcs8 opens its output before it reads
# the key, so it leaves an empty file behind: OpenSSL's own behaviour.)
test_pkcs8_pkcs12_refused() {
  provision a
  make_ca
  chip_key_cert a 0x0101 P-256 client
  openssl pkcs12 "${PROV[@]}" -export -in "$WORK/client.pem" -inkey "$WORK/client.ref.pem" \
    -passout pass:x -out "$WORK/client.p12" >"$WORK/p12.out" 2>&1 && fail "pkcs12 -export succeeded"
  expect_contains "$WORK/p12.out" "never leaves the chip" "pkcs12's error"
  expect_contains "$WORK/p12.out" "pkcs12 -export -nokeys" "what to do instead"
  [[ ! -e "$WORK/client.p12" ]] || fail "pkcs12 -export left $WORK/client.p12"
  # The certificate alone, as the message says.
  openssl pkcs12 -export -nokeys -in "$WORK/client.pem" -passout pass:x -out "$WORK/cert.p12" ||
    fail "pkcs12 -export -nokeys"
  openssl pkcs8 "${PROV[@]}" -topk8 -nocrypt -in "$WORK/client.ref.pem" -out "$WORK/p8.pem" \
    >"$WORK/p8.out" 2>&1 && fail "pkcs8 -topk8 succeeded"
  expect_contains "$WORK/p8.out" "never leaves the chip" "pkcs8's error"
  [[ ! -s "$WORK/p8.pem" ]] || fail "pkcs8 wrote something"
}

# With only this provider loaded, the public half and a text dump (by URI; a
# file needs OpenSSL's file loader, in the base provider).
test_public_half_provider_only() {
  compat_key
  local only=(-provider-path "$MAXQ_BUILD/provider" -provider maxq1061)
  openssl pkey "${only[@]}" -in maxq1061:id=0x0101 -pubout -out "$WORK/only.pem" ||
    fail "pkey -pubout with only the maxq1061 provider"
  cmp "$WORK/only.pem" "$WORK/pub.pem" || fail "the public key differs from the chip's"
  openssl pkey "${only[@]}" -in maxq1061:id=0x0101 -text -noout >"$WORK/text" ||
    fail "pkey -text with only the maxq1061 provider"
  expect_contains "$WORK/text" "NIST CURVE: P-256" "the public half"
  expect_contains "$WORK/text" "object 0x0101 on the chip" "where the key is"
  ! grep -q "priv:" "$WORK/text" || fail "pkey -text printed a private key"
  openssl pkey "${only[@]}" -provider base -in "$WORK/ref.pem" -pubout -out "$WORK/base.pem" ||
    fail "pkey -pubout of a reference file with the base provider"
  cmp "$WORK/base.pem" "$WORK/pub.pem" || fail "the public key differs from the chip's"
  # With the default provider too, -text still prints no private key.
  openssl pkey "${PROV[@]}" -in "$WORK/ref.pem" -text -noout >"$WORK/text2" || fail "pkey -text"
  expect_contains "$WORK/text2" "object 0x0101 on the chip" "where the key is"
  ! grep -q "priv:" "$WORK/text2" || fail "pkey -text printed a private key"
}

# Profile B prefers the provider for every EC operation: ordinary software
# key generation still writes ordinary key files and touches no chip.
test_full_profile_software_keygen() {
  provision a
  make_config full
  local gens
  gens=$(count a "import key")
  OPENSSL_CONF="$WORK/openssl.cnf" openssl genpkey -algorithm EC \
    -pkeyopt ec_paramgen_curve:P-256 -out "$WORK/soft.key" || fail "genpkey -algorithm EC"
  expect_contains "$WORK/soft.key" "BEGIN PRIVATE KEY" "a software key file"
  OPENSSL_CONF="$WORK/openssl.cnf" openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-384 \
    -nodes -subj /CN=soft -keyout "$WORK/req.key" -out "$WORK/req.csr" || fail "req -newkey ec"
  expect_contains "$WORK/req.key" "BEGIN PRIVATE KEY" "req's key file"
  openssl req -verify -in "$WORK/req.csr" -noout 2>/dev/null || fail "the CSR does not verify"
  [[ $(count a "import key") -eq $gens ]] || fail "software key generation went to the chip"
  [[ $(count a "sign/verify") -eq 0 ]] || fail "a software key signed on the chip"
  # A key on the chip still needs its id, under any profile.
  OPENSSL_CONF="$WORK/openssl.cnf" openssl genpkey -algorithm EC -pkeyopt group:P-256 \
    -pkeyopt id:0x0102 -out "$WORK/chip.ref.pem" || fail "genpkey with an id under profile B"
  expect_contains "$WORK/chip.ref.pem" "BEGIN MAXQ1061 KEY REFERENCE" "a chip key reference"
}

# A program that passes its own property query naming the provider property
# (stunnel passes "provider!=fips") overrides profile B's preference in
# libssl: its ECDHE stays in software; the identity key still signs on the chip.
test_full_profile_own_propquery() {
  provision a
  make_ca
  chip_key_cert a 0x0101 P-256 client
  soft_key_cert server
  make_config full
  local sign kex
  sign=$(count a "sign/verify")
  kex=$(count a "key exchange")
  start_server "$WORK/server.out" -cert "$WORK/server.pem" -key "$WORK/server.key" -Verify 1 \
    -CAfile "$WORK/ca.pem" -verify_return_error -tls1_3
  http_get | OPENSSL_CONF="$WORK/openssl.cnf" MAXQ1061_DEVICE="sim:$WORK/a.state" \
    openssl s_client -propquery 'provider!=fips' -ign_eof -connect "127.0.0.1:$PORT" \
    -cert "$WORK/client.pem" -key "$WORK/client.ref.pem" -CAfile "$WORK/ca.pem" \
    -verify_return_error -tls1_3 -brief >"$WORK/client.out" 2>&1 ||
    { cat "$WORK/client.out" "$WORK/server.out" >&2; fail "s_client -propquery provider!=fips"; }
  wait_server || { cat "$WORK/server.out" >&2; fail "s_server"; }
  [[ $(( $(count a "sign/verify") - sign )) -eq 1 ]] || fail "expected one chip signature"
  [[ $(( $(count a "key exchange") - kex )) -eq 0 ]] ||
    fail "ECDHE went to the chip although the program's property query overrides profile B"
}
