"""Every built-in layer class is gradchecked in float64; a new layer without an entry fails.

The table below gives each layer a small configuration and input. Layers with a training mode
(BatchNormalization, Dropout) are checked in both modes. Detailed per-layer checks live in the
other test files; this one guarantees that none is forgotten.
"""
import numpy as np
import pytest
from layer_testing import layer_gradcheck

import axon
from axon import layers
from axon.layers.input_layer import InputLayer

RNG = np.random.default_rng(0)
# class name -> (constructor kwargs, list of input shapes or an integer input, multi-input?)
CASES = {
    "Dense": ({"units": 3, "activation": "tanh"}, [(4, 5)]),
    "Activation": ({"activation": "softplus"}, [(4, 5)]),
    "Dropout": ({"rate": 0.3, "seed": 1}, [(4, 5)]),
    "Flatten": ({}, [(4, 2, 3)]),
    "Reshape": ({"target_shape": (3, 2)}, [(4, 6)]),
    "BatchNormalization": ({}, [(6, 3)]),
    "LayerNormalization": ({}, [(4, 5)]),
    "Embedding": ({"input_dim": 7, "output_dim": 3}, "integers"),
    "Concatenate": ({}, [(4, 2), (4, 3)]),
    "Add": ({}, [(4, 3), (4, 3)]),
    "Subtract": ({}, [(4, 3), (4, 3)]),
    "Multiply": ({}, [(4, 3), (4, 3)]),
    "Average": ({}, [(4, 3), (4, 3)]),
    "Maximum": ({}, [(4, 3), (4, 3)]),
    "Minimum": ({}, [(4, 3), (4, 3)]),
    "Dot": ({"axes": 1}, [(4, 3), (4, 3)]),
}
TRAINING_MODES = {"BatchNormalization": (False, True), "Dropout": (False, True)}
NOT_DIFFERENTIABLE = {"Layer", "InputLayer"}  # the base class; the identity that declares inputs


def _layer_classes():
    return sorted(name for name in layers.__all__ if isinstance(getattr(layers, name), type)
                  and issubclass(getattr(layers, name), layers.Layer)
                  and name not in NOT_DIFFERENTIABLE)


def test_every_layer_class_has_a_gradcheck_case():
    missing = [name for name in _layer_classes() if name not in CASES]
    assert not missing, f"layers without a float64 gradient check: {missing}"
    assert issubclass(InputLayer, layers.Layer)


@pytest.mark.parametrize("name", sorted(CASES))
def test_layer_gradcheck_in_float64(name):
    kwargs, shapes = CASES[name]
    for training in TRAINING_MODES.get(name, (False,)):
        layer = getattr(layers, name)(dtype="float64", **kwargs)
        if shapes == "integers":  # indices are not differentiable: the table is, through call
            indices = np.array([[1, 2, 6], [0, 3, 3]])
            layer(indices)
            assert layer_gradcheck_of_embeddings(layer, indices)
            continue
        inputs = [RNG.normal(size=shape) for shape in shapes]
        multi = len(inputs) > 1
        layer(inputs if multi else inputs[0], training=training)
        reseed = (lambda layer=layer: setattr(layer, "_rng", axon.backend.make_rng(1))) \
            if name == "Dropout" else None
        assert layer_gradcheck(layer, *inputs, training=training, multi=multi,
                               before_call=reseed), (name, training)


def layer_gradcheck_of_embeddings(layer, indices):
    original = layer.embeddings

    def fn(table):
        layer.embeddings = table
        try:
            return layer(indices)
        finally:
            layer.embeddings = original

    return axon.gradcheck(fn, original.numpy().copy())
