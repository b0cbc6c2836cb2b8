"""What every benchmark worker shares: reading the task, loading MNIST, reporting the result.

A worker is run as ``python bench/workers/<framework>_worker.py '<task json>'`` and prints one
JSON object on its last line of output (see ``bench/run.py`` for the task's keys).
"""
from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path


def read_task() -> dict:
    """The task given as the first command-line argument (a JSON object)."""
    if len(sys.argv) != 2:
        raise SystemExit(f"usage: {Path(sys.argv[0]).name} '<task json>'")
    return json.loads(sys.argv[1])


def pin_threads(threads: int) -> None:
    """Ask the BLAS and OpenMP pools for ``threads`` threads (before NumPy is imported)."""
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(name, str(threads))


def load_mnist(task: dict, shape: tuple[int, ...]):
    """MNIST as float32 in [0, 1] with samples of ``shape``, and int64 labels, cut to the task's
    ``train_samples``/``test_samples``: ``(x_train, y_train), (x_test, y_test)``."""
    import numpy

    import axon

    (x_train, y_train), (x_test, y_test) = axon.datasets.mnist.load_data(
        path=Path(task["data_dir"]) / "mnist")
    train, test = task.get("train_samples"), task.get("test_samples")
    x_train, y_train = x_train[:train], y_train[:train]
    x_test, y_test = x_test[:test], y_test[:test]

    def prepare(x):
        return numpy.ascontiguousarray(x.reshape((-1, *shape)).astype(numpy.float32) / 255.0)

    return ((prepare(x_train), y_train.astype(numpy.int64)),
            (prepare(x_test), y_test.astype(numpy.int64)))


class EpochTimes:
    """Mixed into a framework's callback class: the wall time of each epoch's training
    (``on_epoch_begin`` to ``on_epoch_end``) in ``self.seconds``."""

    def on_epoch_begin(self, epoch, logs=None):
        self.__dict__.setdefault("seconds", [])
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self._start)


def median_microseconds(function, repeats: int = 200, warmup: int = 20) -> float:
    """The median wall time of ``function()`` in microseconds, after ``warmup`` untimed calls."""
    for _ in range(warmup):
        function()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e6


def fit_and_report(task: dict, framework: str, version: str, model, data, timer) -> None:
    """For the Keras-style APIs (axon, Keras): ``fit`` for the task's epochs (plus a warm-up
    epoch if asked) with ``timer`` (an ``EpochTimes`` callback), the test accuracy if asked,
    then the report."""
    import numpy

    (x_train, y_train), (x_test, y_test) = data
    warmup = 1 if task.get("warmup") else 0
    model.fit(x_train, y_train, batch_size=task["batch_size"], epochs=warmup + task["epochs"],
              shuffle=True, verbose=0, callbacks=[timer])
    accuracy = None
    if task.get("evaluate"):
        predictions = model.predict(x_test, batch_size=1000, verbose=0)
        accuracy = float(numpy.mean(predictions.argmax(axis=1) == y_test))
    report(task, framework, version, timer.seconds[warmup:], accuracy)


def latency_and_report(task: dict, framework: str, version: str, model) -> None:
    """For the Keras-style APIs: one-sample ``model.predict(x)`` and ``model(x)`` latency."""
    import numpy

    sample = numpy.random.default_rng(0).random((1, 784), dtype=numpy.float32)
    predict_us = median_microseconds(lambda: model.predict(sample, verbose=0))
    call_us = median_microseconds(lambda: model(sample, training=False))
    report(task, framework, version, predict_us=predict_us, call_us=call_us)


def report(task: dict, framework: str, version: str, epoch_seconds: list[float] | None = None,
           test_accuracy: float | None = None, **extra) -> None:
    """Print the result line the orchestrator reads."""
    print(json.dumps({"framework": framework, "version": version, "workload": task["workload"],
                      "batch_size": task.get("batch_size"), "epoch_seconds": epoch_seconds or [],
                      "test_accuracy": test_accuracy, "extra": extra}), flush=True)
