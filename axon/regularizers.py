"""Weight regularizers: penalties on a layer's weights (or activity) added to the loss.

A regularizer is a function of one tensor returning a scalar tensor, computed with the engine's
ops so that its gradient reaches the weight when the total loss is backpropagated:

    total_loss = loss(y_true, y_pred) + sum over regularized weights w of  R(w)

    L1:   R(w) = l1 * sum(|w|)            dR/dw = l1 * sign(w)
    L2:   R(w) = l2 * sum(w**2)           dR/dw = 2 * l2 * w      (Keras's L2 has no 1/2)
    L1L2: R(w) = L1 + L2 terms

Layers resolve ``kernel_regularizer=...`` with :func:`get`, which takes a name (``'l1'``,
``'l2'``, ``'l1_l2'``, ``'orthogonal_regularizer'`` or a class name), a config dict, an instance,
or any callable ``weight -> scalar tensor``.

Example:
    >>> import axon
    >>> import axon.regularizers
    >>> penalty = axon.regularizers.L2(0.5)(axon.Tensor([[1.0, 2.0], [3.0, 0.0]]))
    >>> float(penalty.item())
    7.0
"""
from __future__ import annotations

import inspect
import math
from typing import Any

from axon import backend
from axon.backend import xp
from axon.engine import functional as F
from axon.engine.tensor import Tensor
from axon.utils.registry import custom_class, custom_object, resolve


def _check_factor(value: Any, name: str, owner: str) -> float:
    """``value`` as a float, after checking it is a finite, non-negative number."""
    if (isinstance(value, bool) or not isinstance(value, int | float)
            or math.isnan(value) or math.isinf(value) or value < 0):
        raise ValueError(f"{owner} expects {name} to be a non-negative finite number. "
                         f"Received: {name}={value!r}")
    return float(value)


def _as_tensor(weight: Any) -> Tensor:
    return weight if isinstance(weight, Tensor) else Tensor(weight)


class Regularizer:
    """Base class: ``regularizer(weight) -> scalar Tensor``; the base penalty is 0.

    Subclasses implement ``__call__`` with the engine's functional ops (so that gradients flow
    to the weight) and ``get_config``; ``from_config(config)`` calls ``cls(**config)``.
    """

    def __call__(self, weight: Any) -> Tensor:
        weight = _as_tensor(weight)
        return Tensor(xp.zeros((), dtype=weight.dtype))

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config: dict) -> Regularizer:
        return cls(**config)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class L1L2(Regularizer):
    """Both penalties: ``R(w) = l1 * sum(|w|) + l2 * sum(w**2)``.

    Gradient: ``dR/dw = l1 * sign(w) + 2 * l2 * w`` (``sign(0) = 0``: the subgradient 0 at a kink).
    As in Keras, the class defaults are ``l1=0.0, l2=0.0`` while the string ``'l1_l2'`` and the
    function :func:`l1_l2` default to 0.01 each.

    Args:
        l1: the L1 factor, a non-negative number (None means 0).
        l2: the L2 factor, a non-negative number (None means 0).

    Example:
        >>> import axon
        >>> round(L1L2(l1=0.1, l2=0.5)(axon.Tensor([1.0, -2.0])).item(), 6)
        2.8
    """

    def __init__(self, l1: float = 0.0, l2: float = 0.0) -> None:
        self.l1 = _check_factor(0.0 if l1 is None else l1, "l1", "L1L2")
        self.l2 = _check_factor(0.0 if l2 is None else l2, "l2", "L1L2")

    def __call__(self, weight: Any) -> Tensor:
        weight = _as_tensor(weight)
        penalty = Regularizer.__call__(self, weight)
        if self.l1:
            penalty = penalty + self.l1 * F.sum(F.abs(weight))
        if self.l2:
            penalty = penalty + self.l2 * F.sum(F.square(weight))
        return penalty

    def get_config(self) -> dict:
        return {"l1": self.l1, "l2": self.l2}


class L1(Regularizer):
    """L1 (lasso) penalty: ``R(w) = l1 * sum(|w|)``; it drives weights to exactly zero.

    Gradient: ``dR/dw = l1 * sign(w)`` (0 at ``w = 0``).

    Args:
        l1: the factor, a non-negative number (default 0.01, as Keras; None means 0.01).

    Example:
        >>> import axon
        >>> round(L1(0.1)(axon.Tensor([1.0, -2.0, 0.0])).item(), 6)
        0.3
    """

    def __init__(self, l1: float = 0.01) -> None:
        self.l1 = _check_factor(0.01 if l1 is None else l1, "l1", "L1")

    def __call__(self, weight: Any) -> Tensor:
        return self.l1 * F.sum(F.abs(_as_tensor(weight)))

    def get_config(self) -> dict:
        return {"l1": self.l1}


class L2(Regularizer):
    """L2 (ridge, weight-decay) penalty: ``R(w) = l2 * sum(w**2)``.

    Gradient: ``dR/dw = 2 * l2 * w``. Keras's L2 has no factor 1/2 (textbooks often write
    ``l2/2 * ||w||^2``, whose gradient is ``l2 * w``); we follow Keras.

    Args:
        l2: the factor, a non-negative number (default 0.01, as Keras; None means 0.01).

    Example:
        >>> import axon
        >>> float(L2(2.0)(axon.Tensor([[1.0, 1.0], [1.0, 1.0]])).item())
        8.0
    """

    def __init__(self, l2: float = 0.01) -> None:
        self.l2 = _check_factor(0.01 if l2 is None else l2, "l2", "L2")

    def __call__(self, weight: Any) -> Tensor:
        return self.l2 * F.sum(F.square(_as_tensor(weight)))

    def get_config(self) -> dict:
        return {"l2": self.l2}


class OrthogonalRegularizer(Regularizer):
    """Pushes the rows (or columns) of a 2-D weight to be orthogonal to one another.

    With ``mode='rows'``, each row ``w_i`` of the ``(n, m)`` weight is L2-normalised,
    ``u_i = w_i / max(||w_i||, eps)`` (``eps = backend.epsilon()``), and the penalty is
    ``factor`` times the mean absolute cosine over the ``n (n - 1)`` ordered pairs ``i != j``:

        R(W) = factor * 0.5 * sum_{i != j} |u_i . u_j| / (n (n - 1) / 2)
             = factor * sum_{i != j} |u_i . u_j| / (n (n - 1))

    ``mode='columns'`` does the same with the columns (``n`` = number of columns). The
    gradient is the chain rule through the normalisation, the Gram matrix ``U U^T`` and ``|.|``
    (``sign(0) = 0``); it is zero when the rows are already orthogonal.

    With a single row (column) there are no pairs: the penalty is 0 (Keras divides 0 by 0).

    Args:
        factor: a non-negative number (default 0.01).
        mode: ``'rows'`` (default) or ``'columns'``.

    Example:
        >>> import axon
        >>> reg = OrthogonalRegularizer(factor=1.0)
        >>> round(reg(axon.Tensor([[1.0, 0.0], [1.0, 1.0]])).item(), 6)  # cos 45 degrees
        0.707107
    """

    def __init__(self, factor: float = 0.01, mode: str = "rows") -> None:
        self.factor = _check_factor(factor, "factor", "OrthogonalRegularizer")
        if mode not in ("rows", "columns"):
            raise ValueError("OrthogonalRegularizer expects mode to be 'rows' or 'columns'. "
                             f"Received: mode={mode!r}")
        self.mode = mode

    def __call__(self, weight: Any) -> Tensor:
        weight = _as_tensor(weight)
        if weight.ndim != 2:
            raise ValueError("OrthogonalRegularizer expects a weight of rank 2. "
                             f"Received: weight.shape={weight.shape}")
        if self.mode == "columns":
            weight = F.transpose(weight)
        n = weight.shape[0]
        if n < 2:
            return Regularizer.__call__(self, weight)
        eps = backend.epsilon()
        norms = F.sqrt(F.maximum(F.sum(F.square(weight), axis=1, keepdims=True), eps * eps))
        unit = weight / norms
        gram = F.matmul(unit, F.transpose(unit))
        off_diagonal = gram * Tensor(1.0 - xp.eye(n, dtype=weight.dtype))
        return (self.factor / (n * (n - 1))) * F.sum(F.abs(off_diagonal))

    def get_config(self) -> dict:
        return {"factor": self.factor, "mode": self.mode}


def l1(l1: float = 0.01) -> L1:  # noqa: A002 - Keras's name
    """``L1(l1)``."""
    return L1(l1)


def l2(l2: float = 0.01) -> L2:
    """``L2(l2)``."""
    return L2(l2)


def l1_l2(l1: float = 0.01, l2: float = 0.01) -> L1L2:
    """``L1L2(l1, l2)`` with Keras's function defaults ``l1=0.01, l2=0.01``."""
    return L1L2(l1=l1, l2=l2)


def orthogonal_regularizer(factor: float = 0.01, mode: str = "rows") -> OrthogonalRegularizer:
    """``OrthogonalRegularizer(factor, mode)``."""
    return OrthogonalRegularizer(factor=factor, mode=mode)


ALL = {
    "l1": l1, "l2": l2, "l1_l2": l1_l2, "orthogonal_regularizer": orthogonal_regularizer,
}
"""String names (snake_case) and what each builds with its defaults. Class names (``'L1L2'``,
``'l1l2'`` ...) build the class with its own defaults, as Keras 3 does: ``get('l1l2')`` is
``L1L2()`` (no penalty) while ``get('l1_l2')`` is ``l1_l2()`` (0.01 each, as Keras documents)."""

_CLASSES = {cls.__name__: cls for cls in (Regularizer, L1, L2, L1L2, OrthogonalRegularizer)}


def get(identifier: Any) -> Any:
    """A regularizer from an identifier, as ``keras.regularizers.get``.

    Args:
        identifier: None (gives None); a name (``'l1'``, ``'l2'``, ``'l1_l2'``,
            ``'orthogonal_regularizer'``, or a class name such as ``'L1L2'``); a dict
            ``{"class_name": ..., "config": {...}}`` as :func:`serialize` writes; a Regularizer
            class (instantiated with its defaults) or instance; or any callable
            ``weight -> scalar Tensor``, returned unchanged.

    Raises:
        ValueError: for an unknown name (listing the known ones) or anything else.

    Example:
        >>> get("l1_l2").get_config()
        {'l1': 0.01, 'l2': 0.01}
    """
    if identifier is None:
        return None
    custom = custom_object(identifier)   # a name the program supplied: custom_objects, registered
    if custom is not None:
        return get(custom)
    if isinstance(identifier, dict):
        if "class_name" not in identifier:
            raise ValueError("A regularizer config dict needs a 'class_name' key. "
                             f"Received: {identifier!r}")
        known = {k.lower(): v for k, v in _CLASSES.items()}
        cls = custom_class(identifier["class_name"]) or resolve(identifier["class_name"], known,
                                                                 "regularizer")
        return cls.from_config(dict(identifier.get("config") or {}))
    if isinstance(identifier, str):
        known = {**ALL, **{k.lower(): v for k, v in _CLASSES.items()}}
        return resolve(identifier, known, "regularizer")()
    if inspect.isclass(identifier) and issubclass(identifier, Regularizer):
        return identifier()
    if callable(identifier) and not inspect.isclass(identifier):
        return identifier
    raise ValueError(f"Could not interpret regularizer identifier: {identifier!r}")


def serialize(regularizer: Any) -> dict | None:
    """``{"class_name": ..., "config": ...}`` for a Regularizer (None for None).

    Raises:
        ValueError: for a plain function, which has no config to write.

    Example:
        >>> serialize(L2(0.1))
        {'class_name': 'L2', 'config': {'l2': 0.1}}
    """
    if regularizer is None:
        return None
    if not isinstance(regularizer, Regularizer):
        raise ValueError("serialize expects a Regularizer instance (or None); a plain function "
                         f"has no config. Received: {regularizer!r}")
    class_name = getattr(type(regularizer), "_registered_name", None) or type(regularizer).__name__
    return {"class_name": class_name, "config": regularizer.get_config()}


def deserialize(config: dict) -> Regularizer:
    """The inverse of :func:`serialize`."""
    return get(config)
