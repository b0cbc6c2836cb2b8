"""Dense's regularizers and constraints, Dropout's training mode, Activation, through the shared
layer-test helpers."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
from layer_testing import layer_gradcheck, run_layer_test

import axon
from axon import backend
from axon.layers import Activation, Dense, Dropout

rng = np.random.default_rng(7)


def test_dense_layer_test_and_keras_weight_order():
    run_layer_test(Dense, {"units": 3, "activation": "tanh"}, rng.normal(size=(4, 5)).astype("float32"),
                   (4, 3), [("kernel", (5, 3), True), ("bias", (3,), True)])


def test_dense_gradcheck_through_call_wrt_input_kernel_and_bias():
    layer = Dense(3, activation="tanh", dtype="float64")
    layer(np.zeros((1, 4)))
    assert layer_gradcheck(layer, rng.normal(size=(5, 4)))


def test_dense_gradcheck_on_rank3_input():
    layer = Dense(2, dtype="float64")
    layer(np.zeros((1, 3, 4)))
    assert layer(np.zeros((2, 3, 4))).shape == (2, 3, 2)
    assert layer_gradcheck(layer, rng.normal(size=(2, 3, 4)))


def test_dense_weight_regularizers_give_losses_with_gradients():
    layer = Dense(2, kernel_regularizer=axon.regularizers.L2(0.5),
                  bias_regularizer=axon.regularizers.L1(0.25), bias_initializer="ones",
                  dtype="float64")
    layer(np.zeros((1, 3)))
    w = layer.kernel.numpy()
    penalties = [float(loss.item()) for loss in layer.losses]
    np.testing.assert_allclose(penalties, [0.5 * np.sum(w ** 2), 0.25 * 2.0])
    total = layer.losses[0] + layer.losses[1]
    total.backward()
    np.testing.assert_allclose(layer.kernel.grad, 2 * 0.5 * w)
    np.testing.assert_allclose(layer.bias.grad, [0.25, 0.25])


def test_dense_activity_regularizer_penalizes_the_output():
    layer = Dense(2, activity_regularizer="l1", kernel_initializer="ones", dtype="float64")
    y = layer(np.array([[1.0, -2.0]]))
    assert len(layer.losses) == 1
    np.testing.assert_allclose(float(layer.losses[0].item()), 0.01 * np.abs(y.numpy()).sum())


def test_dense_config_roundtrips_regularizers():
    layer = Dense(4, kernel_regularizer="l2", bias_regularizer=axon.regularizers.L1L2(0.1, 0.2),
                  activity_regularizer="l1")
    config = layer.get_config()
    assert config["kernel_regularizer"] == {"class_name": "L2", "config": {"l2": 0.01}}
    assert config["bias_regularizer"]["class_name"] == "L1L2"
    assert config["activity_regularizer"]["class_name"] == "L1"
    assert config["kernel_constraint"] is None and config["bias_constraint"] is None
    clone = Dense.from_config(config)
    assert clone.get_config() == config


def test_dense_accepts_callable_constraints_and_rejects_others():
    def non_neg(w):
        return w * (w >= 0)

    layer = Dense(2, kernel_constraint=non_neg)
    layer(np.zeros((1, 3), dtype="float32"))
    assert layer.kernel.constraint is non_neg and layer.bias.constraint is None
    assert layer.get_config()["kernel_constraint"] == "non_neg"
    with pytest.raises(ValueError, match="kernel_constraint"):
        Dense(2, kernel_constraint=3)


def test_dense_rejects_list_and_unknown_last_axis():
    layer = Dense(2, name="dd")
    with pytest.raises(ValueError, match="'dd'.*rank >= 2"):
        layer(np.zeros(3, dtype="float32"))


def test_activation_accepts_any_shape_after_build_and_roundtrips():
    layer = run_layer_test(Activation, {"activation": "softmax"}, rng.normal(size=(2, 5)), (2, 5))
    assert layer(np.zeros((3, 2, 7))).shape == (3, 2, 7)
    with pytest.raises(ValueError, match="expects a single input"):
        layer([np.zeros((2, 5)), np.zeros((2, 5))])


def test_activation_gradcheck():
    layer = Activation("gelu", dtype="float64")
    assert layer_gradcheck(layer, rng.normal(size=(3, 4)))


# ---- Dropout -----------------------------------------------------------------------------------
def test_dropout_gradcheck_in_training_with_a_fixed_mask():
    layer = Dropout(0.4, dtype="float64")
    assert layer_gradcheck(layer, rng.normal(size=(6, 5)), training=True,
                           before_call=lambda: backend.seed(11))
    backend.seed(11)
    y = layer(np.ones((6, 5)), training=True).numpy()
    assert 0 < (y == 0).sum() < 30  # the mask really drops some units, so the check saw them


def test_dropout_gradient_is_mask_over_keep_probability():
    layer = Dropout(0.5, seed=3)
    x = axon.Tensor(np.ones((4, 10)), requires_grad=True)
    y = layer(x, training=True)
    y.sum().backward()
    np.testing.assert_allclose(x.grad, y.numpy())  # both are m / (1 - rate) for x = 1
    assert set(np.unique(x.grad)) == {0.0, 2.0}


def test_dropout_inference_is_identity_with_identity_gradient():
    layer = Dropout(0.9, dtype="float64")
    x = rng.normal(size=(3, 4))
    np.testing.assert_array_equal(layer(x).numpy(), x)
    assert layer_gradcheck(layer, x, training=False)


def test_dropout_noise_shape_shares_the_mask_along_size_one_axes():
    layer = Dropout(0.5, noise_shape=(None, 1, 4), seed=0)
    y = layer(np.ones((8, 3, 4)), training=True).numpy()
    assert np.all(y == y[:, :1, :])  # the same mask for every position of axis 1
    assert 0 < (y == 0).mean() < 1


def test_dropout_bad_noise_shape_and_seed_and_rate():
    layer = Dropout(0.5, noise_shape=(None, 2), name="drop")
    with pytest.raises(ValueError, match=r"'drop'.*noise_shape=\(None, 2\).*\(4, 3\)"):
        layer(np.ones((4, 3)), training=True)
    with pytest.raises(ValueError, match="noise_shape"):
        Dropout(0.5, noise_shape=(None, 0))
    with pytest.raises(ValueError, match="seed"):
        Dropout(0.5, seed=-1)
    for rate in (-0.1, 1.0, "0.5", True):
        with pytest.raises(ValueError, match="rate"):
            Dropout(rate)


def test_dropout_seed_makes_masks_repeatable_and_config_roundtrips():
    x = np.ones((5, 6))
    first = Dropout(0.3, seed=42)(x, training=True).numpy()
    again = Dropout(0.3, seed=42)(x, training=True).numpy()
    np.testing.assert_array_equal(first, again)
    layer = run_layer_test(Dropout, {"rate": 0.3, "noise_shape": (None, 1), "seed": 4}, x, (5, 6))
    assert layer.get_config()["noise_shape"] == (None, 1)


def test_dropout_accepts_other_shapes_after_build():
    layer = Dropout(0.2)
    layer(np.ones((2, 3)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert layer(np.ones((4, 5, 6)), training=True).shape == (4, 5, 6)
