"""Tests of axon.losses: values against NumPy references, reductions, sample weights,
the fused softmax/sigmoid path, clipping, gradients (float64 gradcheck) and name lookup."""
from __future__ import annotations

import numpy
import pytest
from numpy.testing import assert_allclose

import axon
from axon import losses
from axon.engine import functional as F

EPS = 1e-7  # axon.config.epsilon(), Keras's fuzz factor


# ---- NumPy references (float64, one value per sample) -----------------------------------------
def np_sigmoid(z):
    return 1.0 / (1.0 + numpy.exp(-z))


def np_softmax(z):
    e = numpy.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def ref_mse(y, p):
    return ((y - p) ** 2).mean(axis=-1)


def ref_mae(y, p):
    return numpy.abs(y - p).mean(axis=-1)


def ref_bce(y, p):
    p = numpy.clip(p, EPS, 1 - EPS)
    return (-(y * numpy.log(p) + (1 - y) * numpy.log(1 - p))).mean(axis=-1)


def ref_bce_logits(y, z):
    p = np_sigmoid(z)  # moderate logits only: the naive formula is exact there
    return (-(y * numpy.log(p) + (1 - y) * numpy.log(1 - p))).mean(axis=-1)


def ref_cce(y, p):
    p = numpy.clip(p / p.sum(axis=-1, keepdims=True), EPS, 1 - EPS)
    return -(y * numpy.log(p)).sum(axis=-1)


def ref_cce_logits(y, z):
    return -(y * numpy.log(np_softmax(z))).sum(axis=-1)


def ref_scce(k, p):
    p = numpy.clip(p / p.sum(axis=-1, keepdims=True), EPS, 1 - EPS)
    return -numpy.log(p[numpy.arange(len(k)), k.reshape(-1)])


def ref_scce_logits(k, z):
    return -numpy.log(np_softmax(z)[numpy.arange(len(k)), k.reshape(-1)])


# ---- data (float64, fixed) ----------------------------------------------------------------------
_rng = numpy.random.default_rng(1234)
N, C = 5, 4
REG_Y = _rng.normal(size=(N, 3))
REG_P = _rng.normal(size=(N, 3))
BIN_Y = _rng.integers(0, 2, size=(N, 3)).astype(numpy.float64)
BIN_P = _rng.uniform(0.05, 0.95, size=(N, 3))
LABELS = numpy.array([0, 3, 1, 2, 3])
ONE_HOT = numpy.eye(C)[LABELS]
PROBS = np_softmax(_rng.normal(size=(N, C)))
UNNORMALISED = _rng.uniform(0.1, 2.0, size=(N, C))  # cce renormalises rows to sum to 1
LOGITS = _rng.normal(scale=2.0, size=(N, C))
BIN_LOGITS = _rng.normal(scale=2.0, size=(N, 3))

# (identifier, y_true, y_pred, per-sample reference values)
VALUE_CASES = [
    ("mse", REG_Y, REG_P, ref_mse(REG_Y, REG_P)),
    ("mean_squared_error", REG_Y, REG_P, ref_mse(REG_Y, REG_P)),
    ("MeanSquaredError", REG_Y, REG_P, ref_mse(REG_Y, REG_P)),
    ("MSE", REG_Y, REG_P, ref_mse(REG_Y, REG_P)),
    (losses.MeanSquaredError, REG_Y, REG_P, ref_mse(REG_Y, REG_P)),
    ("mae", REG_Y, REG_P, ref_mae(REG_Y, REG_P)),
    ("mean_absolute_error", REG_Y, REG_P, ref_mae(REG_Y, REG_P)),
    ("MeanAbsoluteError", REG_Y, REG_P, ref_mae(REG_Y, REG_P)),
    (losses.MeanAbsoluteError, REG_Y, REG_P, ref_mae(REG_Y, REG_P)),
    ("binary_crossentropy", BIN_Y, BIN_P, ref_bce(BIN_Y, BIN_P)),
    ("BinaryCrossentropy", BIN_Y, BIN_P, ref_bce(BIN_Y, BIN_P)),
    (losses.BinaryCrossentropy, BIN_Y, BIN_P, ref_bce(BIN_Y, BIN_P)),
    ("categorical_crossentropy", ONE_HOT, PROBS, ref_cce(ONE_HOT, PROBS)),
    ("categorical_crossentropy", ONE_HOT, UNNORMALISED, ref_cce(ONE_HOT, UNNORMALISED)),
    ("CategoricalCrossentropy", ONE_HOT, PROBS, ref_cce(ONE_HOT, PROBS)),
    (losses.CategoricalCrossentropy, PROBS[::-1], PROBS, ref_cce(PROBS[::-1], PROBS)),  # soft targets
    ("sparse_categorical_crossentropy", LABELS, PROBS, ref_scce(LABELS, PROBS)),
    ("sparse_categorical_crossentropy", LABELS, UNNORMALISED, ref_scce(LABELS, UNNORMALISED)),
    ("SparseCategoricalCrossentropy", LABELS, PROBS, ref_scce(LABELS, PROBS)),
    (losses.SparseCategoricalCrossentropy, LABELS, PROBS, ref_scce(LABELS, PROBS)),
]


def _id(case):
    return case if isinstance(case, str) else getattr(case, "__name__", repr(case))


@pytest.mark.parametrize(("identifier", "y", "p", "expected"), VALUE_CASES,
                         ids=[f"{_id(c[0])}-{i}" for i, c in enumerate(VALUE_CASES)])
def test_loss_by_name_alias_or_class_matches_numpy(identifier, y, p, expected):
    loss = losses.get(identifier)
    assert isinstance(loss, losses.Loss)
    value = loss(y, axon.Tensor(p))
    assert value.shape == ()
    assert value.dtype == numpy.float64
    assert_allclose(value.item(), expected.mean(), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize(("fn", "y", "p", "expected"), [
    (losses.mean_squared_error, REG_Y, REG_P, ref_mse(REG_Y, REG_P)),
    (losses.mean_absolute_error, REG_Y, REG_P, ref_mae(REG_Y, REG_P)),
    (losses.binary_crossentropy, BIN_Y, BIN_P, ref_bce(BIN_Y, BIN_P)),
    (losses.categorical_crossentropy, ONE_HOT, PROBS, ref_cce(ONE_HOT, PROBS)),
    (losses.sparse_categorical_crossentropy, LABELS, PROBS, ref_scce(LABELS, PROBS)),
])
def test_per_sample_functions_match_numpy(fn, y, p, expected):
    y_true = y if fn is losses.sparse_categorical_crossentropy else axon.Tensor(y)
    values = fn(y_true, axon.Tensor(p))
    assert values.shape == (N,)
    assert_allclose(values.numpy(), expected, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize(("cls", "fn", "y", "z", "expected"), [
    (losses.BinaryCrossentropy, losses.binary_crossentropy, BIN_Y, BIN_LOGITS,
     ref_bce_logits(BIN_Y, BIN_LOGITS)),
    (losses.CategoricalCrossentropy, losses.categorical_crossentropy, ONE_HOT, LOGITS,
     ref_cce_logits(ONE_HOT, LOGITS)),
    (losses.SparseCategoricalCrossentropy, losses.sparse_categorical_crossentropy, LABELS, LOGITS,
     ref_scce_logits(LABELS, LOGITS)),
])
def test_from_logits_matches_numpy(cls, fn, y, z, expected):
    value = cls(from_logits=True)(y, axon.Tensor(z))
    assert_allclose(value.item(), expected.mean(), rtol=1e-12)
    y_true = y if fn is losses.sparse_categorical_crossentropy else axon.Tensor(y)
    assert_allclose(fn(y_true, axon.Tensor(z), from_logits=True).numpy(), expected, rtol=1e-12)


# ---- reductions and sample weights --------------------------------------------------------------
@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "sum", "none", None])
def test_reductions(reduction):
    per_sample = ref_cce(ONE_HOT, PROBS)
    value = losses.CategoricalCrossentropy(reduction=reduction)(ONE_HOT, axon.Tensor(PROBS))
    expected = {"sum_over_batch_size": per_sample.mean(), "sum": per_sample.sum(),
                "none": per_sample, None: per_sample}[reduction]
    assert value.shape == numpy.shape(expected)
    assert_allclose(value.numpy(), expected, rtol=1e-12)


def test_bad_reduction_names_argument():
    with pytest.raises(ValueError, match=r"reduction.*Received: reduction='mean_of_squares'"):
        losses.MeanSquaredError(reduction="mean_of_squares")


@pytest.mark.parametrize("weight_shape", [(N,), (N, 1)])
@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "sum", "none"])
def test_sample_weight(weight_shape, reduction):
    weight = numpy.array([1.0, 0.0, 2.0, 0.5, 3.0])
    per_sample = ref_mse(REG_Y, REG_P)
    value = losses.MeanSquaredError(reduction=reduction)(
        REG_Y, axon.Tensor(REG_P), sample_weight=weight.reshape(weight_shape))
    weighted = weight * per_sample
    # Keras's 'sum_over_batch_size' divides by the number of values, not by sum(weight).
    expected = {"sum_over_batch_size": weighted.sum() / N, "sum": weighted.sum(),
                "none": weighted}[reduction]
    assert_allclose(value.numpy(), expected, rtol=1e-12)


def test_sample_weight_on_sparse_labels_of_shape_n_by_1():
    weight = numpy.array([0.5, 1.0, 0.0, 2.0, 1.0])
    value = losses.SparseCategoricalCrossentropy()(LABELS[:, None], axon.Tensor(PROBS),
                                                  sample_weight=weight[:, None])
    assert_allclose(value.item(), (weight * ref_scce(LABELS, PROBS)).sum() / N, rtol=1e-12)


# ---- sparse labels ------------------------------------------------------------------------------
@pytest.mark.parametrize("labels", [LABELS, LABELS[:, None], LABELS.astype(numpy.float64)[:, None],
                                    list(LABELS)],
                         ids=["n", "n_by_1", "float_n_by_1", "list"])
@pytest.mark.parametrize("from_logits", [False, True])
def test_sparse_labels_shapes(labels, from_logits):
    pred = LOGITS if from_logits else PROBS
    ref = ref_scce_logits if from_logits else ref_scce
    loss = losses.SparseCategoricalCrossentropy(from_logits=from_logits, reduction="none")
    values = loss(labels, axon.Tensor(pred))
    assert values.shape == (N,)
    assert_allclose(values.numpy(), ref(LABELS, pred), rtol=1e-12)


def test_sparse_labels_as_tensor():
    values = losses.sparse_categorical_crossentropy(axon.Tensor(LABELS[:, None]), axon.Tensor(PROBS))
    assert_allclose(values.numpy(), ref_scce(LABELS, PROBS), rtol=1e-12)


# ---- the fused, stable path ---------------------------------------------------------------------
SATURATED = numpy.array([[1000.0, -1000.0, 0.0], [-1000.0, 0.0, 1000.0]], dtype=numpy.float32)
SAT_ONE_HOT = numpy.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]], dtype=numpy.float32)
SAT_BINARY = numpy.array([[0.0, 1.0, 1.0], [1.0, 1.0, 0.0]], dtype=numpy.float32)


def _loss_and_grad(loss, y, z, through=None):
    logits = axon.Tensor(z, requires_grad=True)
    value = loss(y, through(logits) if through else logits)
    value.backward()
    return value.numpy(), logits.grad


@pytest.mark.parametrize(("cls", "y", "activation"), [
    (losses.CategoricalCrossentropy, SAT_ONE_HOT, F.softmax),
    (losses.SparseCategoricalCrossentropy, numpy.array([1, 0]), F.softmax),
    (losses.BinaryCrossentropy, SAT_BINARY, F.sigmoid),
], ids=["categorical", "sparse_categorical", "binary"])
def test_fused_path_uses_logits_of_softmax_or_sigmoid(cls, y, activation):
    fused, fused_grad = _loss_and_grad(cls(), y, SATURATED, through=activation)
    direct, direct_grad = _loss_and_grad(cls(from_logits=True), y, SATURATED)
    assert fused.dtype == numpy.float32
    assert numpy.isfinite(fused) and numpy.all(numpy.isfinite(fused_grad))
    assert_allclose(fused, direct, rtol=1e-6)
    assert_allclose(fused_grad, direct_grad, rtol=1e-6, atol=1e-7)


def test_fused_categorical_values_on_saturated_logits():
    # -log_softmax picks: row 0 -> 1000 - (-1000) = 2000; row 1 -> 1000 - (-1000) = 2000.
    fused, grad = _loss_and_grad(losses.CategoricalCrossentropy(), SAT_ONE_HOT, SATURATED,
                                 through=F.softmax)
    assert_allclose(fused, 2000.0, rtol=1e-7)
    # d mean / dz = (softmax(z) - y) / n
    assert_allclose(grad, (numpy.array([[1.0, 0, 0], [0, 0, 1.0]]) - SAT_ONE_HOT) / 2, atol=1e-7)


def test_fused_binary_values_on_saturated_logits():
    # elementwise: z=1000,y=0 -> 1000; z=-1000,y=1 -> 1000; z=0 -> ln 2 whatever y is
    fused, grad = _loss_and_grad(losses.BinaryCrossentropy(), SAT_BINARY, SATURATED,
                                 through=F.sigmoid)
    expected = numpy.array([[1000, 1000, numpy.log(2)], [1000, numpy.log(2), 1000]]).mean()
    assert_allclose(fused, expected, rtol=1e-6)
    sig = numpy.array([[1.0, 0.0, 0.5], [0.0, 0.5, 1.0]])
    assert_allclose(grad, (sig - SAT_BINARY) / SAT_BINARY.size, atol=1e-7)


def test_softmax_over_another_axis_is_not_fused():
    # The loss reduces the last axis; a softmax over axis 0 is no probability row, so the loss
    # must use the probabilities it was given rather than re-softmaxing the logits on axis -1.
    z = numpy.array([[1.0, 2.0, 3.0], [0.5, -1.0, 2.0]])
    y = numpy.array([[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]])
    p = F.softmax(axon.Tensor(z, requires_grad=True), axis=0)
    value = losses.categorical_crossentropy(axon.Tensor(y), p)
    assert_allclose(value.numpy(), ref_cce(y, p.numpy()), rtol=1e-12)


def test_probability_path_without_graph_is_clipped():
    # softmax of a tensor that needs no gradient records no producer: probability path, clipped.
    p = F.softmax(axon.Tensor(numpy.array([[1000.0, -1000.0, 0.0]])))
    value = losses.categorical_crossentropy(axon.Tensor([[0.0, 1.0, 0.0]], dtype="float64"), p)
    assert_allclose(value.numpy(), [-numpy.log(EPS)], rtol=1e-12)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(("cls", "y", "p"), [
    (losses.BinaryCrossentropy, [[1.0, 0.0, 1.0, 0.0]], [[0.0, 1.0, 1.0, 0.0]]),
    (losses.CategoricalCrossentropy, [[0.0, 1.0, 0.0]], [[1.0, 0.0, 0.0]]),
    (losses.SparseCategoricalCrossentropy, [1], [[1.0, 0.0, 0.0]]),
], ids=["binary", "categorical", "sparse"])
def test_probabilities_of_zero_and_one_give_finite_loss_and_gradient(cls, y, p, dtype):
    pred = axon.Tensor(numpy.array(p, dtype=dtype), requires_grad=True)
    value = cls()(numpy.array(y), pred)
    value.backward()
    assert numpy.isfinite(value.item())
    assert numpy.all(numpy.isfinite(pred.grad))
    if dtype == "float64":
        # each wrong prediction costs -ln(eps); right ones cost -ln(1 - eps) ~ 1e-7
        wrong = {losses.BinaryCrossentropy: 0.5, losses.CategoricalCrossentropy: 1.0,
                 losses.SparseCategoricalCrossentropy: 1.0}[cls]
        right = 1.0 - wrong
        assert_allclose(value.item(), -wrong * numpy.log(EPS) - right * numpy.log1p(-EPS),
                        rtol=1e-9)


# ---- gradients (float64 finite differences) -----------------------------------------------------
GRAD_CASES = [
    ("mse", losses.MeanSquaredError(), REG_Y, REG_P, None),
    ("mae", losses.MeanAbsoluteError(), REG_Y, REG_P, None),
    ("bce", losses.BinaryCrossentropy(), BIN_Y, BIN_P, None),
    ("bce_logits", losses.BinaryCrossentropy(from_logits=True), BIN_Y, BIN_LOGITS, None),
    ("bce_through_sigmoid", losses.BinaryCrossentropy(), BIN_Y, BIN_LOGITS, F.sigmoid),
    ("cce", losses.CategoricalCrossentropy(), ONE_HOT, UNNORMALISED, None),
    ("cce_soft_targets", losses.CategoricalCrossentropy(), PROBS[::-1], PROBS, None),
    ("cce_logits", losses.CategoricalCrossentropy(from_logits=True), ONE_HOT, LOGITS, None),
    ("cce_through_softmax", losses.CategoricalCrossentropy(), ONE_HOT, LOGITS, F.softmax),
    ("scce", losses.SparseCategoricalCrossentropy(), LABELS, UNNORMALISED, None),
    ("scce_logits", losses.SparseCategoricalCrossentropy(from_logits=True), LABELS, LOGITS, None),
    ("scce_through_softmax", losses.SparseCategoricalCrossentropy(), LABELS, LOGITS, F.softmax),
    ("mse_sum", losses.MeanSquaredError(reduction="sum"), REG_Y, REG_P, None),
    ("cce_none", losses.CategoricalCrossentropy(reduction="none"), ONE_HOT, UNNORMALISED, None),
]


@pytest.mark.parametrize(("loss", "y", "p", "through"), [c[1:] for c in GRAD_CASES],
                         ids=[c[0] for c in GRAD_CASES])
def test_gradcheck(loss, y, p, through):
    assert axon.gradcheck(lambda x: loss(y, through(x) if through else x), p)


def test_gradcheck_with_sample_weight():
    weight = numpy.array([1.0, 0.0, 2.0, 0.5, 3.0])
    loss = losses.CategoricalCrossentropy(from_logits=True)
    assert axon.gradcheck(lambda z: loss(ONE_HOT, z, sample_weight=weight), LOGITS)


def test_mse_gradient_is_two_error_over_n():
    p = axon.Tensor(REG_P, requires_grad=True)
    losses.MeanSquaredError()(REG_Y, p).backward()
    assert_allclose(p.grad, 2 * (REG_P - REG_Y) / REG_P.size, rtol=1e-12)


# ---- lookup -------------------------------------------------------------------------------------
def test_get_returns_instances_unchanged():
    loss = losses.BinaryCrossentropy(from_logits=True)
    assert losses.get(loss) is loss


def test_get_names_give_the_right_class():
    assert type(losses.get("mse")) is losses.MeanSquaredError
    assert type(losses.get("mae")) is losses.MeanAbsoluteError
    assert type(losses.get("sparse_categorical_crossentropy")) is losses.SparseCategoricalCrossentropy
    assert losses.get("mse").name == "mean_squared_error"


def test_unknown_loss_name_lists_known_names():
    with pytest.raises(ValueError, match="Unknown loss: 'mean_squared_eror'") as info:
        losses.get("mean_squared_eror")
    for name in ("mse", "mae", "binary_crossentropy", "categorical_crossentropy",
                 "sparse_categorical_crossentropy"):
        assert name in str(info.value)


def test_uninterpretable_identifier():
    with pytest.raises(ValueError, match="Could not interpret loss identifier: 42"):
        losses.get(42)


def test_custom_function_loss():
    loss = losses.get(lambda y, p: ((y - p) ** 2).mean(axis=-1))
    assert isinstance(loss, losses.Loss)
    p = axon.Tensor(REG_P, requires_grad=True)
    value = loss(REG_Y, p)
    assert_allclose(value.item(), ref_mse(REG_Y, REG_P).mean(), rtol=1e-12)
    value.backward()
    assert_allclose(p.grad, 2 * (REG_P - REG_Y) / REG_P.size, rtol=1e-12)
    assert axon.gradcheck(lambda x: loss(REG_Y, x), REG_P)


def test_custom_function_loss_with_sample_weight_and_reduction():
    def squared(y, p):
        return ((y - p) ** 2).mean(axis=-1)

    loss = losses.LossFunctionWrapper(squared, reduction="sum")
    assert loss.name == "squared"
    weight = numpy.arange(N, dtype=numpy.float64)
    assert_allclose(loss(REG_Y, axon.Tensor(REG_P), sample_weight=weight).item(),
                    (weight * ref_mse(REG_Y, REG_P)).sum(), rtol=1e-12)


@pytest.mark.parametrize(("cls", "extra"), [
    (losses.BinaryCrossentropy, {"label_smoothing": 0.0, "axis": -1}),
    (losses.CategoricalCrossentropy, {"label_smoothing": 0.0, "axis": -1}),
    (losses.SparseCategoricalCrossentropy, {"ignore_class": None, "axis": -1}),
])
def test_config_round_trip(cls, extra):
    # The config carries Keras 3's full set of arguments (label_smoothing / ignore_class, axis).
    loss = cls(from_logits=True, reduction="sum", name="custom")
    config = loss.get_config()
    assert config == {"reduction": "sum", "name": "custom", "from_logits": True, **extra}
    clone = cls.from_config(config)
    assert (clone.from_logits, clone.reduction, clone.name) == (True, "sum", "custom")


@pytest.mark.parametrize("fn", [losses.categorical_crossentropy,
                                losses.sparse_categorical_crossentropy])
def test_class_axis_other_than_last(fn):
    # Keras 3 takes any class axis; axis=0 here treats the batch rows as classes.
    y = axon.Tensor(ONE_HOT.T) if fn is losses.categorical_crossentropy else LABELS[:C]
    p = PROBS[:C].T if fn is losses.sparse_categorical_crossentropy else PROBS.T
    expected = (ref_cce(ONE_HOT, PROBS) if fn is losses.categorical_crossentropy
                else ref_scce(LABELS[:C], PROBS[:C]))
    assert_allclose(fn(y, axon.Tensor(p), axis=0).numpy(), expected, rtol=1e-12)
    with pytest.raises(ValueError, match="Received: axis=2"):
        fn(y, axon.Tensor(p), axis=2)


def test_float32_predictions_give_float32_loss():
    value = losses.get("categorical_crossentropy")(ONE_HOT, axon.Tensor(PROBS.astype(numpy.float32)))
    assert value.dtype == numpy.float32
    assert_allclose(value.item(), ref_cce(ONE_HOT, PROBS).mean(), rtol=1e-6)
