"""Tests of axon.initializers: shapes and dtypes, the documented variances on large draws,
truncation of the normal draws, seeds, constants, fans and lookup."""
from __future__ import annotations

import math

import numpy
import pytest
from numpy.testing import assert_allclose, assert_array_equal

import axon
from axon import backend, initializers

SHAPE = (400, 300)  # fan_in 400, fan_out 300
FAN_IN, FAN_OUT = 400, 300
TRUNCATED_STD = 0.87962566103423978  # std of a unit normal truncated to [-2, 2]


@pytest.fixture
def floatx64():
    previous = axon.config.floatx()
    axon.config.set_floatx("float64")
    yield
    axon.config.set_floatx(previous)


@pytest.fixture
def restore_global_rng(monkeypatch):
    monkeypatch.setitem(backend._state, "rng", backend.rng())


# ---- shapes and dtypes --------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(initializers.ALL))
def test_shape_and_default_dtype(name):
    w = initializers.get(name)((3, 4))
    assert w.shape == (3, 4)
    assert w.dtype == numpy.float32
    assert isinstance(w, numpy.ndarray)


@pytest.mark.parametrize("name", sorted(initializers.ALL))
def test_dtype_follows_floatx_and_argument(name, floatx64):
    assert initializers.get(name)((2, 5)).dtype == numpy.float64
    assert initializers.get(name)((2, 5), dtype="float32").dtype == numpy.float32


@pytest.mark.parametrize("shape", [(), (7,), (2, 3, 4, 5)])
def test_other_ranks(shape):
    assert initializers.GlorotNormal(seed=0)(shape).shape == shape


# ---- statistics of large draws ------------------------------------------------------------------
@pytest.mark.parametrize(("cls", "limit"), [
    (initializers.GlorotUniform, math.sqrt(6 / (FAN_IN + FAN_OUT))),
    (initializers.HeUniform, math.sqrt(6 / FAN_IN)),
    (initializers.LecunUniform, math.sqrt(3 / FAN_IN)),
])
def test_uniform_variance_scaling(cls, limit):
    w = cls(seed=11)(SHAPE, dtype="float64")
    assert numpy.all(numpy.abs(w) <= limit)
    assert numpy.abs(w).max() > 0.999 * limit  # the whole interval is used
    assert_allclose(w.std(), limit / math.sqrt(3), rtol=0.01)
    assert abs(w.mean()) < 4 * limit / math.sqrt(3 * w.size)


@pytest.mark.parametrize(("cls", "std"), [
    (initializers.GlorotNormal, math.sqrt(2 / (FAN_IN + FAN_OUT))),
    (initializers.HeNormal, math.sqrt(2 / FAN_IN)),
    (initializers.LecunNormal, math.sqrt(1 / FAN_IN)),
])
def test_truncated_normal_variance_scaling(cls, std):
    w = cls(seed=12)(SHAPE, dtype="float64")
    # Keras: a normal of stddev std / 0.8796 truncated at two of *its* standard deviations,
    # so that what remains has standard deviation std.
    bound = 2 * std / TRUNCATED_STD
    assert numpy.all(numpy.abs(w) <= bound)
    assert numpy.abs(w).max() > 0.99 * bound
    assert_allclose(w.std(), std, rtol=0.01)
    assert abs(w.mean()) < 4 * std / math.sqrt(w.size)


def test_truncated_normal_in_float32_stays_inside_the_bound():
    w = initializers.GlorotNormal(seed=3)(SHAPE)
    bound = 2 * math.sqrt(2 / (FAN_IN + FAN_OUT)) / TRUNCATED_STD
    assert w.dtype == numpy.float32
    assert numpy.all(numpy.abs(w.astype(numpy.float64)) <= bound * (1 + 1e-6))


def test_conv_kernel_uses_receptive_field():
    w = initializers.HeNormal(seed=5)((3, 3, 32, 64), dtype="float64")  # fan_in = 3*3*32 = 288
    assert_allclose(w.std(), math.sqrt(2 / 288), rtol=0.02)
    u = initializers.GlorotUniform(seed=5)((3, 3, 32, 64), dtype="float64")
    limit = math.sqrt(6 / (288 + 576))
    assert numpy.all(numpy.abs(u) <= limit)
    assert_allclose(u.std(), limit / math.sqrt(3), rtol=0.02)


@pytest.mark.parametrize(("kwargs", "variance"), [
    ({"scale": 2.0, "mode": "fan_out", "distribution": "untruncated_normal"}, 2.0 / FAN_OUT),
    ({"scale": 0.5, "mode": "fan_avg", "distribution": "uniform"}, 0.5 / 350),
    ({"scale": 3.0, "mode": "fan_in", "distribution": "normal"}, 3.0 / FAN_IN),
])
def test_variance_scaling(kwargs, variance):
    w = initializers.VarianceScaling(seed=8, **kwargs)(SHAPE, dtype="float64")
    assert_allclose(w.var(), variance, rtol=0.02)


def test_untruncated_normal_goes_past_two_standard_deviations():
    w = initializers.VarianceScaling(distribution="untruncated_normal", seed=1)(SHAPE, "float64")
    assert numpy.abs(w).max() > 3.5 * math.sqrt(1 / FAN_IN)


def test_random_normal_and_uniform():
    n = initializers.RandomNormal(seed=2)(SHAPE, dtype="float64")
    assert_allclose([n.mean(), n.std()], [0.0, 0.05], atol=0.05 * 0.01)
    n2 = initializers.RandomNormal(mean=1.0, stddev=2.0, seed=2)(SHAPE, dtype="float64")
    assert_allclose([n2.mean(), n2.std()], [1.0, 2.0], atol=2.0 * 0.01)
    u = initializers.RandomUniform(seed=2)(SHAPE, dtype="float64")
    assert u.min() >= -0.05 and u.max() <= 0.05
    assert_allclose(u.std(), 0.1 / math.sqrt(12), rtol=0.01)
    u2 = initializers.RandomUniform(minval=2.0, maxval=3.0, seed=2)(SHAPE, dtype="float64")
    assert u2.min() >= 2.0 and u2.max() <= 3.0
    assert_allclose(u2.mean(), 2.5, atol=0.01)


# ---- constants ----------------------------------------------------------------------------------
def test_zeros_ones_constant():
    assert_array_equal(initializers.Zeros()((2, 3)), numpy.zeros((2, 3), dtype=numpy.float32))
    assert_array_equal(initializers.Ones()((4,)), numpy.ones(4, dtype=numpy.float32))
    c = initializers.Constant(3.5)((2, 2), dtype="float64")
    assert c.dtype == numpy.float64
    assert_array_equal(c, numpy.full((2, 2), 3.5))
    assert_array_equal(initializers.get("constant")((3,)), numpy.zeros(3))


# ---- seeds --------------------------------------------------------------------------------------
@pytest.mark.parametrize("cls", [initializers.GlorotUniform, initializers.HeNormal,
                                 initializers.RandomNormal, initializers.RandomUniform,
                                 initializers.LecunNormal])
def test_seed_reproducibility(cls):
    a = cls(seed=42)((20, 10))
    assert_array_equal(a, cls(seed=42)((20, 10)))
    assert_array_equal(a, cls(seed=42)((20, 10)))  # a seeded initializer repeats itself (Keras 3)
    assert not numpy.array_equal(a, cls(seed=43)((20, 10)))


def test_unseeded_draws_follow_the_global_seed(restore_global_rng):
    axon.utils.set_random_seed(9)
    first = [initializers.GlorotUniform()((5, 5)), initializers.HeNormal()((5, 5))]
    axon.utils.set_random_seed(9)
    second = [initializers.GlorotUniform()((5, 5)), initializers.HeNormal()((5, 5))]
    for a, b in zip(first, second):
        assert_array_equal(a, b)
    assert not numpy.array_equal(first[0], initializers.GlorotUniform()((5, 5)))


# ---- fans ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(("shape", "fans"), [
    ((), (1.0, 1.0)),
    ((5,), (5.0, 5.0)),
    ((784, 10), (784.0, 10.0)),
    ((5, 4, 8), (20.0, 40.0)),             # Conv1D kernel (width, in, out)
    ((3, 3, 16, 32), (144.0, 288.0)),      # Conv2D kernel (h, w, in, out)
    ((2, 3, 3, 4, 6), (72.0, 108.0)),      # Conv3D kernel
])
def test_compute_fans(shape, fans):
    assert initializers.compute_fans(shape) == fans


# ---- lookup -------------------------------------------------------------------------------------
@pytest.mark.parametrize(("identifier", "cls"), [
    ("glorot_uniform", initializers.GlorotUniform), ("he_normal", initializers.HeNormal),
    ("Zeros", initializers.Zeros), ("ones", initializers.Ones),
    (initializers.LecunNormal, initializers.LecunNormal),
])
def test_get_by_name_and_class(identifier, cls):
    assert type(initializers.get(identifier)) is cls


@pytest.mark.parametrize(("identifier", "cls"), [
    ("GlorotUniform", initializers.GlorotUniform), ("HeNormal", initializers.HeNormal),
    ("RandomNormal", initializers.RandomNormal), ("VarianceScaling", initializers.VarianceScaling),
])
def test_get_by_class_name_as_in_keras(identifier, cls):
    # keras.initializers.get accepts class names ('Ones', 'GlorotUniform') as well as snake_case.
    assert type(initializers.get(identifier)) is cls


def test_get_instance_and_callable_pass_through():
    init = initializers.HeUniform(seed=1)
    assert initializers.get(init) is init

    def custom(shape, dtype=None):
        return numpy.full(shape, 7.0, dtype=dtype)

    assert initializers.get(custom) is custom


def test_get_from_config_dict_and_serialize_round_trip():
    init = initializers.get({"class_name": "RandomNormal",
                             "config": {"mean": 1.0, "stddev": 0.5, "seed": 4}})
    assert type(init) is initializers.RandomNormal
    assert (init.mean, init.stddev, init.seed) == (1.0, 0.5, 4)
    clone = initializers.get(initializers.serialize(init))
    assert_array_equal(clone((3, 3)), init((3, 3)))


def test_unknown_initializer_name_lists_known_names():
    with pytest.raises(ValueError, match="Unknown initializer: 'glorot'") as info:
        initializers.get("glorot")
    for name in initializers.ALL:
        assert name in str(info.value)


def test_uninterpretable_initializer_identifier():
    with pytest.raises(ValueError, match="Could not interpret initializer identifier: 1.5"):
        initializers.get(1.5)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"scale": 0.0}, "Received: scale=0.0"),
    ({"mode": "fan_sum"}, "Received: mode='fan_sum'"),
    ({"distribution": "cauchy"}, "Received: distribution='cauchy'"),
])
def test_variance_scaling_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        initializers.VarianceScaling(**kwargs)


# ---- truncated normal ---------------------------------------------------------------------------
def test_truncated_normal_bounds_and_statistics():
    w = initializers.TruncatedNormal(mean=1.0, stddev=0.5, seed=21)(SHAPE, dtype="float64")
    assert w.min() >= 1.0 - 2 * 0.5 and w.max() <= 1.0 + 2 * 0.5
    assert w.min() < 1.0 - 0.99 * 2 * 0.5 and w.max() > 1.0 + 0.99 * 2 * 0.5  # band fully used
    assert_allclose(w.mean(), 1.0, atol=4 * 0.5 / math.sqrt(w.size))
    assert_allclose(w.std(), 0.5 * TRUNCATED_STD, rtol=0.01)  # truncation narrows the spread


def test_truncated_normal_defaults_and_config():
    init = initializers.get("truncated_normal")
    assert type(init) is initializers.TruncatedNormal
    assert init.get_config() == {"mean": 0.0, "stddev": 0.05, "seed": None}
    w = init((50, 50), dtype="float64")
    assert numpy.abs(w).max() <= 0.1


# ---- orthogonal ---------------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(6, 6), (8, 3), (3, 8), (1, 5), (5, 1)])
@pytest.mark.parametrize("gain", [1.0, 2.5])
def test_orthogonal_matrices(shape, gain):
    w = initializers.Orthogonal(gain=gain, seed=4)(shape, dtype="float64")
    assert w.shape == shape
    rows, cols = shape
    gram = w.T @ w if rows >= cols else w @ w.T
    assert_allclose(gram, gain**2 * numpy.eye(min(rows, cols)), atol=1e-12)


def test_orthogonal_conv_kernel_flattens_all_but_the_last_axis():
    w = initializers.Orthogonal(seed=5)((3, 3, 4, 16), dtype="float64")
    flat = w.reshape(-1, 16)  # (36, 16): orthonormal columns
    assert_allclose(flat.T @ flat, numpy.eye(16), atol=1e-12)


def test_orthogonal_float32_and_sign_correction_spreads_signs():
    w = initializers.get("orthogonal")((64, 64))
    assert w.dtype == numpy.float32
    assert_allclose(w.T.astype(numpy.float64) @ w, numpy.eye(64), atol=1e-5)
    # With the sign fix Q is Haar distributed: its diagonal is not biased to one sign.
    diagonals = [numpy.diag(initializers.Orthogonal(seed=s)((20, 20), "float64")) for s in range(20)]
    assert 0.35 < numpy.mean(numpy.concatenate(diagonals) > 0) < 0.65


@pytest.mark.parametrize("shape", [(), (5,)])
def test_orthogonal_needs_rank_two(shape):
    with pytest.raises(ValueError, match=r"rank >= 2. Received: shape=\(.*\) of rank"):
        initializers.Orthogonal()(shape)


# ---- identity -----------------------------------------------------------------------------------
def test_identity():
    assert_array_equal(initializers.Identity()((3, 3)), numpy.eye(3))
    assert_array_equal(initializers.Identity(gain=0.5)((2, 4), dtype="float64"),
                       0.5 * numpy.eye(2, 4))
    assert initializers.get("identity")((2, 2)).dtype == numpy.float32
    assert initializers.Identity(3.0).get_config() == {"gain": 3.0}


@pytest.mark.parametrize("shape", [(3,), (2, 2, 2)])
def test_identity_needs_two_dimensions(shape):
    with pytest.raises(ValueError, match=r"only be used for 2D matrices. Received: shape="):
        initializers.Identity()(shape)


# ---- seeds for every random initializer ---------------------------------------------------------
RANDOM_CLASSES = [initializers.RandomNormal, initializers.RandomUniform,
                  initializers.TruncatedNormal, initializers.Orthogonal,
                  initializers.VarianceScaling, initializers.GlorotNormal,
                  initializers.HeUniform, initializers.LecunUniform]


@pytest.mark.parametrize("cls", RANDOM_CLASSES)
def test_every_random_initializer_is_seeded(cls, restore_global_rng):
    a = cls(seed=7)((6, 5))
    assert_array_equal(a, cls(seed=7)((6, 5)))
    assert not numpy.array_equal(a, cls(seed=8)((6, 5)))
    axon.utils.set_random_seed(3)
    b = cls()((6, 5))
    axon.utils.set_random_seed(3)
    assert_array_equal(b, cls()((6, 5)))
    assert cls(seed=7).get_config()["seed"] == 7


# ---- Keras names, aliases and None --------------------------------------------------------------
@pytest.mark.parametrize(("identifier", "cls"), [
    ("orthogonal", initializers.Orthogonal), ("Orthogonal", initializers.Orthogonal),
    ("OrthogonalInitializer", initializers.Orthogonal), ("identity", initializers.Identity),
    ("IdentityInitializer", initializers.Identity), ("truncated_normal", initializers.TruncatedNormal),
    ("TruncatedNormal", initializers.TruncatedNormal), ("normal", initializers.RandomNormal),
    ("uniform", initializers.RandomUniform), ("one", initializers.Ones), ("zero", initializers.Zeros),
])
def test_new_names_and_keras_aliases(identifier, cls):
    assert type(initializers.get(identifier)) is cls


def test_get_none_is_none_as_in_keras():
    assert initializers.get(None) is None


@pytest.mark.parametrize("init", [initializers.Orthogonal(gain=2.0, seed=3),
                                  initializers.TruncatedNormal(mean=0.5, stddev=0.1, seed=3),
                                  initializers.Identity(gain=1.5)])
def test_new_initializers_round_trip(init):
    clone = initializers.get(initializers.serialize(init))
    assert type(clone) is type(init)
    assert clone.get_config() == init.get_config()
    assert_array_equal(clone((4, 4)), init((4, 4)))
