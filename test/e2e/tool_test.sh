# maxq1061-tool: every subcommand, its JSON output and its error paths with
# their exit codes (0 ok, 1 failed, 2 usage, 3 device/key unusable).

unset MAXQ1061_KEY_IMPORT_KEY

# rc CMD... -> prints the exit status of CMD without tripping set -e.
rc() { local r=0; "$@" >"$WORK/out" 2>"$WORK/err" || r=$?; echo "$r"; }

test_tool_init_status_ping() {
  local dev="sim:$WORK/t.state"
  [[ $(rc "$TOOL" --device "$dev" init) -eq 0 ]] || fail "init"
  [[ -f "$WORK/t.state" ]] || fail "no state file"
  [[ $(stat -c %a "$WORK/t.state.admin.pem") == 600 ]] || fail "admin key is not mode 0600"
  [[ $(stat -c %a "$WORK/t.state.key-import.pem") == 600 ]] || fail "key-import key is not mode 0600"
  cmp -s "$WORK/t.state.admin.pem" "$WORK/t.state.key-import.pem" && fail "the two credentials are one key"
  expect_contains "$WORK/out" "t.state.admin.pem" "init prints the admin key path"
  expect_contains "$WORK/out" "t.state.key-import.pem" "init prints the key-import key path"
  [[ $(rc "$TOOL" --device "$dev" init) -eq 3 ]] || fail "init over an existing chip must fail with 3"
  expect_contains "$WORK/err" "t.state" "init refusal names the file"
  [[ $(rc "$TOOL" --device "$dev" status) -eq 0 ]] || fail "status"
  expect_contains "$WORK/out" "MAXQ1061" "product name"
  expect_contains "$WORK/out" "operational" "lifecycle"
  expect_contains "$WORK/out" "firmware     [0-9]*\.[0-9]*\.[0-9]*$" "firmware major.minor.revision"
  expect_contains "$WORK/out" "0xC3 (rev C3)" "hardware code"
  expect_contains "$WORK/out" "of 32768 bytes free" "memory"
  expect_contains "$WORK/out" "HOST condition required: no" "config: HOST condition"
  expect_contains "$WORK/out" "TERMINATED allowed: no" "config: TERMINATED"
  expect_contains "$WORK/out" "TLS master secret output: yes" "config: master secret output"
  expect_contains "$WORK/out" "factory reset: no" "sysconfig: factory reset"
  expect_contains "$WORK/out" "SIMULATED chip: its private keys are in the state file" \
    "status says the chip is simulated"
  [[ $(rc "$TOOL" --device "$dev" --json status) -eq 0 ]] || fail "status --json"
  grep -Eq '"serial":"[0-9a-f]{48}"' "$WORK/out" || fail "status --json has no 24-byte serial"
  expect_contains "$WORK/out" '"hardware_code":195' "json hardware code"
  expect_contains "$WORK/out" '"simulated":true' "json simulated"
  expect_contains "$WORK/out" '"total_memory":32768' "json memory"
  expect_contains "$WORK/out" '"host_condition_required":"no"' "json config"
  # The SDK's ping pattern gives the protocol document's frames byte for byte.
  [[ $(MAXQ1061_DEBUG=frames rc "$TOOL" --device "$dev" ping --size 4) -eq 0 ]] || fail "ping --size 4"
  expect_contains "$WORK/err" "> AA 00 F7 00 04 00 01 02 03 E1 09" "the published ping request"
  expect_contains "$WORK/err" "< 55 00 00 00 04 00 01 02 03 22 32" "the published ping answer"
  [[ $(rc "$TOOL" --device "$dev" ping --size 2048) -eq 0 ]] || fail "ping of the SDK's largest size"
  [[ $(rc "$TOOL" --device "$dev" ping --size 2049) -eq 2 ]] || fail "ping beyond 2048 must be a usage error"
  [[ $(rc "$TOOL" --device "$dev" ping --size 100) -eq 0 ]] || fail "ping"
  [[ $(rc "$TOOL" --device "$dev" --json ping) -eq 0 ]] || fail "ping --json"
  expect_contains "$WORK/out" '"echo_ok":true' "ping echo"
  [[ $(rc "$TOOL" --device "$dev" ping --size 0) -eq 2 ]] || fail "ping --size 0 must be a usage error"
  [[ $(rc "$TOOL" --device "sim:$WORK/none.state" status) -eq 3 ]] || fail "status on a missing chip must exit 3"
  expect_contains "$WORK/err" "none.state" "missing chip error names the file"
  [[ $(rc "$TOOL" --device "bogus:x" status) -eq 3 ]] || fail "bad device string must exit 3"
  [[ $(rc "$TOOL" --device "$dev" init --json --admin-key-out "$WORK/k.pem") -eq 3 ]] || fail "re-init"
}

test_tool_genkey_list_pubkey_delete() {
  local dev="sim:$WORK/t.state"
  "$TOOL" --device "$dev" init >/dev/null
  [[ $(rc "$TOOL" --device "$dev" genkey --id 0x0101 --curve P-384 --out "$WORK/ref.pem") -eq 0 ]] || fail "genkey"
  expect_contains "$WORK/ref.pem" "BEGIN MAXQ1061 KEY REFERENCE" "genkey --out writes a key reference"
  MAXQ1061_DEVICE="$dev" openssl pkey "${PROV[@]}" -in "$WORK/ref.pem" -pubout -out "$WORK/ref-pub.pem" ||
    fail "the provider cannot read the tool's key reference"
  [[ $(rc "$TOOL" --device "$dev" genkey --id 0x0101) -eq 1 ]] || fail "genkey on an existing id must exit 1"
  expect_contains "$WORK/err" "0x0101" "exists error names the id"
  [[ $(rc "$TOOL" --device "$dev" genkey --id 0x0102 --curve secp256k1) -eq 2 ]] || fail "bad curve is a usage error"
  [[ $(rc "$TOOL" --device "$dev" genkey --id zz) -eq 2 ]] || fail "bad id is a usage error"
  [[ $(rc "$TOOL" --device "$dev" genkey) -eq 2 ]] || fail "missing --id is a usage error"
  [[ $(rc "$TOOL" --device "$dev" list) -eq 0 ]] || fail "list"
  expect_contains "$WORK/out" \
    "0x0101 *key-pair *persistent *initialised *144 *P-384 *x=rx,a=wdg *ecc data-signature/" \
    "list shows the new key: capacity 3 x 48, curve, access in the SDK syntax, usage"
  expect_contains "$WORK/out" "0x1000 *public-key *persistent *initialised *64 *P-256 .*key-import" \
    "list shows the key-import key"
  expect_contains "$WORK/out" "0x1001 *public-key *persistent *initialised *64 *P-256 .*admin-authentication" \
    "list shows the admin key"
  [[ $(rc "$TOOL" --device "$dev" --json list) -eq 0 ]] || fail "list --json"
  expect_contains "$WORK/out" '"id":"0x0101","type":"key-pair","properties":"persistent"' "json list"
  expect_contains "$WORK/out" '"state":"initialised","capacity":144,"curve":"P-384"' "json list: state, capacity, curve"
  expect_contains "$WORK/out" '"access_rules":"x=rx,a=wdg:x=rx,a=wdg:x=rx,a=wdg"' "json list: rules of every state"
  [[ $(rc "$TOOL" --device "$dev" pubkey --id 0x0101) -eq 0 ]] || fail "pubkey"
  cmp "$WORK/out" "$WORK/ref-pub.pem" || fail "pubkey differs from the key reference's public key"
  openssl pkey -pubin -in "$WORK/out" -text -noout | grep -q "secp384r1\|P-384" || fail "pubkey PEM is not P-384"
  [[ $(rc "$TOOL" --device "$dev" pubkey --id 0x0777) -eq 1 ]] || fail "pubkey of a missing id must exit 1"
  expect_contains "$WORK/err" "0x0777" "not-found error names the id"
  # Deleting needs the admin key.
  [[ $(rc "$TOOL" --device "$dev" --admin-key "$WORK/nokey.pem" delete --id 0x0101) -eq 3 ]] ||
    fail "delete with a missing admin key must exit 3"
  expect_contains "$WORK/err" "nokey.pem" "admin key error names the file"
  [[ $(rc "$TOOL" --device "$dev" delete --id 0x0101) -eq 0 ]] || fail "delete"
  [[ $(rc "$TOOL" --device "$dev" delete --id 0x0101) -eq 1 ]] || fail "second delete must exit 1"
  [[ $(rc "$TOOL" --device "$dev" delete --id 0x1000) -eq 2 ]] || fail "deleting the key-import key must be refused"
  # --out is checked before the chip is touched: nothing is created.
  [[ $(rc "$TOOL" --device "$dev" genkey --id 0x0103 --out "$WORK/no/such/dir/ref.pem") -eq 2 ]] ||
    fail "an unwritable --out must be a usage error"
  "$TOOL" --device "$dev" list | grep -q "^0x0103" && fail "genkey with a bad --out created an object"
  true
}

test_tool_credentials() {
  local dev="sim:$WORK/t.state"
  "$TOOL" --device "$dev" init >/dev/null
  # A missing key-import key: exit 3, naming the file, the option, the variable, the config key.
  [[ $(rc "$TOOL" --device "$dev" --key-import-key "$WORK/nokey.pem" genkey --id 0x0101) -eq 3 ]] ||
    fail "genkey with a missing key-import key must exit 3"
  expect_contains "$WORK/err" "nokey.pem" "names the file"
  expect_contains "$WORK/err" "--key-import-key" "names the option"
  expect_contains "$WORK/err" "MAXQ1061_KEY_IMPORT_KEY" "names the environment variable"
  expect_contains "$WORK/err" "key-import-key" "names the config key"
  "$TOOL" --device "$dev" list | grep -q "^0x0101" && fail "genkey without its key touched the chip"
  # The environment variable, the same way.
  [[ $(MAXQ1061_KEY_IMPORT_KEY="$WORK/nokey2.pem" rc "$TOOL" --device "$dev" import-cert --id 0x0201 "$WORK/t.state.admin.pem") -ne 0 ]] ||
    fail "import-cert of a key file must fail"
  make_ca
  [[ $(MAXQ1061_KEY_IMPORT_KEY="$WORK/nokey2.pem" rc "$TOOL" --device "$dev" import-cert --id 0x0201 "$WORK/ca.pem") -eq 3 ]] ||
    fail "import-cert with a missing key-import key must exit 3"
  expect_contains "$WORK/err" "nokey2.pem" "names the file from the environment"
  # Not a usable key: a file that is no P-256 private key.
  [[ $(rc "$TOOL" --device "$dev" --key-import-key "$WORK/ca.pem" genkey --id 0x0101) -eq 3 ]] ||
    fail "a certificate as key-import key must exit 3"
  expect_contains "$WORK/err" "ca.pem" "names the unusable file"
  # Another chip's key: the chip refuses the signature; no half-made object stays.
  "$TOOL" --device "sim:$WORK/u.state" init >/dev/null
  [[ $(rc "$TOOL" --device "$dev" --key-import-key "$WORK/u.state.key-import.pem" genkey --id 0x0101) -eq 3 ]] ||
    fail "genkey with another chip's key-import key must exit 3"
  expect_contains "$WORK/err" "u.state.key-import.pem" "names the refused key file"
  expect_contains "$WORK/err" "0x1000" "names the object the key must match"
  expect_contains "$WORK/err" "half-made object 0x0101 was deleted" "cleans up the created object"
  "$TOOL" --device "$dev" list | grep -q "^0x0101" && fail "a half-made object stayed on the chip"
  [[ $(rc "$TOOL" --device "$dev" --key-import-key "$WORK/u.state.key-import.pem" import-cert --id 0x0201 "$WORK/ca.pem") -eq 3 ]] ||
    fail "import-cert with another chip's key-import key must exit 3"
  "$TOOL" --device "$dev" list | grep -q "^0x0201" && fail "a half-made certificate object stayed"
  # Another chip's admin key: the login is refused before anything is created.
  [[ $(rc "$TOOL" --device "$dev" --admin-key "$WORK/u.state.admin.pem" genkey --id 0x0101) -eq 3 ]] ||
    fail "genkey with another chip's admin key must exit 3"
  expect_contains "$WORK/err" "u.state.admin.pem" "names the refused admin key"
  expect_contains "$WORK/err" "--admin-key" "names the admin key option"
  # A device with no default credentials: the error says how to name them.
  [[ $(rc "$TOOL" --device "unix:$WORK/none.sock" delete --id 0x0101) -eq 3 ]] ||
    fail "delete with no admin key must exit 3"
  expect_contains "$WORK/err" "MAXQ1061_ADMIN_KEY" "names the admin key variable"
  # Both keys given explicitly work.
  [[ $(rc "$TOOL" --device "$dev" --admin-key "$WORK/t.state.admin.pem" \
    --key-import-key "$WORK/t.state.key-import.pem" genkey --id 0x0101) -eq 0 ]] || fail "genkey with explicit keys"
  true
}

test_tool_import_cert_and_stats() {
  local dev="sim:$WORK/t.state"
  "$TOOL" --device "$dev" init >/dev/null
  make_ca
  [[ $(rc "$TOOL" --device "$dev" import-cert --id 0x0201 "$WORK/ca.pem") -eq 0 ]] || fail "import-cert"
  expect_contains "$WORK/out" "maxq1061:id=0x0201;type=cert" "import-cert prints the URI"
  local der_size
  der_size=$(openssl x509 -in "$WORK/ca.pem" -outform DER | wc -c)
  [[ $(rc "$TOOL" --device "$dev" list) -eq 0 ]] || fail "list"
  expect_contains "$WORK/out" "0x0201 *certificate *persistent *initialised *$((24 + der_size)) *P-256 *x=r" \
    "list shows the certificate: 24-byte header + DER, the certified key's curve"
  # Certificates of keys the chip cannot hold are refused before the chip is touched.
  openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=rsa -keyout "$WORK/rsa.key" \
    -out "$WORK/rsa.pem" 2>/dev/null || fail "cannot make an RSA certificate"
  [[ $(rc "$TOOL" --device "$dev" import-cert --id 0x0203 "$WORK/rsa.pem") -eq 1 ]] || fail "RSA certificate must exit 1"
  expect_contains "$WORK/err" "RSA, not EC" "says the key is not EC"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:secp256k1 -nodes -days 1 -subj /CN=k1 \
    -keyout "$WORK/k1.key" -out "$WORK/k1.pem" 2>/dev/null || fail "cannot make a secp256k1 certificate"
  [[ $(rc "$TOOL" --device "$dev" import-cert --id 0x0203 "$WORK/k1.pem") -eq 1 ]] || fail "secp256k1 certificate must exit 1"
  expect_contains "$WORK/err" "secp256k1" "names the curve"
  "$TOOL" --device "$dev" list | grep -q "^0x0203" && fail "a refused certificate created an object"
  echo "not a certificate" >"$WORK/junk.pem"
  [[ $(rc "$TOOL" --device "$dev" import-cert --id 0x0202 "$WORK/junk.pem") -eq 1 ]] || fail "junk cert must exit 1"
  expect_contains "$WORK/err" "junk.pem" "error names the file"
  [[ $(rc "$TOOL" --device "$dev" import-cert --id 0x0202) -eq 2 ]] || fail "missing FILE is a usage error"
  [[ $(rc "$TOOL" --device "$dev" --json stats) -eq 0 ]] || fail "stats"
  expect_contains "$WORK/out" '"import root certificate":1' "stats counts the certificate import"
  # The stored certificate loads back through the provider's store.
  use_chip t
  openssl x509 "${PROV[@]}" -in "maxq1061:id=0x0201;type=cert" -noout -subject >"$WORK/subj" 2>&1 ||
    { cat "$WORK/subj" >&2; fail "certificate not loadable by URI"; }
  expect_contains "$WORK/subj" "maxq1061 e2e test CA" "certificate subject"
  # The same DER comes back, through the store too.
  openssl storeutl "${PROV[@]}" -certs "maxq1061:id=0x0201;type=cert" >"$WORK/stored.txt" 2>&1 ||
    { cat "$WORK/stored.txt" >&2; fail "storeutl cannot load the certificate"; }
  openssl x509 -in "$WORK/stored.txt" -outform DER -out "$WORK/stored.der" ||
    fail "storeutl printed no certificate"
  openssl x509 -in "$WORK/ca.pem" -outform DER | cmp -s - "$WORK/stored.der" ||
    fail "the certificate read back differs from the one imported"
}

test_tool_help() {
  [[ $(rc "$TOOL" --help) -eq 0 ]] || fail "--help"
  local c
  expect_contains "$WORK/out" "--key-import-key" "help names the key-import key option"
  expect_contains "$WORK/out" "0x1000" "help says what the key-import key matches"
  expect_contains "$WORK/out" "MAXQ1061_KEY_IMPORT_KEY" "help names the key-import key variable"
  expect_contains "$WORK/out" "MAXQ1061_ADMIN_KEY" "help names the admin key variable"
  [[ $(rc "$TOOL" genkey --help) -eq 0 ]] || fail "genkey --help"
  expect_contains "$WORK/out" "--key-import-key" "genkey --help lists the key-import key option"
  for c in init status ping list genkey import-cert delete pubkey stats; do
    [[ $(rc "$TOOL" "$c" --help) -eq 0 ]] || fail "$c --help"
    expect_contains "$WORK/out" "usage: maxq1061-tool $c" "$c usage"
  done
  [[ $(rc "$TOOL" frobnicate) -eq 2 ]] || fail "unknown command must exit 2"
  [[ $(rc "$TOOL" status --bogus) -eq 2 ]] || fail "unknown option must exit 2"
  [[ $(rc "$TOOL") -eq 2 ]] || fail "no command must exit 2"
}

# Ids, output paths and the device are checked before the chip is touched; a
# half-made key is never left behind by a signal; errors name their cause.
test_tool_hardening() {
  local dev="sim:$WORK/h.state"
  # No device given and none in the environment: an error, never a default chip.
  [[ $(HOME="$WORK/home" XDG_STATE_HOME="$WORK/xdg" rc "$TOOL" status) -eq 3 ]] ||
    fail "no device must exit 3"
  expect_contains "$WORK/err" "MAXQ1061_DEVICE" "no-device error names the variable"
  expect_contains "$WORK/err" "maxq1061-tool init --device sim:PATH" "no-device error names the command"
  [[ -e "$WORK/home/.local" || -e "$WORK/xdg/maxq1061" ]] && fail "a default chip was made"
  "$TOOL" --device "$dev" init >/dev/null
  total() { "$TOOL" --device "$dev" --json stats | grep -o '"total_commands":[0-9]*' | cut -d: -f2; }
  local before
  before=$(total)
  [[ $(rc "$TOOL" --device "$dev" genkey --id 0) -eq 2 ]] || fail "--id 0 must be a usage error"
  expect_contains "$WORK/err" "out of range" "--id 0 refusal says why"
  [[ $(rc "$TOOL" --device "$dev" genkey --id 0x10000) -eq 2 ]] || fail "--id 0x10000 must be a usage error"
  [[ $(rc "$TOOL" --device "$dev" genkey --id 0x0101 --out /nonexistent/x) -eq 2 ]] ||
    fail "--out /nonexistent/x must be a usage error"
  expect_contains "$WORK/err" "/nonexistent" "--out refusal names the path"
  # One id rule with maxq1061: URIs and -pkeyopt id: (wire/object_id.h): a
  # leading zero is ambiguous (octal 0x0041? hex 0x0101?) and refused, saying
  # what to write instead; reserved ids cannot take a new key.
  for cmd in "genkey --id 0101" "pubkey --id 0101" "delete --id 0101"; do
    # shellcheck disable=SC2086
    [[ $(rc "$TOOL" --device "$dev" $cmd) -eq 2 ]] || fail "$cmd must be a usage error"
    expect_contains "$WORK/err" "ambiguous" "$cmd refusal says why"
    expect_contains "$WORK/err" "0x101 for hex" "$cmd refusal says what to write"
  done
  [[ $(rc "$TOOL" --device "$dev" genkey --id 0x1001) -eq 2 ]] || fail "--id 0x1001 must be refused"
  expect_contains "$WORK/err" "reserved" "reserved id refusal says why"
  [[ $(rc "$TOOL" --device "$dev" genkey --id 0xff00) -eq 2 ]] || fail "--id 0xff00 must be refused"
  [[ $(total) -eq "$before" ]] || fail "a refused genkey sent chip commands"
  "$TOOL" --device "$dev" list | grep -q "^0x0041\|^0x0065\|^0x0101" && fail "0101 reached the chip"
  # Decimal without a leading zero is the same object as its hex form.
  [[ $(rc "$TOOL" --device "$dev" genkey --id 257) -eq 0 ]] || fail "genkey --id 257"
  expect_contains "$WORK/out" "object 0x0101" "257 is 0x0101"
  # SIGTERM in the middle of a slow generation (latency model): the key is
  # made whole or not at all, never an empty object that blocks its id.
  local slow="$dev,latency=modelled"
  "$TOOL" --device "$slow" genkey --id 0x0202 --curve P-384 >/dev/null 2>&1 &
  local pid=$!
  sleep 0.3
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" || true
  if "$TOOL" --device "$dev" list | grep -q "^0x0202"; then
    [[ $(rc "$TOOL" --device "$dev" pubkey --id 0x0202) -eq 0 ]] ||
      fail "SIGTERM left a half-made object 0x0202"
  fi
  # An object that is not a key pair: the reason, not only "Could not read key".
  MAXQ1061_DEVICE="$dev" openssl pkey "${PROV[@]}" -in maxq1061:id=0x1001 >"$WORK/out" 2>&1 && fail "read a private key of 0x1001"
  expect_contains "$WORK/out" "is a public key (the admin key), not a key pair" \
    "pkey -in 0x1001 says why"
  true
}
