#!/usr/bin/env bash
# Issue 12, fifty-second measurement (docs/results/ssl-recipe-nih-sample.md): the head's bias started at each label's
# prior log-odds over the clients' images (`federate --set head_prior=true`), for random initialisation and for SSL
# initialisation from the edge-off encoder of pretraining seed 42 (runs/shared64/pretrain-e120-noedge), on the
# issue's split at 64 px, non-IID, 10 clients, fedcxr's recipe, 15 rounds, evaluated on the VALIDATION split, seeds
# SEEDS (default 42 43 44), all of each client's images and 10% of them, on the partitions in runs/rounds.
#   weights: the head of three existing cells' final weights (bias range, rows' mean weight), before the design.
#   check: random initialisation's 10% seed-42 cell without the prior, rerun with this jar: its metrics.csv's result
#          columns (round to mean average precision; the last three are timings) must equal those of
#          runs/rounds/random-f0.1-s42 (the forty-ninth's rerun of the published cell).
#   cells: the prior's cells in runs/prior (random init, then SSL init, seed by seed; one process at a time).
#   table: per seed and share, each arm with and without the prior (without: random initialisation's published
#          cells, the forty-first's; the edge-off encoder's cells in runs/rounds, the forty-ninth's and fifty-first's),
#          then, each with its paired 95% t interval over the seeds: prior - none per arm and share; SSL - random with
#          and without the prior and its change; SSL's and random's loss from all the images to 10% with and without.
#   fresh: the fifty-third: random initialisation with and without the prior, all the images, fresh seeds FRESH
#          (default 45-49), cells in runs/prior-fresh on partitions made in runs/rounds, seed by seed.
#   freshtable: per fresh seed, random initialisation with and without the prior; prior - none with its paired 95% t
#          interval over those seeds.
# Usage: docs/results/head-prior.sh weights|check|cells|table|fresh|freshtable
set -euo pipefail
cd "$(dirname "$0")/../.."
source docs/results/auc.sh
read -r -a SEEDS <<< "${SEEDS:-42 43 44}"
ENC=runs/shared64/pretrain-e120-noedge/encoder.safetensors

case "${1:-}" in
  weights)
    PYTHONPATH=docs/results python3 - runs/rounds/random-f0.1-s42 runs/rounds/sslnoedge-f0.1-s42 \
      runs/rounds/sslnoedge-f1.0-s42 <<'PY'
import sys
import numpy as np
from safetensors_f32 import load
for run in sys.argv[1:]:
    t = load(run + "/final.safetensors")
    w = t["fc.weight"].reshape(14, -1); r = w.mean(1); bias = t["fc.bias"]
    print(f"{run}: bias {bias.min():+.4f} to {bias.max():+.4f}; rows' mean weight {r.min():+.4f} to {r.max():+.4f}, "
          f"{(r < 0).sum()} of 14 negative, {(r < -0.005).sum()} below -0.005; "
          f"weight RMS {np.sqrt((w ** 2).mean()):.4f}")
PY
    ;;
  check)
    OUT=runs/prior/check PARTS=runs/rounds SEEDS=42 SHARES=0.1 ARMS=random docs/results/rounds-per-arm.sh cells
    cmp <(cut -d, -f1-6 runs/prior/check/random-f0.1-s42/metrics.csv) \
      <(cut -d, -f1-6 runs/rounds/random-f0.1-s42/metrics.csv) && echo "check: same" ;;
  cells)
    OUT=runs/prior PARTS=runs/rounds SEEDS="${SEEDS[*]}" SHARES="1.0 0.1" SETS=head_prior=true \
      ARMS="randomprior=random sslnoedgeprior=$ENC" docs/results/rounds-per-arm.sh cells ;;
  table)
    for f in 1.0 0.1; do for s in "${SEEDS[@]}"; do
      for c in runs/prior/randomprior-f$f-s$s runs/rounds/sslnoedge-f$f-s$s runs/prior/sslnoedgeprior-f$f-s$s; do
        printf '%s ' "$(cellauc "$c")"
      done; echo "$f $s"
    done; done |
    awk -v cells="$PUBLISHED_CELLS" "$T_AWK"'BEGIN {np = split(cells, p, " ")  # published random init, no prior
        for (i = 1; i < np; i += 4) rnd[p[i], p[i + 1]] = p[i + 2]}
      /missing/ {printf "share %s seed %s: a cell is missing: no verdict\n", $4, $5; bad = 1; next}
      {f = $4; s = $5; r0[f, s] = rnd[f, s]; r1[f, s] = $1; s0[f, s] = $2; s1[f, s] = $3
       if (!(s in seen)) {seen[s] = 1; ord[++n] = s}
       printf "share %s seed %s: random %.4f, with prior %.4f (%+.4f); SSL %.4f, with prior %.4f (%+.4f)\n", f, s,
         rnd[f, s], $1, $1 - rnd[f, s], $2, $3, $3 - $2}
      function show(label, d) {printf "%s: ", label; for (i = 1; i <= n; i++) printf "%+.4f ", d[i]
        print " " mean_ci(d, n)}
      END {if (bad) exit 1
        for (k = 1; k <= 2; k++) {f = k == 1 ? "1.0" : "0.1"
          for (i = 1; i <= n; i++) {s = ord[i]; a[i] = r1[f, s] - r0[f, s]; b[i] = s1[f, s] - s0[f, s]
            c[i] = s0[f, s] - r0[f, s]; d[i] = s1[f, s] - r1[f, s]; e[i] = d[i] - c[i]}
          show("share " f ", random: prior - none", a); show("share " f ", SSL: prior - none", b)
          show("share " f ", SSL - random without the prior", c); show("share " f ", SSL - random with the prior", d)
          show("share " f ", (SSL - random) with - without the prior", e)}
        for (i = 1; i <= n; i++) {s = ord[i]; a[i] = s0["1.0", s] - s0["0.1", s]; b[i] = s1["1.0", s] - s1["0.1", s]
          c[i] = b[i] - a[i]; d[i] = r0["1.0", s] - r0["0.1", s]; e[i] = r1["1.0", s] - r1["0.1", s]}
        show("SSL, all - 10%, without the prior", a); show("SSL, all - 10%, with the prior", b)
        show("SSL, (all - 10%) with - without the prior", c)
        show("random, all - 10%, without the prior", d); show("random, all - 10%, with the prior", e)}' ;;
  fresh)
    for s in ${FRESH:-45 46 47 48 49}; do
      OUT=runs/prior-fresh PARTS=runs/rounds SEEDS=$s SHARES=1.0 ARMS=random docs/results/rounds-per-arm.sh cells
      OUT=runs/prior-fresh PARTS=runs/rounds SEEDS=$s SHARES=1.0 SETS=head_prior=true ARMS=randomprior=random \
        docs/results/rounds-per-arm.sh cells
    done ;;
  freshtable)
    for s in ${FRESH:-45 46 47 48 49}; do
      for c in runs/prior-fresh/random-f1.0-s$s runs/prior-fresh/randomprior-f1.0-s$s; do
        printf '%s ' "$(cellauc "$c")"
      done; echo "$s"
    done | awk "$T_AWK"'/missing/ {printf "seed %s: a cell is missing: no verdict\n", $3; bad = 1; next}
      {n++; d[n] = $2 - $1; printf "seed %s: random %.4f, with prior %.4f (%+.4f)\n", $3, $1, $2, d[n]}
      END {if (bad) exit 1; printf "all the images, random: prior - none: %s\n", mean_ci(d, n)}' ;;
  *) echo "usage: $0 weights|check|cells|table|fresh|freshtable" >&2; exit 2 ;;
esac
