#!/usr/bin/env bash
# Configures and builds Numina in build/ (Release). With arguments, builds
# only those targets (e.g. `scripts/build.sh numina`); without, everything,
# tests and benchmarks included. CMakeLists.txt puts ccache in front of the
# compiler when it is installed, so rebuilds of unchanged files are cheap.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

readonly BUILD_DIR=build
jobs=$(nproc)
# Paths below the checkout count as relative for ccache, so a second clone
# (CI's) reuses what the first one compiled.
export CCACHE_BASEDIR="$PWD"

cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release

if (($# > 0)); then
  cmake --build "$BUILD_DIR" -j"$jobs" --target "$@"
else
  cmake --build "$BUILD_DIR" -j"$jobs"
fi
