# cmake --install into a temporary root; the installed module and tool work.

test_install_into_temp_root() {
  local root="$WORK/root"
  DESTDIR="$root" cmake --install "$MAXQ_BUILD" >"$WORK/install.log" 2>&1 ||
    { cat "$WORK/install.log" >&2; fail "cmake --install"; }
  local mod="$root$MAXQ_MODULES_DIR"
  [[ -f "$mod/maxq1061.so" ]] || fail "maxq1061.so not installed into $mod"
  local tool
  tool=$(find "$root" -path '*/bin/maxq1061-tool' -type f | head -1)
  [[ -x "$tool" ]] || fail "maxq1061-tool not installed under bin/"
  "$tool" --device "sim:$WORK/i.state" init >/dev/null || fail "installed tool cannot init"
  MAXQ1061_DEVICE="sim:$WORK/i.state" openssl list -provider-path "$mod" -provider maxq1061 -providers \
    >"$WORK/list.out" 2>&1 || { cat "$WORK/list.out" >&2; fail "installed module does not load"; }
  expect_contains "$WORK/list.out" "maxq1061" "installed provider listed"
  MAXQ1061_DEVICE="sim:$WORK/i.state" openssl genpkey -provider-path "$mod" -provider maxq1061 \
    -provider default -propquery provider=maxq1061 -algorithm EC -pkeyopt group:P-256 \
    -pkeyopt id:0x0101 -out "$WORK/i.ref.pem" || fail "installed module cannot generate a key"
  grep -q "MAXQ1061 KEY REFERENCE" "$WORK/i.ref.pem" || fail "no key reference from the installed module"
}
