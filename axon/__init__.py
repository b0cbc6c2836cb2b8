"""axon: neural networks from their mathematical foundations, with a Keras-style API.

Example:
    >>> import axon
    >>> model = axon.Sequential([axon.layers.Dense(1, input_shape=(3,))])
    >>> model.compile(optimizer="sgd", loss="mse")
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# NOTE: the subpackages and the names below are imported on first use (PEP 562), so that
# `import axon` costs milliseconds rather than the whole library (layers, models, training,
# datasets ...); `axon.layers.Dense`, `from axon.layers import Dense` and `import axon.datasets`
# work as before.
_SUBMODULES = (
    "backend", "config", "engine", "utils", "initializers", "regularizers", "constraints",
    "activations", "losses", "metrics", "layers", "optimizers", "callbacks", "training", "models",
    "datasets", "saving", "distributed", "explain", "plots",
)
_NAMES = {
    "Tensor": "axon.engine", "Variable": "axon.engine", "GradientTape": "axon.engine",
    "no_grad": "axon.engine", "enable_grad": "axon.engine", "gradcheck": "axon.engine",
    "GradcheckError": "axon.engine", "Input": "axon.layers", "Model": "axon.models",
    "Sequential": "axon.models",
}

__all__ = [
    "Tensor", "Variable", "GradientTape", "no_grad", "enable_grad", "gradcheck", "GradcheckError",
    "Input", "Model", "Sequential", "backend", "config", "engine", "utils", "initializers",
    "regularizers", "constraints", "activations", "losses", "metrics", "layers", "optimizers", "callbacks",
    "training", "models", "datasets", "distributed", "explain", "plots", "__version__",
]


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"axon.{name}")  # the import binds it on this package
    if name in _NAMES:
        value = getattr(importlib.import_module(_NAMES[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'axon' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(__all__) | set(_SUBMODULES) | {n for n in globals() if n.startswith("__")})


if TYPE_CHECKING:  # what the lazy names are, for type checkers and editors
    from axon import (  # noqa: I001
        activations, backend, callbacks, config, constraints, datasets, distributed, engine,
        explain, initializers, layers, plots,
        losses, metrics, models, optimizers, regularizers, training, utils,
    )
    from axon.engine import (GradcheckError, GradientTape, Tensor, Variable, enable_grad, gradcheck,
                             no_grad)
    from axon.layers import Input
    from axon.models import Model, Sequential
