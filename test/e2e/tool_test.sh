# maxq1061-tool: every subcommand, its JSON output and its error paths with
# their exit codes (0 ok, 1 failed, 2 usage, 3 device/key unusable).

# rc CMD... -> prints the exit status of CMD without tripping set -e.
rc() { local r=0; "$@" >"$WORK/out" 2>"$WORK/err" || r=$?; echo "$r"; }

test_tool_init_status_ping() {
  local dev="sim:$WORK/t.state"
  [[ $(rc "$TOOL" --device "$dev" init) -eq 0 ]] || fail "init"
  [[ -f "$WORK/t.state" ]] || fail "no state file"
  [[ $(stat -c %a "$WORK/t.state.admin.pem") == 600 ]] || fail "admin key is not mode 0600"
  [[ $(rc "$TOOL" --device "$dev" init) -eq 3 ]] || fail "init over an existing chip must fail with 3"
  expect_contains "$WORK/err" "t.state" "init refusal names the file"
  [[ $(rc "$TOOL" --device "$dev" status) -eq 0 ]] || fail "status"
  expect_contains "$WORK/out" "MAXQ1061" "product name"
  expect_contains "$WORK/out" "operational" "lifecycle"
  [[ $(rc "$TOOL" --device "$dev" --json status) -eq 0 ]] || fail "status --json"
  grep -Eq '"serial":"[0-9a-f]{48}"' "$WORK/out" || fail "status --json has no 24-byte serial"
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
  expect_contains "$WORK/out" "0x0101 *key-pair" "list shows the new key"
  expect_contains "$WORK/out" "0x1001 *public-key" "list shows the admin key"
  [[ $(rc "$TOOL" --device "$dev" --json list) -eq 0 ]] || fail "list --json"
  expect_contains "$WORK/out" '"id":"0x0101","type":"key-pair"' "json list"
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
}

test_tool_import_cert_and_stats() {
  local dev="sim:$WORK/t.state"
  "$TOOL" --device "$dev" init >/dev/null
  make_ca
  [[ $(rc "$TOOL" --device "$dev" import-cert --id 0x0201 "$WORK/ca.pem") -eq 0 ]] || fail "import-cert"
  expect_contains "$WORK/out" "maxq1061:id=0x0201;type=cert" "import-cert prints the URI"
  echo "not a certificate" >"$WORK/junk.pem"
  [[ $(rc "$TOOL" --device "$dev" import-cert --id 0x0202 "$WORK/junk.pem") -eq 1 ]] || fail "junk cert must exit 1"
  expect_contains "$WORK/err" "junk.pem" "error names the file"
  [[ $(rc "$TOOL" --device "$dev" import-cert --id 0x0202) -eq 2 ]] || fail "missing FILE is a usage error"
  [[ $(rc "$TOOL" --device "$dev" --json stats) -eq 0 ]] || fail "stats"
  expect_contains "$WORK/out" '"write object"' "stats counts the certificate writes"
  # The stored certificate loads back through the provider's store.
  use_chip t
  openssl x509 "${PROV[@]}" -in "maxq1061:id=0x0201;type=cert" -noout -subject >"$WORK/subj" 2>&1 ||
    { cat "$WORK/subj" >&2; fail "certificate not loadable by URI"; }
  expect_contains "$WORK/subj" "maxq1061 e2e test CA" "certificate subject"
}

test_tool_help() {
  [[ $(rc "$TOOL" --help) -eq 0 ]] || fail "--help"
  local c
  for c in init status ping list genkey import-cert delete pubkey stats; do
    [[ $(rc "$TOOL" "$c" --help) -eq 0 ]] || fail "$c --help"
    expect_contains "$WORK/out" "usage: maxq1061-tool $c" "$c usage"
  done
  [[ $(rc "$TOOL" frobnicate) -eq 2 ]] || fail "unknown command must exit 2"
  [[ $(rc "$TOOL" status --bogus) -eq 2 ]] || fail "unknown option must exit 2"
  [[ $(rc "$TOOL") -eq 2 ]] || fail "no command must exit 2"
}
