#!/usr/bin/env bash
# fedcxr's bench suites and PyTorch's (docs/pytorch-reference.py) side by side on this machine, one after another in
# one run, for docs/benchmarks.md ("Side by side with PyTorch").
# Usage: PYTHON=/work/torchenv/bin/python OUT=runs/pytorch-side docs/pytorch-side-by-side.sh run [train|pretrain]...
#        OUT=runs/pytorch-side docs/pytorch-side-by-side.sh table
# run: for each suite (default: train pretrain) the runs of ORDER (default "F1 P1 L1 L2 P2 F2": each kind once early and
# once late), each writing $OUT/<suite>-<kind><n>.log, of the kinds
#   F fedcxr (`bin/fedcxr bench`, the launcher's defaults: libtorch's kernels capped at AVX2, the tuned allocator),
#   N fedcxr with FEDCXR_CPU_ISA=native (each kernel at the CPU's widest instructions, here AVX-512),
#   W as N with OMP_WAIT_POLICY=ACTIVE (libtorch's OpenMP threads spin at barriers instead of sleeping),
#   P PyTorch as installed (its widest kernels, glibc's allocator),
#   L PyTorch under the launcher's environment (the same AVX2 cap and allocator variables as F),
#   T PyTorch with the launcher's allocator variables only (its widest kernels, as N).
# Steps: train 20 (issue 13's command), pretrain 6 (the earlier pretrain runs'); STEPS overrides both.
# table: per suite and case, images/s of each run, the ratios of each fedcxr kind to each PyTorch kind (and N to F,
# W to N) within each pair (run 1 with run 1, 2 with 2) and pooled (sum over sum), and each kind's share of its own
# runs' matmul (PyTorch's FLOPs per image taken from fedcxr's output for the same case).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-runs/pytorch-side}
PYTHON=${PYTHON:-python3}

allocator_env() { # the allocator variables bin/fedcxr exports (FEDCXR_MALLOC=tuned, its default)
  env MALLOC_ARENA_MAX=1 MALLOC_MMAP_THRESHOLD_=268435456 MALLOC_TRIM_THRESHOLD_=4294967296 \
    MALLOC_TOP_PAD_=67108864 "$@"
}

launcher_env() { # everything bin/fedcxr exports for libtorch at its defaults: the AVX2 cap and the allocator
  allocator_env DNNL_MAX_CPU_ISA=AVX2 MKL_ENABLE_INSTRUCTIONS=AVX2 "$@"
}

one() { # suite kind n
  local suite=$1 kind=$2 n=$3 steps
  steps=${STEPS:-$([ "$suite" = train ] && echo 20 || echo 6)}
  local log="$OUT/$suite-$kind$n.log"
  echo "$(date -u +%H:%M:%S) $suite $kind$n" >&2
  case $kind in
    N) FEDCXR_CPU_ISA=native bin/fedcxr bench --set suite="$suite" --set train_steps="$steps" \
         --set output="$OUT/fedcxr-native-$suite-$n" > "$log" 2>&1 ;;
    W) OMP_WAIT_POLICY=ACTIVE FEDCXR_CPU_ISA=native bin/fedcxr bench --set suite="$suite" --set train_steps="$steps" \
         --set output="$OUT/fedcxr-active-$suite-$n" > "$log" 2>&1 ;;
    F) bin/fedcxr bench --set suite="$suite" --set train_steps="$steps" --set output="$OUT/fedcxr-$suite-$n" \
         > "$log" 2>&1 ;;
    P) "$PYTHON" docs/pytorch-reference.py "$suite" --steps "$steps" > "$log" 2>&1 ;;
    L) launcher_env "$PYTHON" docs/pytorch-reference.py "$suite" --steps "$steps" > "$log" 2>&1 ;;
    T) allocator_env "$PYTHON" docs/pytorch-reference.py "$suite" --steps "$steps" > "$log" 2>&1 ;;
    *) echo "ORDER: unknown kind '$kind' in '$kind$n' (kinds: F N W P L T)" >&2; exit 2 ;;
  esac
}

run() {
  mkdir -p "$OUT"
  local suites=("$@") order=(${ORDER:-F1 P1 L1 L2 P2 F2}) r
  [ ${#suites[@]} -gt 0 ] || suites=(train pretrain)
  if [[ "${order[*]}" == *[PLT]* ]]; then
    "$PYTHON" -c 'import torch' || { echo "no PyTorch for $PYTHON (see docs/pytorch-reference.py)" >&2; exit 2; }
  fi
  for suite in "${suites[@]}"; do
    for r in "${order[@]}"; do one "$suite" "${r:0:1}" "${r:1}"; done
  done
}

table() {
  local suite
  for suite in train pretrain; do
    ls "$OUT/$suite"-[FNWPLT]1.log > /dev/null 2>&1 || continue
    echo "== $suite: images/s per run; ratios within each pair (run 1 with run 1, 2 with 2) and pooled (sums);"
    echo "   share of the same runs' 2048 matmul (PyTorch's FLOPs per image: fedcxr's for the case)"
    for f in "$OUT/$suite"-[FNWPLT][12].log; do
      awk -v run="$(basename "$f" .log | sed "s/^$suite-//")" \
        '$1 == "bench" || $1 == "pytorch" { print run, $3, $NF }' "$f"
    done | awk '
      { v[$1, $2] = $3; keys[$2] = 1; kind[substr($1, 1, 1)] = 1 }
      END {
        m = "matmul_2048_gflop_per_s"; nk = split("F N W P L T", order, " ")
        for (i = 1; i <= nk; i++) if (order[i] in kind) used[++nu] = order[i]
        for (i = 1; i <= nu; i++) for (j = 1; j <= nu; j++)  # fedcxr over PyTorch, uncapped over capped, W over N
          if (used[i] ~ /[FNW]/ && used[j] ~ /[PLT]/ || used[i] "/" used[j] ~ /^(N\/F|W\/N)$/)
            pair[++np] = used[i] "/" used[j]
        line = sprintf("0 %-26s", "case")
        for (i = 1; i <= nu; i++) line = line sprintf(" %7s %7s", used[i] "1", used[i] "2")
        for (i = 1; i <= np; i++) line = line sprintf("   %-17s", pair[i] " 1, 2, pooled")
        line = line "   share"; for (i = 1; i <= nu; i++) line = line " " used[i]; print line
        for (k in keys) {
          if (k !~ /_img_per_s$/ || k ~ /libtorch_updates/) continue
          c = k; sub(/_img_per_s$/, "", c); fk = (("F1", k) in v) ? "F" : (("N1", k) in v) ? "N" : "W"
          gpi = ((fk "1", c "_gflop_per_img") in v) ? v[fk "1", c "_gflop_per_img"] \
            : v[fk "1", c "_gflop_per_s"] / v[fk "1", k]
          line = sprintf("1 %-26s", c)
          for (i = 1; i <= nu; i++) line = line sprintf(" %7.1f %7.1f", v[used[i] "1", k], v[used[i] "2", k])
          for (i = 1; i <= np; i++) { a = substr(pair[i], 1, 1); b = substr(pair[i], 3, 1)
            line = line sprintf("   %5.2f %5.2f %5.2f", v[a "1", k] / v[b "1", k], v[a "2", k] / v[b "2", k],
              (v[a "1", k] + v[a "2", k]) / (v[b "1", k] + v[b "2", k])) }
          line = line "  "
          for (i = 1; i <= nu; i++) { a = used[i]
            line = line sprintf(" %.2f", gpi * (v[a "1", k] + v[a "2", k]) / (v[a "1", m] + v[a "2", m])) }
          print line
        }
        line = sprintf("2 %-26s", "matmul 2048, GFLOP/s")
        for (i = 1; i <= nu; i++) line = line sprintf(" %7.1f %7.1f", v[used[i] "1", m], v[used[i] "2", m])
        print line
      }' | LC_ALL=C sort -k1,1 -k2,2 | cut -c3-
  done
}

case "${1:-}" in
  run) shift; run "$@" ;;
  table) table ;;
  *) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
