"""The :class:`Loss` base (conversion, sample weights, reduction) and helpers the losses share.

A loss's ``call(y_true, y_pred)`` returns one value per sample (more generally, per position:
the shape of ``y_pred`` without its last axis). ``Loss.__call__`` then weights and reduces them
as Keras 3 does. With per-sample values ``v_i``, weights ``w_i`` (1 without ``sample_weight``)
and ``N`` values:

    'sum_over_batch_size' (default), 'mean':  L = sum_i w_i v_i / N
    'sum':                                    L = sum_i w_i v_i
    'mean_with_sample_weight':                L = sum_i w_i v_i / sum_i w_i
    'none' or None:                           L_i = w_i v_i           (no reduction)

so ``dL/dv_i = w_i / N`` (resp. ``w_i``, ``w_i / sum w``). A zero divisor gives 0, as Keras's
``divide_no_nan``. With a mask (``SparseCategoricalCrossentropy(ignore_class=k)``), masked
values count as weight 0, and the means divide by the number (resp. total weight) of the
values kept, as Keras does.
"""
from __future__ import annotations

import numbers
from typing import Any

from axon import backend
from axon.backend import xp
from axon.engine import Tensor
from axon.engine import functional as F
from axon.utils.naming import to_snake_case

REDUCTIONS = ("sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none", None)


# ---- helpers shared by the loss functions -------------------------------------------------------
def producer_input(y_pred: Tensor, op_type: type, axis: int = -1) -> Tensor | None:
    """The input of the ``op_type`` node that produced ``y_pred`` (its logits), if recorded and
    taken over ``axis`` (the class axis of the loss)."""
    op = y_pred.creator
    if isinstance(op, op_type) and op.inputs is not None:
        if _canonical_axis(getattr(op, "axis", -1), y_pred.ndim) == _canonical_axis(axis, y_pred.ndim):
            return op.inputs[0]
    return None


def _canonical_axis(axis: int, ndim: int) -> int:
    return axis + ndim if axis < 0 else axis


def check_axis(axis: Any, ndim: int, fn_name: str) -> int:
    """``axis`` as a non-negative int, or a ValueError naming ``fn_name``."""
    if isinstance(axis, bool) or not isinstance(axis, numbers.Integral):
        raise ValueError(f"{fn_name} expects axis to be an int. Received: axis={axis!r}")
    if not -max(ndim, 1) <= axis < max(ndim, 1):
        raise ValueError(f"{fn_name}: axis {axis} is out of range for y_pred of rank {ndim}. "
                         f"Received: axis={axis}")
    return _canonical_axis(int(axis), ndim)


def move_axis_last(x: Tensor, axis: int) -> Tensor:
    """``x`` with ``axis`` (non-negative) moved to the end; a transpose, so gradients flow."""
    if axis == x.ndim - 1:
        return x
    order = tuple(i for i in range(x.ndim) if i != axis) + (axis,)
    return F.transpose(x, order)


def check_label_smoothing(label_smoothing: Any, where: str) -> float:
    """``label_smoothing`` as a float in ``[0, 1]``, or a ValueError naming ``where``."""
    if isinstance(label_smoothing, bool) or not isinstance(label_smoothing, numbers.Real) \
            or not 0.0 <= float(label_smoothing) <= 1.0:
        raise ValueError(f"{where} expects label_smoothing to be a float in [0, 1]. "
                         f"Received: label_smoothing={label_smoothing!r}")
    return float(label_smoothing)


def as_pred(y_pred: Any) -> Tensor:
    """Predictions as a floating-point tensor (integers and lists take the default float type)."""
    if isinstance(y_pred, Tensor):
        return y_pred
    tensor = Tensor(y_pred)  # lists and numbers take the default float type, arrays keep theirs
    return tensor if tensor.dtype.kind == "f" else Tensor(tensor.data.astype(backend.floatx()))


def as_target(y_true: Any, y_pred: Tensor) -> Tensor:
    """Targets as a tensor of ``y_pred``'s float type (a target tensor needing no gradient is cast)."""
    if isinstance(y_true, Tensor):
        if y_true.dtype == y_pred.dtype or y_true.requires_grad:
            return y_true
        return Tensor(y_true.data.astype(y_pred.dtype))
    return Tensor(xp.asarray(y_true, dtype=y_pred.dtype))


def align(y_true: Any, y_pred: Any, fn_name: str, strict: bool = True) -> tuple[Tensor, Tensor]:
    """Targets and predictions as tensors of one float type and one shape.

    As Keras's ``squeeze_or_expand_to_same_rank``: when the ranks differ by one and the larger
    has a last axis of 1, a rank-1 side gains that axis, otherwise the larger loses it (so
    ``(n,)`` targets fit ``(n, 1)`` predictions). With ``strict``, any other shape difference is
    a ValueError naming both shapes (Keras would broadcast, e.g. ``(n, 3)`` against ``(n, 1)``,
    and silently compute something else).
    """
    y_pred = as_pred(y_pred)
    y_true = as_target(y_true, y_pred)
    if y_true.ndim == y_pred.ndim + 1 and y_true.shape[-1] == 1:
        if y_pred.ndim == 1:
            y_pred = F.expand_dims(y_pred, -1)
        else:
            y_true = F.squeeze(y_true, -1)
    elif y_pred.ndim == y_true.ndim + 1 and y_pred.shape[-1] == 1:
        if y_true.ndim == 1:
            y_true = F.expand_dims(y_true, -1)
        else:
            y_pred = F.squeeze(y_pred, -1)
    if strict and y_true.shape != y_pred.shape:
        raise ValueError(f"{fn_name} expects y_true and y_pred of the same shape. Received: "
                         f"y_true.shape={y_true.shape}, y_pred.shape={y_pred.shape}")
    return y_true, y_pred


# ---- the base class -----------------------------------------------------------------------------
class Loss:
    """Base loss: ``loss(y_true, y_pred, sample_weight=None)`` -> a tensor (scalar unless
    ``reduction='none'``).

    Subclasses implement ``call(y_true, y_pred)`` returning per-sample values; ``__call__``
    converts the inputs, applies ``sample_weight`` and reduces (see the module docstring).

    Args:
        reduction: ``'sum_over_batch_size'`` (default), ``'sum'``, ``'mean'`` (as
            ``'sum_over_batch_size'``), ``'mean_with_sample_weight'`` (divide by the sum of the
            weights), or ``'none'``/``None``.
        name: the loss's name.

    ``sample_weight`` may be a scalar, one weight per sample (``(n,)`` or ``(n, 1)``), or one per
    loss value; weights of lower rank than the losses broadcast over their trailing axes.

    Example:
        >>> import axon
        >>> class Absolute(axon.losses.Loss):
        ...     def call(self, y_true, y_pred):
        ...         return abs(y_pred - y_true).sum(axis=-1)
        >>> Absolute(reduction="sum")([[1.0], [2.0]], [[0.5], [3.0]]).item()
        1.5
    """

    def __init__(self, reduction: str | None = "sum_over_batch_size", name: str | None = None):
        if reduction not in REDUCTIONS:
            raise ValueError(f"Invalid value for argument reduction of {type(self).__name__}: "
                             f"expected one of {REDUCTIONS}. Received: reduction={reduction!r}")
        if name is not None and not isinstance(name, str):
            raise ValueError(f"Loss name must be a string. Received: name={name!r}")
        self.reduction = reduction
        self.name = name or to_snake_case(type(self).__name__)

    def call(self, y_true: Tensor, y_pred: Tensor) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} must implement call(y_true, y_pred).")

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> Tensor:
        y_pred = as_pred(y_pred)
        dtype = self._target_dtype(y_pred)
        if not isinstance(y_true, Tensor):
            y_true = Tensor(xp.asarray(y_true, dtype=dtype))
        elif dtype is not None:
            y_true = as_target(y_true, y_pred)
        values = self.call(y_true, y_pred)
        if not isinstance(values, Tensor):
            values = F.as_tensor(values)
        return reduce_values(values, sample_weight, self._valid_mask(y_true, y_pred),
                             self.reduction)

    def _target_dtype(self, y_pred: Tensor) -> Any:
        """The dtype targets are converted to (``None`` keeps integer labels as they are)."""
        return y_pred.dtype

    def _valid_mask(self, y_true: Tensor, y_pred: Tensor) -> Any:
        """A boolean array shaped like the per-sample values, False where a value is ignored."""
        return None

    def get_config(self) -> dict:
        return {"reduction": self.reduction, "name": self.name}

    @classmethod
    def from_config(cls, config: dict) -> Loss:
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r} reduction={self.reduction!r}>"


def _weight_array(sample_weight: Any, values: Tensor) -> Any:
    """``sample_weight`` as an array broadcastable to ``values`` (trailing axes added), checked."""
    weight = sample_weight.data if isinstance(sample_weight, Tensor) else xp.asarray(sample_weight)
    weight = weight.astype(values.dtype, copy=False)
    original = weight.shape
    while weight.ndim > values.ndim and weight.shape[-1] == 1:
        weight = weight[..., 0]
    weight = weight.reshape(weight.shape + (1,) * (values.ndim - weight.ndim))
    if weight.ndim > values.ndim or any(w not in (1, v) for w, v in zip(weight.shape, values.shape)):
        raise ValueError(f"sample_weight of shape {original} does not fit the per-sample losses of "
                         f"shape {values.shape}: expected a scalar, one weight per sample "
                         f"{values.shape[:1]}, or the shape {values.shape}.")
    return weight


def reduce_values(values: Tensor, sample_weight: Any = None, mask: Any = None,
                  reduction: str | None = "sum_over_batch_size") -> Tensor:
    """Weight and reduce per-sample loss values as Keras 3 does (see the module docstring)."""
    weight = None if sample_weight is None else _weight_array(sample_weight, values)
    if mask is not None:
        mask = xp.asarray(mask).reshape(values.shape)
        weight = mask.astype(values.dtype) if weight is None else weight * mask
    if weight is not None:
        values = values * Tensor._from_op(weight, None)
    if reduction in ("none", None) or values.ndim == 0:
        return values
    total = F.sum(values)
    if reduction == "sum":
        return total
    if reduction == "mean_with_sample_weight" and weight is not None:
        divisor = float(xp.sum(xp.broadcast_to(weight, values.shape)))
    elif mask is not None:
        divisor = float(xp.sum(mask))
    else:
        divisor = float(values.size)
    return total * (1.0 / divisor if divisor != 0 else 0.0)


class LossFunctionWrapper(Loss):
    """A loss class around a per-sample function ``fn(y_true, y_pred, **kwargs)``.

    Targets and predictions are first brought to the same rank as in Keras (``(n,)`` targets
    fit ``(n, 1)`` predictions); the function gets tensors.

    Example:
        >>> import axon
        >>> def cube(y_true, y_pred):
        ...     return ((y_pred - y_true) ** 3).mean(axis=-1)
        >>> axon.losses.LossFunctionWrapper(cube)([1.0, 2.0], [[2.0], [4.0]]).item()
        4.5
    """

    def __init__(self, fn, reduction: str | None = "sum_over_batch_size", name: str | None = None,
                 **kwargs: Any):
        if not callable(fn):
            raise ValueError(f"LossFunctionWrapper expects a callable fn. Received: fn={fn!r}")
        super().__init__(reduction, name or getattr(fn, "__name__", None))
        self.fn, self.fn_kwargs = fn, kwargs

    def call(self, y_true, y_pred):
        y_true, y_pred = align(y_true, y_pred, getattr(self.fn, "__name__", "loss"), strict=False)
        return self.fn(y_true, y_pred, **self.fn_kwargs)

    def get_config(self):
        return {**super().get_config(), **self.fn_kwargs}
