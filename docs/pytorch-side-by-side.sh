#!/usr/bin/env bash
# fedcxr's bench suites and PyTorch's (docs/pytorch-reference.py) side by side on this machine, one after another in
# one run, for docs/benchmarks.md ("Side by side with PyTorch").
# Usage: PYTHON=/work/torchenv/bin/python OUT=runs/pytorch-side docs/pytorch-side-by-side.sh run [train|pretrain]...
#        OUT=runs/pytorch-side docs/pytorch-side-by-side.sh table
# run: for each suite (default: train pretrain) three kinds in the order F P L L P F, each writing $OUT/<suite>-<kind><n>.log:
#   F fedcxr (`bin/fedcxr bench`, the launcher's defaults: libtorch's kernels capped at AVX2, the tuned allocator),
#   P PyTorch as installed (its widest kernels, glibc's allocator),
#   L PyTorch under the launcher's environment (the same AVX2 cap and allocator variables as F).
# Steps: train 20 (issue 13's command), pretrain 6 (the earlier pretrain runs'); STEPS overrides both.
# table: per suite and case, images/s of each run, the ratios fedcxr / PyTorch within each pair (F1 with P1 and L1,
# F2 with P2 and L2) and pooled (sum of fedcxr's images/s over the sum of PyTorch's), and each side's share of its own
# run's matmul (PyTorch's FLOPs per image taken from fedcxr's output for the same case).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-runs/pytorch-side}
PYTHON=${PYTHON:-python3}

launcher_env() { # the variables bin/fedcxr exports for libtorch (its defaults)
  env DNNL_MAX_CPU_ISA=AVX2 MKL_ENABLE_INSTRUCTIONS=AVX2 MALLOC_ARENA_MAX=1 MALLOC_MMAP_THRESHOLD_=268435456 \
    MALLOC_TRIM_THRESHOLD_=4294967296 MALLOC_TOP_PAD_=67108864 "$@"
}

one() { # suite kind n
  local suite=$1 kind=$2 n=$3 steps
  steps=${STEPS:-$([ "$suite" = train ] && echo 20 || echo 6)}
  local log="$OUT/$suite-$kind$n.log"
  echo "$(date -u +%H:%M:%S) $suite $kind$n" >&2
  case $kind in
    F) bin/fedcxr bench --set suite="$suite" --set train_steps="$steps" --set output="$OUT/fedcxr-$suite-$n" > "$log" 2>&1 ;;
    P) "$PYTHON" docs/pytorch-reference.py "$suite" --steps "$steps" > "$log" 2>&1 ;;
    L) launcher_env "$PYTHON" docs/pytorch-reference.py "$suite" --steps "$steps" > "$log" 2>&1 ;;
  esac
}

run() {
  mkdir -p "$OUT"
  "$PYTHON" -c 'import torch' || { echo "no PyTorch for $PYTHON (see docs/pytorch-reference.py)" >&2; exit 2; }
  local suites=("$@")
  [ ${#suites[@]} -gt 0 ] || suites=(train pretrain)
  for suite in "${suites[@]}"; do
    one "$suite" F 1; one "$suite" P 1; one "$suite" L 1; one "$suite" L 2; one "$suite" P 2; one "$suite" F 2
  done
}

table() {
  local suite
  for suite in train pretrain; do
    ls "$OUT/$suite-F1.log" > /dev/null 2>&1 || continue
    echo "== $suite (images/s; fedcxr / PyTorch per pair and pooled; share of the run's own matmul)"
    printf "%-30s %8s %8s %8s %8s %8s %8s   %-11s   %-11s   %6s %6s   %s\n" case F1 F2 P1 P2 L1 L2 "F/P pairs" \
      "F/L pairs" F/P F/L "share F / P / L"
    for f in "$OUT/$suite"-[FPL][12].log; do
      awk -v run="$(basename "$f" .log | sed "s/^$suite-//")" \
        '$1 == "bench" || $1 == "pytorch" { print run, $3, $NF }' "$f"
    done | awk '
      { v[$1, $2] = $3; keys[$2] = 1 }
      END {
        m = "matmul_2048_gflop_per_s"
        for (k in keys) {
          if (k !~ /_img_per_s$/ || k ~ /libtorch_updates/ || !(("P1", k) in v)) continue
          c = k; sub(/_img_per_s$/, "", c)
          gpi = (("F1", c "_gflop_per_img") in v) ? v["F1", c "_gflop_per_img"] \
            : v["F1", c "_gflop_per_s"] / v["F1", k]
          f = v["F1", k] + v["F2", k]; p = v["P1", k] + v["P2", k]; l = v["L1", k] + v["L2", k]
          printf "%-30s %8.1f %8.1f %8.1f %8.1f %8.1f %8.1f   %5.2f %5.2f   %5.2f %5.2f   %6.2f %6.2f   %.2f / %.2f / %.2f\n", c,
            v["F1", k], v["F2", k], v["P1", k], v["P2", k], v["L1", k], v["L2", k],
            v["F1", k] / v["P1", k], v["F2", k] / v["P2", k], v["F1", k] / v["L1", k], v["F2", k] / v["L2", k],
            f / p, f / l,
            gpi * f / (v["F1", m] + v["F2", m]), gpi * p / (v["P1", m] + v["P2", m]), gpi * l / (v["L1", m] + v["L2", m])
        }
        printf "~matmul_2048_gflop_per_s      %8.1f %8.1f %8.1f %8.1f %8.1f %8.1f\n", v["F1", m], v["F2", m],
          v["P1", m], v["P2", m], v["L1", m], v["L2", m]
      }' | sort -k1,1 | sed 's/^~//'
  done
}

case "${1:-}" in
  run) shift; run "$@" ;;
  table) table ;;
  *) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
