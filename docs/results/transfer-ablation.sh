#!/usr/bin/env bash
# Issue 12's recipe ablation, every choice scored on the VALIDATION split (never the test split): ResNet-18 at 64 px
# on the NIH sample split by patient server 30% / clients 40% / val 10% / test 20% (val carved from the client
# pool's range: server pool and test set are those of the independent implementation's 30/50/20 split), 10 non-IID
# clients, 15 rounds x 1 local epoch, FedAvg, 3 seeds (partition and federate seeds 42, 43, 44).
#   core:     random vs SSL init, each with fedcxr's recipe (augmentation, weight decay 1e-4, clip 5, cosine per
#             round) and the independent implementation's (none of those: constant Adam 1e-3);
#   transfer: SSL init on the recipe BASE (indep or fedcxr) with encoder lr 0.1x, frozen BatchNorm statistics,
#             2 head rounds (linear probe, then fine-tune), each alone and all three together.
# Linear probes (frozen encoder, fit on the client pool, scored on val): the SSL encoder vs random encoders (5 seeds).
# Usage: docs/results/transfer-ablation.sh [core|transfer|probe|table]  (default: all). Parts can run side by side;
# FEDCXR_SUBMIT_ARGS="--conf spark.executor.cores=1" gives each a single libtorch thread.
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-runs/ablation}
IN=runs/shared64/ingest
ENC=${ENC:-runs/shared64/pretrain-e40/encoder.safetensors}
read -r -a SEEDS <<< "${SEEDS:-42 43 44}"  # e.g. SEEDS=42 for a one-seed screen
INDEPENDENT=(--set augment=false --set weight_decay=0 --set clip_norm=0 --set schedule=constant)
mkdir -p "$OUT"

ingest() {
  [ -f "$IN/_SUCCESS" ] || bin/fedcxr ingest --set dataset=nih-cxr14-shared --set output=$IN --set image_size=64 \
    --set split.server=0.3 --set split.client=0.4 --set split.val=0.1 --set split.test=0.2 > "$OUT/ingest.log" 2>&1
  [ -f "runs/shared64/pretrain-e40/_SUCCESS" ] || [ "${1:-}" != ssl ] || bin/fedcxr pretrain --set input=$IN \
    --set output=runs/shared64/pretrain-e40 --set epochs=40 > "$OUT/pretrain.log" 2>&1
}
partition() { # seed
  [ -f "$OUT/partition-s$1/_SUCCESS" ] || bin/fedcxr partition --set input=$IN --set output="$OUT/partition-s$1" \
    --set seed="$1" > "$OUT/partition-s$1.log" 2>&1
}
cell() { # name seed init extra-args...
  local name=$1 seed=$2 init=$3; shift 3
  partition "$seed"
  [ -f "$OUT/$name-s$seed/_SUCCESS" ] || bin/fedcxr federate --set input="$OUT/partition-s$seed" --set test=$IN \
    --set eval_split=val --set output="$OUT/$name-s$seed" --set seed="$seed" --set init="$init" --set rounds=15 \
    --set eval_every=15 "$@" > "$OUT/$name-s$seed.log" 2>&1
}
probe() { # name seed encoder
  [ -f "$OUT/probe-$1-s$2/_SUCCESS" ] || bin/fedcxr probe --set input=$IN --set encoder="$3" --set seed="$2" \
    --set architecture=resnet18 --set eval_split=val --set output="$OUT/probe-$1-s$2" > "$OUT/probe-$1-s$2.log" 2>&1
}

core_cells() { # the two recipes, random vs SSL init, seed by seed
  for s in "${SEEDS[@]}"; do
    cell random-indep "$s" random "${INDEPENDENT[@]}"
    cell ssl-indep "$s" "ssl:$ENC" "${INDEPENDENT[@]}"
    cell random-fedcxr "$s" random
    cell ssl-fedcxr "$s" "ssl:$ENC"
  done
}
transfer_cells() { # the transfer options, each alone and together, on the recipe in $BASE (indep or fedcxr)
  local base=() b=${BASE:-indep}
  [ "$b" = indep ] && base=("${INDEPENDENT[@]}")
  for s in "${SEEDS[@]}"; do
    cell "ssl-$b-all" "$s" "ssl:$ENC" "${base[@]}" --set transfer.encoder_lr_scale=0.1 \
      --set transfer.frozen_bn=true --set transfer.head_rounds=2
    cell "ssl-$b-fbn" "$s" "ssl:$ENC" "${base[@]}" --set transfer.frozen_bn=true
    cell "ssl-$b-head2" "$s" "ssl:$ENC" "${base[@]}" --set transfer.head_rounds=2
    cell "ssl-$b-lr01" "$s" "ssl:$ENC" "${base[@]}" --set transfer.encoder_lr_scale=0.1
  done
}
probes() {
  probe ssl 42 "$ENC"
  for s in 1 2 3 4 5; do probe random "$s" random; done
}

auc() { # run directory -> mean AUC of its summary's final evaluation (federate) or results (probe)
  grep -o '"mean_auc" : [0-9.]*' "$1/_SUMMARY.json" | tail -1 | awk '{printf "%.4f", $3}'
}
row() { # label name
  local vals=() s
  for s in "${SEEDS[@]}"; do vals+=("$( [ -f "$OUT/$2-s$s/_SUMMARY.json" ] && auc "$OUT/$2-s$s" || echo -)"); done
  echo "| $1 | ${vals[0]} | ${vals[1]} | ${vals[2]} | $(printf '%s\n' "${vals[@]}" | awk '$1 != "-" {s += $1; q += $1 * $1;
    n++} END {if (n > 1) {m = s / n; printf "%.4f ± %.4f", m, sqrt((q - n * m * m) / (n - 1))}
    else if (n) printf "%.4f (1 seed)", s}') |"
}
table() {
  echo "| federated, non-IID, all client data; mean val AUC (diseases defined in val) | seed 42 | 43 | 44 | mean ± sd |"
  echo "|---|---|---|---|---|"
  row "random init, fedcxr recipe (augment, wd 1e-4, clip 5, cosine)" random-fedcxr
  row "random init, independent recipe (none of those)" random-indep
  row "SSL init, fedcxr recipe" ssl-fedcxr
  row "SSL init, independent recipe" ssl-indep
  local b
  for b in indep fedcxr; do
    [ -d "$OUT/ssl-$b-lr01-s42" ] || continue
    row "SSL, $b recipe + encoder lr 0.1x" "ssl-$b-lr01"
    row "SSL, $b recipe + frozen BatchNorm statistics" "ssl-$b-fbn"
    row "SSL, $b recipe + 2 head rounds, then all" "ssl-$b-head2"
    row "SSL, $b recipe + all three" "ssl-$b-all"
  done
  echo
  echo "| linear probe (frozen encoder, fit on clients, mean val AUC) | value |"
  echo "|---|---|"
  [ -f "$OUT/probe-ssl-s42/_SUMMARY.json" ] && echo "| SSL encoder | $(auc "$OUT/probe-ssl-s42") |"
  local r=() s
  for s in 1 2 3 4 5; do [ -f "$OUT/probe-random-s$s/_SUMMARY.json" ] && r+=("$(auc "$OUT/probe-random-s$s")"); done
  [ ${#r[@]} -gt 0 ] && echo "| random encoders (seeds 1-5) | ${r[*]} |"
  return 0
}

case "${1:-all}" in
  core) ingest ssl; core_cells ;;
  transfer) ingest ssl; transfer_cells ;;
  probe) ingest ssl; probes ;;
  table) table ;;
  all) ingest ssl; probes; core_cells; transfer_cells; table ;;
esac
