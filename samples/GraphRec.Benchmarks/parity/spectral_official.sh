#!/bin/bash
# The official BSPM and ChebyCF code beside GraphRec's SpectralFilterOptions.Bspm() and ChebyCf() on Gowalla in the
# LightGCN paper's split, in turn, on CPU: Recall/NDCG/Precision@20, wall seconds and peak resident memory of each
# (GNU time's "Maximum resident set size"). The official code runs with its published Gowalla recipe:
#   BSPM (bspm/, its README's CPU command): --simple_model bspm --solver_shr rk4 --K_s 1 --T_s 2.5
#         --final_sharpening True --idl_beta 0.2 --factor_dim 448, with --tensorboard 0 (logging only)
#   ChebyCF: --config chebycf_gowalla (K 8, phi 1.5, eta 512, alpha 0.2, beta 0.4) with --device cpu and
#         --metrics recall,ndcg,precision --top_ks 20 (what it reports, not what it computes)
# BSPM's main.py also builds LightGCN before it tests (its harness, not BSPM; bspm_official.py writes LightGCN's
# adjacency for it): that is in the process's time; TEST_SECONDS is BSPM's own (fit, scoring, metrics).
# On 2 cores the official scoring of all 29,858 test users takes about 45 CPU minutes for BSPM and about 40 for
# ChebyCF: TEST_USERS=N keeps the first N lines of test.txt (for every run, in $WORK/split), which compares the
# implementations user for user on those users in a fraction of the time (not a multiple of 100: the official BSPM
# test loop asserts a batch count that is then one too many).
#
# Needs: Debian's python3-torch, python3-scipy, python3-yaml, python3-tqdm; checkouts of
# https://github.com/jeongwhanchoi/BSPM (commit c5cdcfa) in $BSPM and https://github.com/chanwoo0806/ChebyCF (commit
# 6961667) in $CHEBYCF; the datasets folder in $DATA (its gowalla/ holds train.txt and test.txt). Each code is copied
# to $WORK and reads the split through symbolic links. bspm_official.py runs BSPM's main.py with stand-ins for the
# packages Debian lacks (see it; `bspm_official.py --self-check` checks them). MODELS picks the models (default
# "bspm chebycf").
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
BSPM=${BSPM:-}
CHEBYCF=${CHEBYCF:-}
DATA=$(realpath "${DATA:-$here/../../../../shared/datasets}")
work=${WORK:-/tmp/graphrec-spectral-official}
mkdir -p "$work"
if [ -n "${TEST_USERS:-}" ]; then
  rm -rf "$work/split" && mkdir -p "$work/split/gowalla"
  ln -s "$DATA/gowalla/train.txt" "$work/split/gowalla/"
  head -n "$TEST_USERS" "$DATA/gowalla/test.txt" > "$work/split/gowalla/test.txt"
  DATA=$work/split
fi
GOWALLA=$DATA/gowalla
dotnet build "$here/.." -c Release -o "$work/benchmarks" > /dev/null

measured() {   # the wall time and peak memory of a GNU time -v log
  awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; wall = s }
    /Maximum resident set size/ { rss = $2 } END { printf "%.0f s, peak %.0f MB", wall, rss / 1024 }' "$1"
}

for model in ${MODELS:-bspm chebycf}; do
  case $model in
    bspm)
      : "${BSPM:?set BSPM to a checkout of the official BSPM code}"
      rm -rf "$work/bspm" && mkdir -p "$work/bspm/data/gowalla"
      cp -r "$BSPM/bspm" "$work/bspm/code"
      ln -s "$(realpath "$GOWALLA/train.txt")" "$(realpath "$GOWALLA/test.txt")" "$work/bspm/data/gowalla/"
      (cd "$work/bspm/code" && OMP_NUM_THREADS=2 /usr/bin/time -v /usr/bin/python3 "$here/bspm_official.py" . --dataset gowalla \
        --topks "[20]" --simple_model bspm --solver_shr rk4 --K_s 1 --T_s 2.5 --final_sharpening True --idl_beta 0.2 \
        --factor_dim 448 --tensorboard 0) > "$work/official-bspm.log" 2>&1
      echo "bspm, official: $(grep "^{'precision'" "$work/official-bspm.log" | tr -s ' \n' ' ')"
      echo "bspm, official: $(measured "$work/official-bspm.log"); BSPM's own $(grep TEST_SECONDS "$work/official-bspm.log" | cut -d' ' -f2) s"
      ;;
    chebycf)
      : "${CHEBYCF:?set CHEBYCF to a checkout of the official ChebyCF code}"
      rm -rf "$work/chebycf" && mkdir -p "$work/chebycf/dataset/gowalla"
      cp -r "$CHEBYCF/main.py" "$CHEBYCF/src" "$CHEBYCF/config" "$work/chebycf/"
      ln -s "$(realpath "$GOWALLA/train.txt")" "$(realpath "$GOWALLA/test.txt")" "$work/chebycf/dataset/gowalla/"
      (cd "$work/chebycf" && OMP_NUM_THREADS=2 /usr/bin/time -v /usr/bin/python3 main.py --config chebycf_gowalla --device cpu \
        --metrics recall,ndcg,precision --top_ks 20) > "$work/official-chebycf.log" 2>&1
      echo "chebycf, official: $(grep -A1 'recall@20' "$work/official-chebycf.log" | sed 's/^.* | //' | tr -s ' \n' ' ')"
      echo "chebycf, official: $(measured "$work/official-chebycf.log"); fit $(grep -o 'Completed in [0-9.]*' "$work/official-chebycf.log" | cut -d' ' -f3) s"
      ;;
    *) echo "unknown model $model (bspm, chebycf)" >&2; exit 2 ;;
  esac
  /usr/bin/time -v "$work/benchmarks/GraphRec.Benchmarks" gowalla --data-dir "$DATA" --model "$model" \
    --output "$work/graphrec-$model.json" > "$work/graphrec-$model.log" 2>&1
  echo "$model, GraphRec: $(grep -E '^(recall|ndcg|precision)@20' "$work/graphrec-$model.log" | tr -s ' \n' ' ')"
  echo "$model, GraphRec: $(measured "$work/graphrec-$model.log"); $(grep -o 'preparation.*' "$work/graphrec-$model.log")"
done
