#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The whole survey in one command: N scan tasks, then the merge once they
# all succeeded. Prints the two job ids.
#
#   deploy/slurm/submit.sh N INPUT OUTDIR [SCANNER ARGS...]
#
# Options for sbatch itself (a partition, an account) go in SBATCH_* variables
# (SBATCH_PARTITION, SBATCH_ACCOUNT), which sbatch reads.
set -euo pipefail
if [ $# -lt 3 ]; then
    echo "usage: submit.sh N INPUT OUTDIR [SCANNER ARGS...]" >&2
    exit 2
fi
n=$1 input=$2 outdir=$3
shift 3
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$outdir"
scan=$(sbatch --parsable --export=ALL --array="0-$((n - 1))" --chdir="$outdir" \
    "$here/scan.sbatch" "$(realpath "$input")" "$(realpath "$outdir")" "$@")
scan=${scan%%;*}
merge=$(sbatch --parsable --export=ALL --dependency="afterok:$scan" --chdir="$outdir" \
    "$here/merge.sbatch" "$(realpath "$outdir")" "$n")
echo "scan job $scan (array of $n), merge job ${merge%%;*}"
