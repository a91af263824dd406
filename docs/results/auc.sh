# Sourced by the scripts here (after they cd to the repository): `auc DIR [FORMAT]` prints the mean AUC in a run
# directory's summary (printf FORMAT, default four decimals) and a newline: a federate run's final evaluation, an
# evaluate run's, or a probe's result.
auc() {
  grep -o '"mean_auc" : [0-9.]*' "$1/_SUMMARY.json" | tail -1 | awk -v f="${2:-%.4f}" '{printf f "\n", $3}'
}
# `cellauc DIR`: the same for a finished run (its _SUCCESS written), else "missing".
cellauc() { [ -f "$1/_SUCCESS" ] && auc "$1" || echo missing; }
# Awk functions for the scripts' intervals; put before a program: awk "$T_AWK"'...'. t975(df): Student's t at 0.975
# (df 1-30; 1.96 beyond). mean(d, n): the mean of d[1..n]. half(d, n): the half-width of the paired 95% t interval of
# that mean (0 for n < 2). mean_ci(d, n): "mean M [LO, HI] over N seeds", the mean and that interval, four decimals.
T_AWK='function t975(df,   t) {split("12.706 4.303 3.182 2.776 2.571 2.447 2.365 2.306 2.262 2.228 2.201 2.179 " \
"2.160 2.145 2.131 2.120 2.110 2.101 2.093 2.086 2.080 2.074 2.069 2.064 2.060 2.056 2.052 2.048 2.045 2.042", t, " ")
  return df > 30 ? 1.96 : t[df]}
function mean(d, n,   i, m) {m = 0; for (i = 1; i <= n; i++) m += d[i]; return m / n}
function half(d, n,   i, m, q) {if (n < 2) return 0; m = mean(d, n)
  for (i = 1; i <= n; i++) q += (d[i] - m) ^ 2; return t975(n - 1) * sqrt(q / (n - 1) / n)}
function mean_ci(d, n,   m, h) {m = mean(d, n); h = half(d, n)
  return sprintf("mean %+.4f [%+.4f, %+.4f] over %d seeds", m, m - h, m + h, n)}
'
# Round-15 mean val AUC of the forty-first measurement's published cells (the split, all the images and 10%,
# seeds 42-44), which later measurements compare against: "share seed random-init recipe-encoder-SSL" per cell.
PUBLISHED_CELLS="1.0 42 0.6730 0.6791  1.0 43 0.6585 0.6957  1.0 44 0.7088 0.6777  \
0.1 42 0.5944 0.5951  0.1 43 0.5810 0.5817  0.1 44 0.6217 0.6034"
