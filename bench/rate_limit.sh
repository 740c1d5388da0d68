#!/usr/bin/env bash
# What rate limiting costs: throughput of the hot read with limiting on and
# off (same run, numina restarted for each, rounds interleaved), and the
# memory of many live limiters.
#
#   bench/rate_limit.sh [options] [-- numina flags...]
#
# Throughput: the fixture of bench/hot_read.sh (private PostgreSQL, one
# user, one class, warm cache). For each round, numina is started with
# limiting off, then on, and `wrk -t1 -cN -dS` reads the class at each
# connection count. "On" keeps the default policy's window short and its
# limit out of reach (1e9 per second), so that every request is checked and
# allowed: the cost of the check itself, not of 429s. Every request of the
# run is one user's, so all of them pass through one limiter actor.
#
# Memory: numina with limiting on and 127.0.0.1 as a trusted proxy; wrk
# sends `POST /api/v1/auth/login {}` (refused as invalid after the limiter,
# or 429: no database work) with X-Forwarded-For cycling through --keys
# client addresses, so that the auth policy holds one live limiter per
# address, each with its window full (5 requests: the auth limit).
# Memory per limiter = (VmRSS after - VmRSS before) / (live after - live
# before), live from GET /admin/ratelimits; the "before" comes from the same
# load over one address, so connections and buffers are already paid for.
# With --idle-check it then waits for the auth window to pass, shows the
# limiters gone, and sends as many new clients again: memory is reused.
#
# Options:
#   --duration S         seconds per throughput run (default 10)
#   --connections LIST   connection counts (default "64 256")
#   --rounds N           off/on rounds (default 3)
#   --keys N             client addresses of the memory run (default 100000)
#   --window D           auth window of the memory run (default 2m)
#   --idle-check         after the memory run, wait out the window
#   --skip-throughput, --skip-memory
#   --no-install, --no-build (then BENCH_NUMINA names the binary)
#   -h, --help
#
# Loopback only. CI does not run this: the figures depend on the machine.
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
readonly REPO_ROOT
cd "$REPO_ROOT"
# shellcheck source=bench/lib/bench.sh
source bench/lib/bench.sh

duration=10
connections="64 256"
rounds=3
keys=100000
window=2m
idle_check=false
do_throughput=true
do_memory=true
do_install=true
do_build=true
numina_flags=()

readonly LIMIT_ON=(--rate_limit.enabled=true
  --rate_limit.default_limit=1000000000 --rate_limit.default_window=1s)
readonly LIMIT_OFF=(--rate_limit.enabled=false)

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }

parse_args() {
  while (($# > 0)); do
    case $1 in
      --duration) duration=$2; shift 2 ;;
      --connections) connections=$2; shift 2 ;;
      --rounds) rounds=$2; shift 2 ;;
      --keys) keys=$2; shift 2 ;;
      --window) window=$2; shift 2 ;;
      --idle-check) idle_check=true; shift ;;
      --skip-throughput) do_throughput=false; shift ;;
      --skip-memory) do_memory=false; shift ;;
      --no-install) do_install=false; shift ;;
      --no-build) do_build=false; shift ;;
      -h | --help) usage; exit 0 ;;
      --) shift; numina_flags=("$@"); break ;;
      *) bench_die "unknown argument: $1 (see --help)" ;;
    esac
  done
  local n
  for n in "$duration" "$rounds" "$keys" $connections; do
    [[ $n =~ ^[1-9][0-9]*$ ]] || bench_die "not a positive number: $n"
  done
}

start_numina() {
  bench_start_numina "$bench_tmp/logs/numina-$(date +%s%N).log" 60 \
    "${numina_flags[@]}" "$@"
}

rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$numina_pid/status"; }

# The auth policy's live limiters, from /admin/ratelimits.
auth_live() {
  bench_curl "$admin_token" -f "$numina_url/admin/ratelimits" |
    grep -oE '"auth":\{[^}]*\}' | grep -oE '"live":[0-9]+' | cut -d: -f2
}

# --- throughput ----------------------------------------------------------------

throughput() {
  local round mode n
  declare -gA rps=() cpu=()
  for ((round = 1; round <= rounds; round++)); do
    for mode in off on; do
      if [[ $mode == on ]]; then
        start_numina "${LIMIT_ON[@]}"
      else
        start_numina "${LIMIT_OFF[@]}"
      fi
      bench_warm_cache
      bench_wrk numina "$numina_url$(bench_path)" 64 2 # warm-up
      for n in $connections; do
        bench_wrk numina "$numina_url$(bench_path)" "$n" "$duration"
        if ((r_errors + r_non2xx > 0)); then
          bench_log "warning: $mode c=$n: $r_errors socket errors, $r_non2xx non-2xx"
        fi
        rps[$mode,$n,$round]=$r_rps
        cpu[$mode,$n,$round]=$r_cpu_us
        bench_log "round $round limiting $mode c=$n: $r_rps req/s, p99 $r_p99 ms, ${r_cpu_us} us CPU/request"
      done
      bench_stop_numina
    done
  done
  printf '\n== hot read GET %s, wrk -t1, %s s per run, %s rounds (off, on interleaved) ==\n' \
    "$(bench_path)" "$duration" "$rounds"
  echo "(req/s: throughput; cpu: numina's CPU time per request in us, which"
  echo " the load of other processes disturbs less than req/s)"
  local -a offs ons off_cpu on_cpu
  local off_mean on_mean off_cpu_mean on_cpu_mean
  for n in $connections; do
    offs=() ons=() off_cpu=() on_cpu=()
    for ((round = 1; round <= rounds; round++)); do
      offs+=("${rps[off,$n,$round]}")
      ons+=("${rps[on,$n,$round]}")
      off_cpu+=("${cpu[off,$n,$round]}")
      on_cpu+=("${cpu[on,$n,$round]}")
    done
    off_mean=$(mean "${offs[@]}")
    on_mean=$(mean "${ons[@]}")
    off_cpu_mean=$(mean "${off_cpu[@]}")
    on_cpu_mean=$(mean "${on_cpu[@]}")
    printf 'c=%s limiting off: req/s %s (mean %s); cpu %s (mean %s)\n' "$n" \
      "${offs[*]}" "$off_mean" "${off_cpu[*]}" "$off_cpu_mean"
    printf 'c=%s limiting on:  req/s %s (mean %s); cpu %s (mean %s)\n' "$n" \
      "${ons[*]}" "$on_mean" "${on_cpu[*]}" "$on_cpu_mean"
    printf 'c=%s cost of limiting: throughput %s%%, CPU per request %s%%\n' \
      "$n" "$(change "$off_mean" "$on_mean" -1)" \
      "$(change "$off_cpu_mean" "$on_cpu_mean" 1)"
  done
}

mean() { printf '%s\n' "$@" | awk '{ s += $1 } END { printf "%.1f", s / NR }'; }

# change BEFORE AFTER SIGN: the relative change in percent, SIGN -1 for
# "less is a cost" (throughput), 1 for "more is a cost" (CPU).
change() {
  awk -v a="$1" -v b="$2" -v s="$3" 'BEGIN { printf "%.1f", s * (b - a) * 100 / a }'
}

# --- memory ----------------------------------------------------------------------

write_keys_script() {
  # $1: how many client addresses to cycle through; $2: their first octet.
  cat >"$bench_tmp/keys.lua" <<EOF
-- One request per call, X-Forwarded-For cycling through $1 addresses.
local n = 0
local keys = $1
request = function()
  local k = n % keys
  n = n + 1
  local ip = string.format("$2.%d.%d.%d", math.floor(k / 65536) % 256,
                           math.floor(k / 256) % 256, k % 256)
  return wrk.format("POST", "/api/v1/auth/login",
                    {["X-Forwarded-For"] = ip,
                     ["Content-Type"] = "application/json"}, "{}")
end
EOF
}

drive_keys() {
  # $1: addresses, $2: seconds, $3: their first octet (default 10).
  write_keys_script "$1" "${3:-10}"
  wrk -t1 -c64 -d"$2s" --timeout 10s -s "$bench_tmp/keys.lua" \
    "$numina_url/api/v1/auth/login" >"$bench_tmp/logs/keys-$1.txt" 2>&1 ||
    bench_die "wrk failed: $(cat "$bench_tmp/logs/keys-$1.txt")"
  awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$bench_tmp/logs/keys-$1.txt"
}

memory() {
  # The auth policy's own limit (5): each limiter holds at most 5 times.
  start_numina --rate_limit.enabled=true --http.trusted_proxies=127.0.0.1 \
    "--rate_limit.auth_window=$window"
  local rss_base live_base rss rate tries=0 live
  rate=$(drive_keys 1 5)
  rss_base=$(rss_kib)
  live_base=$(auth_live)
  bench_log "one address: $rate req/s; VmRSS $rss_base KiB, live $live_base"
  # Until every address has been seen (the run is timed, not counted); the
  # address of the first run is one of them.
  live=$live_base
  while ((live < keys && tries < 10)); do
    rate=$(drive_keys "$keys" 10)
    live=$(auth_live)
    tries=$((tries + 1))
    bench_log "$keys addresses: $rate req/s; live $live"
  done
  rss=$(rss_kib)
  printf '\n== memory: %s client addresses on the auth policy (window %s) ==\n' \
    "$keys" "$window"
  printf 'live limiters: %s -> %s\n' "$live_base" "$live"
  printf 'VmRSS: %s KiB -> %s KiB\n' "$rss_base" "$rss"
  printf 'per live limiter: %s bytes\n' "$(awk -v a="$rss_base" -v b="$rss" \
    -v l0="$live_base" -v l1="$live" \
    'BEGIN { if (l1 > l0) printf "%.0f", (b - a) * 1024 / (l1 - l0); else print "n/a" }')"
  if [[ $idle_check == true ]]; then
    local secs
    secs=$(awk -v w="$window" 'BEGIN {
      n = w + 0; u = substr(w, length(n "") + 1)
      if (u == "m") n *= 60; else if (u == "h") n *= 3600; else if (u == "ms") n /= 1000
      printf "%d", n }')
    bench_log "waiting $((secs + 5)) s for the window to pass"
    sleep $((secs + 5))
    printf 'after %s s idle: live %s, VmRSS %s KiB\n' "$((secs + 5))" \
      "$(auth_live)" "$(rss_kib)"
    # As many new clients again: the freed memory is reused, not added to.
    local rate2 live2 tries2=0
    live2=0
    while ((live2 < keys && tries2 < 10)); do
      rate2=$(drive_keys "$keys" 10 11)
      live2=$(auth_live)
      tries2=$((tries2 + 1))
    done
    printf 'then %s other addresses: live %s, VmRSS %s KiB\n' "$keys" \
      "$live2" "$(rss_kib)"
  fi
  bench_stop_numina
}

main() {
  parse_args "$@"
  trap bench_cleanup EXIT
  trap 'trap - INT TERM; exit 130' INT TERM
  if [[ $do_install == true ]]; then
    scripts/install-deps.sh
  fi
  if [[ $do_build == true ]]; then
    scripts/build.sh numina >&2
  fi
  [[ -x $BENCH_NUMINA ]] || bench_die "$BENCH_NUMINA is missing"
  bench_raise_fd_limit
  bench_make_tmp
  bench_new_admin_token
  bench_start_pg
  echo
  bench_print_machine
  echo "flags:    ${numina_flags[*]:-(none)}; on = ${LIMIT_ON[*]}"
  if [[ $do_throughput == true ]]; then
    start_numina "${LIMIT_OFF[@]}"
    bench_make_fixture
    bench_write_wrk_script
    bench_stop_numina
    throughput
  fi
  if [[ $do_memory == true ]]; then
    memory
  fi
  echo
  echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
}

main "$@"
