"""Every built-in layer class is gradchecked in float64; a new layer without an entry fails.

The table below gives each layer a small configuration and input. Layers with a training mode
(BatchNormalization, Dropout, the noise layers) are checked in both modes. Detailed per-layer
checks live in the other test files; this one guarantees that none is forgotten.
"""
import numpy as np
import pytest
from layer_testing import layer_gradcheck

import axon
from axon import layers
from axon.layers.input_layer import InputLayer

RNG = np.random.default_rng(0)


@axon.saving.register_keras_serializable(package="tests")
def soft_square(x):
    """Lambda's function in the table: registered, so the saving tests can load it by name."""
    return axon.engine.functional.tanh(x) * x
# class name -> (constructor kwargs, list of input shapes or an integer input, multi-input?)
CASES = {
    "Dense": ({"units": 3, "activation": "tanh"}, [(4, 5)]),
    "Activation": ({"activation": "softplus"}, [(4, 5)]),
    "Dropout": ({"rate": 0.3, "seed": 1}, [(4, 5)]),
    "Flatten": ({}, [(4, 2, 3)]),
    "Reshape": ({"target_shape": (3, 2)}, [(4, 6)]),
    "BatchNormalization": ({}, [(6, 3)]),
    "LayerNormalization": ({}, [(4, 5)]),
    "GroupNormalization": ({"groups": 2}, [(3, 2, 4)]),
    "UnitNormalization": ({"axis": [1, 2]}, [(3, 2, 3)]),
    "Embedding": ({"input_dim": 7, "output_dim": 3}, "integers"),
    "Concatenate": ({}, [(4, 2), (4, 3)]),
    "Add": ({}, [(4, 3), (4, 3)]),
    "Subtract": ({}, [(4, 3), (4, 3)]),
    "Multiply": ({}, [(4, 3), (4, 3)]),
    "Average": ({}, [(4, 3), (4, 3)]),
    "Maximum": ({}, [(4, 3), (4, 3)]),
    "Minimum": ({}, [(4, 3), (4, 3)]),
    "Dot": ({"axes": 1}, [(4, 3), (4, 3)]),
    "MaxPooling1D": ({"pool_size": 2, "strides": 1, "padding": "same"}, [(2, 5, 3)]),
    "MaxPooling2D": ({"pool_size": (2, 2)}, [(2, 4, 4, 3)]),
    "AveragePooling1D": ({"pool_size": 3, "strides": 2, "padding": "same"}, [(2, 5, 3)]),
    "AveragePooling2D": ({"pool_size": 2, "strides": 1, "data_format": "channels_first"},
                         [(2, 3, 4, 4)]),
    "GlobalMaxPooling1D": ({}, [(2, 5, 3)]),
    "GlobalMaxPooling2D": ({"keepdims": True}, [(2, 3, 4, 3)]),
    "GlobalAveragePooling1D": ({}, [(2, 5, 3)]),
    "GlobalAveragePooling2D": ({"data_format": "channels_first"}, [(2, 3, 4, 4)]),
    "UpSampling1D": ({"size": 2}, [(2, 3, 2)]),
    "UpSampling2D": ({"size": (2, 3), "interpolation": "bilinear"}, [(2, 3, 2, 2)]),
    "ZeroPadding1D": ({"padding": (1, 2)}, [(2, 3, 2)]),
    "ZeroPadding2D": ({"padding": ((1, 0), (0, 2))}, [(2, 3, 3, 2)]),
    "Cropping1D": ({"cropping": (1, 1)}, [(2, 4, 2)]),
    "Cropping2D": ({"cropping": ((1, 0), (0, 1))}, [(2, 4, 4, 2)]),
    "Conv1D": ({"filters": 3, "kernel_size": 2, "padding": "causal", "dilation_rate": 2},
               [(2, 6, 2)]),
    "Conv2D": ({"filters": 4, "kernel_size": 3, "strides": 2, "padding": "same", "groups": 2},
               [(2, 5, 6, 4)]),
    "Conv3D": ({"filters": 2, "kernel_size": 2}, [(2, 3, 3, 3, 2)]),
    "DepthwiseConv1D": ({"kernel_size": 2, "depth_multiplier": 2}, [(2, 5, 3)]),
    "DepthwiseConv2D": ({"kernel_size": 3, "depth_multiplier": 2, "padding": "same"},
                        [(2, 4, 5, 3)]),
    "SeparableConv1D": ({"filters": 3, "kernel_size": 2}, [(2, 5, 3)]),
    "SeparableConv2D": ({"filters": 3, "kernel_size": 2, "depth_multiplier": 2,
                         "data_format": "channels_first"}, [(2, 3, 4, 5)]),
    "Conv1DTranspose": ({"filters": 2, "kernel_size": 3, "strides": 2}, [(2, 4, 3)]),
    "Conv2DTranspose": ({"filters": 2, "kernel_size": 3, "strides": 2, "padding": "same",
                         "output_padding": 1}, [(2, 3, 4, 3)]),
    "Conv3DTranspose": ({"filters": 2, "kernel_size": 2, "strides": 2}, [(2, 2, 2, 2, 2)]),
    "SimpleRNN": ({"units": 3, "return_sequences": True}, [(2, 4, 3)]),
    "LSTM": ({"units": 2}, [(2, 4, 3)]),
    "GRU": ({"units": 2, "return_sequences": True}, [(2, 4, 3)]),
    "Masking": ({}, [(4, 3, 2)]),
    "Bidirectional": ({"layer": layers.LSTM(2, return_sequences=True, dtype="float64")},
                      [(2, 3, 2)]),
    "TimeDistributed": ({"layer": layers.Dense(2, dtype="float64")}, [(2, 3, 4)]),
    "MultiHeadAttention": ({"num_heads": 2, "key_dim": 2, "dropout": 0.3, "seed": 1},
                           [(2, 3, 4), (2, 5, 4)]),
    "Attention": ({"use_scale": True, "score_mode": "concat", "dropout": 0.3, "seed": 1},
                  [(2, 3, 4), (2, 5, 4)]),
    "AdditiveAttention": ({"dropout": 0.3, "seed": 1}, [(2, 3, 4), (2, 5, 3), (2, 5, 4)]),
    "Rescaling": ({"scale": 0.5, "offset": 1.0}, [(4, 5)]),
    "Normalization": ({"mean": 0.5, "variance": 4.0}, [(4, 5)]),
    "RandomFlip": ({"seed": 1}, [(2, 4, 5, 2)]),
    "RandomTranslation": ({"height_factor": 0.2, "width_factor": 0.3, "seed": 1},
                          [(2, 4, 5, 2)]),
    "RandomRotation": ({"factor": 0.2, "seed": 1}, [(2, 4, 5, 2)]),
    "RandomZoom": ({"height_factor": 0.3, "seed": 1}, [(2, 4, 5, 2)]),
    "GaussianNoise": ({"stddev": 0.3, "seed": 1}, [(4, 5)]),
    "GaussianDropout": ({"rate": 0.3, "seed": 1}, [(4, 5)]),
    "AlphaDropout": ({"rate": 0.3, "noise_shape": (None, 1), "seed": 1}, [(4, 5)]),
    "SpatialDropout1D": ({"rate": 0.4, "seed": 1}, [(3, 4, 5)]),
    "SpatialDropout2D": ({"rate": 0.4, "data_format": "channels_first", "seed": 1},
                         [(3, 4, 2, 3)]),
    "SpatialDropout3D": ({"rate": 0.4, "seed": 1}, [(2, 2, 3, 2, 4)]),
    "ActivityRegularization": ({"l1": 0.01, "l2": 0.02}, [(4, 5)]),
    "Permute": ({"dims": (3, 1, 2)}, [(2, 3, 2, 4)]),
    "RepeatVector": ({"n": 3}, [(4, 5)]),
    "Identity": ({}, [(4, 5)]),
    "Lambda": ({"function": soft_square}, [(4, 5)]),
    "MaxPooling3D": ({"pool_size": (2, 3, 2), "strides": (1, 2, 1), "padding": "same"},
                     [(2, 3, 4, 3, 2)]),
    "AveragePooling3D": ({"pool_size": 2, "strides": 1, "padding": "same",
                          "data_format": "channels_first"}, [(2, 2, 3, 3, 2)]),
    "GlobalMaxPooling3D": ({"keepdims": True}, [(2, 2, 3, 2, 3)]),
    "GlobalAveragePooling3D": ({"data_format": "channels_first"}, [(2, 3, 2, 3, 2)]),
    "ZeroPadding3D": ({"padding": ((1, 0), (0, 2), (1, 1))}, [(2, 2, 3, 2, 2)]),
    "Cropping3D": ({"cropping": ((1, 0), (0, 1), (1, 1)), "data_format": "channels_first"},
                   [(2, 2, 3, 3, 4)]),
    "UpSampling3D": ({"size": (2, 1, 3)}, [(2, 2, 3, 2, 2)]),
}
TRAINING_MODES = {name: (False, True) for name in (
    "BatchNormalization", "Dropout", "MultiHeadAttention", "Attention", "AdditiveAttention",
    "RandomFlip", "RandomTranslation",
    "RandomRotation", "RandomZoom", "GaussianNoise", "GaussianDropout", "AlphaDropout",
    "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D")}
# Layers that draw random numbers in training: reseeded before every evaluation, so the
# finite differences see the same mask or transform each time.
SEEDED = {"Dropout", "MultiHeadAttention", "Attention", "AdditiveAttention",
          "RandomFlip", "RandomTranslation", "RandomRotation",
          "RandomZoom", "GaussianNoise", "GaussianDropout", "AlphaDropout", "SpatialDropout1D",
          "SpatialDropout2D", "SpatialDropout3D"}
NOT_DIFFERENTIABLE = {"Layer", "InputLayer",  # the base class; the identity that declares inputs
                      # categorical and text preprocessing: integer outputs, or counts of integers,
                      # with no gradient to the input (tests/layers/test_categorical.py checks it)
                      "CategoryEncoding", "Discretization", "Hashing", "IntegerLookup",
                      "StringLookup", "TextVectorization"}


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
            if name in SEEDED else None
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
