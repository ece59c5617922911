#!/bin/bash
# Seed-for-seed accuracy parity with the LightGCN paper's PyTorch code on MovieLens 100K (the Microsoft Recommenders
# notebook's protocol: a 75/25 random split per user, every rating a positive, 50 epochs, batch 1024, lr 0.005,
# λ 1e-4, dim 64, 3 layers). Both read the same split files; GraphRec uses the reference code's sampler (--sampler user).
#
# Needs: Debian's python3-torch, python3-scipy, python3-pandas, python3-tqdm (apt-get install); a checkout of
# https://github.com/gusye1234/LightGCN-PyTorch (commit 947ca2b) in $REFERENCE; MovieLens 100K's u.data in $ML100K.
# The reference imports sklearn and tensorboardX for features this run does not use: stubs/ stands in for them.
# The reference tests before epochs 0, 10, ..., 40, never after the last; one line appended to a copy of its main.py
# tests after epoch 50 too (printed as FINAL).
# SEEDS lists the run seeds (default 1 2 3); each run gets the split of the same seed, or the split of SPLIT when set
# (SPLIT=4 SEEDS="41 42 43 44": four runs of each implementation on one split).
# The replay (REPLAY=1): the reference's initial embeddings and sampled triples of each run are written out
# (dump_reference.py) and GraphRec's training step is run on them (the benchmarks' replay command).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
REFERENCE=${REFERENCE:?set REFERENCE to a LightGCN-PyTorch checkout}
ML100K=${ML100K:-$here/../../../../shared/datasets/ml-100k/u.data}
work=${WORK:-/tmp/graphrec-parity}
dotnet build "$here/../../GraphRec.Sample" -c Release -o "$work/bin" > /dev/null
if [ -n "${REPLAY:-}" ]; then dotnet build "$here/.." -c Release -o "$work/benchmarks" > /dev/null; fi
for seed in ${SEEDS:-1 2 3}; do
  s=${SPLIT:-$seed}
  python3 "$here/make_split.py" "$s" "$work/split$s" "$ML100K"
  rm -rf "$work/ref$seed" && mkdir -p "$work/ref$seed/data/gowalla"   # the reference only accepts its dataset names
  cp -r "$REFERENCE/code" "$work/ref$seed/" && cp "$work/split$s"/*.txt "$work/ref$seed/data/gowalla/"
  printf '\ncprint("[TEST]")\nprint("FINAL", Procedure.Test(dataset, Recmodel, world.TRAIN_epochs, w, world.config["multicore"]))\n' >> "$work/ref$seed/code/main.py"
  (cd "$work/ref$seed/code" && PYTHONPATH="$here/stubs" OMP_NUM_THREADS=2 /usr/bin/python3 main.py --dataset gowalla --layer 3 --recdim 64 \
    --lr 0.005 --decay 1e-4 --bpr_batch 1024 --epochs 50 --seed "$seed" --topks "[10]" --testbatch 100 --tensorboard 0 --multicore 0) > "$work/reference-$seed.log" 2>&1
  "$work/bin/graphrec-sample" train --dataset edgelist --train "$work/split$s/train.txt" --test "$work/split$s/test.txt" \
    --split predefined --val-ratio 0 --sampler user --epochs 50 --batch-size 1024 --lr 0.005 --decay 1e-4 --k 10 --seed "$seed" \
    --output "$work/graphrec-$seed" > "$work/graphrec-$seed.log" 2>&1
  echo "split $s, seed $seed: reference $(grep FINAL "$work/reference-$seed.log")"
  echo "split $s, seed $seed: GraphRec $(grep -E '^  (precision|recall|ndcg)@10 ' "$work/graphrec-$seed.log" | awk '{printf "%s %s  ", $1, $2}')"
  if [ -n "${REPLAY:-}" ]; then
    OMP_NUM_THREADS=2 /usr/bin/python3 "$here/dump_reference.py" "$work/ref$seed/code" "$work/dump$seed" "$seed" > "$work/dump-$seed.log" 2>&1
    read -r _ users _ items < <(grep '^users' "$work/dump-$seed.log")
    echo "split $s, seed $seed: replay: $("$work/benchmarks/GraphRec.Benchmarks" replay --split "$work/split$s" --dump "$work/dump$seed" --users "$users" --items "$items" | tr '\n' ' ')"
  fi
done
