"""Bad input gets a clear error at the API boundary, naming what was expected and what came."""
import numpy as np
import pytest

import axon
from axon.layers import Dense


@pytest.fixture()
def model():
    m = axon.Sequential([Dense(8, activation="relu", input_shape=(4,)),
                         Dense(3, activation="softmax")], name="clf")
    m.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return m


X = np.zeros((10, 4), dtype="float32")
Y = np.zeros(10, dtype="int64")


def test_x_and_y_with_different_sample_counts(model):
    with pytest.raises(ValueError, match=r"same number of samples.*x.shape=\(10, 4\) \(10 samples\)"
                                         r".*y.shape=\(9,\) \(9 samples\)"):
        model.fit(X, Y[:9], verbose=0)


def test_input_features_differ_from_first_layer(model):
    with pytest.raises(ValueError, match=r"samples of shape \(4,\).*model 'clf'.*x.shape=\(10, 5\)"):
        model.fit(np.zeros((10, 5)), Y, verbose=0)
    with pytest.raises(ValueError, match=r"samples of shape \(4,\)"):
        model.predict(np.zeros((2, 5)), verbose=0)


def test_input_features_differ_for_a_model_built_on_first_call():
    m = axon.Sequential([Dense(2, name="first")])
    m.compile(optimizer="sgd", loss="mse")
    m.fit(np.zeros((4, 3)), np.zeros((4, 2)), verbose=0)
    with pytest.raises(ValueError, match=r"samples of shape \(3,\).*x.shape=\(4, 6\)"):
        m.fit(np.zeros((4, 6)), np.zeros((4, 2)), verbose=0)


@pytest.mark.parametrize("labels, received", [([0, 1, 3], "from 0 to 3"), ([-1, 0, 2], "from -1 to 2")])
def test_sparse_labels_outside_the_classes(model, labels, received):
    with pytest.raises(ValueError, match=rf"labels in y to lie in \[0, 3\).*{received}"):
        model.fit(np.zeros((3, 4)), np.array(labels), verbose=0)


def test_sparse_labels_with_wrong_shape(model):
    with pytest.raises(ValueError, match=r"one integer label per sample.*y.shape=\(10, 3\)"):
        model.fit(X, np.zeros((10, 3)), verbose=0)


def test_targets_whose_shape_would_broadcast_silently():
    m = axon.Sequential([Dense(3, input_shape=(4,))])
    m.compile(optimizer="sgd", loss="mse")
    with pytest.raises(ValueError, match=r"y of shape \(10, 3\).*y.shape=\(10, 1\)"):
        m.fit(X, np.zeros((10, 1)), verbose=0)
    with pytest.raises(ValueError, match=r"y.shape=\(10,\).*sparse_categorical_crossentropy"):
        m.fit(X, np.zeros(10), verbose=0)
    single = axon.Sequential([Dense(1, input_shape=(4,))])
    single.compile(optimizer="sgd", loss="mse")
    single.fit(X, np.zeros(10), verbose=0)  # (n,) for an (n, 1) output is fine, as in Keras
    with pytest.raises(ValueError, match=r"y of shape \(10, 1\).*y.shape=\(10, 2\)"):
        single.fit(X, np.zeros((10, 2)), verbose=0)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nan_or_inf_in_the_data(model, bad):
    x = X.copy()
    x[3, 2] = bad
    with pytest.raises(ValueError, match=r"NaN or infinite.*in x, first at index \(3, 2\)"):
        model.fit(x, Y, verbose=0)
    m = axon.Sequential([Dense(1, input_shape=(4,))])
    m.compile(optimizer="sgd", loss="mse")
    y = np.zeros(10)
    y[5] = bad
    with pytest.raises(ValueError, match=r"in y, first at index \(5,\)"):
        m.fit(X, y, verbose=0)
    with pytest.raises(ValueError, match="in val_x"):
        model.fit(X, Y, validation_data=(x, Y), verbose=0)


def test_non_numeric_array(model):
    with pytest.raises(ValueError, match=r"x to be a numeric array.*dtype=<U"):
        model.fit(np.array([["a", "b", "c", "d"]] * 10), Y, verbose=0)
    with pytest.raises(ValueError, match="numeric"):
        model.predict([["a", "b", "c", "d"]], verbose=0)


def test_unknown_names_list_the_known_ones(model):
    with pytest.raises(ValueError, match="Unknown loss: 'cross_entropy'.*categorical_crossentropy"):
        model.compile(optimizer="adam", loss="cross_entropy")
    with pytest.raises(ValueError, match="Unknown optimizer: 'adamw2'.*adam.*sgd"):
        model.compile(optimizer="adamw2", loss="mse")
    with pytest.raises(ValueError, match="Unknown activation: 'relux'.*relu"):
        Dense(2, activation="relux")
    with pytest.raises(ValueError, match="Unknown initializer: 'glorot'.*glorot_uniform"):
        Dense(2, kernel_initializer="glorot")
    with pytest.raises(ValueError, match="Unknown metric: 'acuracy'.*accuracy"):
        model.compile(optimizer="adam", loss="mse", metrics=["acuracy"])


def test_fit_before_compile():
    m = axon.Sequential([Dense(1, input_shape=(4,))])
    with pytest.raises(RuntimeError, match=r"compile\(\) before fit\(\)"):
        m.fit(X, np.zeros(10), verbose=0)
    with pytest.raises(RuntimeError, match=r"compile\(\) before evaluate\(\)"):
        m.evaluate(X, np.zeros(10), verbose=0)


def test_bad_arguments_to_fit(model):
    with pytest.raises(ValueError, match="batch_size to be a positive integer.*batch_size=0"):
        model.fit(X, Y, batch_size=0, verbose=0)
    with pytest.raises(ValueError, match="validation_split in"):
        model.fit(X, Y, validation_split=1.5, verbose=0)
    with pytest.raises(TypeError, match="unexpected keyword argument.*epoch"):
        model.fit(X, Y, epoch=3)
    with pytest.raises(ValueError, match="verbose"):
        model.fit(X, Y, verbose=5)
