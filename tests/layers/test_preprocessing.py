"""Rescaling and Normalization: values, adapt against NumPy and Keras, gradients, errors."""
from __future__ import annotations

import re

import numpy as np
import pytest
from layer_testing import layer_gradcheck, run_layer_test

import axon
from axon.layers.preprocessing import Normalization, Rescaling

rng = np.random.default_rng(5)


# ---- Rescaling ---------------------------------------------------------------------------------
def test_rescaling_values_and_integer_input():
    out = Rescaling(1 / 127.5, offset=-1)(np.array([[0, 255]], dtype=np.uint8))
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.numpy(), [[-1.0, 1.0]], atol=1e-6)
    per_channel = Rescaling([1.0, 2.0, 3.0], offset=[0.0, 1.0, 0.0], dtype="float64")
    x = rng.normal(size=(2, 4, 4, 3))
    np.testing.assert_allclose(per_channel(x).numpy(), x * [1, 2, 3] + [0, 1, 0])


def test_rescaling_gradcheck_and_config():
    layer = Rescaling(0.5, offset=2.0, dtype="float64")
    x = rng.normal(size=(3, 4))
    layer(x)
    assert layer_gradcheck(layer, x)
    run_layer_test(Rescaling, {"scale": [0.5, 2.0], "offset": 1.0}, rng.normal(size=(3, 2)),
                   (3, 2), expected_weights=[])


@pytest.mark.parametrize(("kwargs", "match"), [({"scale": "big"}, "scale='big'"),
                                               ({"scale": 1.0, "offset": [np.nan]}, "offset"),
                                               ({"scale": True}, "scale=True")])
def test_rescaling_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        Rescaling(**kwargs)


def test_rescaling_rejects_a_scale_or_offset_that_does_not_broadcast_to_the_input():
    layer = Rescaling([1.0, 2.0, 3.0], name="rescale")
    message = ("Layer 'rescale' (Rescaling) expects scale to broadcast to the input's shape. "
               "Received: scale of shape (3,) for inputs of shape (None, 4)")
    with pytest.raises(ValueError, match=re.escape(message)):
        layer(np.ones((2, 4)))
    with pytest.raises(ValueError, match=re.escape("offset of shape (2, 1, 3)")):
        Rescaling(2.0, offset=np.zeros((2, 1, 3)))(np.ones((5, 3)))
    built = Rescaling([1.0, 2.0])
    built(np.ones((2, 2)))
    with pytest.raises(ValueError, match=re.escape("inputs of shape (2, 3)")):
        built(np.ones((2, 3)))
    assert Rescaling([[1.0], [2.0]])(np.ones((4, 2, 3))).shape == (4, 2, 3)


# ---- Normalization -----------------------------------------------------------------------------
KERAS_DATA = np.arange(24, dtype="float64").reshape(4, 2, 3) ** 1.5


def test_adapt_matches_keras_stored_weights():
    # Keras 3.15.1 (jax backend, float32): Normalization(axis=-1).adapt(KERAS_DATA) stores
    # mean, variance (3,) and count () (int32, 0), all non-trainable, in that order.
    layer = Normalization(axis=-1)
    layer.adapt(KERAS_DATA)
    assert [(w.name, w.shape, w.trainable) for w in layer.weights] == [
        ("mean", (3,), False), ("variance", (3,), False), ("count", (), False)]
    mean, variance, count = layer.get_weights()
    np.testing.assert_allclose(mean, [39.894836, 44.50293, 49.417736], rtol=1e-6)
    np.testing.assert_allclose(variance, [1054.4021, 1170.4894, 1282.8872], rtol=1e-6)
    assert count == 0 and count.dtype == np.float32  # Keras's int32 count, as an axon weight
    np.testing.assert_allclose(layer(KERAS_DATA).numpy()[0], [[-1.2286086, -1.271554, -1.3007447],
                                                              [-1.068587, -1.0669498, -1.0675644]],
                               rtol=1e-5)
    scalar = Normalization(axis=None)
    scalar.adapt(KERAS_DATA)
    np.testing.assert_allclose(scalar.get_weights()[:2], [44.605167, 1184.379], rtol=1e-6)
    assert Normalization(axis=(1, 2)).weights == []  # weights come with build/adapt
    both = Normalization(axis=(1, 2))
    both.adapt(KERAS_DATA)
    assert [w.shape for w in both.weights] == [(2, 3), (2, 3), ()]


@pytest.mark.parametrize("axis", [-1, 1, (1, 3), None])
def test_adapt_matches_numpy_and_standardizes(axis):
    data = rng.normal(size=(20, 3, 4, 2)) * [1.0, 3.0] + [5.0, -2.0]
    layer = Normalization(axis=axis, dtype="float64")
    layer.adapt(data)
    keep = () if axis is None else tuple(a % 4 for a in np.atleast_1d(axis))
    reduce = tuple(i for i in range(4) if i not in keep)
    np.testing.assert_allclose(layer.mean.numpy(), data.mean(axis=reduce), atol=1e-12)
    np.testing.assert_allclose(layer.variance.numpy(), data.var(axis=reduce), atol=1e-12)
    out = layer(data).numpy()
    np.testing.assert_allclose(out.mean(axis=reduce), 0.0, atol=1e-10)
    np.testing.assert_allclose(out.var(axis=reduce), 1.0, atol=1e-10)


def test_given_statistics_invert_and_zero_variance():
    layer = Normalization(mean=[1.0, 2.0], variance=[1.0, 4.0], dtype="float64")
    x = rng.normal(size=(5, 2))
    np.testing.assert_allclose(layer(x).numpy(), (x - [1, 2]) / [1, 2])
    assert layer.weights == []
    inverse = Normalization(mean=[1.0, 2.0], variance=[1.0, 4.0], invert=True, dtype="float64")
    np.testing.assert_allclose(inverse(layer(x)).numpy(), x, atol=1e-12)
    np.testing.assert_allclose(inverse(np.array([[2.0, 4.0]])).numpy(), [[3.0, 10.0]])  # Keras
    constant = Normalization(dtype="float64")
    constant.adapt(np.zeros((3, 2)))
    np.testing.assert_allclose(constant(np.ones((1, 2))).numpy(), [[1e7, 1e7]])  # 1/epsilon
    assert Normalization(mean=2.0, variance=4.0)(np.array([[2.0, 4.0]])).numpy().tolist() == \
        [[0.0, 1.0]]


def test_normalization_gradcheck_config_and_variable_sizes():
    layer = Normalization(axis=-1, dtype="float64")
    layer.adapt(rng.normal(size=(10, 3, 4)) * 2 + 1)
    x = rng.normal(size=(2, 3, 4))
    assert layer_gradcheck(layer, x)
    assert layer(rng.normal(size=(2, 7, 4))).shape == (2, 7, 4)  # only the kept axis is fixed
    with pytest.raises(ValueError, match="statistics along axes"):
        layer(rng.normal(size=(2, 3, 5)))
    inverse = Normalization(mean=0.5, variance=2.0, invert=True, dtype="float64")
    inverse(x)
    assert layer_gradcheck(inverse, x)
    run_layer_test(Normalization, {"axis": -1, "mean": [0.5, 1.0], "variance": [1.0, 4.0]},
                   rng.normal(size=(3, 2)), (3, 2), expected_weights=[])


def _adapted_model(x):
    norm = Normalization()
    norm.adapt(x)
    inp = axon.Input((3,))
    return norm, axon.Model(inp, axon.layers.Dense(1)(norm(inp)))


def test_adapted_normalization_in_a_model_trains():
    x = rng.normal(size=(64, 3)) * [10.0, 0.1, 1.0] + [100.0, 0.0, -5.0]
    y = (x[:, :1] - 100.0) / 10.0 + x[:, 1:2] * 10.0
    norm, model = _adapted_model(x)
    model.compile(optimizer=axon.optimizers.Adam(0.05), loss="mse")
    history = model.fit(x, y, epochs=40, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < 0.05
    assert [w.name for w in model.non_trainable_weights] == ["mean", "variance", "count"]


def test_adapted_normalization_saves_and_loads(tmp_path):
    norm, model = _adapted_model(rng.normal(size=(16, 3)) + 3.0)
    model.save_weights(tmp_path / "w.safetensors")
    mean_before = norm.mean.numpy().copy()
    norm.mean.assign(np.zeros(3))
    model.load_weights(tmp_path / "w.safetensors")
    np.testing.assert_array_equal(norm.mean.numpy(), mean_before)


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"mean": 1.0}, "both mean and variance"),
    ({"axis": "last"}, "axis='last'"),
    ({"mean": 0.0, "variance": -1.0}, "non-negative variance"),
    ({"invert": 1}, "invert=1"),
])
def test_normalization_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        Normalization(**kwargs)


def test_normalization_rejects_bad_axes_and_adapt_misuse():
    with pytest.raises(ValueError, match="batch axis 0"):
        Normalization(axis=0).adapt(np.zeros((4, 3)))
    with pytest.raises(ValueError, match="out of range"):
        Normalization(axis=3)(np.zeros((4, 3)))
    with pytest.raises(ValueError, match="cannot adapt"):
        Normalization(mean=0.0, variance=1.0).adapt(np.zeros((4, 3)))
    with pytest.raises(ValueError, match="non-empty numeric"):
        Normalization().adapt(np.zeros((0, 3)))
    with pytest.raises(ValueError, match="does not broadcast"):
        Normalization(mean=[1.0, 2.0], variance=[1.0, 1.0])(np.zeros((4, 3)))
