"""Runs the reference LightGCN-PyTorch code on one split for EPOCHS epochs and writes what GraphRec's replay needs:
the initial embeddings (init.txt, users then items, one row per node), every batch of sampled triples in training
order (batches.txt, one batch per line: user positive negative user positive negative ...), the embeddings after
training (final.txt), and the reference's own test metrics (printed as FINAL).
usage: dump_reference.py REFERENCE_CODE_DIR OUT_DIR SEED [EPOCHS]   (REFERENCE_CODE_DIR/../data/gowalla holds the split)"""
import os, sys
code, out, seed = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2]), sys.argv[3]
epochs = int(sys.argv[4]) if len(sys.argv) > 4 else 50
sys.path.insert(0, code)
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'stubs'))
os.chdir(code)
sys.argv = ['main.py', '--dataset', 'gowalla', '--layer', '3', '--recdim', '64', '--lr', '0.005', '--decay', '1e-4', '--bpr_batch', '1024',
            '--epochs', str(epochs), '--seed', seed, '--topks', '[10]', '--testbatch', '100', '--tensorboard', '0', '--multicore', '0']
import numpy as np, torch
import world, utils, register, Procedure
from register import dataset
utils.set_seed(world.seed)
model = register.MODELS[world.model_name](world.config, dataset)
bpr = utils.BPRLoss(model, world.config)
os.makedirs(out, exist_ok=True)
embeddings = lambda: torch.cat([model.embedding_user.weight, model.embedding_item.weight]).detach().numpy()
np.savetxt(f'{out}/init.txt', embeddings())
model.train()
with open(f'{out}/batches.txt', 'w') as f:
    for epoch in range(epochs):   # Procedure.BPR_train_original's sampling, shuffling and batching
        S = utils.UniformSample_original(dataset)
        users, pos, neg = utils.shuffle(torch.Tensor(S[:, 0]).long(), torch.Tensor(S[:, 1]).long(), torch.Tensor(S[:, 2]).long())
        for (u, p, n) in utils.minibatch(users, pos, neg, batch_size=world.config['bpr_batch_size']):
            f.write(' '.join(map(str, np.stack([u.numpy(), p.numpy(), n.numpy()], 1).reshape(-1))) + '\n')
            bpr.stageOne(u, p, n)
np.savetxt(f'{out}/final.txt', embeddings())
print('users', dataset.n_users, 'items', dataset.m_items)
print('FINAL', Procedure.Test(dataset, model, epochs, None, 0))
