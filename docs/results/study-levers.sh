#!/usr/bin/env bash
# Two levers on the study's claim 1 (non-IID, all data: SSL init beats random), fixed before their results
# (2026-11-26), each a full study beside the published one (docs/results/study-nih-sample-2026-11-26.md):
#   small  - the small encoder (0.9 M parameters) as the federated model, whose SSL features beat random ones in the
#            linear probes; the whole default grid otherwise (30 pretraining epochs, 5 rounds, 3 seeds).
#   lr1e-4 - ResNet-18 with a 10x lower client learning rate (1e-4), so fine-tuning keeps more of the pretrained
#            features; non-IID with all data only, from the published study's encoder (no second pretraining).
# Added after those two (2026-11-26, before its run), for the next lever their reading pointed to:
#   small-r30 - the small encoder trained for 30 rounds instead of 5, from the `small` study's encoder; non-IID
#               with all data only.
# Needs runs/shared/ingest and runs/study (the published study). Prints a Markdown table.
# Made with the pretraining of commit 2259119 (constant learning rate and τ, Adam restarted every epoch, projector
# width 512); today's pretraining differs (docs/ssl.md), so reproduce these tables from that commit
# (git worktree add ../fedcxr-2259119 2259119) rather than from HEAD.
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-runs/levers}
IN=runs/shared/ingest
mkdir -p "$OUT"

study() { # name settings...
  local name=$1; shift
  local resume=()
  [ -f "$OUT/$name/study-spec.json" ] && resume=(--resume)
  [ -f "$OUT/$name/_SUCCESS" ] || bin/fedcxr study "${resume[@]}" --set input=$IN --set output="$OUT/$name" "$@" \
    > "$OUT/$name.log" 2>&1
}
study small --set architecture=small
study lr1e-4 --set encoder=runs/study/pretrain/encoder.safetensors --set learning_rate=1e-4 --set fractions=none \
  --set iid_reference=false
study small-r30 --set architecture=small --set rounds=30 --set encoder="$OUT/small/pretrain/encoder.safetensors" \
  --set fractions=none --set iid_reference=false

row() { # label report-dir
  local mean claim
  mean=$(grep '^Mean,' "$2/per_disease.csv")
  claim=$(grep '^1,' "$2/claims.csv")
  echo "| $1 | $(echo "$mean" | cut -d, -f2) ± $(echo "$mean" | cut -d, -f3) | $(echo "$mean" | cut -d, -f4) ± \
$(echo "$mean" | cut -d, -f5) | $(echo "$claim" | cut -d, -f3) [$(echo "$claim" | cut -d, -f4), \
$(echo "$claim" | cut -d, -f5)] | $(echo "$claim" | cut -d, -f2) |"
}
echo "| study (non-IID, all data, 3 seeds) | random init | SSL init | SSL − random, 95% CI | claim 1 |"
echo "|---|---|---|---|---|"
row "published: ResNet-18, lr 1e-3" runs/study/report
row "small encoder, lr 1e-3" "$OUT/small/report"
row "ResNet-18, lr 1e-4" "$OUT/lr1e-4/report"
row "small encoder, 30 rounds" "$OUT/small-r30/report"
