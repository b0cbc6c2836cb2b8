"""Loss functions: the number gradient descent makes small.

A loss compares targets ``y`` with predictions ``p`` and returns one value per sample; the
:class:`Loss` base then reduces the batch, by default to the mean (Keras's
``'sum_over_batch_size'``), with optional per-sample weights:

    L = sum_i w_i * loss_i / N        (w_i = 1 without sample weights; N = number of values)

Cross-entropies are computed from logits whenever they can be: from the logits given with
``from_logits=True``, or taken from the softmax/sigmoid that produced ``p`` (as Keras does), so a
saturated prediction gives a finite loss and a finite gradient. Otherwise ``p`` is clipped to
``[eps, 1 - eps]`` (``eps = axon.config.epsilon()``), as in Keras.

Example:
    >>> import axon
    >>> loss = axon.losses.get("mse")
    >>> float(loss(axon.Tensor([[1.0], [2.0]]), axon.Tensor([[1.5], [2.0]])).item())
    0.125
"""
from __future__ import annotations

from typing import Any

from axon import backend
from axon.engine import Tensor
from axon.engine import functional as F
from axon.engine.ops import Sigmoid, Softmax
from axon.utils import resolve
from axon.utils.naming import to_snake_case

REDUCTIONS = ("sum_over_batch_size", "sum", "none", None)


def _producer_input(y_pred: Tensor, op_type: type) -> Tensor | None:
    """The input of the ``op_type`` node that produced ``y_pred`` (its logits), if recorded."""
    op = y_pred.creator
    if isinstance(op, op_type) and op.inputs is not None and getattr(op, "axis", -1) in (
            -1, y_pred.ndim - 1):
        return op.inputs[0]
    return None


def mean_squared_error(y_true: Tensor, y_pred: Tensor) -> Tensor:
    """Per sample ``mean_j (y_j - p_j)**2`` over the last axis; ``dL/dp = 2 (p - y) / n``."""
    error = y_pred - y_true
    return F.mean(error * error, axis=-1)


def mean_absolute_error(y_true: Tensor, y_pred: Tensor) -> Tensor:
    """Per sample ``mean_j |y_j - p_j|`` over the last axis."""
    return F.mean(F.abs(y_pred - y_true), axis=-1)


def binary_crossentropy(y_true: Tensor, y_pred: Tensor, from_logits: bool = False) -> Tensor:
    """Per sample ``mean_j -(y_j ln p_j + (1 - y_j) ln(1 - p_j))`` over the last axis.

    With logits ``z`` (``p = sigmoid(z)``) it is computed as ``max(z,0) - z y + ln(1 + e**-|z|)``,
    whose gradient is ``sigmoid(z) - y``.
    """
    logits = y_pred if from_logits else _producer_input(y_pred, Sigmoid)
    if logits is not None:
        return F.mean(F.sigmoid_cross_entropy(logits, y_true), axis=-1)
    eps = backend.epsilon()
    p = F.clip(y_pred, eps, 1 - eps)
    return F.mean(-(y_true * F.log(p) + (1 - y_true) * F.log(1 - p)), axis=-1)


def categorical_crossentropy(y_true: Tensor, y_pred: Tensor, from_logits: bool = False,
                             axis: int = -1) -> Tensor:
    """Per sample ``-sum_j y_j ln p_j`` for one-hot (or probability) targets ``y``.

    With logits ``z`` (``p = softmax(z)``): ``-sum_j y_j log_softmax(z)_j``, gradient
    ``softmax(z) - y`` (for targets that sum to 1). Probabilities are renormalised to sum to 1
    and clipped, as in Keras.
    """
    if axis not in (-1, y_pred.ndim - 1):
        raise ValueError(f"categorical_crossentropy supports the last axis only. Received: axis={axis}")
    logits = y_pred if from_logits else _producer_input(y_pred, Softmax)
    if logits is not None:
        return F.softmax_cross_entropy(logits, y_true)
    eps = backend.epsilon()
    p = F.clip(y_pred / F.sum(y_pred, axis=-1, keepdims=True), eps, 1 - eps)
    return -F.sum(y_true * F.log(p), axis=-1)


def sparse_categorical_crossentropy(y_true: Any, y_pred: Tensor, from_logits: bool = False,
                                    axis: int = -1) -> Tensor:
    """Per sample ``-ln p_k`` for integer labels ``k`` (shape ``(n,)`` or ``(n, 1)``).

    With logits: ``ln(sum_j e**z_j) - z_k``, gradient ``softmax(z) - onehot(k)``.
    """
    if axis not in (-1, y_pred.ndim - 1):
        raise ValueError("sparse_categorical_crossentropy supports the last axis only. "
                         f"Received: axis={axis}")
    labels = y_true.data if isinstance(y_true, Tensor) else backend.xp.asarray(y_true)
    if labels.ndim == y_pred.ndim:
        labels = labels[..., 0]
    labels = labels.astype(backend.xp.intp)
    logits = y_pred if from_logits else _producer_input(y_pred, Softmax)
    if logits is not None:
        return F.sparse_softmax_cross_entropy(logits, labels)
    eps = backend.epsilon()
    p = F.clip(y_pred / F.sum(y_pred, axis=-1, keepdims=True), eps, 1 - eps)
    picked = F.getitem(p, (*backend.xp.indices(labels.shape, sparse=True), labels))
    return -F.log(picked)


class Loss:
    """Base loss: ``loss(y_true, y_pred, sample_weight=None)`` -> a scalar tensor.

    Subclasses implement ``call(y_true, y_pred)`` returning per-sample values.

    Args:
        reduction: ``'sum_over_batch_size'`` (mean, default), ``'sum'`` or ``'none'``.
        name: the loss's name.
    """

    def __init__(self, reduction: str | None = "sum_over_batch_size", name: str | None = None):
        if reduction not in REDUCTIONS:
            raise ValueError(f"Loss reduction must be one of {REDUCTIONS}. "
                             f"Received: reduction={reduction!r}")
        self.reduction = reduction
        self.name = name or to_snake_case(type(self).__name__)

    def call(self, y_true: Tensor, y_pred: Tensor) -> Tensor:
        raise NotImplementedError

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> Tensor:
        y_pred = F.as_tensor(y_pred)
        y_true = y_true if isinstance(y_true, Tensor) else Tensor(
            backend.xp.asarray(y_true, dtype=self._target_dtype(y_pred)))
        values = self.call(y_true, y_pred)
        if sample_weight is not None:
            weight = F.as_tensor(backend.xp.asarray(sample_weight, dtype=y_pred.dtype))
            while weight.ndim > values.ndim and weight.shape[-1] == 1:
                weight = F.squeeze(weight, -1)
            values = values * weight
        if self.reduction == "sum":
            return F.sum(values)
        if self.reduction in ("none", None):
            return values
        return F.sum(values) * (1.0 / max(values.size, 1))

    def _target_dtype(self, y_pred: Tensor) -> Any:
        return y_pred.dtype

    def get_config(self) -> dict:
        return {"reduction": self.reduction, "name": self.name}

    @classmethod
    def from_config(cls, config: dict) -> Loss:
        return cls(**config)


class LossFunctionWrapper(Loss):
    """A loss class around a per-sample function ``fn(y_true, y_pred, **kwargs)``."""

    def __init__(self, fn, reduction="sum_over_batch_size", name=None, **kwargs):
        super().__init__(reduction, name or fn.__name__)
        self.fn, self.fn_kwargs = fn, kwargs

    def call(self, y_true, y_pred):
        return self.fn(y_true, y_pred, **self.fn_kwargs)

    def get_config(self):
        return {**super().get_config(), **self.fn_kwargs}


class MeanSquaredError(LossFunctionWrapper):
    """``mean((y - p)**2)``; see :func:`mean_squared_error`."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_error"):
        super().__init__(mean_squared_error, reduction, name)


class MeanAbsoluteError(LossFunctionWrapper):
    """``mean(|y - p|)``; see :func:`mean_absolute_error`."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_error"):
        super().__init__(mean_absolute_error, reduction, name)


class BinaryCrossentropy(LossFunctionWrapper):
    """Binary cross-entropy; see :func:`binary_crossentropy`."""

    def __init__(self, from_logits=False, reduction="sum_over_batch_size",
                 name="binary_crossentropy"):
        super().__init__(binary_crossentropy, reduction, name, from_logits=from_logits)
        self.from_logits = from_logits


class CategoricalCrossentropy(LossFunctionWrapper):
    """Categorical cross-entropy for one-hot targets; see :func:`categorical_crossentropy`."""

    def __init__(self, from_logits=False, reduction="sum_over_batch_size",
                 name="categorical_crossentropy"):
        super().__init__(categorical_crossentropy, reduction, name, from_logits=from_logits)
        self.from_logits = from_logits


class SparseCategoricalCrossentropy(LossFunctionWrapper):
    """Cross-entropy for integer labels; see :func:`sparse_categorical_crossentropy`."""

    def __init__(self, from_logits=False, reduction="sum_over_batch_size",
                 name="sparse_categorical_crossentropy"):
        super().__init__(sparse_categorical_crossentropy, reduction, name,
                         from_logits=from_logits)
        self.from_logits = from_logits

    def _target_dtype(self, y_pred):
        return None  # integer labels stay integers


ALL: dict[str, type] = {
    "mean_squared_error": MeanSquaredError, "mse": MeanSquaredError,
    "mean_absolute_error": MeanAbsoluteError, "mae": MeanAbsoluteError,
    "binary_crossentropy": BinaryCrossentropy,
    "categorical_crossentropy": CategoricalCrossentropy,
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
}
_CLASSES = {cls.__name__.lower(): cls for cls in set(ALL.values())}


def get(identifier: Any) -> Loss:
    """A loss object from a name (``'mse'``, ``'categorical_crossentropy'``, ``'MeanSquaredError'``),
    a class, an instance, or any function ``(y_true, y_pred) -> Tensor`` of per-sample values."""
    if isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, Loss):
        return identifier()
    if isinstance(identifier, str):
        key = identifier.lower()
        return resolve(key, {**ALL, **_CLASSES}, "loss")()
    if callable(identifier):
        return LossFunctionWrapper(identifier)
    raise ValueError(f"Could not interpret loss identifier: {identifier!r}. "
                     f"Expected a name ({', '.join(sorted(ALL))}), a Loss or a callable.")
