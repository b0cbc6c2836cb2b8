"""Lambda: a function as a layer; its gradient, its shapes, and how it is saved (by name only)."""
import numpy as np
import pytest

import axon
from axon import layers
from axon.engine import functional as F


def scale(x, factor=1.0):
    return x * factor


def first_two(x):
    return x[:, :2]


def pair_sum(inputs):
    return inputs[0] + inputs[1]


def test_applies_the_function_with_its_arguments_and_the_gradient_flows_through():
    layer = layers.Lambda(scale, arguments={"factor": 3.0}, dtype="float64")
    x = np.random.default_rng(0).normal(size=(4, 5))
    np.testing.assert_allclose(layer(x).numpy(), 3.0 * x)
    assert axon.gradcheck(lambda t: layers.Lambda(lambda v: F.tanh(v) * v)(t), x)


def test_the_function_gets_mask_and_training_when_it_asks_for_them():
    seen = {}

    def record(x, mask=None, training=False):
        seen.update(mask=mask, training=training)
        return x

    layer = layers.Lambda(record)
    layer(np.zeros((2, 3, 4)), training=True, mask=np.array([[True, True, False]] * 2))
    assert seen["training"] is True and seen["mask"].tolist() == [[True, True, False]] * 2
    assert layer.compute_mask(None, np.ones((2, 3), bool)) is None      # no mask function
    keep = layers.Lambda(scale, mask=lambda inputs, mask: mask)
    assert keep.compute_mask(None, np.ones((2, 3), bool)).all()


def test_output_shape_traced_given_or_computed():
    inputs = axon.Input((None, 6))
    assert layers.Lambda(first_two)(inputs).shape == (None, 2, 6)       # the sliced axis
    assert layers.Lambda(lambda x: F.sum(x, axis=1))(inputs).shape == (None, 6)
    assert layers.Lambda(lambda x: x * 2)(inputs).shape == (None, None, 6)  # the unknown axis
    assert layers.Lambda(first_two, output_shape=(7, 6))(inputs).shape == (None, 7, 6)
    assert layers.Lambda(first_two, output_shape=lambda s: (s[0], 2, s[2]))(inputs).shape == \
        (None, 2, 6)
    two = [axon.Input((3,)), axon.Input((3,))]
    assert layers.Lambda(pair_sum)(two).shape == (None, 3)


def test_a_function_that_fails_on_zeros_asks_for_output_shape():
    def picky(x):
        raise RuntimeError("needs real data")

    with pytest.raises(ValueError, match=r"'lambda\w*' \(Lambda\) could not find its output shape"
                                         r".*RuntimeError: needs real data.*give output_shape="):
        layers.Lambda(picky)(axon.Input((3,)))


@pytest.mark.parametrize("call, message", [
    (lambda: layers.Lambda(3), "Lambda expects a callable function"),
    (lambda: layers.Lambda(scale, output_shape="big"), "output_shape to be None, a tuple"),
    (lambda: layers.Lambda(scale, mask=True), "mask to be None or a function"),
    (lambda: layers.Lambda(scale, arguments=[1]), "arguments to be a dict"),
])
def test_bad_arguments(call, message):
    with pytest.raises((TypeError, ValueError), match=message):
        call()


def _model(function, **kwargs):
    inputs = axon.Input((5,))
    hidden = layers.Lambda(function, **kwargs)(inputs)
    model = axon.Model(inputs, layers.Dense(1)(hidden))
    model.compile(optimizer="adam", loss="mse")
    return model


def test_saved_by_name_and_loaded_with_custom_objects(tmp_path):
    model = _model(scale, arguments={"factor": 0.5})
    x = np.random.default_rng(1).normal(size=(8, 5)).astype("float32")
    model.fit(x, x[:, :1], epochs=1, verbose=0)
    model.save(tmp_path / "m.axon")
    with pytest.raises(axon.saving.FormatError, match=r"Lambda layer 'lambda\w*' needs its function "
                                                      r"'scale'.*custom_objects=\{'scale': \.\.\.\}"):
        axon.models.load_model(tmp_path / "m.axon")
    loaded = axon.models.load_model(tmp_path / "m.axon", custom_objects={"scale": scale})
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert loaded.layers[1].arguments == {"factor": 0.5}


def test_a_registered_function_loads_without_custom_objects(tmp_path):
    @axon.saving.register_keras_serializable(package="lambda_tests")
    def shifted(x):
        return x + 1.0

    model = _model(shifted)
    assert model.layers[1].get_config()["function"] == "lambda_tests>shifted"
    model.save(tmp_path / "m.axon")
    loaded = axon.models.load_model(tmp_path / "m.axon")
    assert loaded.layers[1].function is shifted


def test_an_anonymous_function_cannot_be_saved_in_a_model_file(tmp_path):
    model = _model(lambda x: x * 2.0)
    with pytest.raises(ValueError, match=r"'lambda\w*' \(Lambda\) wraps an anonymous function "
                                         r"\(its function\); a model file holds no code"):
        model.save(tmp_path / "m.axon")
    assert not (tmp_path / "m.axon").exists()
    model.save_weights(tmp_path / "m.weights.safetensors")   # the weights alone are fine
