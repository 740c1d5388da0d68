# shellcheck shell=bash
# Functions for a private PostgreSQL 15 cluster that lives in one directory:
#
#   DIR/data        the data directory (PGDATA)
#   DIR/server.log  the server's log
#   DIR/.s.PGSQL.*  the Unix socket (kept out of /var/run/postgresql, so a
#                   private cluster never meets Debian's default one)
#
# Source this file; it sets no shell options of its own. Every function
# returns non-zero on failure, so callers under `set -e` stop there.
#
# initdb and postgres refuse to run as root. When we are root, the tools run
# as the `postgres` system user and DIR belongs to it; otherwise they run as
# the calling user. PG_BINDIR overrides where the tools are (Debian keeps
# initdb and pg_ctl off PATH).

PG_BINDIR=${PG_BINDIR:-/usr/lib/postgresql/15/bin}

# Runs a PostgreSQL tool from PG_BINDIR as the user who owns the clusters.
pg_run_tool() {
  local tool=$1
  shift
  if [[ $EUID -eq 0 ]]; then
    # cd /: runuser keeps our working directory, which postgres may not be
    # allowed to enter (a repository under /root, say).
    (cd / && runuser -u postgres -- "$PG_BINDIR/$tool" "$@")
  else
    "$PG_BINDIR/$tool" "$@"
  fi
}

# Prints DIR as an absolute path: the tools run from / (see pg_run_tool).
pg_abs_dir() {
  realpath -m -- "$1"
}

# Quotes one word for /bin/sh: pg_ctl hands its -o options to a shell.
pg_sh_quote() {
  local quote="'" escaped="'\\''"
  printf "'%s'" "${1//$quote/$escaped}"
}

# As root, lets the postgres user reach DIR: gives the search (x) bit, and
# nothing else, to every ancestor it cannot pass (a repository under /root,
# a umask of 077).
pg_make_reachable() {
  [[ $EUID -eq 0 ]] || return 0
  local dir
  dir=$(pg_abs_dir "$1")
  local path=/ part
  local -a parts
  IFS=/ read -r -a parts <<<"${dir#/}"
  for part in "${parts[@]}"; do
    path=${path%/}/$part
    [[ -d $path ]] || break
    if ! runuser -u postgres -- test -x "$path"; then
      chmod o+x -- "$path"
    fi
  done
}

# Creates the cluster in DIR unless it is there already. Extra arguments go
# to initdb (test clusters pass --no-sync).
pg_init() {
  local dir
  dir=$(pg_abs_dir "$1")
  shift
  if [[ -f $dir/data/PG_VERSION ]]; then
    return 0
  fi
  mkdir -p -- "$dir"
  if [[ $EUID -eq 0 ]]; then
    chown postgres:postgres -- "$dir"
    chmod 700 -- "$dir"
  fi
  pg_make_reachable "$dir"
  # trust: the server listens on 127.0.0.1 and a socket in DIR only.
  # C locale and UTF8: the same sort order on every machine.
  if ! pg_run_tool initdb -D "$dir/data" -U postgres -A trust -E UTF8 \
    --locale=C "$@" >"$dir/initdb.log" 2>&1; then
    echo "initdb failed in $dir; its output:" >&2
    cat -- "$dir/initdb.log" >&2
    return 1
  fi
}

# Succeeds when the cluster in DIR has a live server.
pg_is_running() {
  pg_run_tool pg_ctl -D "$(pg_abs_dir "$1")/data" status >/dev/null 2>&1
}

# Starts the cluster in DIR on 127.0.0.1:PORT and returns once it accepts
# connections. Extra arguments are server options (e.g. -c fsync=off).
pg_start() {
  local dir port=$2
  dir=$(pg_abs_dir "$1")
  shift 2
  local socket_dir=$dir
  # A Unix socket path is limited to 107 bytes; postgres refuses to start if
  # it cannot make one. A deep DIR goes without: we connect over TCP.
  if ((${#dir} + 20 > 107)); then
    socket_dir=
  fi
  pg_make_reachable "$dir"
  local options
  options="-p $port -k $(pg_sh_quote "$socket_dir")"
  options+=" -c listen_addresses=127.0.0.1 -c TimeZone=UTC"
  local extra
  for extra in "$@"; do
    options+=" $(pg_sh_quote "$extra")"
  done
  if ! pg_run_tool pg_ctl -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "$options" start >/dev/null; then
    echo "PostgreSQL in $dir did not start on port $port; end of its log:" >&2
    tail -n 30 -- "$dir/server.log" >&2 || true
    return 1
  fi
}

# Stops the cluster in DIR if it runs: fast mode rolls back open sessions
# and writes a shutdown checkpoint, so the next start needs no recovery.
pg_stop() {
  local dir
  dir=$(pg_abs_dir "$1")
  if pg_is_running "$dir"; then
    pg_run_tool pg_ctl -D "$dir/data" -m fast -w -t 60 stop >/dev/null
  fi
}

# Succeeds when nothing accepts TCP connections on 127.0.0.1:PORT.
pg_port_is_free() {
  local port=$1
  if command -v ss >/dev/null 2>&1 &&
    ss -Hltn "sport = :$port" 2>/dev/null | grep -q .; then
    return 1
  fi
  # A refused connection means no listener. The subshell keeps the
  # descriptor out of ours.
  ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null
}

# Prints a free TCP port: PREFERRED if it is free, else one picked at random
# from 20000..59999 (below Linux's ephemeral range, so outgoing connections
# do not take it).
# shellcheck disable=SC2120 # PREFERRED is optional
pg_free_port() {
  local preferred=${1:-}
  if [[ -n $preferred ]] && pg_port_is_free "$preferred"; then
    echo "$preferred"
    return 0
  fi
  local attempt port
  for ((attempt = 0; attempt < 200; attempt++)); do
    port=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
    if pg_port_is_free "$port"; then
      echo "$port"
      return 0
    fi
  done
  echo "no free TCP port found on 127.0.0.1" >&2
  return 1
}

# psql as the superuser of the cluster on 127.0.0.1:PORT. Runs as the
# calling user: trust authentication needs no OS account, and root can read
# SQL files that postgres cannot.
pg_psql() {
  local port=$1 dbname=$2
  shift 2
  PGCONNECT_TIMEOUT=10 "$PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 \
    -h 127.0.0.1 -p "$port" -U postgres -d "$dbname" "$@"
}

# Creates database NAME in the cluster on PORT unless it exists.
pg_create_database() {
  local port=$1 name=$2
  # The name goes into SQL unquoted below, so only plain identifiers pass.
  if [[ ! $name =~ ^[a-z_][a-z0-9_]*$ ]]; then
    echo "not a plain database name: $name" >&2
    return 1
  fi
  local exists
  exists=$(pg_psql "$port" postgres -tA \
    -c "SELECT 1 FROM pg_database WHERE datname = '$name'")
  if [[ $exists != 1 ]]; then
    pg_psql "$port" postgres -c "CREATE DATABASE $name"
  fi
}
