#!/usr/bin/env bash
# Issue 12, forty-fourth measurement: claims 1 and 2 on the issue's split at ten seeds (docs/results/ssl-recipe-nih-sample.md),
# read from the cells of docs/results/rounds-per-arm.sh: seeds 42-46 in runs/rounds, 47-51 in runs/rounds-fresh, each
# arm's validation mean AUC after round ROUND (default 15, the standing recipe); with SCORED=<dir>, the same cells'
# scores written by `score` there instead (forty-sixth). Seeds missing a share's two cells are left out of that share
# and named. Prints, with paired 95% t intervals over the seeds:
#   per share of SHARES: SSL - random, and seeds with SSL higher;
#   SSL's (and random's) loss from all the images to 10% (claim 2 allows 0.03);
#   with all the images: SSL - random per disease over the seeds, and how many diseases have SSL higher (claim 1: 10 of 14).
# `score` (forty-sixth): `evaluate` scores each cell's final checkpoint (round 15) once on SPLIT (default test) into
# SCORED/<cell>, skipping cells not finished or already scored.
# SEEDS (default 42-51) chooses the seeds.
# Usage: docs/results/claims-ten-seeds.sh [score]
set -euo pipefail
cd "$(dirname "$0")/../.."
source docs/results/auc.sh
ROUND=${ROUND:-15}
SCORED=${SCORED:-}
SPLIT=${SPLIT:-test}
read -r -a SHARES <<< "${SHARES:-1.0 0.1 0.05}"
read -r -a SEEDS <<< "${SEEDS:-42 43 44 45 46 47 48 49 50 51}"
dir() { if [ "$1" -lt 47 ]; then echo runs/rounds; else echo runs/rounds-fresh; fi; }
if [ "${1:-}" = score ]; then
  [ -n "$SCORED" ] || { echo "score: set SCORED, the directory for the scores" >&2; exit 2; }
  mkdir -p "$SCORED"
  for f in "${SHARES[@]}"; do
    for s in "${SEEDS[@]}"; do
      for a in random ssl; do
        c="$(dir $s)/$a-f$f-s$s"
        [ -f "$c/_SUCCESS" ] && [ ! -f "$SCORED/$a-f$f-s$s/_SUCCESS" ] || continue
        bin/fedcxr evaluate --set weights="$c/final.safetensors" --set input=runs/shared64/ingest --set split="$SPLIT" \
          --set output="$SCORED/$a-f$f-s$s" > "$SCORED/$a-f$f-s$s.log" 2>&1
      done
    done
  done
  exit
fi
for f in "${SHARES[@]}"; do
  for s in "${SEEDS[@]}"; do
    for a in random ssl; do
      # an evaluate output (SCORED): its mean in the summary, its labels as round 0; a cell: its round ROUND
      if [ -n "$SCORED" ]; then c="$SCORED/$a-f$f-s$s" r=0; else c="$(dir $s)/$a-f$f-s$s" r=$ROUND; fi
      [ -f "$c/_SUCCESS" ] || continue
      if [ -n "$SCORED" ]; then
        echo "mean $f $a $s $(auc "$c" %.6f)"
      else
        awk -F, -v r="$r" -v k="$f $a $s" '$1 == r {print "mean", k, $5}' "$c/metrics.csv"
      fi
      awk -F, -v r="$r" -v k="$f $a $s" '$1 == r && $3 != "" {print "label", k, $2, $3}' "$c/metrics_per_label.csv"
    done
  done
done | awk -v shares="${SHARES[*]}" -v seeds="${SEEDS[*]}" -v on="$([ -n "$SCORED" ] && echo "$SPLIT" || echo val)" "$T_AWK"'
  $1 == "mean" {m[$2, $3, $4] = $5}
  $1 == "label" {l[$2, $3, $4, $5] = $6; if (!($5 in lseen)) {lseen[$5] = 1; lab[++nl] = $5}}
  function ci(label, d, n) {if (n > 1) printf "%s: %s", label, mean_ci(d, n)
    else printf "%s: %+.4f at one seed (no interval)", label, d[1]
    return mean(d, n)}
  function both(f, s) {return ((f, "random", s) in m) && ((f, "ssl", s) in m)}
  END {ns = split(shares, sh, " "); nsd = split(seeds, sd, " ")
    for (k = 1; k <= ns; k++) {f = sh[k]; n = 0; up = 0; miss = ""; ra = 0; sa = 0
      for (i = 1; i <= nsd; i++) {s = sd[i]
        if (both(f, s)) {d[++n] = m[f, "ssl", s] - m[f, "random", s]; up += d[n] > 0; ra += m[f, "random", s]
          sa += m[f, "ssl", s]} else miss = miss " " s}
      if (n == 0) {printf "share %s: no seed has both cells\n", f; continue}
      ci(sprintf("share %s, SSL - random (means: SSL %.4f, random %.4f)", f, sa / n, ra / n), d, n)
      printf "; SSL higher at %d of %d%s\n", up, n, miss == "" ? "" : ", seeds without both cells:" miss}
    for (k = 1; k <= 2; k++) {a = k == 1 ? "ssl" : "random"; n = 0
      for (i = 1; i <= nsd; i++) {s = sd[i]; if (("1.0", a, s) in m && ("0.1", a, s) in m) d[++n] = m["1.0", a, s] - m["0.1", a, s]}
      if (n > 0) {ci(a " loss from all the images to 10%", d, n); printf "\n"}}
    up = 0; nd = 0
    for (j = 1; j <= nl; j++) {n = 0
      for (i = 1; i <= nsd; i++) {s = sd[i]
        if (("1.0", "ssl", s, lab[j]) in l && ("1.0", "random", s, lab[j]) in l)
          d[++n] = l["1.0", "ssl", s, lab[j]] - l["1.0", "random", s, lab[j]]}
      if (n == 0) continue
      nd++; up += ci("all the images, " lab[j] ", SSL - random", d, n) > 0; printf "\n"}
    if (nd > 0) printf "all the images: SSL higher on %d of %d diseases scored on %s (mean over seeds)\n", up, nd, on}'
