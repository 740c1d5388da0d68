#!/usr/bin/env bash
# The background jobs and the heavy reads at scale (issue 7).
#
#   bench/jobs_at_scale.sh [options] [-- numina flags...]
#
# Installs what is missing (scripts/install-deps.sh), builds build/numina
# (scripts/build.sh), starts a private PostgreSQL in a temporary directory
# and numina on a free loopback port (rate limiting off, job timers
# pushed out of the way, so that only this script runs the jobs), seeds
# the database with bench/seed/seed.sh (100k users, 1M follows, 200k
# classes, 1M bookings, 500k reviews, 1M activities, 100k conversations
# at --scale 1) and then, with `POST /admin/jobs/{name}/run` (which
# answers when the run has finished):
#
#   1. catch-up: runs ratings, feed and notifications once; after the seed
#      nothing is derived yet, so this is the first full build;
#   2. full: for each job, empties what it derives and resets its
#      watermark or queue (reset_sql below), so the same job code treats
#      every row as new, and runs it;
#   3. changes --change (default 1%) of the data: new reviews, follows,
#      activities, messages and bookings in small transactions
#      (bench/seed/change.sql);
#   4. incremental: runs each job once.
#
# For each run: the job's own duration and rows (its /admin/jobs record),
# the wall time of the POST, the CPU seconds PostgreSQL and numina spent,
# and the cores other processes took meanwhile. `VACUUM ANALYZE` runs
# after the seed and after the full runs, as autovacuum would in time.
#
# Then the reads, for --users seeded users with a session each, by
# --concurrency curl clients (keep-alive, one request at a time each):
# GET /api/v1/users/me (a baseline; it also puts every session in the
# cache), /api/v1/social/feed, /api/v1/matches,
# /api/v1/messages/conversations and /api/v1/messages/conversations/{id}
# (the user's latest conversation). Each endpoint is read twice per user:
# "first" (feed and matches are cache misses then) and "again" (cache
# hits; the message reads are never cached). Prints p50/p90/p99/max.
#
# Options:
#   --scale F          size of the data set (default 1; 0.01 runs quickly)
#   --change F         share of the data changed before the incremental
#                      runs (default 0.01)
#   --users N          users whose reads are measured (default 2000)
#   --concurrency N    concurrent clients of the read passes (default 4)
#   --skip-rebuild     leave out step 2 (the catch-up is a full build too:
#                      the same work on the same rows, in half the time)
#   --save DIR         keep the results, the seed's and numina's logs in DIR
#   --no-install       do not run scripts/install-deps.sh
#   --no-build         use the binary as it is
#   -h, --help
# Flags after `--` go to numina. Environment: BENCH_NUMINA=path benchmarks
# another binary (with --no-build); BENCH_KEEP_TMP=1 keeps the temporary
# directory. Everything it started is stopped and removed at the end, also
# on failure or Ctrl-C. Loopback only; CI does not run this.
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
readonly REPO_ROOT
cd "$REPO_ROOT"
# shellcheck source=bench/lib/bench.sh
source bench/lib/bench.sh

readonly JOBS="ratings feed notifications"
scale=1
change=0.01
read_users=2000
concurrency=4
do_rebuild=true
do_install=true
do_build=true
save_dir=
numina_flags=()

parse_args() {
  while (($# > 0)); do
    case $1 in
      --scale) scale=$2; shift 2 ;;
      --change) change=$2; shift 2 ;;
      --users) read_users=$2; shift 2 ;;
      --concurrency) concurrency=$2; shift 2 ;;
      --skip-rebuild) do_rebuild=false; shift ;;
      --save) save_dir=$2; shift 2 ;;
      --no-install) do_install=false; shift ;;
      --no-build) do_build=false; shift ;;
      -h | --help) bench_usage; exit 0 ;;
      --) shift; numina_flags=("$@"); break ;;
      *) bench_die "unknown argument: $1 (see --help)" ;;
    esac
  done
  [[ $scale =~ ^[0-9]*\.?[0-9]+$ ]] || bench_die "--scale takes a positive number"
  [[ $change =~ ^0?\.[0-9]+$ ]] || bench_die "--change takes a share below 1"
  [[ $read_users =~ ^[1-9][0-9]*$ ]] || bench_die "--users takes a positive count"
  [[ $concurrency =~ ^[1-9][0-9]*$ ]] ||
    bench_die "--concurrency takes a positive count"
}

db_psql() {
  "$PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 "$bench_database_url" "$@"
}

# --- CPU accounting ----------------------------------------------------------

# "utime stime" of PostgreSQL: the postmaster and its children (the pool's
# connections stay open, so a job's backend is counted before and after).
pg_ticks() {
  local pm pid
  pm=$(head -n1 "$bench_tmp/$BENCH_PG_DIR_NAME/data/postmaster.pid")
  for pid in "$pm" $(pgrep -P "$pm" || true); do
    bench_proc_ticks "$pid"
  done | awk '{ u += $1; s += $2 } END { print u + 0, s + 0 }'
}

# Milliseconds since T0 (an $EPOCHREALTIME).
elapsed_ms() {
  awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%d", (b - a) * 1000 }'
}

# Sets c_* to the CPU counters now; cpu_since then sets d_pg, d_numina
# (CPU seconds) and d_others (cores used by everything else) since.
cpu_mark() {
  c_ns=$(date +%s%N)
  local u s
  read -r u s < <(pg_ticks)
  c_pg=$((u + s))
  read -r u s < <(bench_proc_ticks "$numina_pid")
  c_numina=$((u + s))
  c_busy=$(bench_machine_busy_ticks)
}

cpu_since() {
  local p0=$c_pg n0=$c_numina b0=$c_busy t0=$c_ns
  cpu_mark
  d_wall_ms=$(((c_ns - t0) / 1000000))
  d_pg=$(awk -v t=$((c_pg - p0)) 'BEGIN { printf "%.1f", t / 100 }')
  d_numina=$(awk -v t=$((c_numina - n0)) 'BEGIN { printf "%.1f", t / 100 }')
  d_others=$(awk -v b=$((c_busy - b0)) -v o=$((c_pg - p0 + c_numina - n0)) \
    -v w="$d_wall_ms" \
    'BEGIN { c = (b - o) / (w / 10); if (c < 0) c = 0; printf "%.2f", c }')
}

# --- the jobs ------------------------------------------------------------------

# The SQL that makes the next run of job NAME a full one: what it derives
# emptied, and its watermark or queue set as if nothing had been done.
reset_sql() {
  case $1 in
    ratings)
      echo "TRUNCATE rating_aggregates;
            UPDATE job_state SET watermark_id = 0 WHERE name = 'ratings';" ;;
    # Every activity queued, as migration 0003 does for existing rows; the
    # pair queue needs nothing: fanning out every activity reaches every
    # follower.
    feed)
      echo "TRUNCATE feed_items;
            INSERT INTO feed_pending_activities (activity_id)
            SELECT id FROM activities ON CONFLICT DO NOTHING;" ;;
    notifications)
      echo "TRUNCATE notifications;
            UPDATE job_state SET watermark_id = 0 WHERE name = 'notifications';" ;;
  esac
}

# run_job PHASE NAME: runs the job, records its figures.
run_job() {
  local phase=$1 name=$2 out
  cpu_mark
  local t0=$EPOCHREALTIME
  out=$(bench_curl "$admin_token" -f --max-time 3600 -X POST \
    "$numina_url/admin/jobs/$name/run") || bench_die "running job $name failed"
  local wall_ms
  wall_ms=$(elapsed_ms "$t0")
  cpu_since
  local ms rows outcome
  ms=$(sed -n 's/.*"duration_ms":\([0-9]*\).*/\1/p' <<<"$out")
  rows=$(sed -n 's/.*"rows":\([0-9]*\).*/\1/p' <<<"$out")
  outcome=$(sed -n 's/.*"outcome":"\([^"]*\)".*/\1/p' <<<"$out")
  [[ $outcome == ok ]] || bench_log "warning: job $name: $out"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$phase" "$name" "$ms" \
    "$rows" "$wall_ms" "$d_pg" "$d_numina" "$d_others" "$outcome" \
    >>"$bench_tmp/jobs.tsv"
  bench_log "$phase $name: $ms ms, $rows rows ($outcome); PostgreSQL $d_pg s CPU, others $d_others cores"
}

run_all_jobs() {
  local job
  for job in $JOBS; do
    run_job "$1" "$job"
  done
}

vacuum() {
  local start=$SECONDS
  db_psql -c 'VACUUM ANALYZE'
  bench_log "VACUUM ANALYZE in $((SECONDS - start)) s"
}

full_runs() {
  local job
  for job in $JOBS; do
    db_psql -c "$(reset_sql "$job")"
    run_job full "$job"
  done
}

# changed_rows BASE: the rows to add to a table of BASE rows at scale 1.
changed_rows() {
  awk -v b="$1" -v s="$scale" -v c="$change" \
    'BEGIN { n = int(b * s * c + 0.5); print (n < 1 ? 1 : n) }'
}

change_data() {
  local start=$SECONDS
  db_psql -f bench/seed/change.sql -v reviews="$(changed_rows 500000)" \
    -v follows="$(changed_rows 1000000)" \
    -v activities="$(changed_rows 1000000)" \
    -v messages="$(changed_rows 500000)" \
    -v bookings="$(changed_rows 1000000)" -v slice=100 \
    -v skew=2.5 -v seed=0.17 >"$bench_tmp/logs/change.log"
  bench_log "changed $change of the data in $((SECONDS - start)) s: $(
    tail -n 3 "$bench_tmp/logs/change.log" | head -n 1)"
}

print_jobs() {
  echo
  echo "== jobs (duration_ms and rows: the job's /admin/jobs record; wall_ms: the POST) =="
  awk -F'\t' '
    { printf "%-12s %-14s %10s ms %10s rows  wall %8s ms  pg_cpu %7s s  numina_cpu %5s s  others %s  %s\n",
        $1, $2, $3, $4, $5, $6, $7, $8, $9
      d[$1, $2] = $3 }
    END {
      print ""
      split("ratings feed notifications", jobs, " ")
      for (i = 1; i <= 3; i++) {
        j = jobs[i]
        full = ((("full", j) in d) ? d["full", j] : d["catch-up", j])
        if (d["incremental", j] > 0)
          printf "%-14s full / incremental: %.1fx\n", j, full / d["incremental", j]
      }
    }' "$bench_tmp/jobs.tsv"
}

# --- the reads -------------------------------------------------------------------

# Writes curl config files, one per client, with the users' requests for
# endpoint KIND dealt round-robin; users without a conversation are
# skipped for "conversation".
write_read_configs() {
  local kind=$1 dir=$2
  rm -rf -- "$dir"
  mkdir -p -- "$dir"
  awk -F'\t' -v kind="$kind" -v url="$numina_url" -v c="$concurrency" \
    -v dir="$dir" '
    {
      if (kind == "me") path = "/api/v1/users/me"
      else if (kind == "feed") path = "/api/v1/social/feed"
      else if (kind == "matches") path = "/api/v1/matches"
      else if (kind == "conversations") path = "/api/v1/messages/conversations"
      else if ($3 == 0) next
      else path = "/api/v1/messages/conversations/" $3
      f = dir "/client" (n++ % c) ".cfg"
      # "next" between operations: a trailing one is an operation without a URL.
      if (f in started) printf "next\n" > f
      started[f] = 1
      printf "url = \"%s%s\"\nheader = \"Authorization: Bearer %s\"\n", url, path, $2 > f
      printf "output = \"/dev/null\"\nwrite-out = \"%%{http_code} %%{time_total}\\n\"\n" > f
    }' "$bench_tmp/tokens.tsv"
}

# read_pass KIND PASS: every user's read of KIND once, `concurrency`
# clients at a time; records count, errors and latency percentiles (ms).
read_pass() {
  local kind=$1 pass=$2 dir=$bench_tmp/reads/$1 cfg
  write_read_configs "$kind" "$dir"
  local -a pids=()
  cpu_mark
  local t0=$EPOCHREALTIME
  for cfg in "$dir"/client*.cfg; do
    curl -s --max-time 600 -K "$cfg" >"$cfg.out" &
    pids+=("$!")
  done
  local pid
  for pid in "${pids[@]}"; do
    wait "$pid" || bench_die "a read client of $kind failed"
  done
  local wall_ms
  wall_ms=$(elapsed_ms "$t0")
  cpu_since
  # "status seconds" per read, sorted by time for the percentiles.
  sort -k2,2g -- "$dir"/client*.cfg.out | awk -v kind="$kind" -v pass="$pass" \
    -v others="$d_others" -v wall="$wall_ms" '
    { n++; if ($1 != 200) bad++; t[n] = $2 * 1000; sum += $2 * 1000 }
    function pct(p,   i) { i = int(n * p + 0.999); if (i < 1) i = 1; return t[i] }
    END {
      printf "%s\t%s\t%d\t%d\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.1f\t%s\n", kind, pass, n,
        bad, pct(0.5), pct(0.9), pct(0.99), t[n], sum / n, n / (wall / 1000), others
    }' >>"$bench_tmp/reads.tsv"
  bench_log "read $kind ($pass): $(tail -n1 "$bench_tmp/reads.tsv" | cut -f3-)"
}

measure_reads() {
  read_pass me first
  read_pass me again
  local kind
  for kind in feed matches conversations conversation; do
    read_pass "$kind" first
    read_pass "$kind" again
  done
}

print_reads() {
  echo
  echo "== reads: $read_users users, $concurrency clients; latency in ms =="
  printf '%-14s %-6s %6s %6s %8s %8s %8s %8s %8s %8s %6s\n' endpoint pass \
    reads errors p50 p90 p99 max mean "req/s" others
  awk -F'\t' '{ printf "%-14s %-6s %6s %6s %8s %8s %8s %8s %8s %8s %6s\n",
    $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11 }' "$bench_tmp/reads.tsv"
}

# --- main ------------------------------------------------------------------------

print_sizes() {
  echo
  echo "== table sizes after the runs =="
  db_psql -c 'ANALYZE'
  db_psql -c "SELECT relname AS table, reltuples::bigint AS rows,
      pg_size_pretty(pg_total_relation_size(oid)) AS size_with_indexes
    FROM pg_class
   WHERE relkind = 'r' AND relname IN ('users', 'follows', 'classes', 'bookings', 'reviews',
                     'activities', 'feed_items', 'conversations', 'messages',
                     'notifications', 'rating_aggregates')
   ORDER BY pg_total_relation_size(oid) DESC"
}

main() {
  parse_args "$@"
  bench_prepare "$do_install" "$do_build"
  bench_make_tmp
  bench_new_admin_token
  bench_start_pg
  # The timers must not start a run in the middle of a measurement; the
  # sessions must stay cached through the read passes.
  bench_start_numina "$bench_tmp/logs/numina.log" 60 \
    --jobs.ratings_interval=1000h --jobs.feed_interval=1000h \
    --jobs.notifications_interval=1000h --cache.ttl_sessions=1h \
    "${numina_flags[@]}"

  echo
  bench_print_machine
  echo "numina:   --rate_limit.enabled=false ${numina_flags[*]}"
  echo

  local start=$SECONDS
  NUMINA_DATABASE_URL=$bench_database_url bench/seed/seed.sh --scale "$scale" \
    --tokens "$read_users" --tokens-out "$bench_tmp/tokens.tsv" \
    >"$bench_tmp/logs/seed.log"
  bench_log "seeded in $((SECONDS - start)) s"
  grep -A2 '^ *users *|' "$bench_tmp/logs/seed.log"

  run_all_jobs catch-up
  vacuum
  if [[ $do_rebuild == true ]]; then
    full_runs
    vacuum
  fi
  change_data
  run_all_jobs incremental
  print_jobs

  measure_reads
  print_reads
  print_sizes
  echo
  echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
  if [[ -n $save_dir ]]; then
    mkdir -p -- "$save_dir"
    cp -r -- "$bench_tmp/jobs.tsv" "$bench_tmp/reads.tsv" "$bench_tmp/logs" \
      "$save_dir/"
    bench_log "raw results in $save_dir"
  fi
}

main "$@"
