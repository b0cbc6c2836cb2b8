"""BatchNormalization, LayerNormalization, GroupNormalization and UnitNormalization: exact values
against NumPy references and Keras golden values (float64), moving statistics, training vs
inference, gradients, weights, masks, models that train and save, and errors."""
from __future__ import annotations

import json
import pathlib

import numpy as np
import pytest
from layer_testing import layer_gradcheck, run_layer_test

import axon
from axon.initializers import Constant
from axon.layers import (
    BatchNormalization,
    GroupNormalization,
    LayerNormalization,
    UnitNormalization,
)

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


# ---- GroupNormalization and UnitNormalization --------------------------------------------------
GOLDEN = json.loads((pathlib.Path(__file__).parent / "normalization_keras_golden.json").read_text())


@pytest.mark.parametrize("case", GOLDEN["cases"],
                         ids=lambda c: f"{c['layer']}-{'-'.join(map(str, c['kwargs'].values()))}")
def test_group_and_unit_normalization_match_keras_golden_values(case):
    """Keras 3.15.1 (TensorFlow backend, float64) outputs with the weights stored beside them.

    Made by the script kept in the JSON's ``generator`` field (run as
    ``KERAS_BACKEND=tensorflow /work/peers/bin/python make_golden.py OUT_DIR``); the largest
    difference seen was 6.7e-16.
    """
    layer = getattr(axon.layers, case["layer"])(dtype="float64", **case["kwargs"])
    x = np.array(case["x"])
    layer(x)
    assert [w.name for w in layer.weights] == case["weight_names"]
    layer.set_weights([np.array(w) for w in case["weights"]])
    largest = np.abs(layer(x).numpy() - np.array(case["y"])).max()
    assert largest < 1e-13, f"largest difference from Keras: {largest:.3g}"


def _gn_reference(x, groups, axis, epsilon, gamma, beta):
    """Group normalization with explicit loops over samples and groups (float64)."""
    x = np.moveaxis(x, axis, -1)
    channels = x.shape[-1]
    size = channels // groups
    y = np.empty_like(x)
    for b in range(x.shape[0]):
        for g in range(groups):
            block = x[b, ..., g * size:(g + 1) * size]
            y[b, ..., g * size:(g + 1) * size] = (block - block.mean()) / np.sqrt(block.var() + epsilon)
    return np.moveaxis(y * gamma + beta, -1, axis)


@pytest.mark.parametrize(("shape", "groups", "axis"), [
    ((3, 8), 4, -1), ((2, 3, 4, 6), 3, -1), ((2, 6, 3, 2), 2, 1), ((2, 5, 4), -1, -1),
    ((2, 4, 3, 2), 1, 2)])
def test_groupnorm_matches_loop_reference(shape, groups, axis):
    layer = GroupNormalization(groups=groups, axis=axis, epsilon=1e-2, dtype="float64")
    x = rng.normal(size=shape) * 3 + 1
    layer(x)
    channels = shape[axis]
    gamma, beta = rng.normal(size=channels), rng.normal(size=channels)
    layer.set_weights([gamma, beta])
    expected = _gn_reference(x, channels if groups == -1 else groups, axis % len(shape), 1e-2,
                             gamma, beta)
    np.testing.assert_allclose(layer(x).numpy(), expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(layer(x, training=True).numpy(), expected, rtol=1e-12, atol=1e-12)


def test_groupnorm_with_one_group_is_layernorm_over_all_features():
    x = rng.normal(size=(3, 4, 6))
    group = GroupNormalization(groups=1, dtype="float64")(x).numpy()
    layer = LayerNormalization(axis=[1, 2], dtype="float64")(x).numpy()
    np.testing.assert_allclose(group, layer, atol=1e-12)


@pytest.mark.parametrize(("kwargs", "shape"), [({"groups": 2}, (3, 2, 4)),
                                               ({"groups": 3, "axis": 1}, (2, 6, 2)),
                                               ({"groups": -1, "center": False}, (2, 3, 3))])
def test_groupnorm_gradcheck_wrt_input_gamma_beta(kwargs, shape):
    layer = GroupNormalization(gamma_initializer=Constant(0.7), beta_initializer=Constant(-0.3),
                               dtype="float64", **kwargs)
    layer(np.zeros((1,) + shape[1:]))
    assert layer_gradcheck(layer, rng.normal(size=shape))


def test_groupnorm_weights_config_and_unknown_sizes():
    layer = run_layer_test(GroupNormalization, {"groups": 2, "epsilon": 1e-5},
                           rng.normal(size=(3, 5, 4)), (3, 5, 4),
                           [("gamma", (4,), True), ("beta", (4,), True)])
    assert layer.get_config()["groups"] == 2 and layer.get_config()["epsilon"] == 1e-5
    run_layer_test(GroupNormalization, {"groups": 3, "axis": 1, "scale": False},
                   rng.normal(size=(2, 6, 2)), (2, 6, 2), [("beta", (6,), True)])
    # a time axis of unknown length: only the channels must be fixed
    inputs = axon.Input((None, 4))
    assert tuple(GroupNormalization(groups=2)(inputs).shape) == (None, None, 4)
    assert GroupNormalization(groups=2).compute_output_shape((None, None, 4)) == (None, None, 4)


def test_groupnorm_passes_a_mask_on():
    layer = GroupNormalization(groups=2)
    mask = np.array([[True, False]])
    assert layer.compute_mask(np.zeros((1, 2, 4)), mask) is mask


@pytest.mark.parametrize(("kwargs", "argument"), [
    ({"groups": 0}, "groups=0"), ({"groups": -2}, "groups=-2"), ({"groups": 2.0}, "groups=2.0"),
    ({"groups": True}, "groups=True"), ({"axis": "last"}, "axis"), ({"epsilon": -1.0}, "epsilon"),
    ({"center": 1}, "center"), ({"scale": None}, "scale"),
    ({"gamma_constraint": "max"}, "gamma_constraint")])
def test_groupnorm_rejects_bad_config(kwargs, argument):
    with pytest.raises(ValueError, match=f"GroupNormalization expects|{argument}") as error:
        GroupNormalization(**kwargs)
    assert argument in str(error.value)


def test_groupnorm_rejects_groups_that_do_not_fit_the_channels():
    with pytest.raises(ValueError, match=r"'gn' \(GroupNormalization\) needs groups to divide the "
                                         r"6 channels.*groups=4"):
        GroupNormalization(groups=4, name="gn")(np.zeros((2, 6)))
    with pytest.raises(ValueError, match="groups=8"):
        GroupNormalization(groups=8)(np.zeros((2, 6)))
    with pytest.raises(ValueError, match=r"axis 0.*fixed size"):
        GroupNormalization(groups=1, axis=0)(np.zeros((2, 6)))
    with pytest.raises(ValueError, match="fixed size"):
        GroupNormalization(groups=1, axis=1)(axon.Input((None, 3)))
    with pytest.raises(ValueError, match="out of range"):
        GroupNormalization(groups=1, axis=2)(np.zeros((2, 6)))


@pytest.mark.parametrize(("axis", "shape"), [(-1, (3, 4)), (1, (2, 3, 4)), ([1, 2], (2, 3, 4)),
                                             ((0, -1), (2, 3, 4))])
def test_unitnorm_matches_numpy_and_has_unit_norm(axis, shape):
    x = rng.normal(size=shape) * 4
    y = UnitNormalization(axis=axis, dtype="float64")(x).numpy()
    axes = tuple(np.atleast_1d(axis))
    norm = np.sqrt((x ** 2).sum(axis=axes, keepdims=True))
    np.testing.assert_allclose(y, x / norm, rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(np.sqrt((y ** 2).sum(axis=axes)), 1.0, rtol=1e-14)


def test_unitnorm_zero_vector_gives_zeros_and_finite_gradient():
    layer = UnitNormalization(dtype="float64")
    x = np.array([[0.0, 0.0, 0.0], [1.0, -2.0, 2.0]])
    x_tensor = axon.Tensor(x, requires_grad=True)
    y = layer(x_tensor)
    np.testing.assert_array_equal(y.numpy()[0], 0.0)
    y.sum().backward()
    assert np.all(np.isfinite(x_tensor.grad))
    assert layer_gradcheck(layer, rng.normal(size=(3, 2, 4)))
    assert layer_gradcheck(UnitNormalization(axis=[1, 2], dtype="float64"),
                           rng.normal(size=(2, 3, 2)))


def test_unitnorm_config_shapes_and_no_weights():
    layer = run_layer_test(UnitNormalization, {"axis": [1, 2]}, rng.normal(size=(2, 3, 4)),
                           (2, 3, 4), [])
    assert layer.get_config()["axis"] == [1, 2]
    assert tuple(UnitNormalization()(axon.Input((None, 5))).shape) == (None, None, 5)


@pytest.mark.parametrize("axis", [1.0, "last", True, [], [1, "2"], None])
def test_unitnorm_rejects_bad_axis_type(axis):
    with pytest.raises(TypeError, match=r"UnitNormalization expects axis .* Received: axis="):
        UnitNormalization(axis=axis)


def test_unitnorm_rejects_axis_out_of_range_and_repeated():
    with pytest.raises(ValueError, match=r"'un' \(UnitNormalization\): axis 2 is out of range"):
        UnitNormalization(axis=2, name="un")(np.zeros((2, 4)))
    with pytest.raises(ValueError, match="repeated axis"):
        UnitNormalization(axis=[1, -1])(np.zeros((2, 4)))
    with pytest.raises(ValueError, match="out of range"):
        UnitNormalization(axis=3).compute_output_shape((None, 4))


def test_model_with_group_and_unit_normalization_trains_and_round_trips(tmp_path):
    axon.utils.set_random_seed(0)
    data = np.random.default_rng(0)
    x = data.normal(size=(256, 6, 4)).astype("float32")
    y = (x[:, :, :2].sum(axis=(1, 2)) > 0).astype("float32")[:, None]
    inputs = axon.Input((6, 4))
    h = axon.layers.Dense(8)(inputs)
    h = GroupNormalization(groups=4)(h)
    h = UnitNormalization()(h)
    outputs = axon.layers.Dense(1, activation="sigmoid")(axon.layers.Flatten()(h))
    model = axon.Model(inputs, outputs)
    model.compile(optimizer=axon.optimizers.Adam(learning_rate=0.01), loss="binary_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(x, y, batch_size=32, epochs=8, verbose=0)
    assert history.history["loss"][-1] < 0.6 * history.history["loss"][0]
    assert history.history["accuracy"][-1] > 0.85
    path = tmp_path / "norm.axon"
    model.save(path)
    loaded = axon.models.load_model(path)
    assert [w.name for w in loaded.layers[2].weights] == ["gamma", "beta"]
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
