"""Dense, Activation, Flatten, Dropout."""
import numpy as np
import pytest

import axon
from axon.layers import Activation, Dense, Dropout, Flatten


def test_dense_computes_x_w_plus_b_then_activation():
    layer = Dense(3, activation="relu")
    x = np.array([[1.0, -2.0], [0.5, 4.0]], dtype="float32")
    y = layer(x)
    w, b = layer.get_weights()
    assert w.shape == (2, 3) and b.shape == (3,)
    np.testing.assert_allclose(y.numpy(), np.maximum(x @ w + b, 0), rtol=1e-6)
    assert [v.name for v in layer.weights] == ["kernel", "bias"]


def test_dense_gradients_match_finite_differences():
    layer = Dense(4, activation="tanh", dtype="float64")
    layer(np.zeros((1, 3)))

    def forward(x, kernel, bias):
        layer.kernel.data, layer.bias.data = kernel.data, bias.data
        return axon.engine.functional.tanh(x @ kernel + bias)

    rng = np.random.default_rng(0)
    assert axon.gradcheck(forward, rng.normal(size=(5, 3)), rng.normal(size=(3, 4)),
                          rng.normal(size=(4,)))


def test_dense_without_bias_and_config_roundtrip():
    layer = Dense(5, use_bias=False, kernel_initializer="he_normal", name="d")
    layer(np.zeros((2, 7), dtype="float32"))
    assert [w.name for w in layer.weights] == ["kernel"]
    config = layer.get_config()
    assert config["units"] == 5 and config["use_bias"] is False and config["name"] == "d"
    clone = Dense.from_config({**config, "name": "d2"})
    assert clone.units == 5 and clone.get_config()["kernel_initializer"]["class_name"] == "HeNormal"


@pytest.mark.parametrize("units", [0, -3, 2.5, "4", True])
def test_dense_rejects_bad_units(units):
    with pytest.raises(ValueError, match="units"):
        Dense(units)


def test_layer_rejects_unknown_keyword():
    with pytest.raises(TypeError, match="unexpected keyword argument.*activaton"):
        Dense(3, activaton="relu")


def test_dense_rejects_wrong_feature_count_after_build():
    layer = Dense(2, name="hidden")
    layer(np.zeros((1, 4), dtype="float32"))
    with pytest.raises(ValueError, match=r"layer 'hidden'.*expected shape=\(None, 4\).*\(None, 5\)"):
        layer(np.zeros((1, 5), dtype="float32"))


def test_set_weights_checks_count_and_shapes():
    layer = Dense(2)
    layer(np.zeros((1, 3), dtype="float32"))
    with pytest.raises(ValueError, match="expects 2 weight arrays"):
        layer.set_weights([np.zeros((3, 2))])
    with pytest.raises(ValueError, match=r"weight 'kernel' has shape \(3, 2\)"):
        layer.set_weights([np.zeros((2, 3)), np.zeros(2)])
    layer.set_weights([np.ones((3, 2)), np.full(2, 0.5)])
    np.testing.assert_allclose(layer(np.ones((1, 3), dtype="float32")).numpy(), [[3.5, 3.5]])


def test_trainable_flag_freezes_weights():
    layer = Dense(2)
    layer(np.zeros((1, 3), dtype="float32"))
    layer.trainable = False
    assert layer.trainable_weights == [] and len(layer.non_trainable_weights) == 2
    assert not any(w.requires_grad for w in layer.weights)


def test_activation_layer_and_unknown_activation():
    np.testing.assert_allclose(Activation("sigmoid")(np.zeros((1, 2), "float32")).numpy(), 0.5)
    with pytest.raises(ValueError, match="Unknown activation: 'rellu'.*relu"):
        Dense(2, activation="rellu")


def test_flatten_keeps_batch_axis():
    x = np.arange(24, dtype="float32").reshape(2, 3, 4)
    y = Flatten()(x)
    assert y.shape == (2, 12)
    assert Flatten().compute_output_shape((None, 3, 4)) == (None, 12)


def test_dropout_is_identity_at_inference_and_inverted_in_training():
    x = np.ones((200, 50), dtype="float32")
    layer = Dropout(0.25, seed=1)
    np.testing.assert_array_equal(layer(x).numpy(), x)
    y = layer(x, training=True).numpy()
    kept = y != 0
    assert 0.70 < kept.mean() < 0.80
    np.testing.assert_allclose(y[kept], 1 / 0.75, rtol=1e-6)


def test_dropout_rejects_bad_rate():
    with pytest.raises(ValueError, match="rate"):
        Dropout(1.0)
