"""The progress bar shown by ``fit``, ``evaluate`` and ``predict``.

Where it writes decides how it draws: in a terminal or a Jupyter notebook, a live bar (drawn by
tqdm) that is redrawn in place; anywhere else (a log file, a pipe, CI), plain lines with no
carriage returns and no colour codes, at most one progress line every ``log_interval`` seconds
plus the final line of each epoch.
"""
from __future__ import annotations

import functools
import math
import numbers
import os
import sys
import time
from typing import Any

from axon.callbacks.callback import Callback

DEFAULT_LOG_INTERVAL = 10.0
LOG_INTERVAL_VARIABLE = "AXON_PROGRESS_INTERVAL"
BAR_WIDTH = 20


# ---- text -------------------------------------------------------------------------------------
def format_value(value: Any) -> str:
    """A logged number as Keras prints it: 4 decimals, or scientific notation when tiny.

    Example:
        >>> format_value(0.123456), format_value(0.0000123), format_value(float("nan"))
        ('0.1235', '1.2300e-05', 'nan')
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return str(value)
    value = float(value)
    if not math.isfinite(value):
        return str(value)
    return f"{value:.4f}" if abs(value) > 1e-3 else f"{value:.4e}"


def format_logs(logs: dict | None) -> str:
    """``'loss: 0.1234 - accuracy: 0.9876'``.

    Example:
        >>> format_logs({"loss": 0.5, "accuracy": 0.25})
        'loss: 0.5000 - accuracy: 0.2500'
    """
    return " - ".join(f"{name}: {format_value(value)}" for name, value in (logs or {}).items())


def format_eta(seconds: float) -> str:
    """``'7s'``, ``'2:05'`` (minutes), ``'1:02:05'`` (hours).

    Example:
        >>> format_eta(7.9), format_eta(125), format_eta(3725)
        ('7s', '2:05', '1:02:05')
    """
    seconds = int(seconds)
    if seconds >= 3600:
        return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
    if seconds >= 60:
        return f"{seconds // 60}:{seconds % 60:02d}"
    return f"{seconds}s"


def format_step_time(seconds: float, unit: str = "step") -> str:
    """``'2s/step'``, ``'31ms/step'``, ``'850us/step'``.

    Example:
        >>> format_step_time(2.2), format_step_time(0.031), format_step_time(0.00085)
        ('2s/step', '31ms/step', '850us/step')
    """
    if seconds >= 1 or seconds == 0:
        return f"{seconds:.0f}s/{unit}"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.0f}ms/{unit}"
    return f"{seconds * 1e6:.0f}us/{unit}"


def _join(*parts: str) -> str:
    return " - ".join(part for part in parts if part)


def is_interactive(stream: Any) -> bool:
    """Whether a live bar can be drawn on ``stream``: a terminal, or a Jupyter kernel's output."""
    if type(stream).__module__.startswith("ipykernel"):
        return True
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False


# ---- one bar: an epoch of fit, or one evaluate/predict ------------------------------------------
class _Progress:
    """The timing and text of one bar. ``clock`` gives seconds (injectable for tests)."""

    def __init__(self, target: int | None, clock: Any) -> None:
        self.target = target
        self.clock = clock
        self.start = clock()
        self.after_first_step: float | None = None
        self.seen = 0
        self.logs: dict = {}

    def step(self, seen: int, logs: dict | None) -> None:
        self.seen = seen
        if logs is not None:
            self.logs = logs
        if seen == 1 and self.after_first_step is None:
            self.after_first_step = self.clock()

    def step_time(self) -> float:
        """Seconds per step; the first step (slower: building, warming up) is left out once
        there are others, as Keras does."""
        now = self.clock()
        if not self.seen:
            return 0.0
        if self.after_first_step is not None and self.seen > 1:
            return (now - self.after_first_step) / (self.seen - 1)
        return (now - self.start) / self.seen

    def count(self) -> str:
        if self.target is None:
            return f"{self.seen}/Unknown"
        return f"{self.seen:>{len(str(self.target))}}/{self.target}"

    def running_info(self) -> str:
        """``'ETA: 3s - loss: 0.1234'`` (no ETA while the total is unknown)."""
        eta = ""
        if self.target:
            eta = "ETA: " + format_eta(self.step_time() * max(self.target - self.seen, 0))
        return _join(eta, format_logs(self.logs))

    def final_info(self, separator: str) -> str:
        """``'1s - 31ms/step - loss: 0.1234'`` (``separator`` between time and step time)."""
        times = f"{self.clock() - self.start:.0f}s{separator}{format_step_time(self.step_time())}"
        return _join(times, format_logs(self.logs))


@functools.cache
def _live_bar_class() -> type:
    """A tqdm bar (console or notebook, as ``tqdm.auto`` picks) whose text comes from us."""
    from tqdm.auto import tqdm

    class LiveBar(tqdm):
        def __init__(self, *args: Any, info_source: Any = None, **kwargs: Any) -> None:
            self.info_source = info_source  # set first: tqdm draws the bar while constructing
            super().__init__(*args, **kwargs)

        @property
        def format_dict(self):
            values = super().format_dict
            source = getattr(self, "info_source", None)
            values["info"] = source() if source is not None else ""
            return values

    return LiveBar


class ProgbarLogger(Callback):
    """Prints training progress as Keras does.

    ``verbose=1``: ``Epoch 1/10`` (when there is more than one epoch), then a bar per epoch:
    ``12/32 ███████▌            ETA: 3s - loss: 0.4321 - accuracy: 0.8750`` while it runs (the
    running mean loss and metrics of the epoch), and at the end of the epoch
    ``32/32 ████████████████████ 1s 31ms/step - loss: ... - val_loss: ...``. ``verbose=2``: one
    line per epoch, ``32/32 - 1s - 31ms/step - loss: ... - val_loss: ...``.

    In a terminal or a Jupyter notebook the bar is drawn live by tqdm. When standard output is
    anything else (a file, a pipe, a CI log), ``verbose=1`` writes plain lines with no carriage
    returns and no colour codes: ``12/32 - ETA: 3s - loss: 0.4321`` at most once every
    ``log_interval`` seconds, and the epoch's final line (in the ``verbose=2`` format).
    ``evaluate`` and ``predict`` show the same bar; validation inside ``fit`` is silent.

    Args:
        verbose: 0, 1 or 2; ``None`` takes ``params['verbose']`` given by ``fit``.
        log_interval: seconds between two progress lines when the output is not a terminal or
            notebook (0: a line every step). ``None`` reads the environment variable
            ``AXON_PROGRESS_INTERVAL``, else 10 seconds.

    Example:
        >>> import numpy as np, axon
        >>> model = axon.Sequential([axon.layers.Dense(1, input_shape=(2,))])
        >>> model.compile(optimizer="sgd", loss="mse")
        >>> _ = model.fit(np.zeros((8, 2)), np.zeros((8, 1)), batch_size=4, epochs=2,
        ...               verbose=2)  # doctest: +ELLIPSIS
        Epoch 1/2
        2/2 - 0s - ...s/step - loss: 0.0000e+00
        Epoch 2/2
        2/2 - 0s - ...s/step - loss: 0.0000e+00
    """

    def __init__(self, verbose: int | None = None, log_interval: float | None = None) -> None:
        super().__init__()
        if verbose not in (None, 0, 1, 2, "auto"):
            raise ValueError(f"ProgbarLogger expects verbose in (0, 1, 2). Received: verbose={verbose!r}")
        self.verbose = 1 if verbose == "auto" else verbose
        self.log_interval = _log_interval(log_interval)
        self.clock = time.perf_counter
        self._in_fit = False
        self._progress: _Progress | None = None
        self._bar: Any = None
        self._stream: Any = None
        self._live = False
        self._last_line = 0.0

    def set_params(self, params):
        super().set_params(params)
        if self.verbose is None:
            verbose = params.get("verbose", 1)
            self.verbose = 1 if verbose == "auto" else verbose

    # ---- one bar ------------------------------------------------------------------------------
    def _begin(self) -> None:
        self._close_bar()
        self._stream = sys.stdout
        self._live = self.verbose == 1 and is_interactive(self._stream)
        self._progress = _Progress(self.params.get("steps"), self.clock)
        self._last_line = self._progress.start

    def _update(self, batch: int, logs: dict | None) -> None:
        progress = self._progress
        if progress is None:
            return
        progress.step(batch + 1, logs)
        if self.verbose != 1:
            return
        if self._live:
            if self._bar is None:  # opened at the first step, so lines printed by other
                self._bar = self._open_bar()  # callbacks at epoch begin come before the bar
            self._bar.update(progress.seen - self._bar.n)
        elif self.clock() - self._last_line >= self.log_interval and (
                progress.target is None or progress.seen < progress.target):
            self._last_line = self.clock()
            self._write(_join(progress.count(), progress.running_info()))

    def _finish(self, logs: dict | None) -> None:
        progress = self._progress
        if progress is None or not self.verbose:
            return
        if logs is not None:
            progress.logs = logs
        if progress.target is None:
            progress.target = progress.seen
        if self._live:
            if self._bar is None:
                self._bar = self._open_bar()
            self._bar.info_source = lambda: progress.final_info(" ")
            self._bar.update(progress.seen - self._bar.n)
            self._close_bar()
        else:
            self._write(_join(progress.count(), progress.final_info(" - ")))
        self._progress = None

    def _open_bar(self) -> Any:
        progress = self._progress
        notebook = type(self._stream).__module__.startswith("ipykernel")
        bar = _live_bar_class()(
            total=progress.target, initial=progress.seen, file=self._stream, leave=True,
            dynamic_ncols=True, mininterval=0.1, unit="step",
            bar_format="{n_fmt}/{total_fmt} " + ("{bar}" if notebook else f"{{bar:{BAR_WIDTH}}}")
                       + " {info}", info_source=progress.running_info)
        return bar

    def _close_bar(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def _write(self, line: str) -> None:
        self._stream.write(line + "\n")
        self._stream.flush()

    # ---- hooks --------------------------------------------------------------------------------
    def on_train_begin(self, logs=None):
        self._in_fit = True  # validation inside fit is silent

    def on_train_end(self, logs=None):
        self._close_bar()
        self._in_fit = False

    def on_epoch_begin(self, epoch, logs=None):
        epochs = self.params.get("epochs", 1)
        if self.verbose and epochs > 1:
            print(f"Epoch {epoch + 1}/{epochs}", flush=True)
        self._begin()

    def on_epoch_resume(self, epoch, step):
        epochs = self.params.get("epochs", 1)
        if self.verbose and epochs > 1:
            print(f"Epoch {epoch + 1}/{epochs} (resumed after step {step})", flush=True)
        self._begin()

    def on_train_batch_end(self, batch, logs=None):
        self._update(batch, logs)

    def on_epoch_end(self, epoch, logs=None):
        self._finish(logs)

    def on_test_begin(self, logs=None):
        if not self._in_fit:
            self._begin()

    def on_test_batch_end(self, batch, logs=None):
        if not self._in_fit:
            self._update(batch, logs)

    def on_test_end(self, logs=None):
        if not self._in_fit:
            self._finish(logs)

    def on_predict_begin(self, logs=None):
        self._begin()

    def on_predict_batch_end(self, batch, logs=None):
        self._update(batch, None)  # predictions are not logs

    def on_predict_end(self, logs=None):
        self._finish({})


def _log_interval(value: float | None) -> float:
    source = "log_interval"
    if value is None:
        text = os.environ.get(LOG_INTERVAL_VARIABLE)
        if text is None:
            return DEFAULT_LOG_INTERVAL
        source = f"the environment variable {LOG_INTERVAL_VARIABLE}"
        try:
            value = float(text)
        except ValueError:
            value = text
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not value >= 0:
        raise ValueError(f"ProgbarLogger expects {source} to be a non-negative number of seconds. "
                         f"Received: {value!r}")
    return float(value)
