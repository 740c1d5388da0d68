#!/usr/bin/env bash
# Seeds a numina database with a large, realistic data set for the
# benchmarks at scale (bench/jobs_at_scale.sh; docs/benchmarks.md).
#
#   bench/seed/seed.sh --db CONNINFO [options]
#
# At --scale 1: 100,000 users, 1,000,000 follows, 200,000 classes, about
# 1,000,000 bookings, 500,000 reviews, 1,000,000 activities, 100,000
# conversations with about 500,000 messages. Every count is multiplied by
# the scale (--scale 0.01 runs in seconds). bench/seed/seed.sql says how
# the data are drawn; they are generated inside PostgreSQL by set-based
# statements, never one request per row. All users share one password
# hash (argon2id of "seed-password-1", made with numina's parameters).
#
# The database must have numina's schema (start numina against it once:
# it runs its migrations) and no users yet. Derived data (feeds, rating
# aggregates, notifications) are not written: every activity is queued for
# the feed job and the other jobs' watermarks are at the start, so the
# first run of each job builds everything.
#
# With --tokens N, N users drawn at random get a session (numina stores
# the BLAKE2b-256 hash of a token; the rows are loaded with COPY) and
# --tokens-out FILE receives one line per user: user id, bearer token, the
# id of the user's most recent conversation (0 for none), tab-separated.
#
# Options:
#   --db CONNINFO     libpq connection string or URL (default: the
#                     environment's NUMINA_DATABASE_URL)
#   --scale F         multiplies every count (default 1)
#   --seed F          random seed in [-1, 1] (default 0.42): the same seed
#                     and scale give the same data
#   --slice N         rows per transaction of reviews, follows and
#                     messages (default 1000)
#   --tokens N        sessions to create (default 0)
#   --tokens-out FILE where to write them (required with --tokens)
#   -h, --help
# Needs psql (PG_BINDIR, see scripts/lib/pg.sh) and b2sum (coreutils).
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
readonly REPO_ROOT
# Paths given on the command line are taken before the cd.
cwd=$PWD
cd "$REPO_ROOT"
# shellcheck source=bench/lib/bench.sh
source bench/lib/bench.sh
# argon2id of "seed-password-1" with numina's defaults (auth.hash_ops 2,
# auth.hash_memory 64 MiB), made once with libsodium's crypto_pwhash_str.
# shellcheck disable=SC2016 # a literal, the $ are part of it
readonly SEED_PASSWORD_HASH='$argon2id$v=19$m=65536,t=2,p=1$AbuybOPXvG16NoujWsF2wA$rYU3fyL2RR7m4sb3lGzgXEjDY1epcmgNsY4nv0cYk8M'

db=${NUMINA_DATABASE_URL:-}
scale=1
seed=0.42
slice=1000
tokens=0
tokens_out=

parse_args() {
  while (($# > 0)); do
    case $1 in
      --db) db=$2; shift 2 ;;
      --scale) scale=$2; shift 2 ;;
      --seed) seed=$2; shift 2 ;;
      --slice) slice=$2; shift 2 ;;
      --tokens) tokens=$2; shift 2 ;;
      --tokens-out) tokens_out=$2; shift 2 ;;
      -h | --help) bench_usage; exit 0 ;;
      *) bench_die "unknown argument: $1 (see --help)" ;;
    esac
  done
  [[ -n $db ]] || bench_die "--db is required (or NUMINA_DATABASE_URL)"
  [[ $scale =~ ^[0-9]*\.?[0-9]+$ ]] || bench_die "--scale takes a positive number"
  [[ $seed =~ ^-?[01]?\.?[0-9]+$ ]] || bench_die "--seed takes a number in [-1, 1]"
  [[ $slice =~ ^[1-9][0-9]*$ ]] || bench_die "--slice takes a positive count"
  [[ $tokens =~ ^[0-9]+$ ]] || bench_die "--tokens takes a count"
  if ((tokens > 0)); then
    [[ -n $tokens_out ]] || bench_die "--tokens needs --tokens-out"
    tokens_out=$(cd "$cwd" && realpath -m -- "$tokens_out")
  fi
}

psql_db() {
  PGCONNECT_TIMEOUT=10 "$PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 "$db" "$@"
}

# count BASE: BASE times the scale, at least 1.
count() {
  awk -v b="$1" -v s="$scale" 'BEGIN { n = int(b * s + 0.5); print (n < 1 ? 1 : n) }'
}

seed_tables() {
  psql_db -f bench/seed/seed.sql \
    -v users="$(count 100000)" -v follows="$(count 1000000)" \
    -v classes="$(count 200000)" -v bookings="$(count 1000000)" \
    -v reviews="$(count 500000)" -v activities="$(count 1000000)" \
    -v conversations="$(count 100000)" -v messages="$(count 500000)" \
    -v slice="$slice" -v skew=2.5 -v seed="$seed" \
    -v pwhash="$SEED_PASSWORD_HASH"
  # Fresh rows have no visibility map and no statistics yet; autovacuum
  # would see to both soon after a load this size.
  psql_db -c 'VACUUM ANALYZE'
}

# Sessions for `tokens` random users, loaded with COPY. numina stores the
# lower-case hex BLAKE2b-256 of the bearer token (http/tokens.cpp), which
# is what `b2sum -l 256` prints.
seed_sessions() {
  local tmp
  tmp=$(mktemp -d "${TMPDIR:-/tmp}/numina-seed.XXXXXX")
  # shellcheck disable=SC2064 # expand now: tmp is local
  trap "rm -rf -- '$tmp'" RETURN
  psql_db -tA -F $'\t' -c "SELECT u.id, coalesce((
      SELECT c.id FROM conversations c
       WHERE u.id IN (c.user_a, c.user_b)
       ORDER BY c.last_message_at DESC, c.id DESC LIMIT 1), 0)
    FROM users u WHERE u.email LIKE '%@seed.numina'
    ORDER BY random() LIMIT $tokens" >"$tmp/users.tsv"
  local n
  n=$(wc -l <"$tmp/users.tsv")
  # One read of /dev/urandom for all tokens: 32 random bytes each, in hex.
  # (fold ends without a newline: the echo gives the last line its own.)
  {
    od -An -v -N$((32 * n)) -tx1 /dev/urandom | tr -d ' \n' | fold -w 64
    echo
  } >"$tmp/tokens.txt"
  mkdir -- "$tmp/t"
  local i=0 token
  while IFS= read -r token; do
    i=$((i + 1))
    printf '%s' "$token" >"$tmp/t/$i"
  done <"$tmp/tokens.txt"
  # One b2sum for all: "hash  path", in the order of the arguments.
  (cd "$tmp/t" && seq 1 "$n" | xargs b2sum -l 256) | awk '{ print $1 }' \
    >"$tmp/hashes.txt"
  paste "$tmp/hashes.txt" <(cut -f1 "$tmp/users.tsv") |
    psql_db -c '\copy sessions (token_hash, user_id) FROM STDIN'
  paste <(cut -f1 "$tmp/users.tsv") "$tmp/tokens.txt" \
    <(cut -f2 "$tmp/users.tsv") >"$tokens_out"
  bench_log "$n sessions; tokens in $tokens_out"
}

print_counts() {
  psql_db -c "SELECT
      (SELECT count(*) FROM users) AS users,
      (SELECT count(*) FROM follows) AS follows,
      (SELECT count(*) FROM classes) AS classes,
      (SELECT count(*) FROM bookings) AS bookings,
      (SELECT count(*) FROM reviews) AS reviews,
      (SELECT count(*) FROM activities) AS activities,
      (SELECT count(*) FROM conversations) AS conversations,
      (SELECT count(*) FROM messages) AS messages,
      (SELECT max(n) FROM (SELECT count(*) AS n FROM follows
                            GROUP BY following_id) f) AS max_followers"
}

main() {
  parse_args "$@"
  local start=$SECONDS
  bench_log "seeding at scale $scale"
  seed_tables
  bench_log "tables seeded in $((SECONDS - start)) s"
  if ((tokens > 0)); then
    seed_sessions
  fi
  print_counts
  bench_log "done in $((SECONDS - start)) s"
}

main "$@"
