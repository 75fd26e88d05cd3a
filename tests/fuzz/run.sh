#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs every fuzz target for SECONDS (default 5) from its seed corpus.
# New inputs go to a scratch directory, so the repository stays as it is.
set -euo pipefail
dir=${1:?usage: run.sh BUILD_DIR [SECONDS]}
secs=${2:-5}
here=$(cd "$(dirname "$0")" && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
for target in hello reply dialog targets csv certfacts dns rowread policy report sasl; do
    mkdir -p "$scratch/$target"
    echo "fuzz_$target: ${secs}s"
    "$dir/tests/fuzz_$target" -max_total_time="$secs" -print_final_stats=0 \
        "$scratch/$target" "$here/corpus/$target" 2>"$scratch/$target.log" || {
        tail -40 "$scratch/$target.log"
        exit 1
    }
    grep -E '^Done [0-9]+ runs' "$scratch/$target.log" || true
done
