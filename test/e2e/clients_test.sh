# Programs users already run, unchanged, with the key on the chip: Ruby's
# openssl, Node.js, stunnel4, haproxy, socat and PHP. The provider comes from
# OPENSSL_CONF alone (the identity profile of openssl.cnf.example; Node reads
# its nodejs_conf section), the key is a key-reference file. Each test does a
# mutual-TLS 1.3 handshake on 127.0.0.1 with the chip key on one side and a
# software key on the other, and counts the chip's signatures. Ruby and Node
# also exercise the legacy EC_KEY calls that crashed them (Ruby's
# PKey::EC#private?, Node's asymmetricKeyDetails and JWK export).
#
# A program that is not installed is a skip (exit 77) that names its Debian
# package, as for nginx; CI installs them all (.ci/run).

# need PROGRAM PACKAGE [VERSION-COMMAND...]: skips unless PROGRAM is installed;
# under ASan, also unless it runs with the ASan runtime preloaded (none of
# them is built with it: the version command runs first, without the provider).
need() {
  local program=$1 package=$2
  shift 2
  command -v "$program" >/dev/null 2>&1 ||
    { echo "SKIP: $program is not installed (Debian package $package)" >&2; exit 77; }
  [[ "${MAXQ_E2E_ASAN:-0}" == 1 && $# -gt 0 ]] || return 0
  local rc=0
  OPENSSL_CONF=/dev/null timeout 20 "$@" >"$WORK/asan-probe.out" 2>&1 </dev/null || rc=$?
  if [[ $rc -ne 0 ]]; then
    echo "SKIP: $program does not run with the ASan runtime preloaded ($* : exit status $rc):" \
      "$(tail -n 3 "$WORK/asan-probe.out")" >&2
    exit 77
  fi
}

# clients_setup: chip a holds the client key (0x0101), chip b the server key
# (0x0101), both certified by the test CA; software keys softserver and
# softclient for the other end. $WORK/openssl.cnf is the identity profile
# naming chip a; a server on chip b gets MAXQ1061_DEVICE.
clients_setup() {
  provision a
  provision b
  make_ca
  chip_key_cert a 0x0101 P-256 client
  chip_key_cert b 0x0101 P-256 server
  soft_key_cert softserver
  soft_key_cert softclient
  make_config identity
  unset MAXQ1061_DEVICE
}

# soft_server: s_server with a software key on a kernel-chosen port, asking
# for and checking a client certificate; -www answers with the session.
soft_server() {
  start_server "$WORK/server.out" -cert "$WORK/softserver.pem" -key "$WORK/softserver.key" \
    -Verify 1 -CAfile "$WORK/ca.pem" -verify_return_error -tls1_3
}

# signs CHIP BEFORE EXPECTED WHAT: the chip made EXPECTED signatures since BEFORE.
signs() {
  local n=$(( $(count "$1" "sign/verify") - $2 ))
  [[ $n -eq $3 ]] || fail "$4: $n chip signatures, expected $3"
}

# on_chip_a/on_chip_b COMMAND...: COMMAND with the provider from openssl.cnf
# and the client's (a) or the server's (b) chip.
on_chip_a() { OPENSSL_CONF="$WORK/openssl.cnf" MAXQ1061_DEVICE="sim:$WORK/a.state" "$@"; }
on_chip_b() { OPENSSL_CONF="$WORK/openssl.cnf" MAXQ1061_DEVICE="sim:$WORK/b.state" "$@"; }

# client_checks OUT: the s_server page says TLS 1.3 and names the chip's client.
client_checks() {
  expect_contains "$1" "Protocol *: TLSv1.3\|TLSv1.3" "TLS 1.3"
  expect_contains "$1" "Subject: CN *= *client" "client certificate seen by the server"
}

# free_port: a port the kernel hands out, for servers that cannot listen on
# port 0 (the callers retry if another process takes it first).
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# await_port PID PORT LOG: waits until PID listens on PORT; 1 if PID exits.
await_port() {
  local i
  for i in $(seq 1 200); do
    kill -0 "$1" 2>/dev/null || return 1
    (exec 3<>"/dev/tcp/127.0.0.1/$2") 2>/dev/null && return 0
    sleep 0.05
  done
  cat "$3" >&2
  fail "nothing listens on port $2"
}

# start_daemon LOG COMMAND...: COMMAND in the background, every argument
# @PORT@ replaced by a free port it is to listen on; retries with another
# port when that one was taken. Sets DAEMON_PID and PORT; the daemon is
# killed at exit.
start_daemon() {
  local log=$1 attempt
  shift
  for attempt in 1 2 3 4 5; do
    PORT=$(free_port)
    "${@//@PORT@/$PORT}" >"$log" 2>&1 </dev/null &
    DAEMON_PID=$!
    PIDS+=("$DAEMON_PID")
    await_port "$DAEMON_PID" "$PORT" "$log" && return 0
    wait "$DAEMON_PID" || true
    grep -qi "address already in use" "$log" || { cat "$log" >&2; fail "the server did not start: $*"; }
    note "port $PORT was taken before the server bound it; another one"
  done
  fail "no free port"
}

# stop_daemon: TERM, then waits (KILL after 5 s).
stop_daemon() {
  local i
  kill "$DAEMON_PID" 2>/dev/null || true
  for i in $(seq 1 100); do kill -0 "$DAEMON_PID" 2>/dev/null || break; sleep 0.05; done
  kill -KILL "$DAEMON_PID" 2>/dev/null || true
  wait "$DAEMON_PID" 2>/dev/null || true
  PIDS=("${PIDS[@]/$DAEMON_PID/}")
}

# soft_client OUT [s_client args...]: openssl s_client with the software
# client key against $PORT (server name "server"), request from stdin.
soft_client() {
  local out=$1
  shift
  openssl s_client -ign_eof -connect "127.0.0.1:$PORT" -servername server -tls1_3 \
    -cert "$WORK/softclient.pem" -key "$WORK/softclient.key" -CAfile "$WORK/ca.pem" \
    -verify_return_error -verify_hostname server -brief "$@" >"$out" 2>&1
}

test_ruby_client_key_on_chip() {
  need ruby ruby ruby -ropenssl -e 'OpenSSL::VERSION'
  clients_setup
  soft_server
  local before
  before=$(count a "sign/verify")
  on_chip_a ruby -ropenssl -rsocket - "$PORT" "$WORK" >"$WORK/client.out" 2>&1 <<'EOF' ||
port, work = ARGV[0].to_i, ARGV[1]
key = OpenSSL::PKey.read(File.read("#{work}/client.ref.pem"))
# private? reads the legacy EC_KEY (EVP_PKEY_get0_EC_KEY): it crashed Ruby.
puts "private? #{key.private?} public? #{key.public?} curve #{key.group.curve_name}"
pub = OpenSSL::PKey.read(key.public_to_pem)
sig = key.sign("SHA256", "data")
puts "signature verifies #{pub.verify("SHA256", sig, "data")}"
ctx = OpenSSL::SSL::SSLContext.new
ctx.min_version = OpenSSL::SSL::TLS1_3_VERSION
ctx.add_certificate(OpenSSL::X509::Certificate.new(File.read("#{work}/client.pem")), key)
ctx.ca_file = "#{work}/ca.pem"
ctx.verify_mode = OpenSSL::SSL::VERIFY_PEER
ctx.verify_hostname = true
ssl = OpenSSL::SSL::SSLSocket.new(TCPSocket.new("127.0.0.1", port), ctx)
ssl.hostname = "softserver"
ssl.sync_close = true
ssl.connect
puts "version #{ssl.ssl_version}"
ssl.write("GET / HTTP/1.0\r\n\r\n")
puts ssl.read
ssl.close
EOF
    { cat "$WORK/client.out" "$WORK/server.out" >&2; fail "ruby client"; }
  wait_server || { cat "$WORK/server.out" >&2; fail "s_server"; }
  expect_contains "$WORK/client.out" "private? true public? true curve prime256v1" "Ruby's view of the key"
  expect_contains "$WORK/client.out" "signature verifies true" "PKey#sign"
  expect_contains "$WORK/client.out" "version TLSv1.3" "TLS 1.3"
  client_checks "$WORK/client.out"
  signs a "$before" 2 "Ruby (one PKey#sign, one handshake)"
}

# The node binary: MAXQ_E2E_NODE, or Debian's nodejs. It must use the system's
# libcrypto (Debian's does): a node with its own OpenSSL built in (nodesource,
# nodejs.org) cannot load providers built for the system one.
node_binary() {
  NODE=${MAXQ_E2E_NODE:-$(command -v nodejs || command -v node || true)}
  [[ -n "$NODE" ]] || { echo "SKIP: nodejs is not installed (Debian package nodejs)" >&2; exit 77; }
  need "$NODE" nodejs "$NODE" -e 0
  local sys node_ssl
  sys=$(openssl version | awk '{print $2}')
  node_ssl=$(OPENSSL_CONF=/dev/null "$NODE" -p 'process.versions.openssl')
  if [[ "$node_ssl" != "$sys" ]]; then
    echo "SKIP: $NODE has OpenSSL $node_ssl built in, not the system's $sys (install Debian's" \
      "nodejs, or point MAXQ_E2E_NODE at a node that links the system's libssl)" >&2
    exit 77
  fi
}

test_node_client_key_on_chip() {
  node_binary
  clients_setup
  soft_server
  local before
  before=$(count a "sign/verify")
  on_chip_a "$NODE" - "$PORT" "$WORK" >"$WORK/client.out" 2>&1 <<'EOF' ||
const fs = require('fs'), tls = require('tls'), crypto = require('crypto');
const [port, work] = process.argv.slice(2);
const pem = fs.readFileSync(work + '/client.ref.pem');
const key = crypto.createPrivateKey(pem);
// asymmetricKeyDetails and JWK export read the legacy EC_KEY: Node aborted.
console.log('details', key.asymmetricKeyType, JSON.stringify(key.asymmetricKeyDetails));
const pub = crypto.createPublicKey(key);
const jwk = pub.export({format: 'jwk'});
console.log('jwk', jwk.kty, jwk.crv, jwk.x.length, jwk.y.length, 'd' in jwk);
const sig = crypto.sign('sha256', Buffer.from('data'), key);
console.log('signature verifies', crypto.verify('sha256', Buffer.from('data'), pub, sig));
const s = tls.connect({host: '127.0.0.1', port: +port, servername: 'softserver', key: pem,
                       cert: fs.readFileSync(work + '/client.pem'),
                       ca: fs.readFileSync(work + '/ca.pem'), minVersion: 'TLSv1.3'}, () => {
  console.log('version', s.getProtocol(), 'authorized', s.authorized);
  s.write('GET / HTTP/1.0\r\n\r\n');
});
let page = '';
s.on('data', d => { page += d; });
s.on('end', () => { console.log(page); });
s.on('error', e => { console.error(e); process.exit(1); });
EOF
    { cat "$WORK/client.out" "$WORK/server.out" >&2; fail "node client"; }
  wait_server || { cat "$WORK/server.out" >&2; fail "s_server"; }
  expect_contains "$WORK/client.out" 'details ec {"namedCurve":"prime256v1"}' "asymmetricKeyDetails"
  expect_contains "$WORK/client.out" "jwk EC P-256 43 43 false" "JWK export of the public key"
  expect_contains "$WORK/client.out" "signature verifies true" "crypto.sign"
  expect_contains "$WORK/client.out" "version TLSv1.3 authorized true" "TLS 1.3"
  client_checks "$WORK/client.out"
  signs a "$before" 2 "Node (one crypto.sign, one handshake)"
}

# php -n: no php.ini, so no extension modules are loaded (Debian builds
# openssl into the CLI; opcache's RTLD_DEEPBIND loading would stop PHP under
# the ASan runtime).
test_php_client_key_on_chip() {
  need php php-cli php -n -r 'echo OPENSSL_VERSION_TEXT;'
  clients_setup
  soft_server
  local before
  before=$(count a "sign/verify")
  on_chip_a php -n -- "$PORT" "$WORK" >"$WORK/client.out" 2>&1 <<'EOF' ||
<?php
[$port, $work] = [$argv[1], $argv[2]];
$ctx = stream_context_create(['ssl' => [
    'local_cert' => "$work/client.pem", 'local_pk' => "$work/client.ref.pem",
    'cafile' => "$work/ca.pem", 'peer_name' => 'softserver', 'verify_peer' => true,
    'crypto_method' => STREAM_CRYPTO_METHOD_TLSv1_3_CLIENT]]);
$s = stream_socket_client("tls://127.0.0.1:$port", $errno, $errstr, 20,
                          STREAM_CLIENT_CONNECT, $ctx);
if ($s === false) { fwrite(STDERR, "connect: $errstr\n"); exit(1); }
echo "version ", stream_get_meta_data($s)['crypto']['protocol'], "\n";
fwrite($s, "GET / HTTP/1.0\r\n\r\n");
echo stream_get_contents($s);
EOF
    { cat "$WORK/client.out" "$WORK/server.out" >&2; fail "php client"; }
  wait_server || { cat "$WORK/server.out" >&2; fail "s_server"; }
  expect_contains "$WORK/client.out" "version TLSv1.3" "TLS 1.3"
  client_checks "$WORK/client.out"
  signs a "$before" 1 "PHP handshake"
}

test_socat_client_key_on_chip() {
  need socat socat socat -V
  clients_setup
  soft_server
  local before
  before=$(count a "sign/verify")
  http_get | on_chip_a timeout 30 socat -t 20 - \
    "OPENSSL:127.0.0.1:$PORT,cert=$WORK/client.pem,key=$WORK/client.ref.pem,cafile=$WORK/ca.pem,commonname=softserver,openssl-min-proto-version=TLS1.3" \
    >"$WORK/client.out" 2>&1 || { cat "$WORK/client.out" "$WORK/server.out" >&2; fail "socat client"; }
  wait_server || { cat "$WORK/server.out" >&2; fail "s_server"; }
  client_checks "$WORK/client.out"
  signs a "$before" 1 "socat handshake"
}

# stunnel as the TLS server with its key on chip b: each connection runs
# /bin/echo (inetd style), so the client reads a line and the connection ends.
test_stunnel_server_key_on_chip() {
  need stunnel stunnel4 stunnel -version
  clients_setup
  local before
  before=$(count b "sign/verify")
  # The config is written by the command itself, on each try's port.
  start_daemon "$WORK/stunnel.log" bash -c '
    cat >"$1/stunnel.conf" <<CONF
foreground = yes
pid =
debug = notice
[tls]
accept = 127.0.0.1:$2
cert = $1/server.pem
key = $1/server.ref.pem
CAfile = $1/ca.pem
verifyChain = yes
requireCert = yes
sslVersionMin = TLSv1.3
exec = /bin/echo
execArgs = echo hello-from-stunnel
CONF
    OPENSSL_CONF="$1/openssl.cnf" MAXQ1061_DEVICE="sim:$1/b.state" exec stunnel "$1/stunnel.conf"' \
    stunnel "$WORK" @PORT@
  soft_client "$WORK/client.out" </dev/null ||
    { cat "$WORK/client.out" "$WORK/stunnel.log" >&2; fail "s_client against stunnel"; }
  stop_daemon
  expect_contains "$WORK/client.out" "Verification: OK" "stunnel's certificate"
  expect_contains "$WORK/client.out" "Protocol version: TLSv1.3" "TLS 1.3"
  expect_contains "$WORK/client.out" "hello-from-stunnel" "the service behind stunnel"
  signs b "$before" 1 "stunnel handshake"
}

# haproxy as the TLS server with its key on chip b: `crt` names one file with
# the certificate and the key reference; haproxy answers with what it saw.
test_haproxy_server_key_on_chip() {
  need haproxy haproxy haproxy -v
  clients_setup
  cat "$WORK/server.pem" "$WORK/server.ref.pem" >"$WORK/haproxy.pem"
  local before
  before=$(count b "sign/verify")
  start_daemon "$WORK/haproxy.log" bash -c '
    cat >"$1/haproxy.cfg" <<CONF
global
  log stderr format raw local0 notice
defaults
  mode http
  log global
  timeout connect 10s
  timeout client 20s
  timeout server 20s
frontend tls
  bind 127.0.0.1:$2 ssl crt $1/haproxy.pem ca-file $1/ca.pem verify required ssl-min-ver TLSv1.3
  http-request return status 200 content-type text/plain lf-string "client=%[ssl_c_s_dn(cn)] proto=%[ssl_fc_protocol]\n"
CONF
    OPENSSL_CONF="$1/openssl.cnf" MAXQ1061_DEVICE="sim:$1/b.state" exec haproxy -db -f "$1/haproxy.cfg"' \
    haproxy "$WORK" @PORT@
  printf 'GET / HTTP/1.0\r\nHost: server\r\n\r\n' | soft_client "$WORK/client.out" ||
    { cat "$WORK/client.out" "$WORK/haproxy.log" >&2; fail "s_client against haproxy"; }
  stop_daemon
  expect_contains "$WORK/client.out" "Verification: OK" "haproxy's certificate"
  expect_contains "$WORK/client.out" "client=softclient proto=TLSv1.3" "haproxy's answer"
  signs b "$before" 1 "haproxy handshake"
}
