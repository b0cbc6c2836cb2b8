"""axon: neural networks from their mathematical foundations, with a Keras-style API.

Example:
    >>> import axon
    >>> model = axon.Sequential([axon.layers.Dense(1, input_shape=(3,))])
    >>> model.compile(optimizer="sgd", loss="mse")
"""
from axon import (  # noqa: I001  (order: the engine first, then what builds on it)
    backend, config, engine, utils, initializers, regularizers, constraints, activations, losses, metrics,
    layers, optimizers, callbacks, training, models, datasets,
)
from axon.engine import (GradcheckError, GradientTape, Tensor, Variable, enable_grad, gradcheck,
                         no_grad)
from axon.layers import Input
from axon.models import Model, Sequential

__version__ = "0.1.0"

__all__ = [
    "Tensor", "Variable", "GradientTape", "no_grad", "enable_grad", "gradcheck", "GradcheckError",
    "Input", "Model", "Sequential", "backend", "config", "engine", "utils", "initializers",
    "regularizers", "constraints", "activations", "losses", "metrics", "layers", "optimizers", "callbacks",
    "training", "models", "datasets", "__version__",
]
