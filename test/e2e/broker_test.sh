# One chip shared through maxq1061d (issue 11): nginx, master and 4 workers
# running as www-data, with its server key on a chip behind the broker, serves
# mutual TLS 1.3 while maxq1061-tool and an openssl s_client loop use the same
# chip at the same time. The workers reach the chip only through the socket
# (its group); they never see the state file.

source "$(dirname "${BASH_SOURCE[0]}")/nginx_test.sh"
BROKER="$MAXQ_BUILD/broker/maxq1061d"
BROKER_PID=""

# nginx_conf for the broker test: 4 workers as www-data.
broker_nginx_conf() {
  nginx_conf | sed -e 's|^worker_processes 2;|worker_processes 4;|' \
    -e 's|^user root;.*|user www-data;|'
}

stop_broker() {
  [[ -n "$BROKER_PID" ]] || return 0
  kill -TERM "$BROKER_PID" 2>/dev/null || true
  local rc=0
  wait "$BROKER_PID" || rc=$?
  BROKER_PID=""
  return $rc
}

test_nginx_www_data_workers_through_broker() {
  [[ $(id -u) -eq 0 ]] || { echo "SKIP: needs root to run nginx's workers as www-data" >&2; exit 77; }
  id www-data >/dev/null 2>&1 || { echo "SKIP: no user www-data" >&2; exit 77; }
  nginx_setup identity
  trap 'stop_nginx || true; stop_broker || true; rm -rf "$SOCKDIR"; cleanup' EXIT
  # The socket in a directory www-data may enter; $WORK (0700) stays closed to it.
  SOCKDIR=$(mktemp -d "${TMPDIR:-/tmp}/maxq-broker.XXXXXX")
  chmod 0755 "$SOCKDIR"
  local sock="$SOCKDIR/maxq1061.sock"
  "$BROKER" --foreground --device "sim:$WORK/a.state" --socket "$sock" --group www-data \
    --verbose 2>"$WORK/broker.log" &
  BROKER_PID=$!
  local i
  for i in $(seq 1 200); do [[ -S "$sock" ]] && break; sleep 0.05; done
  [[ -S "$sock" ]] || { cat "$WORK/broker.log" >&2; fail "maxq1061d did not start"; }
  sed -i "s|^device = .*|device = broker:$sock|" "$WORK/openssl.cnf"
  local before
  before=$(count a "sign/verify")

  # nginx with 4 workers as www-data (start_nginx with this config; it waits for 2 workers).
  eval "$(declare -f start_nginx | sed -e 's/nginx_conf >/broker_nginx_conf >/' \
    -e 's/-eq 2/-eq 4/g' -e 's/no 2 workers/no 4 workers/')"
  start_nginx
  local w
  for w in $NGINX_WORKERS; do
    [[ $(stat -c %U "/proc/$w") == www-data ]] || fail "nginx worker $w does not run as www-data"
  done

  # Meanwhile: maxq1061-tool and an openssl s_client loop on the same chip.
  (
    for i in $(seq 1 10); do
      "$TOOL" --device "broker:$sock" status >"$WORK/tool.$i.out" 2>&1 || exit 1
    done
  ) &
  local tool_job=$!
  (
    for i in $(seq 1 5); do get_s_client 1_3 "$WORK/sclient.$i.out" || exit 1; done
  ) &
  local sclient_job=$!
  # Debian's curl deadlocks in setlocale() with the ASan runtime preloaded
  # (nginx_test.sh): under ASan, s_client makes these requests too.
  if [[ "${MAXQ_E2E_ASAN:-0}" == 1 ]]; then
    requests 10 get_s_client 1_3 TLSv1.3
  else
    requests 10 get_curl 1.3 TLSv1.3
  fi
  wait "$tool_job" || { cat "$WORK"/tool.*.out >&2; fail "maxq1061-tool status through the broker"; }
  wait "$sclient_job" || { cat "$WORK"/sclient.*.out >&2; fail "the s_client loop"; }
  for i in $(seq 1 5); do check_page "$WORK/sclient.$i.out" TLSv1.3 >/dev/null; done
  note "served by workers:$SERVED"
  "$TOOL" --device "broker:$sock" status >"$WORK/tool.out" 2>&1 || fail "maxq1061-tool status"
  expect_contains "$WORK/tool.out" "^broker     maxq1061d serving sim:" "the daemon's status"
  expect_contains "$WORK/tool.out" "uid $(id -u www-data) " "a www-data worker among the clients"

  local signs=$(( $(count a "sign/verify") - before ))
  [[ $signs -eq 15 ]] || fail "15 handshakes through the broker cost $signs chip signatures, expected 15"
  stop_nginx || fail "nginx did not stop cleanly"
  error_log_clean
  stop_broker || { cat "$WORK/broker.log" >&2; fail "maxq1061d did not stop cleanly on SIGTERM"; }
  grep -q "uid $(id -u www-data) www-data" "$WORK/broker.log" || fail "the daemon did not log the www-data workers"
}
