"""The gradient check itself: it passes correct gradients, catches wrong ones (entry by entry and
along random directions), and rejects what it cannot check."""
from __future__ import annotations

import numpy as np
import pytest

import axon
from axon import GradcheckError, Tensor, backend
from axon.engine import Op
from axon.engine import functional as F


class _WrongSquare(Op):
    """``y = x**2`` with a deliberately wrong gradient ``dL/dx = g * x`` (should be ``2 g x``).

    Defined in the tests, outside ``axon.engine.ops``, so the registry test ignores it.
    """

    def forward(self, x):
        self.x = x
        return x * x

    def backward(self, g):
        return (g * self.x,)


class _RightSquare(Op):
    """``y = x**2``;  ``dL/dx = 2 g x``."""

    def forward(self, x):
        self.x = x
        return x * x

    def backward(self, g):
        return (2 * g * self.x,)


class _ForgetsSecondInput(Op):
    """``y = a * b`` whose backward drops the gradient of ``b`` (returns None for it)."""

    def forward(self, a, b):
        self.a, self.b = a, b
        return a * b

    def backward(self, g):
        return g * self.b, None


def test_gradcheck_returns_true_for_correct_gradient():
    assert axon.gradcheck(lambda x: _RightSquare.apply(x), np.array([1.0, -2.0, 0.5])) is True


def test_gradcheck_accepts_lists_floats_and_tensors():
    assert axon.gradcheck(lambda x: (x * x).sum(), [1.0, 2.0, 3.0])
    assert axon.gradcheck(lambda x: x * x, 1.5)
    assert axon.gradcheck(lambda x: x * x, Tensor(np.array([1.0, 2.0], dtype=np.float32)))


def test_gradcheck_catches_wrong_gradient():
    with pytest.raises(GradcheckError, match="input 0"):
        axon.gradcheck(lambda x: _WrongSquare.apply(x), np.array([1.0, -2.0, 0.5]))


def test_gradcheck_error_is_an_assertion_error():
    assert issubclass(GradcheckError, AssertionError)


def test_gradcheck_catches_missing_gradient_of_second_input():
    with pytest.raises(GradcheckError, match="input 1"):
        axon.gradcheck(lambda a, b: _ForgetsSecondInput.apply(a, b),
                       np.array([1.0, 2.0]), np.array([3.0, -1.0]))


def test_gradcheck_catches_wrong_gradient_along_random_directions():
    x = np.random.default_rng(0).uniform(0.5, 1.5, size=(20, 20))
    with pytest.raises(GradcheckError):
        axon.gradcheck(lambda x: _WrongSquare.apply(x), x, max_elements=16, directions=2)
    assert axon.gradcheck(lambda x: _RightSquare.apply(x), x, max_elements=16, directions=2)


def _counting(fn):
    calls = []

    def wrapped(*args):
        calls.append(1)
        return fn(*args)

    return wrapped, calls


def test_gradcheck_uses_random_directions_for_big_inputs():
    x = np.random.default_rng(1).standard_normal((10, 30))  # 300 > max_elements=256 by default
    fn, calls = _counting(lambda x: F.tanh(x))
    assert axon.gradcheck(fn, x, directions=3)
    assert len(calls) == 1 + 2 * 3  # one backward pass, two evaluations per direction


def test_gradcheck_checks_every_entry_of_small_inputs():
    x = np.random.default_rng(2).standard_normal((2, 3))
    fn, calls = _counting(lambda x: F.tanh(x))
    assert axon.gradcheck(fn, x)
    assert len(calls) == 1 + 2 * 6


def test_gradcheck_checks_each_input_separately():
    a, b = np.ones((2, 2)), np.ones((3,))
    fn, calls = _counting(lambda a, b: F.sum(a) * F.sum(b))
    assert axon.gradcheck(fn, a, b, max_elements=3, directions=2)
    assert len(calls) == 1 + 2 * 2 + 2 * 3  # a by directions (4 > 3 entries), b entry by entry


def test_gradcheck_is_repeatable_for_a_seed():
    x = np.random.default_rng(3).uniform(0.5, 1.5, size=(20, 20))
    messages = []
    for _ in range(2):
        with pytest.raises(GradcheckError) as info:
            axon.gradcheck(lambda x: _WrongSquare.apply(x), x, max_elements=1, seed=7)
        messages.append(str(info.value))
    assert messages[0] == messages[1]


def test_gradcheck_raises_for_no_differentiable_input():
    with pytest.raises(ValueError, match="at least one floating-point input"):
        axon.gradcheck(lambda labels: Tensor(labels * 2.0), np.array([1, 2, 3]))


def test_gradcheck_raises_when_fn_returns_no_tensor():
    with pytest.raises(TypeError, match="Tensor"):
        axon.gradcheck(lambda x: x.data * 2, np.array([1.0, 2.0]))


def test_gradcheck_runs_in_float64_and_passes_non_float_inputs_through():
    seen = {}

    def fn(x, labels, scale):
        seen.update(x=x.dtype, labels=type(labels), scale=scale, constant=Tensor([1.0]).dtype)
        return F.sparse_softmax_cross_entropy(x, labels) * scale

    labels = np.array([1, 0])
    assert axon.gradcheck(fn, np.zeros((2, 3), dtype=np.float32), labels, 3)
    assert seen == {"x": np.float64, "labels": np.ndarray, "scale": 3, "constant": np.float64}


def test_gradcheck_restores_floatx_even_on_failure():
    before = backend.floatx()
    with pytest.raises(GradcheckError):
        axon.gradcheck(lambda x: _WrongSquare.apply(x), np.array([1.0, 2.0]))
    assert backend.floatx() == before
    axon.gradcheck(lambda x: x * 2.0, np.array([1.0]))
    assert backend.floatx() == before


def test_gradcheck_rejects_non_float64_output():
    with pytest.raises(GradcheckError, match="float64"):
        axon.gradcheck(lambda x: Tensor(x.data.astype(np.float32)) * x.data.astype(np.float32),
                       np.array([1.0]))


def test_gradcheck_of_constant_output_expects_zero_gradient():
    assert axon.gradcheck(lambda x: Tensor(np.ones(2)), np.array([1.0, 2.0]))
    assert axon.gradcheck(lambda x: F.step(x), np.array([-1.0, 2.0]))


def test_gradcheck_tolerance_arguments_are_used():
    # the wrong gradient is off by a factor 2: a huge rtol lets it through
    assert axon.gradcheck(lambda x: _WrongSquare.apply(x), np.array([1.0, 2.0]), rtol=1.0)
