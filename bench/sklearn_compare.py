"""BENCHMARK ONLY (not part of the project, which needs no Python): times scikit-learn's
HistGradientBoostingClassifier on the data of bench/ml-train.ts, as a reference for the
TypeScript histogram GBDT (lib/market/ml/gbdt.ts).

    npx tsc -p tsconfig.json && node dist/bench/ml-train.js /tmp/gbdt.csv       # also writes the CSV
    apt-get install -y python3-sklearn                                          # Debian's package
    OMP_NUM_THREADS=1 /usr/bin/python3 bench/sklearn_compare.py /tmp/gbdt.csv   # one thread
    /usr/bin/python3 bench/sklearn_compare.py /tmp/gbdt.csv                      # all cores

CSV rows: split (train|test), class, 30 features (empty = missing). Settings match the TS run:
200 iterations, 31 leaves, learning rate 0.1, 255 bins, min 20 rows per leaf, no L2, no early
stopping, no subsampling.
"""
import sys
import time

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import accuracy_score, log_loss


def main(path: str, rounds: int) -> None:
    split = np.loadtxt(path, delimiter=",", usecols=0, dtype=str)
    data = np.genfromtxt(path, delimiter=",", usecols=range(1, 32), missing_values="", filling_values=np.nan)
    y = data[:, 0].astype(int)
    X = data[:, 1:]
    train, test = split == "train", split == "test"
    clf = HistGradientBoostingClassifier(
        max_iter=rounds, max_leaf_nodes=31, learning_rate=0.1, max_bins=255, min_samples_leaf=20,
        l2_regularization=0.0, early_stopping=False, random_state=7,
    )
    t0 = time.perf_counter()
    clf.fit(X[train], y[train])
    secs = time.perf_counter() - t0
    t1 = time.perf_counter()
    probs = clf.predict_proba(X[test])
    pred_secs = time.perf_counter() - t1
    print(
        f"sklearn HistGradientBoostingClassifier: train {train.sum()} x {X.shape[1]} x 3 classes x {rounds} iterations, "
        f"31 leaves: {secs:.2f} s; predict {test.sum()} rows {pred_secs:.3f} s; "
        f"test accuracy {accuracy_score(y[test], probs.argmax(1)):.4f}, log loss {log_loss(y[test], probs):.4f}"
    )


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 200)
