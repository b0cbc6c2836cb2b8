"""PyTorch's side of the benchmark (CPU, eager): the workloads written the way PyTorch users write
them, a plain loop over a shuffled permutation with ``F.cross_entropy`` on the logits. Run by
``bench/run.py``; see ``common.py`` for the protocol."""
from __future__ import annotations

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

TASK = common.read_task()
common.pin_threads(TASK.get("threads", 2))

import numpy  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402

torch.set_num_threads(TASK.get("threads", 2))
torch.set_num_interop_threads(1)


class LSTMClassifier(nn.Module):
    """LSTM(128) over the 28 rows of the image, its last output into Dense(10)."""

    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(input_size=28, hidden_size=128, batch_first=True)
        self.dense = nn.Linear(128, 10)

    def forward(self, x):
        outputs, _ = self.lstm(x)
        return self.dense(outputs[:, -1])


def build(workload: str) -> nn.Module:
    """The workload's model, ending in logits (the softmax is inside ``F.cross_entropy``)."""
    if workload in ("mlp", "latency"):
        return nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(),
                             nn.Linear(128, 10))
    if workload == "cnn":
        return nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
                             nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                             nn.Linear(64 * 5 * 5, 128), nn.ReLU(), nn.Linear(128, 10))
    if workload == "lstm":
        return LSTMClassifier()
    raise SystemExit(f"torch_worker: unknown workload {workload!r}")


# Channels first for the CNN, as is idiomatic in PyTorch.
SHAPES = {"mlp": (784,), "cnn": (1, 28, 28), "lstm": (28, 28)}


def seed_everything(seed: int) -> torch.Generator:
    random.seed(seed)
    numpy.random.seed(seed)
    torch.manual_seed(seed)
    return torch.Generator().manual_seed(seed)


def train(task: dict) -> None:
    workload = task["workload"]
    generator = seed_everything(task["seed"])
    model = build(workload)  # before load_mnist: SystemExit on an unknown workload
    (x_train, y_train), (x_test, y_test) = common.load_mnist(task, SHAPES[workload])
    x_train, y_train = torch.from_numpy(x_train), torch.from_numpy(y_train)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    batch_size = task["batch_size"]
    warmup = 1 if task.get("warmup") else 0
    epoch_seconds = []
    for _ in range(warmup + task["epochs"]):
        start = time.perf_counter()
        model.train()
        order = torch.randperm(len(x_train), generator=generator)
        for begin in range(0, len(x_train), batch_size):
            index = order[begin:begin + batch_size]
            optimizer.zero_grad(set_to_none=True)
            loss = F.cross_entropy(model(x_train[index]), y_train[index])
            loss.backward()
            optimizer.step()
        epoch_seconds.append(time.perf_counter() - start)
    accuracy = None
    if task.get("evaluate"):
        model.eval()
        x_test, y_test = torch.from_numpy(x_test), torch.from_numpy(y_test)
        correct = 0
        with torch.no_grad():
            for begin in range(0, len(x_test), 1000):
                logits = model(x_test[begin:begin + 1000])
                correct += int((logits.argmax(dim=1) == y_test[begin:begin + 1000]).sum())
        accuracy = correct / len(x_test)
    common.report(task, "pytorch", torch.__version__, epoch_seconds[warmup:], accuracy)


def latency(task: dict) -> None:
    seed_everything(task["seed"])
    model = build("latency")
    model.eval()
    sample = numpy.random.default_rng(0).random((1, 784), dtype=numpy.float32)

    def predict():
        with torch.no_grad():
            return model(torch.from_numpy(sample)).numpy()

    def call():
        return model(torch.from_numpy(sample)).detach().numpy()

    predict_us = common.median_microseconds(predict)
    call_us = common.median_microseconds(call)
    common.report(task, "pytorch", torch.__version__, predict_us=predict_us, call_us=call_us)


if __name__ == "__main__":
    (latency if TASK["workload"] == "latency" else train)(TASK)
