"""Optimizers: how weights move, given their gradients."""
from __future__ import annotations

from typing import Any

from axon.optimizers.adam import Adam
from axon.optimizers.base import Optimizer
from axon.optimizers.rmsprop import RMSprop
from axon.optimizers.sgd import SGD
from axon.utils import resolve

ALL = {"sgd": SGD, "adam": Adam, "rmsprop": RMSprop}


def get(identifier: Any) -> Optimizer:
    """An optimizer from a name (``'adam'``, ``'sgd'``, ``'rmsprop'``), a class or an instance."""
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, Optimizer):
        return identifier()
    if isinstance(identifier, str):
        return resolve(identifier, ALL, "optimizer")()
    raise ValueError(f"Could not interpret optimizer identifier: {identifier!r}. "
                     f"Expected a name ({', '.join(ALL)}) or an Optimizer.")


__all__ = ["Optimizer", "SGD", "Adam", "RMSprop", "get"]
