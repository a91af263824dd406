#!/usr/bin/env bash
# Issue 12: the SR-layer on vs off at 128 px, where ResNet-18's last feature map is 4x4 (at 64 px it is 2x2).
# ResNet-18 BYOL pretrained on the server pool of the NIH sample split by patient server 30% / clients 40% /
# val 10% / test 20% (the split of docs/results/ssl-recipe-nih-sample.md, at 128 px), EPOCHS epochs at the pretrain
# defaults except sr_layer, pretraining seeds SEEDS; each encoder scored by the linear probe (frozen encoder, fit on
# the client pool, mean AUC on the VALIDATION split), beside random encoders of the same seeds. Nothing here reads
# the test split.
# Usage: docs/results/sr-layer-ablation.sh [run|table]  (default: both). EPOCHS=20 SEEDS="1 2" by default;
# ARMS (default "spectral-residual none") picks which pretrainings `run` makes, e.g. one arm of one seed per session.
# Rerun to continue: finished runs are kept, a pretraining stopped after a checkpoint resumes from it.
set -euo pipefail
cd "$(dirname "$0")/../.."
source docs/results/auc.sh
OUT=${OUT:-runs/sr-ablation}
IN=runs/shared128/ingest
EPOCHS=${EPOCHS:-20}
read -r -a SEEDS <<< "${SEEDS:-1 2}"
read -r -a ARMS <<< "${ARMS:-spectral-residual none}"
export FEDCXR_SUBMIT_ARGS=${FEDCXR_SUBMIT_ARGS:-"--conf spark.task.cpus=2"}  # one training, both libtorch threads
mkdir -p "$OUT"

probe() { # name seed encoder
  [ -f "$OUT/probe-$1-s$2/_SUCCESS" ] || bin/fedcxr probe --set input=$IN --set encoder="$3" --set seed="$2" \
    --set architecture=resnet18 --set eval_split=val --set output="$OUT/probe-$1-s$2" > "$OUT/probe-$1-s$2.log" 2>&1
}
run() {
  [ -f "$IN/_SUCCESS" ] || bin/fedcxr ingest --set dataset=nih-cxr14-shared --set output=$IN --set image_size=128 \
    --set split.server=0.3 --set split.client=0.4 --set split.val=0.1 --set split.test=0.2 > "$OUT/ingest.log" 2>&1
  local s sr
  for s in "${SEEDS[@]}"; do
    for sr in "${ARMS[@]}"; do
      local dir="$OUT/pretrain-$sr-e$EPOCHS-s$s" resume=()
      [ -d "$dir/rounds" ] && resume=(--resume)  # a run stopped after a checkpoint continues from it
      [ -f "$dir/_SUCCESS" ] || bin/fedcxr pretrain ${resume[@]+"${resume[@]}"} --set input=$IN --set seed="$s" \
        --set sr_layer=$sr --set epochs="$EPOCHS" --set output="$dir" >> "$dir.log" 2>&1
      probe "$sr-e$EPOCHS" "$s" "$dir/encoder.safetensors"
    done
    probe random "$s" random
  done
}
table() {
  echo "| encoder (ResNet-18, 128 px; linear probe, mean val AUC) | $(printf 'seed %s | ' "${SEEDS[@]}")mean |"
  echo "|---|$(printf -- '---|%.0s' "${SEEDS[@]}")---|"
  local name label s vals
  for name in spectral-residual-e$EPOCHS none-e$EPOCHS random; do
    case $name in
      spectral-residual*) label="BYOL + SR-layer, $EPOCHS epochs" ;;
      none*) label="BYOL without SR-layer, $EPOCHS epochs" ;;
      *) label="random encoder" ;;
    esac
    vals=()
    for s in "${SEEDS[@]}"; do
      vals+=("$( [ -f "$OUT/probe-$name-s$s/_SUMMARY.json" ] && auc "$OUT/probe-$name-s$s" || echo -)")
    done
    echo "| $label | $(printf '%s | ' "${vals[@]}")$(printf '%s\n' "${vals[@]}" | awk '$1 != "-" {s += $1; n++}
      END {if (n) printf "%.4f", s / n; else printf "-"}') |"
  done
  echo
  echo "final pretraining loss (epoch $EPOCHS), minutes of pretraining:"
  for name in spectral-residual none; do
    for s in "${SEEDS[@]}"; do
      local dir="$OUT/pretrain-$name-e$EPOCHS-s$s"
      [ -f "$dir/_SUCCESS" ] && echo "$name seed $s: $(awk -F, -v e="$EPOCHS" '$1 == e {print $2}' "$dir/losses.csv")," \
        "$(grep -m1 '"seconds"' "$dir/_SUMMARY.json" | tr -dc '0-9.' | awk '{printf "%.0f", $1 / 60}') min"
    done
  done
  echo
  echo "SR-layer on - off, paired by seed:"
  for s in "${SEEDS[@]}"; do
    local on="$OUT/probe-spectral-residual-e$EPOCHS-s$s" off="$OUT/probe-none-e$EPOCHS-s$s"
    [ -f "$on/_SUMMARY.json" ] && [ -f "$off/_SUMMARY.json" ] && \
      echo "seed $s: $(awk -v a="$(auc "$on")" -v b="$(auc "$off")" 'BEGIN {printf "%+.4f", a - b}')"
  done
}
case "${1:-all}" in
  run) run ;;
  table) table ;;
  all) run; table ;;
  *) echo "usage: $0 [run|table]" >&2; exit 2 ;;
esac
