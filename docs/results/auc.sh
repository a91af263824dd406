# Sourced by the scripts here (after they cd to the repository): `auc DIR` prints the mean AUC in a run directory's
# summary, to four decimals and a newline: a federate run's final evaluation, or a probe's result.
auc() {
  grep -o '"mean_auc" : [0-9.]*' "$1/_SUMMARY.json" | tail -1 | awk '{printf "%.4f\n", $3}'
}
