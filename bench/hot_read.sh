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
# for each connection count, it runs `wrk -t1 -cN -dS --timeout 10s
# --latency` with the bearer token against numina and then against nginx,
# and prints throughput, p50/p99 latency, numina's throughput as a ratio of
# nginx's, the servers' CPU time per request and the cache hit rate from
# /admin/cache. Everything it started is stopped and removed at the end,
# also on failure or Ctrl-C. docs/benchmarks.md explains the columns.
#
# Options:
#   --duration S        seconds per wrk run (default 10; env BENCH_DURATION)
#   --connections LIST  connection counts (default "64 256 1000")
#   --tables LIST       what to measure, comma-separated: "hot" (the table
#                       above, default) and/or "split" (the thread split:
#                       numina restarted for each http.threads/actors.threads
#                       pair at --split-connections, nginx once per round
#                       for scale)
#   --splits LIST       http/actors thread pairs (default "1/1 1/2 2/1 2/2")
#   --split-connections N   connections of the split table (default 256)
#   --rounds N          repeat every measurement N times (default 1; the
#                       order numina/nginx alternates) and print the median
#   --wait-idle S       before each numina/nginx pair (and each split run),
#                       wait up to S seconds for the rest of the machine to
#                       be quiet (< 0.25 cores busy over 3 s); default 0
#   --save DIR          keep the raw results (results.tsv, wrk outputs,
#                       server logs) in DIR
#   --no-install        do not run scripts/install-deps.sh
#   --no-build          use the binary as it is
#   -h, --help
# Flags after `--` go to every numina started (e.g. -- --cache.shards=8).
# Environment: BENCH_NUMINA=path benchmarks another binary (with --no-build);
# BENCH_KEEP_TMP=1 keeps the temporary directory.
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
wait_idle=0
rounds=1
save_dir=
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
      --save) save_dir=$2; shift 2 ;;
      --save=*) save_dir=${1#*=}; shift ;;
      --rounds) rounds=$2; shift 2 ;;
      --rounds=*) rounds=${1#*=}; shift ;;
      --wait-idle) wait_idle=$2; shift 2 ;;
      --wait-idle=*) wait_idle=${1#*=}; shift ;;
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
  if [[ ! $rounds =~ ^[1-9][0-9]*$ ]]; then
    bench_die "--rounds takes a positive count"
  fi
  if [[ ! $wait_idle =~ ^[0-9]+$ ]]; then
    bench_die "--wait-idle takes seconds"
  fi
  for n in $splits; do
    [[ $n =~ ^[0-9]+/[0-9]+$ ]] || bench_die "bad thread pair: $n (want H/A)"
  done
  local t
  for t in ${tables//,/ }; do
    [[ $t == hot || $t == split ]] ||
      bench_die "--tables takes hot and/or split, not $t"
  done
}

maybe_wait_idle() {
  if ((wait_idle > 0)); then
    bench_wait_idle "$wait_idle"
  fi
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

# The hit rate of /admin/cache between two of its answers.
run_hit_rate() {
  awk -v h0="$(bench_cache_field "$1" hits)" \
    -v m0="$(bench_cache_field "$1" misses)" \
    -v h1="$(bench_cache_field "$2" hits)" \
    -v m1="$(bench_cache_field "$2" misses)" 'BEGIN {
      h = h1 - h0; m = m1 - m0
      if (h0 != "" && h1 != "" && h + m > 0) printf "%.4f", h / (h + m)
      else print "-"
    }'
}

# Every run is one line of $results: TABLE CONNS SERVER ROUND and the
# figures of the last bench_wrk, then the hit rate.
record() {
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
    "$1" "$2" "$3" "$4" "$r_rps" "$r_p50" "$r_p99" "$r_mean" "$r_cpu_us" \
    "$r_sys_us" "$r_server_cores" "$r_wrk_cores" "$r_others" \
    "$((r_errors + r_non2xx))" "$5" >>"$results"
}

# One wrk run of numina, recorded; checks that numina survived it and logs
# its memory and descriptors (a leak shows as growth from run to run).
measure_numina() {
  local table=$1 conns=$2 label=$3 round=$4 json0 json1 hit
  json0=$(bench_cache_json)
  bench_wrk numina "$numina_url$(bench_path)" "$conns" "$duration"
  json1=$(bench_cache_json)
  note_errors "numina $label" "$conns"
  numina_alive_or_report "$conns"
  hit=$(run_hit_rate "$json0" "$json1")
  record "$table" "$conns" "$label" "$round" "$hit"
  bench_log "$table c=$conns $label #$round: $r_rps req/s, p99 $r_p99 ms, $r_cpu_us us CPU/req; others $r_others cores; numina $(numina_footprint)"
}

measure_nginx() {
  local table=$1 conns=$2 round=$3
  bench_wrk nginx "$nginx_url$(bench_path)" "$conns" "$duration"
  note_errors nginx "$conns"
  record "$table" "$conns" nginx "$round" "-"
  bench_log "$table c=$conns nginx #$round: $r_rps req/s, p99 $r_p99 ms, $r_cpu_us us CPU/req; others $r_others cores"
}

# VmRSS and open descriptors of numina, a second after a run.
numina_footprint() {
  sleep 1
  local rss fds
  rss=$(awk '/^VmRSS:/ { printf "%.1f MiB", $2 / 1024 }' \
    "/proc/$numina_pid/status" 2>/dev/null || echo '?')
  fds=$(find "/proc/$numina_pid/fd" -mindepth 1 -maxdepth 1 2>/dev/null |
    wc -l)
  echo "VmRSS $rss, $fds fds"
}

# print_table TABLE: every run, then per (connections, server) the median
# of each figure over the rounds, with the ratio of the median throughputs.
print_table() {
  local table=$1
  awk -F'\t' -v t="$table" -v rounds="$rounds" '
    function median(list,   n, a, i, j, x) {
      n = split(list, a, " ")
      for (i = 2; i <= n; i++) {   # insertion sort: a few values
        x = a[i]
        for (j = i - 1; j >= 1 && a[j] + 0 > x + 0; j--) a[j + 1] = a[j]
        a[j + 1] = x
      }
      if (n % 2) return a[(n + 1) / 2]
      return (a[n / 2] + a[n / 2 + 1]) / 2
    }
    $1 != t { next }
    {
      key = $2 SUBSEP $3
      if (!(key in seen)) { seen[key] = 1; order[++keys] = key }
      for (f = 5; f <= 14; f++) vals[key, f] = vals[key, f] " " $f
      errs[key] += $14
      hits[key] = hits[key] " " $15
      rows[++nrows] = $0
      if ($3 == "nginx") {
        nginx_rps[$2] = nginx_rps[$2] " " $5
        nginx_cpu[$2] = nginx_cpu[$2] " " $9
      }
    }
    END {
      fmt = "%6s  %-7s %8s %8s %8s %8s %7s %7s %5s %5s %6s %6s %6s %9s %8s\n"
      if (rounds > 1) {
        print "every run:"
        printf "%6s  %-7s %5s %8s %8s %8s %8s %7s %7s %5s %5s %6s %6s %8s\n", \
          "conns", "server", "round", "req/s", "p50_ms", "p99_ms", "mean_ms", \
          "cpu_us", "sys_us", "srv", "wrk", "others", "errors", "hit_rate"
        for (i = 1; i <= nrows; i++) {
          split(rows[i], r, "\t")
          printf "%6s  %-7s %5s %8s %8s %8s %8s %7s %7s %5s %5s %6s %6s %8s\n", \
            r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11], \
            r[12], r[13], r[14], r[15]
        }
        print ""
        print "median of " rounds " rounds:"
      }
      printf fmt, "conns", "server", "req/s", "p50_ms", "p99_ms", "mean_ms", \
        "cpu_us", "sys_us", "srv", "wrk", "others", "errors", "ratio", \
        "cpu_ratio", "hit_rate"
      for (k = 1; k <= keys; k++) {
        key = order[k]
        split(key, kk, SUBSEP)
        rps = median(vals[key, 5])
        ratio = ""; cpu_ratio = ""
        if (kk[2] != "nginx" && (kk[1] in nginx_rps)) {
          n = median(nginx_rps[kk[1]])
          if (n > 0) ratio = sprintf("%.2f", rps / n)
          c = median(vals[key, 9])
          if (c > 0) cpu_ratio = sprintf("%.2f", median(nginx_cpu[kk[1]]) / c)
        }
        hit = (kk[2] == "nginx") ? "" : median(hits[key])
        printf fmt, kk[1], kk[2], sprintf("%.0f", rps), \
          sprintf("%.3f", median(vals[key, 6])), \
          sprintf("%.3f", median(vals[key, 7])), \
          sprintf("%.3f", median(vals[key, 8])), \
          sprintf("%.1f", median(vals[key, 9])), \
          sprintf("%.1f", median(vals[key, 10])), \
          sprintf("%.2f", median(vals[key, 11])), \
          sprintf("%.2f", median(vals[key, 12])), \
          sprintf("%.2f", median(vals[key, 13])), errs[key], ratio, cpu_ratio, \
          (hit == "" ? "" : sprintf("%.4f", hit))
      }
    }' "$results"
}

explain_columns() {
  cat <<'EOF'

cpu_us, sys_us: the server's CPU time per request (user+system, and the
  system part), over all its threads (numina) or processes (nginx).
srv, wrk, others: cores used by the server, by wrk and by every other
  process of the machine during the run.
errors: wrk's socket errors plus non-2xx/3xx answers (all rounds).
ratio: numina req/s / nginx req/s at the same connection count (medians).
cpu_ratio: nginx cpu_us / numina cpu_us: the throughput ratio if both
  servers had the same CPU time (what the machine's other load distorts
  least).
hit_rate: numina's cache hit rate during its run (/admin/cache before and
  after; each request looks up the token and the class).
EOF
}

hot_table() {
  local n round
  printf '\n== hot read: GET %s, wrk -t1 --latency, %s s per run, %s round(s) ==\n' \
    "$(bench_path)" "$duration" "$rounds"
  for ((round = 1; round <= rounds; round++)); do
    for n in $connections; do
      maybe_wait_idle
      # Who goes first alternates, so that a trend in the machine's load
      # does not always favour the same server.
      if ((round % 2 == 1)); then
        measure_numina hot "$n" numina "$round"
        sleep 1
        measure_nginx hot "$n" "$round"
      else
        measure_nginx hot "$n" "$round"
        sleep 1
        measure_numina hot "$n" numina "$round"
      fi
      sleep 1
    done
  done
  echo
  print_table hot
  local json
  json=$(bench_cache_json)
  printf '\n/admin/cache after the runs: hit_rate %s (hits %s, misses %s, entries %s)\n' \
    "$(bench_cache_field "$json" hit_rate)" \
    "$(bench_cache_field "$json" hits)" \
    "$(bench_cache_field "$json" misses)" \
    "$(bench_cache_field "$json" entries)"
}

split_table() {
  local pair h a round
  printf '\n== thread split: http.threads/actors.threads, %s connections, %s s per run, %s round(s) ==\n' \
    "$split_connections" "$duration" "$rounds"
  for ((round = 1; round <= rounds; round++)); do
    maybe_wait_idle
    measure_nginx split "$split_connections" "$round"
    for pair in $splits; do
      h=${pair%/*}
      a=${pair#*/}
      bench_stop_numina
      start_and_warm "--http.threads=$h" "--actors.threads=$a"
      sleep 1
      maybe_wait_idle
      measure_numina split "$split_connections" "$pair" "$round"
    done
  done
  echo
  echo "(server: nginx, or numina's http.threads/actors.threads)"
  print_table split
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
  exit "$1"
}

main() {
  parse_args "$@"
  run_notes=()
  trap bench_cleanup EXIT
  trap 'on_signal 130' INT
  trap 'on_signal 143' TERM

  if [[ $do_install == true ]]; then
    scripts/install-deps.sh
  fi
  if [[ $do_build == true ]]; then
    scripts/build.sh numina >&2
  fi
  [[ -x $BENCH_NUMINA ]] || bench_die "$BENCH_NUMINA is missing"

  bench_raise_fd_limit
  bench_make_tmp
  results=$bench_tmp/results.tsv
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
  if [[ -n $save_dir ]]; then
    mkdir -p -- "$save_dir"
    cp -r -- "$results" "$bench_tmp/logs" "$save_dir/"
    bench_log "raw results in $save_dir"
  fi
}

main "$@"
