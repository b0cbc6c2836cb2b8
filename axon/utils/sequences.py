"""pad_sequences: a list of variable-length sequences -> one rectangular array (Keras 3's
``keras.utils.pad_sequences``)."""
from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["pad_sequences"]

_SIDES = ("pre", "post")


def pad_sequences(sequences: Any, maxlen: int | None = None, dtype: Any = "int32",
                  padding: str = "pre", truncating: str = "pre", value: Any = 0.0) -> np.ndarray:
    """Pads (and truncates) sequences to one common length.

    Each sequence ``s`` becomes a row of length ``maxlen`` (default: the longest sequence's
    length). A longer sequence loses its first (``truncating="pre"``) or last (``"post"``)
    ``len(s) - maxlen`` entries; a shorter one is filled with ``value`` before it
    (``padding="pre"``) or after it (``"post"``). The entries of a sequence may themselves be
    arrays of one common shape (then the result has that shape after the time axis).

    As in Keras, the values are converted with ``numpy.asarray(values, dtype)`` (so floats are
    truncated towards zero under the default ``int32``), an empty sequence becomes a row of
    ``value``, and strings need ``dtype=object`` (or a NumPy string type).

    Args:
        sequences: a list (or other sized iterable) of sequences (lists or arrays).
        maxlen: the length of every row (default: the longest sequence's length).
        dtype: the type of the result (default ``"int32"``).
        padding: ``"pre"`` or ``"post"``: where the padding goes.
        truncating: ``"pre"`` or ``"post"``: which end of a long sequence is cut.
        value: the padding value (a number, or a string with ``dtype=object``).

    Returns:
        A NumPy array of shape ``(len(sequences), maxlen) + sample_shape``.

    Example:
        >>> pad_sequences([[1, 2, 3], [4, 5], [6]]).tolist()
        [[1, 2, 3], [0, 4, 5], [0, 0, 6]]
        >>> pad_sequences([[1, 2, 3], [4]], maxlen=2, padding="post", truncating="post").tolist()
        [[1, 2], [4, 0]]
    """
    if not hasattr(sequences, "__len__"):
        raise ValueError(f"pad_sequences expects sequences to be a list of sequences. "
                         f"Received: sequences of type {type(sequences).__name__}")
    lengths, sample_shape = _lengths_and_sample_shape(sequences)
    if maxlen is None:
        if not lengths:
            raise ValueError("pad_sequences cannot infer maxlen from an empty list of sequences. "
                             "Received: sequences=[]; pass maxlen.")
        maxlen = max(lengths)
    elif isinstance(maxlen, bool) or not isinstance(maxlen, int | np.integer) or maxlen < 0:
        raise ValueError(f"pad_sequences expects maxlen to be a non-negative integer or None. "
                         f"Received: maxlen={maxlen!r}")
    for argument, side in (("padding", padding), ("truncating", truncating)):
        if side not in _SIDES:
            raise ValueError(f"pad_sequences expects {argument} to be 'pre' or 'post'. "
                             f"Received: {argument}={side!r}")
    text_type = dtype is object or np.dtype(dtype).kind in "US"
    if isinstance(value, str) and not text_type:
        raise ValueError(f"pad_sequences: dtype={dtype!r} cannot hold the string value={value!r}. "
                         "Use dtype=object for strings of any length.")
    result = np.full((len(sequences), int(maxlen)) + sample_shape, value, dtype=dtype)
    if maxlen == 0:
        return result
    for row, sequence in enumerate(sequences):
        if not len(sequence):
            continue
        kept = sequence[-maxlen:] if truncating == "pre" else sequence[:maxlen]
        kept = np.asarray(kept, dtype=dtype)
        if kept.shape[1:] != sample_shape:
            raise ValueError(f"pad_sequences: sequence {row} has entries of shape {kept.shape[1:]}, "
                             f"unlike the first non-empty sequence's {sample_shape}.")
        if padding == "post":
            result[row, :len(kept)] = kept
        else:
            result[row, maxlen - len(kept):] = kept
    return result


def _lengths_and_sample_shape(sequences: Any) -> tuple[list[int], tuple]:
    """Each sequence's length, and the shape of one entry of the first non-empty sequence."""
    lengths: list[int] = []
    sample_shape: tuple | None = None
    for index, sequence in enumerate(sequences):
        try:
            lengths.append(len(sequence))
        except TypeError:
            raise ValueError(f"pad_sequences expects a list of sequences; entry {index} is not one. "
                             f"Received: {sequence!r}") from None
        if sample_shape is None and len(sequence):
            sample_shape = np.asarray(sequence).shape[1:]
    return lengths, sample_shape or ()
