"""scikit-learn's side of the benchmark: ``MLPClassifier`` with ``warm_start=True`` and
``max_iter=1``, so that each ``fit`` call is one epoch of Adam. Only the MLP and the latency
workloads (scikit-learn has no convolution or recurrent layers); any other workload reports
``"skipped"``. Run by ``bench/run.py``; see ``common.py`` for the protocol."""
from __future__ import annotations

import json
import random
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

TASK = common.read_task()
common.pin_threads(TASK.get("threads", 2))

import numpy  # noqa: E402
import sklearn  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402  (a dependency of scikit-learn)


def build(batch_size: int, seed: int) -> MLPClassifier:
    """784 -> 256 relu -> 128 relu -> 10 softmax, Adam 1e-3; one epoch per ``fit`` call."""
    return MLPClassifier(hidden_layer_sizes=(256, 128), activation="relu", solver="adam",
                         learning_rate_init=1e-3, batch_size=batch_size, random_state=seed,
                         max_iter=1, warm_start=True, shuffle=True, tol=0,
                         n_iter_no_change=10**9)


def train(task: dict) -> None:
    random.seed(task["seed"])
    numpy.random.seed(task["seed"])
    (x_train, y_train), (x_test, y_test) = common.load_mnist(task, (784,))
    classifier = build(task["batch_size"], task["seed"])
    warmup = 1 if task.get("warmup") else 0
    epoch_seconds = []
    for _ in range(warmup + task["epochs"]):
        start = time.perf_counter()
        classifier.fit(x_train, y_train)
        epoch_seconds.append(time.perf_counter() - start)
    accuracy = None
    if task.get("evaluate"):
        accuracy = float(numpy.mean(classifier.predict(x_test) == y_test))
    common.report(task, "scikit-learn", sklearn.__version__, epoch_seconds[warmup:], accuracy)


def latency(task: dict) -> None:
    """``predict_proba`` on one sample, the classifier fitted for 1 iteration on 1000 samples
    (random pixels, every class present: the prediction's cost does not depend on them)."""
    numpy.random.seed(task["seed"])
    rng = numpy.random.default_rng(task["seed"])
    x = rng.random((1000, 784), dtype=numpy.float32)
    y = numpy.arange(1000) % 10
    classifier = build(min(task.get("batch_size") or 200, 1000), task["seed"])
    classifier.fit(x, y)
    sample = numpy.random.default_rng(0).random((1, 784), dtype=numpy.float32)
    predict_us = common.median_microseconds(lambda: classifier.predict_proba(sample))
    common.report(task, "scikit-learn", sklearn.__version__, predict_us=predict_us)


def skip(task: dict) -> None:
    print(json.dumps({"framework": "scikit-learn", "version": sklearn.__version__,
                      "workload": task["workload"], "batch_size": task.get("batch_size"),
                      "epoch_seconds": [], "test_accuracy": None, "extra": {},
                      "skipped": f"scikit-learn has no {task['workload']} model "
                                 "(MLPClassifier only: workloads mlp and latency)"}), flush=True)


if __name__ == "__main__":
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    with threadpool_limits(limits=TASK.get("threads", 2)):
        {"mlp": train, "latency": latency}.get(TASK["workload"], skip)(TASK)
