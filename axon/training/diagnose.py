"""Where a training step went non-finite: the check before the update, and the diagnosis.

While ``model._nan_guard`` is set (``axon.callbacks.TerminateOnNaN`` sets it for the length of
``fit``), ``train_step`` hands its update to :func:`apply_if_finite`: the optimizer's update is
applied only when the loss ``L`` and every gradient ``dL/dw`` are finite. Otherwise the weights
stay as they were, and :func:`diagnose` re-runs the batch with those weights to find where the
first non-finite value (NaN or +-inf) appears, looking in this order:

1. the batch itself (``x``, ``y``, ``sample_weight``);
2. the trainable weights, non-finite before the step (an earlier, unchecked update);
3. the forward pass: the first layer call, in the order the calls finish, whose output is not
   finite while its input is (a layer inside another is named, rather than its container);
4. the loss of finite outputs (the compiled loss or a regularization term);
5. the backward pass, from the loss towards the input: the first layer whose gradient with
   respect to its input or to one of its weights is not finite while the gradient with respect
   to its output is.

Example:
    >>> import numpy as np, axon
    >>> class Log(axon.layers.Layer):
    ...     def call(self, inputs, training=False):
    ...         return axon.engine.functional.log(inputs)
    ...     def compute_output_shape(self, input_shape):
    ...         return input_shape
    >>> model = axon.Sequential([axon.layers.Dense(1, use_bias=False, kernel_initializer="ones",
    ...                                            input_shape=(1,)), Log(name="log")])
    >>> model.compile(optimizer="sgd", loss="mse")
    >>> with np.errstate(divide="ignore", invalid="ignore"):
    ...     finding = diagnose(model, (np.zeros((2, 1), "float32"), np.ones((2, 1), "float32")))
    >>> finding.stage, finding.layer
    ('forward', 'log')
    >>> print(finding.text)  # doctest: +NORMALIZE_WHITESPACE
    The first non-finite value appears in the forward pass, at layer 'log' (Log): its output
    holds 2 -inf values out of 2 (its input is finite).
"""
from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy

from axon import backend
from axon.engine import Tensor
from axon.engine.nest import flatten
from axon.engine.tensor import grad
from axon.training.adapters import unpack_data


@dataclass(frozen=True)
class NonFiniteStep:
    """What :func:`diagnose` found about a step whose loss or gradients are not finite.

    Attributes:
        loss: the step's loss (NaN or +-inf; finite when only a gradient is not).
        stage: where the first non-finite value appears: ``'data'``, ``'weights'``,
            ``'forward'``, ``'loss'``, ``'backward'``, or ``'unknown'`` (the re-run was finite).
        layer: the name of the layer named there, or ``None``.
        text: the finding in sentences, for a message.
    """

    loss: float
    stage: str
    layer: str | None
    text: str


def apply_if_finite(model: Any, data: Any, loss: Tensor, variables: list) -> NonFiniteStep | None:
    """Apply ``model.optimizer``'s update of ``variables`` from their ``.grad`` when ``loss`` and
    every gradient are finite, and return ``None``; otherwise change no weight and return
    :func:`diagnose`'s finding about the batch ``data``."""
    grads = [v.grad for v in variables]
    if _all_finite([loss.data] + [g for g in grads if g is not None]):
        model.optimizer.apply(grads, variables)
        return None
    return diagnose(model, data, loss=backend.to_numpy(loss.data).item())


def diagnose(model: Any, data: Any, loss: float | None = None) -> NonFiniteStep:
    """Find where the first non-finite value of a training step on ``data`` appears.

    Re-runs the forward pass (``training=True``) and the backward pass of ``data = (x, y[,
    sample_weight])`` with the model's current weights, recording every layer call, and puts
    back what the re-run changes (non-trainable weights such as moving statistics, random
    generators, per-output loss trackers). No weight, ``.grad`` or optimizer state is changed.

    Args:
        model: a compiled model.
        data: the batch, as ``train_step`` receives it.
        loss: the step's loss, when known (else that of the re-run).

    Returns:
        A :class:`NonFiniteStep`.
    """
    x, y, sample_weight = unpack_data(data)
    with numpy.errstate(all="ignore"), _state_kept(model):
        try:
            finding = _in_data(x, y, sample_weight) or _in_weights(model) \
                or _in_passes(model, x, y, sample_weight)
        except Exception as error:  # the message about the NaN must survive a failed diagnosis
            finding = (float("nan"), "unknown", None,
                       f"Re-running the step to find the first non-finite value failed: {error!r}.")
    rerun_loss, stage, layer, text = finding
    return NonFiniteStep(rerun_loss if loss is None else loss, stage, layer, text)


# ---- the places looked at, in order --------------------------------------------------------
def _in_data(x: Any, y: Any, sample_weight: Any) -> tuple | None:
    for name, value in _named("x", x) + _named("y", y) + _named("sample_weight", sample_weight):
        counts = _non_finite(value)
        if counts:
            return (float("nan"), "data", None,
                    f"The batch itself is not finite: {name} holds {counts}.")
    return None


def _in_weights(model: Any) -> tuple | None:
    for layer in model._flatten_layers():
        for weight in layer._weights:
            counts = _non_finite(weight) if weight.trainable else ""
            if counts:
                return (float("nan"), "weights", layer.name,
                        f"The weights were not finite before this step: weight '{weight.name}' "
                        f"of layer {_layer_text(layer)} holds {counts}. An earlier update made "
                        "them so (one that overflowed: is the learning rate too large? or one "
                        "made without this check), or they were so when fit began.")
    return None


def _in_passes(model: Any, x: Any, y: Any, sample_weight: Any) -> tuple:
    calls: list[_Call] = []
    # NOTE: layers that draw random numbers (Dropout, noise layers) draw new ones on this re-run,
    # so it may not meet the value the step met; the finding then says it found nothing.
    with _recording(model, calls):
        y_pred = model(x, training=True)
    outputs = _tensors(y_pred)
    finding = _in_forward(model, calls, outputs)
    if finding is not None:
        return (float("nan"),) + finding
    loss = model.compute_loss(x, y, y_pred, sample_weight)
    value = backend.to_numpy(loss.data).item()
    if not _all_finite([loss.data]):
        return (value,) + _in_loss(model, outputs, value)
    return (value,) + _in_backward(model, calls, outputs, loss)


def _in_forward(model: Any, calls: list, outputs: list) -> tuple | None:
    for call in calls:  # in the order the calls finished: a layer before its container
        counts = _first_non_finite(call.inputs)
        if counts:
            return ("forward", call.layer.name,
                    "The first non-finite value appears in the forward pass outside any layer, "
                    f"in what feeds layer {_layer_text(call.layer)}: its input holds {counts}.")
        counts = _first_non_finite(call.outputs)
        if counts:
            where = "" if call.leaf else ", in its own computation around its sub-layers"
            return ("forward", call.layer.name,
                    f"The first non-finite value appears in the forward pass, at layer "
                    f"{_layer_text(call.layer)}{where}: its output holds {counts} (its input is "
                    "finite).")
    counts = _first_non_finite(outputs)
    if counts:
        return ("forward", None,
                "The first non-finite value appears in the forward pass at the model's output, "
                f"outside its layers (in the call of model '{model.name}'): the output holds "
                f"{counts}.")
    return None


def _in_loss(model: Any, outputs: list, value: float) -> tuple:
    if not _all_finite([term.data for term in model.losses]):
        return ("loss", None,
                "The model's outputs are finite, but a regularization term (model.losses) is "
                "not: the weights or activities it penalizes are too large for it.")
    largest, limit = 0.0, math.inf
    for t in outputs:
        if t.size and t.dtype.kind == "f":
            largest = max(largest, float(numpy.abs(backend.to_numpy(t.data)).max()))
            limit = min(limit, float(numpy.finfo(t.dtype).max))
    why = (f"their squares overflow {outputs[0].dtype} (largest value {limit:.4g}): is the "
           "learning rate too large?" if largest * largest > limit
           else "a logarithm of 0, or a division by 0?")
    return ("loss", None,
            f"The model's outputs are finite (largest magnitude {largest:.4g}), but the loss of "
            f"them is {value}: {why}")


def _in_backward(model: Any, calls: list, outputs: list, loss: Tensor) -> tuple:
    weights = model.trainable_weights
    tensors = list({id(t): t for t in outputs + [t for call in calls
                                                 for t in call.inputs + call.outputs]
                    if t.requires_grad}.values())
    sources = tensors + weights
    grads = {id(s): g for s, g in zip(sources, grad(loss, sources))}
    prefix = "The forward pass is finite; the first non-finite value appears in the backward pass"

    def counts_of(tensors: list) -> str:
        return _first_non_finite([grads.get(id(t)) for t in tensors])

    counts = counts_of(outputs)
    if counts:
        return ("backward", None,
                f"{prefix}, in the gradient of the loss with respect to the model's output: "
                f"it holds {counts} (the loss function's derivative at these outputs).")
    for call in reversed(calls):  # from the loss towards the input
        layer = call.layer
        counts = counts_of(call.outputs) if call.leaf else ""
        if counts:
            return ("backward", layer.name,
                    f"{prefix} outside any layer, in what uses the output of layer "
                    f"{_layer_text(layer)}: the gradient with respect to that output holds "
                    f"{counts}.")
        for weight in layer._weights:
            counts = _non_finite(grads.get(id(weight))) if weight.trainable else ""
            if counts:
                return ("backward", layer.name,
                        f"{prefix}, at layer {_layer_text(layer)}: the gradient with respect to "
                        f"its weight '{weight.name}' holds {counts} (the gradient with respect "
                        "to its output is finite).")
        counts = counts_of(call.inputs) if call.leaf else ""
        if counts:
            return ("backward", layer.name,
                    f"{prefix}, at layer {_layer_text(layer)}: the gradient with respect to its "
                    f"input holds {counts} (the gradient with respect to its output is finite).")
    for call in reversed([c for c in calls if not c.leaf]):
        counts = counts_of(call.inputs)
        if counts:
            return ("backward", call.layer.name,
                    f"{prefix}, at layer {_layer_text(call.layer)}, in its own computation "
                    f"around its sub-layers: the gradient with respect to its input holds "
                    f"{counts}.")
    owners = {id(w): layer for layer in model._flatten_layers() for w in layer._weights}
    for weight in weights:
        counts = _non_finite(grads.get(id(weight)))
        if counts:
            layer = owners[id(weight)]
            return ("backward", layer.name,
                    f"{prefix}: the gradient with respect to weight '{weight.name}' of layer "
                    f"{_layer_text(layer)} holds {counts}.")
    return ("unknown", None,
            "Re-running this step with the same weights gave finite values everywhere, so the "
            "first non-finite value could not be located (layers that draw random numbers, such "
            "as Dropout, draw new ones on a re-run).")


# ---- recording the layer calls of the re-run -----------------------------------------------
@dataclass
class _Call:
    """One finished layer call: its input and output tensors, and whether no other layer was
    called inside it."""

    layer: Any
    inputs: list
    outputs: list
    leaf: bool


@contextlib.contextmanager
def _recording(model: Any, calls: list) -> Iterator[None]:
    """Append a :class:`_Call` to ``calls`` for every call of a layer inside ``model``."""
    # Every layer's ``__call__`` runs ``self.call``, so an instance attribute ``call`` sees each
    # call of every layer, whatever the kind of model (stack, graph, subclass, nested models)
    # and without a hook in the layers. It is taken away again when the re-run ends.
    layers = [layer for layer in model._flatten_layers() if layer is not model]
    own = [(layer, layer.__dict__.get("call")) for layer in layers]
    try:
        for layer in layers:
            layer.call = _recorder(layer, layer.call, calls)
        yield
    finally:
        for layer, previous in own:
            if previous is None:
                layer.__dict__.pop("call", None)
            else:
                layer.call = previous


def _recorder(layer: Any, method: Any, calls: list) -> Any:
    def call(inputs: Any, *args: Any, **kwargs: Any) -> Any:
        first = len(calls)
        outputs = method(inputs, *args, **kwargs)
        calls.append(_Call(layer, _tensors(inputs), _tensors(outputs), len(calls) == first))
        return outputs
    return call


@contextlib.contextmanager
def _state_kept(model: Any) -> Iterator[None]:
    """Put back, afterwards, what a forward pass in training mode and ``compute_loss`` change
    besides the graph: non-trainable weights (moving statistics), the random generators, the
    per-output loss trackers and the layers' activity penalties."""
    layers = model._flatten_layers()
    weights = [(w, w.data.copy()) for w in model.non_trainable_weights]
    generators = [None] + [layer.__dict__["_rng"] for layer in layers
                           if isinstance(layer.__dict__.get("_rng"), numpy.random.Generator)]
    states = [backend.generator_state(generator) for generator in generators]
    trackers = [(t, {k: v.copy() if isinstance(v, numpy.ndarray) else v
                     for k, v in vars(t).items()})
                for t in getattr(model, "_output_loss_trackers", [])]
    activity = [(layer, layer._activity_losses) for layer in layers]
    try:
        yield
    finally:
        for weight, value in weights:
            weight.data[...] = value
        for generator, state in zip(generators, states):
            backend.set_generator_state(state, generator)
        for tracker, saved in trackers:
            vars(tracker).update(saved)
        for layer, losses in activity:
            layer._activity_losses = losses


# ---- small helpers ------------------------------------------------------------------------
def _all_finite(arrays: list) -> bool:
    # One reduction per array, combined on the device: a single transfer to the host (one
    # synchronisation on a GPU), and no cost beyond the reductions when all is well.
    finite = True
    for array in arrays:
        finite = finite & backend.xp.isfinite(array).all()
    return bool(finite)


def _non_finite(value: Any) -> str:
    """``'3 NaN and 2 +inf values out of 12'`` for the non-finite entries of ``value``; ``''``
    when there are none (or ``value`` is None or not floating-point)."""
    if value is None:
        return ""
    array = backend.to_numpy(value.data if isinstance(value, Tensor) else value)
    if array.dtype.kind not in "fc" or numpy.isfinite(array).all():
        return ""
    counts = [(int(numpy.isnan(array).sum()), "NaN"), (int(numpy.isposinf(array).sum()), "+inf"),
              (int(numpy.isneginf(array).sum()), "-inf")]
    parts = [f"{count} {kind}" for count, kind in counts if count]
    total = sum(count for count, _ in counts)
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return f"{listed} value{'s' if total > 1 else ''} out of {array.size}"


def _first_non_finite(values: list) -> str:
    for value in values:
        counts = _non_finite(value)
        if counts:
            return counts
    return ""


def _tensors(structure: Any) -> list:
    return [t for t in flatten(structure) if isinstance(t, Tensor)]


def _named(prefix: str, structure: Any) -> list[tuple[str, Any]]:
    if structure is None:
        return []
    if isinstance(structure, dict):
        return [(f"{prefix}[{key!r}]", value) for key, value in structure.items()]
    if isinstance(structure, list | tuple):
        return [(f"{prefix}[{index}]", value) for index, value in enumerate(structure)]
    return [(prefix, structure)]


def _layer_text(layer: Any) -> str:
    return f"'{layer.name}' ({type(layer).__name__})"
