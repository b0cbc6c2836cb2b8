"""Pooling layers: values against explicit-loop float64 references, float64 gradient checks in
both data formats over drawn pool/stride/padding combinations, output shapes, configs, masks,
errors, and a model that uses them."""
from __future__ import annotations

import itertools
import json
import math
import pathlib
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from layer_testing import layer_gradcheck, run_layer_test

import axon
from axon.layers.embedding import Embedding
from axon.layers.pooling import (
    AveragePooling1D,
    AveragePooling2D,
    AveragePooling3D,
    GlobalAveragePooling1D,
    GlobalAveragePooling2D,
    GlobalAveragePooling3D,
    GlobalMaxPooling1D,
    GlobalMaxPooling2D,
    GlobalMaxPooling3D,
    MaxPooling1D,
    MaxPooling2D,
    MaxPooling3D,
)

FEW = settings(max_examples=8, deadline=None, database=None)
WINDOWED = {MaxPooling1D: ("max", 1), MaxPooling2D: ("max", 2), MaxPooling3D: ("max", 3),
            AveragePooling1D: ("avg", 1), AveragePooling2D: ("avg", 2),
            AveragePooling3D: ("avg", 3)}
GLOBAL = {GlobalMaxPooling1D: ("max", 1), GlobalMaxPooling2D: ("max", 2),
          GlobalMaxPooling3D: ("max", 3), GlobalAveragePooling1D: ("avg", 1),
          GlobalAveragePooling2D: ("avg", 2), GlobalAveragePooling3D: ("avg", 3)}
GOLDEN = json.loads((pathlib.Path(__file__).parent /
                     "reshaping_pooling_3d_keras_golden.json").read_text())


def loop_pool(x, kind, pool, strides, padding):
    """channels_last reference: for every sample, channel and output position, the max or mean
    of the window's real entries (``'same'``: ``ceil(n/s)`` outputs, ``before = total // 2``)."""
    spatial = x.shape[1:-1]
    outs, befores = [], []
    for n, k, s in zip(spatial, pool, strides):
        out = (n - k) // s + 1 if padding == "valid" else math.ceil(n / s)
        outs.append(out)
        befores.append(0 if padding == "valid" else max((out - 1) * s + k - n, 0) // 2)
    y = np.zeros((x.shape[0], *outs, x.shape[-1]))
    for b, c in itertools.product(range(x.shape[0]), range(x.shape[-1])):
        for o in itertools.product(*(range(n) for n in outs)):
            ranges = [range(max(oi * s - p, 0), min(oi * s - p + k, n))
                      for oi, s, p, k, n in zip(o, strides, befores, pool, spatial)]
            values = [x[(b, *cell, c)] for cell in itertools.product(*ranges)]
            y[(b, *o, c)] = max(values) if kind == "max" else sum(values) / len(values)
    return y


def _to_first(x):
    return np.moveaxis(x, -1, 1)


def _distinct(rng, shape):
    return (rng.permutation(math.prod(shape)) * 0.1 - 1.0).reshape(shape)


@st.composite
def windowed_cases(draw):
    cls = draw(st.sampled_from(sorted(WINDOWED, key=lambda c: c.__name__)))
    _, spatial = WINDOWED[cls]
    padding = draw(st.sampled_from(["valid", "same", "SAME"]))
    pool = tuple(draw(st.integers(1, 3)) for _ in range(spatial))
    strides = draw(st.none() | st.tuples(*[st.integers(1, 3)] * spatial))
    sizes = tuple(draw(st.integers(k if padding == "valid" else 1, 5)) for k in pool)
    data_format = draw(st.sampled_from(["channels_last", "channels_first"]))
    return cls, pool, strides, padding, sizes, data_format


@FEW
@given(case=windowed_cases(), seed=st.integers(0, 2**31))
def test_windowed_pooling_values_shapes_and_gradients(case, seed):
    cls, pool, strides, padding, sizes, data_format = case
    kind, _ = WINDOWED[cls]
    x_last = _distinct(np.random.default_rng(seed), (2, *sizes, 2))  # distinct: no ties
    expected = loop_pool(x_last, kind, pool, strides or pool, padding.lower())
    first = data_format == "channels_first"
    x = _to_first(x_last) if first else x_last
    layer = cls(pool_size=pool, strides=strides, padding=padding, data_format=data_format,
                dtype="float64")
    y = layer(x)
    np.testing.assert_allclose(y.numpy(), _to_first(expected) if first else expected,
                               rtol=1e-12, atol=1e-12)
    assert layer.compute_output_shape(x.shape) == y.shape
    assert layer_gradcheck(layer, x)


@pytest.mark.parametrize("cls", sorted(WINDOWED, key=lambda c: c.__name__),
                         ids=lambda c: c.__name__)
def test_windowed_pooling_defaults_config_round_trip(cls):
    _, spatial = WINDOWED[cls]
    x = np.random.default_rng(0).standard_normal((2, *([5] * spatial), 3))
    expected_shape = (2, *([2] * spatial), 3)  # default pool 2, strides = pool, valid
    layer = run_layer_test(cls, {}, x, expected_shape, expected_weights=[])
    config = layer.get_config()
    assert config["pool_size"] == (2,) * spatial and config["strides"] == (2,) * spatial
    assert config["padding"] == "valid" and config["data_format"] == "channels_last"
    clone = cls.from_config(json.loads(json.dumps(config)))  # lists, as from a model file
    np.testing.assert_array_equal(clone(x).numpy(), layer(x).numpy())
    same = run_layer_test(cls, {"pool_size": 3, "strides": 2, "padding": "same",
                                "data_format": "channels_first"},
                          _to_first(x), (2, 3, *([3] * spatial)))
    assert same.compute_output_shape((None, 3, *([None] * spatial))) == (None, 3,
                                                                         *([None] * spatial))


def test_pooling_accepts_other_spatial_sizes_after_build():
    layer = MaxPooling2D()
    assert layer(np.zeros((1, 4, 4, 2))).shape == (1, 2, 2, 2)
    assert layer(np.zeros((3, 6, 8, 5))).shape == (3, 3, 4, 5)


def test_max_pooling_2d_tie_gradient_goes_to_first_maximum():
    x = axon.Tensor(np.ones((1, 2, 2, 1)), requires_grad=True)
    MaxPooling2D()(x).sum().backward()
    assert x.grad[0, :, :, 0].tolist() == [[1.0, 0.0], [0.0, 0.0]]


@pytest.mark.parametrize(("cls", "kwargs", "shape", "message"), [
    (MaxPooling2D, {}, (4, 4, 3), r"expects an input of rank 4, \(batch, height, width, "
                                  r"channels\). Received: shape=\(None, 4, 3\)"),
    (AveragePooling2D, {"data_format": "channels_first"}, (2, 4, 4, 4, 3),
     r"rank 4, \(batch, channels, height, width\)"),
    (MaxPooling1D, {}, (4, 5, 6, 1), r"rank 3, \(batch, steps, channels\)"),
    (MaxPooling2D, {"pool_size": 3}, (1, 2, 5, 1), r"pool_size=\(3, 3\) is larger"),
    (AveragePooling1D, {"pool_size": 4}, (1, 3, 1), r"pool_size=\(4,\) is larger"),
    (MaxPooling3D, {}, (1, 4, 4, 3), r"rank 5, \(batch, depth, height, width, channels\)"),
    (AveragePooling3D, {"data_format": "channels_first"}, (1, 2, 4, 1, 3),
     r"pool_size=\(2, 2, 2\) is larger than the input's spatial size \(4, 1, 3\)"),
    (AveragePooling3D, {"pool_size": (1, 3, 1)}, (1, 4, 2, 4, 1),
     r"pool_size=\(1, 3, 1\) is larger"),
])
def test_pooling_input_errors_name_the_layer(cls, kwargs, shape, message):
    layer = cls(**kwargs)
    with pytest.raises(ValueError, match=message) as error:
        layer(np.zeros(shape))
    assert layer.name in str(error.value)


def test_pool_larger_than_input_is_fine_with_same_padding():
    assert MaxPooling2D(3, padding="same")(np.ones((1, 2, 2, 1))).numpy().tolist() == [[[[1.0]]]]


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"pool_size": 0}, r"pool_size to be a positive integer or a tuple of 2 .* pool_size=0"),
    ({"pool_size": (2, 2, 2)}, r"Received: pool_size=\(2, 2, 2\)"),
    ({"strides": -1}, "Received: strides=-1"),
    ({"padding": "causal"}, "padding to be 'valid' or 'same'. Received: padding='causal'"),
    ({"data_format": "nhwc"}, "Received: data_format='nhwc'"),
])
def test_pooling_argument_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        MaxPooling2D(**kwargs)


@pytest.mark.parametrize("cls", [MaxPooling3D, AveragePooling3D], ids=lambda c: c.__name__)
@pytest.mark.parametrize(("kwargs", "message"), [
    ({"pool_size": (2, 2)}, r"pool_size to be a positive integer or a tuple of 3 .* "
                            r"pool_size=\(2, 2\)"),
    ({"pool_size": 2.0}, "Received: pool_size=2.0"),
    ({"strides": (1, 0, 1)}, r"Received: strides=\(1, 0, 1\)"),
    ({"padding": "full"}, "padding to be 'valid' or 'same'. Received: padding='full'"),
    ({"data_format": "ndhwc"}, "Received: data_format='ndhwc'"),
])
def test_pooling_3d_argument_errors_name_the_layer(cls, kwargs, message):
    with pytest.raises(ValueError, match=f"{cls.__name__} expects .*{message}"):
        cls(**kwargs)


@pytest.mark.parametrize("case", [c for c in GOLDEN["cases"] if "Pooling3D" in c["layer"]],
                         ids=lambda c: c["layer"])
def test_pooling_3d_matches_keras_golden_outputs(case):
    """Keras (float32) on the same float32-representable inputs: 'same' splits the padding
    ``total // 2`` before, and AveragePooling3D divides border windows by their real entries."""
    layer = getattr(axon.layers, case["layer"])(**case["kwargs"], dtype="float64")
    np.testing.assert_allclose(layer(np.array(case["x"])).numpy(), np.array(case["y"]),
                               rtol=1e-6, atol=1e-6)


def test_pooling_3d_channels_first_equals_channels_last_moved():
    x = np.random.default_rng(2).standard_normal((2, 3, 5, 4, 2))
    for cls in (MaxPooling3D, AveragePooling3D):
        last = cls((2, 3, 2), strides=(1, 2, 2), padding="same")(x).numpy()
        first = cls((2, 3, 2), strides=(1, 2, 2), padding="same",
                    data_format="channels_first")(_to_first(x)).numpy()
        np.testing.assert_allclose(first, _to_first(last), rtol=1e-6)
    assert MaxPooling3D(2, data_format="channels_first").compute_output_shape(
        (None, 4, None, 6, 7)) == (None, 4, None, 3, 3)


# ---- global pooling ----------------------------------------------------------------------------
def loop_global(x, kind):
    """channels_last reference: the max or mean over every spatial position, by loops."""
    y = np.zeros((x.shape[0], x.shape[-1]))
    for b, c in itertools.product(range(x.shape[0]), range(x.shape[-1])):
        values = [x[(b, *p, c)] for p in itertools.product(*(range(n) for n in x.shape[1:-1]))]
        y[b, c] = max(values) if kind == "max" else sum(values) / len(values)
    return y


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("cls", sorted(GLOBAL, key=lambda c: c.__name__), ids=lambda c: c.__name__)
def test_global_pooling_values_shapes_gradients_config(cls, keepdims, data_format):
    kind, spatial = GLOBAL[cls]
    x_last = _distinct(np.random.default_rng(spatial), (2, *([3] * spatial), 4))
    expected = loop_global(x_last, kind)
    first = data_format == "channels_first"
    x = _to_first(x_last) if first else x_last
    if keepdims:
        expected = expected.reshape((2, 4) + (1,) * spatial if first else
                                    (2,) + (1,) * spatial + (4,))
    layer = run_layer_test(cls, {"data_format": data_format, "keepdims": keepdims, "dtype":
                                 "float64"}, x, expected.shape, expected_weights=[])
    np.testing.assert_allclose(layer(x).numpy(), expected, rtol=1e-12)
    assert layer.compute_output_shape((None,) + x.shape[1:]) == (None,) + expected.shape[1:]
    assert layer_gradcheck(layer, x)
    assert layer.get_config()["keepdims"] is keepdims


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_global_average_pooling_1d_averages_real_steps_only(data_format):
    rng = np.random.default_rng(5)
    x_last = rng.standard_normal((3, 5, 2))
    x_last[1, 3:] = np.nan  # masked steps must not leak into the result
    mask = np.array([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0], [0, 1, 0, 1, 0]], dtype=bool)
    expected = np.zeros((3, 2))
    for b in range(3):
        for c in range(2):
            steps = [x_last[b, t, c] for t in range(5) if mask[b, t]]
            expected[b, c] = sum(steps) / len(steps)
    first = data_format == "channels_first"
    x = _to_first(x_last) if first else x_last
    layer = GlobalAveragePooling1D(data_format=data_format, dtype="float64")
    np.testing.assert_allclose(layer(x, mask=mask).numpy(), expected, rtol=1e-12)
    assert layer.compute_mask(x, mask) is None
    clean = np.nan_to_num(x)

    def fn(x):
        return layer(x, mask=mask)

    assert axon.gradcheck(fn, clean)
    tensor = axon.Tensor(x, requires_grad=True)
    fn(tensor).sum().backward()
    grad = np.moveaxis(tensor.grad, 1, -1) if first else tensor.grad
    np.testing.assert_allclose(grad[..., 0], mask / mask.sum(axis=1, keepdims=True))


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_global_average_pooling_1d_rejects_a_mask_of_the_wrong_shape(data_format):
    layer = GlobalAveragePooling1D(data_format=data_format, name="gap")
    x = np.ones((2, 5, 3)) if data_format == "channels_last" else np.ones((2, 3, 5))
    for bad in (np.ones((2, 3), bool), np.ones((5,), bool), np.ones((2, 5, 1), bool)):
        message = ("Layer 'gap' (GlobalAveragePooling1D) expects a mask of shape (batch, steps) "
                   f"= (2, 5). Received: mask.shape={bad.shape}")
        with pytest.raises(ValueError, match=re.escape(message)):
            layer(x, mask=bad)


def test_global_average_pooling_1d_gets_the_embedding_mask_in_a_model():
    tokens = axon.Input((4,))
    pooled = GlobalAveragePooling1D()(Embedding(6, 2, mask_zero=True)(tokens))
    model = axon.Model(tokens, pooled)
    ids = np.array([[3, 5, 0, 0]])
    table = model.layers[1].get_weights()[0]
    np.testing.assert_allclose(model.predict(ids, verbose=0), table[[3, 5]].mean(axis=0,
                                                                                 keepdims=True),
                               rtol=1e-6)


@pytest.mark.parametrize(("cls", "shape", "message"), [
    (GlobalMaxPooling2D, (2, 3, 4), r"rank 4, \(batch, height, width, channels\)"),
    (GlobalAveragePooling1D, (2, 3, 4, 5), r"rank 3, \(batch, steps, channels\)"),
    (GlobalMaxPooling3D, (2, 3, 4, 5), r"rank 5, \(batch, depth, height, width, channels\)"),
])
def test_global_pooling_rank_errors(cls, shape, message):
    with pytest.raises(ValueError, match=message):
        cls()(np.zeros(shape))


def test_global_pooling_rejects_a_bad_data_format():
    with pytest.raises(ValueError, match="Received: data_format='last'"):
        GlobalAveragePooling2D(data_format="last")


def test_cnn_with_pooling_trains():
    axon.utils.set_random_seed(0)
    model = axon.Sequential([axon.Input((6, 6, 2)), MaxPooling2D(), AveragePooling2D(1),
                             GlobalAveragePooling2D(), axon.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((32, 6, 6, 2)), rng.standard_normal((32, 1))
    history = model.fit(x, y, epochs=5, batch_size=8, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert model.predict(x, verbose=0).shape == (32, 1)


def test_volumetric_cnn_with_3d_pooling_trains():
    axon.utils.set_random_seed(0)
    model = axon.Sequential([axon.Input((4, 6, 6, 2)), axon.layers.Conv3D(3, 2, padding="same"),
                             MaxPooling3D(), AveragePooling3D((1, 2, 2), padding="same"),
                             GlobalMaxPooling3D(keepdims=True), GlobalAveragePooling3D(),
                             axon.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((32, 4, 6, 6, 2)), rng.standard_normal((32, 1))
    history = model.fit(x, y, epochs=5, batch_size=8, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert model.predict(x, verbose=0).shape == (32, 1)
