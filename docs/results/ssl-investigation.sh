#!/usr/bin/env bash
# Why does the SSL encoder not beat a random one on the NIH sample? Linear probes of the small encoder (128 px)
# after pretraining variants: the SR-layer off, milder augmentations, 3x longer pretraining, 2.7x more unlabelled
# images; two pretraining seeds each, and random encoders as the baseline. Needs runs/shared/ingest
# (docs/results/probe-nih-sample.md). Prints a Markdown table; about 40 minutes on 2 cores.
# Made with the pretraining of commit 2259119 (constant learning rate and τ, Adam restarted every epoch, projector
# width 512); today's pretraining differs (docs/ssl.md), so reproduce these tables from that commit
# (git worktree add ../fedcxr-2259119 2259119) rather than from HEAD.
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-runs/investigation}
IN=runs/shared/ingest
COMMON=(--set input=$IN --set architecture=small --set method=byol)
MILD=(--set aug.min_scale=0.7 --set aug.rotate_p=0.3 --set aug.color_p=0.5 --set aug.blur_p=0 --set aug.noise_p=0
      --set aug.edge_p=0)

pretrain() { # name seed extra-args...
  local name=$1 seed=$2; shift 2
  [ -f "$OUT/$name-s$seed/_SUCCESS" ] || bin/fedcxr pretrain "${COMMON[@]}" --set seed="$seed" \
    --set output="$OUT/$name-s$seed" "$@" > "$OUT/$name-s$seed.log" 2>&1
}
probe() { # name seed encoder
  [ -f "$OUT/probe-$1-s$2/_SUCCESS" ] || bin/fedcxr probe --set input=$IN --set encoder="$3" --set seed="$2" \
    --set architecture=small --set output="$OUT/probe-$1-s$2" > "$OUT/probe-$1-s$2.log" 2>&1
}
mkdir -p "$OUT"
for s in 1 2; do
  probe random "$s" random
  pretrain sr30 "$s" --set epochs=30 --set sr_layer=spectral-residual
  probe sr30 "$s" "$OUT/sr30-s$s/encoder.safetensors"
  pretrain nosr30 "$s" --set epochs=30 --set sr_layer=none
  probe nosr30 "$s" "$OUT/nosr30-s$s/encoder.safetensors"
  pretrain mild30 "$s" --set epochs=30 --set sr_layer=spectral-residual "${MILD[@]}"
  probe mild30 "$s" "$OUT/mild30-s$s/encoder.safetensors"
  # 90 epochs: the 30-epoch run continued (--resume gives the same weights as an uninterrupted 90-epoch run)
  [ -d "$OUT/sr90-s$s" ] || cp -r "$OUT/sr30-s$s" "$OUT/sr90-s$s"
  [ -f "$OUT/sr90-s$s/encoder.safetensors" ] && grep -q '"epochs" : 90\|epochs=90' "$OUT/sr90-s$s/_SUMMARY.json" \
    || bin/fedcxr pretrain --resume "${COMMON[@]}" --set seed="$s" --set output="$OUT/sr90-s$s" --set epochs=90 \
         --set sr_layer=spectral-residual > "$OUT/sr90-s$s.log" 2>&1
  probe sr90 "$s" "$OUT/sr90-s$s/encoder.safetensors"
  pretrain all30 "$s" --set epochs=30 --set sr_layer=spectral-residual --set split=all
  probe all30 "$s" "$OUT/all30-s$s/encoder.safetensors"
done
for s in 3 4 5; do probe random "$s" random; done  # the baseline's spread
auc() { grep -o '"mean_auc" : [0-9.]*' "$OUT/probe-$1-s$2/_SUMMARY.json" | head -1 | awk '{printf "%.4f", $3}'; }
loss() { tail -n 1 "$OUT/$1-s$2/losses.csv" | cut -d, -f2 | awk '{printf "%.4f", $1}'; }
echo "| encoder (small, 128 px) | probe mean AUC, seed 1 | seed 2 | final pretraining loss, seed 1 | seed 2 |"
echo "|---|---|---|---|---|"
echo "| random (no pretraining) | $(auc random 1) | $(auc random 2) | | |"
echo "| random, seeds 3, 4, 5 | $(auc random 3), $(auc random 4), $(auc random 5) | | | |"
declare -A WHAT=(
  [sr30]="sr30: BYOL + SR-layer, 30 epochs, default augmentations"
  [nosr30]="nosr30: the same without the SR-layer"
  [mild30]="mild30: milder augmentations (crop ≥ 0.7, no blur, noise or edge blend)"
  [sr90]="sr90: sr30 continued to 90 epochs"
  [all30]="all30: sr30 on all 1,995 images (2.7× the data; labels unused, test images included)")
for v in sr30 nosr30 mild30 sr90 all30; do
  echo "| ${WHAT[$v]} | $(auc $v 1) | $(auc $v 2) | $(loss $v 1) | $(loss $v 2) |"
done
