#!/usr/bin/env bash
# Profiles the hot read under callgrind: instruction counts per request, by
# stage. Instruction counts do not depend on the machine's load, so this is
# repeatable where timings are not.
#
#   bench/profile_hot_read.sh [--requests N] [--connections C] [--out DIR]
#                             [--no-install] [--no-build] [-- numina flags...]
#
# Same fixture as bench/hot_read.sh (private PostgreSQL, numina on a free
# loopback port with rate limiting off, one user, one class, warm cache),
# but numina runs under `valgrind --tool=callgrind` with instrumentation off
# until the fixture is ready. Then: instrumentation on, a warm-up of 200
# requests, counters zeroed, N requests (default 2000) over C keep-alive
# connections (default 4; curl --parallel is the client), a dump. The
# dump, callgrind_annotate's inclusive and exclusive listings and a stage
# summary (inclusive instructions per request of the functions that stand
# for each stage) are written to DIR (default: a new /tmp/numina-profile.*,
# kept). Needs valgrind (installed when missing).
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

# The stages: a name and an extended regular expression over function names
# of callgrind_annotate's inclusive listing. The first function matching (the
# one with the highest inclusive count) stands for the stage.
readonly STAGES=(
  "read+parse|beast::http::basic_parser<true>::put\\("
  "session::dispatch (request copy)|numina::http::session::dispatch\\(\\)"
  "route|numina::http::router::match\\("
  "auth (edge part)|numina::http::authenticate_user\\("
  "cache (shard behaviour)|spawn_cache_shard.*fetch_atom"
  "handler get_class|numina::http::\\(anonymous namespace\\)::get_class\\("
  "write|numina::http::session::write\\("
  "CAF worker loop|caf::scheduler::worker<.*>::run\\(\\)|caf::scheduler::worker.*run"
  "CAF enqueue (anon_send)|caf::scheduled_actor::enqueue\\("
  "Asio event loop|boost::asio::detail::scheduler::run\\("
  "epoll_wait|epoll_wait"
)

summarise() {
  local annotate=$1 per=$2 total=$3
  printf '%-34s %14s %8s %10s\n' stage Ir/request share function
  local entry name re line ir fn
  for entry in "${STAGES[@]}"; do
    name=${entry%%|*}
    re=${entry#*|}
    line=$(grep -E -m1 -- "$re" "$annotate" || true)
    if [[ -z $line ]]; then
      printf '%-34s %14s\n' "$name" "(not found)"
      continue
    fi
    ir=$(awk '{ gsub(",", "", $1); print $1 }' <<<"$line")
    fn=$(sed -E 's/^[[:space:]]*[0-9,]+ (\([^)]*\) )?//' <<<"$line" | cut -c1-90)
    printf '%-34s %14.0f %7.1f%% %s\n' "$name" \
      "$(awk -v a="$ir" -v n="$per" 'BEGIN { print a / n }')" \
      "$(awk -v a="$ir" -v t="$total" 'BEGIN { print 100 * a / t }')" "$fn"
  done
}

main() {
  parse_args "$@"
  trap bench_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM

  if [[ $do_install == true ]]; then
    scripts/install-deps.sh
    if ! command -v valgrind >/dev/null; then
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
        --no-install-recommends valgrind
    fi
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
    summarise "$out_dir/inclusive.txt" "$per" "$total"
  } | tee "$out_dir/summary.txt"
  bench_log "listings: $out_dir/inclusive.txt, $out_dir/self.txt"
}

main "$@"
