"""MNIST MLP 784-256-128-10 (relu, Adam 1e-3, batch 128, float32): accuracy and epoch time.

The foundation issue's acceptance run. Reads the IDX files from ``--data-dir`` (default
``../shared/datasets/mnist``), trains for ``--epochs`` epochs per seed, and prints, per epoch, the
wall time of the epoch's training and the test accuracy after it. Writes a JSON summary too.

    python bench/mnist_mlp.py --seeds 0 1 2 --json bench/results/mnist_mlp.json
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from pathlib import Path

import numpy

import axon

ROOT = Path(__file__).resolve().parents[1]


def train_one_seed(data, seed: int, epochs: int, batch_size: int) -> dict:
    (x_train, y_train), (x_test, y_test) = data
    axon.utils.set_random_seed(seed)
    model = axon.Sequential([
        axon.Input(shape=(784,)),
        axon.layers.Dense(256, activation="relu"),
        axon.layers.Dense(128, activation="relu"),
        axon.layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer=axon.optimizers.Adam(learning_rate=1e-3),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    epoch_seconds, accuracies = [], []
    for epoch in range(epochs):
        start = time.perf_counter()
        model.fit(x_train, y_train, epochs=epoch + 1, initial_epoch=epoch,
                  batch_size=batch_size, verbose=0)
        epoch_seconds.append(time.perf_counter() - start)
        accuracies.append(float(model.evaluate(x_test, y_test, batch_size=1024, verbose=0)[1]))
        print(f"seed {seed} epoch {epoch + 1:2d}: {epoch_seconds[-1]:6.2f} s, "
              f"test accuracy {accuracies[-1]:.4f}", flush=True)
    return {"seed": seed, "epoch_seconds": epoch_seconds, "test_accuracy": accuracies}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=str(ROOT.parent / "shared" / "datasets" / "mnist"))
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--json", default=None, help="where to write the JSON summary")
    args = parser.parse_args()

    (x_train, y_train), (x_test, y_test) = axon.datasets.mnist.load_data(path=args.data_dir)
    data = ((x_train.reshape(-1, 784).astype("float32") / 255, y_train),
            (x_test.reshape(-1, 784).astype("float32") / 255, y_test))
    runs = [train_one_seed(data, seed, args.epochs, args.batch_size) for seed in args.seeds]
    summary = {
        "workload": "MNIST MLP 784-256-128-10 relu, Adam 1e-3, float32",
        "batch_size": args.batch_size, "epochs": args.epochs,
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
        "median_epoch_seconds": statistics.median(s for r in runs for s in r["epoch_seconds"][1:]
                                                  or r["epoch_seconds"]),
        "final_test_accuracy": [r["test_accuracy"][-1] for r in runs],
        "best_test_accuracy_within_epochs": [max(r["test_accuracy"]) for r in runs],
        "runs": runs,
    }
    print(json.dumps({k: v for k, v in summary.items() if k != "runs"}, indent=2))
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(summary, indent=2))


if __name__ == "__main__":
    numpy.set_printoptions(precision=4)
    main()
