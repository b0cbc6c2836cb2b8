"""The NumPy floor for the MNIST MLP: the same training step written by hand in NumPy.

MLP 784-256-128-10 (ReLU, softmax cross-entropy, Adam 1e-3), float32, no framework: forward,
backward and Adam in place, with as few temporaries as NumPy allows. Its epoch time is what
axon's step costs with zero overhead; BENCHMARKS.md compares the two.

    python bench/numpy_mlp_floor.py --batch-size 128 --epochs 4
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy

import axon

ROOT = Path(__file__).resolve().parents[1]


def train(x, y, batch_size: int, epochs: int, seed: int) -> tuple[list[float], list]:
    rng = numpy.random.default_rng(seed)
    sizes = [(784, 256), (256, 128), (128, 10)]
    kernels = [(rng.standard_normal(s, dtype=numpy.float32) * numpy.sqrt(2 / s[0])).astype(
        numpy.float32) for s in sizes]
    biases = [numpy.zeros(s[1], numpy.float32) for s in sizes]
    params = kernels + biases
    first = [numpy.zeros_like(p) for p in params]
    second = [numpy.zeros_like(p) for p in params]
    lr, beta_1, beta_2, epsilon, step = 1e-3, 0.9, 0.999, 1e-7, 0
    seconds = []
    for _ in range(epochs):
        start = time.perf_counter()
        order = rng.permutation(len(x))
        for begin in range(0, len(x), batch_size):
            index = order[begin:begin + batch_size]
            xb, yb = x[index], y[index]
            h1 = xb @ kernels[0]
            h1 += biases[0]
            numpy.maximum(h1, 0, out=h1)
            h2 = h1 @ kernels[1]
            h2 += biases[1]
            numpy.maximum(h2, 0, out=h2)
            z = h2 @ kernels[2]
            z += biases[2]
            z -= z.max(axis=1, keepdims=True)
            numpy.exp(z, out=z)
            z /= z.sum(axis=1, keepdims=True)
            z[numpy.arange(len(yb)), yb] -= 1  # dL/dz of the mean cross-entropy, times n
            z /= len(yb)
            d2 = z @ kernels[2].T
            d2 *= h2 > 0
            d1 = d2 @ kernels[1].T
            d1 *= h1 > 0
            grads = [xb.T @ d1, h1.T @ d2, h2.T @ z, d1.sum(0), d2.sum(0), z.sum(0)]
            step += 1
            alpha = lr * numpy.sqrt(1 - beta_2**step) / (1 - beta_1**step)
            for p, g, m, v in zip(params, grads, first, second):
                m *= beta_1
                m += (1 - beta_1) * g
                v *= beta_2
                g *= g
                g *= 1 - beta_2
                v += g
                update = numpy.sqrt(v)
                update += epsilon
                numpy.divide(m, update, out=update)
                update *= alpha
                p -= update
        seconds.append(time.perf_counter() - start)
    return seconds, params


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data-dir", default=str(ROOT.parent / "shared" / "datasets" / "mnist"))
    args = parser.parse_args()
    (x, y), (x_test, y_test) = axon.datasets.mnist.load_data(path=args.data_dir)

    def prepare(images):
        return numpy.ascontiguousarray(images.reshape(-1, 784).astype(numpy.float32) / 255.0)

    seconds, params = train(prepare(x), y.astype(numpy.int64), args.batch_size, args.epochs,
                            args.seed)
    hidden = prepare(x_test)
    for kernel, bias in zip(params[:2], params[3:5]):
        hidden = numpy.maximum(hidden @ kernel + bias, 0)
    predicted = (hidden @ params[2] + params[5]).argmax(axis=1)
    print("epoch seconds:", " ".join(f"{s:.3f}" for s in seconds),
          f"| test accuracy {numpy.mean(predicted == y_test):.4f}")


if __name__ == "__main__":
    main()
