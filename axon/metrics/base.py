"""The metric base and the reductions every metric builds on: ``Metric``, ``Sum``, ``Mean``,
``MeanMetricWrapper``.

A metric's state lives on the host as NumPy float64 numbers (Keras keeps float32 variables; the
extra precision only changes the last digits). ``update_state`` takes anything ``numpy.asarray``
takes, and axon Tensors (their data is read; no graph is recorded).
"""
from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from axon import backend
from axon.backend import host as numpy  # metric states live on the host, by design
from axon.engine import Tensor
from axon.utils.naming import to_snake_case
from axon.utils.registry import function_name

_STATE_TYPES = (int, float, numpy.ndarray, numpy.generic)


def host(value: Any, dtype: Any = None) -> numpy.ndarray:
    """``value`` (array-like or Tensor) as a NumPy array on the host."""
    array = backend.to_numpy(value.data if isinstance(value, Tensor) else value)
    return array if dtype is None else array.astype(dtype, copy=False)


def match_rank(x1: numpy.ndarray, x2: numpy.ndarray, expand_rank_1: bool = True):
    """Make ranks equal when they differ by one and the longer one ends in a size-1 axis.

    The longer array loses that axis, except that a rank-1 shorter array (with
    ``expand_rank_1``) gains one instead, as Keras's ``squeeze_or_expand_to_same_rank``.
    """
    if x1.ndim == x2.ndim + 1 and x1.shape[-1] == 1:
        if x2.ndim == 1 and expand_rank_1:
            x2 = x2[..., None]
        else:
            x1 = x1[..., 0]
    elif x2.ndim == x1.ndim + 1 and x2.shape[-1] == 1:
        if x1.ndim == 1 and expand_rank_1:
            x1 = x1[..., None]
        else:
            x2 = x2[..., 0]
    return x1, x2


def broadcast(array: numpy.ndarray, shape: tuple, what: str, to_what: str) -> numpy.ndarray:
    """``numpy.broadcast_to`` with an error that names both arrays."""
    try:
        return numpy.broadcast_to(array, shape)
    except ValueError:
        raise ValueError(f"{what} of shape {array.shape} cannot be broadcast to the shape of "
                         f"{to_what}, {tuple(shape)}.") from None


def samplewise(values: Any, sample_weight: Any, reduce: Callable) -> tuple:
    """Reduce ``values`` to one number per sample (axis 0), applying ``sample_weight``.

    Keras's rule: the weight's rank is matched to the values' (:func:`match_rank`); axes of
    ``values`` beyond the weight's rank are reduced with ``reduce``; the weight is broadcast and
    multiplied in; a weight of rank > 1 is then averaged over its non-batch axes; finally the
    values are reduced over their non-batch axes.

    Returns:
        ``(values, weight)``: ``values`` of rank <= 1; ``weight`` None when none was given.
    """
    values = host(values, numpy.float64)
    weight = None
    if sample_weight is not None:
        weight = host(sample_weight, numpy.float64)
        values, weight = match_rank(values, weight)
        if values.ndim > weight.ndim:
            values = reduce(values, axis=tuple(range(weight.ndim, values.ndim)))
        weight = broadcast(weight, values.shape, "sample_weight", "the metric values")
        values = values * weight
        if weight.ndim > 1:
            weight = numpy.mean(weight, axis=tuple(range(1, weight.ndim)))
    if values.ndim > 1:
        values = reduce(values, axis=tuple(range(1, values.ndim)))
    return values, weight


class Metric:
    """Base metric: ``update_state(y_true, y_pred, sample_weight=None)`` adds a batch,
    ``result()`` reads the value, ``reset_state()`` clears it (the trainer calls it each epoch).

    Args:
        name: the metric's name in logs; default the snake-case class name.
        dtype: the dtype named in the config (default the float type, ``'float32'``); the state
            itself is always float64 on the host.

    Calling a metric, ``metric(y_true, y_pred)``, updates it and returns ``result()``.
    """

    def __init__(self, name: str | None = None, dtype: Any = None) -> None:
        if name is not None and not isinstance(name, str):
            raise TypeError(f"A metric's name must be a string. Received: name={name!r}")
        self.name = name or to_snake_case(type(self).__name__)
        self.dtype = str(numpy.dtype(dtype)) if dtype is not None else backend.floatx()

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        raise NotImplementedError

    def result(self) -> Any:
        raise NotImplementedError

    def reset_state(self) -> None:
        raise NotImplementedError

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.update_state(*args, **kwargs)
        return self.result()

    def state_names(self) -> list[str]:
        """The attributes that hold the running state: those that ``reset_state`` assigns a
        number, an array or None (a state whose shape the first batch fixes). Configuration
        such as thresholds stays out.

        Checkpoints save these, and distributed training sums them over the processes, so every
        state must be a sum over the samples seen (totals, counts, confusion counts) that
        ``reset_state`` assigns afresh (not in place).
        """
        assigned: list[str] = []

        class Recorder(type(self)):   # a copy whose attribute assignments are written down
            def __setattr__(self, name: str, value: Any) -> None:
                assigned.append(name)
                super().__setattr__(name, value)

        try:
            fresh = copy.deepcopy(self)
        except Exception as error:   # e.g. a metric holding a lock or an open file
            raise TypeError(f"Metric '{self.name}' ({type(self).__name__}) could not be copied to "
                            f"find which attributes reset_state assigns ({error}); override "
                            "state_names() to list them.") from error
        fresh.__class__ = Recorder
        fresh.reset_state()
        return sorted({name for name in assigned
                       if isinstance(getattr(fresh, name), _STATE_TYPES + (type(None),))
                       and not isinstance(getattr(fresh, name), bool)})

    def get_state(self) -> dict[str, Any]:
        """A copy of the running state, ``{name: number or array}`` (states still None left
        out)."""
        state = {}
        for name in self.state_names():
            value = getattr(self, name)
            if value is not None:
                state[name] = value.copy() if isinstance(value, numpy.ndarray) else value
        return state

    def set_state(self, state: dict[str, Any]) -> None:
        """Put back a state from ``get_state`` (copied)."""
        names = self.state_names()
        for name, value in state.items():
            if name not in names or not isinstance(value, _STATE_TYPES):
                raise ValueError(f"Metric '{self.name}' ({type(self).__name__}) has no state "
                                 f"{name!r} like the saved {type(value).__name__}; its state is "
                                 f"{names}.")
            setattr(self, name, value.copy() if isinstance(value, numpy.ndarray) else value)

    def get_config(self) -> dict:
        """The arguments that rebuild this metric (``type(m).from_config(m.get_config())``)."""
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config: dict) -> Metric:
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r}>"


class Sum(Metric):
    """The weighted sum of the values given: ``sum_i w_i v_i`` (``w_i = 1`` without weights).

    Values of rank > 1 are first summed per sample; weights follow the rules of ``Mean``.

    Example:
        >>> m = Sum()
        >>> m.update_state([1.0, 3.0, 5.0, 7.0], sample_weight=[1, 1, 0, 0])
        >>> m.result()
        4.0
    """

    def __init__(self, name: str = "sum", dtype: Any = None) -> None:
        super().__init__(name, dtype)
        self.reset_state()

    def reset_state(self) -> None:
        self.total = 0.0

    def update_state(self, values: Any, sample_weight: Any = None) -> None:
        values, _ = samplewise(values, sample_weight, numpy.sum)
        self.total += float(numpy.sum(values))

    def result(self) -> float:
        return self.total


class Mean(Metric):
    """The weighted mean of the values given: ``sum_i w_i v_i / sum_i w_i``.

    As in Keras, a value array of rank > 1 counts as one sample per row (its mean), so
    ``update_state([[4, 6]])`` adds one sample of value 5. A per-sample weight of shape
    ``(n,)`` weights whole rows; a weight of the values' shape weights each value (the result is
    then ``sum(w * v) / sum(w)`` over all entries). A scalar weight turns the whole batch into one
    sample of that weight (Keras's rule). No samples yet (or zero total weight): 0.

    Example:
        >>> m = Mean()
        >>> m.update_state([1.0, 3.0, 5.0, 7.0], sample_weight=[1, 1, 0, 0])
        >>> m.result()
        2.0
    """

    def __init__(self, name: str = "mean", dtype: Any = None) -> None:
        super().__init__(name, dtype)
        self.reset_state()

    def reset_state(self) -> None:
        self.total, self.count = 0.0, 0.0

    def update_state(self, values: Any, sample_weight: Any = None) -> None:
        values, weight = samplewise(values, sample_weight, numpy.mean)
        self.total += float(numpy.sum(values))
        if weight is not None:
            self.count += float(numpy.sum(weight))
        else:
            self.count += values.shape[0] if values.ndim else 1

    def result(self) -> float:
        return self.total / self.count if self.count else 0.0


class MeanMetricWrapper(Mean):
    """The weighted mean over samples of a function ``fn(y_true, y_pred, **kwargs)``.

    ``fn`` receives host NumPy arrays and returns one value per sample (or per element: extra
    axes are averaged per sample, as in ``Mean``).

    Args:
        fn: the function; its ``__name__`` is the default name.
        name: the metric's name.
        dtype: see ``Metric``.
        **kwargs: passed on to ``fn`` at each call.

    Example:
        >>> def off_by(y_true, y_pred):
        ...     return abs(y_true - y_pred)
        >>> m = MeanMetricWrapper(off_by)
        >>> m.update_state([1.0, 2.0], [1.5, 2.5])
        >>> (m.name, m.result())
        ('off_by', 0.5)
    """

    def __init__(self, fn: Callable, name: str | None = None, dtype: Any = None, **kwargs) -> None:
        if not callable(fn):
            raise TypeError(f"MeanMetricWrapper expects a callable fn. Received: fn={fn!r}")
        super().__init__(name or getattr(fn, "__name__", None) or "mean_metric_wrapper", dtype)
        self.fn, self.fn_kwargs = fn, kwargs

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        super().update_state(self.fn(host(y_true), host(y_pred), **self.fn_kwargs), sample_weight)

    def get_config(self) -> dict:
        """``fn`` is stored by name; ``from_config`` finds the built-in metric functions by name."""
        return {**super().get_config(), "fn": function_name(self.fn) or repr(self.fn),
                **self.fn_kwargs}

    @classmethod
    def from_config(cls, config: dict) -> MeanMetricWrapper:
        """Rebuild from ``get_config``; a built-in subclass's config has no ``fn``."""
        if "fn" not in config:
            return cls(**config)
        config = dict(config)
        fn = config.pop("fn")
        if isinstance(fn, str):
            from axon.metrics import get_function  # the name table lives with the other names
            fn = get_function(fn)
        return cls(fn, **config)
