"""Keras 3 on TensorFlow (CPU): the workloads as a Keras user writes them, ``compile`` then ``fit``
with a callback that times each epoch. Run by ``bench/run.py``; see ``common.py`` for the
protocol."""
from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

TASK = common.read_task()
common.pin_threads(TASK.get("threads", 2))
os.environ["KERAS_BACKEND"] = "tensorflow"
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"

import tensorflow as tf  # noqa: E402

tf.config.threading.set_intra_op_parallelism_threads(TASK.get("threads", 2))
tf.config.threading.set_inter_op_parallelism_threads(1)

import keras  # noqa: E402
from keras import layers  # noqa: E402


class EpochTimer(common.EpochTimes, keras.callbacks.Callback):
    """Times each epoch (see ``common.EpochTimes``)."""


def build(workload: str) -> keras.Model:
    if workload in ("mlp", "latency"):
        stack = [keras.Input(shape=(784,)), layers.Dense(256, activation="relu"),
                 layers.Dense(128, activation="relu")]
    elif workload == "cnn":
        stack = [keras.Input(shape=(28, 28, 1)), layers.Conv2D(32, 3, activation="relu"),
                 layers.MaxPooling2D(2), layers.Conv2D(64, 3, activation="relu"),
                 layers.MaxPooling2D(2), layers.Flatten(), layers.Dense(128, activation="relu")]
    elif workload == "lstm":
        stack = [keras.Input(shape=(28, 28)), layers.LSTM(128)]
    else:
        raise SystemExit(f"keras_worker: unknown workload {workload!r}")
    model = keras.Sequential(stack + [layers.Dense(10, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3),
                  loss="sparse_categorical_crossentropy")
    return model


SHAPES = {"mlp": (784,), "cnn": (28, 28, 1), "lstm": (28, 28)}


def version() -> str:
    return f"{keras.__version__} (tensorflow {tf.__version__})"


def train(task: dict) -> None:
    keras.utils.set_random_seed(task["seed"])
    model = build(task["workload"])  # before load_mnist: SystemExit on an unknown workload
    data = common.load_mnist(task, SHAPES[task["workload"]])
    common.fit_and_report(task, "keras", version(), model, data, EpochTimer())


def latency(task: dict) -> None:
    keras.utils.set_random_seed(task["seed"])
    common.latency_and_report(task, "keras", version(), build("latency"))


if __name__ == "__main__":
    (latency if TASK["workload"] == "latency" else train)(TASK)
