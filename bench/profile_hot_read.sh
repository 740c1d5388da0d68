#!/usr/bin/env bash
# Profiles the hot read under callgrind: instruction counts per request, by
# stage. Instruction counts do not depend on the machine's load, so this is
# repeatable where timings are not.
#
#   bench/profile_hot_read.sh [--requests N] [--connections C] [--out DIR]
#                             [--strace] [--no-install] [--no-build]
#                             [-- numina flags...]
#
# Same fixture as bench/hot_read.sh (private PostgreSQL, numina on a free
# loopback port with rate limiting off, one user, one class, warm cache),
# but numina runs under `valgrind --tool=callgrind` with instrumentation off
# until the fixture is ready. Then: instrumentation on, a warm-up of 200
# requests, counters zeroed, N requests (default 2000) over C keep-alive
# connections (default 4; curl --parallel is the client), a dump. The
# dump, callgrind_annotate's listings (inclusive, exclusive, call tree) and
# a stage table are written to DIR (default: a new /tmp/numina-profile.*,
# kept). The stages (parse, route, auth, cache, write, CAF, Asio, ...) are
# differences of inclusive counts of the functions that stand for them, so
# that they partition all instructions; the table says how each is
# computed. Counts repeat within 1% whatever the load, except CAF's
# scheduling, whose idle polling depends on timing. Needs valgrind (and
# strace for --strace): installed with apt-get when missing.
#
# Callgrind counts user-space instructions only. With --strace, numina is
# then started again natively and `strace -c -f` counts its system calls
# during a 5 s wrk run at 64 connections, per request (strace slows the
# server down many times: the counts mean something, its timings do not).
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
readonly REPO_ROOT
cd "$REPO_ROOT"
# shellcheck source=bench/lib/bench.sh
source bench/lib/bench.sh

requests=2000
connections=4
warmup=200
out_dir=
do_install=true
do_build=true
do_strace=false
numina_flags=()

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }

parse_args() {
  while (($# > 0)); do
    case $1 in
      --requests) requests=$2; shift 2 ;;
      --requests=*) requests=${1#*=}; shift ;;
      --connections) connections=$2; shift 2 ;;
      --connections=*) connections=${1#*=}; shift ;;
      --out) out_dir=$2; shift 2 ;;
      --out=*) out_dir=${1#*=}; shift ;;
      --strace) do_strace=true; shift ;;
      --no-install) do_install=false; shift ;;
      --no-build) do_build=false; shift ;;
      -h | --help) usage; exit 0 ;;
      --) shift; numina_flags=("$@"); break ;;
      *) bench_die "unknown argument: $1 (see --help)" ;;
    esac
  done
  local n
  for n in "$requests" "$connections"; do
    if [[ ! $n =~ ^[1-9][0-9]*$ ]]; then
      bench_die "not a positive count: $n"
    fi
  done
}

# Sends COUNT hot reads over CONNECTIONS keep-alive connections and checks
# that every one answered 200.
send_hot_reads() {
  local count=$1 conns=$2 cfg=$bench_tmp/curl-hot.cfg i
  {
    printf 'header = "Authorization: Bearer %s"\n' "$user_token"
    printf 'write-out = "%%{http_code}\\n"\n'
    for ((i = 0; i < count; i++)); do
      printf 'url = "%s%s"\noutput = "/dev/null"\n' "$numina_url" "$(bench_path)"
    done
  } >"$cfg"
  local codes ok
  codes=$(curl -sS --no-progress-meter --parallel --parallel-max "$conns" \
    --max-time 600 --config "$cfg" 2>>"$bench_tmp/logs/curl.log")
  ok=$(grep -c '^200$' <<<"$codes" || true)
  if ((ok != count)); then
    bench_log "only $ok of $count hot reads answered 200:"
    sort <<<"$codes" | uniq -c >&2
    return 1
  fi
}

# callgrind_control talks to the valgrind process through vgdb.
cg_control() {
  callgrind_control "$@" "$numina_pid" >>"$bench_tmp/logs/callgrind_control.log" 2>&1 ||
    bench_die "callgrind_control $* failed; see $bench_tmp/logs/callgrind_control.log"
}

# --- the stage breakdown ------------------------------------------------------
#
# From callgrind_annotate --tree=calling: every function's inclusive count
# (its "*" line) and what it spends in each callee (its ">" lines). A
# function is named by fixed substrings joined with "&&", all of which its
# line must contain; the first such function (highest count) is taken.

# cg_incl TREE SPEC: inclusive instructions of the function (0 if absent).
cg_incl() {
  awk -v spec="$2" '
    BEGIN { n = split(spec, parts, "&&") }
    $3 == "*" || $4 == "*" {
      ok = 1
      for (i = 1; i <= n; i++) if (index($0, parts[i]) == 0) { ok = 0; break }
      if (ok) { v = $1; gsub(",", "", v); print v; found = 1; exit }
    }
    END { if (!found) print 0 }' "$1"
}

# cg_edge TREE CALLER CALLEE: what CALLER spends in calls to CALLEE.
cg_edge() {
  awk -v caller="$2" -v callee="$3" '
    function has(line, spec,   n, parts, i) {
      n = split(spec, parts, "&&")
      for (i = 1; i <= n; i++) if (index(line, parts[i]) == 0) return 0
      return 1
    }
    /^$/ { inside = 0; next }
    / \* / && $0 ~ /^ *[0-9,]+ \(/ {
      if (done) exit
      inside = has($0, caller); if (inside) done = 1; next
    }
    inside && / > / && has($0, callee) { v = $1; gsub(",", "", v); sum += v }
    END { print sum + 0 }' "$1"
}

# Prints the stage table. The stages partition the instructions of the
# measured window: each is a difference of inclusive counts, so that no
# instruction is counted twice, and "Asio, syscall wrappers" is the rest.
summarise() {
  local tree=$1 per=$2 total=$3
  local t=$tree
  local sched worker parser dispatch pipeline match authn auth_fresh
  local limit limit_cb after_auth answer fresh write
  sched=$(cg_incl "$t" ':boost::asio::detail::scheduler::run(')
  worker=$(cg_incl "$t" ':caf::scheduler::worker<caf::policy::work_stealing>::run()')
  parser=$(cg_incl "$t" ':boost::beast::http::basic_parser<true>::put(')
  dispatch=$(cg_incl "$t" ':numina::http::session::dispatch()')
  pipeline=$(cg_edge "$t" ':numina::http::session::dispatch()' \
    ':numina::http::run_pipeline(')
  match=$(cg_incl "$t" ':numina::http::router::match(')
  authn=$(cg_incl "$t" ':numina::http::authenticate_user(')
  # A hot read answers on the connection's thread from start to end: each
  # step calls the next, so a step's own cost is its inclusive count minus
  # the next step's.
  auth_fresh=$(cg_edge "$t" ':numina::http::authenticate_user(' \
    ':numina::actors::runtime::impl::cached_fresh(')
  limit=$(cg_incl "$t" ':numina::http::(anonymous namespace)::limit_then_rest(')
  # With limiting on, the rest of the request runs in the limiter's verdict,
  # posted back to the connection's strand.
  limit_cb=$(cg_incl "$t" 'void (), numina::http::exchange::on_executor<numina::http::check_rate_limit(&&_M_invoke(')
  after_auth=$(cg_incl "$t" ':numina::http::(anonymous namespace)::after_auth(')
  answer=$(cg_incl "$t" ':numina::http::answer_fresh(')
  fresh=$(cg_incl "$t" ':numina::actors::runtime::impl::cached_fresh(')
  write=$(cg_incl "$t" ':numina::http::session::write(')

  local -a names=() values=() notes=()
  add() {
    names+=("$1")
    values+=("$2")
    notes+=("$3")
  }
  add "read+parse (Beast parser)" "$parser" "basic_parser::put"
  add "request copy (session::dispatch)" "$((dispatch - pipeline))" \
    "dispatch minus run_pipeline: headers into numina::request, exchange"
  add "route (router::match)" "$match" "router::match"
  add "pipeline glue" "$((pipeline - match - authn))" \
    "run_pipeline minus route and authenticate_user"
  add "auth (token hash, session key)" "$((authn - auth_fresh - limit))" \
    "authenticate_user minus its cache lookup and what follows"
  add "rate-limit step (edge side)" "$((limit + limit_cb - after_auth))" \
    "limit_then_rest plus the verdict's callback minus after_auth"
  add "handler (idempotency, get_class)" "$((after_auth - answer))" \
    "after_auth minus answer_fresh"
  add "cache lookups (token, class)" "$fresh" \
    "runtime::impl::cached_fresh, both calls: shard store under its mutex"
  add "response (from_entry, responders)" "$((answer - (fresh - auth_fresh) - write))" \
    "answer_fresh minus its lookup and session::write"
  add "write (session::write)" "$write" \
    "status line and headers by hand, async_write started (sendmsg)"
  add "CAF workers" "$worker" \
    "worker::run: idle polling; the limiters' work when limiting is on"
  local sum=0 i
  for i in "${values[@]}"; do
    sum=$((sum + i))
  done
  add "Asio, syscall wrappers, rest" "$((total - sum))" \
    "everything else: reactor, strands, timers, read/recv path, teardown"

  printf '%-40s %10s %7s  %s\n' stage Ir/request share "computed as"
  for i in "${!names[@]}"; do
    printf '%-40s %10.0f %6.1f%%  %s\n' "${names[$i]}" \
      "$(awk -v a="${values[$i]}" -v n="$per" 'BEGIN { print a / n }')" \
      "$(awk -v a="${values[$i]}" -v t="$total" 'BEGIN { print 100 * a / t }')" \
      "${notes[$i]}"
  done
  printf '%-40s %10.0f %6.1f%%\n' "total" "$((total / per))" 100
  echo
  echo "by thread: Asio $((sched / per)) Ir/request ($(awk -v a="$sched" -v t="$total" \
    'BEGIN { printf "%.1f", 100 * a / t }')%), CAF workers $((worker / per))" \
    "($(awk -v a="$worker" -v t="$total" 'BEGIN { printf "%.1f", 100 * a / t }')%)"
}

# apt-get install PACKAGE, as root or through sudo.
install_package() {
  local -a sudo=()
  [[ $EUID -eq 0 ]] || sudo=(sudo -n)
  bench_log "installing $1"
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
    --no-install-recommends "$1"
}

# Counts numina's system calls during a wrk run, per request.
count_syscalls() {
  command -v strace >/dev/null ||
    bench_die "strace is not installed (apt-get install strace)"
  bench_start_numina "$bench_tmp/logs/numina-native.log" 60 \
    --auth.hash_memory=8MiB --auth.hash_ops=1 "${numina_flags[@]}"
  bench_warm_cache
  bench_write_wrk_script
  local json h0 h1 strace_pid
  json=$(bench_cache_json)
  h0=$(bench_cache_field "$json" hits)
  strace -c -f -o "$out_dir/strace.txt" -p "$numina_pid" 2>/dev/null &
  strace_pid=$!
  sleep 1
  wrk -t1 -c64 -d5s -s "$bench_tmp/hot_read.lua" \
    "$numina_url$(bench_path)" >"$bench_tmp/logs/wrk-strace.txt" 2>&1
  kill -INT "$strace_pid" 2>/dev/null || true
  wait "$strace_pid" 2>/dev/null || true
  json=$(bench_cache_json)
  h1=$(bench_cache_field "$json" hits)
  bench_stop_numina
  local per=$(((h1 - h0) / 2))
  ((per > 0)) || bench_die "no hot reads counted during the strace run"
  echo
  echo "system calls per request (strace -c -f, wrk -c64 for 5 s, $per requests):"
  awk -v n="$per" '
    $1 ~ /^[0-9.]+$/ && NF >= 5 {
      name = $NF; calls = $4
      if (calls ~ /^[0-9]+$/) printf "  %-20s %8.2f\n", name, calls / n
    }' "$out_dir/strace.txt" | sort -k2 -nr | head -n 12
}

main() {
  parse_args "$@"
  trap bench_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM

  if [[ $do_install == true ]]; then
    scripts/install-deps.sh
    local -a tools=(valgrind)
    [[ $do_strace == true ]] && tools+=(strace)
    local tool
    for tool in "${tools[@]}"; do
      command -v "$tool" >/dev/null || install_package "$tool"
    done
  fi
  if [[ $do_build == true ]]; then
    scripts/build.sh numina >&2
  fi
  [[ -x $BENCH_NUMINA ]] || bench_die "$BENCH_NUMINA is missing"
  if [[ -z $out_dir ]]; then
    out_dir=$(mktemp -d "${TMPDIR:-/tmp}/numina-profile.XXXXXX")
  fi
  mkdir -p -- "$out_dir"
  out_dir=$(cd "$out_dir" && pwd)

  bench_raise_fd_limit
  bench_make_tmp
  bench_new_admin_token
  bench_start_pg
  # argon2id under valgrind is slow; the hot read does not hash.
  bench_start_numina "$bench_tmp/logs/numina.log" 600 \
    valgrind --tool=callgrind --instr-atstart=no \
    "--callgrind-out-file=$out_dir/callgrind.out.%p" -- \
    --auth.hash_memory=8MiB --auth.hash_ops=1 "${numina_flags[@]}"
  bench_log "numina under callgrind at $numina_url (pid $numina_pid)"
  bench_make_fixture
  bench_warm_cache

  cg_control -i on
  send_hot_reads "$warmup" "$connections"
  local json h0 h1
  json=$(bench_cache_json)
  h0=$(bench_cache_field "$json" hits)
  cg_control -z
  local t0=$SECONDS
  send_hot_reads "$requests" "$connections"
  local secs=$((SECONDS - t0))
  cg_control -d
  cg_control -i off
  json=$(bench_cache_json)
  h1=$(bench_cache_field "$json" hits)
  bench_stop_numina

  local dump
  dump=$(find "$out_dir" -name 'callgrind.out.*.1' -newer "$bench_tmp/curl-hot.cfg" |
    head -n1)
  [[ -n $dump ]] || bench_die "no callgrind dump in $out_dir"
  callgrind_annotate --inclusive=yes --threshold=100 "$dump" \
    >"$out_dir/inclusive.txt" 2>/dev/null
  callgrind_annotate --inclusive=yes --tree=calling --threshold=100 "$dump" \
    >"$out_dir/tree.txt" 2>/dev/null
  callgrind_annotate --threshold=100 "$dump" >"$out_dir/self.txt" 2>/dev/null
  local total per
  total=$(awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1; exit }' \
    "$out_dir/inclusive.txt")
  # Two cache hits per hot read: the token lookup and the class.
  per=$(((h1 - h0) / 2))
  ((per > 0)) || per=$requests
  {
    echo "callgrind profile of the hot read (GET $(bench_path), bearer token)"
    bench_print_machine
    echo "requests: $requests sent over $connections keep-alive connections" \
      "(curl --parallel), $per served between zero and dump ($((h1 - h0))" \
      "cache hits), $secs s under valgrind"
    echo "total:    $total instructions, $((total / per)) per request"
    echo "dump:     $dump"
    echo
    summarise "$out_dir/tree.txt" "$per" "$total"
  } | tee "$out_dir/summary.txt"
  if [[ $do_strace == true ]]; then
    count_syscalls | tee -a "$out_dir/summary.txt"
  fi
  bench_log "listings: $out_dir/inclusive.txt, $out_dir/self.txt, $out_dir/tree.txt"
}

main "$@"
