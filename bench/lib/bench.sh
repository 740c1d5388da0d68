# shellcheck shell=bash
# shellcheck disable=SC2034 # the r_* results and the fixture are for callers
# Shared pieces of the benchmark scripts in bench/: a private PostgreSQL in a
# temporary directory, build/numina on a free loopback port, a user and a
# class made through the API, nginx serving a static copy of the answer,
# wrk runs and their parsing, and the cleanup of all of it.
#
# Source from a script that has run `cd` to the repository root and set
# `set -euo pipefail`. Call bench_cleanup from an EXIT trap.
#
# Every variable of ours is BENCH_* or lower case: the server rejects
# NUMINA_* environment variables it does not know, so we set none but the
# two it reads (database URL, admin token), and only in its own environment.

# shellcheck source=scripts/lib/pg.sh
source scripts/lib/pg.sh

# What this run started, and so must stop.
bench_tmp=         # temporary directory: pg/, nginx/, www/, logs
bench_pg_started=false
numina_pid=
numina_url=
nginx_pid=
nginx_url=

# The fixture.
admin_token=
user_token=
class_id=
body_bytes=
numina_header_bytes=
nginx_header_bytes=

readonly BENCH_PG_DIR_NAME=pg
# The server binary: build/numina, which the scripts build, unless
# BENCH_NUMINA names another (to compare builds; give --no-build then).
readonly BENCH_NUMINA=${BENCH_NUMINA:-build/numina}
# More than the server's http.shutdown_grace (10 s).
readonly BENCH_STOP_TIMEOUT_S=30

bench_log() { printf '[bench] %s\n' "$*" >&2; }

bench_die() {
  bench_log "error: $*"
  exit 1
}

# --- setup ----------------------------------------------------------------

bench_make_tmp() {
  bench_tmp=$(mktemp -d "${TMPDIR:-/tmp}/numina-bench.XXXXXX")
  # nginx workers (user root, or www-data when we are not root) read www/.
  chmod 755 -- "$bench_tmp"
  mkdir -p -- "$bench_tmp/logs"
}

# 1000 connections on each side need more descriptors than the usual 1024.
bench_raise_fd_limit() {
  local want=65536 hard
  hard=$(ulimit -Hn)
  if [[ $hard != unlimited ]] && ((hard < want)); then
    want=$hard
  fi
  ulimit -n "$want" 2>/dev/null || true
  if (($(ulimit -n) < 2200)); then
    bench_log "warning: only $(ulimit -n) file descriptors; 1000 connections may fail"
  fi
}

bench_start_pg() {
  local dir=$bench_tmp/$BENCH_PG_DIR_NAME port
  pg_init "$dir" --no-sync
  port=$(pg_free_port)
  bench_pg_started=true
  # Only the fixture is written; durability is of no use here.
  pg_start "$dir" "$port" -c fsync=off -c synchronous_commit=off \
    -c full_page_writes=off
  pg_create_database "$port" numina
  bench_database_url="host=127.0.0.1 port=$port user=postgres dbname=numina"
  bench_log "PostgreSQL on 127.0.0.1:$port ($dir)"
}

bench_new_admin_token() {
  admin_token=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
}

numina_is_alive() {
  [[ -n $numina_pid ]] || return 1
  local state
  state=$(ps -o stat= -p "$numina_pid" 2>/dev/null) || return 1
  [[ $state != Z* ]]
}

# bench_start_numina LOG TIMEOUT_S [PREFIX... --] [FLAGS...]
# Starts $BENCH_NUMINA on 127.0.0.1, a free port, rate limiting off, and
# waits until /health/ready answers. Words before a `--` are a command to
# run it under (valgrind); without a `--` every word is a server flag.
bench_start_numina() {
  local log=$1 timeout=$2
  shift 2
  local -a prefix=() flags=()
  local arg seen_sep=false
  for arg in "$@"; do
    if [[ $arg == -- && $seen_sep == false ]]; then
      seen_sep=true
      prefix=("${flags[@]}")
      flags=()
      continue
    fi
    flags+=("$arg")
  done
  numina_url=
  env NUMINA_DATABASE_URL="$bench_database_url" \
    NUMINA_ADMIN_TOKEN="$admin_token" \
    "${prefix[@]}" "$BENCH_NUMINA" --http.address=127.0.0.1 --http.port=0 \
    --rate_limit.enabled=false "${flags[@]}" >"$log" 2>&1 &
  numina_pid=$!
  local deadline=$((SECONDS + timeout))
  while ((SECONDS < deadline)); do
    if ! numina_is_alive; then
      bench_log "numina exited before it was ready; its log:"
      cat -- "$log" >&2
      return 1
    fi
    if [[ -z $numina_url ]]; then
      numina_url=$(grep -m1 -oE 'numina listening on http://[^[:space:]]+' \
        "$log" | sed 's/^numina listening on //') || true
      numina_url=${numina_url%/}
    fi
    if [[ -n $numina_url ]] && curl -fsS -o /dev/null --max-time 5 \
      "$numina_url/health/ready" 2>/dev/null; then
      return 0
    fi
    sleep 0.5
  done
  bench_log "numina was not ready within $timeout s; its log:"
  cat -- "$log" >&2
  return 1
}

# SIGTERM, then up to BENCH_STOP_TIMEOUT_S for a graceful exit, then SIGKILL.
# Says so when the stop was not graceful: that is a finding.
bench_stop_numina() {
  [[ -n $numina_pid ]] || return 0
  kill -TERM "$numina_pid" 2>/dev/null || true
  local tenths
  for ((tenths = 0; tenths < BENCH_STOP_TIMEOUT_S * 10; tenths++)); do
    numina_is_alive || break
    sleep 0.1
  done
  if numina_is_alive; then
    bench_log "warning: numina still ran ${BENCH_STOP_TIMEOUT_S} s after SIGTERM; killing it"
    kill -KILL "$numina_pid" 2>/dev/null || true
  fi
  local status=0
  wait "$numina_pid" 2>/dev/null || status=$?
  if ((status != 0)); then
    bench_log "warning: numina exited with status $status"
  fi
  numina_pid=
  numina_url=
}

# curl with the header from stdin, so that no token shows in ps.
# bench_curl TOKEN CURL_ARGS...
bench_curl() {
  local token=$1
  shift
  printf 'Authorization: Bearer %s\n' "$token" |
    curl -sS --max-time 60 -H @- "$@"
}

# Registers the benchmark user and creates one class through the API.
bench_make_fixture() {
  local out
  out=$(curl -fsS --max-time 120 -X POST -H 'Content-Type: application/json' \
    -d '{"email":"bench@bench.numina","password":"bench-password-1","name":"Bench Runner"}' \
    "$numina_url/api/v1/auth/register") || bench_die "register failed"
  user_token=$(sed -n 's/.*"token":"\([^"]*\)".*/\1/p' <<<"$out")
  [[ -n $user_token ]] || bench_die "no token in the register answer: $out"
  out=$(bench_curl "$user_token" -f -X POST \
    -H 'Content-Type: application/json' \
    -d '{"title":"Morning intervals","description":"Forty minutes of intervals on the track, then stretching. Bring water and running shoes.","location":"Riverside track, gate 2","starts_at":"2031-05-06T07:00:00Z","duration_min":60,"capacity":30}' \
    "$numina_url/api/v1/classes") || bench_die "creating the class failed"
  class_id=$(sed -n 's/^{"id":\([0-9]*\).*/\1/p' <<<"$out")
  [[ -n $class_id ]] || bench_die "no id in the class answer: $out"
}

# The hot read's path.
bench_path() { echo "/api/v1/classes/$class_id"; }

# Reads the class a few times (the first read fills the cache: token lookup
# and class) and keeps one answer: body in $bench_tmp/body, headers aside.
bench_warm_cache() {
  local i code
  for ((i = 0; i < 5; i++)); do
    code=$(bench_curl "$user_token" -o "$bench_tmp/body" \
      -D "$bench_tmp/numina-headers" -w '%{http_code}' \
      "$numina_url$(bench_path)")
    [[ $code == 200 ]] || bench_die "GET $(bench_path) answered $code"
  done
  body_bytes=$(stat -c %s "$bench_tmp/body")
  numina_header_bytes=$(stat -c %s "$bench_tmp/numina-headers")
}

# --- the cache counters -----------------------------------------------------

# Prints the /admin/cache JSON, or {} (with a warning) when it does not
# answer 200: the figures then say n/a rather than the run failing.
bench_cache_json() {
  if ! bench_curl "$admin_token" -f "$numina_url/admin/cache" 2>/dev/null; then
    bench_log "warning: GET /admin/cache did not answer 200"
    echo '{}'
  fi
}

# bench_cache_field JSON NAME: a top-level number of /admin/cache (the shard
# objects have the same names, so their array goes first).
bench_cache_field() {
  # shellcheck disable=SC2001 # a bracket expression, not a glob
  sed -e 's/"shards":\[[^]]*\],\{0,1\}//' <<<"$1" |
    grep -oE "\"$2\":[^,}]+" | head -n1 | cut -d: -f2 || true
}

# --- nginx -------------------------------------------------------------------

# Serves $bench_tmp/body at the same path, from 2 workers, keep-alive on.
bench_start_nginx() {
  local dir=$bench_tmp/nginx www=$bench_tmp/www port
  mkdir -p -- "$dir" "$www/api/v1/classes"
  cp -- "$bench_tmp/body" "$www$(bench_path)"
  chmod -R a+rX -- "$www"
  port=$(pg_free_port)
  local user_line=
  if [[ $EUID -eq 0 ]]; then
    user_line="user root;"
  fi
  cat >"$dir/nginx.conf" <<EOF
# Written by bench/lib/bench.sh for one benchmark run.
$user_line
worker_processes 2;
daemon off;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
worker_rlimit_nofile 65536;
events {
  worker_connections 8192;
}
http {
  access_log off;
  server_tokens off;
  sendfile on;
  tcp_nopush on;
  tcp_nodelay on;
  keepalive_timeout 65s;
  # nginx closes a keep-alive connection after 1000 requests by default;
  # numina never does. Same conditions for both.
  keepalive_requests 100000000;
  default_type application/json;
  client_body_temp_path $dir/body;
  proxy_temp_path $dir/proxy;
  fastcgi_temp_path $dir/fastcgi;
  uwsgi_temp_path $dir/uwsgi;
  scgi_temp_path $dir/scgi;
  server {
    listen 127.0.0.1:$port;
    root $www;
    location / {
    }
  }
}
EOF
  nginx -e "$dir/error.log" -p "$dir" -c "$dir/nginx.conf" \
    >"$bench_tmp/logs/nginx.out" 2>&1 &
  nginx_pid=$!
  nginx_url=http://127.0.0.1:$port
  local i code
  for ((i = 0; i < 100; i++)); do
    code=$(curl -s -o /dev/null -D "$bench_tmp/nginx-headers" \
      -w '%{http_code}' "$nginx_url$(bench_path)" 2>/dev/null) || true
    [[ $code == 200 ]] && break
    if ! kill -0 "$nginx_pid" 2>/dev/null; then
      cat -- "$bench_tmp/logs/nginx.out" "$dir/error.log" >&2 || true
      bench_die "nginx did not start"
    fi
    sleep 0.1
  done
  [[ $code == 200 ]] || bench_die "nginx does not answer $(bench_path)"
  nginx_header_bytes=$(stat -c %s "$bench_tmp/nginx-headers")
}

bench_stop_nginx() {
  [[ -n $nginx_pid ]] || return 0
  # SIGQUIT: graceful; the master stops its workers.
  kill -QUIT "$nginx_pid" 2>/dev/null || true
  local tenths
  for ((tenths = 0; tenths < 100; tenths++)); do
    kill -0 "$nginx_pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$nginx_pid" 2>/dev/null || true
  wait "$nginx_pid" 2>/dev/null || true
  nginx_pid=
}

# --- CPU accounting ------------------------------------------------------------

# "utime stime" of a process, in clock ticks (1/100 s); "0 0" when gone.
bench_proc_ticks() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || {
    echo 0 0
    return 0
  }
  # Fields after the command name (which may hold spaces): utime is the
  # 12th, stime the 13th.
  awk '{ print $12, $13 }' <<<"${stat##*) }"
}

# "utime stime" of the server under test: numina, or nginx's master and
# workers together.
bench_server_ticks() {
  local which=$1 pid
  if [[ $which == numina ]]; then
    bench_proc_ticks "$numina_pid"
    return 0
  fi
  for pid in "$nginx_pid" $(pgrep -P "$nginx_pid" || true); do
    bench_proc_ticks "$pid"
  done | awk '{ u += $1; s += $2 } END { print u + 0, s + 0 }'
}

# Busy ticks of the whole machine (all CPUs) from /proc/stat.
bench_machine_busy_ticks() {
  awk '/^cpu / { print $2 + $3 + $4 + $7 + $8; exit }' /proc/stat
}

# Sets r_kids: user+system time of this shell's waited-for children, in
# ticks. `times` must run in this shell, not in a $(...) subshell, whose
# children are not ours.
bench_children_ticks() {
  times >"$bench_tmp/times.txt"
  # `times` prints the shell's times, then its children's: "1m2.345s 0m0.5s".
  r_kids=$(awk 'NR == 2 {
    n = 0
    for (i = 1; i <= 2; i++) {
      split($i, p, "m"); sub("s", "", p[2]); n += p[1] * 60 + p[2]
    }
    printf "%d\n", n * 100 + 0.5
  }' "$bench_tmp/times.txt")
}

# --- wrk -------------------------------------------------------------------------

# The request for wrk: the hot read with the bearer token (in a file, not
# in wrk's arguments).
bench_write_wrk_script() {
  cat >"$bench_tmp/hot_read.lua" <<EOF
wrk.method = "GET"
wrk.headers["Authorization"] = "Bearer $user_token"
EOF
}

# Converts one of wrk's durations (812.00us, 1.23ms, 2.01s, 1.00m) to ms.
bench_to_ms() {
  awk -v v="$1" 'BEGIN {
    if (v ~ /us$/) { sub("us", "", v); printf "%.3f", v / 1000 }
    else if (v ~ /ms$/) { sub("ms", "", v); printf "%.3f", v }
    else if (v ~ /m$/) { sub("m", "", v); printf "%.3f", v * 60000 }
    else if (v ~ /s$/) { sub("s", "", v); printf "%.3f", v * 1000 }
    else if (v ~ /h$/) { sub("h", "", v); printf "%.3f", v * 3600000 }
    else printf "nan"
  }'
}

# bench_wrk NAME URL CONNECTIONS DURATION_S
# Runs wrk once and sets: r_rps r_p50 r_p99 r_mean (ms) r_requests
# r_errors (socket errors) r_non2xx r_cpu_us and r_sys_us (server CPU
# time per request, all of it and the kernel's part, µs), r_server_cores
# and r_wrk_cores (cores used by the server and by wrk),
# r_others (cores busy with other processes during the run) and r_load
# (1-minute load average before the run).
bench_wrk() {
  local name=$1 url=$2 conns=$3 secs=$4
  local out
  out=$bench_tmp/logs/wrk-$name-c$conns-$(date +%s%N).txt
  r_load=$(cut -d' ' -f1 /proc/loadavg)
  local busy0 kids0 busy1 kids1 u0 s0 u1 s1
  read -r u0 s0 < <(bench_server_ticks "$name")
  bench_children_ticks
  kids0=$r_kids
  busy0=$(bench_machine_busy_ticks)
  # A generous timeout: a slow answer counts in the latency rather than
  # vanishing as a "timeout" that wrk leaves out of its percentiles.
  wrk -t1 -c"$conns" -d"${secs}s" --timeout 10s --latency \
    -s "$bench_tmp/hot_read.lua" "$url" >"$out" 2>&1 || {
    cat -- "$out" >&2
    bench_die "wrk failed against $name"
  }
  busy1=$(bench_machine_busy_ticks)
  bench_children_ticks
  kids1=$r_kids
  read -r u1 s1 < <(bench_server_ticks "$name")
  r_rps=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$out")
  r_p50=$(bench_to_ms "$(awk '$1 == "50%" { print $2 }' "$out")")
  r_p99=$(bench_to_ms "$(awk '$1 == "99%" { print $2 }' "$out")")
  r_mean=$(bench_to_ms "$(awk '$1 == "Latency" { print $2; exit }' "$out")")
  r_requests=$(awk '/requests in/ { print $1 }' "$out")
  r_errors=$(awk '/Socket errors:/ {
      gsub(",", ""); print $4 + $6 + $8 + $10 }' "$out")
  r_errors=${r_errors:-0}
  r_non2xx=$(awk '/Non-2xx or 3xx responses:/ { print $5 }' "$out")
  r_non2xx=${r_non2xx:-0}
  local srv=$((u1 + s1 - u0 - s0)) sys=$((s1 - s0))
  local wrk_ticks=$((kids1 - kids0))
  local busy=$((busy1 - busy0))
  r_cpu_us=$(awk -v t="$srv" -v n="$r_requests" \
    'BEGIN { if (n > 0) printf "%.1f", t * 10000 / n; else print "nan" }')
  r_sys_us=$(awk -v t="$sys" -v n="$r_requests" \
    'BEGIN { if (n > 0) printf "%.1f", t * 10000 / n; else print "nan" }')
  r_others=$(awk -v b="$busy" -v s="$srv" -v w="$wrk_ticks" -v d="$secs" \
    'BEGIN { o = (b - s - w) / (d * 100); if (o < 0) o = 0; printf "%.2f", o }')
  r_server_cores=$(awk -v s="$srv" -v d="$secs" 'BEGIN { printf "%.2f", s / (d * 100) }')
  r_wrk_cores=$(awk -v w="$wrk_ticks" -v d="$secs" 'BEGIN { printf "%.2f", w / (d * 100) }')
  r_out=$out
}

# bench_wait_idle MAX_S: waits (up to MAX_S) until the rest of the machine
# is quiet, i.e. less than 0.25 cores busy over 3 s, and says how long it
# waited; our own servers idle meanwhile. On a shared 2-core machine other
# work skews every figure.
bench_wait_idle() {
  local max=$1 start=$SECONDS b0 b1 cores
  while true; do
    b0=$(bench_machine_busy_ticks)
    sleep 3
    b1=$(bench_machine_busy_ticks)
    cores=$(awk -v d="$((b1 - b0))" 'BEGIN { printf "%.2f", d / 300 }')
    if awk -v c="$cores" 'BEGIN { exit !(c < 0.25) }'; then
      bench_log "machine quiet ($cores cores busy) after $((SECONDS - start)) s"
      return 0
    fi
    if ((SECONDS - start >= max)); then
      bench_log "warning: machine still busy ($cores cores) after $max s; measuring anyway"
      return 0
    fi
  done
}

# --- machine ---------------------------------------------------------------------

bench_print_machine() {
  local model
  model=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
  echo "machine:  $(nproc) CPUs, ${model:-unknown CPU}, $(uname -sr)"
  echo "load:     $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min) at $(date -u +%FT%TZ)"
  echo "source:   $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(
    git diff --quiet HEAD 2>/dev/null || echo ' + uncommitted changes') (at run time)"
  echo "binary:   $BENCH_NUMINA, built $(date -u -r "$BENCH_NUMINA" +%FT%TZ), sha256 $(
    sha256sum "$BENCH_NUMINA" | cut -c1-12), $(
    grep -m1 CMAKE_BUILD_TYPE build/CMakeCache.txt 2>/dev/null | cut -d= -f2) build"
  echo "nginx:    $(nginx -v 2>&1 | sed 's/^nginx version: //'), wrk $(
    wrk --version 2>&1 | head -n1 | awk '{ print $2 }')"
}

# --- cleanup ---------------------------------------------------------------------

# Stops what this run started, in reverse order. Safe to call twice.
bench_cleanup() {
  bench_stop_nginx || true
  bench_stop_numina || true
  if [[ $bench_pg_started == true ]]; then
    bench_pg_started=false
    pg_stop "$bench_tmp/$BENCH_PG_DIR_NAME" ||
      bench_log "could not stop PostgreSQL in $bench_tmp/$BENCH_PG_DIR_NAME"
  fi
  if [[ -n $bench_tmp ]]; then
    if [[ ${BENCH_KEEP_TMP:-0} == 1 ]]; then
      bench_log "kept $bench_tmp (BENCH_KEEP_TMP=1)"
    else
      rm -rf -- "$bench_tmp"
    fi
    bench_tmp=
  fi
}

# --- script frame ----------------------------------------------------------------

# Prints the calling script's header comment (line 2 up to `set -euo`), its
# usage.
bench_usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }

# shellcheck disable=SC2317 # called from a trap
bench_on_signal() {
  trap - INT TERM
  exit "$1"
}

# bench_prepare DO_INSTALL DO_BUILD: from here on, everything the script
# starts is cleaned up on exit, Ctrl-C or TERM; installs what is missing
# and builds numina when told to (true/false); checks that $BENCH_NUMINA
# is there.
bench_prepare() {
  trap bench_cleanup EXIT
  trap 'bench_on_signal 130' INT
  trap 'bench_on_signal 143' TERM
  if [[ $1 == true ]]; then
    scripts/install-deps.sh
  fi
  if [[ $2 == true ]]; then
    scripts/build.sh numina >&2
  fi
  [[ -x $BENCH_NUMINA ]] || bench_die "$BENCH_NUMINA is missing"
}
