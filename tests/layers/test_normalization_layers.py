"""BatchNormalization and LayerNormalization: exact values against NumPy references (float64),
moving statistics, training vs inference, gradients, weights and errors."""
from __future__ import annotations

import numpy as np
import pytest
from layer_testing import layer_gradcheck, run_layer_test

import axon
from axon.initializers import Constant
from axon.layers import BatchNormalization, LayerNormalization

rng = np.random.default_rng(11)


def _bn_reference(batches, test_batch, axis, momentum, epsilon, gamma, beta):
    """Keras 3's batch norm in NumPy: biased batch variance, moving averages, inference output."""
    axes = tuple(i for i in range(batches[0].ndim) if i != axis % batches[0].ndim)
    shape = [1] * batches[0].ndim
    shape[axis] = -1
    moving_mean, moving_var = np.zeros(gamma.shape), np.ones(gamma.shape)
    for x in batches:
        mu, var = x.mean(axis=axes), x.var(axis=axes)
        train_out = gamma.reshape(shape) * (x - mu.reshape(shape)) / np.sqrt(
            var.reshape(shape) + epsilon) + beta.reshape(shape)
        moving_mean = moving_mean * momentum + mu * (1 - momentum)
        moving_var = moving_var * momentum + var * (1 - momentum)
    infer_out = gamma.reshape(shape) * (test_batch - moving_mean.reshape(shape)) / np.sqrt(
        moving_var.reshape(shape) + epsilon) + beta.reshape(shape)
    return train_out, moving_mean, moving_var, infer_out


@pytest.mark.parametrize(("shape", "axis"), [((6, 3), -1), ((4, 3, 2, 2), 1), ((4, 2, 2, 3), -1)])
def test_batchnorm_matches_numpy_over_several_steps(shape, axis):
    channels = shape[axis]
    gamma, beta = rng.uniform(0.5, 2.0, channels), rng.normal(size=channels)
    layer = BatchNormalization(axis=axis, momentum=0.8, epsilon=1e-2, dtype="float64")
    layer(np.zeros(shape))
    layer.set_weights([gamma, beta, np.zeros(channels), np.ones(channels)])
    batches = [rng.normal(size=shape) * 3 + 2 for _ in range(4)]
    test_batch = rng.normal(size=shape)
    for x in batches:
        train_out = layer(x, training=True).numpy()
    expected = _bn_reference(batches, test_batch, axis, 0.8, 1e-2, gamma, beta)
    np.testing.assert_allclose(train_out, expected[0], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(layer.moving_mean.numpy(), expected[1], rtol=1e-12)
    np.testing.assert_allclose(layer.moving_variance.numpy(), expected[2], rtol=1e-12)
    np.testing.assert_allclose(layer(test_batch).numpy(), expected[3], rtol=1e-12, atol=1e-12)
    # inference leaves the moving statistics alone
    np.testing.assert_allclose(layer.moving_mean.numpy(), expected[1], rtol=1e-12)


def test_batchnorm_keras_golden_values():
    # Keras 3.15 (numpy backend): BatchNormalization(momentum=0.5), 2 training steps on these
    # batches, then inference on [[1, 2]].
    layer = BatchNormalization(momentum=0.5, dtype="float64")
    for batch in ([[0.0, 1.0], [2.0, 5.0]], [[1.0, -1.0], [3.0, 3.0], [5.0, 1.0]]):
        layer(np.array(batch), training=True)
    np.testing.assert_allclose(layer.moving_mean.numpy(), [1.75, 1.25])
    np.testing.assert_allclose(layer.moving_variance.numpy(), [1.83333349, 2.58333349], rtol=1e-6)
    np.testing.assert_allclose(layer(np.array([[1.0, 2.0]])).numpy(),
                               [[-0.55376065, 0.46653795]], rtol=1e-6)


def test_batchnorm_weights_in_keras_order():
    run_layer_test(BatchNormalization, {}, rng.normal(size=(5, 4)).astype("float32"), (5, 4),
                   [("gamma", (4,), True), ("beta", (4,), True), ("moving_mean", (4,), False),
                    ("moving_variance", (4,), False)])
    run_layer_test(BatchNormalization, {"center": False, "axis": 1}, rng.normal(size=(2, 3, 4)),
                   (2, 3, 4), [("gamma", (3,), True), ("moving_mean", (3,), False),
                               ("moving_variance", (3,), False)])
    layer = BatchNormalization(scale=False)
    layer(np.zeros((2, 3)))
    assert [w.name for w in layer.weights] == ["beta", "moving_mean", "moving_variance"]
    assert layer.count_params() == 9


def test_batchnorm_gradcheck_training_mode_wrt_input_gamma_beta():
    layer = BatchNormalization(axis=1, gamma_initializer=Constant(1.3),
                               beta_initializer=Constant(0.2), dtype="float64")
    layer(np.zeros((1, 3, 2)))
    assert layer_gradcheck(layer, rng.normal(size=(4, 3, 2)), training=True)


def test_batchnorm_gradcheck_inference_mode():
    layer = BatchNormalization(dtype="float64")
    layer(np.zeros((1, 3)))
    layer.set_weights([rng.uniform(0.5, 2, 3), rng.normal(size=3), rng.normal(size=3),
                       rng.uniform(0.5, 2, 3)])
    assert layer_gradcheck(layer, rng.normal(size=(4, 3)), training=False)


def test_frozen_batchnorm_runs_in_inference_mode_as_keras():
    layer = BatchNormalization(dtype="float64")
    x = rng.normal(size=(6, 2)) + 5
    layer(x)
    layer.trainable = False
    np.testing.assert_allclose(layer(x, training=True).numpy(), x / np.sqrt(1 + 1e-3))
    np.testing.assert_array_equal(layer.moving_mean.numpy(), [0.0, 0.0])


def test_batchnorm_float32_updates_stay_float32():
    layer = BatchNormalization()
    layer(rng.normal(size=(8, 3)), training=True)
    assert layer.moving_mean.dtype == np.float32 and layer.moving_variance.dtype == np.float32


def test_batchnorm_regularizers_and_config_roundtrip():
    layer = BatchNormalization(gamma_regularizer="l2", beta_regularizer=axon.regularizers.L1(0.5),
                               momentum=0.9, epsilon=1e-4, moving_variance_initializer="zeros")
    layer(np.ones((2, 3)) * [1.0, 2.0, 3.0])
    np.testing.assert_allclose([float(t.item()) for t in layer.losses], [0.01 * 3, 0.0])
    config = layer.get_config()
    assert config["momentum"] == 0.9 and config["epsilon"] == 1e-4 and config["axis"] == -1
    assert config["moving_variance_initializer"]["class_name"] == "Zeros"
    assert BatchNormalization.from_config(config).get_config() == config


@pytest.mark.parametrize(("kwargs", "argument"), [
    ({"axis": 1.5}, "axis"), ({"momentum": 1.5}, "momentum"), ({"epsilon": -1.0}, "epsilon"),
    ({"center": "yes"}, "center"), ({"scale": None}, "scale"),
    ({"beta_constraint": "max"}, "beta_constraint")])
def test_batchnorm_rejects_bad_config(kwargs, argument):
    with pytest.raises(ValueError, match=argument):
        BatchNormalization(**kwargs)


def test_batchnorm_rejects_bad_axis_for_the_input_and_changed_features():
    with pytest.raises(ValueError, match=r"'bn'.*axis 3 is out of range.*\(None, 4\)"):
        BatchNormalization(axis=3, name="bn")(np.zeros((2, 4)))
    with pytest.raises(ValueError, match=r"'bn0'.*axis 0.*fixed size"):
        BatchNormalization(axis=0, name="bn0")(np.zeros((2, 4)))
    layer = BatchNormalization(name="bn2")
    layer(np.zeros((2, 4)))
    with pytest.raises(ValueError, match=r"layer 'bn2'.*\(None, 4\).*\(None, 5\)"):
        layer(np.zeros((2, 5)))


# ---- LayerNormalization ------------------------------------------------------------------------
def _ln_reference(x, axes, epsilon, gamma, beta):
    mu = x.mean(axis=axes, keepdims=True)
    var = x.var(axis=axes, keepdims=True)
    shape = [x.shape[i] if i in axes else 1 for i in range(x.ndim)]
    return (x - mu) / np.sqrt(var + epsilon) * gamma.reshape(shape) + beta.reshape(shape)


@pytest.mark.parametrize(("shape", "axis", "axes"), [((4, 5), -1, (1,)), ((2, 3, 4), [1, 2], (1, 2)),
                                                     ((2, 3, 4), (-1, 1), (1, 2)), ((2, 3, 4), 1, (1,))])
def test_layernorm_matches_numpy(shape, axis, axes):
    layer = LayerNormalization(axis=axis, dtype="float64")
    x = rng.normal(size=shape) * 2 - 1
    layer(x)
    weight_shape = tuple(shape[a] for a in axes)
    assert layer.gamma.shape == weight_shape and layer.beta.shape == weight_shape
    gamma, beta = rng.normal(size=weight_shape), rng.normal(size=weight_shape)
    layer.set_weights([gamma, beta])
    expected = _ln_reference(x, axes, 1e-3, gamma, beta)
    np.testing.assert_allclose(layer(x).numpy(), expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(layer(x, training=True).numpy(), expected, rtol=1e-12, atol=1e-12)


def test_layernorm_gradcheck_wrt_input_gamma_beta():
    layer = LayerNormalization(axis=[1, 2], gamma_initializer=Constant(0.7),
                               beta_initializer=Constant(-0.3), dtype="float64")
    layer(np.zeros((1, 2, 3)))
    assert layer_gradcheck(layer, rng.normal(size=(3, 2, 3)))


def test_layernorm_weights_and_config():
    layer = run_layer_test(LayerNormalization, {"epsilon": 1e-5, "center": False}, rng.normal(size=(3, 6)),
                           (3, 6), [("gamma", (6,), True)])
    assert layer.get_config()["epsilon"] == 1e-5
    run_layer_test(LayerNormalization, {"axis": [1, 2]}, rng.normal(size=(3, 2, 4)), (3, 2, 4),
                   [("gamma", (2, 4), True), ("beta", (2, 4), True)])


@pytest.mark.parametrize("axis", [1.0, [], "last", True, [1, "2"]])
def test_layernorm_rejects_bad_axis_config(axis):
    with pytest.raises(ValueError, match="axis"):
        LayerNormalization(axis=axis)


def test_layernorm_rejects_axis_out_of_range_and_repeated():
    with pytest.raises(ValueError, match=r"'ln'.*axis 2 is out of range.*\(None, 4\)"):
        LayerNormalization(axis=2, name="ln")(np.zeros((2, 4)))
    with pytest.raises(ValueError, match="repeated axis"):
        LayerNormalization(axis=[1, -1])(np.zeros((2, 4)))
