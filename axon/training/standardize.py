"""User data at the API boundary, arranged per model input and output and checked.

``x`` may be one array, a list (by position) or a dict (by input name) of arrays; ``y`` and
``sample_weight`` likewise per output. Everything is converted to NumPy, checked (numbers only,
finite, same number of samples, shapes that match the model) and returned as lists in the
model's input/output order. Nothing the user gave is modified.
"""
from __future__ import annotations

from typing import Any

import numpy

from axon.engine import Tensor, no_grad
from axon.training import data as data_module
from axon.training.adapters import Batch, unpack_data
from axon.training.compile_utils import per_output


class Standardizer:
    """Data arrangement for ``Trainer``; relies on the model's graph when it has one."""

    _class_weight: dict | None = None
    _target_classes: int | None = None  # the classes class_weight may name, from the last targets

    # ---- the model's inputs and outputs -------------------------------------------------------
    def _known_output_names(self) -> list[str] | None:
        graph = getattr(self, "_graph", None)
        if graph is not None:
            return list(graph.output_names)
        layers = getattr(self, "_layers", None)  # Sequential: one output, named by its last layer
        if layers:
            return [layers[-1].name]
        return None

    def _output_names_for(self, count: int) -> list[str]:
        known = self._known_output_names()
        if known is not None and len(known) == count:
            return known
        return ["output"] if count == 1 else [f"output_{i + 1}" for i in range(count)]

    def _as_outputs(self, y_pred: Any, argument: str) -> list:
        """The model's output(s) as a list in output order."""
        graph = getattr(self, "_graph", None)
        if isinstance(y_pred, dict):
            names = graph.output_names if graph is not None else list(y_pred)
            return [y_pred[name] for name in names]
        if isinstance(y_pred, list | tuple):
            return list(y_pred)
        return [y_pred]

    def _pack_outputs(self, arrays: list) -> Any:
        graph = getattr(self, "_graph", None)
        if graph is not None:
            return graph.pack_outputs(arrays)
        return arrays[0] if len(arrays) == 1 else arrays

    def _input_count(self) -> int | None:
        graph = getattr(self, "_graph", None)
        return len(graph.input_tensors) if graph is not None else None

    # ---- whole arrays -------------------------------------------------------------------------
    def standardize(self, method: str, x: Any, y: Any = None, sample_weight: Any = None,
                    prefix: str = "") -> tuple[list, list | None, list | None]:
        """``(xs, ys, sample_weights)`` as checked lists of NumPy arrays (``None`` if absent)."""
        xs = self._standardize_inputs(method, x, prefix)
        if y is None:
            if sample_weight is not None:
                raise data_module.DataError(f"{method}() got sample_weight without targets y.")
            if len(xs) > 1:  # one array always agrees with itself
                data_module.check_same_samples(method, **_named(prefix + "x", xs))
            return xs, None, None
        output_shapes = self._output_shapes(xs)
        names = self._output_names_for(len(output_shapes))
        self._target_classes = _classes(output_shapes[0])
        compiled = getattr(self, "_compiled_loss", None)
        if compiled is not None and not compiled.built:
            compiled.build(names)
        ys = per_output(y, names, prefix + "y", repeat=False) if len(names) > 1 else [y]
        checked = []
        for k, (name, target, shape) in enumerate(zip(names, ys, output_shapes)):
            argument = prefix + ("y" if len(names) == 1 else f"y['{name}']")
            if target is None:
                checked.append(None)
                continue
            sparse = compiled is not None and compiled.is_sparse(k)
            target = data_module.as_numeric(target, argument, method, float_type=not sparse)
            data_module.check_finite(target, argument, method)
            ignore_class = getattr(compiled.losses[k], "ignore_class", None) if sparse else None
            checked.append(data_module.fit_targets(target, shape, sparse, method, argument,
                                                   ignore_class))
        sws = None
        if sample_weight is not None:
            sws = []
            for name, weight, shape in zip(names, per_output(sample_weight, names,
                                                             prefix + "sample_weight"), output_shapes):
                argument = prefix + "sample_weight" + ("" if len(names) == 1 else f"['{name}']")
                if weight is not None:
                    weight = data_module.as_numeric(weight, argument, method)
                    data_module.check_sample_weight(weight, shape, argument, method)
                sws.append(weight)
        data_module.check_same_samples(method, **_named(prefix + "x", xs),
                                       **_named(prefix + "y", checked),
                                       **_named(prefix + "sample_weight", sws or []))
        self._build_compiled([(None,) + tuple(s[1:]) for s in output_shapes])
        return xs, checked, sws

    def _standardize_inputs(self, method: str, x: Any, prefix: str) -> list:
        graph = getattr(self, "_graph", None)
        if graph is not None:
            names = graph.input_names
            if isinstance(x, dict):
                unknown = sorted(set(x) - set(names))
                missing = [name for name in names if name not in x]
                if unknown or missing:
                    raise data_module.DataError(
                        f"{method}() expects {prefix}x with keys {names} (the inputs of model "
                        f"'{self.name}'). Received keys {sorted(x)} (unknown: {unknown}, "
                        f"missing: {missing}).")
                x = [x[name] for name in names]
            elif len(names) == 1:
                x = [x]
            elif not isinstance(x, list | tuple) or len(x) != len(names):
                count = len(x) if isinstance(x, list | tuple) else 1
                raise data_module.DataError(
                    f"{method}() expects {prefix}x to hold {len(names)} arrays, one per input of "
                    f"model '{self.name}' ({', '.join(names)}), as a list or a dict. "
                    f"Received: {count} array(s).")
            xs = []
            for name, value, tensor in zip(names, x, graph.input_tensors):
                argument = prefix + ("x" if len(names) == 1 else f"x['{name}']")
                array = _checked(value, argument, method, tensor.dtype)
                _check_shape(array, tensor.shape[1:], argument, method, self.name)
                xs.append(array)
            return xs
        if isinstance(x, dict) or (isinstance(x, tuple) and len(x) > 1 and all(
                hasattr(v, "shape") for v in x)):
            raise data_module.DataError(f"{method}() expects {prefix}x to be one array for model "
                                        f"'{self.name}'. Received: {type(x).__name__}")
        array = _checked(x, prefix + "x", method, None)
        expected = self._expected_input_shape()
        if expected is not None:
            _check_shape(array, expected, prefix + "x", method, self.name)
        return [array]

    def _expected_input_shape(self) -> tuple | None:
        """The per-sample input shape the model expects, if known. Models override it."""
        return None

    def _check_model_input(self, x: numpy.ndarray, method: str, argument: str) -> None:
        expected = self._expected_input_shape()
        if expected is not None:
            _check_shape(x, expected, argument, method, self.name)

    def _output_shapes(self, xs: list) -> list[tuple]:
        graph = getattr(self, "_graph", None)
        if graph is not None:
            return graph.output_shapes
        with no_grad():
            result = self(self._model_input([a[:1] for a in xs]), training=False)
        return [(None,) + tuple(r.shape[1:]) for r in self._as_outputs(result, "output")]

    def _model_input(self, xs: list) -> Any:
        return xs if len(xs) > 1 or self._input_count() not in (None, 1) else xs[0]

    # ---- one batch ----------------------------------------------------------------------------
    def _batch(self, batch: Any, method: str) -> tuple:
        """A batch as the ``data`` given to ``train_step``: ``(x, y, sample_weight)``."""
        if isinstance(batch, Batch):
            xs, ys, sws = batch
        else:  # from a generator: check it like whole arrays
            x, y, sample_weight = unpack_data(batch)
            xs, ys, sws = self.standardize(method, x, y, sample_weight)
        x = self._model_input(xs)
        if ys is None:
            return (x,)
        if self._class_weight:
            data_module.check_class_weight(self._class_weight, self._target_classes, method)
            sws = _with_class_weight(self._class_weight, ys[0], None if sws is None else sws[0])
        y = ys[0] if len(ys) == 1 else ys
        if sws is None:
            return (x, y)  # as Keras: a batch without weights is a pair
        return (x, y, sws[0] if len(sws) == 1 else sws)


def _named(prefix: str, arrays: list) -> dict:
    if len(arrays) == 1:
        return {prefix: arrays[0]}
    return {f"{prefix}[{i}]": a for i, a in enumerate(arrays)}


def _checked(value: Any, argument: str, method: str, dtype: Any) -> numpy.ndarray:
    if isinstance(value, Tensor):
        value = value.numpy()
    integer_input = dtype is not None and numpy.dtype(dtype).kind in "iu"
    array = data_module.as_numeric(value, argument, method, float_type=not integer_input)
    data_module.check_not_empty(array, argument, method)
    data_module.check_finite(array, argument, method)
    return array


def _check_shape(array: numpy.ndarray, expected: tuple, argument: str, method: str,
                 model_name: str) -> None:
    if array.ndim and array.shape[1:] == tuple(expected):
        return
    if array.ndim != len(expected) + 1 or any(
            e is not None and e != s for e, s in zip(expected, array.shape[1:])):
        single = array.ndim == len(expected) and all(
            e is None or e == s for e, s in zip(expected, array.shape))
        hint = (f" This looks like one sample without its batch axis: pass {argument}[None] (or "
                f"numpy.expand_dims({argument}, 0)).") if single else ""
        raise data_module.DataError(
            f"{method}() expects {argument} with samples of shape {tuple(expected)} (the input of "
            f"model '{model_name}'). Received: {argument}.shape={array.shape}, i.e. samples of "
            f"shape {array.shape[1:]}.{hint}")


def _classes(output_shape: tuple) -> int | None:
    """The classes a ``class_weight`` may name for an output ``(None, ..., units)``: its units,
    or 2 for one unit (a sigmoid's labels 0 and 1)."""
    units = output_shape[-1] if len(output_shape) > 1 else None
    return None if units is None else max(units, 2)


def _with_class_weight(class_weight: dict, y: Any, sample_weight: Any) -> Any:
    """Per-sample weights ``w_i = class_weight[class of sample i]`` (times ``sample_weight``)."""
    y = numpy.asarray(y)
    if y.ndim >= 2 and y.shape[-1] > 1:
        labels = y.argmax(axis=-1)
    else:
        labels = numpy.rint(y.reshape(y.shape[0], -1)[:, 0]).astype(numpy.int64)
    table = numpy.ones(max(int(labels.max(initial=0)), max(class_weight)) + 1)
    for label, weight in class_weight.items():
        table[int(label)] = float(weight)
    weights = table[labels].astype(numpy.float32)
    if labels.ndim > 1:
        weights = weights.reshape(labels.shape)
    return weights if sample_weight is None else weights * sample_weight
