"""axon's side of the benchmark: the workloads as a user writes them (``fit`` with a callback
that times each epoch). Run by ``bench/run.py``; see ``common.py`` for the protocol."""
from __future__ import annotations

import os
import resource
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

TASK = common.read_task()
common.pin_threads(TASK.get("threads", 2))


import axon  # noqa: E402
from axon import layers  # noqa: E402


class EpochTimer(common.EpochTimes, axon.callbacks.Callback):
    """Times each epoch (see ``common.EpochTimes``)."""


def version() -> str:
    """axon's version, and whether its compiled kernels (the ``fast`` extra) were in use."""
    from axon import kernels

    return axon.__version__ + (" with numba kernels" if kernels.get() is not None else
                               " (NumPy only)")


def build(workload: str) -> axon.Model:
    if workload in ("mlp", "latency", "memory"):
        stack = [axon.Input(shape=(784,)), layers.Dense(256, activation="relu"),
                 layers.Dense(128, activation="relu")]
    elif workload == "cnn":
        stack = [axon.Input(shape=(28, 28, 1)), layers.Conv2D(32, 3, activation="relu"),
                 layers.MaxPooling2D(2), layers.Conv2D(64, 3, activation="relu"),
                 layers.MaxPooling2D(2), layers.Flatten(), layers.Dense(128, activation="relu")]
    elif workload == "lstm":
        stack = [axon.Input(shape=(28, 28)), layers.LSTM(128)]
    else:
        raise SystemExit(f"axon_worker: unknown workload {workload!r}")
    model = axon.Sequential(stack + [layers.Dense(10, activation="softmax")])
    model.compile(optimizer=axon.optimizers.Adam(learning_rate=1e-3),
                  loss="sparse_categorical_crossentropy")
    return model


SHAPES = {"mlp": (784,), "cnn": (28, 28, 1), "lstm": (28, 28), "memory": (784,)}


def train(task: dict) -> None:
    axon.utils.set_random_seed(task["seed"])
    data = common.load_mnist(task, SHAPES[task["workload"]])
    common.fit_and_report(task, "axon", version(), build(task["workload"]), data, EpochTimer())


def latency(task: dict) -> None:
    axon.utils.set_random_seed(task["seed"])
    common.latency_and_report(task, "axon", version(), build("latency"))


def _resident_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def memory(task: dict) -> None:
    """Peak memory while training the MLP one epoch, then the resident memory over 50 repeated
    ``fit``/``predict`` calls on the same model (it must stay flat)."""
    axon.utils.set_random_seed(task["seed"])
    (x_train, y_train), (x_test, _) = common.load_mnist(task, SHAPES["memory"])
    before_mb = _resident_mb()
    model = build("memory")
    model.fit(x_train, y_train, batch_size=task["batch_size"], epochs=1, verbose=0)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    repeats = task.get("repeats", 50)
    chunk = min(len(x_train), 2048)
    resident = []
    for _ in range(repeats):
        model.fit(x_train[:chunk], y_train[:chunk], batch_size=task["batch_size"], epochs=1,
                  verbose=0)
        model.predict(x_test[:1000], verbose=0)
        resident.append(_resident_mb())
    common.report(task, "axon", version(), data_mb=before_mb, peak_training_mb=peak_mb,
                  resident_mb_after_call=[round(m, 2) for m in resident],
                  growth_mb_from_call_10=round(resident[-1] - resident[min(9, repeats - 1)], 2))


if __name__ == "__main__":
    {"latency": latency, "memory": memory}.get(TASK["workload"], train)(TASK)
