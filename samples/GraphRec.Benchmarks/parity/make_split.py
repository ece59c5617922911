"""ML-100K, every rating a positive, a 75/25 random split per user (the Microsoft Recommenders LightGCN notebook's
protocol), written as the LightGCN paper's edge lists (user item item ...), dense ids from 0. Test interactions of
items that never occur in train are left out of the files (no model can rank them; GraphRec drops them, the
reference code would count them as misses), and counted."""
import random, sys, collections, os
seed = int(sys.argv[1]); out = sys.argv[2]  # usage: make_split.py SEED OUT_FOLDER [u.data]
rows = [l.split('\t') for l in open(sys.argv[3] if len(sys.argv) > 3 else '../../../../shared/datasets/ml-100k/u.data')]
users = sorted({int(r[0]) for r in rows}); items = sorted({int(r[1]) for r in rows})
uid = {u: i for i, u in enumerate(users)}; iid = {m: i for i, m in enumerate(items)}
by_user = collections.defaultdict(set)
for r in rows:
    by_user[uid[int(r[0])]].add(iid[int(r[1])])
rng = random.Random(seed)
train, test = {}, {}
for u in range(len(users)):
    its = sorted(by_user[u]); rng.shuffle(its)
    k = round(len(its) * 0.75)
    train[u], test[u] = sorted(its[:k]), sorted(its[k:])
in_train = {i for u in train for i in train[u]}
dropped = sum(1 for u in test for i in test[u] if i not in in_train)
test = {u: [i for i in test[u] if i in in_train] for u in test}
os.makedirs(out, exist_ok=True)
with open(f'{out}/train.txt', 'w') as f:
    for u in range(len(users)):
        f.write(' '.join(map(str, [u] + train[u])) + '\n')
with open(f'{out}/test.txt', 'w') as f:
    for u in range(len(users)):
        if test[u]:
            f.write(' '.join(map(str, [u] + test[u])) + '\n')
print(f'seed {seed}: {sum(map(len, train.values()))} train, {sum(map(len, test.values()))} test, {dropped} test interactions of items never in train left out')
