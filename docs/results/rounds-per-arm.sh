#!/usr/bin/env bash
# Issue 12, forty-first and forty-second measurements: the number of federated rounds chosen per initialisation on the
# VALIDATION split (docs/results/ssl-recipe-nih-sample.md). The issue's split at 64 px (runs/shared64/ingest: server
# 30% / clients 40% / val 10% / test 20%), non-IID clients, fedcxr's recipe, ROUNDS rounds (default 15) evaluated
# on val after every round; random initialisation and SSL initialisation from the default 120-epoch pretraining
# (seed 42) on the 511 server images, seeds SEEDS (partition and federate seeds), at each share of SHARES of each
# client's images, over CLIENTS clients (default 10; the forty-seventh: CLIENTS=30 OUT=runs/clients30). With FROM set
# (the forty-second: FROM=runs/rounds ROUNDS=30 OUT=runs/rounds30), a cell is FROM's cell of the same name copied and
# resumed (`federate --resume`) to ROUNDS rounds, on FROM's partitions.
#   cells:  the pretraining (if an arm needs it and it is missing), the partitions and the cells, seed by seed, arm by
#           arm of ARMS (default "random ssl": random init, then SSL init from the default encoder; NAME=ENCODER is
#           SSL init from another encoder, in cells named NAME-f<share>-s<seed>, the forty-ninth's edge-off arms;
#           NAME=random is random init in cells named so; NAME=global:CHECKPOINT starts from a whole model, the
#           fifty-fifth's fine-tuning), each federate also given SETS ("key=value ...", e.g. the
#           fifty-second's head_prior=true), on partitions in PARTS (default FROM, else OUT) (launcher defaults: two
#           libtorch threads; run one process at a time).
#   table:  per share, each arm's mean val AUC after every round (over the seeds whose two cells both reach the last
#           round); each arm's best round on those means; the rule's comparison: for each seed, each arm's round
#           chosen on the OTHER seeds' mean curve (leave one seed out; ties to fewer rounds), SSL - random at those
#           rounds, against SSL - random at round 15 (the standing recipe) and at the last round, each with its
#           paired 95% t interval; each arm's chosen round against its own round 15.
#   versus: SSL init from each encoder of ENCODERS (names; cells $OUT/ssl<name>-f<SHARE>-s<seed>, SHARE one of the
#           shares of auc.sh's PUBLISHED_CELLS, default 1.0) at SEEDS against random initialisation's and
#           the recipe encoder's published round-15 cells at seeds 42-44 (forty-first); per encoder SSL - random
#           (and - the recipe encoder's SSL) averaged over RULE_SEEDS (default SEEDS; other seeds' cells printed
#           outside it), then each difference's paired 95% t interval over the encoders, LABEL naming them (the
#           forty-ninth to fifty-first: edge-off encoders); at SHARE 0.1 also each encoder's loss from all its images
#           (its f1.0 cells) to 10%, the same way, beside the recipe encoder's and random initialisation's published
#           losses; no verdict if a cell of RULE_SEEDS is missing.
# Usage: docs/results/rounds-per-arm.sh cells|table|versus
set -euo pipefail
cd "$(dirname "$0")/../.."
source docs/results/auc.sh
OUT=${OUT:-runs/rounds}
IN=runs/shared64/ingest
PRE=runs/shared64/pretrain-e120
read -r -a SEEDS <<< "${SEEDS:-42 43 44 45 46}"
read -r -a SHARES <<< "${SHARES:-1.0 0.1}"
ROUNDS=${ROUNDS:-15}
CLIENTS=${CLIENTS:-10}
FROM=${FROM:-}
read -r -a ARMS <<< "${ARMS:-random ssl}"
for a in "${ARMS[@]}"; do  # checked before any run starts
  [[ $a == random || $a == ssl || $a == ?*=?* ]] || { echo "ARMS: $a is not random, ssl or NAME=ENCODER" >&2; exit 2; }
done
PARTS=${PARTS:-${FROM:-$OUT}}
read -r -a SETS <<< "${SETS:-}"
mkdir -p "$OUT"

cells() {
  local f s a
  [[ " ${ARMS[*]} " != *" ssl "* ]] || [ -f "$PRE/_SUCCESS" ] || bin/fedcxr pretrain --set input=$IN --set output=$PRE \
    --set epochs=120 > "$OUT/pretrain-e120.log" 2>&1
  for f in "${SHARES[@]}"; do
    for s in "${SEEDS[@]}"; do
      [ -f "$PARTS/partition-s$s-f$f/_SUCCESS" ] || bin/fedcxr partition --set input=$IN \
        --set output="$PARTS/partition-s$s-f$f" --set seed="$s" --set fraction="$f" --set clients="$CLIENTS" \
        > "$PARTS/partition-s$s-f$f.log" 2>&1
      for a in "${ARMS[@]}"; do
        case $a in
          random) cell random "$s" "$f" random ;;
          ssl) cell ssl "$s" "$f" "ssl:$PRE/encoder.safetensors" ;;
          *=random) cell "${a%%=*}" "$s" "$f" random ;;
          *=global:*) cell "${a%%=*}" "$s" "$f" "${a#*=}" ;;
          *) cell "${a%%=*}" "$s" "$f" "ssl:${a#*=}" ;;
        esac
      done
    done
  done
}
cell() { # arm seed share init
  local name=$1-f$3-s$2 resume=() extra=() k
  [ -f "$OUT/$name/_SUCCESS" ] && [ "$(tail -1 "$OUT/$name/metrics.csv" | cut -d, -f1)" = "$ROUNDS" ] && return
  if [ -n "$FROM" ]; then # copied once; a stopped resume goes on from its last complete round
    [ -d "$OUT/$name" ] || cp -r "$FROM/$name" "$OUT/$name"
    resume=(--resume)
  fi
  for k in "${SETS[@]}"; do extra+=(--set "$k"); done
  bin/fedcxr federate "${resume[@]}" --set input="$PARTS/partition-s$2-f$3" --set test=$IN --set eval_split=val \
    --set output="$OUT/$name" --set seed="$2" --set init="$4" --set rounds="$ROUNDS" --set eval_every=1 \
    --set keep_checkpoints=1 "${extra[@]}" > "$OUT/$name.log" 2>&1
}

table() {
  local f s a
  for f in "${SHARES[@]}"; do
    for s in "${SEEDS[@]}"; do
      [ -f "$OUT/random-f$f-s$s/_SUCCESS" ] && [ -f "$OUT/ssl-f$f-s$s/_SUCCESS" ] || continue
      for a in random ssl; do
        awk -F, -v a=$a -v s="$s" -v f="$f" 'NR == 1 {for (i = 1; i <= NF; i++) if ($i == "mean_auc") c = i; next}
          $c != "" {print f, a, s, $1, $c}' "$OUT/$a-f$f-s$s/metrics.csv"
      done
    done
  done | awk -v std=15 "$T_AWK"'
    {v[$1, $2, $3, $4] = $5; n[$1, $3] = 1; if (!($1 in seen)) {seen[$1] = 1; shares[++ns] = $1}; if ($4 > R) R = $4}
    function seeds(f,   k, p, m) {m = 0; for (k in n) {split(k, p, SUBSEP) # seeds whose cells both reach round R
        if (p[1] == f && ((f, "random", p[2], R) in v) && ((f, "ssl", p[2], R) in v)) ord[++m] = p[2]}
      for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (ord[j] < ord[i]) {x = ord[i]; ord[i] = ord[j]; ord[j] = x}
      return m}
    function best(f, a, skip,   r, i, m, b, bm) {bm = -1
      for (r = 1; r <= R; r++) {m = 0; for (i = 1; i <= ms; i++) if (ord[i] != skip) m += v[f, a, ord[i], r]
        if (m > bm + 1e-12) {bm = m; b = r}}
      return b}
    function interval(label, d, n,   i) {printf "%s:", label; for (i = 1; i <= n; i++) printf " %+.4f", d[i]
      printf "  %s\n", mean_ci(d, n)}
    END {for (k = 1; k <= ns; k++) {f = shares[k]; ms = seeds(f)
        printf "share %s, mean val AUC over seeds", f; for (i = 1; i <= ms; i++) printf " %s", ord[i]; printf "\nround "
        for (r = 1; r <= R; r++) printf " %6d", r; printf "\n"
        split("random ssl", arms, " ")
        for (j = 1; j <= 2; j++) {a = arms[j]; printf "%-6s", a
          for (r = 1; r <= R; r++) {m = 0; for (i = 1; i <= ms; i++) m += v[f, a, ord[i], r]; printf " %.4f", m / ms}
          printf "\n"}
        printf "best round on the mean over all %d seeds: random %d, ssl %d\n", ms, best(f, "random", ""), best(f, "ssl", "")
        for (i = 1; i <= ms; i++) {s = ord[i]; rr = best(f, "random", s); rs = best(f, "ssl", s)
          pick[f, "random", s] = rr; pick[f, "ssl", s] = rs
          printf "seed %s: rounds chosen on the other seeds: random %d, ssl %d; at them random %.4f, ssl %.4f\n", s, rr,
            rs, v[f, "random", s, rr], v[f, "ssl", s, rs]
          d[i] = v[f, "ssl", s, rs] - v[f, "random", s, rr]; e[i] = v[f, "ssl", s, std] - v[f, "random", s, std]
          l[i] = v[f, "ssl", s, R] - v[f, "random", s, R]
          gr[i] = v[f, "random", s, rr] - v[f, "random", s, std]; gs[i] = v[f, "ssl", s, rs] - v[f, "ssl", s, std]}
        interval("share " f ", SSL - random, rounds chosen per arm (leave one seed out)", d, ms)
        interval("share " f ", SSL - random, both at round " std, e, ms)
        if (R != std) {interval("share " f ", SSL - random, both at round " R, l, ms)
          interval("share " f ", random, chosen round - round " std, gr, ms)
          interval("share " f ", ssl, chosen round - round " std, gs, ms)}}
      if (ns < 2) exit
      for (k = 2; k <= ns; k++) {f = shares[k]; ms = seeds(f)  # claim 2: each arm from the first share to this one
        for (j = 1; j <= 2; j++) {a = arms[j]; m = 0
          for (i = 1; i <= ms; i++) {s = ord[i]; if (!((shares[1], a, s) in pick)) continue; m++
            d[m] = v[shares[1], a, s, pick[shares[1], a, s]] - v[f, a, s, pick[f, a, s]]
            e[m] = v[shares[1], a, s, std] - v[f, a, s, std]}
          interval(a ", share " shares[1] " - share " f ", rounds chosen per arm and share (leave one seed out)", d, m)
          interval(a ", share " shares[1] " - share " f ", both at round " std, e, m)}}}'
}

versus() {
  local e s c a all
  read -r -a encoders <<< "${ENCODERS:?names of encoders, e.g. ENCODERS=noedge}"
  local f=${SHARE:-1.0}
  for e in "${encoders[@]}"; do for s in "${SEEDS[@]}"; do c=$OUT/ssl$e-f$f-s$s; a=$OUT/ssl$e-f1.0-s$s
    all=-  # the all-images cell, read only when it is not the share's own
    [ "$f" = 1.0 ] || all=$(cellauc "$a")
    echo "$e $s $(cellauc "$c") $all"
  done; done |
  awk -v S="${RULE_SEEDS:-${SEEDS[*]}}" -v label="${LABEL:-these}" -v f="$f" -v cells="$PUBLISHED_CELLS" "$T_AWK"'
  BEGIN {n = split(cells, p, " ")  # published: share seed random recipe
    for (i = 1; i < n; i += 4) {rnd[p[i], p[i + 1]] = p[i + 2]; rec[p[i], p[i + 1]] = p[i + 3]
      if (!(p[i] in has)) {has[p[i]] = 1; shares = shares (shares == "" ? "" : " or ") p[i]}}
    if (!(f in has)) {printf "SHARE: %s has no published cells (%s)\n", f, shares > "/dev/stderr"; bad = 1; exit 2}
    split(S, u, " "); for (i in u) in_rule[u[i]] = 1; low = f != "1.0"}
  !($1 in seen) {seen[$1] = 1; enc[++ne] = $1}
  !((f, $2) in rnd) {printf "seed %s: no published cell of random initialisation (seeds 42-44)\n", $2; bad = 1; exit 2}
  {r = rnd[f, $2]; q = rec[f, $2]}
  $3 == "missing" || (low && $4 == "missing") {printf "%s seed %s: missing\n", $1, $2; if ($2 in in_rule) miss = 1; next}
  {printf "%s seed %s: SSL %.4f  random %.4f  recipe SSL %.4f  SSL - random %+.4f%s%s\n", $1, $2, $3, r, q, $3 - r,
     low ? sprintf("  SSL all - SSL %s %+.4f", f, $4 - $3) : "", $2 in in_rule ? "" : "  (outside the rule)"
   if ($2 in in_rule) {x[$1] += $3 - r; y[$1] += $3 - q; z[$1] += $4 - $3; k[$1]++
     if (!($2 in counted)) {counted[$2] = 1; nr++; lr += rnd["1.0", $2] - r; lq += rec["1.0", $2] - q}}}
  END {if (bad) exit 2
    if (miss) {print "a cell of the rule is missing: no verdict"; exit}
    for (i = 1; i <= ne; i++) {d[i] = x[enc[i]] / k[enc[i]]; e[i] = y[enc[i]] / k[enc[i]]; l[i] = z[enc[i]] / k[enc[i]]
      printf "%s over seeds %s: SSL - random %+.4f, SSL - recipe SSL %+.4f%s\n", enc[i], S, d[i], e[i],
        low ? sprintf(", SSL all - SSL %s %+.4f", f, l[i]) : ""}
    printf "%s SSL - random, by pretraining seed: %s\n", label, mean_ci(d, ne)
    printf "%s SSL - the recipe encoder'"'"'s SSL, by pretraining seed: %s\n", label, mean_ci(e, ne)
    if (low) printf "%s SSL all - SSL %s, by pretraining seed: %s (over the same seeds: the recipe encoder %+.4f, " \
      "random %+.4f)\n", label, f, mean_ci(l, ne), lq / nr, lr / nr}'
}

case "${1:-}" in
  cells) cells ;;
  table) table ;;
  versus) versus ;;
  *) echo "usage: $0 cells|table|versus" >&2; exit 2 ;;
esac
