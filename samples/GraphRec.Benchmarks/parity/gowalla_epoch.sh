#!/bin/bash
# One Gowalla training epoch of the LightGCN paper's PyTorch code beside GraphRec's, in turn, on the same machine, with
# the paper's hyperparameters (dim 64, 3 layers, batch 2048, lr 0.001, λ 1e-4, seed 2020) and 2 threads each.
#
# Needs what run.sh needs (Debian's python3-torch, python3-scipy, python3-pandas, python3-tqdm; a checkout of
# https://github.com/gusye1234/LightGCN-PyTorch at commit 947ca2b in $REFERENCE) and Gowalla in the paper's split
# (train.txt, test.txt) in $GOWALLA. The reference's epoch is timed around its BPR_train_original, the sampling
# included; its test before the first epoch (about 95 s) is skipped, since it is not training. GraphRec's is the
# sample app's `seconds_per_epoch` over the whole split (--val-ratio 0), the reference code's epoch of 396 batches.
# RUNS sets how many of each (default 2), run alternately, GraphRec first.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
REFERENCE=${REFERENCE:?set REFERENCE to a LightGCN-PyTorch checkout}
GOWALLA=${GOWALLA:-$here/../../../../shared/datasets/gowalla}
work=${WORK:-/tmp/graphrec-gowalla-epoch}
dotnet build "$here/../../GraphRec.Sample" -c Release -o "$work/bin" > /dev/null
rm -rf "$work/ref" && mkdir -p "$work/ref/data/gowalla"
cp -r "$REFERENCE/code" "$work/ref/" && cp "$GOWALLA/train.txt" "$GOWALLA/test.txt" "$work/ref/data/gowalla/"
/usr/bin/python3 - "$work/ref/code/main.py" <<'EOF'
import sys
path = sys.argv[1]
source = open(path).read()
test = "        if epoch %10 == 0:\n"
train = "        output_information = Procedure.BPR_train_original(dataset, Recmodel, bpr, epoch, neg_k=Neg_k,w=w)\n"
if test not in source or train not in source:
    sys.exit(f"{path} is not the main.py of commit 947ca2b: the lines this script times are not in it")
source = source.replace(test, "        if False:\n")
source = source.replace(train, "        started = time.time()\n" + train + "        print('EPOCH_SECONDS', time.time() - started)\n")
open(path, "w").write(source)
EOF
for run in $(seq 1 "${RUNS:-2}"); do
  rm -rf "$work/graphrec"
  "$work/bin/graphrec-sample" train --dataset edgelist --train "$GOWALLA/train.txt" --test "$GOWALLA/test.txt" \
    --sampler user --epochs 1 --batch-size 2048 --lr 0.001 --k 20 --val-ratio 0 --threads 2 --output "$work/graphrec" > "$work/graphrec-$run.log" 2>&1
  echo "run $run: GraphRec $(grep -o '"seconds_per_epoch": [0-9.]*' "$work/graphrec/metrics.json" | cut -d' ' -f2) s"
  (cd "$work/ref/code" && PYTHONPATH="$here/stubs" OMP_NUM_THREADS=2 /usr/bin/python3 main.py --dataset gowalla --layer 3 --recdim 64 \
    --lr 0.001 --decay 1e-4 --bpr_batch 2048 --epochs 1 --seed 2020 --tensorboard 0 --multicore 0) > "$work/reference-$run.log" 2>&1
  echo "run $run: reference $(grep EPOCH_SECONDS "$work/reference-$run.log" | cut -d' ' -f2) s"
done
