"""Every loss's gradient with respect to ``y_pred``: float64 finite differences (axon.gradcheck)
at points away from the kinks, and the closed forms the docstrings state."""
from __future__ import annotations

import loss_references as ref
import numpy
import pytest
from numpy.testing import assert_allclose

import axon
from axon import losses
from axon.engine import functional as F

SHAPE = (4, 3)


def _data(kind, seed):
    rng = numpy.random.default_rng(100 + seed)
    if kind == "regression":
        return ref.regression(rng, SHAPE)
    if kind == "mae":  # |p - y| >= 0.1: away from the kink at 0
        y = rng.normal(size=SHAPE)
        return y, ref.away_from(rng, y, [0.0])
    if kind == "huber":  # |p - y| away from delta = 0.6 (and 0 is smooth)
        y = rng.normal(size=SHAPE)
        return y, ref.away_from(rng, y, [0.6])
    if kind in ("mape", "mape_zero"):  # targets away from 0 (1 / |y| is steep there)
        y = rng.choice([-1.0, 1.0], size=SHAPE) * rng.uniform(0.3, 2.0, size=SHAPE)
        if kind == "mape_zero":  # a zero target: scale eps (too steep for finite differences)
            y.flat[0] = 0.0
        return y, ref.away_from(rng, y, [0.0])
    if kind == "positive":
        return ref.positive(rng, SHAPE), ref.positive(rng, SHAPE)
    if kind == "hinge_01":
        y = ref.binary(rng, SHAPE)
        return y, ref.margin_safe(rng, 2 * y - 1)
    if kind == "hinge_pm":
        y = 2 * ref.binary(rng, SHAPE) - 1
        return y, ref.margin_safe(rng, y)
    if kind == "categorical_hinge":  # distinct values (no tie in the max), margin away from 0
        y = ref.one_hot(rng, SHAPE)
        p = rng.permuted(numpy.tile(numpy.linspace(-1.2, 1.3, SHAPE[1]), (SHAPE[0], 1)), axis=1)
        return y, p + rng.uniform(0, 0.01, size=SHAPE)
    if kind == "distribution":
        return ref.distribution(rng, SHAPE), ref.distribution(rng, SHAPE)
    if kind == "binary_probs":
        return ref.binary(rng, SHAPE), ref.probabilities(rng, SHAPE)
    if kind == "binary_logits":
        return ref.binary(rng, SHAPE), rng.normal(scale=2.0, size=SHAPE)
    if kind == "onehot_probs":
        return ref.one_hot(rng, SHAPE), rng.uniform(0.1, 2.0, size=SHAPE)
    if kind == "soft_logits":
        return ref.distribution(rng, SHAPE), rng.normal(scale=2.0, size=SHAPE)
    if kind == "labels_probs":
        return rng.integers(0, SHAPE[1], size=SHAPE[0]), rng.uniform(0.1, 2.0, size=SHAPE)
    if kind == "labels_logits":
        return rng.integers(0, SHAPE[1], size=SHAPE[0]), rng.normal(scale=2.0, size=SHAPE)
    if kind == "void_labels_logits":
        return numpy.array([0, -1, 2, 1]), rng.normal(scale=2.0, size=SHAPE)
    raise AssertionError(kind)


GRAD_CASES = [
    ("mse", losses.MeanSquaredError(), "regression"),
    ("mae", losses.MeanAbsoluteError(), "mae"),
    ("mape", losses.MeanAbsolutePercentageError(), "mape"),
    ("msle", losses.MeanSquaredLogarithmicError(), "positive"),
    ("huber", losses.Huber(delta=0.6), "huber"),
    ("log_cosh", losses.LogCosh(), "regression"),
    ("cosine", losses.CosineSimilarity(), "regression"),
    ("cosine_axis0", losses.CosineSimilarity(axis=0), "regression"),
    ("hinge_01", losses.Hinge(), "hinge_01"),
    ("hinge_pm1", losses.Hinge(), "hinge_pm"),
    ("squared_hinge", losses.SquaredHinge(), "hinge_01"),
    ("categorical_hinge", losses.CategoricalHinge(), "categorical_hinge"),
    ("kld", losses.KLDivergence(), "distribution"),
    ("poisson", losses.Poisson(), "positive"),
    ("bce", losses.BinaryCrossentropy(), "binary_probs"),
    ("bce_smooth", losses.BinaryCrossentropy(label_smoothing=0.2), "binary_probs"),
    ("bce_logits", losses.BinaryCrossentropy(from_logits=True), "binary_logits"),
    ("bce_logits_smooth", losses.BinaryCrossentropy(from_logits=True, label_smoothing=0.3),
     "binary_logits"),
    ("bce_axis0", losses.BinaryCrossentropy(axis=0), "binary_probs"),
    ("cce", losses.CategoricalCrossentropy(), "onehot_probs"),
    ("cce_smooth", losses.CategoricalCrossentropy(label_smoothing=0.2), "onehot_probs"),
    ("cce_logits", losses.CategoricalCrossentropy(from_logits=True), "soft_logits"),
    ("cce_logits_smooth", losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1),
     "soft_logits"),
    ("cce_axis0_logits", losses.CategoricalCrossentropy(from_logits=True, axis=0), "soft_logits"),
    ("scce", losses.SparseCategoricalCrossentropy(), "labels_probs"),
    ("scce_logits", losses.SparseCategoricalCrossentropy(from_logits=True), "labels_logits"),
    ("scce_ignore_class", losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=-1),
     "void_labels_logits"),
    ("bfce", losses.BinaryFocalCrossentropy(), "binary_probs"),
    ("bfce_logits_smooth_balanced", losses.BinaryFocalCrossentropy(
        apply_class_balancing=True, alpha=0.3, gamma=1.5, from_logits=True, label_smoothing=0.1),
     "binary_logits"),
    ("cfce", losses.CategoricalFocalCrossentropy(), "onehot_probs"),
    ("cfce_logits_smooth", losses.CategoricalFocalCrossentropy(
        alpha=[0.2, 0.5, 0.3], gamma=1.5, from_logits=True, label_smoothing=0.2), "soft_logits"),
]
WEIGHT = numpy.array([0.5, 0.0, 2.0, 1.25])


@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "mean_with_sample_weight", "none"])
@pytest.mark.parametrize(("loss", "kind"), [c[1:] for c in GRAD_CASES], ids=[c[0] for c in GRAD_CASES])
def test_gradcheck(loss, kind, reduction):
    loss = type(loss).from_config({**loss.get_config(), "reduction": reduction})
    for seed in range(2):
        y, p = _data(kind, seed)
        weight = WEIGHT if getattr(loss, "axis", -1) == -1 else WEIGHT[:3]
        assert axon.gradcheck(lambda x, y=y: loss(y, x), p)
        assert axon.gradcheck(lambda x, y=y, w=weight: loss(y, x, sample_weight=w), p)


@pytest.mark.parametrize(("fn", "activation", "kind"), [
    (losses.binary_crossentropy, F.sigmoid, "binary_logits"),
    (losses.binary_focal_crossentropy, F.sigmoid, "binary_logits"),
    (losses.categorical_crossentropy, F.softmax, "soft_logits"),
    (losses.sparse_categorical_crossentropy, F.softmax, "labels_logits"),
], ids=["bce", "bfce", "cce", "scce"])
def test_gradcheck_through_the_fused_activation_path(fn, activation, kind):
    y, z = _data(kind, 0)
    assert axon.gradcheck(lambda x: fn(y, activation(x)), z)


# ---- the closed forms stated in the docstrings ----------------------------------------------------
def _grad(loss, y, p):
    x = axon.Tensor(p, requires_grad=True)
    loss(y, x).backward()
    return x.grad


N = SHAPE[0] * SHAPE[1]  # 'sum_over_batch_size' of a last-axis mean: d/dp = per-element / (rows n)


@pytest.mark.parametrize(("loss", "kind", "closed_form"), [
    (losses.Huber(delta=0.6), "huber", lambda y, p: numpy.clip(p - y, -0.6, 0.6) / N),
    (losses.LogCosh(), "regression", lambda y, p: numpy.tanh(p - y) / N),
    (losses.MeanAbsoluteError(), "mae", lambda y, p: numpy.sign(p - y) / N),
    (losses.Poisson(), "positive", lambda y, p: (1 - y / (p + ref.EPS)) / N),
    (losses.MeanSquaredLogarithmicError(), "positive",
     lambda y, p: 2 * (numpy.log1p(p) - numpy.log1p(y)) / (1 + p) / N),
    (losses.MeanAbsolutePercentageError(), "mape_zero",
     lambda y, p: 100 * numpy.sign(p - y) / numpy.maximum(numpy.abs(y), ref.EPS) / N),
    (losses.Hinge(), "hinge_01",
     lambda y, p: -(2 * y - 1) * ((2 * y - 1) * p < 1) / N),
    (losses.SquaredHinge(), "hinge_pm",
     lambda y, p: -2 * y * numpy.maximum(1 - y * p, 0) / N),
    (losses.BinaryCrossentropy(from_logits=True), "binary_logits",
     lambda y, z: (ref.sigmoid(z) - y) / N),
    (losses.BinaryCrossentropy(), "binary_probs", lambda y, p: (p - y) / (p * (1 - p)) / N),
    (losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.3), "soft_logits",
     lambda y, z: (numpy.exp(ref.log_softmax(z)) - (0.7 * y + 0.1)) / SHAPE[0]),
    (losses.KLDivergence(), "distribution", lambda y, p: -y / p / SHAPE[0]),
], ids=["huber", "log_cosh", "mae", "poisson", "msle", "mape", "hinge", "squared_hinge",
        "bce_logits", "bce", "cce_logits_smooth", "kld"])
def test_gradient_equals_docstring_closed_form(loss, kind, closed_form):
    y, p = _data(kind, 0)
    assert_allclose(_grad(loss, y, p), closed_form(y, p), rtol=1e-9, atol=1e-12)


def test_cosine_similarity_gradient_closed_form():
    y, p = _data("regression", 1)
    y_hat = y / numpy.linalg.norm(y, axis=-1, keepdims=True)
    norm = numpy.linalg.norm(p, axis=-1, keepdims=True)
    p_hat = p / norm
    c = (y_hat * p_hat).sum(axis=-1, keepdims=True)
    expected = -(y_hat - c * p_hat) / norm / SHAPE[0]
    assert_allclose(_grad(losses.CosineSimilarity(), y, p), expected, rtol=1e-9, atol=1e-12)


def test_categorical_hinge_gradient_closed_form():
    y, p = _data("categorical_hinge", 0)
    m = numpy.argmax((1 - y) * p, axis=-1)
    active = (((1 - y) * p).max(-1) - (y * p).sum(-1) + 1 > 0)[:, None]
    expected = (numpy.eye(SHAPE[1])[m] * (1 - y) - y) * active / SHAPE[0]
    assert_allclose(_grad(losses.CategoricalHinge(), y, p), expected, rtol=1e-12, atol=1e-14)


def test_ignored_positions_get_no_gradient():
    y, z = _data("void_labels_logits", 0)
    grad = _grad(losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=-1), y, z)
    assert numpy.all(grad[1] == 0.0)
    assert numpy.all(grad[[0, 2, 3]] != 0.0)


def test_saturated_focal_loss_through_sigmoid_is_finite():
    z = axon.Tensor(numpy.array([[60.0, -60.0, 0.0]]), requires_grad=True)
    value = losses.BinaryFocalCrossentropy()(numpy.array([[0.0, 1.0, 1.0]]), F.sigmoid(z))
    value.backward()
    assert numpy.isfinite(value.item()) and numpy.all(numpy.isfinite(z.grad))
    assert_allclose(value.item(), (60.0 + 60.0 + 0.25 * numpy.log(2)) / 3, rtol=1e-9)


def test_every_loss_class_has_a_gradcheck_case():
    """A new loss class without an entry in GRAD_CASES fails here."""
    checked = {type(case[1]) for case in GRAD_CASES}
    every = {getattr(losses, name) for name in losses.__all__
             if isinstance(getattr(losses, name), type)
             and issubclass(getattr(losses, name), losses.Loss)
             and getattr(losses, name) not in (losses.Loss, losses.LossFunctionWrapper)}
    missing = sorted(cls.__name__ for cls in every - checked)
    assert not missing, f"losses without a float64 gradient check: {missing}"
