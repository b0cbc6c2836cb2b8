"""Tests of axon.regularizers: penalties against NumPy and Keras 3 values, float64 gradient checks,
lookup, config round trips and argument errors."""
from __future__ import annotations

import numpy
import pytest
from numpy.testing import assert_allclose

import axon
import axon.regularizers
from axon import Tensor
from axon import regularizers as R

# W = numpy.random.default_rng(0).normal(size=(4, 3)); the Keras values below come from Keras 3.15
# (JAX backend, float64): OrthogonalRegularizer(0.5, mode)(W).
W = numpy.random.default_rng(0).normal(size=(4, 3))
KERAS_ORTHOGONAL = {"rows": 0.2350060171770314, "columns": 0.34363176754154806}


def _value(regularizer, weight):
    out = regularizer(Tensor(numpy.asarray(weight, dtype=numpy.float64)))
    assert isinstance(out, Tensor)
    assert out.shape == ()
    return float(out.item())


def _orthogonal_numpy(weight, factor, mode):
    m = weight if mode == "rows" else weight.T
    unit = m / numpy.maximum(numpy.linalg.norm(m, axis=1, keepdims=True), 1e-7)
    gram = numpy.abs(unit @ unit.T)
    n = m.shape[0]
    return factor * (gram.sum() - numpy.trace(gram)) / (n * (n - 1))


# ---- values -------------------------------------------------------------------------------------
def test_l1_l2_l1l2_values_match_numpy():
    assert_allclose(_value(R.L1(0.3), W), 0.3 * numpy.abs(W).sum(), rtol=1e-12)
    assert_allclose(_value(R.L2(0.3), W), 0.3 * (W**2).sum(), rtol=1e-12)  # no 1/2, as Keras
    assert_allclose(_value(R.L1L2(l1=0.1, l2=0.2), W),
                    0.1 * numpy.abs(W).sum() + 0.2 * (W**2).sum(), rtol=1e-12)
    assert _value(R.L1L2(), W) == 0.0


def test_defaults_are_keras():
    assert R.L1().l1 == 0.01 and R.L2().l2 == 0.01
    assert (R.L1L2().l1, R.L1L2().l2) == (0.0, 0.0)
    assert R.l1_l2().get_config() == {"l1": 0.01, "l2": 0.01}
    assert R.OrthogonalRegularizer().get_config() == {"factor": 0.01, "mode": "rows"}
    assert R.L1(None).l1 == 0.01 and R.L1L2(l1=None, l2=0.5).l1 == 0.0


@pytest.mark.parametrize("mode", ["rows", "columns"])
def test_orthogonal_matches_numpy_and_keras(mode):
    value = _value(R.OrthogonalRegularizer(0.5, mode), W)
    assert_allclose(value, _orthogonal_numpy(W, 0.5, mode), rtol=1e-12)
    assert_allclose(value, KERAS_ORTHOGONAL[mode], rtol=1e-9)


def test_orthogonal_is_zero_for_orthogonal_rows_and_scale_free():
    q, _ = numpy.linalg.qr(numpy.random.default_rng(1).normal(size=(5, 5)))
    assert abs(_value(R.OrthogonalRegularizer(1.0), q)) < 1e-12
    assert abs(_value(R.OrthogonalRegularizer(1.0, "columns"), q)) < 1e-12
    scaled = W * numpy.array([[3.0], [0.1], [7.0], [1.0]])  # row lengths do not matter
    assert_allclose(_value(R.OrthogonalRegularizer(1.0), scaled),
                    _value(R.OrthogonalRegularizer(1.0), W), rtol=1e-12)


def test_orthogonal_known_cosines():
    assert_allclose(_value(R.OrthogonalRegularizer(1.0), [[1.0, 0.0], [1.0, 1.0]]), 2**-0.5)
    assert _value(R.OrthogonalRegularizer(1.0), [[0.0, 0.0, 0.0], [1.0, 2.0, 3.0]]) == 0.0  # Keras
    assert _value(R.OrthogonalRegularizer(1.0), [[1.0, 2.0, 3.0]]) == 0.0  # no pairs


def test_float32_weight_gives_float32_penalty():
    w = Tensor(W.astype(numpy.float32))
    for reg in (R.L1(), R.L2(), R.L1L2(0.1, 0.1), R.OrthogonalRegularizer()):
        assert reg(w).dtype == numpy.float32


def test_accepts_arrays_and_variables():
    assert_allclose(R.L2(1.0)(W).item(), (W**2).sum(), rtol=1e-6)
    v = axon.Variable(W, dtype="float64")
    penalty = R.L2(0.5)(v)
    penalty.backward()
    assert_allclose(v.grad, W, rtol=1e-12)  # d/dw 0.5 * sum(w^2) = w


# ---- gradients ----------------------------------------------------------------------------------
def test_gradcheck_l1_away_from_zero():
    w = numpy.random.default_rng(2).uniform(0.2, 1.0, size=(3, 4)) * numpy.array([1, -1, 1, -1])
    assert axon.gradcheck(R.L1(0.3), w)
    assert axon.gradcheck(R.L1L2(l1=0.3, l2=0.7), w)


def test_gradcheck_l2():
    assert axon.gradcheck(R.L2(0.3), W)


@pytest.mark.parametrize("mode", ["rows", "columns"])
def test_gradcheck_orthogonal(mode):
    assert axon.gradcheck(R.OrthogonalRegularizer(0.5, mode), W)


def test_analytic_gradients():
    w = Tensor(W, requires_grad=True)
    R.L1L2(l1=0.1, l2=0.2)(w).backward()
    assert_allclose(w.grad, 0.1 * numpy.sign(W) + 2 * 0.2 * W, rtol=1e-12)
    z = Tensor(numpy.zeros(3), requires_grad=True)
    R.L1(1.0)(z).backward()
    assert_allclose(z.grad, numpy.zeros(3))  # subgradient 0 at the kink


# ---- lookup and config --------------------------------------------------------------------------
@pytest.mark.parametrize(("identifier", "cls", "config"), [
    ("l1", R.L1, {"l1": 0.01}),
    ("l2", R.L2, {"l2": 0.01}),
    ("l1_l2", R.L1L2, {"l1": 0.01, "l2": 0.01}),
    ("L1L2", R.L1L2, {"l1": 0.0, "l2": 0.0}),
    ("orthogonal_regularizer", R.OrthogonalRegularizer, {"factor": 0.01, "mode": "rows"}),
    ("OrthogonalRegularizer", R.OrthogonalRegularizer, {"factor": 0.01, "mode": "rows"}),
    (R.L2, R.L2, {"l2": 0.01}),
])
def test_get_by_name_and_class(identifier, cls, config):
    reg = R.get(identifier)
    assert type(reg) is cls
    assert reg.get_config() == config


def test_get_none_instance_and_callable():
    assert R.get(None) is None
    reg = R.L1(0.5)
    assert R.get(reg) is reg

    def custom(weight):
        return 0.1 * axon.engine.functional.sum(weight)

    assert R.get(custom) is custom


@pytest.mark.parametrize("reg", [R.L1(0.25), R.L2(0.5), R.L1L2(0.1, 0.2),
                                 R.OrthogonalRegularizer(0.3, "columns")])
def test_config_round_trip(reg):
    config = R.serialize(reg)
    assert config["class_name"] == type(reg).__name__
    clone = R.get(config)
    assert type(clone) is type(reg)
    assert clone.get_config() == reg.get_config()
    assert type(reg).from_config(reg.get_config()).get_config() == reg.get_config()
    assert _value(clone, W) == _value(reg, W)
    assert R.deserialize(config).get_config() == reg.get_config()
    assert R.serialize(None) is None


def test_unknown_name_lists_known_names():
    with pytest.raises(ValueError, match="Unknown regularizer: 'l3'") as info:
        R.get("l3")
    for name in R.ALL:
        assert name in str(info.value)


@pytest.mark.parametrize("identifier", [1.5, {"config": {}}, ["l1"]])
def test_uninterpretable_identifier(identifier):
    with pytest.raises(ValueError, match="regularizer"):
        R.get(identifier)


def test_serialize_rejects_plain_function():
    with pytest.raises(ValueError, match="Regularizer instance"):
        R.serialize(lambda w: w.sum())


# ---- bad arguments ------------------------------------------------------------------------------
@pytest.mark.parametrize(("make", "message"), [
    (lambda: R.L1(-0.1), r"Received: l1=-0.1"),
    (lambda: R.L2(float("nan")), r"Received: l2=nan"),
    (lambda: R.L1L2(l2=-1), r"Received: l2=-1"),
    (lambda: R.L2("0.1"), r"Received: l2='0.1'"),
    (lambda: R.OrthogonalRegularizer(-0.5), r"Received: factor=-0.5"),
    (lambda: R.OrthogonalRegularizer(mode="diagonal"), r"Received: mode='diagonal'"),
])
def test_bad_arguments(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_orthogonal_needs_rank_two():
    with pytest.raises(ValueError, match=r"rank 2. Received: weight.shape=\(2, 3, 4\)"):
        R.OrthogonalRegularizer()(numpy.ones((2, 3, 4)))
