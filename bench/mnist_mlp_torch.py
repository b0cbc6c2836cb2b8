"""Peer of ``bench/mnist_mlp.py``: the same MLP in PyTorch (CPU), the usual eager training loop.

Same data, architecture (784-256-128-10 relu), Adam 1e-3 (PyTorch's epsilon 1e-8), batch 128,
float32, shuffled every epoch. Run it in an environment with torch installed
(``pip install torch==2.13.0`` gives the CPU build); axon does not depend on it.

    python bench/mnist_mlp_torch.py --seeds 0 --epochs 10
"""
from __future__ import annotations

import argparse
import gzip
import statistics
import time
from pathlib import Path

import numpy
import torch

ROOT = Path(__file__).resolve().parents[1]


def read_idx(path: Path) -> numpy.ndarray:
    raw = gzip.decompress(path.read_bytes())
    ndim = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    return numpy.frombuffer(raw, dtype=numpy.uint8, offset=4 + 4 * ndim).reshape(shape)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=str(ROOT.parent / "shared" / "datasets" / "mnist"))
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=128)
    args = parser.parse_args()
    folder = Path(args.data_dir)
    x_train = torch.from_numpy(read_idx(folder / "train-images-idx3-ubyte.gz").reshape(-1, 784)
                               .astype("float32") / 255)
    y_train = torch.from_numpy(read_idx(folder / "train-labels-idx1-ubyte.gz").astype("int64"))
    x_test = torch.from_numpy(read_idx(folder / "t10k-images-idx3-ubyte.gz").reshape(-1, 784)
                              .astype("float32") / 255)
    y_test = torch.from_numpy(read_idx(folder / "t10k-labels-idx1-ubyte.gz").astype("int64"))
    epoch_times = []
    for seed in args.seeds:
        torch.manual_seed(seed)
        model = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(),
                                    torch.nn.Linear(256, 128), torch.nn.ReLU(),
                                    torch.nn.Linear(128, 10))
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
        loss_fn = torch.nn.CrossEntropyLoss()
        for epoch in range(args.epochs):
            start = time.perf_counter()
            model.train()
            order = torch.randperm(len(x_train))
            for begin in range(0, len(x_train), args.batch_size):
                index = order[begin:begin + args.batch_size]
                optimizer.zero_grad()
                loss = loss_fn(model(x_train[index]), y_train[index])
                loss.backward()
                optimizer.step()
            epoch_times.append(time.perf_counter() - start)
            model.eval()
            with torch.no_grad():
                accuracy = (model(x_test).argmax(1) == y_test).float().mean().item()
            print(f"seed {seed} epoch {epoch + 1:2d}: {epoch_times[-1]:6.2f} s, "
                  f"test accuracy {accuracy:.4f}", flush=True)
    print(f"median epoch seconds: {statistics.median(epoch_times):.3f} "
          f"(torch {torch.__version__}, {torch.get_num_threads()} threads)")


if __name__ == "__main__":
    main()
