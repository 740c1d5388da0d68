#!/usr/bin/env bash
# The run command: installs what is missing, builds the server, gives it a
# database, loads the demo data and serves until Ctrl-C or SIGTERM.
#
#   scripts/run.sh [numina flags...]      e.g. scripts/run.sh --http.port=9090
#
# Without NUMINA_DATABASE_URL, a private PostgreSQL 15 cluster lives in
# var/pg (created on the first run, reused after) on a port chosen once and
# kept in var/pg/port. The admin token is NUMINA_ADMIN_TOKEN, or one made on
# the first run and kept in var/admin-token. The server's output goes to
# var/numina.log. Every NUMINA_* variable is read by the server itself, which
# rejects names it does not know.
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
readonly REPO_ROOT
cd "$REPO_ROOT"
# shellcheck source=scripts/lib/pg.sh
source scripts/lib/pg.sh

readonly VAR_DIR=$REPO_ROOT/var
readonly PG_DIR=$VAR_DIR/pg
readonly PREFERRED_PG_PORT=55432
readonly TOKEN_FILE=$VAR_DIR/admin-token
readonly NUMINA_LOG=$VAR_DIR/numina.log
readonly DEMO_DATA=$REPO_ROOT/scripts/demo-data.sql
readonly READY_TIMEOUT_S=60
# More than the server's default http.shutdown_grace (10 s).
readonly STOP_TIMEOUT_S=30

# What this run started, and so must stop.
numina_pid=
started_pg=false
# Where the server answers, from its "numina listening on" line.
numina_url=

log() { printf '[run] %s\n' "$*" >&2; }

# --- the database --------------------------------------------------------

# Prints the port for the private cluster: the remembered one while it is
# free, else a new one (55432 if free), which is then remembered.
private_pg_port() {
  local port=
  if [[ -f $PG_DIR/port ]]; then
    port=$(<"$PG_DIR/port")
    if [[ $port =~ ^[0-9]+$ ]] && pg_port_is_free "$port"; then
      echo "$port"
      return 0
    fi
    log "port ${port:-?} of var/pg/port is taken now; choosing another"
  fi
  port=$(pg_free_port "$PREFERRED_PG_PORT")
  echo "$port" >"$PG_DIR/port"
  echo "$port"
}

# Brings up var/pg (creating it the first time) and points the server at
# its `numina` database.
start_private_database() {
  local port
  pg_init "$PG_DIR"
  if pg_is_running "$PG_DIR"; then
    # Left running by another run (or one killed with SIGKILL): use it, and
    # leave it running when we stop. Line 4 of postmaster.pid is its port.
    port=$(sed -n 4p "$PG_DIR/data/postmaster.pid")
    log "using the PostgreSQL already running in var/pg on port $port"
  else
    port=$(private_pg_port)
    # Set before starting: an interrupt during the start must still stop it.
    started_pg=true
    pg_start "$PG_DIR" "$port"
    log "started PostgreSQL in var/pg on 127.0.0.1:$port"
  fi
  pg_create_database "$port" numina
  export NUMINA_DATABASE_URL="host=127.0.0.1 port=$port user=postgres dbname=numina"
}

# psql against the server's database, whichever it is.
psql_numina() {
  PGCONNECT_TIMEOUT=10 "$PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 \
    -d "$NUMINA_DATABASE_URL" "$@"
}

# Loads scripts/demo-data.sql, in one transaction, into a database without
# users; a database that has any is left alone (so a second run, or a real
# database, keeps its data). Runs after the server is ready: it creates the
# tables.
load_demo_data() {
  local users
  users=$(psql_numina -tA -c 'SELECT count(*) FROM users')
  if [[ $users != 0 ]]; then
    log "the database has $users users; demo data not loaded"
    return 0
  fi
  psql_numina -1 -f "$DEMO_DATA"
  log "loaded the demo data (log in as ava@demo.numina / demo-password-1)"
  run_jobs_now feed ratings notifications
}

# Asks the server to run background jobs now rather than on their schedule,
# so the demo's feeds, ratings and notifications show at once. A failure
# only delays them until their next scheduled run.
run_jobs_now() {
  local job
  for job in "$@"; do
    # The header comes from stdin: a token in curl's arguments shows in ps.
    if ! printf 'Authorization: Bearer %s\n' "$NUMINA_ADMIN_TOKEN" |
      curl -fsS -o /dev/null --max-time 60 -X POST -H @- \
        "$numina_url/admin/jobs/$job/run"; then
      log "could not run the $job job now; it runs on its schedule"
    fi
  done
}

# --- the admin token -----------------------------------------------------

# Exports NUMINA_ADMIN_TOKEN: the caller's, or the one in var/admin-token
# (made on the first run: 32 random bytes, hex).
export_admin_token() {
  if [[ -n ${NUMINA_ADMIN_TOKEN:-} ]]; then
    return 0
  fi
  if [[ ! -s $TOKEN_FILE ]]; then
    # Written aside and renamed: an interrupted run leaves no empty token.
    (
      umask 077
      od -An -N32 -tx1 /dev/urandom | tr -d ' \n' >"$TOKEN_FILE.new"
    )
    mv -f -- "$TOKEN_FILE.new" "$TOKEN_FILE"
  fi
  chmod 600 -- "$TOKEN_FILE"
  NUMINA_ADMIN_TOKEN=$(<"$TOKEN_FILE")
  export NUMINA_ADMIN_TOKEN
}

# --- the server ----------------------------------------------------------

numina_is_alive() {
  local state
  # Our child stays a zombie until we wait for it, and kill -0 succeeds on
  # a zombie: look at its state instead.
  state=$(ps -o stat= -p "$numina_pid" 2>/dev/null) || return 1
  [[ $state != Z* ]]
}

# Prints the URL of the server's "numina listening on http://ADDR:PORT"
# line, with a wildcard address replaced by loopback; nothing before it.
listening_url() {
  local url
  url=$(grep -m1 -oE 'numina listening on http://[^[:space:]]+' "$NUMINA_LOG" |
    sed 's/^numina listening on //') || return 0
  url=${url/#http:\/\/0.0.0.0:/http://127.0.0.1:}
  url=${url/#http:\/\/\[::\]:/http://[::1]:}
  echo "${url%/}"
}

# Waits until /health/ready answers 200 (database reachable and migrated)
# and sets numina_url; fails when the server exits or time is up.
wait_until_ready() {
  local deadline=$((SECONDS + READY_TIMEOUT_S))
  while ((SECONDS < deadline)); do
    numina_is_alive || return 1
    [[ -n $numina_url ]] || numina_url=$(listening_url)
    if [[ -n $numina_url ]] && curl -fsS -o /dev/null --max-time 2 \
      "$numina_url/health/ready" 2>/dev/null; then
      return 0
    fi
    sleep 0.5
  done
  return 1
}

start_numina() {
  # stdbuf: the listening line must reach the log file at once, not when a
  # stdio buffer fills.
  stdbuf -oL -eL build/numina "$@" >"$NUMINA_LOG" 2>&1 &
  numina_pid=$!
}

# SIGTERM, then up to STOP_TIMEOUT_S for a graceful exit, then SIGKILL.
stop_numina() {
  kill -TERM "$numina_pid" 2>/dev/null || true
  local tenths
  for ((tenths = 0; tenths < STOP_TIMEOUT_S * 10; tenths++)); do
    numina_is_alive || break
    sleep 0.1
  done
  if numina_is_alive; then
    log "numina still runs after ${STOP_TIMEOUT_S} s; killing it"
    kill -KILL "$numina_pid" 2>/dev/null || true
  fi
  wait "$numina_pid" 2>/dev/null || true
  numina_pid=
}

# --- start and stop ------------------------------------------------------

# Stops what this run started, in reverse order. Safe to call twice.
stop_everything() {
  if [[ -n $numina_pid ]]; then
    if numina_is_alive; then
      log "stopping numina"
    fi
    stop_numina
  fi
  if [[ $started_pg == true ]]; then
    log "stopping PostgreSQL in var/pg"
    started_pg=false
    pg_stop "$PG_DIR"
  fi
}

# shellcheck disable=SC2317 # called from a trap
on_signal() {
  trap - INT TERM
  stop_everything
  exit 0
}

main() {
  trap stop_everything EXIT
  trap on_signal INT TERM

  scripts/install-deps.sh
  scripts/build.sh numina

  mkdir -p -- "$VAR_DIR"
  if [[ -z ${NUMINA_DATABASE_URL:-} ]]; then
    start_private_database
  fi
  export_admin_token

  start_numina "$@"
  if ! wait_until_ready; then
    if numina_is_alive; then
      log "numina did not become ready within ${READY_TIMEOUT_S} s; its log:"
    else
      log "numina exited before it was ready; its log:"
    fi
    cat -- "$NUMINA_LOG" >&2
    exit 1
  fi
  load_demo_data

  cat <<EOF

Numina is serving at  $numina_url
Admin token:          $NUMINA_ADMIN_TOKEN
Server log:           var/numina.log
Stop with Ctrl-C.

EOF

  local status=0
  wait "$numina_pid" || status=$?
  # Reached only when the server exits on its own; a signal runs on_signal.
  numina_pid=
  log "numina exited with status $status"
  stop_everything
  exit "$status"
}

main "$@"
