# nginx as a mutual-TLS server whose private key is on chip a, loaded only
# through OPENSSL_CONF (the provider, the device) and a key-reference file
# (ssl_certificate_key). nginx loads the key in its master process and forks
# the workers that do the handshakes: each worker must open its own device
# session after fork(), and each handshake must cost exactly one signature on
# the chip. The clients (curl, openssl s_client) use software keys, so every
# signature the chip counts is the server's.

NGINX=$(command -v nginx || echo /usr/sbin/nginx)
NGINX_PID=""
NGINX_WORKERS=""

# nginx_setup PROFILE: chip a with the server key 0x0101, a software client
# key, and an openssl.cnf (profile of openssl.cnf.example) that names chip a.
nginx_setup() {
  [[ -x "$NGINX" ]] || { echo "SKIP: nginx is not installed (Debian package nginx)" >&2; exit 77; }
  nginx_asan_probe
  # Stop nginx before lib.sh removes its files, also when the test fails.
  trap 'stop_nginx || true; cleanup' EXIT
  provision a
  make_ca
  chip_key_cert a 0x0101 P-256 server
  soft_key_cert client
  make_config "$1"
  # The device comes from openssl.cnf alone, as in a deployment (nginx also
  # clears its workers' environment).
  unset MAXQ1061_DEVICE
}

# Under ASan the runtime is preloaded into nginx (not built with it): find out
# with a config that has no TLS and no provider whether nginx itself runs so.
nginx_asan_probe() {
  [[ "${MAXQ_E2E_ASAN:-0}" == 1 ]] || return 0
  mkdir -p "$WORK/probe"
  printf 'pid %s/probe/nginx.pid;\nerror_log %s/probe/error.log;\nevents {}\n' \
    "$WORK" "$WORK" >"$WORK/probe/nginx.conf"
  local rc=0
  OPENSSL_CONF=/dev/null timeout 20 "$NGINX" -t -p "$WORK/probe/" -c "$WORK/probe/nginx.conf" \
    -e "$WORK/probe/error.log" >"$WORK/probe/out" 2>&1 || rc=$?
  if [[ $rc -ne 0 ]]; then
    echo "SKIP: nginx does not run with the ASan runtime preloaded (nginx -t: exit status $rc):" \
      "$(tail -n 3 "$WORK/probe/out")" >&2
    exit 77
  fi
}

# nginx cannot listen on port 0: take a port the kernel hands out (as for
# the other servers), then bind it in nginx; start_nginx retries if another
# process took it in between.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# alive PID: the process exists and is not a zombie (kill -0 succeeds on an
# unreaped child). /proc, not pgrep: procps hangs with the ASan runtime preloaded.
alive() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [[ "${stat:0:1}" != Z ]]
}

# children_of PID: its live child processes (nginx's workers) on one line.
children_of() {
  local f stat ppid pid found=()
  for f in /proc/[0-9]*/stat; do
    stat=$(cat "$f" 2>/dev/null) || continue
    read -r _ ppid _ <<<"${stat##*) }"
    pid=${f#/proc/}
    pid=${pid%/stat}
    [[ "$ppid" == "$1" ]] && alive "$pid" && found+=("$pid")
  done
  echo "${found[*]}"
}

# replaced OLD NEW: NEW is 2 workers, none of them in OLD.
replaced() {
  local p
  [[ $(wc -w <<<"$2") -eq 2 ]] || return 1
  for p in $2; do [[ " $1 " != *" $p "* ]] || return 1; done
}

# nginx_conf: everything nginx writes (pid, logs, temp dirs) is in $WORK.
nginx_conf() {
  cat <<EOF
daemon off;
master_process on;
worker_processes 2;
$([[ $(id -u) -eq 0 ]] && echo "user root;  # the default, nobody, cannot read \$WORK (mode 0700)")
pid $WORK/nginx.pid;
lock_file $WORK/nginx.lock;
error_log $WORK/error.log info;
events { worker_connections 64; }
http {
  access_log $WORK/access.log;
  client_body_temp_path $WORK/temp/body;
  proxy_temp_path $WORK/temp/proxy;
  fastcgi_temp_path $WORK/temp/fastcgi;
  uwsgi_temp_path $WORK/temp/uwsgi;
  scgi_temp_path $WORK/temp/scgi;
  server {
    listen 127.0.0.1:$PORT ssl;
    server_name server;
    ssl_certificate $WORK/server.pem;
    ssl_certificate_key $WORK/server.ref.pem;
    ssl_client_certificate $WORK/ca.pem;
    ssl_verify_client on;
    # nginx 1.22's default leaves TLS 1.3 out.
    ssl_protocols TLSv1.2 TLSv1.3;
    location / {
      default_type text/plain;
      return 200 "client=\$ssl_client_s_dn verify=\$ssl_client_verify proto=\$ssl_protocol worker=\$pid\n";
    }
  }
}
EOF
}

# start_nginx [ENV=VALUE...]: nginx in the foreground of a background job (its
# pid is the master's), on a free loopback port; returns once the master has
# written its pid file and both workers run. Sets PORT, NGINX_PID, NGINX_WORKERS.
start_nginx() {
  local attempt i
  mkdir -p "$WORK/temp"
  for attempt in 1 2 3 4 5; do
    PORT=$(free_port)
    nginx_conf >"$WORK/nginx.conf"
    : >"$WORK/error.log"
    env "$@" OPENSSL_CONF="$WORK/openssl.cnf" "$NGINX" -p "$WORK/" -c "$WORK/nginx.conf" \
      -e "$WORK/error.log" >"$WORK/nginx.out" 2>&1 </dev/null &
    NGINX_PID=$!
    for i in $(seq 1 200); do
      alive "$NGINX_PID" || break
      if [[ -s "$WORK/nginx.pid" ]]; then
        NGINX_WORKERS=$(children_of "$NGINX_PID")
        [[ $(wc -w <<<"$NGINX_WORKERS") -eq 2 ]] && break
      fi
      sleep 0.05
    done
    if alive "$NGINX_PID"; then
      [[ $(wc -w <<<"$NGINX_WORKERS") -eq 2 ]] || { cat "$WORK/error.log" >&2; fail "nginx started no 2 workers"; }
      [[ $(cat "$WORK/nginx.pid") == "$NGINX_PID" ]] || fail "nginx.pid does not name the master"
      return 0
    fi
    wait "$NGINX_PID" || true
    NGINX_PID=""
    grep -q "Address already in use" "$WORK/error.log" ||
      { cat "$WORK/nginx.out" "$WORK/error.log" >&2; fail "nginx did not start"; }
    note "port $PORT was taken before nginx bound it; another one"
  done
  fail "nginx found no free port"
}

# stop_nginx: graceful shutdown (QUIT to the pid in the pid file; the master
# waits for its workers), TERM and then KILL if that hangs. Returns non-zero
# unless nginx and all its workers stopped cleanly.
stop_nginx() {
  [[ -n "$NGINX_PID" ]] || return 0
  local master=$NGINX_PID workers rc=0 sig p i
  NGINX_PID=""
  workers="$NGINX_WORKERS $(children_of "$master")"
  [[ -s "$WORK/nginx.pid" ]] && master=$(cat "$WORK/nginx.pid")
  for sig in QUIT TERM KILL; do
    kill -s "$sig" "$master" 2>/dev/null || true
    for i in $(seq 1 100); do alive "$master" || break; sleep 0.05; done
    alive "$master" || break
    note "nginx did not stop on $sig"
    rc=1
  done
  wait "$master" 2>/dev/null || rc=1
  for p in $workers; do
    for i in $(seq 1 100); do alive "$p" || break; sleep 0.05; done
    alive "$p" && { note "nginx worker $p outlived the master"; kill -KILL "$p" 2>/dev/null; rc=1; }
  done
  return $rc
}

# get_curl PROTO(1.2|1.3) OUT: one request, one new TLS connection.
get_curl() {
  curl --silent --show-error --max-time 20 "--tlsv$1" --tls-max "$1" \
    --resolve "server:$PORT:127.0.0.1" --cacert "$WORK/ca.pem" \
    --cert "$WORK/client.pem" --key "$WORK/client.key" "https://server:$PORT/" >"$2" 2>&1
}

# get_s_client PROTO(1_2|1_3) OUT: the same with openssl s_client (its -brief
# session summary on stderr, the page on stdout).
get_s_client() {
  printf 'GET / HTTP/1.0\r\nHost: server\r\n\r\n' |
    openssl s_client -ign_eof -connect "127.0.0.1:$PORT" -servername server "-tls$1" \
      -cert "$WORK/client.pem" -key "$WORK/client.key" -CAfile "$WORK/ca.pem" \
      -verify_return_error -verify_hostname server -brief >"$2" 2>&1
}

# check_page OUT PROTO: the page a worker (not the master) served to the
# client with the verified client certificate.
check_page() {
  expect_contains "$1" "client=CN=client verify=SUCCESS proto=$2 worker=" "nginx's page"
  local worker
  worker=$(sed -n 's/.* worker=\([0-9]*\)$/\1/p' "$1")
  [[ " $NGINX_WORKERS " == *" $worker "* ]] ||
    fail "the page came from process $worker, not one of the workers ($NGINX_WORKERS)"
  echo "$worker"
}

# requests N CLIENT PROTO PAGE-PROTO: N requests in a row, each its own
# handshake; sets SERVED to the workers that answered.
requests() {
  local n=$1 client=$2 proto=$3 page_proto=$4 i
  SERVED=""
  for i in $(seq 1 "$n"); do
    "$client" "$proto" "$WORK/client.$i.out" ||
      { cat "$WORK/client.$i.out" "$WORK/error.log" >&2; fail "request $i with $client"; }
    SERVED="$SERVED $(check_page "$WORK/client.$i.out" "$page_proto")"
  done
}

# error_log_clean: nothing above notice level, no TLS or provider error in
# nginx's logs; the provider's own debug trace (MAXQ1061_DEBUG) aside.
error_log_clean() {
  local bad
  bad=$(cat "$WORK/nginx.out" "$WORK/error.log" |
    grep -v -e '^maxq1061\[[0-9]*\]: ' -e '^maxq1061: .*: status 0x0000, ' |
    grep -E '\[(warn|error|crit|alert|emerg)\]|SSL|error:|maxq1061' || true)
  [[ -z "$bad" ]] || { echo "$bad" >&2; fail "nginx logged errors"; }
}

# nginx_handshakes CLIENT PROTO PAGE-PROTO: 5 requests through nginx, 5 chip
# signatures; nginx stops cleanly and logged no error.
nginx_handshakes() {
  nginx_setup identity
  local before
  before=$(count a "sign/verify")
  start_nginx
  requests 5 "$@"
  note "served by workers:$SERVED"
  local signs=$(( $(count a "sign/verify") - before ))
  [[ $signs -eq 5 ]] || fail "5 handshakes through nginx cost $signs chip signatures, expected 5"
  stop_nginx || fail "nginx did not stop cleanly"
  error_log_clean
}

test_nginx_mtls13_curl() {
  if [[ "${MAXQ_E2E_ASAN:-0}" == 1 ]]; then
    # As in apps_test.sh: Debian's curl deadlocks in setlocale() with the ASan
    # runtime preloaded; the s_client tests drive nginx under ASan.
    echo "SKIP: curl cannot run with the ASan runtime preloaded" >&2
    exit 77
  fi
  nginx_handshakes get_curl 1.3 TLSv1.3
}

test_nginx_mtls12_s_client() {
  nginx_handshakes get_s_client 1_2 TLSv1.2
  expect_contains "$WORK/client.5.out" "Ciphersuite: ECDHE-ECDSA-" "ECDSA server key in TLS 1.2"
  expect_contains "$WORK/client.5.out" "Verification: OK" "server certificate verification"
}

# The master uses the device before it forks (the seed profile: OpenSSL's
# DRBG is seeded from the chip while nginx sets up its TLS contexts), so each
# worker inherits an open session and must open its own; the same again for
# the workers a reload (SIGHUP) forks. The provider's debug trace says which
# process opened what.
test_nginx_workers_reopen_after_fork() {
  nginx_setup seed
  local before master w
  before=$(count a "sign/verify")
  start_nginx MAXQ1061_DEBUG=1
  master=$NGINX_PID
  # Before nginx points stderr at its error log, the master's trace goes to nginx.out.
  expect_contains "$WORK/nginx.out" "^maxq1061\[$master\]: opened " "the master's own device session"
  requests 3 get_s_client 1_3 TLSv1.3
  local first_workers=$NGINX_WORKERS
  # Reload: the master reads the config and the key reference again and
  # replaces its workers.
  kill -HUP "$master"
  local i
  for i in $(seq 1 200); do
    NGINX_WORKERS=$(children_of "$master")
    replaced "$first_workers" "$NGINX_WORKERS" && break
    sleep 0.05
  done
  replaced "$first_workers" "$NGINX_WORKERS" ||
    { cat "$WORK/error.log" >&2; fail "nginx did not replace its workers on SIGHUP"; }
  local served_before=$SERVED
  requests 2 get_s_client 1_3 TLSv1.3
  note "served by workers:$served_before, after reload:$SERVED"
  for w in $served_before $SERVED; do
    expect_contains "$WORK/error.log" "^maxq1061\[$w\]: forked from process $master: opening a new device session" \
      "worker $w's own device session"
  done
  local signs=$(( $(count a "sign/verify") - before ))
  [[ $signs -eq 5 ]] || fail "5 handshakes through nginx cost $signs chip signatures, expected 5"
  stop_nginx || fail "nginx did not stop cleanly"
  error_log_clean
}
