"""axon.losses' public face: names (Keras's strings), classes, configuration round trips,
serialisation, and the errors for bad input."""
from __future__ import annotations

import json
import re

import numpy
import pytest

import axon
from axon import losses

ALL_CLASSES = [
    losses.MeanSquaredError, losses.MeanAbsoluteError, losses.MeanAbsolutePercentageError,
    losses.MeanSquaredLogarithmicError, losses.Huber, losses.LogCosh, losses.CosineSimilarity,
    losses.BinaryCrossentropy, losses.CategoricalCrossentropy, losses.SparseCategoricalCrossentropy,
    losses.BinaryFocalCrossentropy, losses.CategoricalFocalCrossentropy, losses.KLDivergence,
    losses.Poisson, losses.Hinge, losses.SquaredHinge, losses.CategoricalHinge,
]

# Keras 3 string -> class (compile(loss=...) accepts these)
KERAS_NAMES = {
    "mse": losses.MeanSquaredError, "MSE": losses.MeanSquaredError,
    "mean_squared_error": losses.MeanSquaredError,
    "mae": losses.MeanAbsoluteError, "MAE": losses.MeanAbsoluteError,
    "mean_absolute_error": losses.MeanAbsoluteError,
    "mape": losses.MeanAbsolutePercentageError, "MAPE": losses.MeanAbsolutePercentageError,
    "mean_absolute_percentage_error": losses.MeanAbsolutePercentageError,
    "msle": losses.MeanSquaredLogarithmicError, "MSLE": losses.MeanSquaredLogarithmicError,
    "mean_squared_logarithmic_error": losses.MeanSquaredLogarithmicError,
    "huber": losses.Huber, "huber_loss": losses.Huber,
    "log_cosh": losses.LogCosh, "logcosh": losses.LogCosh,
    "kl_divergence": losses.KLDivergence, "kld": losses.KLDivergence, "KLD": losses.KLDivergence,
    "kullback_leibler_divergence": losses.KLDivergence,
    "poisson": losses.Poisson, "cosine_similarity": losses.CosineSimilarity,
    "hinge": losses.Hinge, "squared_hinge": losses.SquaredHinge,
    "categorical_hinge": losses.CategoricalHinge,
    "binary_crossentropy": losses.BinaryCrossentropy, "bce": losses.BinaryCrossentropy,
    "categorical_crossentropy": losses.CategoricalCrossentropy,
    "sparse_categorical_crossentropy": losses.SparseCategoricalCrossentropy,
    "binary_focal_crossentropy": losses.BinaryFocalCrossentropy,
    "categorical_focal_crossentropy": losses.CategoricalFocalCrossentropy,
}


@pytest.mark.parametrize(("name", "cls"), KERAS_NAMES.items())
def test_keras_string_names(name, cls):
    loss = losses.get(name)
    assert type(loss) is cls
    assert loss.reduction == "sum_over_batch_size"


@pytest.mark.parametrize("cls", ALL_CLASSES, ids=lambda c: c.__name__)
def test_class_names_in_camel_and_snake_case(cls):
    assert type(losses.get(cls.__name__)) is cls
    snake = axon.utils.naming.to_snake_case(cls.__name__)
    assert type(losses.get(snake)) is cls
    assert type(losses.get(cls)) is cls


@pytest.mark.parametrize("cls", ALL_CLASSES, ids=lambda c: c.__name__)
def test_every_class_has_a_function_with_a_docstring_stating_the_gradient(cls):
    loss = cls()
    assert callable(loss.fn) and loss.fn is getattr(losses, loss.fn.__name__)
    doc = loss.fn.__doc__ or ""
    assert "dL/d" in doc or "radient" in doc, loss.fn.__name__
    assert "radient" in (cls.__doc__ or ""), cls.__name__


def test_default_names_follow_keras():
    assert losses.Huber().name == "huber_loss"
    assert losses.KLDivergence().name == "kl_divergence"
    assert losses.LogCosh().name == "log_cosh"
    assert losses.MeanSquaredLogarithmicError().name == "mean_squared_logarithmic_error"
    # the trainer keeps integer targets when "sparse" is in the loss's name
    assert "sparse" in losses.get("sparse_categorical_crossentropy").name


# ---- configuration ------------------------------------------------------------------------------
NON_DEFAULT = [
    losses.MeanSquaredError(reduction="sum", name="m"),
    losses.Huber(delta=0.3, reduction="none"),
    losses.CosineSimilarity(axis=0, reduction="mean_with_sample_weight"),
    losses.BinaryCrossentropy(from_logits=True, label_smoothing=0.1, axis=0, reduction="mean"),
    losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.2, axis=1, name="cce"),
    losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=255, axis=1, reduction=None),
    losses.BinaryFocalCrossentropy(apply_class_balancing=True, alpha=0.4, gamma=1.0,
                                   from_logits=True, label_smoothing=0.05, axis=0),
    losses.CategoricalFocalCrossentropy(alpha=[0.1, 0.9], gamma=3.0, label_smoothing=0.1),
    *[cls(reduction="sum") for cls in (losses.MeanAbsoluteError, losses.MeanAbsolutePercentageError,
                                       losses.MeanSquaredLogarithmicError, losses.LogCosh,
                                       losses.KLDivergence, losses.Poisson, losses.Hinge,
                                       losses.SquaredHinge, losses.CategoricalHinge)],
]


@pytest.mark.parametrize("loss", NON_DEFAULT, ids=lambda loss: type(loss).__name__)
def test_config_round_trip(loss):
    config = loss.get_config()
    assert config["reduction"] == loss.reduction and config["name"] == loss.name
    clone = type(loss).from_config(config)
    assert clone.get_config() == config
    again = losses.deserialize(losses.serialize(loss))
    assert type(again) is type(loss) and again.get_config() == config
    assert losses.get({"class_name": type(loss).__name__, "config": config}).get_config() == config
    assert json.loads(json.dumps(losses.serialize(loss))) == losses.serialize(loss)


def test_config_keys_follow_keras():
    assert losses.BinaryCrossentropy().get_config() == {
        "reduction": "sum_over_batch_size", "name": "binary_crossentropy", "from_logits": False,
        "label_smoothing": 0.0, "axis": -1}
    assert set(losses.SparseCategoricalCrossentropy().get_config()) == {
        "reduction", "name", "from_logits", "ignore_class", "axis"}
    assert losses.Huber(delta=2.0).get_config()["delta"] == 2.0


# ---- custom losses -----------------------------------------------------------------------------
def test_custom_function_gets_aligned_tensors():
    seen = {}

    def my_loss(y_true, y_pred):
        seen["shapes"] = (y_true.shape, y_pred.shape)
        return ((y_true - y_pred) ** 2).sum(axis=-1)

    loss = losses.get(my_loss)
    assert loss.name == "my_loss"
    value = loss(numpy.array([1.0, 2.0]), axon.Tensor([[1.0], [4.0]]))
    assert seen["shapes"] == ((2, 1), (2, 1))
    assert value.item() == pytest.approx(2.0)


def test_subclassing_loss():
    class Quartic(losses.Loss):
        def call(self, y_true, y_pred):
            return ((y_pred - y_true) ** 4).mean(axis=-1)

    loss = Quartic(reduction="sum")
    assert loss.name == "quartic"
    assert losses.get(loss) is loss
    assert loss([[0.0, 0.0]], axon.Tensor([[1.0, 2.0]])).item() == pytest.approx(8.5)


# ---- errors ---------------------------------------------------------------------------------------
def test_unknown_name_lists_known_names():
    with pytest.raises(ValueError, match="Unknown loss: 'hubber'") as info:
        losses.get("hubber")
    for name in ("huber", "log_cosh", "kld", "cosine_similarity", "categorical_hinge", "msle"):
        assert name in str(info.value)


@pytest.mark.parametrize("reduction", ["mean_of_squares", "avg", "Sum", 0])
def test_invalid_reduction(reduction):
    with pytest.raises(ValueError, match="reduction.*" + re.escape(f"Received: reduction={reduction!r}")):
        losses.Huber(reduction=reduction)


@pytest.mark.parametrize("smoothing", [-0.1, 1.5, "0.1", True, float("nan")])
@pytest.mark.parametrize("make", [
    lambda s: losses.BinaryCrossentropy(label_smoothing=s),
    lambda s: losses.CategoricalCrossentropy(label_smoothing=s),
    lambda s: losses.BinaryFocalCrossentropy(label_smoothing=s),
    lambda s: losses.CategoricalFocalCrossentropy(label_smoothing=s),
    lambda s: losses.binary_crossentropy([[1.0]], [[0.5]], label_smoothing=s),
    lambda s: losses.categorical_crossentropy([[1.0, 0.0]], [[0.5, 0.5]], label_smoothing=s),
], ids=["BCE", "CCE", "BFCE", "CFCE", "bce_fn", "cce_fn"])
def test_label_smoothing_outside_unit_interval(make, smoothing):
    with pytest.raises(ValueError, match=r"label_smoothing to be a float in \[0, 1\]. Received: "):
        make(smoothing)


def test_label_smoothing_at_the_bounds_is_allowed():
    assert losses.CategoricalCrossentropy(label_smoothing=1.0)([[1.0, 0.0]], [[0.9, 0.1]]).item() > 0
    assert losses.BinaryCrossentropy(label_smoothing=0)([[1.0]], [[0.9]]).item() > 0


SHAPE_CHECKED = [losses.MeanSquaredError, losses.MeanAbsoluteError, losses.MeanAbsolutePercentageError,
                 losses.MeanSquaredLogarithmicError, losses.Huber, losses.LogCosh,
                 losses.CosineSimilarity, losses.BinaryCrossentropy, losses.CategoricalCrossentropy,
                 losses.BinaryFocalCrossentropy, losses.CategoricalFocalCrossentropy,
                 losses.KLDivergence, losses.Poisson, losses.Hinge, losses.SquaredHinge,
                 losses.CategoricalHinge]


@pytest.mark.parametrize("cls", SHAPE_CHECKED, ids=lambda c: c.__name__)
@pytest.mark.parametrize(("y_shape", "p_shape"), [((4, 3), (4, 1)), ((4, 1), (4, 3)), ((4, 3), (3,)),
                                                  ((2, 4, 3), (4, 3)), ((4, 3), (5, 3))])
def test_shapes_that_would_broadcast_are_an_error(cls, y_shape, p_shape):
    y, p = numpy.full(y_shape, 0.5), numpy.full(p_shape, 0.25)
    with pytest.raises(ValueError, match=re.escape(f"y_true.shape={y_shape}, y_pred.shape={p_shape}")):
        cls()(y, axon.Tensor(p))
    with pytest.raises(ValueError, match=r"y_true.shape=.*y_pred.shape="):
        cls().fn(y, axon.Tensor(p))


@pytest.mark.filterwarnings("ignore:categorical.*more than one class:SyntaxWarning")
@pytest.mark.parametrize("cls", SHAPE_CHECKED, ids=lambda c: c.__name__)
def test_targets_of_shape_n_fit_predictions_of_shape_n_by_1(cls):
    y, p = numpy.array([1.0, 0.0, 1.0]), numpy.array([[0.8], [0.3], [0.6]])
    value = cls(reduction="none")(y, axon.Tensor(p))
    assert value.shape == (3,)
    assert numpy.allclose(value.numpy(), cls(reduction="none")(y[:, None], axon.Tensor(p)).numpy())


@pytest.mark.parametrize(("labels", "match"), [
    (numpy.array([0, 1]), r"y_true.shape=\(2,\), y_pred.shape=\(3, 4\)"),
    (numpy.zeros((3, 4)), r"y_true.shape=\(3, 4\), y_pred.shape=\(3, 4\)"),
    (numpy.array([0.5, 1.0, 2.0]), "integer class labels"),
    (numpy.array([0, 4, 1]), r"labels in \[0, 4\)"),
    (numpy.array([-1, 0, 1]), r"labels in \[0, 4\)"),
])
def test_sparse_labels_errors(labels, match):
    with pytest.raises(ValueError, match=match):
        losses.SparseCategoricalCrossentropy()(labels, axon.Tensor(numpy.full((3, 4), 0.25)))


@pytest.mark.parametrize("weight_shape", [(3,), (5, 2), (4, 3)])
def test_sample_weight_of_wrong_shape(weight_shape):
    with pytest.raises(ValueError, match=re.escape(f"sample_weight of shape {weight_shape}")):
        losses.MeanSquaredError()(numpy.zeros((4, 3)), axon.Tensor(numpy.ones((4, 3))),
                                  sample_weight=numpy.ones(weight_shape))


@pytest.mark.parametrize(("make", "match"), [
    (lambda: losses.Huber(delta=0.0), r"Received: delta=0.0"),
    (lambda: losses.Huber(delta=-1), r"Received: delta=-1"),
    (lambda: losses.huber([[1.0]], [[0.0]], delta="1"), r"Received: delta='1'"),
    (lambda: losses.BinaryFocalCrossentropy(gamma=-1.0), r"Received: gamma=-1.0"),
    (lambda: losses.BinaryFocalCrossentropy(alpha=1.5), r"Received: alpha=1.5"),
    (lambda: losses.CategoricalFocalCrossentropy(alpha=[0.5, 0.5])([[0.0, 1.0, 0.0]],
                                                                   [[0.2, 0.3, 0.5]]),
     r"one float per class \(3\)"),
    (lambda: losses.SparseCategoricalCrossentropy(ignore_class=0.5), r"Received: ignore_class=0.5"),
    (lambda: losses.CategoricalCrossentropy(axis=2)([[0.0, 1.0]], [[0.5, 0.5]]), "Received: axis=2"),
    (lambda: losses.CategoricalCrossentropy(axis=True)([[0.0, 1.0]], [[0.5, 0.5]]),
     "Received: axis=True"),
    (lambda: losses.LossFunctionWrapper(3), r"Received: fn=3"),
    (lambda: losses.get(42), "Could not interpret loss identifier: 42"),
    (lambda: losses.deserialize({"config": {}}), "class_name"),
])
def test_bad_arguments_name_themselves(make, match):
    with pytest.raises(ValueError, match=match):
        make()


@pytest.mark.parametrize("fn", [losses.categorical_crossentropy, losses.categorical_focal_crossentropy])
def test_single_class_softmax_loss_warns_as_keras(fn):
    with pytest.warns(SyntaxWarning, match=r"more than one class.*y_pred.shape=\(2, 1\)"):
        fn([[1.0], [1.0]], [[0.3], [0.9]])


def test_integer_and_list_predictions_become_floats():
    value = losses.MeanSquaredError()([[1, 2]], [[1, 4]])
    assert value.dtype == numpy.dtype(axon.config.floatx())
    assert value.item() == pytest.approx(2.0)


def test_float32_predictions_give_float32_loss_for_every_class():
    y = numpy.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    p = numpy.array([[0.2, 0.5, 0.3], [0.6, 0.3, 0.1]], dtype=numpy.float32)
    for cls in SHAPE_CHECKED:
        assert cls()(y, axon.Tensor(p)).dtype == numpy.float32, cls.__name__
    assert losses.SparseCategoricalCrossentropy()([1, 0], axon.Tensor(p)).dtype == numpy.float32


def test_reduction_none_with_n_by_1_weights_keeps_per_sample_shape():
    # Keras 3 returns shape (n, 1) here (it expands the losses to the weights' rank); axon keeps
    # the per-sample shape (n,), which is what reduction='none' promises.
    value = losses.MeanSquaredError(reduction="none")(numpy.zeros((3, 2)), axon.Tensor(numpy.ones((3, 2))),
                                                      sample_weight=numpy.array([[1.0], [2.0], [0.0]]))
    assert value.shape == (3,)
    assert value.numpy().tolist() == [1.0, 2.0, 0.0]
