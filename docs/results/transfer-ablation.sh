#!/usr/bin/env bash
# Issue 12's recipe ablation, every choice scored on the VALIDATION split (never the test split): ResNet-18 at 64 px
# on the NIH sample split by patient server 30% / clients 40% / val 10% / test 20% (val carved from the client
# pool's range: server pool and test set are those of the independent implementation's 30/50/20 split), 10 non-IID
# clients, 15 rounds x 1 local epoch, FedAvg, 3 seeds (partition and federate seeds 42, 43, 44).
#   core:     random vs SSL init, each with fedcxr's recipe (augmentation, weight decay 1e-4, clip 5, cosine per
#             round) and the independent implementation's (none of those: constant Adam 1e-3);
#   transfer: SSL init on the recipe BASE (indep or fedcxr) with encoder lr 0.1x, frozen BatchNorm statistics,
#             2 head rounds (linear probe, then fine-tune), each alone and all three together;
#   lowdata:  random vs SSL init on the independent recipe with each client keeping 10% of its images.
#   claim2:   claim 2's cells for the PRE-epoch encoder: at 10% of each client's images random init on both recipes
#             and SSL init on the independent recipe, plain and with 5 head rounds; SSL init plain with all images
#             (its full-data reference; random init's all-data cells are core's).
#   grid:     claim 2's grid for the PRE-epoch encoder: at each share of each client's images in GRID (default
#             "0.1 0.05 0.25 0.5 1.0"), random init on both recipes and SSL init on the independent recipe (random
#             init's better recipe at each share is picked on these validation cells; ARMS="ssl-fedcxr" adds SSL
#             init on fedcxr's recipe); gridtable: the table and the paired differences (random init's two recipes,
#             share by share and their means over the shares; SSL - each random recipe;
#             SSL at all images - SSL at each share; SSL on fedcxr's recipe - the others, where its cells exist).
#   frozen:   the SSL encoder's probe; at 10% and at all of each client's images: SSL init on the independent
#             recipe plain, with 5 head rounds before the whole network trains, and with its encoder frozen (weights
#             and BatchNorm statistics: a federated linear probe) at a head learning rate of 1e-2 and 5 local epochs
#             a round (at 1 epoch, lr 1e-3 and 1e-4: one-seed screens); random init on its own recipe at 10%; then
#             random init's baselines on the same ingest and partitions (the comparisons pair cells of one run).
#   standardize: the frozen encoder's head of `frozen` (5 local epochs) with transfer.head_standardize (each
#             client's head trains on its own standardised features): SGD 1e-2, Adam 1e-3, Adam 1e-2; FRACTIONS
#             (default "1.0 0.1") chooses the shares of each client's images.
#   raw:      the frozen head on raw features with Adam 1e-3 (the control of standardize's Adam 1e-3); with
#             SCREEN=1 also the standardised head by SGD at 1e-1.
#   adam:     the chosen frozen head (Adam 1e-3, 5 local epochs; chosen on seed 42's val AUC with all data) on
#             standardised and on raw features, every seed, all and 10% of each client's images.
#   randfrozen: that head on a random encoder (weights as initialised, the server pool's BatchNorm statistics).
#   partprobe: central linear probes fit on the images the clients of each partition hold (all and 10% of them):
#             the SSL encoder and a random encoder (seed = the partition's), the ceiling of a frozen encoder.
# The SSL encoder: `pretrain` at its defaults for PRE epochs (default 120, the independent implementation's length;
# PRE=40 gives the session-4 encoder) on the server pool.
# Linear probes (frozen encoder, fit on the client pool, scored on val): the SSL encoder vs random encoders (5 seeds).
#   pretrains: the default pretraining's command at the seeds PRESEEDS (default 42-45; seed 42 is the encoder above),
#             each probed, against random encoders of the seeds RSEEDS (default 1-10); spread: only the comparison
#             (each list's mean ± sd and the difference of the means with Welch's 95% interval).
#   bnstats:  the same probes with each encoder's BatchNorm statistics recomputed on the server pool's un-augmented
#             images (probe's bn_statistics=server); bnspread: only the comparison.
#   epochs:   the probes of pretrains at each length of EPOCHS (default "120 240"; each length's runs made by
#             `PRE=<length> ... pretrains`), the longer against the first, Welch's 95% interval.
#   variant:  a pretraining variant: the default pretraining's command for PRE epochs plus VARGS (e.g. VARGS="--set
#             aug.crop_p=0"), run as pretrain-e$PRE-$VTAG, probed, and SSL init on the independent recipe at each share
#             of VSHARES (default "1.0 0.1"; VRECIPE=fedcxr: on fedcxr's recipe); varianttable: its cells against the
#             default encoder's and random init's (paired, seed by seed) and the mean AUC per disease of each arm.
#   factors:  SSL init at 10% of each client's images on the independent recipe with one of fedcxr's settings put
#             back (augmentation, weight decay 1e-4, clip 5, cosine per round: FACTORS), each its own arm;
#             factorstable: each against ssl$PRE-indep and ssl$PRE-fedcxr at that share (paired, seed by seed).
#   shrink:   SSL init on fedcxr's recipe with its encoder shrunk towards the seeded random initialisation: each
#             transfer.pretrained_share of MIXES (default "0.75 0.5 0.25"), at FRACTION of each client's images
#             (default 0.25); compare with `paired` against ssl$PRE-fedcxr and random-fedcxr at that share (grid's).
#   reinit:   SSL init on fedcxr's recipe with some of its encoder's parts started from the seeded random
#             initialisation (transfer.random_parts): each comma-separated list of PARTS (default "layer4
#             layer3,layer4"), at FRACTION of each client's images (default 0.25); compare with `paired` against
#             ssl$PRE-fedcxr and random-fedcxr at that share (grid's).
#   rates:    at FRACTION of each client's images (default 0.25), fedcxr's recipe: SSL init with the encoder's
#             learning rate ELR times the head's (default 3), SSL init and random init at learning rate LR (default
#             3e-3), each arm of RARMS (default "elr ssl random"); compare with `paired` against ssl$PRE-fedcxr and
#             random-fedcxr at that share (grid's).
#   server:   more server data: the split server 50% / clients 20% / val 10% / test 20% (the same val and test images;
#             the server pool gains the lower half of the client pool's range, the clients keep the upper half),
#             ingested to runs/server50/ingest; the default pretraining on its 986 server images for SPRE epochs
#             (default 62: the 120-epoch pretraining's optimizer steps over 511 images) with warmup_epochs=1 (its
#             warm-up steps), probed with the PRE-epoch encoder (511 server images) and random encoders (seeds 1-5),
#             fit on the new client pool; then at each share of SSHARES (default "1.0 0.1"), seed by seed, the arms
#             of SARMS (default "random ssl$PRE ssl${SPRE}srv": random init, SSL init from the PRE-epoch encoder and
#             from the new one), fedcxr's recipe. Run with its own OUT (its partitions are of another client pool).
#             servertable: its probes, the cells at the shares of SSHARES, and the paired differences: each arm
#             against random init (and the two SSL arms), each arm's loss from share 1.0 to the others.
#             serverregime: SSL init (PRE-epoch encoder) against random init per disease at shares 0.5 and 1.0, and
#             SSL's gap at 0.5, 0.25, 0.1, 0.05 against its gap at 1.0, seed by seed.
#   servervariant: a pretraining variant's encoder (variant's pretraining, VTAG and VARGS) on the server part's
#             clients: probed (fit on its client pool), then at each share of SSHARES, seed by seed, random init and
#             SSL init from it, fedcxr's recipe. Run with the server part's OUT. servervarianttable: its probe, cells,
#             paired differences (against random init; each arm's loss from share 1.0) and per disease at each share.
#   hires:    the server part's split ingested at 128 px (runs/server50-128/ingest); at each share of SSHARES, seed by
#             seed, random init and SSL init from HENC (default the thirtieth measurement's 128 px encoder with the
#             SR-layer, seed 1, made by docs/results/sr-layer-ablation.sh), fedcxr's recipe. Run with its own OUT.
#             hirestable: its cells and the paired differences.
#   recipe:   issue 12's pretraining changes, removed from the default recipe one at a time and together: the
#             arms of RECIPE_ARMS (tag=key=value[,key=value]; default full1t, the recipe as it is, then constant
#             learning rate, constant τ, both constant, and the 512-wide heads), each a PRE-epoch pretraining (seed
#             42 unless it sets one) on the 511 server images, the unfinished ones run two at a time, pinned to
#             one core (taskset: libtorch then uses one thread, so every arm, full1t included, trains so); each
#             probed on the 30/40 split's client pool (fit there, scored on val), then on the server part's
#             clients (ROUT, default runs/ablation-33: its probe and random init's cells are reused) probed and SSL
#             init from it at the shares of SSHARES, seed by seed, fedcxr's recipe. recipetable: each arm's
#             losses, probes and cells, the paired differences against random init, against the first arm (full1t
#             by default), and (each schedule alone) constlr and constema against constboth. recipepretrain:
#             only the pretrainings.
#   joint:    the default pretraining with joint_views=true (both views through each branch as one batch) at the
#             seeds JSEEDS (default 42 43 44), probed, against pretrains' probes; jointspread: only the comparison.
# Usage: docs/results/transfer-ablation.sh [core|transfer|lowdata|claim2|grid|gridtable|variant|varianttable|factors|
#   factorstable|shrink|reinit|rates|server|servertable|serverregime|servervariant|servervarianttable|recipe|
#   recipepretrain|recipetable|hires|
#   hirestable|frozen|standardize|raw|adam|randfrozen|partprobe|probe|pretrains|spread|epochs|bnstats|bnspread|joint|
#   jointspread|table]
#   (default: all);
# docs/results/transfer-ablation.sh paired A B: A - B per seed with the paired 95% interval (A, B: cell names with
# their fraction, e.g. ssl120-indep-f0.1 random-indep-f0.1; 2 to 10 seeds); ... gap A1 B1 A2 B2: (A1 - B1) - (A2 -
# B2) per seed with its interval (a name may lead out of OUT, e.g. ../ablation-28/random-fedcxr-f1.0), and the seeds
# A1 - B1's interval would need to clear zero. Parts can run side by side (on 2 cores a
# cell beside a pretraining cut the pretraining from ~20 to 5-7 images/s); FEDCXR_SUBMIT_ARGS="--conf
# spark.executor.cores=1" gives each a single libtorch thread (results then differ from cells run with 2).
set -euo pipefail
cd "$(dirname "$0")/../.."
source docs/results/auc.sh
OUT=${OUT:-runs/ablation}
IN=runs/shared64/ingest
SIN=runs/server50/ingest  # the server part's ingest
SPRE=${SPRE:-62}  # the server part's pretraining epochs
SENC=runs/server50/pretrain-e$SPRE/encoder.safetensors
HIN=runs/server50-128/ingest  # the hires part's ingest: the server part's split at 128 px
HENC=${HENC:-runs/sr-ablation/pretrain-spectral-residual-e120-s1/encoder.safetensors}  # the hires part's encoder
read -r -a SSHARES <<< "${SSHARES:-1.0 0.1}"  # shares of each client's images for the server part's cells
PRE=${PRE:-120}
ENC=runs/shared64/pretrain-e$PRE/encoder.safetensors
read -r -a SARMS <<< "${SARMS:-random ssl$PRE ssl${SPRE}srv}"  # the server part's arms (random, ssl$PRE, ssl${SPRE}srv)
read -r -a SEEDS <<< "${SEEDS:-42 43 44}"  # e.g. SEEDS=42 for a one-seed screen
read -r -a PRESEEDS <<< "${PRESEEDS:-42 43 44 45}"  # pretrainings' seeds (pretrains)
read -r -a RSEEDS <<< "${RSEEDS:-1 2 3 4 5 6 7 8 9 10}"  # random encoders' seeds (pretrains)
read -r -a JSEEDS <<< "${JSEEDS:-42 43 44}"  # joint-view pretrainings' seeds (joint)
read -r -a GRID <<< "${GRID:-0.1 0.05 0.25 0.5 1.0}"  # shares of each client's images (grid)
read -r -a ARMS <<< "${ARMS:-random-fedcxr random-indep ssl}"  # grid's arms, e.g. ARMS="random-fedcxr ssl"
read -r -a VARGS <<< "${VARGS:-}"  # the pretraining variant's settings (variant)
VTAG=${VTAG:-}  # the variant's name in its runs (variant)
read -r -a VSHARES <<< "${VSHARES:-1.0 0.1}"  # shares of each client's images for the variant's cells
VRECIPE=${VRECIPE:-indep}  # the variant's cells' recipe: indep (the independent implementation's) or fedcxr
read -r -a MIXES <<< "${MIXES:-0.75 0.5 0.25}"  # shares of the pretrained encoder kept (shrink)
read -r -a PARTS <<< "${PARTS:-layer4 layer3,layer4}"  # encoder parts kept random, one list per arm (reinit)
ELR=${ELR:-3}  # the encoder's learning rate as a multiple of the head's (rates)
LR=${LR:-3e-3}  # the learning rate of both inits (rates)
read -r -a RARMS <<< "${RARMS:-elr ssl random}"  # the arms of rates, e.g. RARMS=ssl
read -r -a EPOCHS <<< "${EPOCHS:-120 240}"  # pretraining lengths compared (epochs)
read -r -a RECIPE_ARMS <<< "${RECIPE_ARMS:-full1t=schedule=warmup-cosine constlr=schedule=constant \
constema=ema_schedule=constant constboth=schedule=constant,ema_schedule=constant hidden512=hidden=512}"  # recipe's arms
ROUT=${ROUT:-runs/ablation-33}  # recipe's cells: the server part's OUT
INDEPENDENT=(--set augment=false --set weight_decay=0 --set clip_norm=0 --set schedule=constant)
# the encoder frozen (weights and BatchNorm statistics), its head trained 5 local epochs a round
FROZEN=(--set local_epochs=5 --set transfer.encoder_lr_scale=0 --set transfer.frozen_bn=true)
STD=(--set transfer.head_standardize=true)
mkdir -p "$OUT"

ingest_split() { # output server-share client-share [size, default 64]: the NIH sample split by patient (seed 42),
  # val 10%, test 20%
  [ -f "$1/_SUCCESS" ] || bin/fedcxr ingest --set dataset=nih-cxr14-shared --set output="$1" \
    --set image_size="${4:-64}" --set split.server="$2" --set split.client="$3" --set split.val=0.1 \
    --set split.test=0.2 > "$OUT/ingest.log" 2>&1
}
ingest() {
  ingest_split "$IN" 0.3 0.4
  [ -f "runs/shared64/pretrain-e$PRE/_SUCCESS" ] || [ "${1:-}" != ssl ] || bin/fedcxr pretrain --set input=$IN \
    --set output=runs/shared64/pretrain-e$PRE --set epochs=$PRE > "$OUT/pretrain-e$PRE.log" 2>&1
}
partition() { # seed fraction
  [ -f "$OUT/partition-s$1-f$2/_SUCCESS" ] || bin/fedcxr partition --set input=$IN \
    --set output="$OUT/partition-s$1-f$2" --set seed="$1" --set fraction="$2" > "$OUT/partition-s$1-f$2.log" 2>&1
}
cell() { # name seed init extra-args... (FRACTION: the share of each client's images kept, default 1.0); only the
  # last round's checkpoint is kept (enough for --resume; a cell keeping all fifteen took 650 MB)
  local name=$1 seed=$2 init=$3 f=${FRACTION:-1.0}; shift 3
  partition "$seed" "$f"
  [ -f "$OUT/$name-f$f-s$seed/_SUCCESS" ] || bin/fedcxr federate --set input="$OUT/partition-s$seed-f$f" \
    --set test=$IN --set eval_split=val --set output="$OUT/$name-f$f-s$seed" --set seed="$seed" --set init="$init" \
    --set rounds=15 --set eval_every=15 --set keep_checkpoints=1 "$@" > "$OUT/$name-f$f-s$seed.log" 2>&1
}
probe() { # name seed encoder (TRAIN: a partition whose clients' images the probe is fit on; default the client pool;
  # BN=server: the encoder's BatchNorm statistics recomputed on the server pool first)
  [ -f "$OUT/probe-$1-s$2/_SUCCESS" ] || bin/fedcxr probe --set input=$IN --set encoder="$3" --set seed="$2" \
    --set architecture=resnet18 --set eval_split=val --set output="$OUT/probe-$1-s$2" \
    ${TRAIN:+--set train_partition="$TRAIN"} ${BN:+--set bn_statistics="$BN"} > "$OUT/probe-$1-s$2.log" 2>&1
}

core_cells() { # the two recipes, random vs SSL init, seed by seed
  for s in "${SEEDS[@]}"; do
    cell random-indep "$s" random "${INDEPENDENT[@]}"
    cell ssl$PRE-indep "$s" "ssl:$ENC" "${INDEPENDENT[@]}"
    cell random-fedcxr "$s" random
    cell ssl$PRE-fedcxr "$s" "ssl:$ENC"
  done
}
lowdata_cells() { # 10% of every client's images, the independent recipe
  for s in "${SEEDS[@]}"; do
    FRACTION=0.1 cell random-indep "$s" random "${INDEPENDENT[@]}"
    FRACTION=0.1 cell ssl$PRE-indep "$s" "ssl:$ENC" "${INDEPENDENT[@]}"
  done
}
transfer_cells() { # the transfer options, each alone and together, on the recipe in $BASE (indep or fedcxr)
  local base=() b=${BASE:-indep}
  [ "$b" = indep ] && base=("${INDEPENDENT[@]}")
  for s in "${SEEDS[@]}"; do
    cell "ssl$PRE-$b-all" "$s" "ssl:$ENC" "${base[@]}" --set transfer.encoder_lr_scale=0.1 \
      --set transfer.frozen_bn=true --set transfer.head_rounds=2
    cell "ssl$PRE-$b-fbn" "$s" "ssl:$ENC" "${base[@]}" --set transfer.frozen_bn=true
    cell "ssl$PRE-$b-head2" "$s" "ssl:$ENC" "${base[@]}" --set transfer.head_rounds=2
    cell "ssl$PRE-$b-lr01" "$s" "ssl:$ENC" "${base[@]}" --set transfer.encoder_lr_scale=0.1
  done
}
shrink_cells() { # seed by seed, each share of the pretrained encoder in MIXES
  for s in "${SEEDS[@]}"; do
    for m in "${MIXES[@]}"; do
      FRACTION=${FRACTION:-0.25} cell "ssl$PRE-fedcxr-mix$m" "$s" "ssl:$ENC" --set transfer.pretrained_share="$m"
    done
  done
}
reinit_cells() { # seed by seed, each list of PARTS started from the seeded random initialisation
  for s in "${SEEDS[@]}"; do
    for p in "${PARTS[@]}"; do
      FRACTION=${FRACTION:-0.25} cell "ssl$PRE-fedcxr-rnd-${p//,/+}" "$s" "ssl:$ENC" --set transfer.random_parts="$p"
    done
  done
}
rate_cells() { # seed by seed, the arms of RARMS: elr (SSL init, encoder at ELR x the head's rate), ssl and random
  # (init at rate LR)
  local f=${FRACTION:-0.25} s a
  for s in "${SEEDS[@]}"; do
    for a in "${RARMS[@]}"; do
      case $a in
        elr) FRACTION=$f cell "ssl$PRE-fedcxr-elr$ELR" "$s" "ssl:$ENC" --set transfer.encoder_lr_scale="$ELR" ;;
        ssl) FRACTION=$f cell "ssl$PRE-fedcxr-lr$LR" "$s" "ssl:$ENC" --set learning_rate="$LR" ;;
        random) FRACTION=$f cell "random-fedcxr-lr$LR" "$s" random --set learning_rate="$LR" ;;
      esac
    done
  done
}
claim2_cells() { # the 10% cells first (1-3 min each), then SSL's all-data reference (5-12 min each)
  local s
  for s in "${SEEDS[@]}"; do
    FRACTION=0.1 cell random-indep "$s" random "${INDEPENDENT[@]}"
    FRACTION=0.1 cell random-fedcxr "$s" random
    FRACTION=0.1 cell ssl$PRE-indep "$s" "ssl:$ENC" "${INDEPENDENT[@]}"
    FRACTION=0.1 cell ssl$PRE-indep-head5 "$s" "ssl:$ENC" "${INDEPENDENT[@]}" --set transfer.head_rounds=5
  done
  for s in "${SEEDS[@]}"; do cell ssl$PRE-indep "$s" "ssl:$ENC" "${INDEPENDENT[@]}"; done
}
# fedcxr's settings the factors put back one at a time into the independent recipe (arm name, federate setting)
FACTORS=(augment augment=true wd weight_decay=1e-4 clip clip_norm=5 cosine schedule=cosine)
factor_cells() { # seed by seed, each of FACTORS at 10% of each client's images
  local s i
  for s in "${SEEDS[@]}"; do
    for ((i = 0; i < ${#FACTORS[@]}; i += 2)); do
      FRACTION=0.1 cell "ssl$PRE-indep+${FACTORS[i]}" "$s" "ssl:$ENC" "${INDEPENDENT[@]}" --set "${FACTORS[i + 1]}"
    done
  done
}
factor_table() { # each factor's arm against SSL on the independent recipe and on fedcxr's
  local i a
  header "SSL init, 10% of each client's images, mean val AUC"
  for a in "ssl$PRE-indep" "ssl$PRE-fedcxr"; do row "$a" "$a-f0.1"; done
  for ((i = 0; i < ${#FACTORS[@]}; i += 2)); do row "ssl$PRE-indep+${FACTORS[i]}" "ssl$PRE-indep+${FACTORS[i]}-f0.1"; done
  echo
  for ((i = 0; i < ${#FACTORS[@]}; i += 2)); do
    a="ssl$PRE-indep+${FACTORS[i]}-f0.1"
    paired "$a" "ssl$PRE-indep-f0.1"
    paired "$a" "ssl$PRE-fedcxr-f0.1"
  done
}
grid_cells() { # share by share, seed by seed, the ARMS: random init on fedcxr's and the independent recipe, SSL init
  local f s a
  for a in "${ARMS[@]}"; do
    case $a in
      random-fedcxr|random-indep|ssl|ssl-fedcxr) ;;
      *) echo "ARMS: unknown arm '$a' (random-fedcxr, random-indep, ssl, ssl-fedcxr)" >&2; exit 2 ;;
    esac
  done
  for f in "${GRID[@]}"; do
    for s in "${SEEDS[@]}"; do
      for a in "${ARMS[@]}"; do
        case $a in
          random-fedcxr) FRACTION=$f cell random-fedcxr "$s" random ;;
          random-indep) FRACTION=$f cell random-indep "$s" random "${INDEPENDENT[@]}" ;;
          ssl) FRACTION=$f cell ssl$PRE-indep "$s" "ssl:$ENC" "${INDEPENDENT[@]}" ;;
          ssl-fedcxr) FRACTION=$f cell ssl$PRE-fedcxr "$s" "ssl:$ENC" ;;
        esac
      done
    done
  done
}
frozen_cells() { # the frozen encoder and head rounds beside SSL init plain, at 10% of each client's images first
  local f s
  probe ssl$PRE 42 "$ENC"
  for f in 0.1 1.0; do
    for s in "${SEEDS[@]}"; do
      FRACTION=$f cell ssl$PRE-indep "$s" "ssl:$ENC" "${INDEPENDENT[@]}"
      FRACTION=$f cell ssl$PRE-indep-head5 "$s" "ssl:$ENC" "${INDEPENDENT[@]}" --set transfer.head_rounds=5
      # a linear head from scratch needs more steps than 15 rounds x 1 epoch (about 45 Adam steps a client)
      FRACTION=$f cell ssl$PRE-indep-frozen-e5 "$s" "ssl:$ENC" "${INDEPENDENT[@]}" "${FROZEN[@]}" \
        --set learning_rate=1e-2
    done
  done
  for s in "${SEEDS[@]}"; do FRACTION=0.1 cell random-fedcxr "$s" random; done
  # one-seed screens at all data of the frozen encoder's head with the independent budget (1 local epoch a round):
  cell ssl$PRE-indep-frozen-lr1e-3 42 "ssl:$ENC" "${INDEPENDENT[@]}" --set transfer.encoder_lr_scale=0 \
    --set transfer.frozen_bn=true
  cell ssl$PRE-indep-frozen 42 "ssl:$ENC" "${INDEPENDENT[@]}" --set learning_rate=1e-4 \
    --set transfer.encoder_lr_scale=0 --set transfer.frozen_bn=true
  for f in 1.0 0.1; do # random init's baselines, on this run's ingest and partitions
    for s in "${SEEDS[@]}"; do
      FRACTION=$f cell random-indep "$s" random "${INDEPENDENT[@]}"
      FRACTION=$f cell random-fedcxr "$s" random
    done
  done
}
standardize_cells() { # the frozen encoder's head (5 local epochs) with each client training on its own
  # standardised features, by optimizer: Adam at 1e-2 (frozen-e5's rate) and 1e-3, and SGD (momentum 0.9) at 1e-2,
  # which keeps what standardising buys (Adam scales every weight's step to the rate, however small its gradient)
  local f s frozen=("${FROZEN[@]}" "${STD[@]}")
  for f in ${FRACTIONS:-1.0 0.1}; do
    for s in "${SEEDS[@]}"; do
      FRACTION=$f cell ssl$PRE-indep-frozen-e5-std-sgd "$s" "ssl:$ENC" "${INDEPENDENT[@]}" "${frozen[@]}" \
        --set optimizer=sgd --set learning_rate=1e-2
      FRACTION=$f cell ssl$PRE-indep-frozen-e5-std-lr1e-3 "$s" "ssl:$ENC" "${INDEPENDENT[@]}" "${frozen[@]}"
      FRACTION=$f cell ssl$PRE-indep-frozen-e5-std "$s" "ssl:$ENC" "${INDEPENDENT[@]}" "${frozen[@]}" \
        --set learning_rate=1e-2
    done
  done
}
raw_cells() { # controls and a screen for the standardised frozen head: raw features with Adam 1e-3 (5 local
  # epochs), and the standardised head by SGD (momentum 0.9) at 1e-1
  local f s frozen=("${FROZEN[@]}")
  for f in ${FRACTIONS:-1.0 0.1}; do
    for s in "${SEEDS[@]}"; do
      FRACTION=$f cell ssl$PRE-indep-frozen-e5-lr1e-3 "$s" "ssl:$ENC" "${INDEPENDENT[@]}" "${frozen[@]}"
      [ -n "${SCREEN:-}" ] && FRACTION=$f cell ssl$PRE-indep-frozen-e5-std-sgd-lr1e-1 "$s" "ssl:$ENC" \
        "${INDEPENDENT[@]}" "${frozen[@]}" "${STD[@]}" --set optimizer=sgd --set learning_rate=1e-1
    done
  done
}
adam_cells() { # the chosen frozen head (Adam 1e-3, 5 local epochs): standardised features vs raw, seed by seed
  local f s frozen=("${FROZEN[@]}")
  for f in ${FRACTIONS:-1.0 0.1}; do
    for s in "${SEEDS[@]}"; do
      FRACTION=$f cell ssl$PRE-indep-frozen-e5-std-lr1e-3 "$s" "ssl:$ENC" "${INDEPENDENT[@]}" "${frozen[@]}" "${STD[@]}"
      FRACTION=$f cell ssl$PRE-indep-frozen-e5-lr1e-3 "$s" "ssl:$ENC" "${INDEPENDENT[@]}" "${frozen[@]}"
    done
  done
}
random_frozen_cells() { # the same frozen standardised head on a random encoder: is a gain the pretraining's?
  # (a random encoder with the server pool's BatchNorm statistics: 1 BYOL epoch at lr 1e-8 moves no weight by more
  # than about 1e-7)
  local f s rnd=runs/shared64/random-encoder-s42
  [ -f "$rnd/_SUCCESS" ] || bin/fedcxr pretrain --set input=$IN --set output=$rnd --set epochs=1 \
    --set warmup_epochs=0 --set learning_rate=1e-8 > "$OUT/random-encoder-s42.log" 2>&1
  for f in ${FRACTIONS:-0.1 1.0}; do
    for s in "${SEEDS[@]}"; do
      FRACTION=$f cell randenc-indep-frozen-e5-std-lr1e-3 "$s" "ssl:$rnd/encoder.safetensors" "${INDEPENDENT[@]}" \
        "${FROZEN[@]}" "${STD[@]}"
    done
  done
}
partition_probes() { # central probes fit on exactly the images the clients hold (all, 10%): SSL vs a random encoder
  local f s
  for f in 1.0 0.1; do
    for s in "${SEEDS[@]}"; do
      partition "$s" "$f"
      TRAIN="$OUT/partition-s$s-f$f" probe ssl$PRE-clients-f$f "$s" "$ENC"
      TRAIN="$OUT/partition-s$s-f$f" probe random-clients-f$f "$s" random
    done
  done
}
probes() {
  probe ssl$PRE 42 "$ENC"
  for s in 1 2 3 4 5; do probe random "$s" random; done
}
pretrain_name() { # pretraining seed -> the name of its run (seed 42: the default's)
  [ "$1" = 42 ] && echo "pretrain-e$PRE" || echo "pretrain-e$PRE-s$1"
}
probe_name() { # pretraining seed -> the name of its probe
  [ "$1" = 42 ] && echo "ssl$PRE" || echo "ssl${PRE}pre$1"
}
pretrain_probes() { # the probe's spread over pretrainings: the default pretraining's command at PRESEEDS, each
  # probed as `probes` does, against random encoders at RSEEDS; then the comparison
  local s dir
  for s in "${RSEEDS[@]}"; do probe random "$s" random; done
  for s in "${PRESEEDS[@]}"; do
    dir=runs/shared64/$(pretrain_name "$s")
    [ -f "$dir/_SUCCESS" ] || bin/fedcxr pretrain --set input=$IN --set output="$dir" --set epochs=$PRE \
      --set seed="$s" > "$OUT/$(pretrain_name "$s").log" 2>&1
    probe "$(probe_name "$s")" 42 "$dir/encoder.safetensors"
  done
  probe_spread
}
epoch_spread() { # the probes of pretrains at each pretraining length, each longer one against the first
  local e s a name first=""
  echo "| linear probe fit on the client pool, mean val AUC | pretraining seeds ${PRESEEDS[*]} (where run) |"
  echo "|---|---|"
  for e in "${EPOCHS[@]}"; do
    a=()
    for s in "${PRESEEDS[@]}"; do
      name=$(PRE=$e probe_name "$s")
      [ -f "$OUT/probe-$name-s42/_SUMMARY.json" ] && a+=("$(auc "$OUT/probe-$name-s42")")
    done
    echo "| $e epochs | ${a[*]} |"
    if [ -z "$first" ]; then first="${a[*]}"; elif [ ${#a[@]} -gt 1 ]; then
      welch "$e epochs - ${EPOCHS[0]} epochs" "${a[*]}" "$first"
    fi
  done
}
bn_probes() { # the probes of pretrains with the encoders' BatchNorm statistics recomputed on the server pool
  local s
  for s in "${PRESEEDS[@]}"; do
    BN=server probe "$(probe_name "$s")-bn" 42 "runs/shared64/$(pretrain_name "$s")/encoder.safetensors"
  done
  for s in "${RSEEDS[@]}"; do BN=server probe random-bn "$s" random; done
  bn_spread
}
bn_spread() { # stored vs recomputed statistics, each kind of encoder, and SSL against random at each
  local s ssl=() sslbn=() rnd=() rndbn=()
  for s in "${PRESEEDS[@]}"; do
    ssl+=("$(auc "$OUT/probe-$(probe_name "$s")-s42")"); sslbn+=("$(auc "$OUT/probe-$(probe_name "$s")-bn-s42")")
  done
  for s in "${RSEEDS[@]}"; do
    rnd+=("$(auc "$OUT/probe-random-s$s")"); rndbn+=("$(auc "$OUT/probe-random-bn-s$s")")
  done
  echo "| linear probe fit on the client pool, mean val AUC | BatchNorm statistics as stored |" \
    "recomputed on the server pool |"
  echo "|---|---|---|"
  echo "| SSL encoders, pretraining seeds ${PRESEEDS[*]} | ${ssl[*]} | ${sslbn[*]} |"
  echo "| random encoders, seeds ${RSEEDS[*]} | ${rnd[*]} | ${rndbn[*]} |"
  welch "SSL recomputed - random as stored" "${sslbn[*]}" "${rnd[*]}"
  welch "SSL recomputed - random recomputed" "${sslbn[*]}" "${rndbn[*]}"
  welch "SSL recomputed - SSL as stored" "${sslbn[*]}" "${ssl[*]}"
  welch "random recomputed - random as stored" "${rndbn[*]}" "${rnd[*]}"
}
variant_args() {
  [[ "$VTAG" =~ ^[a-z0-9]+$ ]] && [ ${#VARGS[@]} -gt 0 ] || {
    echo "variant: set VTAG (lower-case letters and digits) and VARGS (pretrain settings)" >&2; exit 2; }
}
VDIR=runs/shared64/pretrain-e$PRE-$VTAG  # the variant's pretraining (variant, servervariant)
server_pretrain() { # tag [pretrain's options...]: the default pretraining for PRE epochs on the 511 server images
  local tag=$1; shift
  [ -f "runs/shared64/pretrain-e$PRE-$tag/_SUCCESS" ] || bin/fedcxr pretrain --set input=runs/shared64/ingest \
    --set output="runs/shared64/pretrain-e$PRE-$tag" --set epochs=$PRE "$@" > "$OUT/pretrain-e$PRE-$tag.log" 2>&1
}
variant_pretrain() { # the default pretraining plus VARGS
  ingest_split "runs/shared64/ingest" 0.3 0.4
  server_pretrain "$VTAG" "${VARGS[@]}"
}
variant_cells() { # the variant's pretraining, its probe, then its cells share by share
  local dir=$VDIR f s
  variant_pretrain
  probe "ssl$PRE$VTAG" 42 "$dir/encoder.safetensors"
  local recipe=()
  case $VRECIPE in
    indep) recipe=("${INDEPENDENT[@]}") ;;
    fedcxr) ;;
    *) echo "VRECIPE: unknown recipe '$VRECIPE' (indep, fedcxr)" >&2; exit 2 ;;
  esac
  for f in "${VSHARES[@]}"; do
    for s in "${SEEDS[@]}"; do
      FRACTION=$f cell "ssl$PRE$VTAG-$VRECIPE" "$s" "ssl:$dir/encoder.safetensors" ${recipe[@]+"${recipe[@]}"}
    done
  done
}
per_disease() { # cell names (with their -f<fraction>): a table of each disease's AUC, the mean over SEEDS per cell
  local a s
  echo "| val AUC per disease, mean over seeds ${SEEDS[*]} |$(printf ' %s |' "$@")"
  echo "|---|$(printf -- '---|%.0s' "$@")"
  for a in "$@"; do
    for s in "${SEEDS[@]}"; do
      awk -F, -v a="$a" 'NR > 1 && $3 != "" {print a "," $2 "," $3}' "$OUT/$a-s$s/metrics_per_label.csv"
    done
  done | awk -F, -v order="$*" '{sum[$2 "|" $1] += $3; n[$2 "|" $1]++; labels[$2]}
    END {k = split(order, arm, " ")
      for (l in labels) {line = "| " l " |"; for (i = 1; i <= k; i++) line = line sprintf(" %.3f |",
        sum[l "|" arm[i]] / n[l "|" arm[i]]); print line}}' | sort
}
disease_gaps() { # name-a name-b (each with its -f<fraction>): per disease, a - b averaged over SEEDS and the seeds
  # where a is higher (a disease missing from a seed's validation set counts in neither)
  local s
  echo "| val AUC per disease, $1 - $2 | mean over seeds ${SEEDS[*]} | seeds higher |"
  echo "|---|---|---|"
  for s in "${SEEDS[@]}"; do
    awk -F, 'FNR == 1 {f++} FNR > 1 && $3 != "" {v[f, $2] = $3; l[$2]}
      END {for (d in l) if ((1, d) in v && (2, d) in v) print d, v[1, d] - v[2, d]}' \
      "$OUT/$1-s$s/metrics_per_label.csv" "$OUT/$2-s$s/metrics_per_label.csv"
  done | awk '{s[$1] += $2; n[$1]++; w[$1] += ($2 > 0)}
    END {for (d in s) printf "| %s | %+.3f | %d of %d |\n", d, s[d] / n[d], w[d], n[d]}' | sort
}
gap_change() { # a1 b1 a2 b2 (cell names with their -f<fraction>): (a1 - b1) - (a2 - b2) per seed, the mean and
  # paired 95% interval, and how many seeds the interval of (a1 - b1) would need to clear zero if its mean and sd
  # stayed as measured here (t at n - 1 degrees of freedom)
  local s d=() g=()
  for s in "${SEEDS[@]}"; do
    read -r x y < <(awk -v a="$(auc "$OUT/$1-s$s")" -v b="$(auc "$OUT/$2-s$s")" -v c="$(auc "$OUT/$3-s$s")" \
      -v e="$(auc "$OUT/$4-s$s")" 'BEGIN {printf "%+.4f %+.4f\n", (a - b) - (c - e), a - b}')
    d+=("$x"); g+=("$y")
  done
  printf '%s\n' "${d[@]}" | interval "($1 - $2) - ($3 - $4)"
  printf '%s\n' "${g[@]}" | awk -v label="$1 - $2" "$T_AWK"'{s += $1; q += $1 * $1} END {m = s / NR
    sd = sqrt((q - NR * m * m) / (NR - 1)); n = 2
    while (n < 1000 && t975(n - 1) * sd / sqrt(n) >= m) n++
    printf "%s: mean %+.3f, sd %.3f: its interval clears zero at %s seeds if they stay so\n", label, m, sd,
      (m > 0 && n < 1000 ? n : "no number of")}'
}
variant_table() { # the variant's cells against the default encoder's and random init's, then AUC per disease
  local f a arms
  echo "| linear probe fit on the client pool, mean val AUC | value |"
  echo "|---|---|"
  for a in "ssl$PRE" "ssl$PRE$VTAG"; do
    [ -f "$OUT/probe-$a-s42/_SUMMARY.json" ] && echo "| $a | $(auc "$OUT/probe-$a-s42") |"
  done
  for f in "${VSHARES[@]}"; do
    have "ssl$PRE$VTAG-$VRECIPE-f$f" || continue
    echo
    header "share $f, mean val AUC"
    arms=("ssl$PRE$VTAG-$VRECIPE-f$f")
    for a in "ssl$PRE$VTAG-indep-f$f" "ssl$PRE-$VRECIPE-f$f" "ssl$PRE-indep-f$f" random-indep-f$f random-fedcxr-f$f; do
      [[ " ${arms[*]} " != *" $a "* ]] && have "$a" && arms+=("$a")
    done
    for a in "${arms[@]}"; do row "$a" "$a"; done
    for a in "${arms[@]:1}"; do paired "${arms[0]}" "$a"; done
    echo
    per_disease "${arms[@]}"
  done
}
server_cells() { # the server part: its ingest and pretraining, the probes, then the cells share by share
  ingest_split "$SIN" 0.5 0.2
  [ -f "runs/server50/pretrain-e$SPRE/_SUCCESS" ] || bin/fedcxr pretrain --set input=$SIN \
    --set output="runs/server50/pretrain-e$SPRE" --set epochs="$SPRE" --set warmup_epochs=1 \
    > "$OUT/pretrain-e$SPRE.log" 2>&1
  local IN=$SIN f s a
  probe "ssl${SPRE}srv" 42 "$SENC"
  probe "ssl$PRE" 42 "$ENC"
  for s in 1 2 3 4 5; do probe random "$s" random; done
  for f in "${SSHARES[@]}"; do
    for s in "${SEEDS[@]}"; do
      for a in "${SARMS[@]}"; do
        case $a in
          random) FRACTION=$f cell random-fedcxr "$s" random ;;
          "ssl$PRE") FRACTION=$f cell "ssl$PRE-fedcxr" "$s" "ssl:$ENC" ;;
          "ssl${SPRE}srv") FRACTION=$f cell "ssl${SPRE}srv-fedcxr" "$s" "ssl:$SENC" ;;
          *) echo "unknown server arm '$a' (random, ssl$PRE, ssl${SPRE}srv)" >&2; exit 2 ;;
        esac
      done
    done
  done
}
server_variant_cells() { # the variant's encoder on the server part's clients: its pretraining (on the 511 server
  # images, as variant), its probe fit on the server part's client pool, then share by share (SSHARES), seed by seed,
  # random init and SSL init from it on fedcxr's recipe
  variant_pretrain
  ingest_split "$SIN" 0.5 0.2
  local IN=$SIN
  probe "ssl$PRE$VTAG" 42 "$VDIR/encoder.safetensors"
  pair_cells "ssl$PRE$VTAG" "$VDIR/encoder.safetensors"
}
pair_cells() { # name encoder: share by share (SSHARES), seed by seed, random init and SSL init from the encoder (as
  # name-fedcxr) on $IN, fedcxr's recipe
  local f s
  for f in "${SSHARES[@]}"; do
    for s in "${SEEDS[@]}"; do
      FRACTION=$f cell random-fedcxr "$s" random
      FRACTION=$f cell "$1-fedcxr" "$s" "ssl:$2"
    done
  done
}
server_variant_table() { # the variant's cells on the server part against random init: means, paired differences,
  # each arm's loss from all the images, and per disease at every share
  local f b a="ssl$PRE$VTAG-fedcxr"
  echo "linear probe of the variant's encoder, fit on the server part's client pool:" \
    "$(auc "$OUT/probe-ssl$PRE$VTAG-s42")"
  echo
  header "federated, non-IID, 15 rounds, fedcxr's recipe, mean val AUC"
  for f in "${SSHARES[@]}"; do
    have random-fedcxr-f$f any && row "random init, share $f" random-fedcxr-f$f
    have "$a-f$f" any && row "SSL init, $VTAG encoder, share $f" "$a-f$f"
  done
  echo
  for f in "${SSHARES[@]}"; do have random-fedcxr-f$f && have "$a-f$f" && paired "$a-f$f" random-fedcxr-f$f; done
  for b in random-fedcxr "$a"; do
    for f in "${SSHARES[@]}"; do
      [ "$f" != 1.0 ] && have "$b-f1.0" && have "$b-f$f" && paired "$b-f1.0" "$b-f$f"
    done
  done
  for f in "${SSHARES[@]}"; do
    have random-fedcxr-f$f && have "$a-f$f" && { echo; disease_gaps "$a-f$f" random-fedcxr-f$f; }
  done
  return 0
}
recipe_pretrain() { # core tag key=value[,key=value]: one arm's pretraining, pinned to one core
  local set=() kv
  IFS=, read -r -a kv <<< "$3"
  for kv in "${kv[@]}"; do set+=(--set "$kv"); done
  (taskset -cp "$1" $BASHPID > /dev/null && server_pretrain "$2" "${set[@]}")  # the subshell's children inherit the pin
}
recipe_pretrains() { # recipe's unfinished pretrainings, two at a time
  local i a todo=()
  ingest_split runs/shared64/ingest 0.3 0.4
  for a in "${RECIPE_ARMS[@]}"; do [ -f "runs/shared64/pretrain-e$PRE-${a%%=*}/_SUCCESS" ] || todo+=("$a"); done
  for ((i = 0; i < ${#todo[@]}; i += 2)); do
    a=${todo[i]}; recipe_pretrain 0 "${a%%=*}" "${a#*=}" &
    if [ $((i + 1)) -lt ${#todo[@]} ]; then a=${todo[i + 1]}; recipe_pretrain 1 "${a%%=*}" "${a#*=}" & fi
    wait
  done
}
recipe_cells() { # recipe_pretrains, then each arm's probes and cells
  local a tag
  recipe_pretrains
  for a in "${RECIPE_ARMS[@]}"; do
    tag=${a%%=*}
    [ -f "runs/shared64/pretrain-e$PRE-$tag/_SUCCESS" ] || {
      echo "recipe: the $tag pretraining failed: $OUT/pretrain-e$PRE-$tag.log" >&2; exit 1; }
    probe "ssl$PRE$tag" 42 "runs/shared64/pretrain-e$PRE-$tag/encoder.safetensors"
  done
  ingest_split "$SIN" 0.5 0.2
  mkdir -p "$ROUT"
  for a in "${RECIPE_ARMS[@]}"; do
    tag=${a%%=*}
    (OUT=$ROUT IN=$SIN; probe "ssl$PRE$tag" 42 "runs/shared64/pretrain-e$PRE-$tag/encoder.safetensors"
      pair_cells "ssl$PRE$tag" "runs/shared64/pretrain-e$PRE-$tag/encoder.safetensors")
  done
}
recipe_table() { # recipe's arms: losses, probes (both client pools), cells and paired differences
  local a tag f full=${RECIPE_ARMS[0]%%=*}
  echo "| arm ($PRE epochs, one libtorch thread, seed 42 unless set) | setting | loss at epochs 30 / 60 / 90 / $PRE |" \
    "probe, 30/40 split's client pool | probe, server part's client pool |"
  echo "|---|---|---|---|---|"
  for a in "${RECIPE_ARMS[@]}"; do
    tag=${a%%=*}
    echo "| $tag | ${a#*=} | $(awk -F, -v e=$PRE 'NR > 1 && ($1 == 30 || $1 == 60 || $1 == 90 || $1 == e) {
      printf "%s%.3f", n++ ? " / " : "", $2}' "runs/shared64/pretrain-e$PRE-$tag/losses.csv") |" \
      "$(auc "$OUT/probe-ssl$PRE$tag-s42") | $(auc "$ROUT/probe-ssl$PRE$tag-s42") |"
  done
  echo
  local OUT=$ROUT
  header "federated on the server part's clients, non-IID, 15 rounds, fedcxr's recipe, mean val AUC"
  for f in "${SSHARES[@]}"; do
    row "random init, share $f" random-fedcxr-f$f
    for a in "${RECIPE_ARMS[@]}"; do tag=${a%%=*}; row "SSL init, $tag encoder, share $f" "ssl$PRE$tag-fedcxr-f$f"; done
  done
  echo
  for f in "${SSHARES[@]}"; do
    for a in "${RECIPE_ARMS[@]}"; do tag=${a%%=*}; paired "ssl$PRE$tag-fedcxr-f$f" random-fedcxr-f$f; done
    for a in "${RECIPE_ARMS[@]:1}"; do
      tag=${a%%=*}; paired "ssl$PRE$full-fedcxr-f$f" "ssl$PRE$tag-fedcxr-f$f"
    done
    have "ssl${PRE}constboth-fedcxr-f$f" || continue
    for tag in constlr constema; do  # each schedule alone, added to the two constant ones
      have "ssl$PRE$tag-fedcxr-f$f" && paired "ssl$PRE$tag-fedcxr-f$f" "ssl${PRE}constboth-fedcxr-f$f"
    done
  done
}
hires_cells() { # the hires part: the server part's split at 128 px, random vs SSL init from HENC, share by share
  ingest_split "$HIN" 0.5 0.2 128
  local IN=$HIN
  pair_cells ssl128 "$HENC"
}
hires_table() { # the hires part's cells and the paired differences where every seed's cells exist
  local f
  header "federated at 128 px, non-IID, 15 rounds, fedcxr's recipe, mean val AUC"
  for f in "${SSHARES[@]}"; do
    have random-fedcxr-f$f any && row "random init, share $f" random-fedcxr-f$f
    have ssl128-fedcxr-f$f any && row "SSL init, 128 px encoder, share $f" ssl128-fedcxr-f$f
  done
  echo
  for f in "${SSHARES[@]}"; do
    have random-fedcxr-f$f && have ssl128-fedcxr-f$f && paired ssl128-fedcxr-f$f random-fedcxr-f$f
  done
  for f in "${SSHARES[@]}"; do
    [ "$f" != 1.0 ] && have ssl128-fedcxr-f1.0 && have ssl128-fedcxr-f$f && paired ssl128-fedcxr-f1.0 ssl128-fedcxr-f$f
  done
  return 0
}
server_table() { # the server part's probes and cells (the shares in SSHARES), the paired differences where every
  # seed's cells exist: each SSL arm against random initialisation and against the other, each arm's loss from all
  # the images to every other share
  local s f a r=()
  for s in 1 2 3 4 5; do r+=("$(auc "$OUT/probe-random-s$s")"); done
  echo "| linear probe fit on the new client pool, mean val AUC | value |"
  echo "|---|---|"
  echo "| SSL encoder, 986 server images, $SPRE epochs | $(auc "$OUT/probe-ssl${SPRE}srv-s42") |"
  echo "| SSL encoder, 511 server images, $PRE epochs | $(auc "$OUT/probe-ssl$PRE-s42") |"
  echo "| random encoders, seeds 1-5 | ${r[*]} |"
  printf '%s\n' "${r[@]}" | awk -v a="$(auc "$OUT/probe-ssl${SPRE}srv-s42")" -v b="$(auc "$OUT/probe-ssl$PRE-s42")" \
    '{s += $1; q += $1 * $1} END {m = s / NR; printf "random encoders %.4f ± %.4f; 986 images %+.3f, 511 images %+.3f" \
    " from their mean\n", m, sqrt((q - NR * m * m) / (NR - 1)), a - m, b - m}'
  echo
  header "federated, non-IID, 15 rounds, fedcxr's recipe, mean val AUC"
  for f in "${SSHARES[@]}"; do
    have random-fedcxr-f$f any && row "random init, share $f" random-fedcxr-f$f
    have "ssl$PRE-fedcxr-f$f" any && row "SSL init, 511 server images, share $f" "ssl$PRE-fedcxr-f$f"
    have "ssl${SPRE}srv-fedcxr-f$f" any && row "SSL init, 986 server images, share $f" "ssl${SPRE}srv-fedcxr-f$f"
  done
  echo
  for f in "${SSHARES[@]}"; do
    have random-fedcxr-f$f || continue
    have "ssl${SPRE}srv-fedcxr-f$f" && paired "ssl${SPRE}srv-fedcxr-f$f" random-fedcxr-f$f
    have "ssl${SPRE}srv-fedcxr-f$f" && have "ssl$PRE-fedcxr-f$f" \
      && paired "ssl${SPRE}srv-fedcxr-f$f" "ssl$PRE-fedcxr-f$f"
    have "ssl$PRE-fedcxr-f$f" && paired "ssl$PRE-fedcxr-f$f" random-fedcxr-f$f
  done
  for a in random-fedcxr "ssl$PRE-fedcxr" "ssl${SPRE}srv-fedcxr"; do
    for f in "${SSHARES[@]}"; do
      [ "$f" != 1.0 ] && have "$a-f1.0" && have "$a-f$f" && paired "$a-f1.0" "$a-f$f"
    done
  done
  return 0
}
server_regime() { # the server part's cells: per disease at half of each client's images and at all of them, and
  # whether SSL's gap over random init at each share of 0.5 0.25 0.1 0.05 differs from its gap with all the images
  local f
  for f in 0.5 1.0; do disease_gaps "ssl$PRE-fedcxr-f$f" random-fedcxr-f$f; echo; done
  for f in 0.5 0.25 0.1 0.05; do
    gap_change "ssl$PRE-fedcxr-f$f" random-fedcxr-f$f "ssl$PRE-fedcxr-f1.0" random-fedcxr-f1.0
  done
}
joint_probes() { # pretraining with joint views (one batch of 2 x 32 per branch) at JSEEDS, probed, against pretrains
  local s dir name
  for s in "${JSEEDS[@]}"; do
    dir=runs/shared64/pretrain-e$PRE-joint-s$s; name=ssl${PRE}joint$([ "$s" = 42 ] || echo "pre$s")
    [ -f "$dir/_SUCCESS" ] || bin/fedcxr pretrain --set input=$IN --set output="$dir" --set epochs=$PRE \
      --set seed="$s" --set joint_views=true > "$OUT/pretrain-e$PRE-joint-s$s.log" 2>&1
    probe "$name" 42 "$dir/encoder.safetensors"
  done
  joint_spread
}
joint_spread() {
  local s a=() j=() sec=()
  for s in "${PRESEEDS[@]}"; do a+=("$(auc "$OUT/probe-$(probe_name "$s")-s42")"); done
  for s in "${JSEEDS[@]}"; do
    j+=("$(auc "$OUT/probe-ssl${PRE}joint$([ "$s" = 42 ] || echo "pre$s")-s42")")
    sec+=("$(grep -m1 '"seconds"' "runs/shared64/pretrain-e$PRE-joint-s$s/_SUMMARY.json" | grep -o '[0-9.]*')")
  done
  echo "| linear probe fit on the client pool, mean val AUC | runs |"
  echo "|---|---|"
  echo "| one view per pass (the default), pretraining seeds ${PRESEEDS[*]} | ${a[*]} |"
  echo "| joint views, pretraining seeds ${JSEEDS[*]} (seconds: ${sec[*]}) | ${j[*]} |"
  [ ${#j[@]} -gt 1 ] && welch "joint - one view per pass" "${j[*]}" "${a[*]}"
  return 0
}
probe_spread() {
  local s a=() r=()
  for s in "${PRESEEDS[@]}"; do
    [ -f "$OUT/probe-$(probe_name "$s")-s42/_SUMMARY.json" ] && a+=("$(auc "$OUT/probe-$(probe_name "$s")-s42")")
  done
  for s in "${RSEEDS[@]}"; do
    [ -f "$OUT/probe-random-s$s/_SUMMARY.json" ] && r+=("$(auc "$OUT/probe-random-s$s")")
  done
  echo "| linear probe fit on the client pool, mean val AUC | runs |"
  echo "|---|---|"
  echo "| SSL encoders, $PRE-epoch pretrainings of seeds ${PRESEEDS[*]} | ${a[*]} |"
  echo "| random encoders, seeds ${RSEEDS[*]} | ${r[*]} |"
  welch "SSL - random" "${a[*]}" "${r[*]}"
}

header() { # label: a table's first two lines, a column per seed
  local s cols="seed ${SEEDS[0]}" rule="|---|---|"
  for s in "${SEEDS[@]:1}"; do cols+=" | $s"; rule+="---|"; done
  printf '%s\n%s\n' "| $1 | $cols | mean ± sd |" "$rule---|"
}
row() { # label name (with its -f<fraction>)
  local vals=() s
  for s in "${SEEDS[@]}"; do vals+=("$( [ -f "$OUT/$2-s$s/_SUMMARY.json" ] && auc "$OUT/$2-s$s" || echo -)"); done
  echo "| $1 | $(printf '%s | ' "${vals[@]}")$(printf '%s\n' "${vals[@]}" | awk '$1 != "-" {s += $1; q += $1 * $1;
    n++} END {if (n > 1) {m = s / n; printf "%.4f ± %.4f", m, sqrt((q - n * m * m) / (n - 1))}
    else if (n) printf "%.4f (1 seed)", s; else printf "-"}') |"
}
welch() { # label "a values" "b values": mean(a) - mean(b) with Welch's 95% interval (t at the floored
  # Welch-Satterthwaite degrees of freedom, so slightly wide)
  awk -v label="$1" -v a="$2" -v b="$3" "$T_AWK"'function stats(v, x,   n, i, m, q) {n = split(v, x, " ")
      for (i = 1; i <= n; i++) m += x[i]; m /= n; for (i = 1; i <= n; i++) q += (x[i] - m) ^ 2
      N = n; M = m; V = q / (n - 1)}
    BEGIN {stats(a); na = N; ma = M; va = V; stats(b); nb = N; mb = M; vb = V
      se2 = va / na + vb / nb; df = int(se2 ^ 2 / ((va / na) ^ 2 / (na - 1) + (vb / nb) ^ 2 / (nb - 1)))
      h = (df >= 1 ? t975(df) : 1.96) * sqrt(se2)
      printf "%s: %.4f ± %.4f (n %d) - %.4f ± %.4f (n %d) = %+.3f [%+.3f, %+.3f] (df %d)\n", label, ma, sqrt(va),
        na, mb, sqrt(vb), nb, ma - mb, ma - mb - h, ma - mb + h, df}'
}
mean() { # name (with its -f<fraction>): the mean AUC over SEEDS
  local s; for s in "${SEEDS[@]}"; do auc "$OUT/$1-s$s"; echo; done | awk '{s += $1} END {printf "%.4f", s / NR}'
}
have() { # name (with its -f<fraction>) [any]: whether its cell exists for every seed (with "any": for one)
  local s n=0
  for s in "${SEEDS[@]}"; do [ -f "$OUT/$1-s$s/_SUMMARY.json" ] && n=$((n + 1)); done
  [ "$n" -eq ${#SEEDS[@]} ] || { [ "${2:-}" = any ] && [ "$n" -gt 0 ]; }
}
grid_table() { # grid's cells, share by share, and the paired differences where every seed's cells exist
  local f r a
  header "federated, non-IID, 15 rounds, mean val AUC"
  for f in "${GRID[@]}"; do
    have random-fedcxr-f$f any && row "random init, fedcxr's recipe, share $f" random-fedcxr-f$f
    have random-indep-f$f any && row "random init, independent recipe, share $f" random-indep-f$f
    have ssl$PRE-indep-f$f any && row "SSL init ($PRE-epoch encoder), independent recipe, share $f" ssl$PRE-indep-f$f
    have ssl$PRE-fedcxr-f$f any && row "SSL init ($PRE-epoch encoder), fedcxr's recipe, share $f" ssl$PRE-fedcxr-f$f
  done
  echo
  local d=()
  for f in "${GRID[@]}"; do # random init's two recipes, share by share, and over the shares
    have random-fedcxr-f$f && have random-indep-f$f || continue
    paired random-fedcxr-f$f random-indep-f$f
    d+=("$(mean random-fedcxr-f$f) $(mean random-indep-f$f)")
  done
  [ ${#d[@]} -lt 2 ] || printf '%s\n' "${d[@]}" | awk '{a += $1; b += $2} END {
    printf "random init, mean over %d shares of the mean AUC: fedcxr recipe %.4f, independent %.4f\n", NR, a / NR, b / NR}'
  for f in "${GRID[@]}"; do
    have ssl$PRE-indep-f$f || continue
    a=()
    for r in random-fedcxr random-indep; do
      have $r-f$f || continue
      paired ssl$PRE-indep-f$f $r-f$f
      a+=("$r $(mean $r-f$f)")
    done
    [ ${#a[@]} -lt 2 ] || printf '%s\n' "${a[@]}" | sort -k2,2gr | awk -v f="$f" 'NR == 1 {
      print "  random init'"'"'s better recipe at share " f " (mean over these seeds): " $1}'
    [ "$f" = 1.0 ] || ! have ssl$PRE-indep-f1.0 || paired ssl$PRE-indep-f1.0 ssl$PRE-indep-f$f
  done
  for f in "${GRID[@]}"; do # SSL init on fedcxr's recipe, where its cells exist
    have ssl$PRE-fedcxr-f$f || continue
    for r in random-fedcxr random-indep ssl$PRE-indep; do have $r-f$f && paired ssl$PRE-fedcxr-f$f $r-f$f; done
  done
}
interval() { # label, differences on stdin (one a line, 2 to 31 of them): each, their mean and paired 95% interval
  awk -v label="$1" "$T_AWK"'{x[NR] = $1; s += $1} END {m = s / NR; h = half(x, NR)
    printf "%s:", label; for (i = 1; i <= NR; i++) printf " %+.3f", x[i]
    printf "  mean %+.3f [%+.3f, %+.3f]\n", m, m - h, m + h}'
}
paired() { # name-a name-b (each with its -f<fraction>): a - b per seed, their mean and paired 95% interval
  local s a b d=()
  for s in "${SEEDS[@]}"; do
    a=$(auc "$OUT/$1-s$s"); b=$(auc "$OUT/$2-s$s")
    d+=("$(awk -v a="$a" -v b="$b" 'BEGIN {printf "%+.4f", a - b}')")
  done
  printf '%s\n' "${d[@]}" | interval "$1 - $2"
}
table() {
  header "federated, non-IID, all client data; mean val AUC (diseases defined in val)"
  row "random init, fedcxr recipe (augment, wd 1e-4, clip 5, cosine)" random-fedcxr-f1.0
  row "random init, independent recipe (none of those)" random-indep-f1.0
  row "SSL init ($PRE-epoch encoder), fedcxr recipe" ssl$PRE-fedcxr-f1.0
  row "SSL init ($PRE-epoch encoder), independent recipe" ssl$PRE-indep-f1.0
  row "random init, independent recipe, **10% of each client's images**" random-indep-f0.1
  row "SSL init ($PRE-epoch encoder), independent recipe, **10% of each client's images**" ssl$PRE-indep-f0.1
  local f share
  for f in 1.0 0.1; do
    share=$([ "$f" = 1.0 ] && echo "all" || echo "10% of each client's")
    [ -d "$OUT/ssl$PRE-indep-head5-f$f-s${SEEDS[0]}" ] || continue
    row "random init, fedcxr recipe, $share images" random-fedcxr-f$f
    row "SSL, encoder frozen (federated linear probe): head lr 1e-2, 5 local epochs, $share images" \
      ssl$PRE-indep-frozen-e5-f$f
    row "SSL, independent recipe, 5 head rounds then all, $share images" ssl$PRE-indep-head5-f$f
    row "SSL, encoder frozen, standardised features, SGD 1e-1, $share images" ssl$PRE-indep-frozen-e5-std-sgd-lr1e-1-f$f
  done
  if [ -d "$OUT/ssl$PRE-indep-frozen-e5-std-lr1e-3-f1.0-s${SEEDS[0]}" ]; then
    echo; header "the encoder frozen, head trained 5 local epochs a round; mean val AUC"
    for f in 1.0 0.1; do
      share=$([ "$f" = 1.0 ] && echo "all" || echo "10% of each client's")
      row "SSL encoder, raw features, Adam 1e-3, $share images" ssl$PRE-indep-frozen-e5-lr1e-3-f$f
      row "SSL encoder, **standardised features**, Adam 1e-3, $share images" ssl$PRE-indep-frozen-e5-std-lr1e-3-f$f
      row "random encoder, standardised features, Adam 1e-3, $share images" randenc-indep-frozen-e5-std-lr1e-3-f$f
    done
    row "screen: SSL encoder, standardised features, Adam 1e-2, all images" ssl$PRE-indep-frozen-e5-std-f1.0
    row "screen: SSL encoder, standardised features, SGD 1e-2, all images" ssl$PRE-indep-frozen-e5-std-sgd-f1.0
    row "screen: SSL encoder, standardised features, SGD 1e-1, all images" ssl$PRE-indep-frozen-e5-std-sgd-lr1e-1-f1.0
    echo
  fi
  if [ -d "$OUT/ssl$PRE-indep-frozen-f1.0-s42" ]; then
    row "screen: SSL, encoder frozen, head lr 1e-3, 1 local epoch, all images" ssl$PRE-indep-frozen-lr1e-3-f1.0
    row "screen: SSL, encoder frozen, head lr 1e-4, 1 local epoch, all images" ssl$PRE-indep-frozen-f1.0
  fi
  local b
  for b in indep fedcxr; do
    [ -d "$OUT/ssl$PRE-$b-lr01-f1.0-s42" ] || continue
    row "SSL, $b recipe + encoder lr 0.1x" "ssl$PRE-$b-lr01-f1.0"
    row "SSL, $b recipe + frozen BatchNorm statistics" "ssl$PRE-$b-fbn-f1.0"
    row "SSL, $b recipe + 2 head rounds, then all" "ssl$PRE-$b-head2-f1.0"
    row "SSL, $b recipe + all three" "ssl$PRE-$b-all-f1.0"
  done
  echo
  echo "| linear probe (frozen encoder, fit on clients, mean val AUC) | value |"
  echo "|---|---|"
  [ -f "$OUT/probe-ssl$PRE-s42/_SUMMARY.json" ] && echo "| SSL encoder, $PRE epochs | $(auc "$OUT/probe-ssl$PRE-s42") |"
  local r=() s
  for s in 1 2 3 4 5; do [ -f "$OUT/probe-random-s$s/_SUMMARY.json" ] && r+=("$(auc "$OUT/probe-random-s$s")"); done
  [ ${#r[@]} -gt 0 ] && echo "| random encoders (seeds 1-5) | ${r[*]} |"
  [ -d "$OUT/probe-ssl$PRE-clients-f1.0-s${SEEDS[0]}" ] && echo && header \
    "central linear probe fit on the partition's clients' images, mean val AUC"
  for f in 1.0 0.1; do
    [ -d "$OUT/probe-ssl$PRE-clients-f$f-s${SEEDS[0]}" ] || continue
    row "probe fit on the clients' images ($f of them), SSL encoder" probe-ssl$PRE-clients-f$f
    row "probe fit on the clients' images ($f of them), random encoder (seed = partition's)" probe-random-clients-f$f
  done
  return 0
}

case "${1:-all}" in
  core) ingest ssl; core_cells ;;
  transfer) ingest ssl; transfer_cells ;;
  lowdata) ingest ssl; lowdata_cells ;;
  claim2) ingest ssl; claim2_cells ;;
  grid) ingest "$(case " ${ARMS[*]}" in *" ssl"*) echo ssl ;; esac)"; grid_cells ;;  # pretrains only for SSL arms
  gridtable) grid_table ;;
  frozen) ingest ssl; frozen_cells ;;
  standardize) ingest ssl; standardize_cells ;;
  raw) ingest ssl; raw_cells ;;
  adam) ingest ssl; adam_cells ;;
  randfrozen) ingest ssl; random_frozen_cells ;;
  partprobe) ingest ssl; partition_probes ;;
  probe) ingest ssl; probes ;;
  pretrains) ingest ssl; pretrain_probes ;;
  spread) probe_spread ;;
  epochs) epoch_spread ;;
  bnstats) ingest ssl; bn_probes ;;
  bnspread) bn_spread ;;
  variant) variant_args; ingest ssl; variant_cells ;;
  varianttable) variant_table ;;
  factors) ingest ssl; factor_cells ;;
  factorstable) factor_table ;;
  shrink) ingest ssl; shrink_cells ;;
  reinit) ingest ssl; reinit_cells ;;
  rates) ingest ssl; rate_cells ;;
  joint) ingest ssl; joint_probes ;;
  jointspread) joint_spread ;;
  server) ingest ssl; server_cells ;;
  hires) hires_cells ;;
  hirestable) hires_table ;;
  servertable) server_table ;;
  servervariant) variant_args; server_variant_cells ;;
  servervarianttable) server_variant_table ;;
  recipe) recipe_cells ;;
  recipepretrain) recipe_pretrains ;;
  recipetable) recipe_table ;;
  serverregime) server_regime ;;
  table) table ;;
  paired) paired "$2" "$3" ;;
  gap) gap_change "$2" "$3" "$4" "$5" ;;
  all) ingest ssl; probes; core_cells; lowdata_cells; transfer_cells; table ;;
esac
