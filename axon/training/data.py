"""User data at the API boundary: conversion, validation with clear errors, and batching.

Nothing the user gave is modified: conversions make new arrays, reshapes make views.
"""
from __future__ import annotations

from typing import Any

import numpy

from axon import backend


class DataError(ValueError):
    """The data given to fit/evaluate/predict does not fit the model; the message says how."""


def as_numeric(value: Any, argument: str, method: str, float_type: bool = True) -> numpy.ndarray:
    """``value`` as a NumPy array of numbers; floats become the default float type."""
    if value is None:
        raise DataError(f"{method}() expects {argument} to be an array. Received: None")
    try:
        array = numpy.asarray(value)
    except (ValueError, TypeError) as error:  # ragged lists and the like
        lengths = _entry_lengths(value)
        if lengths is not None and len(set(lengths)) > 1:
            raise DataError(f"{method}() expects {argument} to be a numeric array, whose samples "
                            f"all have one shape. Received: a {type(value).__name__} of "
                            f"{len(lengths)} entries of lengths {_listed(lengths)}") from None
        raise DataError(f"{method}() expects {argument} to be a numeric array. "
                        f"Could not convert it: {error}") from None
    if array.dtype.kind not in "biuf":
        raise DataError(f"{method}() expects {argument} to be a numeric array (int or float). "
                        f"Received: dtype={array.dtype}, e.g. {array.ravel()[:3].tolist()}")
    if array.ndim == 0:
        raise DataError(f"{method}() expects {argument} to have a batch axis. "
                        f"Received a scalar: {argument}={array!r}")
    if float_type and array.dtype != backend.floatx():
        array = array.astype(backend.floatx())
    return array


def _entry_lengths(value: Any) -> list[int] | None:
    """The lengths of a list's entries, when it is a list (or tuple) of sized entries."""
    if not isinstance(value, list | tuple) or not all(
            hasattr(entry, "__len__") and not isinstance(entry, str) for entry in value):
        return None
    return [len(entry) for entry in value]


def _listed(values: list, limit: int = 6) -> str:
    shown = ", ".join(map(str, values[:limit]))
    return f"[{shown}{', ...' if len(values) > limit else ''}]"


def _shape_text(shape: tuple) -> str:
    """``(None, 3)``: a shape with unknown axes written as None."""
    return "(" + ", ".join(str(n) for n in shape) + ("," if len(shape) == 1 else "") + ")"


def check_finite(array: numpy.ndarray, argument: str, method: str) -> None:
    """Raise when a float array holds NaN or infinity (training on them yields NaN weights)."""
    if array.dtype.kind == "f" and not numpy.isfinite(array).all():
        bad = numpy.argwhere(~numpy.isfinite(array))
        raise DataError(f"{method}() found {len(bad)} NaN or infinite value(s) in {argument}, "
                        f"first at index {tuple(bad[0].tolist())} "
                        f"(value {array[tuple(bad[0])]}). Clean or impute the data first.")


def check_not_empty(array: numpy.ndarray, argument: str, method: str) -> None:
    """Raise when ``array`` holds no samples (an epoch of no batches would train nothing and
    report no loss)."""
    if array.shape[0] == 0:
        raise DataError(f"{method}() expects at least one sample in {argument}. "
                        f"Received: {argument}.shape={array.shape}")


def check_sample_weight(weight: numpy.ndarray, output_shape: tuple, argument: str,
                        method: str) -> None:
    """Raise unless ``weight`` is finite, non-negative and shaped to weigh the per-sample losses.

    A loss reduces the output's last axis, so an output ``(n, d_1 .. d_k, units)`` has per-sample
    losses ``(n, d_1 .. d_k)``; a weight may have any leading part of that shape (``(n,)`` weighs
    whole samples, ``(n, d_1)`` each time step ...), trailing axes of length 1 ignored.
    """
    check_finite(weight, argument, method)
    output = (weight.shape[0],) + tuple(output_shape[1:])
    losses = output[:-1] if len(output) > 1 else output
    shape = weight.shape
    while len(shape) > 1 and shape[-1] == 1:
        shape = shape[:-1]
    if shape != losses[:len(shape)]:
        described = " or ".join(str(losses[:k]) for k in range(1, len(losses) + 1))
        raise DataError(f"{method}() expects {argument} of shape {described} (one weight per "
                        f"sample) for the model's output {_shape_text((None,) + output[1:])}. "
                        f"Received: {argument}.shape={weight.shape}")
    if weight.size and weight.min() < 0:
        bad = numpy.argwhere(weight < 0)
        raise DataError(f"{method}() expects {argument} to be non-negative. Received "
                        f"{len(bad)} negative weight(s), first at index {tuple(bad[0].tolist())} "
                        f"(value {weight[tuple(bad[0])]:g}).")


def check_class_weight(class_weight: dict, classes: int | None, method: str) -> None:
    """Raise unless ``class_weight`` maps classes in ``[0, classes)`` to finite weights >= 0."""
    span = "" if classes is None else f" in [0, {classes})"
    for label in class_weight:
        if isinstance(label, bool) or not isinstance(label, int | numpy.integer):
            raise DataError(f"{method}() expects the keys of class_weight to be integer classes"
                            f"{span}. Received: key {label!r} ({type(label).__name__})")
    for label, weight in class_weight.items():
        if label < 0 or (classes is not None and label >= classes):
            raise DataError(f"{method}() expects the keys of class_weight to be classes{span}. "
                            f"Received: class_weight keys {sorted(class_weight)}, of which "
                            f"{label} is no class of the model.")
        if isinstance(weight, bool) or not isinstance(weight, int | float | numpy.number) \
                or not numpy.isfinite(weight) or weight < 0:
            raise DataError(f"{method}() expects the values of class_weight to be non-negative "
                            f"numbers. Received: class_weight[{label}]={weight!r}")


def check_same_samples(method: str, **arrays: numpy.ndarray | None) -> int:
    """The common number of samples; raise when the arrays disagree."""
    counts = {name: a.shape[0] for name, a in arrays.items() if a is not None}
    if len(set(counts.values())) > 1:
        described = ", ".join(f"{name}.shape={arrays[name].shape} ({n} samples)"
                              for name, n in counts.items())
        raise DataError(f"{method}() expects the same number of samples in every array. "
                        f"Received: {described}")
    return next(iter(counts.values()))


def split_validation(fraction: float, *arrays: numpy.ndarray | None):
    """Keras's ``validation_split``: the last ``fraction`` of the samples (taken before shuffling)
    become validation data. Returns ``(train_arrays, validation_arrays)``."""
    if not 0 <= fraction < 1:
        raise DataError(f"fit() expects validation_split in [0, 1). "
                        f"Received: validation_split={fraction}")
    n = arrays[0].shape[0]
    cut = int(n * (1 - fraction))
    if fraction and (cut == 0 or cut == n):
        raise DataError(f"validation_split={fraction} leaves no training or no validation "
                        f"samples out of {n}.")
    train = tuple(None if a is None else a[:cut] for a in arrays)
    validation = tuple(None if a is None else a[cut:] for a in arrays)
    return train, validation


def check_batch_size(batch_size: Any, method: str) -> int:
    if batch_size is None:
        return 32
    if isinstance(batch_size, bool) or not isinstance(batch_size, int | numpy.integer) \
            or batch_size <= 0:
        raise DataError(f"{method}() expects batch_size to be a positive integer. "
                        f"Received: batch_size={batch_size!r}")
    return int(batch_size)


def fit_targets(y: numpy.ndarray, output_shape: tuple, sparse: bool, method: str,
                argument: str = "y", ignore_class: int | None = None) -> numpy.ndarray:
    """Check targets against the model's output shape and return them in the loss's form.

    Sparse labels must be integers in ``[0, classes)``, shaped ``(n,)`` or ``(n, 1)``. Other
    targets must have the output's shape exactly; ``(n,)`` is accepted for an ``(n, 1)`` output,
    as in Keras. Anything else that would broadcast silently is an error.
    """
    n, per_sample = y.shape[0], tuple(output_shape[1:])
    if sparse:
        if y.shape[1:] not in (per_sample[:-1], per_sample[:-1] + (1,)):
            raise DataError(
                f"{method}() with a sparse categorical loss expects {argument} to hold one integer "
                f"label per sample, shape {(n,) + per_sample[:-1]}. Received: {argument}.shape="
                f"{y.shape}. For one-hot targets use loss='categorical_crossentropy'.")
        if y.dtype.kind == "f" and numpy.any(y != numpy.round(y)):
            bad = numpy.argwhere(y != numpy.round(y))
            raise DataError(f"{method}() expects integer class labels in {argument} for a sparse "
                            f"categorical loss. Received {len(bad)} non-integer value(s), first "
                            f"{argument}[{', '.join(map(str, bad[0].tolist()))}]="
                            f"{y[tuple(bad[0])]:g}.")
        classes = per_sample[-1]
        checked = y if ignore_class is None else y[y != ignore_class]  # ignored labels may be -1
        if checked.size and (checked.min() < 0 or checked.max() >= classes):
            raise DataError(
                f"{method}() expects labels in {argument} to lie in [0, {classes}) for a model "
                f"with {classes} output units. Received labels from {checked.min():g} to "
                f"{checked.max():g}.")
        return y.astype(numpy.int64, copy=False).reshape((n,) + per_sample[:-1])
    if y.shape[1:] == per_sample:
        return y
    if per_sample == (1,) and y.ndim == 1:
        return y.reshape(n, 1)
    hint = ""
    if y.ndim == 1 and len(per_sample) == 1 and per_sample[0] > 1:
        hint = (" These look like integer labels: use loss='sparse_categorical_crossentropy', "
                "or one-hot encode them with axon.utils.to_categorical.")
    raise DataError(f"{method}() expects {argument} of shape {(n,) + per_sample} to match the "
                    f"model's output {_shape_text((None,) + per_sample)}. Received: {argument}.shape="
                    f"{y.shape}.{hint}")
