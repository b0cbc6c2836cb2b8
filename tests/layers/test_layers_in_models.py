"""The new layers inside models: serialization by class name, functional graphs, training."""
from __future__ import annotations

import numpy as np
import pytest

import axon
from axon import layers

LAYERS = [layers.Dense(3, kernel_regularizer="l2"), layers.Dropout(0.5, noise_shape=(None, 1)),
          layers.Reshape((2, -1)), layers.Flatten(), layers.Activation("tanh"),
          layers.BatchNormalization(momentum=0.9, gamma_regularizer="l1"),
          layers.LayerNormalization(axis=[1]), layers.Embedding(5, 2, mask_zero=True),
          layers.Add(), layers.Subtract(), layers.Multiply(), layers.Average(), layers.Maximum(),
          layers.Minimum(), layers.Concatenate(axis=1), layers.Dot(axes=(1, 1), normalize=True)]


@pytest.mark.parametrize("layer", LAYERS, ids=lambda layer: type(layer).__name__)
def test_serialize_deserialize_by_class_name(layer):
    config = layers.serialize(layer)
    assert config["class_name"] == type(layer).__name__
    clone = layers.deserialize(config)
    assert type(clone) is type(layer) and clone.get_config() == layer.get_config()


def test_functional_model_with_merge_normalization_and_dropout_trains():
    axon.utils.set_random_seed(0)
    a, b = axon.Input((3,)), axon.Input((3,))
    h = layers.Concatenate()([layers.Dense(4)(a), layers.Add()([a, b])])
    h = layers.Dropout(0.1)(layers.BatchNormalization(momentum=0.5)(h))
    out = layers.Dense(1)(layers.LayerNormalization()(h))
    model = axon.Model([a, b], out)
    assert model.layers[-1].compute_output_shape((None, 7)) == (None, 1)
    model.compile(optimizer="adam", loss="mse")
    rng = np.random.default_rng(0)
    x1, x2, y = rng.random((32, 3)), rng.random((32, 3)), rng.random((32, 1))
    bn = next(layer for layer in model.layers if isinstance(layer, layers.BatchNormalization))
    model.fit([x1, x2], y, epochs=1, batch_size=16, verbose=0)
    assert np.all(bn.moving_mean.numpy() != 0)  # training steps updated the moving statistics
    before = bn.get_weights()
    model.predict([x1, x2], verbose=0)
    for old, new in zip(before, bn.get_weights()):  # inference leaves them alone
        np.testing.assert_array_equal(old, new)


def test_sequential_embedding_model_trains_on_integer_inputs():
    axon.utils.set_random_seed(1)
    model = axon.Sequential([axon.Input((4,)), layers.Embedding(10, 3), layers.Flatten(),
                             layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x = np.random.default_rng(1).integers(0, 10, size=(16, 4))
    history = model.fit(x, np.ones((16, 1)), epochs=3, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]


def test_dense_kernel_constraint_is_applied_after_each_update():
    def non_neg(w):
        return np.maximum(w.numpy(), 0.0)

    axon.utils.set_random_seed(2)
    dense = layers.Dense(2, kernel_constraint=non_neg, kernel_initializer="ones")
    model = axon.Sequential([axon.Input((3,)), dense])
    model.compile(optimizer=axon.optimizers.SGD(learning_rate=10.0), loss="mse")
    model.fit(np.ones((4, 3)), np.full((4, 2), -5.0), epochs=1, verbose=0)  # pushes the kernel down
    kernel = dense.kernel.numpy()
    assert np.all(kernel >= 0) and np.any(kernel == 0)
