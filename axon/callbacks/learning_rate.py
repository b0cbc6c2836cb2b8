"""Reading and setting an optimizer's learning rate, for the callbacks that adjust it."""
from __future__ import annotations

import math
import numbers
from typing import Any


def get_learning_rate(optimizer: Any) -> float:
    """The optimizer's current learning rate as a float (a schedule is evaluated at its step)."""
    if optimizer is None or not hasattr(optimizer, "learning_rate"):
        raise ValueError("The model's optimizer must have a `learning_rate` attribute (compile the "
                         f"model first). Received: optimizer={optimizer!r}")
    if hasattr(optimizer, "current_learning_rate"):
        return float(optimizer.current_learning_rate())
    learning_rate = optimizer.learning_rate
    if callable(learning_rate):
        return float(learning_rate(getattr(optimizer, "iterations", 0)))
    return float(learning_rate)


def set_learning_rate(optimizer: Any, value: Any, who: str) -> float:
    """Set ``optimizer.learning_rate`` to the float ``value``; ``who`` names the caller in errors.

    Raises:
        TypeError: when the optimizer follows a schedule (a schedule is not overwritten).
        ValueError: when ``value`` is not a finite non-negative number.
    """
    given = getattr(optimizer, "learning_rate_schedule", getattr(optimizer, "learning_rate", None))
    if callable(given):
        raise TypeError(f"{who} sets the learning rate, but this optimizer was created with a "
                        "schedule as its learning_rate; use a float learning_rate with "
                        f"{who}, or the schedule alone.")
    if isinstance(value, bool) or not isinstance(value, numbers.Real) \
            or not math.isfinite(value) or value < 0:
        raise ValueError(f"{who} expects a learning rate that is a finite non-negative float. "
                         f"Received: learning_rate={value!r}")
    optimizer.learning_rate = float(value)
    return float(value)
