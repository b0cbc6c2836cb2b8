"""Learning-rate schedules: ``eta(step)``, Keras 3's classes, names and formulas.

An optimizer calls its schedule with ``step = iterations`` *before* counting the current step, so
the first update uses ``eta(0)``. Each schedule returns a Python float, serialises with
``get_config`` and is rebuilt with ``from_config``; ``serialize``/``deserialize`` wrap that in
``{"class_name": ..., "config": ...}`` (the form an optimizer's config stores).

Example:
    >>> from axon.optimizers import schedules
    >>> s = schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
    >>> [round(s(step), 6) for step in (0, 10, 20)]
    [0.1, 0.05, 0.025]
"""
from __future__ import annotations

import math
import numbers
from typing import Any


class LearningRateSchedule:
    """Base class: a learning rate as a function of the step count.

    A subclass implements ``__call__(step) -> float`` and ``get_config()`` (its constructor's
    arguments); ``from_config`` then rebuilds it.
    """

    def __call__(self, step: int) -> float:
        raise NotImplementedError(f"Learning rate schedule '{type(self).__name__}' must override "
                                  "__call__(self, step).")

    def get_config(self) -> dict:
        raise NotImplementedError(f"Learning rate schedule '{type(self).__name__}' must override "
                                  "get_config(self).")

    @classmethod
    def from_config(cls, config: dict) -> LearningRateSchedule:
        return cls(**config)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


def _number(owner: str, arg: str, value: Any, positive: bool = False,
            non_negative: bool = False) -> float:
    ok = not isinstance(value, bool) and isinstance(value, numbers.Real) and math.isfinite(value)
    if ok and positive:
        ok = value > 0
    if ok and non_negative:
        ok = value >= 0
    if not ok:
        need = "a positive number" if positive else "a number >= 0" if non_negative else "a number"
        raise ValueError(f"{owner} expects {arg} to be {need}. Received: {arg}={value!r}")
    return value


class ExponentialDecay(LearningRateSchedule):
    """``eta(step) = initial_learning_rate * decay_rate ** (step / decay_steps)``.

    With ``staircase=True`` the exponent is ``floor(step / decay_steps)`` (a step function).

    Args:
        initial_learning_rate: ``eta(0)``.
        decay_steps: steps over which the rate is multiplied by ``decay_rate`` (> 0).
        decay_rate: the factor per ``decay_steps``.
        staircase: decay in discrete intervals.
        name: the schedule's name.
    """

    def __init__(self, initial_learning_rate: float, decay_steps: int, decay_rate: float,
                 staircase: bool = False, name: str = "ExponentialDecay") -> None:
        owner = type(self).__name__
        self.initial_learning_rate = _number(owner, "initial_learning_rate", initial_learning_rate)
        self.decay_steps = _number(owner, "decay_steps", decay_steps, positive=True)
        self.decay_rate = _number(owner, "decay_rate", decay_rate)
        self.staircase, self.name = bool(staircase), name

    def __call__(self, step: int) -> float:
        p = step / self.decay_steps
        if self.staircase:
            p = math.floor(p)
        return self.initial_learning_rate * self.decay_rate ** p

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "decay_rate": self.decay_rate, "staircase": self.staircase, "name": self.name}


class InverseTimeDecay(LearningRateSchedule):
    """``eta(step) = initial_learning_rate / (1 + decay_rate * step / decay_steps)``.

    With ``staircase=True``, ``step / decay_steps`` is floored.

    Args:
        initial_learning_rate: ``eta(0)``.
        decay_steps: how often to apply the decay (> 0).
        decay_rate: the decay rate.
        staircase: decay in discrete intervals.
        name: the schedule's name.
    """

    def __init__(self, initial_learning_rate: float, decay_steps: int, decay_rate: float,
                 staircase: bool = False, name: str = "InverseTimeDecay") -> None:
        owner = type(self).__name__
        self.initial_learning_rate = _number(owner, "initial_learning_rate", initial_learning_rate)
        self.decay_steps = _number(owner, "decay_steps", decay_steps, positive=True)
        self.decay_rate = _number(owner, "decay_rate", decay_rate)
        self.staircase, self.name = bool(staircase), name

    def __call__(self, step: int) -> float:
        p = step / self.decay_steps
        if self.staircase:
            p = math.floor(p)
        return self.initial_learning_rate / (1 + self.decay_rate * p)

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "decay_rate": self.decay_rate, "staircase": self.staircase, "name": self.name}


class PiecewiseConstantDecay(LearningRateSchedule):
    """A step function: ``values[0]`` for ``step <= boundaries[0]``, ``values[i]`` for
    ``boundaries[i-1] < step <= boundaries[i]``, ``values[-1]`` for ``step > boundaries[-1]``.

    Args:
        boundaries: increasing step boundaries.
        values: the rates, one more than ``boundaries``.
        name: the schedule's name.

    Example:
        >>> s = PiecewiseConstantDecay(boundaries=[100, 200], values=[1.0, 0.5, 0.1])
        >>> [s(step) for step in (0, 100, 101, 200, 201)]
        [1.0, 1.0, 0.5, 0.5, 0.1]
    """

    def __init__(self, boundaries: list, values: list, name: str = "PiecewiseConstant") -> None:
        owner = type(self).__name__
        boundaries, values = list(boundaries), list(values)
        if len(boundaries) != len(values) - 1:
            raise ValueError(f"{owner} expects one more value than boundaries. Received: "
                             f"boundaries={boundaries} of length {len(boundaries)}, and "
                             f"values={values} of length {len(values)}")
        for b in boundaries:
            _number(owner, "boundaries", b)
        for v in values:
            _number(owner, "values", v)
        if any(b1 >= b2 for b1, b2 in zip(boundaries, boundaries[1:])):
            raise ValueError(f"{owner} expects strictly increasing boundaries. "
                             f"Received: boundaries={boundaries}")
        self.boundaries, self.values, self.name = boundaries, values, name

    def __call__(self, step: int) -> float:
        for boundary, value in zip(self.boundaries, self.values):
            if step <= boundary:
                return float(value)
        return float(self.values[-1])

    def get_config(self) -> dict:
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class PolynomialDecay(LearningRateSchedule):
    """From ``initial_learning_rate`` to ``end_learning_rate`` along ``(1 - s / D) ** power``:

        eta(step) = (initial - end) * (1 - s / D) ** power + end

    Without ``cycle``: ``s = min(step, decay_steps)``, ``D = decay_steps`` (then flat at ``end``).
    With ``cycle``: ``s = step`` and ``D = decay_steps * ceil(step / decay_steps)`` (``D =
    decay_steps`` at step 0), so the decay restarts, each time over a longer span.

    Args:
        initial_learning_rate: ``eta(0)``.
        decay_steps: the decay's length (> 0).
        end_learning_rate: the final rate (default 0.0001).
        power: the polynomial's power (default 1.0: linear).
        cycle: restart after ``decay_steps``.
        name: the schedule's name.
    """

    def __init__(self, initial_learning_rate: float, decay_steps: int,
                 end_learning_rate: float = 0.0001, power: float = 1.0, cycle: bool = False,
                 name: str = "PolynomialDecay") -> None:
        owner = type(self).__name__
        self.initial_learning_rate = _number(owner, "initial_learning_rate", initial_learning_rate)
        self.decay_steps = _number(owner, "decay_steps", decay_steps, positive=True)
        self.end_learning_rate = _number(owner, "end_learning_rate", end_learning_rate)
        self.power = _number(owner, "power", power)
        self.cycle, self.name = bool(cycle), name

    def __call__(self, step: int) -> float:
        if self.cycle:
            multiplier = 1.0 if step == 0 else math.ceil(step / self.decay_steps)
            decay_steps, s = self.decay_steps * multiplier, step
        else:
            decay_steps, s = self.decay_steps, min(step, self.decay_steps)
        p = s / decay_steps
        return (self.initial_learning_rate - self.end_learning_rate) * (1 - p) ** self.power \
            + self.end_learning_rate

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "end_learning_rate": self.end_learning_rate, "power": self.power,
                "cycle": self.cycle, "name": self.name}


class CosineDecay(LearningRateSchedule):
    """Cosine decay (Loshchilov & Hutter's SGDR without restarts), with an optional linear warmup.

    Without warmup (``warmup_target=None``), with ``s = min(step, decay_steps)``:

        eta(step) = initial * ((1 - alpha) * 0.5 * (1 + cos(pi * s / decay_steps)) + alpha)

    With warmup, ``s = min(step, warmup_steps + decay_steps)``: for ``s < warmup_steps`` the rate
    rises linearly, ``initial + (warmup_target - initial) * s / warmup_steps``; afterwards the cosine
    above runs from ``warmup_target`` with ``s - warmup_steps``.

    Args:
        initial_learning_rate: ``eta(0)``.
        decay_steps: the cosine's length (> 0).
        alpha: the floor, as a fraction of the rate decayed from (default 0).
        warmup_target: the rate reached after warmup (None: no warmup).
        warmup_steps: the warmup's length (default 0).
        name: the schedule's name.
    """

    def __init__(self, initial_learning_rate: float, decay_steps: int, alpha: float = 0.0,
                 name: str = "CosineDecay", warmup_target: float | None = None,
                 warmup_steps: int = 0) -> None:
        owner = type(self).__name__
        self.initial_learning_rate = _number(owner, "initial_learning_rate", initial_learning_rate)
        self.decay_steps = _number(owner, "decay_steps", decay_steps, positive=True)
        self.alpha = _number(owner, "alpha", alpha)
        if warmup_target is not None:
            _number(owner, "warmup_target", warmup_target)
        self.warmup_target = warmup_target
        self.warmup_steps = _number(owner, "warmup_steps", warmup_steps, non_negative=True)
        self.name = name

    def _decay(self, s: float, start: float) -> float:
        cosine = 0.5 * (1.0 + math.cos(math.pi * s / self.decay_steps))
        return start * ((1 - self.alpha) * cosine + self.alpha)

    def __call__(self, step: int) -> float:
        if self.warmup_target is None:
            return self._decay(min(step, self.decay_steps), self.initial_learning_rate)
        s = min(step, self.decay_steps + self.warmup_steps)
        if s < self.warmup_steps:
            delta = self.warmup_target - self.initial_learning_rate
            return delta * s / self.warmup_steps + self.initial_learning_rate
        return self._decay(s - self.warmup_steps, self.warmup_target)

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "alpha": self.alpha, "name": self.name, "warmup_target": self.warmup_target,
                "warmup_steps": self.warmup_steps}


class CosineDecayRestarts(LearningRateSchedule):
    """Cosine decay with warm restarts (SGDR, Loshchilov & Hutter 2017).

    Period ``i`` (from 0) lasts ``first_decay_steps * t_mul**i`` steps and starts at
    ``initial * m_mul**i``. With ``f = step / first_decay_steps``, the restart index and the
    fraction done of the current period are:

        t_mul == 1:  i = floor(f),                              f_i = f - i
        otherwise:   i = floor(log(1 - f (1 - t_mul)) / log(t_mul)),
                     f_i = (f - (1 - t_mul**i) / (1 - t_mul)) / t_mul**i

        eta(step) = initial * ((1 - alpha) * m_mul**i * 0.5 * (1 + cos(pi f_i)) + alpha)

    Args:
        initial_learning_rate: ``eta(0)``.
        first_decay_steps: the first period's length (> 0).
        t_mul: each period's length relative to the previous (default 2.0).
        m_mul: each period's starting rate relative to the previous (default 1.0).
        alpha: the floor, as a fraction of ``initial_learning_rate`` (default 0).
        name: the schedule's name (Keras's default: ``'SGDRDecay'``).
    """

    def __init__(self, initial_learning_rate: float, first_decay_steps: int, t_mul: float = 2.0,
                 m_mul: float = 1.0, alpha: float = 0.0, name: str = "SGDRDecay") -> None:
        owner = type(self).__name__
        self.initial_learning_rate = _number(owner, "initial_learning_rate", initial_learning_rate)
        self.first_decay_steps = _number(owner, "first_decay_steps", first_decay_steps, positive=True)
        self.t_mul = _number(owner, "t_mul", t_mul, positive=True)
        self.m_mul = _number(owner, "m_mul", m_mul, non_negative=True)
        self.alpha = _number(owner, "alpha", alpha)
        self.name = name

    def __call__(self, step: int) -> float:
        f = step / self.first_decay_steps
        t_mul = self.t_mul
        if t_mul == 1.0:
            i = math.floor(f)
            f -= i
        else:
            i = math.floor(math.log(1.0 - f * (1.0 - t_mul)) / math.log(t_mul))
            f = (f - (1.0 - t_mul**i) / (1.0 - t_mul)) / t_mul**i
        cosine = 0.5 * self.m_mul**i * (1.0 + math.cos(math.pi * f))
        return self.initial_learning_rate * ((1 - self.alpha) * cosine + self.alpha)

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate,
                "first_decay_steps": self.first_decay_steps, "t_mul": self.t_mul,
                "m_mul": self.m_mul, "alpha": self.alpha, "name": self.name}


ALL = {cls.__name__: cls for cls in (ExponentialDecay, InverseTimeDecay, PiecewiseConstantDecay,
                                     PolynomialDecay, CosineDecay, CosineDecayRestarts)}


def serialize(schedule: LearningRateSchedule) -> dict:
    """``{"class_name": ..., "config": ...}`` for ``schedule`` (JSON-compatible)."""
    if not isinstance(schedule, LearningRateSchedule):
        raise TypeError(f"serialize expects a LearningRateSchedule. Received: {schedule!r}")
    return {"class_name": type(schedule).__name__, "config": schedule.get_config()}


def deserialize(config: dict, custom_objects: dict | None = None) -> LearningRateSchedule:
    """The schedule that ``serialize`` described; ``custom_objects`` maps names of your own classes.

    Example:
        >>> deserialize({"class_name": "InverseTimeDecay",
        ...              "config": {"initial_learning_rate": 0.5, "decay_steps": 1,
        ...                         "decay_rate": 1.0}})(1)
        0.25
    """
    if not isinstance(config, dict) or "class_name" not in config or "config" not in config:
        raise ValueError("deserialize expects a dict with keys 'class_name' and 'config'. "
                         f"Received: {config!r}")
    known = {**ALL, **(custom_objects or {})}
    name = config["class_name"]
    if name not in known:
        raise ValueError(f"Unknown learning rate schedule: {name!r}. Known schedules: "
                         f"{', '.join(sorted(known))} (pass your own in custom_objects).")
    return known[name].from_config(config["config"])


def get(identifier: Any) -> LearningRateSchedule:
    """A schedule from an instance or a ``{"class_name", "config"}`` dict."""
    if isinstance(identifier, LearningRateSchedule):
        return identifier
    return deserialize(identifier)


__all__ = ["LearningRateSchedule", "ExponentialDecay", "InverseTimeDecay", "PiecewiseConstantDecay",
           "PolynomialDecay", "CosineDecay", "CosineDecayRestarts", "serialize", "deserialize", "get"]
