"""Every loss against its independent float64 NumPy reference (loss_references), over 5 random
cases, for each reduction, with and without sample weights, through the class, the function,
and the string name."""
from __future__ import annotations

import loss_references as ref
import numpy
import pytest
from numpy.testing import assert_allclose

import axon
from axon import losses

REDUCTIONS = ["sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none", None]
SEEDS = range(5)


def _mape_data(rng, shape):
    y, p = ref.regression(rng, shape)
    y.flat[0] = 0.0  # a zero target exercises max(|y|, eps)
    return y, p


def _msle_data(rng, shape):
    y, p = ref.positive(rng, shape), ref.positive(rng, shape)
    y.flat[0], p.flat[-1] = 0.0, -0.5  # values below eps are raised to eps
    return y, p


def _hinge_01(rng, shape):
    return ref.binary(rng, shape), rng.normal(size=shape)


def _hinge_pm(rng, shape):
    return 2 * ref.binary(rng, shape) - 1, rng.normal(size=shape)


def _labels(rng, shape):
    return rng.integers(0, shape[-1], size=shape[:-1]), ref.distribution(rng, shape) * 2.0


def _labels_logits(rng, shape):
    return rng.integers(0, shape[-1], size=shape[:-1]), rng.normal(scale=2.0, size=shape)


def _void_labels(rng, shape):
    k = rng.integers(-1, shape[-1], size=shape[:-1])
    k.flat[0] = 0
    return k, rng.normal(scale=2.0, size=shape)


def _binary_probs(rng, shape):
    return ref.binary(rng, shape), ref.probabilities(rng, shape)


def _binary_logits(rng, shape):
    return ref.binary(rng, shape), rng.normal(scale=2.0, size=shape)


def _onehot_unnormalised(rng, shape):
    return ref.one_hot(rng, shape), rng.uniform(0.1, 2.0, size=shape)


def _soft_logits(rng, shape):
    return ref.distribution(rng, shape), rng.normal(scale=2.0, size=shape)


def _dist_dist(rng, shape):
    return ref.distribution(rng, shape), ref.distribution(rng, shape)


def _poisson(rng, shape):
    return rng.poisson(2.0, size=shape).astype(float), ref.positive(rng, shape)


# (id, class, kwargs, function, reference, data(rng, shape), shapes)
SHAPES = [(4, 3), (6, 5), (3, 2, 4)]
SPECS = [
    ("mse", losses.MeanSquaredError, {}, losses.mean_squared_error, ref.mse, ref.regression),
    ("mae", losses.MeanAbsoluteError, {}, losses.mean_absolute_error, ref.mae, ref.regression),
    ("mape", losses.MeanAbsolutePercentageError, {}, losses.mean_absolute_percentage_error,
     ref.mape, _mape_data),
    ("msle", losses.MeanSquaredLogarithmicError, {}, losses.mean_squared_logarithmic_error,
     ref.msle, _msle_data),
    ("huber", losses.Huber, {}, losses.huber, ref.huber, ref.regression),
    ("huber_delta", losses.Huber, {"delta": 0.4}, losses.huber, ref.huber, ref.regression),
    ("log_cosh", losses.LogCosh, {}, losses.log_cosh, ref.log_cosh, ref.regression),
    ("cosine", losses.CosineSimilarity, {}, losses.cosine_similarity, ref.cosine_similarity,
     ref.regression),
    ("cosine_axis0", losses.CosineSimilarity, {"axis": 0}, losses.cosine_similarity,
     ref.cosine_similarity, ref.regression),
    ("hinge_01", losses.Hinge, {}, losses.hinge, ref.hinge, _hinge_01),
    ("hinge_pm1", losses.Hinge, {}, losses.hinge, ref.hinge, _hinge_pm),
    ("squared_hinge", losses.SquaredHinge, {}, losses.squared_hinge, ref.squared_hinge, _hinge_01),
    ("categorical_hinge", losses.CategoricalHinge, {}, losses.categorical_hinge,
     ref.categorical_hinge, lambda rng, s: (ref.one_hot(rng, s), rng.normal(size=s))),
    ("kld", losses.KLDivergence, {}, losses.kl_divergence, ref.kl_divergence, _dist_dist),
    ("poisson", losses.Poisson, {}, losses.poisson, ref.poisson, _poisson),
    ("bce", losses.BinaryCrossentropy, {}, losses.binary_crossentropy, ref.binary_crossentropy,
     _binary_probs),
    ("bce_smooth", losses.BinaryCrossentropy, {"label_smoothing": 0.2},
     losses.binary_crossentropy, ref.binary_crossentropy, _binary_probs),
    ("bce_logits_smooth", losses.BinaryCrossentropy, {"from_logits": True, "label_smoothing": 0.1},
     losses.binary_crossentropy, ref.binary_crossentropy, _binary_logits),
    ("bce_axis0", losses.BinaryCrossentropy, {"axis": 0}, losses.binary_crossentropy,
     ref.binary_crossentropy, _binary_probs),
    ("cce", losses.CategoricalCrossentropy, {}, losses.categorical_crossentropy,
     ref.categorical_crossentropy, _onehot_unnormalised),
    ("cce_smooth", losses.CategoricalCrossentropy, {"label_smoothing": 0.3},
     losses.categorical_crossentropy, ref.categorical_crossentropy, _onehot_unnormalised),
    ("cce_logits_smooth", losses.CategoricalCrossentropy, {"from_logits": True, "label_smoothing": 0.1},
     losses.categorical_crossentropy, ref.categorical_crossentropy, _soft_logits),
    ("cce_axis0_logits", losses.CategoricalCrossentropy, {"axis": 0, "from_logits": True},
     losses.categorical_crossentropy, ref.categorical_crossentropy, _soft_logits),
    ("scce", losses.SparseCategoricalCrossentropy, {}, losses.sparse_categorical_crossentropy,
     ref.sparse_categorical_crossentropy, _labels),
    ("scce_logits", losses.SparseCategoricalCrossentropy, {"from_logits": True},
     losses.sparse_categorical_crossentropy, ref.sparse_categorical_crossentropy, _labels_logits),
    ("bfce", losses.BinaryFocalCrossentropy, {}, losses.binary_focal_crossentropy,
     ref.binary_focal_crossentropy, _binary_probs),
    ("bfce_balanced_logits_smooth", losses.BinaryFocalCrossentropy,
     {"apply_class_balancing": True, "alpha": 0.4, "gamma": 1.5, "from_logits": True,
      "label_smoothing": 0.1},
     losses.binary_focal_crossentropy, ref.binary_focal_crossentropy, _binary_logits),
    ("cfce", losses.CategoricalFocalCrossentropy, {}, losses.categorical_focal_crossentropy,
     ref.categorical_focal_crossentropy, _onehot_unnormalised),
    ("cfce_logits_smooth", losses.CategoricalFocalCrossentropy,
     {"alpha": 0.5, "gamma": 3.0, "from_logits": True, "label_smoothing": 0.2},
     losses.categorical_focal_crossentropy, ref.categorical_focal_crossentropy, _soft_logits),
]


def _per_sample_shape(shape, kwargs):
    axis = kwargs.get("axis", -1) % len(shape)
    return shape[:axis] + shape[axis + 1:]


@pytest.mark.parametrize(("cls", "kwargs", "fn", "reference", "data"), [s[1:] for s in SPECS],
                         ids=[s[0] for s in SPECS])
def test_matches_numpy_reference(cls, kwargs, fn, reference, data):
    """5 random cases x 3 shapes x 6 reductions x (no weight, (n,) weight, (n, 1) weight)."""
    for seed in SEEDS:
        rng = numpy.random.default_rng(seed)
        for shape in SHAPES:
            y, p = data(rng, shape)
            expected = reference(y, p, **kwargs)
            assert expected.shape == _per_sample_shape(shape, kwargs)
            y_true = axon.Tensor(y) if y.dtype.kind == "f" else y
            assert_allclose(fn(y_true, axon.Tensor(p), **kwargs).numpy(), expected, rtol=1e-10,
                            atol=1e-12, err_msg=f"function, seed {seed}, shape {shape}")
            n = expected.shape[0]
            weights = [None, rng.uniform(0.0, 2.0, size=n)]
            weights.append(weights[1][:, None])
            for reduction in REDUCTIONS:
                loss = cls(reduction=reduction, **kwargs)
                for weight in weights:
                    flat = None if weight is None else weight.reshape(-1)
                    want = ref.reduce(expected, flat, reduction)
                    got = loss(y, axon.Tensor(p), sample_weight=weight)
                    assert got.shape == numpy.shape(want)
                    assert_allclose(got.numpy(), want, rtol=1e-10, atol=1e-12,
                                    err_msg=f"seed {seed}, shape {shape}, {reduction}, "
                                            f"weight {None if weight is None else weight.shape}")


def test_ignore_class_matches_reference_with_keras_mask_semantics():
    """Ignored positions weigh 0; means divide by the positions kept (Keras's mask)."""
    for seed in SEEDS:
        rng = numpy.random.default_rng(seed)
        for shape in SHAPES:
            k, z = _void_labels(rng, shape)
            expected = ref.sparse_categorical_crossentropy(k, z, True, ignore_class=-1)
            mask = (k != -1).astype(float)
            weight = rng.uniform(0.0, 2.0, size=shape[0])
            for reduction in REDUCTIONS:
                loss = losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=-1,
                                                            reduction=reduction)
                for w in (None, weight):
                    assert_allclose(loss(k, axon.Tensor(z), sample_weight=w).numpy(),
                                    ref.reduce(expected, w, reduction, mask=mask), rtol=1e-10,
                                    atol=1e-12, err_msg=f"seed {seed}, {shape}, {reduction}")


def test_sparse_class_axis_first():
    """``axis=1`` (channels-first) equals moving the class axis last."""
    rng = numpy.random.default_rng(0)
    z = rng.normal(size=(2, 4, 3, 5))  # (batch, classes, h, w)
    k = rng.integers(0, 4, size=(2, 3, 5))
    got = losses.sparse_categorical_crossentropy(k, axon.Tensor(z), from_logits=True, axis=1)
    moved = losses.sparse_categorical_crossentropy(k, axon.Tensor(numpy.moveaxis(z, 1, -1)),
                                                   from_logits=True)
    assert_allclose(got.numpy(), moved.numpy(), rtol=1e-12)
    assert_allclose(got.numpy(), ref.sparse_categorical_crossentropy(k, z, True, axis=1), rtol=1e-10)
    labels_with_axis = k[:, None]  # (2, 1, 3, 5): the size-1 class axis is squeezed
    assert_allclose(losses.sparse_categorical_crossentropy(labels_with_axis, axon.Tensor(z), True,
                                                           axis=1).numpy(), got.numpy())


@pytest.mark.parametrize("alpha", [[0.1, 0.2, 0.3, 0.4], 0.7])
def test_categorical_focal_alpha_per_class(alpha):
    rng = numpy.random.default_rng(3)
    y, p = _onehot_unnormalised(rng, (5, 4))
    got = losses.CategoricalFocalCrossentropy(alpha=alpha, reduction="none")(y, axon.Tensor(p))
    assert_allclose(got.numpy(), ref.categorical_focal_crossentropy(y, p, alpha=alpha), rtol=1e-10)


def test_focal_with_gamma_zero_is_plain_cross_entropy():
    rng = numpy.random.default_rng(4)
    y, p = _binary_probs(rng, (4, 3))
    assert_allclose(losses.binary_focal_crossentropy(y, p, gamma=0.0).numpy(),
                    losses.binary_crossentropy(y, p).numpy(), rtol=1e-12)
    y, p = _onehot_unnormalised(rng, (4, 3))
    assert_allclose(losses.categorical_focal_crossentropy(y, p, alpha=1.0, gamma=0.0).numpy(),
                    losses.categorical_crossentropy(y, p).numpy(), rtol=1e-12)


def test_hinge_label_conversion_follows_keras():
    p = numpy.array([[0.3, -0.2, 1.5]])
    # all targets in {0, 1}: mapped to {-1, 1}
    assert_allclose(losses.hinge([[0.0, 1.0, 1.0]], p).numpy(), losses.hinge([[-1.0, 1.0, 1.0]], p).numpy())
    # anything else is used as given (here 0 stays 0: margin 1)
    mixed = losses.hinge([[0.0, 1.0, -1.0]], p).numpy()
    assert_allclose(mixed, [numpy.mean([1.0, 1.2, 2.5])])


def test_mean_with_sample_weight_of_zero_weights_is_zero():
    loss = losses.MeanSquaredError(reduction="mean_with_sample_weight")
    value = loss([[1.0], [2.0]], axon.Tensor([[0.0], [0.0]]), sample_weight=[0.0, 0.0])
    assert value.item() == 0.0


def test_scalar_sample_weight_scales_the_loss():
    y, p = ref.regression(numpy.random.default_rng(5), (4, 3))
    plain = losses.MeanSquaredError()(y, axon.Tensor(p)).item()
    assert_allclose(losses.MeanSquaredError()(y, axon.Tensor(p), sample_weight=2.5).item(), 2.5 * plain)


def test_per_position_weights_for_sequence_losses():
    """(n, t) losses take weights of shape (n,) (broadcast) or (n, t) (one per value)."""
    rng = numpy.random.default_rng(6)
    y, p = ref.regression(rng, (3, 2, 4))
    values = ref.mse(y, p)
    per_position = rng.uniform(0, 2, size=(3, 2))
    for reduction in ("sum_over_batch_size", "mean_with_sample_weight", "none"):
        loss = losses.MeanSquaredError(reduction=reduction)
        assert_allclose(loss(y, axon.Tensor(p), sample_weight=per_position).numpy(),
                        ref.reduce(values, per_position, reduction), rtol=1e-12)


def test_one_dimensional_predictions_reduce_to_one_value_as_keras():
    """Rank-1 inputs: the per-sample mean over the last axis is already a scalar (Keras)."""
    y, p = numpy.array([1.0, 2.0, 4.0]), numpy.array([1.5, 2.0, 3.0])
    for reduction in ("sum_over_batch_size", "sum", "none"):
        assert_allclose(losses.MeanSquaredError(reduction=reduction)(y, axon.Tensor(p)).numpy(),
                        ref.mse(y, p), rtol=1e-12)
