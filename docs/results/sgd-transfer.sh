#!/usr/bin/env bash
# Issue 12, fifty-fourth measurement (docs/results/ssl-recipe-nih-sample.md): the clients' optimizer, SGD with momentum
# 0.9 instead of Adam, for SSL initialisation from the edge-off encoder of pretraining seed 42
# (runs/shared64/pretrain-e120-noedge); the issue's split at 64 px,
# non-IID, 10 clients, fedcxr's recipe otherwise (cosine per round, weight decay 1e-4, clip 5, augmentation), 15
# rounds, evaluated on the VALIDATION split, all of each client's images (share 1.0) and 10% (0.1), on the
# partitions in runs/rounds; cells in runs/sgd, one process at a time.
#   drift: how far federated training moved the encoder: per stage, ||w - w_pretrained|| / ||w_pretrained|| over
#          the convolution and BatchNorm weights of the final model of each cell given (default: the Adam cells of
#          seed 42), against the pretrained encoder.
#   screen: SSL initialisation with SGD at learning rates 0.01 and 0.1, seeds 42-44, both shares (Adam's cells are
#          the forty-ninth's and fifty-first's, runs/rounds/sslnoedge-f<share>-s<seed>).
#   screentable: per seed and share the three cells; per rate the mean of the six and SGD - Adam's paired differences;
#          the rate chosen (the higher mean of the six) and whether the rule goes on to the design's confirmation.
#   (the design's `confirm` and `table`, fresh seeds 45-47 with random initialisation on SGD as well for fairness,
#   were removed unrun when the screen's rule stopped the measurement.)
#   lpft: the fifty-fifth measurement (linear probe, then fine-tune): each screen cell at rate 0.1 (encoder nearly
#          fixed, head trained: the probe phase) fine-tuned for 15 more rounds with fedcxr's recipe (Adam 1e-3) from
#          its final weights (`init=global:`), same seed, partition and share; cells $OUT/ssllpft-f<share>-s<seed>.
#   lpfttable: per seed and share, SSL with Adam (15 rounds), the probe phase, LP-FT, random initialisation's
#          published cell; LP-FT - SSL Adam and LP-FT - random per share and over the six; the rule's verdict.
#   (the design's `lpftfresh` and `lpftfreshtable`, fresh seeds 45-47, were removed unrun when the screen's rule
#   stopped the measurement.)
# Usage: docs/results/sgd-transfer.sh drift [cells...]|screen|screentable|lpft|lpfttable
set -euo pipefail
cd "$(dirname "$0")/../.."
source docs/results/auc.sh
ENC=runs/shared64/pretrain-e120-noedge/encoder.safetensors
OUT=runs/sgd
RATES=(0.01 0.1)
name() { echo "sgd${1#0.}"; }  # 0.01 -> sgd01, 0.1 -> sgd1
run() { # arm-name init-or-encoder "sets" seed share
  OUT=$OUT PARTS=runs/rounds SEEDS=$4 SHARES=$5 SETS="$3" ARMS="$1=$2" docs/results/rounds-per-arm.sh cells
}
lpft() { # seed share: 15 rounds with fedcxr's recipe from the probe phase's (SGD 0.1) final weights
  run ssllpft "global:$OUT/ssl$(name 0.1)-f$2-s$1/final.safetensors" "" "$1" "$2"
}

case "${1:-}" in
  drift)
    shift
    PYTHONPATH=docs/results python3 - "$ENC" \
      "${@:-runs/rounds/sslnoedge-f1.0-s42 runs/rounds/sslnoedge-f0.1-s42}" <<'PY'
import sys
import numpy as np
from safetensors_f32 import load
enc = load(sys.argv[1])
for run in " ".join(sys.argv[2:]).split():
    w = load(run + "/final.safetensors"); out = []
    for stage in ("conv1", "layer1", "layer2", "layer3", "layer4"):
        keys = [k for k in enc if k.split(".")[0] in (stage, "bn1" if stage == "conv1" else stage)
                and k.endswith(("weight", "bias"))]
        d = sum(float(((w[k] - enc[k]) ** 2).sum()) for k in keys)
        n = sum(float((enc[k] ** 2).sum()) for k in keys)
        out.append(f"{stage} {np.sqrt(d / n):.3f}")
    print(f"{run}: " + ", ".join(out))
PY
    ;;
  screen)
    for s in 42 43 44; do for r in "${RATES[@]}"; do
      run "ssl$(name $r)" "$ENC" "optimizer=sgd learning_rate=$r" $s "1.0 0.1"
    done; done ;;
  screentable)
    for f in 1.0 0.1; do for s in 42 43 44; do
      echo "$f $s $(cellauc runs/rounds/sslnoedge-f$f-s$s) $(for r in "${RATES[@]}"; do
        cellauc $OUT/ssl$(name $r)-f$f-s$s; done | tr '\n' ' ')"
    done; done | awk -v rates="${RATES[*]}" "$T_AWK"'BEGIN {nr = split(rates, rate, " ")}
      /missing/ {printf "share %s seed %s: a cell is missing: no verdict\n", $1, $2; bad = 1; next}
      {n++; adam += $3; printf "share %s seed %s: Adam %.4f", $1, $2, $3
       for (j = 1; j <= nr; j++) {v = $(3 + j); sum[j] += v; d[j, n] = v - $3; printf ", SGD %s %.4f", rate[j], v}
       print ""}
      END {if (bad) exit 1
        printf "mean of the six: Adam %.4f", adam / n; best = 1
        for (j = 1; j <= nr; j++) {printf ", SGD %s %.4f", rate[j], sum[j] / n; if (sum[j] > sum[best]) best = j}
        print ""
        for (j = 1; j <= nr; j++) {for (i = 1; i <= n; i++) e[i] = d[j, i]
          printf "SGD %s - Adam over the six (seed, share) pairs (not independent: n counts pairs): %s\n", rate[j],
            mean_ci(e, n)}
        printf "chosen rate: %s; the rule %s\n", rate[best], (sum[best] > adam ? "goes on to the confirmation" \
          : "stops here: SGD is below Adam at both rates")}' ;;
  lpft)
    for s in 42 43 44; do for f in 1.0 0.1; do lpft $s $f; done; done ;;
  lpfttable)
    for f in 1.0 0.1; do for s in 42 43 44; do
      echo "$f $s $(cellauc runs/rounds/sslnoedge-f$f-s$s) $(cellauc $OUT/ssl$(name 0.1)-f$f-s$s)" \
        "$(cellauc $OUT/ssllpft-f$f-s$s)"
    done; done | awk -v cells="$PUBLISHED_CELLS" "$T_AWK"'BEGIN {np = split(cells, p, " ")
        for (i = 1; i < np; i += 4) rnd[p[i], p[i + 1]] = p[i + 2]}
      /missing/ {printf "share %s seed %s: a cell is missing: no verdict\n", $1, $2; bad = 1; next}
      {n++; k[$1]++; r = rnd[$1, $2]; a[n] = $5 - $3; b[n] = $5 - r; A[$1, k[$1]] = a[n]; B[$1, k[$1]] = b[n]
       printf "share %s seed %s: SSL Adam %.4f, probe phase %.4f, LP-FT %.4f, random %.4f\n", $1, $2, $3, $4, $5, r}
      function per(M, f, label,   i) {for (i = 1; i <= k[f]; i++) d[i] = M[f, i]; printf "%s, share %s: %s\n", label,
        f, mean_ci(d, k[f])}
      END {if (bad) exit 1
        per(A, "1.0", "LP-FT - SSL Adam"); per(A, "0.1", "LP-FT - SSL Adam")
        per(B, "1.0", "LP-FT - random"); per(B, "0.1", "LP-FT - random")
        printf "LP-FT - SSL Adam over the six (not independent: n counts pairs): %s\n", mean_ci(a, n)
        printf "the rule %s\n", (mean(a, n) > 0.01 ? "goes on to fresh seeds" : "stops here: LP-FT does not " \
          "lead SSL with Adam by more than 0.01 over the six")}' ;;
  *) echo "usage: $0 drift [cells...]|screen|screentable|lpft|lpfttable" >&2; exit 2 ;;
esac
