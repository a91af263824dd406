#!/usr/bin/env bash
# Where a running fedcxr JVM's CPU time goes, natively: samples its threads with `perf record` (call chains) for
# SECONDS and sorts each sample by the code it was in (libtorch's OpenMP pool, oneDNN's generated convolution
# kernels, BatchNorm, pooling, other libtorch ops, the kernel, libc, the JVM). Linux perf must be installed and
# allowed to sample the process (as root, or kernel.perf_event_paranoid <= 1).
# Usage: docs/profile-native.sh [SECONDS [PID]]   (defaults: 60 s, the SparkSubmit JVM of a local-mode job)
#        docs/profile-native.sh report FILE        (the table again, from a recording)
# The table's rows, per torch thread and over all samples, are shares of the samples; docs/benchmarks.md reads them.
set -euo pipefail
table() { # perf.data
  perf script -i "$1" -F tid,ip,sym,dso 2>/dev/null | awk '
    function kind(   i, chain) {
      for (i = 1; i <= n; i++) chain = chain " " sym[i]
      if (dso[1] ~ /libgomp/) return "OpenMP pool: waiting at barriers or for work"
      if (dso[1] ~ /perf-[0-9]+\.map|\[unknown\]|\[JIT\]/)
        return chain ~ /dnnl/ ? "convolutions: oneDNN generated kernels" \
          : "generated code, caller unknown (oneDNN kernels or JVM JIT)"
      if (dso[1] ~ /kernel/) return "kernel: page faults, interrupts, scheduling"
      if (sym[1] ~ /dnnl|gemm|mkl|im2col|col2im/) return "convolutions: oneDNN and BLAS, compiled code"
      if (sym[1] ~ /batch_norm/) return "BatchNorm"
      if (sym[1] ~ /max_pool/) return "max pooling"
      if (dso[1] ~ /libc\.so/) return "libc: malloc, free, memset, memcpy"
      if (dso[1] ~ /libjvm/) return "JVM: GC, compilers, runtime"
      if (dso[1] ~ /libtorch|libc10/) return "libtorch: other ops (element-wise, copies, autograd)"
      return "other"
    }
    function flush() { if (n) { k = kind(); all[k]++; byTid[tid, k]++; tids[tid]++; total++ }; n = 0 }
    /^ *[0-9]+ *$/ { flush(); tid = $1; next }   # perf pads a short thread id with spaces
    /^[ \t]+[0-9a-f]+ / {
      line = $0; sub(/^[ \t]+[0-9a-f]+ /, "", line)
      d = line; sub(/.*\(/, "", d); sub(/\)$/, "", d); s = line; sub(/ \([^(]*\)$/, "", s)
      n++; sym[n] = s; dso[n] = d; next }
    /^$/ { flush() }
    END { flush()
      for (t in tids) if (tids[t] > 0.2 * total) top[t]
      printf "| where | all samples |"; for (t in top) printf " thread %s |", t; print ""
      printf "|---|---|"; for (t in top) printf "---|"; print ""
      sorter = "sort -t\"|\" -k3 -rn"
      for (k in all) { line = sprintf("| %s | %.1f%% |", k, 100 * all[k] / total)
        for (t in top) line = line sprintf(" %.1f%% |", 100 * byTid[t, k] / tids[t]); print line | sorter }
      close(sorter)
      printf "| samples | %d |", total; for (t in top) printf " %d |", tids[t]; print "" }'
}
if [ "${1:-}" = report ]; then table "$2"; exit; fi
SECONDS_=${1:-60}
PID=${2:-$(jps 2>/dev/null | awk '/SparkSubmit/ {print $1; exit}')}
[ -n "$PID" ] || { echo "no SparkSubmit JVM running: start a job, or give its PID" >&2; exit 2; }
OUT=${OUT:-runs/profile-native-$(date -u +%Y%m%dT%H%M%S).data}
mkdir -p "$(dirname "$OUT")"
timeout "$SECONDS_" perf record -F 199 -g -p "$PID" -o "$OUT" > /dev/null 2>&1 || true
echo "recording: $OUT"
table "$OUT"
