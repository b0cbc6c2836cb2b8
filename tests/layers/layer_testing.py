"""The shared layer-test helpers: gradient checks through a layer's own ``call``, and the
build / output-shape / config / weights round trip every built-in layer must pass."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

import axon
from axon.engine import Variable


def layer_gradcheck(layer: Any, *inputs: Any, training: bool = False,
                    before_call: Callable[[], None] | None = None, multi: bool = False,
                    **kwargs: Any) -> bool:
    """``axon.gradcheck`` of ``layer(inputs)`` w.r.t. every float input and every trainable weight.

    The layer must already be built in float64. During each evaluation the layer's weight
    attributes (``kernel``, ``gamma`` ...) are swapped for the tensors gradcheck differentiates,
    so the check runs through the layer's own ``call``. ``before_call`` runs before every
    evaluation (e.g. to reseed, so that Dropout draws the same mask every time); ``multi`` passes
    the inputs as one list (merging layers).
    """
    weights = layer.trainable_weights
    owners = {}  # id(weight) -> (the layer or sub-layer holding it, its attribute name)
    for sub in layer._flatten_layers():
        for name, value in vars(sub).items():
            if isinstance(value, Variable):
                owners.setdefault(id(value), (sub, name))
    places = [owners[id(w)] for w in weights]
    count = len(inputs)

    def fn(*args):
        saved = [getattr(sub, name) for sub, name in places]
        try:
            for (sub, name), tensor in zip(places, args[count:]):
                setattr(sub, name, tensor)
            if before_call is not None:
                before_call()
            x = list(args[:count]) if multi else args[0]
            return layer(x, training=training)
        finally:
            for (sub, name), value in zip(places, saved):
                setattr(sub, name, value)

    return axon.gradcheck(fn, *inputs, *[w.numpy().copy() for w in weights], **kwargs)


def run_layer_test(layer_cls: type, init_kwargs: dict, inputs: Any, expected_output_shape: tuple,
                   expected_weights: list[tuple[str, tuple, bool]] | None = None) -> Any:
    """Build ``layer_cls(**init_kwargs)`` on ``inputs`` and check what every layer must do.

    - the output's shape is ``expected_output_shape`` and agrees with ``compute_output_shape``;
    - the weights are named, shaped, ordered and (non-)trainable as ``expected_weights`` says
      (``[(name, shape, trainable), ...]`` in Keras's order);
    - ``from_config(get_config())`` rebuilds an equal config, and with the weights copied over
      (``set_weights(get_weights())``) the clone computes the same output.

    Returns the built layer.
    """
    layer = layer_cls(**init_kwargs)
    output = layer(inputs)
    assert output.shape == expected_output_shape
    shapes = ([(None,) + tuple(np.shape(x)[1:]) for x in inputs] if isinstance(inputs, list)
              else (None,) + tuple(np.shape(inputs)[1:]))
    assert layer.compute_output_shape(shapes) == (None,) + tuple(expected_output_shape[1:])
    if expected_weights is not None:
        got = [(w.name, tuple(w.shape), w.trainable) for w in layer.weights]
        assert got == [(name, tuple(shape), trainable)
                       for name, shape, trainable in expected_weights]
        assert [w.shape for w in layer.get_weights()] == [tuple(s) for _, s, _ in expected_weights]
    config = layer.get_config()
    clone = layer_cls.from_config({**config, "name": config["name"] + "_clone"})
    assert {**clone.get_config(), "name": config["name"]} == config
    clone(inputs)
    clone.set_weights(layer.get_weights())
    np.testing.assert_allclose(clone(inputs).numpy(), output.numpy(), rtol=1e-6, atol=1e-7)
    return layer
