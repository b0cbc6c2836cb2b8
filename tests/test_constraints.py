"""Tests of axon.constraints: values against NumPy formulas written here, what the optimizer passes
(a Variable, under no_grad), lookup, config round trips, Dense integration through fit, and errors."""
from __future__ import annotations

import json

import numpy
import pytest
from numpy.testing import assert_allclose

import axon
from axon import Tensor, Variable
from axon import constraints as C
from axon.layers import Dense

EPS = 1e-7
RNG = numpy.random.default_rng(0)
W = RNG.normal(size=(4, 3)) * numpy.array([0.1, 1.0, 5.0])   # column norms on both sides of 1
W4 = RNG.normal(size=(3, 3, 2, 5))                            # a Conv2D-like kernel


def _apply(constraint, weight):
    out = constraint(Tensor(numpy.asarray(weight, dtype=numpy.float64)))
    assert isinstance(out, Tensor)
    assert out.shape == numpy.shape(weight) and out.dtype == numpy.float64
    return out.numpy()


def _norm(w, axis):
    return numpy.sqrt((w**2).sum(axis=tuple(numpy.atleast_1d(axis)), keepdims=True))


# ---- values against NumPy ---------------------------------------------------------------------
@pytest.mark.parametrize("max_value", [0.5, 1.0, 2, 100.0])
@pytest.mark.parametrize("axis", [0, 1, -1])
def test_max_norm_matches_numpy(max_value, axis):
    n = _norm(W, axis)
    expected = W * numpy.clip(n, 0, max_value) / (EPS + n)
    out = _apply(C.MaxNorm(max_value, axis=axis), W)
    assert_allclose(out, expected, rtol=1e-12)
    assert (numpy.linalg.norm(out, axis=axis) <= max_value).all()


def test_max_norm_over_several_axes():
    axes = [0, 1, 2]
    n = _norm(W4, axes)
    assert_allclose(_apply(C.MaxNorm(1.5, axis=axes), W4),
                    W4 * numpy.clip(n, 0, 1.5) / (EPS + n), rtol=1e-12)


@pytest.mark.parametrize("min_value, max_value, rate", [(0.0, 1.0, 1.0), (0.5, 2.0, 1.0),
                                                        (0.5, 2.0, 0.3), (1.0, 1.0, 0.0)])
@pytest.mark.parametrize("axis", [0, 1])
def test_min_max_norm_matches_numpy(min_value, max_value, rate, axis):
    n = _norm(W, axis)
    desired = rate * numpy.clip(n, min_value, max_value) + (1 - rate) * n
    out = _apply(C.MinMaxNorm(min_value, max_value, rate, axis), W)
    assert_allclose(out, W * desired / (EPS + n), rtol=1e-12)
    if rate == 1.0:
        norms = numpy.linalg.norm(out, axis=axis)
        assert (norms <= max_value + 1e-12).all() and (norms >= min_value * (1 - 1e-6)).all()


def test_non_neg_matches_numpy():
    out = _apply(C.NonNeg(), W)
    assert_allclose(out, numpy.maximum(W, 0.0), rtol=0)
    assert (out >= 0).all() and (out[W > 0] == W[W > 0]).all()


@pytest.mark.parametrize("axis", [0, 1, [0, 1]])
def test_unit_norm_matches_numpy(axis):
    out = _apply(C.UnitNorm(axis), W)
    assert_allclose(out, W / (EPS + _norm(W, axis)), rtol=1e-12)
    assert_allclose(_norm(out, axis), 1.0, rtol=1e-6)


def test_zero_vectors_stay_zero():
    w = numpy.zeros((3, 2))
    for constraint in (C.MaxNorm(1.0), C.MinMaxNorm(0.5, 1.0), C.UnitNorm(), C.NonNeg()):
        assert_allclose(_apply(constraint, w), 0.0, atol=0)


def test_base_constraint_is_the_identity():
    assert_allclose(_apply(C.Constraint(), W), W, rtol=0)


def test_float32_weights_keep_their_type():
    w = Variable(numpy.asarray(W, dtype=numpy.float32))
    for constraint in (C.MaxNorm(1.0), C.MinMaxNorm(), C.NonNeg(), C.UnitNorm()):
        assert constraint(w).dtype == numpy.float32


def test_accepts_arrays_and_lists():
    assert_allclose(C.UnitNorm()(numpy.array([[3.0], [4.0]])).numpy(), [[0.6], [0.8]], rtol=1e-6)
    assert_allclose(C.NonNeg()([[-1, 2]]).numpy(), [[0.0, 2.0]])   # integers become floats


def test_what_the_optimizer_does_a_variable_under_no_grad():
    variable = Variable(W.copy(), dtype="float64")
    with axon.no_grad():
        variable.assign(C.MaxNorm(0.5)(variable))
    assert_allclose(numpy.linalg.norm(variable.numpy(), axis=0), [min(v, 0.5) for v in
                                                                  numpy.linalg.norm(W, axis=0)],
                    rtol=1e-6)


def test_optimizer_apply_runs_the_constraint():
    variable = Variable(numpy.ones((2, 2)), dtype="float64", constraint=C.NonNeg())
    axon.optimizers.SGD(learning_rate=2.0).apply([numpy.ones((2, 2))], [variable])
    assert_allclose(variable.numpy(), 0.0)   # 1 - 2 * 1 = -1, projected to 0


def test_outside_no_grad_the_result_is_differentiable():
    w = Tensor(W.copy(), requires_grad=True)
    axon.engine.functional.sum(C.UnitNorm()(w)).backward()
    assert w.grad is not None and w.grad.shape == W.shape


# ---- lookup and config --------------------------------------------------------------------------
@pytest.mark.parametrize("name, cls", [("max_norm", C.MaxNorm), ("min_max_norm", C.MinMaxNorm),
                                       ("non_neg", C.NonNeg), ("unit_norm", C.UnitNorm),
                                       ("MaxNorm", C.MaxNorm), ("MinMaxNorm", C.MinMaxNorm),
                                       ("NonNeg", C.NonNeg), ("UnitNorm", C.UnitNorm)])
def test_get_by_name_uses_keras_defaults(name, cls):
    constraint = C.get(name)
    assert type(constraint) is cls
    defaults = {C.MaxNorm: {"max_value": 2.0, "axis": 0},
                C.MinMaxNorm: {"min_value": 0.0, "max_value": 1.0, "rate": 1.0, "axis": 0},
                C.NonNeg: {}, C.UnitNorm: {"axis": 0}}
    assert constraint.get_config() == defaults[cls]


def test_get_other_identifiers():
    assert C.get(None) is None
    instance = C.MaxNorm(3)
    assert C.get(instance) is instance
    assert type(C.get(C.UnitNorm)) is C.UnitNorm

    def clip_pos(w):
        return w

    assert C.get(clip_pos) is clip_pos
    assert C.get({"class_name": "MinMaxNorm", "config": {"max_value": 3.0, "rate": 0.5}}).get_config() \
        == {"min_value": 0.0, "max_value": 3.0, "rate": 0.5, "axis": 0}
    assert C.max_norm is C.MaxNorm and C.unit_norm is C.UnitNorm


@pytest.mark.parametrize("constraint", [C.MaxNorm(3, axis=[0, 1]), C.MinMaxNorm(0.2, 0.9, 0.5, 1),
                                        C.NonNeg(), C.UnitNorm(-1), C.Constraint()])
def test_serialize_round_trip_through_json(constraint):
    config = json.loads(json.dumps(C.serialize(constraint)))
    assert config["class_name"] == type(constraint).__name__
    clone = C.deserialize(config)
    assert type(clone) is type(constraint) and clone.get_config() == constraint.get_config()
    assert_allclose(_apply(clone, W4[0, 0]), _apply(constraint, W4[0, 0]), rtol=0)
    assert type(constraint).from_config(constraint.get_config()).get_config() == constraint.get_config()
    assert C.serialize(None) is None


def test_lookup_errors_are_clear():
    with pytest.raises(ValueError, match="Unknown constraint: 'max_nrom'.*max_norm"):
        C.get("max_nrom")
    with pytest.raises(ValueError, match="class_name"):
        C.get({"config": {}})
    with pytest.raises(ValueError, match="Could not interpret constraint.*Received: 3"):
        C.get(3)
    with pytest.raises(ValueError, match="Could not interpret constraint"):
        C.get(dict)   # a class that is not a Constraint
    with pytest.raises(ValueError, match="plain function"):
        C.serialize(lambda w: w)


@pytest.mark.parametrize("make, message", [
    (lambda: C.MaxNorm(-1.0), r"MaxNorm expects max_value.*Received: max_value=-1.0"),
    (lambda: C.MaxNorm("2"), r"Received: max_value='2'"),
    (lambda: C.MaxNorm(float("inf")), r"max_value"),
    (lambda: C.MaxNorm(2, axis=1.5), r"MaxNorm expects axis.*Received: axis=1.5"),
    (lambda: C.UnitNorm(axis=[]), r"UnitNorm expects axis"),
    (lambda: C.MinMaxNorm(2.0, 1.0), r"min_value <= max_value.*min_value=2.0, max_value=1.0"),
    (lambda: C.MinMaxNorm(rate=1.5), r"MinMaxNorm expects rate.*\[0.0, 1.0\].*Received: rate=1.5"),
    (lambda: C.MinMaxNorm(rate=True), r"rate"),
])
def test_bad_arguments_raise_clear_errors(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_axis_beyond_the_weight_rank_names_the_shape():
    with pytest.raises(ValueError, match=r"MaxNorm\(axis=2\).*rank 2.*\(4, 3\)"):
        C.MaxNorm(1.0, axis=2)(Tensor(W))


# ---- in a Dense layer ---------------------------------------------------------------------------
def test_dense_resolves_names_and_round_trips_config():
    layer = Dense(4, kernel_constraint="max_norm", bias_constraint=C.NonNeg())
    assert isinstance(layer.kernel_constraint, C.MaxNorm) and layer.kernel_constraint.max_value == 2.0
    config = json.loads(json.dumps(Dense(4, kernel_constraint=C.MaxNorm(3)).get_config()))
    assert config["kernel_constraint"] == {"class_name": "MaxNorm",
                                           "config": {"max_value": 3.0, "axis": 0}}
    clone = Dense.from_config(config)
    assert isinstance(clone.kernel_constraint, C.MaxNorm) and clone.kernel_constraint.max_value == 3.0
    assert clone.get_config()["kernel_constraint"] == config["kernel_constraint"]
    layer.build((None, 3))
    assert layer.kernel.constraint is layer.kernel_constraint
    assert layer.bias.constraint is layer.bias_constraint


def test_dense_rejects_bad_constraints_naming_the_argument():
    with pytest.raises(ValueError, match=r"Dense could not resolve kernel_constraint.*'maxnorm2'"):
        Dense(2, kernel_constraint="maxnorm2")
    with pytest.raises(ValueError, match=r"bias_constraint.*Received: bias_constraint=0.5"):
        Dense(2, bias_constraint=0.5)


def test_fit_with_max_norm_keeps_every_column_norm_below_the_cap():
    axon.utils.set_random_seed(0)
    x = numpy.random.default_rng(1).normal(size=(64, 6)).astype("float32")
    y = (x @ numpy.full((6, 3), 4.0)).astype("float32")   # the unconstrained fit has norms ~ 10
    model = axon.Sequential([Dense(3, input_shape=(6,), kernel_constraint=C.MaxNorm(0.5))])
    model.compile(optimizer=axon.optimizers.SGD(learning_rate=0.5), loss="mse")
    model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    kernel = model.layers[0].kernel.numpy()
    norms = numpy.linalg.norm(kernel, axis=0)
    assert numpy.isfinite(kernel).all()
    assert (norms <= 0.5 + 1e-6).all()
    assert (norms > 0.45).all()   # the large steps push every column to the cap


def test_fit_without_the_constraint_goes_past_the_cap():
    """The control for the test above: the same training, unconstrained, exceeds norm 0.5."""
    axon.utils.set_random_seed(0)
    x = numpy.random.default_rng(1).normal(size=(64, 6)).astype("float32")
    y = (x @ numpy.full((6, 3), 4.0)).astype("float32")
    model = axon.Sequential([Dense(3, input_shape=(6,))])
    model.compile(optimizer=axon.optimizers.SGD(learning_rate=0.05), loss="mse")
    model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    assert (numpy.linalg.norm(model.layers[0].kernel.numpy(), axis=0) > 0.5).all()
