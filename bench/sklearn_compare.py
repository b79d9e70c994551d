"""BENCHMARK ONLY (not part of the project, which needs no Python, and not a test): times
scikit-learn's HistGradientBoostingClassifier on exactly the rows and parameters our TypeScript
trainer (lib/market/ml/gbdt.ts) gets in bench/ml-train.ts, as the reference the issue's speed target
is set against. Both read a set written by bench/trainSet.ts (BASE.json header + BASE.bin raw arrays):

    npx tsc -p tsconfig.json
    node dist/bench/ml-train.js --dump /tmp/synth                 # bench/ml-train.ts's synthetic data
    node dist/bench/dump-fold.js /tmp/fold500                     # one pooled fold of the 500-ticker sample
    OMP_NUM_THREADS=1 /usr/bin/python3 bench/sklearn_compare.py /tmp/synth   # one thread
    OMP_NUM_THREADS=2 /usr/bin/python3 bench/sklearn_compare.py /tmp/fold500 # two threads
    node dist/bench/ml-train.js --data /tmp/fold500               # ours on the same rows

Options: --rounds N overrides num_rounds; --repeat K fits K times; --lr-scale S multiplies the
learning rate (S = (C-1)/C gives scikit-learn the same step sizes as ours: our multiclass hessian
carries LightGBM's C/(C-1) factor, scikit-learn's does not).

Parameter mapping (header name -> scikit-learn): num_rounds -> max_iter, num_leaves ->
max_leaf_nodes, max_depth (<= 0: none) -> max_depth, min_data_in_leaf -> min_samples_leaf,
lambda_l2 -> l2_regularization, max_bin -> max_bins, learning_rate; no early stopping. Parameters
scikit-learn 1.2 has no equivalent of (bagging, feature_fraction) must be absent from the header.
Debian's python3-sklearn 1.2.1 is the reference; OPENBLAS_CORETYPE, when the environment sets it,
is left as it is (it affects BLAS, which this estimator does not use).
"""
import argparse
import json
import time

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import accuracy_score, log_loss

KNOWN = {"num_class", "num_rounds", "learning_rate", "num_leaves", "max_depth", "min_data_in_leaf", "lambda_l2", "max_bin", "seed"}


def read_set(base: str):
    with open(base + ".json") as fh:
        head = json.load(fh)
    if head.get("format") != "gbdt-trainset-v1":
        raise SystemExit(f"{base}.json: not a gbdt-trainset-v1 header")
    unknown = set(head["params"]) - KNOWN
    if unknown:
        raise SystemExit(f"{base}.json: parameters without a scikit-learn equivalent: {sorted(unknown)}")
    f, ntr, nte = head["f"], head["nTrain"], head["nTest"]
    raw = np.fromfile(base + ".bin", dtype=np.uint8)
    want = 8 * f * (ntr + nte) + 4 * (ntr + nte)
    if raw.size != want:
        raise SystemExit(f"{base}.bin: {raw.size} bytes, the header says {want}")
    at = 0

    def take(dtype, count):
        nonlocal at
        size = np.dtype(dtype).itemsize * count
        out = raw[at:at + size].view(dtype)
        at += size
        return out

    Xtr = take("<f8", ntr * f).reshape(ntr, f)
    Xte = take("<f8", nte * f).reshape(nte, f)
    ytr = take("<i4", ntr)
    yte = take("<i4", nte)
    return head, Xtr, ytr, Xte, yte


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("base")
    ap.add_argument("--rounds", type=int)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--lr-scale", type=float, default=1.0)
    a = ap.parse_args()
    head, Xtr, ytr, Xte, yte = read_set(a.base)
    p = head["params"]
    rounds = a.rounds or int(p["num_rounds"])
    depth = p.get("max_depth", -1)
    lr = p["learning_rate"] * a.lr_scale
    for _ in range(a.repeat):
        clf = HistGradientBoostingClassifier(
            max_iter=rounds, max_leaf_nodes=int(p["num_leaves"]), max_depth=int(depth) if depth > 0 else None,
            learning_rate=lr, max_bins=int(p.get("max_bin", 255)), min_samples_leaf=int(p.get("min_data_in_leaf", 20)),
            l2_regularization=float(p.get("lambda_l2", 0.0)), early_stopping=False, random_state=int(p.get("seed", 0)),
        )
        t0, c0 = time.perf_counter(), time.process_time()
        clf.fit(Xtr, ytr)
        secs, cpu = time.perf_counter() - t0, time.process_time() - c0
        probs = clf.predict_proba(Xte)
        print(
            f"sklearn: train {Xtr.shape[0]} x {Xtr.shape[1]} x {head['numClass']} classes x {rounds} iterations, "
            f"{int(p['num_leaves'])} leaves, lr {lr:g}: {secs:.2f} s (cpu {cpu:.2f} s); test {Xte.shape[0]} rows accuracy "
            f"{accuracy_score(yte, probs.argmax(1)):.4f}, log loss {log_loss(yte, probs, labels=list(range(head['numClass']))):.4f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
