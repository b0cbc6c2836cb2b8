"""Categorical preprocessing layers for numeric data: CategoryEncoding, Discretization, Hashing
(Keras 3's layers of those names); IntegerLookup and the vocabulary engine it shares with
StringLookup are in ``axon.layers.index_lookup``.

They map values to category indices and encode those indices; they run inside models (they take
numeric arrays) but are not differentiable: their outputs are integers, or floats counted from
integers, and no gradient reaches the input. Their state (bin boundaries, vocabularies) is plain
configuration (lists of numbers), so a model holding them saves and loads as any other.

The encodings shared by every layer here (and by the text layers), for category indices ``i`` in
``[0, depth)``:

* ``"int"``: the indices themselves;
* ``"one_hot"``: ``y[..., k] = [i == k]``, one vector per index (a trailing axis of size 1 is
  replaced by the ``depth`` axis);
* ``"multi_hot"``: ``y[..., k] = [k occurs in the last axis]``, one vector per row;
* ``"count"``: ``y[..., k] = #{j : i[..., j] == k}``, one vector per row.

State is kept on the host (``backend.host``, NumPy) by design: it is built once from data and
looked up element by element.
"""
from __future__ import annotations

import numbers
from typing import Any

from axon import backend
from axon.backend import host
from axon.engine import Tensor
from axon.layers import _args
from axon.layers.base import Layer
from axon.utils.py_dataset import PyDataset

__all__ = ["CategoryEncoding", "Discretization", "Hashing"]

_COUNT_MODES = ("one_hot", "multi_hot", "count")


def check_output_mode(value: Any, allowed: tuple, owner: str) -> str:
    """``value`` if it is one of ``allowed``, else a ValueError naming the layer."""
    if value not in allowed:
        raise ValueError(f"{owner} expects output_mode to be one of {', '.join(map(repr, allowed))}. "
                         f"Received: output_mode={value!r}")
    return value


def encode_categories(indices: Any, output_mode: str, depth: int, dtype: Any) -> Any:
    """Encode host integer ``indices`` (see the module docstring); indices outside ``[0, depth)``
    (a dropped mask) contribute nothing. Returns a host array of ``dtype``."""
    indices = host.asarray(indices)
    if output_mode == "one_hot":
        if indices.ndim > 1 and indices.shape[-1] == 1:
            indices = indices[..., 0]
        rows = indices.reshape(-1, 1)
    else:
        rows = indices.reshape(1, 1) if indices.ndim == 0 else indices.reshape(-1, indices.shape[-1])
    counts = host.zeros((rows.shape[0], depth), dtype="float64")
    row_of, column = host.nonzero((rows >= 0) & (rows < depth))
    host.add.at(counts, (row_of, rows[row_of, column]), 1.0)
    if output_mode == "multi_hot":
        counts = host.minimum(counts, 1.0)
    leading = indices.shape if output_mode == "one_hot" else indices.shape[:-1]
    return counts.reshape(tuple(leading) + (depth,)).astype(dtype)


def encoded_shape(input_shape: Any, output_mode: str, depth: int) -> tuple:
    """The output shape of :func:`encode_categories` for inputs of ``input_shape``."""
    shape = tuple(input_shape)
    if output_mode == "int":
        return shape
    if output_mode == "one_hot":
        return (shape[:-1] if len(shape) > 1 and shape[-1] == 1 else shape) + (depth,)
    return shape[:-1] + (depth,)


def adapt_batches(data: Any, lists_are_batches: bool) -> Any:
    """The batches of ``data`` for ``adapt``: an array (or, unless ``lists_are_batches``, a list
    or tuple) is one batch; a PyDataset gives ``data[i]``; any other iterable yields batches. A
    batch that is a tuple ``(x, y, ...)`` contributes its ``x``."""
    if isinstance(data, Tensor):
        data = backend.to_numpy(data.data)
    if backend.is_array(data) or isinstance(data, str | bytes | numbers.Number) or (
            not lists_are_batches and isinstance(data, list | tuple)):
        yield data
        return
    batches = (data[i] for i in range(len(data))) if isinstance(data, PyDataset) else data
    try:
        iterator = iter(batches)
    except TypeError:
        raise TypeError("adapt expects an array, a list, a PyDataset or an iterable of batches. "
                        f"Received: {type(data).__name__}") from None
    for batch in iterator:
        yield batch[0] if isinstance(batch, tuple) else batch


class _Categorical(Layer):
    """The shared input handling: numeric arrays of any shape, kept exact (not cast to float)."""

    #: Whether inputs are indices (whole numbers) rather than real values.
    integer_inputs = True

    def _convert_input(self, inputs: Any) -> Tensor:
        array = inputs.data if isinstance(inputs, Tensor) else _host_array(inputs, self)
        kind = array.dtype.kind
        if kind not in "fiub":
            raise TypeError(f"Layer '{self.name}' ({type(self).__name__}) expects numeric input. "
                            f"Received: dtype={array.dtype}")
        if self.integer_inputs and kind == "f":
            if not bool(backend.xp.all(backend.xp.floor(array) == array)):
                raise TypeError(f"Layer '{self.name}' ({type(self).__name__}) expects integer "
                                f"values. Received: dtype={array.dtype} with non-integer values")
            array = array.astype("int64")
        return inputs if isinstance(inputs, Tensor) and array is inputs.data else Tensor(array)

    def _check_rank(self, shape):
        _args.single_input(self, shape)

    def check_input_shape(self, shape):
        """Any shape: each entry is mapped on its own (rows are counted along the last axis)."""
        _args.single_input(self, shape)

    def _output(self, values: Any, dtype: Any) -> Tensor:
        return Tensor(backend.from_host(values, dtype=dtype))


def _whole_numbers(values: Any, layer: Layer) -> Any:
    """``values`` as int64, if they are whole numbers (else a TypeError naming the layer)."""
    array = host.asarray(values)
    if array.dtype.kind == "f" and host.all(host.floor(array) == array):
        array = array.astype("int64")
    if array.dtype.kind not in "iub":
        raise TypeError(f"Layer '{layer.name}' ({type(layer).__name__}) expects integer indices. "
                        f"Received: dtype={array.dtype}")
    return array.astype("int64")


def _host_array(inputs: Any, layer: Layer) -> Any:
    try:
        return host.asarray(inputs)
    except ValueError as error:
        raise ValueError(f"Layer '{layer.name}' ({type(layer).__name__}) expects a rectangular "
                         f"array. Received: {error}") from None


class CategoryEncoding(_Categorical):
    """Encodes integer category indices in ``[0, num_tokens)`` as one-hot, multi-hot or count
    vectors (see :mod:`axon.layers.categorical` for the formulas).

    Unlike Keras 3 (which silently drops them), an index outside ``[0, num_tokens)`` raises a
    ValueError, as Keras 2 did: it is almost always a wrong ``num_tokens``. ``count_weights`` is
    not supported.

    Args:
        num_tokens: the number of categories (the output's last axis).
        output_mode: ``"multi_hot"`` (default), ``"one_hot"`` or ``"count"``.
        sparse: must be False (axon has no sparse arrays).

    Input shape: integers of any shape. Output shape: ``one_hot``: ``input_shape + (num_tokens,)``
    (a trailing axis of size 1 replaced); otherwise ``input_shape[:-1] + (num_tokens,)``.

    Example:
        >>> import numpy as np
        >>> from axon.layers import CategoryEncoding
        >>> CategoryEncoding(4, output_mode="count")(np.array([[0, 1, 1], [3, 3, 2]])).numpy().tolist()
        [[1.0, 2.0, 0.0, 0.0], [0.0, 0.0, 1.0, 2.0]]
    """

    def __init__(self, num_tokens: int | None = None, output_mode: str = "multi_hot",
                 sparse: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.num_tokens = _args.positive_int(num_tokens, "num_tokens", "CategoryEncoding")
        self.output_mode = check_output_mode(output_mode, _COUNT_MODES, "CategoryEncoding")
        if sparse is not False:
            raise ValueError(f"CategoryEncoding supports only dense outputs. Received: sparse={sparse!r}")
        self.sparse = False

    def call(self, inputs: Tensor, training: bool = False) -> Tensor:
        indices = backend.to_numpy(inputs.data)
        if indices.size and (indices.min() < 0 or indices.max() >= self.num_tokens):
            raise ValueError(f"Layer '{self.name}' (CategoryEncoding) expects indices in "
                             f"[0, {self.num_tokens}). Received: values from {indices.min()} to "
                             f"{indices.max()}")
        return self._output(encode_categories(indices, self.output_mode, self.num_tokens,
                                              self.dtype), self.dtype)

    def compute_output_shape(self, input_shape):
        return encoded_shape(input_shape, self.output_mode, self.num_tokens)

    def get_config(self):
        return {**super().get_config(), "num_tokens": self.num_tokens,
                "output_mode": self.output_mode, "sparse": self.sparse}


class Discretization(_Categorical):
    """Buckets real values by bin boundaries ``b_0 < b_1 < ... < b_{n-1}``: value ``x`` goes to
    bin ``i`` with ``b_{i-1} <= x < b_i`` (``b_{-1} = -inf``, ``b_n = +inf``), so there are
    ``n + 1`` bins. The bin indices are then encoded by ``output_mode``.

    :meth:`adapt` learns ``num_bins - 1`` boundaries at the quantiles ``k / num_bins`` of the
    data, with Keras's approximate quantile summary (so its boundaries match Keras's): each
    batch of ``m`` sorted values is summarized by every ``s``-th value (``s = max(m * epsilon,
    1)``) with weight ``s``; summaries are merged and, once longer than ``1 / epsilon``,
    compressed to the values at the cumulative-weight fractions ``epsilon, 2 epsilon, ..., 1``
    (linear interpolation of value against the cumulative weight fraction). The boundaries are
    the compressed summary at fractions ``1/num_bins, ..., (num_bins-1)/num_bins``, computed in
    float32 as Keras does. As in Keras, a plain list given to ``adapt`` is read as a sequence of
    batches; a NumPy array as one batch.

    Args:
        bin_boundaries: the sorted boundaries (a list of numbers), or None to ``adapt``.
        num_bins: the number of bins ``adapt`` makes (with ``bin_boundaries`` None).
        epsilon: the quantile summary's error tolerance (default 0.01).
        output_mode: ``"int"`` (default, int32 bin indices), ``"one_hot"``, ``"multi_hot"`` or
            ``"count"``.

    Input shape: any. Output shape: see :class:`CategoryEncoding` (depth ``n + 1``).

    Example:
        >>> import numpy as np
        >>> from axon.layers import Discretization
        >>> layer = Discretization(bin_boundaries=[0.0, 1.0, 2.0])
        >>> layer(np.array([[-1.5, 1.0, 3.4, 0.5]])).numpy().tolist()
        [[0, 2, 3, 1]]
    """

    integer_inputs = False

    def __init__(self, bin_boundaries: Any = None, num_bins: int | None = None,
                 epsilon: float = 0.01, output_mode: str = "int", sparse: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if (bin_boundaries is None) == (num_bins is None):
            raise ValueError("Discretization expects exactly one of bin_boundaries and num_bins. "
                             f"Received: bin_boundaries={bin_boundaries!r}, num_bins={num_bins!r}")
        if num_bins is not None:
            _args.positive_int(num_bins, "num_bins", "Discretization")
        if bin_boundaries is not None:
            bin_boundaries = _sorted_numbers(bin_boundaries)
        if isinstance(epsilon, bool) or not isinstance(epsilon, numbers.Real) or not 0 < epsilon < 1:
            raise ValueError(f"Discretization expects epsilon in (0, 1). Received: epsilon={epsilon!r}")
        if sparse is not False:
            raise ValueError(f"Discretization supports only dense outputs. Received: sparse={sparse!r}")
        self.bin_boundaries = bin_boundaries
        self.num_bins, self.epsilon, self.sparse = num_bins, float(epsilon), False
        self.output_mode = check_output_mode(output_mode, ("int",) + _COUNT_MODES, "Discretization")

    def adapt(self, data: Any) -> None:
        """Learn ``num_bins - 1`` quantile boundaries from ``data`` (an array, a list of batches,
        a PyDataset or an iterable of batches)."""
        if self.num_bins is None:
            raise ValueError(f"Layer '{self.name}' (Discretization) was given bin_boundaries; "
                             "create it with num_bins to use adapt().")
        summary = host.zeros((2, 0), dtype="float32")
        for batch in adapt_batches(data, lists_are_batches=True):
            values = host.asarray(backend.to_numpy(getattr(batch, "data", batch)), dtype="float32")
            merged = host.concatenate([_summarize(values, self.epsilon), summary], axis=1)
            summary = _compress(merged[:, host.argsort(merged[0])], self.epsilon)
        if summary.shape[1] == 0:
            raise ValueError(f"Layer '{self.name}' (Discretization) cannot adapt to empty data.")
        self.bin_boundaries = _compress(summary, 1.0 / self.num_bins)[0, :-1].tolist()

    def call(self, inputs: Tensor, training: bool = False) -> Tensor:
        if self.bin_boundaries is None:
            raise ValueError(f"Layer '{self.name}' (Discretization) has no bin boundaries: pass "
                             "bin_boundaries or call adapt() before using it.")
        bins = host.digitize(backend.to_numpy(inputs.data), host.asarray(self.bin_boundaries))
        if self.output_mode == "int":
            return self._output(bins, "int32")
        return self._output(encode_categories(bins, self.output_mode, self._depth(), self.dtype),
                            self.dtype)

    def _depth(self) -> int:
        return len(self.bin_boundaries) + 1 if self.bin_boundaries is not None else self.num_bins

    def compute_output_shape(self, input_shape):
        return encoded_shape(input_shape, self.output_mode, self._depth())

    def get_config(self):
        return {**super().get_config(), "bin_boundaries": self.bin_boundaries,
                "num_bins": self.num_bins, "epsilon": self.epsilon,
                "output_mode": self.output_mode, "sparse": self.sparse}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        boundaries = config.pop("bin_boundaries", None)
        if config.get("num_bins") is None:
            return cls(bin_boundaries=boundaries, **config)
        layer = cls(**config)   # an adapted layer: keep num_bins (so it can adapt again)
        layer.bin_boundaries = None if boundaries is None else _sorted_numbers(boundaries)
        return layer


def _sorted_numbers(values: Any) -> list:
    array = host.asarray(values, dtype="float64") if isinstance(values, list | tuple) or \
        backend.is_array(values) else None
    if array is None or array.ndim != 1 or not host.all(host.isfinite(array)) or \
            host.any(host.diff(array) < 0):
        raise ValueError("Discretization expects bin_boundaries to be a sorted list of finite "
                         f"numbers. Received: bin_boundaries={values!r}")
    return array.tolist()


def _summarize(values: Any, epsilon: float) -> Any:
    """Every ``s``-th sorted value with weight ``s``, ``s = max(m * epsilon, 1)`` (float32)."""
    ordered = host.sort(values.reshape(-1))
    step = max(ordered.size / (1.0 / epsilon), 1)   # written as Keras does, for equal rounding
    picked = ordered[int(step) - 1::int(step)]
    return host.stack([picked, host.full_like(picked, step)])


def _compress(summary: Any, epsilon: float) -> Any:
    """Resample a weighted summary at the cumulative-weight fractions epsilon, 2 epsilon, ... 1."""
    if summary.shape[1] * epsilon < 1:
        return summary
    fractions = epsilon + host.arange(0.0, 1.0, epsilon)
    cumulative = summary[1].cumsum()
    position = cumulative / cumulative[-1]
    values = host.interp(fractions, position, summary[0])
    resampled = host.interp(fractions, position, cumulative)
    weights = host.diff(resampled, prepend=0.0)
    return host.stack([values, weights]).astype("float32")


class Hashing(_Categorical):
    """Hashes integers into ``num_bins`` bins: ``bin = h(x) mod num_bins``, or, with a
    ``mask_value``, ``0`` for the mask and ``1 + h(x) mod (num_bins - 1)`` for the rest.

    ``h`` is SplitMix64's finalizer applied to the value's 64-bit two's-complement pattern
    ``z = (x XOR salt) + 0x9E3779B97F4A7C15`` (mod 2^64):
    ``z = (z XOR z >> 30) * 0xBF58476D1CE4E5B9``; ``z = (z XOR z >> 27) * 0x94D049BB133111EB``;
    ``h = z XOR z >> 31``. It is fixed and platform-independent, but not Keras's FarmHash64
    (which needs that library), so the bins differ from Keras's; retrain rather than port
    Keras weights that follow a Hashing layer. Strings are not hashed here (use
    :class:`axon.layers.StringLookup` before the model).

    Args:
        num_bins: the number of bins, mask bin included.
        mask_value: an integer that goes to bin 0 (None: no mask).
        salt: a non-negative integer mixed into the hash (None: 0).
        output_mode: ``"int"`` (default, int64 bins), ``"one_hot"``, ``"multi_hot"`` or
            ``"count"``.

    Input shape: integers of any shape. Output shape: see :class:`CategoryEncoding`.

    Example:
        >>> import numpy as np
        >>> from axon.layers import Hashing
        >>> Hashing(num_bins=3, mask_value=0)(np.array([[0, 0, 0]])).numpy().tolist()
        [[0, 0, 0]]
    """

    def __init__(self, num_bins: int, mask_value: int | None = None, salt: int | None = None,
                 output_mode: str = "int", sparse: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.num_bins = _args.positive_int(num_bins, "num_bins", "Hashing")
        if mask_value is not None and (isinstance(mask_value, bool) or not isinstance(mask_value, int)):
            raise ValueError(f"Hashing expects mask_value to be an integer or None. "
                             f"Received: mask_value={mask_value!r}")
        if mask_value is not None and num_bins < 2:
            raise ValueError("Hashing needs num_bins >= 2 with a mask_value (bin 0 is the mask's). "
                             f"Received: num_bins={num_bins}")
        if salt is not None and (isinstance(salt, bool) or not isinstance(salt, int) or salt < 0):
            raise ValueError(f"Hashing expects salt to be a non-negative integer or None. "
                             f"Received: salt={salt!r}")
        if sparse is not False:
            raise ValueError(f"Hashing supports only dense outputs. Received: sparse={sparse!r}")
        self.mask_value, self.salt, self.sparse = mask_value, salt, False
        self.output_mode = check_output_mode(output_mode, ("int",) + _COUNT_MODES, "Hashing")

    def call(self, inputs: Tensor, training: bool = False) -> Tensor:
        values = backend.to_numpy(inputs.data).astype("int64")
        hashed = splitmix64(values, self.salt or 0)
        if self.mask_value is None:
            bins = (hashed % host.uint64(self.num_bins)).astype("int64")
        else:
            bins = 1 + (hashed % host.uint64(self.num_bins - 1)).astype("int64")
            bins[values == self.mask_value] = 0
        if self.output_mode == "int":
            return self._output(bins, "int64")
        return self._output(encode_categories(bins, self.output_mode, self.num_bins, self.dtype),
                            self.dtype)

    def compute_output_shape(self, input_shape):
        return encoded_shape(input_shape, self.output_mode, self.num_bins)

    def get_config(self):
        return {**super().get_config(), "num_bins": self.num_bins, "mask_value": self.mask_value,
                "salt": self.salt, "output_mode": self.output_mode, "sparse": self.sparse}


def splitmix64(values: Any, salt: int = 0) -> Any:
    """SplitMix64's output function of each int64 in ``values`` XOR ``salt`` (uint64 results)."""
    z = host.asarray(values, dtype="int64").view("uint64") ^ host.uint64(salt)
    z = z + host.uint64(0x9E3779B97F4A7C15)   # unsigned arithmetic wraps modulo 2^64
    z = (z ^ (z >> host.uint64(30))) * host.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> host.uint64(27))) * host.uint64(0x94D049BB133111EB)
    return z ^ (z >> host.uint64(31))
