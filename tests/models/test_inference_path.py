"""The inference path of a Sequential stack (each layer's ``_inference_function`` run back to back
when no graph is recorded) gives exactly the outputs and errors of the layer-by-layer path."""
import numpy as np
import pytest

import axon
from axon import layers


def _stack():
    return axon.Sequential([
        axon.Input(shape=(4, 3)), layers.Flatten(), layers.Dense(8, activation="relu"),
        layers.Dropout(0.5), layers.Dense(6, activation="tanh"), layers.Activation("sigmoid"),
        layers.Dense(5), layers.Dense(3, activation="softmax"),
    ])


def test_every_layer_of_the_stack_has_an_inference_function():
    assert all(layer._inference_function() is not None for layer in _stack().layers)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_inference_path_equals_the_recorded_path_bitwise(dtype):
    axon.utils.set_random_seed(0)
    model = _stack()
    x = np.random.default_rng(1).normal(size=(7, 4, 3)).astype(dtype)
    recorded = model(x, training=False)  # gradients on: the layer-by-layer path
    assert recorded.requires_grad
    with axon.no_grad():
        fast = model(x, training=False)
    assert not fast.requires_grad
    np.testing.assert_array_equal(fast.numpy(), recorded.numpy())
    assert fast.dtype == recorded.dtype
    # predict takes the data in the model's float type (float32 here)
    expected = model(x.astype("float32"), training=False).numpy()
    np.testing.assert_array_equal(model.predict(x, verbose=0), expected)


def test_inference_path_checks_shapes_like_the_layers():
    model = axon.Sequential([layers.Flatten(), layers.Dense(2)])
    model(np.ones((1, 6), "float32"))
    with axon.no_grad(), pytest.raises(ValueError, match="dense"):
        model(np.ones((1, 2, 4), "float32"))
    with pytest.raises(ValueError, match=r"samples of shape \(6,\).*Received: x.shape=\(1, 7\)"):
        model.predict(np.ones((1, 7), "float32"), verbose=0)


def test_a_layer_that_overrides_call_or_regularizes_its_output_takes_the_layer_path():
    class Doubled(layers.Dense):
        def call(self, inputs, training=False):
            return super().call(inputs) * 2.0

    class Counted(layers.Dense):
        def __call__(self, inputs, **kwargs):
            return super().__call__(inputs, **kwargs)

    assert Doubled(2)._inference_function() is None
    assert Counted(2)._inference_function() is None
    assert layers.Dense(2, activity_regularizer="l2")._inference_function() is None
    model = axon.Sequential([axon.Input(shape=(3,)), Doubled(2, kernel_initializer="ones")])
    np.testing.assert_array_equal(model.predict(np.ones((1, 3)), verbose=0), [[6.0, 6.0]])


def test_dropout_is_still_active_in_training_calls():
    model = axon.Sequential([axon.Input(shape=(1000,)), layers.Dropout(0.5)])
    with axon.no_grad():
        out = model(np.ones((1, 1000), "float32"), training=True).numpy()
    assert 300 < np.count_nonzero(out) < 700


def test_functional_model_runs_one_input_layers_on_arrays_with_the_same_outputs():
    axon.utils.set_random_seed(0)
    inputs = axon.Input(shape=(6,))
    hidden = layers.Dense(8, activation="relu")(inputs)
    left = layers.Dense(4, activation="tanh")(hidden)
    right = layers.Dropout(0.3)(layers.Dense(4)(hidden))
    outputs = layers.Dense(3, activation="softmax")(layers.Concatenate()([left, right]))
    model = axon.Model(inputs, outputs)
    x = np.random.default_rng(2).normal(size=(5, 6)).astype("float32")
    recorded = model(x, training=False).numpy()
    with axon.no_grad():
        np.testing.assert_array_equal(model(x, training=False).numpy(), recorded)
    np.testing.assert_array_equal(model.predict(x, verbose=0), recorded)
    with axon.no_grad(), pytest.raises(ValueError, match="expects"):
        model(np.ones((2, 7), "float32"))


def test_a_custom_activation_gives_the_same_outputs_on_the_inference_path():
    def scaled_tanh(t):
        return axon.engine.functional.tanh(t) * 1.5

    model = axon.Sequential([axon.Input(shape=(3,)), layers.Dense(4, activation=scaled_tanh),
                             layers.Activation(scaled_tanh)])
    x = np.random.default_rng(3).normal(size=(2, 3)).astype("float32")
    recorded = model(x, training=False).numpy()
    np.testing.assert_array_equal(model.predict(x, verbose=0), recorded)
