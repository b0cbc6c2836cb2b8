"""Epoch time of the MNIST MLP (784-256-128-10, Adam, float32) trained data-parallel over MPI.

    mpiexec -n 1 python bench/mnist_mlp_distributed.py --batch-size 128
    mpiexec -n 2 python bench/mnist_mlp_distributed.py --batch-size 64    # same global batch

``--batch-size`` is per rank. Rank 0 prints each epoch's wall time, the test accuracy and the
median epoch time. Set OMP_NUM_THREADS / OPENBLAS_NUM_THREADS per rank (1 on a 2-core machine).
"""
from __future__ import annotations

import argparse
import os
import statistics
import time

import axon
from axon.layers import Dense


class EpochTimer(axon.callbacks.Callback):
    def __init__(self) -> None:
        super().__init__()
        self.seconds: list[float] = []

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self._start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch-size", type=int, default=128, help="per rank")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--data-dir", default=os.environ.get("AXON_DATA_DIR"))
    args = parser.parse_args()
    axon.distributed.init()
    (x_train, y_train), (x_test, y_test) = axon.datasets.mnist.load_data(path=args.data_dir)
    x_train = x_train.reshape(-1, 784).astype("float32") / 255
    x_test = x_test.reshape(-1, 784).astype("float32") / 255
    axon.utils.set_random_seed(0)
    model = axon.Sequential([axon.Input(shape=(784,)), Dense(256, activation="relu"),
                             Dense(128, activation="relu"), Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    timer = EpochTimer()
    model.fit(x_train, y_train, epochs=args.epochs, batch_size=args.batch_size, verbose=0,
              callbacks=[timer], distributed=True)
    _, accuracy = model.evaluate(x_test, y_test, batch_size=1024, verbose=0)
    if axon.distributed.is_main():
        ranks = axon.distributed.size()
        print(f"{ranks} rank(s), batch {args.batch_size} per rank ({ranks * args.batch_size} "
              f"global): epochs {', '.join(f'{s:.2f}' for s in timer.seconds)} s; median "
              f"{statistics.median(timer.seconds):.2f} s; test accuracy {accuracy:.4f}")


if __name__ == "__main__":
    main()
