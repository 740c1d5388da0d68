#!/usr/bin/env bash
# The thread split: the hot read at 256 connections with numina restarted
# for each http.threads/actors.threads pair (1/1 1/2 2/1 2/2), and nginx once
# for scale. Same options as bench/hot_read.sh (see its --help), e.g.
#
#   bench/thread_split.sh --duration 10 --splits "1/1 2/2"
set -euo pipefail
exec "$(dirname "${BASH_SOURCE[0]}")/hot_read.sh" --tables split "$@"
