#!/usr/bin/env bash
# The hot-read benchmark: numina against nginx, same machine, same run.
#
#   bench/hot_read.sh [options] [-- numina flags...]
#
# Installs what is missing (scripts/install-deps.sh), builds build/numina
# (scripts/build.sh), starts a private PostgreSQL in a temporary directory,
# starts numina on a free loopback port with rate limiting off, registers a
# user and creates a class through the API, warms the cache, and starts
# nginx (2 workers, keep-alive, no access log) on another loopback port
# serving a static file of exactly the size of the class's JSON body. Then,
# for each connection count, it runs `wrk -t1 -cN -dS --latency` with the
# bearer token against numina and then against nginx, and prints
# throughput, p50/p99 latency, numina's throughput as a ratio of nginx's
# and the cache hit rate from /admin/cache. Everything it started is
# stopped and removed at the end, also on failure or Ctrl-C.
#
# Options:
#   --duration S        seconds per wrk run (default 10; env BENCH_DURATION)
#   --connections LIST  connection counts (default "64 256 1000")
#   --tables LIST       what to measure, comma-separated: "hot" (the table
#                       above, default) and/or "split" (the thread split:
#                       numina restarted for each http.threads/actors.threads
#                       pair at --split-connections, nginx once for scale)
#   --splits LIST       http/actors thread pairs (default "1/1 1/2 2/1 2/2")
#   --split-connections N   connections of the split table (default 256)
#   --no-install        do not run scripts/install-deps.sh
#   --no-build          use build/numina as it is
#   -h, --help
# Flags after `--` go to every numina started (e.g. -- --cache.shards=8).
#
# Loopback only. CI does not run this: the figures depend on the machine.
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
readonly REPO_ROOT
cd "$REPO_ROOT"
# shellcheck source=bench/lib/bench.sh
source bench/lib/bench.sh

duration=${BENCH_DURATION:-10}
connections="64 256 1000"
tables=hot
splits="1/1 1/2 2/1 2/2"
split_connections=256
do_install=true
do_build=true
numina_flags=()

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }

parse_args() {
  while (($# > 0)); do
    case $1 in
      --duration) duration=$2; shift 2 ;;
      --duration=*) duration=${1#*=}; shift ;;
      --connections) connections=$2; shift 2 ;;
      --connections=*) connections=${1#*=}; shift ;;
      --tables) tables=$2; shift 2 ;;
      --tables=*) tables=${1#*=}; shift ;;
      --splits) splits=$2; shift 2 ;;
      --splits=*) splits=${1#*=}; shift ;;
      --split-connections) split_connections=$2; shift 2 ;;
      --split-connections=*) split_connections=${1#*=}; shift ;;
      --no-install) do_install=false; shift ;;
      --no-build) do_build=false; shift ;;
      -h | --help) usage; exit 0 ;;
      --) shift; numina_flags=("$@"); break ;;
      *) bench_die "unknown argument: $1 (see --help)" ;;
    esac
  done
  if [[ ! $duration =~ ^[1-9][0-9]*$ ]]; then
    bench_die "--duration takes whole seconds"
  fi
  local n
  for n in $connections $split_connections; do
    if [[ ! $n =~ ^[1-9][0-9]*$ ]]; then
      bench_die "bad connection count: $n"
    fi
  done
  for n in $splits; do
    [[ $n =~ ^[0-9]+/[0-9]+$ ]] || bench_die "bad thread pair: $n (want H/A)"
  done
  [[ ,$tables, =~ ,(hot|split), ]] || bench_die "--tables takes hot and/or split"
}

wants_table() { [[ ,$tables, == *,$1,* ]]; }

# Starts numina with the given extra flags, fresh cache, and warms it.
start_and_warm() {
  bench_start_numina "$bench_tmp/logs/numina-$(date +%s%N).log" 60 \
    "${numina_flags[@]}" "$@"
  bench_warm_cache
}

# A short run each before measuring: connections, allocators, page cache.
warm_servers() {
  local secs=2
  bench_wrk numina "$numina_url$(bench_path)" 64 "$secs"
  bench_wrk nginx "$nginx_url$(bench_path)" 64 "$secs"
}

# Prints a warning line when a run had errors, and keeps it for the end.
note_errors() {
  if ((r_errors > 0 || r_non2xx > 0)); then
    printf '  ! %s c=%s: %s socket errors, %s non-2xx answers (%s)\n' \
      "$1" "$2" "$r_errors" "$r_non2xx" "$r_out" >&2
    run_notes+=("$1 at $2 connections: $r_errors socket errors, $r_non2xx non-2xx/3xx")
  fi
}

readonly ROW_FORMAT='%6s  %-7s %8s %8s %8s %8s %7s %7s %5s %5s %6s %6s %6s %8s\n'

print_header() {
  # shellcheck disable=SC2059 # the format is ours
  printf "$ROW_FORMAT" conns server req/s p50_ms p99_ms mean_ms cpu_us sys_us \
    srv wrk others errors ratio hit_rate
}

# Sets row to the last wrk run's figures: CONNS SERVER, ratio and hit rate
# left as the placeholders RATIO and HIT.
format_row() {
  # shellcheck disable=SC2059 # the format is ours
  row=$(printf "$ROW_FORMAT" "$1" "$2" "$r_rps" "$r_p50" "$r_p99" "$r_mean" \
    "$r_cpu_us" "$r_sys_us" "$r_server_cores" "$r_wrk_cores" "$r_others" \
    "$((r_errors + r_non2xx))" RATIO HIT)
}

# fill ROW RATIO HIT: the row with its placeholders replaced, widths kept.
fill() {
  local r=$1
  r=${r/ RATIO/$(printf ' %5s' "$2")}
  r=${r/ HIT/$(printf ' %3s' "$3")}
  printf '%s\n' "$r"
}

ratio_of() {
  awk -v a="$1" -v b="$2" \
    'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'
}

explain_columns() {
  cat <<'EOF'

cpu_us, sys_us: the server's CPU time per request (user+system, and the
  system part), over all its threads (numina) or processes (nginx).
srv, wrk, others: cores used by the server, by wrk and by every other
  process of the machine during the run.
errors: wrk's socket errors plus non-2xx/3xx answers.
ratio: numina req/s / nginx req/s at the same connection count.
hit_rate: numina's cache hit rate during its run (/admin/cache before and
  after; each request looks up the token and the class).
EOF
}

# The hit rate of /admin/cache between two of its answers.
run_hit_rate() {
  awk -v h0="$(bench_cache_field "$1" hits)" \
    -v m0="$(bench_cache_field "$1" misses)" \
    -v h1="$(bench_cache_field "$2" hits)" \
    -v m1="$(bench_cache_field "$2" misses)" 'BEGIN {
      h = h1 - h0; m = m1 - m0
      if (h0 != "" && h1 != "" && h + m > 0) printf "%.4f", h / (h + m)
      else print "n/a"
    }'
}

hot_table() {
  local n json0 json1 hit n_rps n_row row
  local -a lines=()
  printf '\n== hot read: GET %s, wrk -t1 --latency, %s s per run ==\n' \
    "$(bench_path)" "$duration"
  for n in $connections; do
    json0=$(bench_cache_json)
    bench_wrk numina "$numina_url$(bench_path)" "$n" "$duration"
    json1=$(bench_cache_json)
    note_errors numina "$n"
    numina_alive_or_report "$n"
    hit=$(run_hit_rate "$json0" "$json1")
    n_rps=$r_rps
    format_row "$n" numina
    n_row=$row
    bench_log "c=$n numina: $r_rps req/s, p99 $r_p99 ms ($r_requests requests; load before $r_load, others $r_others cores)"
    sleep 1
    bench_wrk nginx "$nginx_url$(bench_path)" "$n" "$duration"
    note_errors nginx "$n"
    format_row "$n" nginx
    lines+=("$(fill "$n_row" "$(ratio_of "$n_rps" "$r_rps")" "$hit")")
    lines+=("$(fill "$row" "" "")")
    bench_log "c=$n nginx: $r_rps req/s, p99 $r_p99 ms; ratio $(ratio_of "$n_rps" "$r_rps")"
    sleep 1
  done
  echo
  print_header
  printf '%s\n' "${lines[@]}"
  json1=$(bench_cache_json)
  printf '\n/admin/cache after the runs: hit_rate %s (hits %s, misses %s, entries %s)\n' \
    "$(bench_cache_field "$json1" hit_rate)" \
    "$(bench_cache_field "$json1" hits)" \
    "$(bench_cache_field "$json1" misses)" \
    "$(bench_cache_field "$json1" entries)"
}

split_table() {
  local pair h a nginx_rps row json0 json1 hit
  local -a lines=()
  printf '\n== thread split: http.threads/actors.threads, %s connections, %s s per run ==\n' \
    "$split_connections" "$duration"
  bench_wrk nginx "$nginx_url$(bench_path)" "$split_connections" "$duration"
  note_errors nginx "$split_connections"
  nginx_rps=$r_rps
  format_row "$split_connections" nginx
  lines+=("$(fill "$row" "" "")")
  for pair in $splits; do
    h=${pair%/*}
    a=${pair#*/}
    bench_stop_numina
    start_and_warm "--http.threads=$h" "--actors.threads=$a"
    sleep 1
    json0=$(bench_cache_json)
    bench_wrk numina "$numina_url$(bench_path)" "$split_connections" \
      "$duration"
    json1=$(bench_cache_json)
    note_errors "numina $pair" "$split_connections"
    numina_alive_or_report "$split_connections"
    hit=$(run_hit_rate "$json0" "$json1")
    format_row "$split_connections" "$pair"
    lines+=("$(fill "$row" "$(ratio_of "$r_rps" "$nginx_rps")" "$hit")")
    bench_log "split $pair: $r_rps req/s, p99 $r_p99 ms; load before $r_load, others $r_others cores"
  done
  echo "(server: nginx, or numina's http.threads/actors.threads)"
  print_header
  printf '%s\n' "${lines[@]}"
}

# A server that died under load is a finding: say how, and stop.
numina_alive_or_report() {
  if ! numina_is_alive; then
    local status=0
    wait "$numina_pid" 2>/dev/null || status=$?
    numina_pid=
    bench_log "numina DIED during the run at $1 connections (exit status $status); end of its log:"
    tail -n 40 -- "$bench_tmp"/logs/numina-*.log >&2 || true
    BENCH_KEEP_TMP=1
    exit 1
  fi
}

# shellcheck disable=SC2317 # called from a trap
on_signal() {
  trap - INT TERM
  exit 130
}

main() {
  parse_args "$@"
  run_notes=()
  trap bench_cleanup EXIT
  trap on_signal INT TERM

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
  bench_start_numina "$bench_tmp/logs/numina-$(date +%s%N).log" 60 \
    "${numina_flags[@]}"
  bench_make_fixture
  bench_warm_cache
  bench_write_wrk_script
  bench_start_nginx
  warm_servers

  echo
  bench_print_machine
  echo "request:  GET $(bench_path) with a bearer token; body $body_bytes bytes;" \
    "headers: numina $numina_header_bytes bytes, nginx $nginx_header_bytes bytes"
  echo "numina:   --rate_limit.enabled=false ${numina_flags[*]}" \
    "(http.threads/actors.threads: defaults unless given)"
  echo "nginx:    worker_processes 2, keep-alive, access_log off, sendfile on"

  if wants_table hot; then
    hot_table
  fi
  if wants_table split; then
    split_table
  fi
  explain_columns
  if ((${#run_notes[@]} > 0)); then
    echo
    echo "errors during the runs:"
    printf '  %s\n' "${run_notes[@]}"
  fi
  echo
  echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
}

main "$@"
