"""CSVLogger: write each epoch's logs as a row of a CSV file."""
from __future__ import annotations

import csv
import io
import os
from typing import Any

import numpy

from axon import distributed
from axon.callbacks.callback import Callback
from axon.saving.atomic import atomic_write


class CSVLogger(Callback):
    """Stream epoch results to a CSV file: one row per epoch, one column per logged quantity.

    The first column is ``epoch`` (0-based, as Keras writes it), then the keys of the first
    epoch's logs in sorted order. As in Keras 3, when that first epoch has no ``val_`` keys, a
    ``val_`` column is added for each key (so validation results of later epochs have a place);
    a value missing from an epoch's logs is written as ``NA``. After every epoch the whole file
    is written atomically (a temporary file renamed over it), so a crash never leaves a torn
    row.

    Args:
        filename: the CSV file to write.
        separator: the column separator.
        append: append to an existing file (its header is kept: written only if the file is
            empty or new) instead of overwriting it.

    Example:
        >>> import os, tempfile, numpy as np, axon
        >>> path = os.path.join(tempfile.mkdtemp(), "log.csv")
        >>> model = axon.Sequential([axon.layers.Dense(1, input_shape=(2,))])
        >>> model.compile(optimizer="sgd", loss="mse")
        >>> _ = model.fit(np.zeros((4, 2)), np.zeros((4, 1)), epochs=2, verbose=0,
        ...               validation_split=0.5, callbacks=[axon.callbacks.CSVLogger(path)])
        >>> print(open(path).read())
        epoch,loss,val_loss
        0,0.0,0.0
        1,0.0,0.0
        <BLANKLINE>
    """

    def __init__(self, filename: str | os.PathLike, separator: str = ",",
                 append: bool = False) -> None:
        super().__init__()
        if not isinstance(filename, str | os.PathLike):
            raise TypeError("CSVLogger expects filename to be a string or a path. "
                            f"Received: filename={filename!r}")
        if not isinstance(separator, str) or len(separator) != 1:
            raise ValueError("CSVLogger expects separator to be a single character. "
                             f"Received: separator={separator!r}")
        self.filename = os.fspath(filename)
        self.sep = separator
        self.append = append
        self.keys: list[str] | None = None
        self.text = ""   # the whole file as it should be on disk
        self.append_header = True
        self.csv_file = None   # kept for compatibility: the file is never held open
        self._started = False

    # The rows written so far are state: a resumed run rewrites the file from its checkpoint.
    _state_attributes = ("keys", "text", "append_header")

    def on_train_begin(self, logs=None):
        self.text = ""
        if self.append and os.path.exists(self.filename):
            with open(self.filename, encoding="utf-8", newline="") as existing:
                self.text = existing.read()
        self.append_header = not self.text
        self.keys = None
        self._started = True

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if not self._started:  # used without on_train_begin: start as fit would
            self.on_train_begin()
        if self.keys is None:
            self.keys = sorted(logs)
            if self.keys and not any(key.startswith("val_") for key in self.keys):
                self.keys += ["val_" + key for key in self.keys]
        rows = io.StringIO()
        writer = csv.writer(rows, delimiter=self.sep, lineterminator="\n")
        if self.append_header:
            writer.writerow(["epoch"] + self.keys)
            self.append_header = False
        writer.writerow([epoch] + [_cell(logs.get(key, "NA")) for key in self.keys])
        self.text += rows.getvalue()
        if not distributed.is_main():   # every rank keeps the rows; only rank 0 writes them
            return
        # The whole file, atomically: a crash leaves the previous rows or the new ones.
        with atomic_write(self.filename, "w") as handle:
            handle.write(self.text)


def _cell(value: Any) -> Any:
    """A log value as a CSV cell: numbers as they are, sequences as ``"[a, b]"``."""
    if isinstance(value, str) or numpy.ndim(value) == 0:
        return value
    return f"[{', '.join(map(str, numpy.ravel(value)))}]"
