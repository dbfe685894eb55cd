# Programs users already run, unchanged, with the provider loaded only through
# OPENSSL_CONF (the identity profile of openssl.cnf.example) and the key given
# as a key-reference file: curl as a TLS client, Python's ssl module as client
# and as server. Each handshake must cost exactly one chip signature.

# apps_setup: chip a holds the client key (0x0101), chip b the server key
# (0x0101); a software CA issued both certificates, plus a software server key.
apps_setup() {
  provision a
  provision b
  make_ca
  chip_key_cert a 0x0101 P-256 client
  chip_key_cert b 0x0101 P-256 server
  soft_key_cert softserver
  # The config of the application: the provider, the device from the
  # environment (MAXQ1061_DEVICE), nothing on the command line.
  make_config identity
  unset MAXQ1061_DEVICE
}

# soft_server: s_server without the provider, asking for a client certificate.
soft_server() {
  start_server "$WORK/server.out" -cert "$WORK/softserver.pem" -key "$WORK/softserver.key" \
    -Verify 1 -CAfile "$WORK/ca.pem" -verify_return_error -tls1_3
}

test_curl_client_key_on_chip() {
  if [[ "${MAXQ_E2E_ASAN:-0}" == 1 ]]; then
    # Debian's curl deadlocks in its own setlocale() call at start-up when the
    # ASan runtime is preloaded, before any OpenSSL code runs; the plain build
    # runs this test.
    echo "SKIP: curl cannot run with the ASan runtime preloaded" >&2
    exit 77
  fi
  apps_setup
  soft_server
  local before
  before=$(count a "sign/verify")
  # softserver's certificate names CN=softserver: curl checks that name.
  OPENSSL_CONF="$WORK/openssl.cnf" MAXQ1061_DEVICE="sim:$WORK/a.state" \
    curl --silent --show-error --max-time 20 --tlsv1.3 \
    --resolve "softserver:$PORT:127.0.0.1" --cacert "$WORK/ca.pem" \
    --cert "$WORK/client.pem" --key "$WORK/client.ref.pem" \
    "https://softserver:$PORT/" >"$WORK/client.out" 2>&1 ||
    { cat "$WORK/client.out" "$WORK/server.out" >&2; fail "curl"; }
  wait_server || { cat "$WORK/server.out" >&2; fail "s_server"; }
  expect_contains "$WORK/client.out" "Client certificate" "the server's page through curl"
  expect_contains "$WORK/client.out" "Subject: CN *= *client" "client certificate seen by the server"
  [[ $(( $(count a "sign/verify") - before )) -eq 1 ]] || fail "expected exactly one chip signature"
}

# python_client PORT SERVER_NAME: Python's ssl module, key reference as keyfile.
python_client() {
  OPENSSL_CONF="$WORK/openssl.cnf" MAXQ1061_DEVICE="sim:$WORK/a.state" \
    /usr/bin/python3 - "$1" "$2" "$WORK" >"$WORK/client.out" 2>&1 <<'EOF'
import socket, ssl, sys
port, name, work = int(sys.argv[1]), sys.argv[2], sys.argv[3]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.minimum_version = ssl.TLSVersion.TLSv1_3
ctx.load_verify_locations(work + "/ca.pem")
ctx.load_cert_chain(work + "/client.pem", keyfile=work + "/client.ref.pem")
with socket.create_connection(("127.0.0.1", port), timeout=20) as raw:
    with ctx.wrap_socket(raw, server_hostname=name) as tls:
        print("version", tls.version())
        print("server", dict(x[0] for x in tls.getpeercert()["subject"])["commonName"])
        tls.sendall(b"GET / HTTP/1.0\r\n\r\n")
        page = b""
        while chunk := tls.recv(4096):
            page += chunk
        print(page.decode(errors="replace"))
EOF
}

test_python_client_key_on_chip() {
  apps_setup
  soft_server
  local before
  before=$(count a "sign/verify")
  python_client "$PORT" softserver || { cat "$WORK/client.out" "$WORK/server.out" >&2; fail "python client"; }
  wait_server || { cat "$WORK/server.out" >&2; fail "s_server"; }
  expect_contains "$WORK/client.out" "version TLSv1.3" "TLS 1.3"
  expect_contains "$WORK/client.out" "server softserver" "server certificate"
  expect_contains "$WORK/client.out" "Subject: CN *= *client" "client certificate seen by the server"
  [[ $(( $(count a "sign/verify") - before )) -eq 1 ]] || fail "expected exactly one chip signature"
}

test_python_server_key_on_chip() {
  apps_setup
  local before
  before=$(count b "sign/verify")
  # A one-connection Python server on chip b; it asks for and checks the
  # client's certificate and answers with the client's name.
  OPENSSL_CONF="$WORK/openssl.cnf" MAXQ1061_DEVICE="sim:$WORK/b.state" \
    /usr/bin/python3 - "$WORK" >"$WORK/server.out" 2>&1 <<'EOF' &
import socket, ssl, sys
work = sys.argv[1]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.minimum_version = ssl.TLSVersion.TLSv1_3
ctx.verify_mode = ssl.CERT_REQUIRED
ctx.load_verify_locations(work + "/ca.pem")
ctx.load_cert_chain(work + "/server.pem", keyfile=work + "/server.ref.pem")
with socket.create_server(("127.0.0.1", 0)) as listener:
    print("ACCEPT 127.0.0.1:%d" % listener.getsockname()[1], flush=True)
    listener.settimeout(20)
    raw, _ = listener.accept()
    with ctx.wrap_socket(raw, server_side=True) as tls:
        name = dict(x[0] for x in tls.getpeercert()["subject"])["commonName"]
        tls.recv(100)
        tls.sendall(("hello " + name + "\n").encode())
        tls.settimeout(20)
        tls.unwrap()  # close_notify, so the client sees a clean end
EOF
  await_server "$!" "$WORK/server.out"
  # The client is plain openssl with a software key: the server's chip signs.
  soft_key_cert client2
  printf 'hi\n' | openssl s_client -ign_eof -connect "127.0.0.1:$PORT" -servername server \
    -cert "$WORK/client2.pem" -key "$WORK/client2.key" -CAfile "$WORK/ca.pem" \
    -verify_return_error -verify_hostname server -tls1_3 -brief >"$WORK/client.out" 2>&1 ||
    { cat "$WORK/client.out" "$WORK/server.out" >&2; fail "s_client against the python server"; }
  wait_server || { cat "$WORK/server.out" >&2; fail "python server"; }
  expect_contains "$WORK/client.out" "Verification: OK" "python server's certificate"
  expect_contains "$WORK/client.out" "hello client2" "python server saw the client certificate"
  [[ $(( $(count b "sign/verify") - before )) -eq 1 ]] || fail "expected exactly one signature on chip b"
}
