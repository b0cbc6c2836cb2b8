"""The one module that names the array library.

Everything else in axon computes through ``backend.xp`` (NumPy today; written so a CuPy backend can
follow) and asks this module for the float type, the random generator and conversions between the
user's arrays and the library's.

Example:
    >>> from axon import backend
    >>> backend.floatx()
    'float32'
"""
from __future__ import annotations

import ctypes
import importlib
import math
import os
import random as _pyrandom
import sys
from typing import Any

import numpy

xp = numpy
"""The array namespace (``numpy`` unless switched); ops call ``xp.exp`` and friends, never
``numpy`` directly."""

host = numpy
"""The host's array library, always NumPy: for code that works on host arrays by design (metric
states, data validation, file I/O), never on the device."""

ndarray = numpy.ndarray

_BACKENDS: dict[str, Any] = {"numpy": lambda: numpy,
                             "cupy": lambda: importlib.import_module("cupy")}
_current = {"name": "numpy"}


def backend() -> str:
    """The name of the array library axon computes with: ``'numpy'``, ``'cupy'`` or a registered
    name."""
    return _current["name"]


def register_backend(name: str, load: Any) -> None:
    """Make ``set_backend(name)`` available; ``load()`` returns the array namespace (a module
    with NumPy's functions and an ``ndarray`` type, such as ``cupy``)."""
    if not isinstance(name, str) or not name or not callable(load):
        raise TypeError(f"register_backend expects a name and a function returning the namespace. "
                        f"Received: name={name!r}, load={load!r}")
    _BACKENDS[name] = load


def set_backend(name: str) -> None:
    """Switch the array library of the whole of axon (also the ``AXON_BACKEND`` environment
    variable, read at import): every module computes through ``xp``, and each loaded axon
    module's ``xp`` is pointed at the new namespace. Switch before creating models: existing
    weights stay arrays of the library they were created with.

    Raises:
        ValueError: for an unknown name (the message lists the known ones).
        ImportError: when the library cannot be imported (e.g. CuPy without a GPU build).
    """
    global xp, ndarray
    if name not in _BACKENDS:
        raise ValueError(f"Unknown backend {name!r}. Known: {', '.join(sorted(_BACKENDS))} "
                         "(register others with axon.backend.register_backend).")
    namespace = _BACKENDS[name]()
    previous = xp
    for module_name, module in list(sys.modules.items()):
        if (module_name == "axon" or module_name.startswith("axon.")) and \
                getattr(module, "xp", None) is previous:
            module.xp = namespace
    xp, ndarray = namespace, namespace.ndarray
    _current["name"] = name

_FLOAT_TYPES = ("float16", "float32", "float64")
_state: dict[str, Any] = {"floatx": "float32", "epsilon": 1e-7, "rng": numpy.random.default_rng()}


def _keep_freed_memory() -> bool:
    """Ask glibc's ``malloc`` to keep freed blocks for reuse instead of handing them back to the
    operating system; returns whether it was done.

    A training step allocates and frees the same large arrays (activations, im2col matrices,
    gradients) every step. By default glibc returns such blocks to the system (``mmap`` above
    a threshold, trimming the heap's free top), and the next step faults every page back in,
    zero-filled: on a conv net step about 4,400 page faults. Raising the ``mmap`` threshold to its
    maximum (32 MB) and the trim threshold to 1 GB keeps those blocks in the heap; the peak memory
    is unchanged, but freed memory below the peak is not returned to the system while the
    process runs. Set ``AXON_KEEP_FREED_MEMORY=0`` to leave ``malloc`` as it was.
    """
    if os.environ.get("AXON_KEEP_FREED_MEMORY", "1") == "0" or not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None)
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc (e.g. musl): nothing to tune
        return False
    m_trim_threshold, m_mmap_threshold = -1, -3  # <malloc.h>
    return bool(mallopt(m_mmap_threshold, 32 * 2**20)) and bool(mallopt(m_trim_threshold, 2**30))


KEEPS_FREED_MEMORY = _keep_freed_memory()
"""Whether :func:`_keep_freed_memory` tuned ``malloc`` when the backend was imported."""


def floatx() -> str:
    """The default float type's name: ``'float32'`` unless changed by :func:`set_floatx`."""
    return _state["floatx"]


def set_floatx(value: str) -> None:
    """Set the default float type (``'float16'``, ``'float32'`` or ``'float64'``), as in Keras.

    New weights, and user data converted at the API boundary, take this type.
    """
    name = str(numpy.dtype(value)) if value in _FLOAT_TYPES else None
    if name is None:
        raise ValueError(f"set_floatx expects one of {_FLOAT_TYPES}. Received: value={value!r}")
    _state["floatx"] = name


def epsilon() -> float:
    """The fuzz factor used to keep logarithms and divisions finite (default 1e-7, as in Keras)."""
    return _state["epsilon"]


def set_epsilon(value: float) -> None:
    """Set the fuzz factor returned by :func:`epsilon`."""
    if not value > 0:
        raise ValueError(f"set_epsilon expects a positive number. Received: value={value!r}")
    _state["epsilon"] = float(value)


def rng() -> numpy.random.Generator:
    """The global random generator; :func:`seed` makes every draw from it repeatable."""
    return _state["rng"]


def seed(value: int) -> None:
    """Seed every random draw: axon's generator, NumPy's legacy global state and Python's ``random``."""
    if isinstance(value, bool) or not isinstance(value, int | numpy.integer) or value < 0:
        raise ValueError(f"The seed must be a non-negative integer. Received: seed={value!r}")
    _state["rng"] = numpy.random.default_rng(int(value))
    numpy.random.seed(int(value) % 2**32)
    _pyrandom.seed(int(value))


def make_rng(seed_value: int | None = None) -> numpy.random.Generator:
    """A generator of its own for ``seed_value``, or one drawn from the global generator if None."""
    if seed_value is None:
        return numpy.random.default_rng(rng().integers(2**63))
    return numpy.random.default_rng(int(seed_value))


_BIT_GENERATORS = ("PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64")


def generator_state(generator: numpy.random.Generator | None = None) -> dict:
    """The full state of ``generator`` (default the global one), to continue its draws later."""
    return (generator or rng()).bit_generator.state


def set_generator_state(state: Any, generator: numpy.random.Generator | None = None) -> None:
    """Put ``generator`` (default the global one) in ``state``, as :func:`generator_state` gave it.

    Raises:
        ValueError: when ``state`` is not the state of one of NumPy's bit generators.
    """
    generator = generator or rng()
    name = state.get("bit_generator") if isinstance(state, dict) else None
    if name not in _BIT_GENERATORS:
        raise ValueError(f"A random generator state names one of {', '.join(_BIT_GENERATORS)}. "
                         f"Received: bit_generator={name!r}")
    try:
        if type(generator.bit_generator).__name__ == name:
            generator.bit_generator.state = state   # in place: holders of the generator follow
        else:
            replacement = numpy.random.Generator(getattr(numpy.random, name)())
            replacement.bit_generator.state = state
            if generator is rng():
                _state["rng"] = replacement
            else:
                raise ValueError(f"the generator is a {type(generator.bit_generator).__name__}")
    except (TypeError, ValueError, KeyError, OverflowError) as error:
        raise ValueError(f"Invalid random generator state for {name}: {error}") from None


def is_array(value: Any) -> bool:
    """Whether ``value`` is an array of the backend's library."""
    return isinstance(value, xp.ndarray)


def is_float_dtype(dtype: Any) -> bool:
    """Whether ``dtype`` is a floating-point type."""
    return numpy.issubdtype(numpy.dtype(dtype), numpy.floating)


def to_numpy(value: Any) -> numpy.ndarray:
    """Move an array to the host as a NumPy array (a no-op for NumPy)."""
    if xp is not numpy and hasattr(xp, "asnumpy"):   # CuPy: copy from the device
        return xp.asnumpy(value)
    return numpy.asarray(value)


def from_host(value: Any, dtype: Any = None) -> Any:
    """Move host data (anything ``numpy.asarray`` takes) to the backend's arrays, in ``dtype``."""
    return xp.asarray(value, dtype=dtype)


def strided_view(x: Any, shape: tuple, strides: tuple) -> Any:
    """A read-only view of ``x`` with ``shape`` and byte ``strides``, without a copy (NumPy's and
    CuPy's ``as_strided``; CuPy has no read-only flag)."""
    stride_tricks = xp.lib.stride_tricks
    if hasattr(xp, "asnumpy"):   # CuPy
        return stride_tricks.as_strided(x, shape=shape, strides=strides)
    return stride_tricks.as_strided(x, shape=shape, strides=strides, writeable=False)


def sliding_window_view(x: Any, window_shape: tuple, axis: tuple) -> Any:
    """A view of every window of ``window_shape`` along ``axis`` (window axes last), no copy."""
    return xp.lib.stride_tricks.sliding_window_view(x, window_shape, axis=axis)


def _erf_scalar_loop(x):
    return numpy.vectorize(math.erf, otypes=[x.dtype])(x)


try:  # SciPy's erf is exact and fast; without SciPy fall back to the stdlib's, element by element.
    from scipy.special import erf as _erf_impl
except ImportError:  # pragma: no cover - depends on the environment
    _erf_impl = _erf_scalar_loop


def erf(x):
    """The error function ``erf(x) = 2/sqrt(pi) * integral_0^x exp(-t^2) dt``, elementwise."""
    return xp.asarray(_erf_impl(x), dtype=x.dtype)


# NOTE: one matrix product instead of NumPy's reduction: the sum over the batch (and spatial) axes
# of a channels-last array, the bias gradient and batch-norm statistics, measured on a
# (128, 28, 28, 32) float32 array on 2 cores: 3.3 ms with x.sum(axis=(0, 1, 2)), 0.6 ms as ones @ x.
_MIN_ROWS_FOR_PRODUCT = 256


def sum_leading_axes(x: Any, count: int) -> Any:
    """``y[j...] = sum_{i_1..i_count} x[i_1, ..., i_count, j...]``: the sum over the first ``count``
    axes, as ``ones @ x.reshape(rows, -1)`` for float arrays with many rows."""
    if count == 0:
        return x
    rows = math.prod(x.shape[:count])
    if rows < _MIN_ROWS_FOR_PRODUCT or x.dtype.kind != "f" or x.ndim == count:
        return x.sum(axis=tuple(range(count)))
    flat = x.reshape(rows, -1)
    return (xp.ones((1, rows), dtype=x.dtype) @ flat).reshape(x.shape[count:])


def mean_over_axes(x: Any, axes: tuple[int, ...], keepdims: bool = False) -> Any:
    """``xp.mean(x, axis=axes, keepdims=keepdims)``, through :func:`sum_leading_axes` when ``axes``
    are the leading axes (a channels-last batch's batch and spatial axes)."""
    axes = tuple(sorted(a % x.ndim for a in axes))
    if axes != tuple(range(len(axes))):
        return xp.mean(x, axis=axes, keepdims=keepdims)
    count = math.prod(x.shape[:len(axes)])
    mean = sum_leading_axes(x, len(axes)) / x.dtype.type(count) if count else xp.mean(x, axis=axes)
    if keepdims:
        mean = mean.reshape((1,) * len(axes) + x.shape[len(axes):])
    return mean


if os.environ.get("AXON_BACKEND", "numpy") != "numpy":   # chosen before anything computes
    set_backend(os.environ["AXON_BACKEND"])
