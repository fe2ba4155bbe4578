#!/usr/bin/env bash
# Container healthcheck of the service images (they have bash, not curl), run by Docker every second while the container starts, then every 30 s:
#   healthcheck.sh api     exit 0 when GET http://127.0.0.1:$PORT/health answers 200
#   healthcheck.sh worker  exit 0 when the heartbeat file ($WORKER_HEARTBEAT_FILE) was touched in the last 30 s
# Bash builtins (/dev/tcp, read, printf) and one stat: a run costs a few ms of CPU. A Node probe cost 60-80 ms a
# run inside the container's own CPU limit, so every 10 s it took the quota of a 0.5-CPU API for a scheduler
# period or more, and the requests of that moment waited (npm run bench saw them as POST /payments p99).
set -u

fail() {
  printf 'unhealthy: %s\n' "$1" >&2
  exit 1
}

check_api() {
  local port=${PORT:-8000} status code
  { exec 3<>"/dev/tcp/127.0.0.1/${port}"; } 2>/dev/null || fail "GET /health failed: cannot connect to 127.0.0.1:${port}"
  printf 'GET /health HTTP/1.0\r\nHost: localhost\r\nConnection: close\r\n\r\n' >&3 || fail 'GET /health failed: the connection closed'
  IFS= read -r -t 3 status <&3 || fail 'GET /health failed: no answer within 3 s'
  status=${status%$'\r'}
  code=${status#* }
  code=${code%% *}
  [[ $code == 200 ]] || fail "GET /health answered ${code}"
}

check_worker() {
  local file=${WORKER_HEARTBEAT_FILE:-/tmp/innover-worker-heartbeat} modified now age
  [[ -e $file ]] || fail "heartbeat ${file} does not exist"
  modified=$(stat -c %Y -- "$file") || fail "heartbeat ${file} cannot be read"
  printf -v now '%(%s)T' -1
  age=$((now - modified))
  ((age <= 30)) || fail "heartbeat ${file} is ${age} s old"
}

case "${1:-}" in
  api) check_api ;;
  worker) check_worker ;;
  *) fail 'usage: healthcheck.sh api|worker' ;;
esac
