"""Proving a gradient: compare backpropagation with central finite differences, in float64.

For a function ``y = f(x_1, ..., x_n)``, draw a random cotangent ``v`` shaped like ``y`` and let
``L = sum(v * y)``. Backpropagation gives ``dL/dx_k``. Central differences give the same numbers
independently of any backward code:

    dL/dx_k[j]  ~  (L(x_k + eps e_j) - L(x_k - eps e_j)) / (2 eps)          (error O(eps**2))

For inputs of up to ``max_elements`` entries every entry ``j`` is checked; for larger inputs,
``directions`` random unit directions ``d`` are checked through ``<dL/dx_k, d>``.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy

from axon import backend
from axon.engine.tensor import Tensor, no_grad


class GradcheckError(AssertionError):
    """Backpropagated and finite-difference gradients disagree."""


def gradcheck(fn: Callable[..., Tensor], *inputs: Any, eps: float = 1e-6, atol: float = 1e-6,
              rtol: float = 1e-4, max_elements: int = 256, directions: int = 4,
              seed: int = 0) -> bool:
    """Check ``fn``'s backpropagated gradients against central finite differences, in float64.

    Args:
        fn: a function of tensors returning one tensor.
        *inputs: the arguments. Floating-point arrays (or tensors) are converted to float64 and
            differentiated; anything else (integer labels, shapes) is passed through unchanged.
        eps: the finite-difference step.
        atol, rtol: the tolerance: ``|analytic - numeric| <= atol + rtol * |numeric|``.
        max_elements: inputs up to this size are checked entry by entry, larger ones along
            ``directions`` random directions.
        directions: how many random directions for large inputs.
        seed: seeds the cotangent and the directions.

    Returns:
        True when every gradient matches.

    Raises:
        GradcheckError: naming the input, the largest difference and where it is.

    Example:
        >>> import axon
        >>> axon.gradcheck(lambda x: (x * x).sum(), [1.0, 2.0, 3.0])
        True
    """
    rng = numpy.random.default_rng(seed)
    previous_floatx = backend.floatx()
    backend.set_floatx("float64")
    try:
        args = [_prepare(value) for value in inputs]
        differentiable = [i for i, a in enumerate(args) if isinstance(a, Tensor) and a.requires_grad]
        if not differentiable:
            raise ValueError("gradcheck needs at least one floating-point input to differentiate.")
        output = fn(*args)
        if not isinstance(output, Tensor):
            raise TypeError(f"gradcheck expects fn to return a Tensor. Received: {type(output)}")
        if output.dtype != numpy.float64:
            raise GradcheckError(f"fn returned dtype {output.dtype}; run the check in float64.")
        cotangent = backend.from_host(rng.standard_normal(output.shape))
        if not output.requires_grad:
            analytic = {i: backend.xp.zeros_like(args[i].data) for i in differentiable}
        else:
            (output * Tensor(cotangent)).sum().backward()
            analytic = {i: (args[i].grad if args[i].grad is not None
                            else backend.xp.zeros_like(args[i].data)) for i in differentiable}

        def objective(values: list[Any]) -> float:
            with no_grad():
                out = fn(*values)
            return float(backend.xp.sum(out.data * cotangent))

        for i in differentiable:
            _check_input(i, args, analytic[i], objective, eps, atol, rtol, max_elements,
                         directions, rng)
    finally:
        backend.set_floatx(previous_floatx)
    return True


def _prepare(value: Any) -> Any:
    data = value.data if isinstance(value, Tensor) else value
    if isinstance(data, float | list | tuple) or backend.is_array(data) or isinstance(
            data, numpy.ndarray):
        array = backend.from_host(data)
        if array.dtype.kind == "f":
            return Tensor(array.astype(numpy.float64), requires_grad=True)
        return array if not isinstance(value, Tensor) else value
    return value


def _check_input(i, args, analytic, objective, eps, atol, rtol, max_elements, directions, rng):
    base = args[i].data

    def at(x):
        values = list(args)
        values[i] = Tensor(x)
        return objective(values)

    if base.size <= max_elements:
        numeric = numpy.zeros(base.shape)
        flat = base.reshape(-1)
        for j in range(base.size):
            step = backend.xp.zeros_like(flat)
            step[j] = eps
            numeric.reshape(-1)[j] = (at((flat + step).reshape(base.shape))
                                      - at((flat - step).reshape(base.shape))) / (2 * eps)
        analytic_host = backend.to_numpy(analytic)
    else:
        numeric = numpy.zeros(directions)
        analytic_host = numpy.zeros(directions)
        for k in range(directions):
            d = rng.standard_normal(base.shape)
            d /= numpy.linalg.norm(d)
            d_dev = backend.from_host(d)
            numeric[k] = (at(base + eps * d_dev) - at(base - eps * d_dev)) / (2 * eps)
            analytic_host[k] = float(backend.xp.sum(analytic * d_dev))
    error = numpy.abs(analytic_host - numeric)
    bad = error > atol + rtol * numpy.abs(numeric)
    if numpy.any(bad):
        where = numpy.unravel_index(numpy.argmax(error), error.shape)
        raise GradcheckError(
            f"Gradient of input {i} (shape {base.shape}) disagrees with finite differences at "
            f"{len(numpy.flatnonzero(bad))} of {error.size} points; worst at {where}: "
            f"backprop={analytic_host[where]:.8g}, numeric={numeric[where]:.8g}, "
            f"|diff|={error[where]:.3g} > atol + rtol*|numeric|."
        )
