"""Runs the official BSPM code (github.com/jeongwhanchoi/BSPM, its bspm/ folder) unchanged with Debian's python3-torch.

usage: bspm_official.py CODE_DIR [main.py's arguments ...]
       bspm_official.py --self-check

CODE_DIR is a copy of the official bspm/ folder whose ../data/gowalla holds the split (train.txt, test.txt). The
official code imports packages that Debian does not ship or that this run does not use; each is taken as installed
when it imports, else replaced here by a stand-in:
  torchdiffeq.odeint   the fixed-grid solvers BSPM calls: 'euler' and 'rk4', which torchdiffeq implements as Kutta's
                       3/8 rule; one step per interval of t (no step_size option), the state at every point of t
  sparsesvd.sparsesvd  SVDLIBC's truncated SVD, replaced by ARPACK's (scipy.sparse.linalg.svds) with the singular
                       triplets in descending order; BSPM uses only vtᵀvt, which does not depend on signs or order
  torch.utils.tensorboard, sklearn.metrics, pandas: unused on this run (no tensorboard, no AUC, no LastFM)
  torch.cuda.Event, torch.cuda.synchronize: the test loop's GPU timers, no-ops without CUDA
--self-check compares the two numerical stand-ins with what they stand for on a small random graph: the RK4 step of
dr/dt = -rP with the degree-4 Taylor polynomial it equals for a linear ODE, the SVD's projector with a dense SVD's.
Procedure.Test (BSPM's fit, the scoring of every test user and the metrics) is timed and printed as TEST_SECONDS.
main.py also builds LightGCN, which BSPM's test does not use, and LightGCN builds its normalized adjacency through a
dictionary-of-keys matrix unless ../data/gowalla/s_pre_adj_mat.npz exists: about 15 GB and minutes on Gowalla. The
same matrix (D^-1/2 A D^-1/2 of the user-item graph, float32 CSR) is written there first, with sparse products."""
import importlib, math, os, sys, time, types

import numpy as np
import torch


ONE_THIRD, TWO_THIRDS = 1 / 3, 2 / 3


def odeint(func, y0, t, method='euler', **unused):
    """torchdiffeq's fixed-grid odeint for a tensor state: one step of `method` between consecutive points of t."""
    if method not in ('euler', 'rk4'):
        raise NotImplementedError(f"the stand-in for torchdiffeq has only the fixed-grid 'euler' and 'rk4', not {method!r}")
    states = [y0]
    y = y0
    for t0, t1 in zip(t[:-1], t[1:]):
        dt = t1 - t0
        if method == 'euler':
            dy = dt * func(t0, y)
        else:  # Kutta's 3/8 rule, torchdiffeq's 'rk4', with its operations in its order (the same float32 roundings)
            k1 = func(t0, y)
            k2 = func(t0 + dt * ONE_THIRD, y + dt * k1 * ONE_THIRD)
            k3 = func(t0 + dt * TWO_THIRDS, y + dt * (k2 - k1 * ONE_THIRD))
            k4 = func(t1, y + dt * (k1 - k2 + k3))
            dy = (k1 + 3 * (k2 + k3) + k4) * dt * 0.125
        y = y + dy
        states.append(y)
    return torch.stack(states)


def sparsesvd(matrix, k):
    """(ut, s, vt) of the k largest singular triplets, as sparsesvd returns them (ut: k x rows, vt: k x columns)."""
    from scipy.sparse.linalg import svds
    u, s, vt = svds(matrix.astype(np.float64), k=k)
    order = np.argsort(-s)
    return u[:, order].T, s[order], vt[order]


def stand_in(name, **members):
    """Installs `members` as module `name` unless the real module imports; True when the stand-in is used."""
    try:
        importlib.import_module(name)
        return False
    except ImportError:
        module = types.ModuleType(name)
        module.__dict__.update(members)
        sys.modules[name] = module
        parent, _, child = name.rpartition('.')
        if parent:
            setattr(sys.modules[parent], child, module)
        return True


class _Unused:
    def __init__(self, *args, **kwargs):
        pass

    def __getattr__(self, name):
        return lambda *args, **kwargs: None


class _NoTimer:
    def __init__(self, *args, **kwargs):
        pass

    def record(self, *args):
        pass

    def elapsed_time(self, other):
        return 0.0


def self_check():
    import scipy.sparse as sp
    rng = np.random.default_rng(0)
    r = sp.random(60, 80, density=0.1, random_state=1, format='csr')
    r.data[:] = 1
    rows, cols = np.asarray(r.sum(1)).ravel(), np.asarray(r.sum(0)).ravel()
    norm = sp.diags(np.where(rows > 0, rows, 1) ** -0.5) @ r @ sp.diags(np.where(cols > 0, cols, 1) ** -0.5)
    p = (norm.T @ norm).toarray()
    y0 = torch.tensor(rng.random((5, 80)), dtype=torch.float64)
    tau = 2.5
    stepped = odeint(lambda t, y: -(y @ torch.tensor(p)), y0, torch.tensor([0.0, tau], dtype=torch.float64), method='rk4')[-1].numpy()
    taylor = sum(np.linalg.matrix_power(-tau * p, j) / math.factorial(j) for j in range(5))
    print(f'rk4 step vs degree-4 Taylor polynomial: max |difference| {np.abs(stepped - y0.numpy() @ taylor).max():.2e}')
    _, _, vt = sparsesvd(norm.tocsc(), 12)
    _, _, dense_vt = np.linalg.svd(norm.toarray())
    difference = np.abs(vt.T @ vt - dense_vt[:12].T @ dense_vt[:12]).max()
    print(f'svds projector vs dense SVD projector (k = 12): max |difference| {difference:.2e}')


def write_lightgcn_adjacency(folder):
    """LightGCN's s_pre_adj_mat.npz for the split in `folder`, as the official dataloader's getSparseGraph makes it."""
    import scipy.sparse as sp
    path = os.path.join(folder, 's_pre_adj_mat.npz')
    if os.path.exists(path):
        return
    pairs, users, items = [], 0, 0
    for name in ('train.txt', 'test.txt'):
        for line in open(os.path.join(folder, name)):
            ids = [int(i) for i in line.split()]
            if len(ids) > 1:
                users, items = max(users, ids[0] + 1), max(items, max(ids[1:]) + 1)
                if name == 'train.txt':
                    pairs += [(ids[0], i) for i in ids[1:]]
    rows, cols = np.array(pairs).T
    r = sp.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(users, items))
    adjacency = sp.bmat([[None, r], [r.T, None]], format='csr', dtype=np.float32)
    degrees = np.asarray(adjacency.sum(axis=1)).ravel()
    scale = np.zeros_like(degrees)
    scale[degrees > 0] = degrees[degrees > 0] ** -0.5
    sp.save_npz(path, (sp.diags(scale) @ adjacency @ sp.diags(scale)).tocsr())


def main():
    if sys.argv[1:] == ['--self-check']:
        self_check()
        return
    code = os.path.abspath(sys.argv[1])
    sys.argv = [os.path.join(code, 'main.py')] + sys.argv[2:]
    sys.path.insert(0, code)
    os.chdir(code)
    write_lightgcn_adjacency(os.path.join(code, '..', 'data', 'gowalla'))
    used = [name for name, members in [
        ('torchdiffeq', {'odeint': odeint}),
        ('sparsesvd', {'sparsesvd': sparsesvd}),
        ('torch.utils.tensorboard', {'SummaryWriter': _Unused}),
        ('sklearn', {}),
        ('sklearn.metrics', {'roc_auc_score': _Unused}),
        ('pandas', {}),
    ] if stand_in(name, **members)]
    print('stand-ins for', ', '.join(used) if used else 'nothing')
    if not torch.cuda.is_available():
        torch.cuda.Event, torch.cuda.synchronize = _NoTimer, lambda *args: None
    import Procedure
    test = Procedure.Test

    def timed_test(*args, **kwargs):
        started = time.time()
        results = test(*args, **kwargs)
        print(f'TEST_SECONDS {time.time() - started:.1f}')
        return results

    Procedure.Test = timed_test
    import runpy
    runpy.run_path(sys.argv[0], run_name='__main__')


if __name__ == '__main__':
    main()
