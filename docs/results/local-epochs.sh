#!/usr/bin/env bash
# Issue 12, fifty-sixth measurement (docs/results/ssl-recipe-nih-sample.md): three local epochs a round instead of one
# at 10% of each client's images (where a client takes one step an epoch), for random initialisation and for SSL
# initialisation from the edge-off encoder of pretraining seed 42 (runs/shared64/pretrain-e120-noedge); the issue's
# split at 64 px, non-IID, 10 clients, fedcxr's recipe otherwise, 15 rounds, evaluated on the VALIDATION split, seeds
# 42-44, on the partitions in runs/rounds; cells in runs/epochs, one process at a time.
#   cells: seed by seed, random then SSL initialisation with local_epochs=3.
#   table: per seed, each arm with one local epoch (random: auc.sh's PUBLISHED_CELLS; SSL: the fifty-first's cells
#          runs/rounds/sslnoedge-f0.1-s<seed>) and with three; three - one per arm and SSL - random at each, with
#          their paired 95% t intervals over the seeds.
# Usage: docs/results/local-epochs.sh cells|table
set -euo pipefail
cd "$(dirname "$0")/../.."
source docs/results/auc.sh
ENC=runs/shared64/pretrain-e120-noedge/encoder.safetensors

case "${1:-}" in
  cells)
    for s in 42 43 44; do
      OUT=runs/epochs PARTS=runs/rounds SEEDS=$s SHARES=0.1 SETS=local_epochs=3 \
        ARMS="randome3=random sslnoedgee3=$ENC" docs/results/rounds-per-arm.sh cells
    done ;;
  table)
    for s in 42 43 44; do
      echo "$s $(cellauc runs/epochs/randome3-f0.1-s$s) $(cellauc runs/rounds/sslnoedge-f0.1-s$s)" \
        "$(cellauc runs/epochs/sslnoedgee3-f0.1-s$s)"
    done | awk -v cells="$PUBLISHED_CELLS" "$T_AWK"'BEGIN {np = split(cells, p, " ")
        for (i = 1; i < np; i += 4) if (p[i] == "0.1") rnd[p[i + 1]] = p[i + 2]}
      /missing/ {printf "seed %s: a cell is missing: no verdict\n", $1; bad = 1; next}
      {n++; r1 = rnd[$1]; a[n] = $2 - r1; b[n] = $4 - $3; c[n] = $3 - r1; d[n] = $4 - $2
       printf "seed %s: random 1 epoch %.4f, 3 epochs %.4f; SSL 1 epoch %.4f, 3 epochs %.4f\n", $1, r1, $2, $3, $4}
      END {if (bad) exit 1
        printf "random, 3 - 1 epochs: %s\n", mean_ci(a, n); printf "SSL, 3 - 1 epochs: %s\n", mean_ci(b, n)
        printf "SSL - random, 1 epoch: %s\n", mean_ci(c, n); printf "SSL - random, 3 epochs: %s\n", mean_ci(d, n)}' ;;
  *) echo "usage: $0 cells|table" >&2; exit 2 ;;
esac
