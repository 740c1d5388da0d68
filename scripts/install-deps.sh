#!/usr/bin/env bash
# Installs the Debian 12 packages that Numina needs to build, run, test and
# benchmark, and only those that are missing: with everything present it
# asks apt nothing and returns in well under a second. Never prompts.
set -euo pipefail

readonly PACKAGES=(
  # toolchain
  build-essential cmake pkg-config ccache clang-format
  # libraries
  libcaf-dev libboost1.81-all-dev libpqxx-dev libsimdjson-dev
  prometheus-cpp-dev libsodium-dev zlib1g-dev
  # the database, server and client
  postgresql-15 postgresql-client-15
  # what the scripts, the end-to-end tests and the benchmarks call
  curl nginx-light wrk procps iproute2
)

log() { printf '[install-deps] %s\n' "$*" >&2; }

# Prints the packages of PACKAGES that dpkg does not list as installed.
missing_packages() {
  local pkg status
  for pkg in "${PACKAGES[@]}"; do
    status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null || true)
    # "ii": installed; anything else (absent, half-installed, removed with
    # its config left) needs apt.
    if [[ $status != ii* ]]; then
      echo "$pkg"
    fi
  done
}

# Runs a command as root: directly when we are root, else through sudo.
as_root() {
  if [[ $EUID -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    # -n: fail rather than wait for a password nobody may type (CI).
    sudo -n "$@"
  else
    log "not root and no sudo: cannot run $*"
    return 1
  fi
}

# apt-get that never asks anything and waits for a dpkg lock held by another
# apt (a fresh machine often runs unattended upgrades at boot).
apt_get() {
  as_root env DEBIAN_FRONTEND=noninteractive apt-get -y -q \
    -o DPkg::Lock::Timeout=600 -o Acquire::Retries=3 \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
    "$@"
}

# postgresql-common creates the postgres user, but a machine that got the
# packages some other way may lack it; the private clusters run as it.
ensure_postgres_user() {
  if id -u postgres >/dev/null 2>&1; then
    return 0
  fi
  log "creating the postgres system user"
  as_root useradd --system --user-group --home-dir /var/lib/postgresql \
    --shell /bin/bash postgres
}

main() {
  local -a missing
  mapfile -t missing < <(missing_packages)
  if ((${#missing[@]} > 0)); then
    log "installing: ${missing[*]}"
    apt_get update
    # Recommends are left out: nothing here needs them, and they would
    # double the download on a fresh machine.
    apt_get install --no-install-recommends "${missing[@]}"
  fi
  ensure_postgres_user
}

main "$@"
