"""The program the distributed tests run under ``mpiexec -n K`` (and once in-process, alone).

    python worker.py train OUT_DIR BATCH EPOCHS   data-parallel fit; rank 0 saves result.npz
    python worker.py die OUT_DIR STEP             rank 1 kills itself (SIGKILL) at that step
    python worker.py hang OUT_DIR STEP            rank 1 stops answering at that step
"""
from __future__ import annotations

import os
import signal
import sys
import time

import numpy

import axon

SAMPLES, FEATURES, CLASSES = 50, 6, 3   # 50 samples: uneven global batches for K = 2 and 3


def data() -> tuple:
    generator = numpy.random.default_rng(123)
    x = generator.normal(size=(SAMPLES, FEATURES))
    y = generator.integers(0, CLASSES, size=SAMPLES)
    return x, y


def train(out_dir: str, batch_size: int, epochs: int, distributed: bool,
          callbacks: list | None = None) -> tuple[list, dict]:
    """Fit a float64 MLP with Adam, shuffling; return the weights and the history."""
    floatx = axon.config.floatx()
    axon.config.set_floatx("float64")
    try:
        return _train(batch_size, epochs, distributed, callbacks)
    finally:   # the tests call this in-process: leave the float type as it was
        axon.config.set_floatx(floatx)


def _train(batch_size: int, epochs: int, distributed: bool, callbacks: list | None) -> tuple:
    axon.utils.set_random_seed(7)
    x, y = data()
    model = axon.Sequential([axon.Input(shape=(FEATURES,)), axon.layers.Dense(8, activation="tanh"),
                             axon.layers.Dense(CLASSES, activation="softmax")])
    model.compile(optimizer=axon.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy", axon.metrics.SparseTopKCategoricalAccuracy(k=2)])
    history = model.fit(x, y, batch_size=batch_size, epochs=epochs, verbose=0, shuffle=True,
                        validation_data=(x[:10], y[:10]), callbacks=callbacks or [],
                        distributed=distributed)
    return model.get_weights(), history.history


class Trouble(axon.callbacks.Callback):
    """On rank 1, at the given step of the first epoch: die (SIGKILL) or stop answering."""

    def __init__(self, how: str, step: int) -> None:
        super().__init__()
        self.how, self.step = how, step

    def on_train_batch_end(self, batch, logs=None):
        if axon.distributed.rank() == 1 and batch == self.step:
            if self.how == "die":
                os.kill(os.getpid(), signal.SIGKILL)
            time.sleep(600)


def main(argv: list[str]) -> int:
    mode, out_dir = argv[0], argv[1]
    axon.distributed.init()
    rank = axon.distributed.rank()
    if mode == "train":
        batch_size, epochs = int(argv[2]), int(argv[3])
        callbacks = [axon.callbacks.CSVLogger(os.path.join(out_dir, f"log_{rank}.csv")),
                     axon.callbacks.ModelCheckpoint(
                         os.path.join(out_dir, f"weights_{rank}.weights.safetensors"),
                         save_weights_only=True),
                     axon.callbacks.BackupAndRestore(os.path.join(out_dir, f"backup_{rank}"),
                                                     delete_checkpoint=False)]
        weights, history = train(out_dir, batch_size, epochs, True, callbacks)
        # every rank must hold rank 0's weights: compare them with a broadcast copy
        copies = [w.copy() for w in weights]
        axon.distributed.broadcast_arrays(copies, "the check")
        assert all(numpy.array_equal(a, b) for a, b in zip(weights, copies)), f"rank {rank} differs"
        if axon.distributed.is_main():
            numpy.savez(os.path.join(out_dir, "result.npz"), *weights,
                        **{f"history_{k}": numpy.array(v) for k, v in history.items()})
        return 0
    train(out_dir, 4, 3, True, [Trouble(mode, int(argv[2]))])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
