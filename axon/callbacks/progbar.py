"""The progress bar shown by ``fit``, ``evaluate`` and ``predict`` (drawn by tqdm)."""
from __future__ import annotations

import sys
import time

from tqdm.auto import tqdm

from axon.callbacks.callback import Callback


def format_logs(logs: dict) -> str:
    """``'loss: 0.1234 - accuracy: 0.9876'``."""
    return " - ".join(f"{name}: {value:.4f}" for name, value in logs.items())


class ProgbarLogger(Callback):
    """Prints training progress as Keras does.

    ``verbose=1``: ``Epoch 1/10`` then a bar per epoch with the running loss and metrics, then the
    epoch's results (validation included); ``verbose=2``: one line per epoch. When the output is
    not a terminal or a notebook (a log file, CI), ``verbose=1`` prints the final line of each bar
    only, as Keras does.
    """

    def __init__(self, verbose: int = 1) -> None:
        super().__init__()
        self.verbose = verbose
        self._bar = None
        self._start = 0.0

    def _open(self, total, description):
        if self.verbose == 1 and _interactive():
            self._bar = tqdm(total=total, desc=description, unit="step", file=sys.stdout,
                             leave=True, dynamic_ncols=True, mininterval=0.2,
                             bar_format="{desc}{n_fmt}/{total_fmt} |{bar:20}| {elapsed}"
                                        "{postfix}")
        self._start = time.perf_counter()

    def _close(self, logs):
        elapsed = time.perf_counter() - self._start
        if self._bar is not None:
            self._bar.set_postfix_str(format_logs(logs or {}), refresh=False)
            self._bar.close()
            self._bar = None
        elif self.verbose == 1 and logs:
            steps = self.params.get("steps") or 1
            print(f"{steps}/{steps} - {elapsed:.0f}s - {format_logs(logs)}", flush=True)
        return elapsed

    def on_epoch_begin(self, epoch, logs=None):
        if self.verbose:
            print(f"Epoch {epoch + 1}/{self.params.get('epochs', '?')}", flush=True)
        self._open(self.params.get("steps"), "")

    def on_train_batch_end(self, batch, logs=None):
        if self._bar is not None:
            self._bar.update(1)
            self._bar.set_postfix_str(format_logs(logs or {}), refresh=False)

    def on_epoch_end(self, epoch, logs=None):
        elapsed = self._close(logs)
        if self.verbose == 2:
            steps = self.params.get("steps") or 1
            print(f"{steps}/{steps} - {elapsed:.0f}s - {format_logs(logs or {})}", flush=True)

    def on_test_begin(self, logs=None):
        if self.params.get("in_fit"):
            return
        self._open(self.params.get("steps"), "")

    def on_test_batch_end(self, batch, logs=None):
        if not self.params.get("in_fit"):
            self.on_train_batch_end(batch, logs)

    def on_test_end(self, logs=None):
        if not self.params.get("in_fit"):
            self._close(logs)

    def on_predict_begin(self, logs=None):
        self._open(self.params.get("steps"), "")

    def on_predict_batch_end(self, batch, logs=None):
        if self._bar is not None:
            self._bar.update(1)

    def on_predict_end(self, logs=None):
        self._close({})


def _interactive() -> bool:
    """Whether a live bar can be drawn: a terminal, or a Jupyter kernel (tqdm draws a widget)."""
    return sys.stdout.isatty() or "ipykernel" in sys.modules
