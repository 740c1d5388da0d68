#!/usr/bin/env bash
# The test command: installs what is missing, builds everything, starts a
# throwaway PostgreSQL 15 cluster and runs every test against it. The tests
# get TEST_PG_URL (superuser, database `postgres`) and create their own
# databases in it. The cluster and its directory are gone afterwards, also
# when something fails or the run is interrupted. Exits with ctest's status.
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
readonly REPO_ROOT
cd "$REPO_ROOT"
# shellcheck source=scripts/lib/pg.sh
source scripts/lib/pg.sh

# A test that hangs fails after this long instead of eating CI's budget.
readonly TEST_TIMEOUT_S=600

pg_dir=
phase_start=$SECONDS

log() { printf '[test] %s\n' "$*" >&2; }

# Logs how long the phase that just ended took, and starts the next one.
end_phase() {
  log "$1 took $((SECONDS - phase_start)) s"
  phase_start=$SECONDS
}

# shellcheck disable=SC2317 # called from a trap
remove_test_cluster() {
  [[ -n $pg_dir ]] || return 0
  pg_stop "$pg_dir" || log "could not stop the test PostgreSQL in $pg_dir"
  rm -rf -- "$pg_dir"
  pg_dir=
}

# Durability is pointless for a cluster that is deleted in minutes, and
# fsync dominates the time of tests that create databases.
start_test_cluster() {
  # mktemp -d honours TMPDIR; pg_init hands the directory to postgres.
  pg_dir=$(mktemp -d)
  pg_init "$pg_dir" --no-sync
  local port
  port=$(pg_free_port)
  pg_start "$pg_dir" "$port" -c fsync=off -c synchronous_commit=off \
    -c full_page_writes=off
  export TEST_PG_URL="host=127.0.0.1 port=$port user=postgres dbname=postgres"
  log "PostgreSQL for the tests on 127.0.0.1:$port ($pg_dir)"
}

main() {
  trap remove_test_cluster EXIT
  # Exiting from the handlers runs the EXIT trap, so the cluster goes too.
  trap 'exit 130' INT
  trap 'exit 143' TERM

  scripts/install-deps.sh
  end_phase install
  scripts/build.sh
  end_phase build

  start_test_cluster
  local status=0
  # --no-tests=error: a build that registers no test must not pass.
  ctest --test-dir build --output-on-failure -j2 --timeout "$TEST_TIMEOUT_S" \
    --no-tests=error || status=$?
  end_phase tests
  exit "$status"
}

main "$@"
