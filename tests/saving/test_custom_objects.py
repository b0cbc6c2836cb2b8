"""Custom classes and functions in model files: saved by name, found again only among the objects
the program gives (custom_objects, custom_object_scope, register_keras_serializable)."""
import warnings

import numpy as np
import pytest

import axon
from axon import layers
from axon.engine import functional as F


def twice(x):
    return x * 2.0


def squared_error(y_true, y_pred):
    return F.mean((y_true - y_pred) ** 2, axis=-1)


def absolute_error(y_true, y_pred):
    return np.abs(y_true - y_pred).mean(axis=-1)


def small_normal(shape, dtype=None):
    return np.random.default_rng(0).normal(scale=0.01, size=shape).astype(dtype or "float32")


class Capped(axon.constraints.Constraint):
    def __call__(self, w):
        return F.clip(w, -0.5, 0.5)


DATA = np.random.default_rng(0).normal(size=(16, 3)).astype("float32")
TARGETS = DATA[:, :2] * 0.5


def custom_model():
    model = axon.Sequential([
        axon.Input((3,)),
        layers.Dense(2, activation=twice, kernel_initializer=small_normal,
                     kernel_constraint=Capped())])
    model.compile(optimizer="adam", loss=squared_error,
                  metrics=[absolute_error, axon.metrics.MeanAbsoluteError(name="mae_object")])
    model.fit(DATA, TARGETS, epochs=2, verbose=0)
    return model


OBJECTS = {"twice": twice, "squared_error": squared_error, "absolute_error": absolute_error,
           "small_normal": small_normal, "Capped": Capped}


def test_every_kind_of_custom_object_round_trips_with_custom_objects(tmp_path):
    model = custom_model()
    model.save(tmp_path / "m.axon")
    loaded = axon.models.load_model(tmp_path / "m.axon", custom_objects=OBJECTS)
    dense = loaded.layers[-1]
    assert dense.activation is twice and isinstance(dense.kernel_constraint, Capped)
    assert loaded.evaluate(DATA, TARGETS, verbose=0, return_dict=True) == \
        model.evaluate(DATA, TARGETS, verbose=0, return_dict=True)   # loss and both metrics
    history = loaded.fit(DATA, TARGETS, epochs=1, verbose=0).history
    assert set(history) == {"loss", "absolute_error", "mae_object"}


@pytest.mark.parametrize("missing, kind", [("twice", "activation"),
                                           ("squared_error", "loss"),
                                           ("absolute_error", "metric")])
def test_a_missing_custom_object_is_named_with_the_way_to_give_it(tmp_path, missing, kind):
    custom_model().save(tmp_path / "m.axon")
    objects = {name: obj for name, obj in OBJECTS.items() if name != missing}
    with pytest.raises(axon.saving.FormatError,
                       match=rf"Unknown {kind}: '{missing}'.*custom_objects=\{{'{missing}': \.\.\.\}}"):
        axon.models.load_model(tmp_path / "m.axon", custom_objects=objects)


def test_registered_functions_are_saved_under_their_package_name(tmp_path):
    @axon.saving.register_keras_serializable(package="custom_tests")
    def halved(x):
        return x * 0.5

    model = axon.Sequential([axon.Input((3,)), layers.Dense(2, activation=halved)])
    assert model.layers[-1].get_config()["activation"] == "custom_tests>halved"
    model.save(tmp_path / "m.axon")
    assert axon.models.load_model(tmp_path / "m.axon").layers[-1].activation is halved


def test_custom_object_scope_nests_and_closes():
    def first(x):
        return x

    def second(x):
        return x

    with axon.saving.custom_object_scope({"act": first}):
        assert axon.activations.get("act") is first
        with axon.saving.custom_object_scope({"act": second}):
            assert axon.activations.get("act") is second
        assert axon.activations.get("act") is first
    with pytest.raises(ValueError, match="Unknown activation: 'act'"):
        axon.activations.get("act")
    with pytest.raises(TypeError, match="custom_objects must be a dict"):
        with axon.saving.custom_object_scope([first]):
            pass


def test_a_lambda_loss_is_reported_when_saving(tmp_path):
    model = axon.Sequential([axon.Input((3,)), layers.Dense(2)])
    model.compile(optimizer="adam", loss=lambda y_true, y_pred: (y_true - y_pred) ** 2)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.save(tmp_path / "m.axon")
    assert any("function without a name (a lambda)" in str(w.message) for w in caught)
    assert all(w.filename == __file__ for w in caught if "lambda" in str(w.message))


def test_registered_classes_load_without_custom_objects(tmp_path):
    @axon.saving.register_keras_serializable(package="custom_tests")
    class DoubledError(axon.losses.Loss):
        def call(self, y_true, y_pred):
            return F.mean((y_true - y_pred) ** 2, axis=-1) * 2.0

    @axon.saving.register_keras_serializable(package="custom_tests")
    class Largest(axon.metrics.Mean):
        def update_state(self, y_true, y_pred, sample_weight=None):
            super().update_state(np.max(np.asarray(y_pred), axis=-1), sample_weight)

    model = axon.Sequential([axon.Input((3,)), layers.Dense(2)])
    model.compile(optimizer="sgd", loss=DoubledError(), metrics=[Largest(name="largest")])
    model.save(tmp_path / "m.axon")
    loaded = axon.models.load_model(tmp_path / "m.axon")
    assert loaded.evaluate(DATA, TARGETS, verbose=0, return_dict=True) == \
        model.evaluate(DATA, TARGETS, verbose=0, return_dict=True)
