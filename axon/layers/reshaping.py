"""Layers that rearrange each sample's entries without arithmetic: Flatten, Reshape, Permute,
RepeatVector, Identity."""
from __future__ import annotations

import math
from typing import Any

from axon.engine import functional as F
from axon.layers import _args
from axon.layers.base import Layer

__all__ = ["Flatten", "Reshape", "Permute", "RepeatVector", "Identity"]


class Flatten(Layer):
    """Flattens each sample to one axis: ``(batch, d1, d2, ...) -> (batch, d1*d2*...)``.

    ``y[b, k] = x[b, i1, i2, ...]`` with ``k`` the row-major position of ``(i1, i2, ...)``;
    ``dL/dx = reshape(g, shape of x)``. A ``(batch,)`` input becomes ``(batch, 1)``, as in Keras.

    Input shape: ``(batch, ...)``. Output shape: ``(batch, prod(...))``.

    Example:
        >>> import axon
        >>> axon.layers.Flatten()(axon.Tensor([[[1.0, 2.0], [3.0, 4.0]]])).shape
        (1, 4)
    """

    def _check_rank(self, shape):
        _args.single_input(self, shape)

    def call(self, inputs, training=False):
        return F.reshape(inputs, (inputs.shape[0], -1))

    def _inference_function(self):
        if not self._runs_as(Flatten):
            return None
        return lambda x: x.reshape(x.shape[0], -1)

    def check_input_shape(self, shape):
        """Any shape is accepted: each sample is flattened, whatever its shape."""
        self._check_rank(shape)

    def compute_output_shape(self, input_shape):
        rest = input_shape[1:]
        return (input_shape[0], None if None in rest else math.prod(rest))


class Reshape(Layer):
    """Gives each sample the shape ``target_shape``: ``(batch, ...) -> (batch, *target_shape)``.

    The entries keep their row-major order: ``y = reshape(x, (batch,) + target_shape)`` and
    ``dL/dx = reshape(g, shape of x)``. One entry of ``target_shape`` may be -1: it is inferred
    from the sample's size. The batch axis is never reshaped.

    Args:
        target_shape: a tuple of positive ints (at most one -1), without the batch axis.

    Input shape: ``(batch, ...)`` with ``prod(...) == prod(target_shape)``.
    Output shape: ``(batch, *target_shape)``.

    Example:
        >>> import axon, numpy as np
        >>> axon.layers.Reshape((3, -1))(np.zeros((2, 6))).shape
        (2, 3, 2)
    """

    def __init__(self, target_shape: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if isinstance(target_shape, int) and not isinstance(target_shape, bool):
            target_shape = (target_shape,)
        if not isinstance(target_shape, tuple | list) or not all(
                isinstance(n, int) and not isinstance(n, bool) and (n > 0 or n == -1)
                for n in target_shape):
            raise ValueError("Reshape expects target_shape to be a tuple of positive integers "
                             f"(one may be -1). Received: target_shape={target_shape!r}")
        if list(target_shape).count(-1) > 1:
            raise ValueError("Reshape allows at most one unknown dimension (-1) in target_shape. "
                             f"Received: target_shape={tuple(target_shape)}")
        self.target_shape = tuple(target_shape)

    def _resolve(self, sample_shape: tuple) -> tuple:
        """``target_shape`` with its -1 worked out for a sample of ``sample_shape``."""
        target = self.target_shape
        known = math.prod(n for n in target if n != -1)
        if None in sample_shape:  # the size is not known yet (symbolic input)
            return tuple(None if n == -1 else n for n in target)
        size = math.prod(sample_shape)
        if -1 in target and size % known == 0:
            return tuple(size // known if n == -1 else n for n in target)
        if -1 not in target and size == known:
            return target
        raise ValueError(
            f"Layer '{self.name}' (Reshape) cannot reshape a sample of shape {tuple(sample_shape)} "
            f"({size} entries) to target_shape={target}: the total size must be unchanged"
            + (f" (and divisible by {known})." if -1 in target else "."))

    def _check_rank(self, shape):
        _args.single_input(self, shape)
        self._resolve(tuple(shape[1:]))

    def call(self, inputs, training=False):
        return F.reshape(inputs, (inputs.shape[0],) + self._resolve(inputs.shape[1:]))

    def check_input_shape(self, shape):
        """Any sample shape with the right number of entries is accepted."""
        self._check_rank(shape)

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + self._resolve(tuple(input_shape[1:]))

    def get_config(self):
        return {**super().get_config(), "target_shape": self.target_shape}


class Permute(Layer):
    """Reorders the axes of each sample: ``y[b, i_1, ..., i_r] = x[b, j_1, ..., j_r]`` with
    ``j_{dims[k]} = i_k`` (output axis ``k`` is input axis ``dims[k]``; axes counted from 1, the
    batch axis excluded, as in Keras). ``dL/dx`` is ``g`` with the inverse permutation.

    A time-step mask passes on unchanged, as in Keras (``supports_masking``).

    Args:
        dims: a permutation of ``(1, 2, ..., r)`` for samples of rank ``r``.

    Input shape: ``(batch, d_1, ..., d_r)``. Output shape: ``(batch, d_{dims[0]}, ...,
    d_{dims[r-1]})``.

    Example:
        >>> import numpy as np
        >>> from axon.layers.reshaping import Permute
        >>> Permute((2, 1))(np.zeros((4, 3, 5))).shape
        (4, 5, 3)
    """

    supports_masking = True

    def __init__(self, dims: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not isinstance(dims, tuple | list) or not dims or not all(
                isinstance(n, int) and not isinstance(n, bool) for n in dims) \
                or sorted(dims) != list(range(1, len(dims) + 1)):
            raise ValueError("Permute expects dims to be a permutation of (1, ..., rank) (1-based, "
                             f"the batch axis excluded). Received: dims={dims!r}")
        self.dims = tuple(dims)

    def _check_rank(self, shape):
        _args.single_input(self, shape)
        if len(shape) != len(self.dims) + 1:
            raise ValueError(f"Layer '{self.name}' (Permute) with dims={self.dims} expects an input "
                             f"of rank {len(self.dims) + 1} (batch axis included). "
                             f"Received: shape={tuple(shape)}")

    def check_input_shape(self, shape):
        """Any sample shape of the right rank is accepted."""
        self._check_rank(shape)

    def call(self, inputs, training=False):
        return F.transpose(inputs, (0, *self.dims))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], *(input_shape[d] for d in self.dims))

    def get_config(self):
        return {**super().get_config(), "dims": self.dims}


class RepeatVector(Layer):
    """Repeats each sample's vector ``n`` times along a new axis: ``y[b, t, f] = x[b, f]`` for
    ``t < n``; ``dL/dx[b, f] = sum_t g[b, t, f]``.

    Args:
        n: the number of repetitions (positive int).

    Input shape: ``(batch, features)``. Output shape: ``(batch, n, features)``.

    Example:
        >>> import numpy as np
        >>> from axon.layers.reshaping import RepeatVector
        >>> RepeatVector(2)(np.array([[1.0, 2.0]])).numpy().tolist()
        [[[1.0, 2.0], [1.0, 2.0]]]
    """

    def __init__(self, n: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.n = _args.positive_int(n, "n", "RepeatVector")

    def _check_rank(self, shape):
        _args.single_input(self, shape)
        if len(shape) != 2:
            raise ValueError(f"Layer '{self.name}' (RepeatVector) expects an input of rank 2, "
                             f"(batch, features). Received: shape={tuple(shape)}")

    def check_input_shape(self, shape):
        """Any feature count is accepted (no weights); the rank is checked."""
        self._check_rank(shape)

    def call(self, inputs, training=False):
        batch, features = inputs.shape
        return F.broadcast_to(F.reshape(inputs, (batch, 1, features)), (batch, self.n, features))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.n, input_shape[1])

    def get_config(self):
        return {**super().get_config(), "n": self.n}


class Identity(Layer):
    """Passes its input on unchanged: ``y = x``; ``dL/dx = g``. A mask passes on too.

    Useful as a placeholder (a layer slot that does nothing) and to name a point of a model.

    Input shape: any. Output shape: the same.

    Example:
        >>> import numpy as np
        >>> from axon.layers.reshaping import Identity
        >>> Identity()(np.array([[1.0, 2.0]])).numpy().tolist()
        [[1.0, 2.0]]
    """

    supports_masking = True

    def _check_rank(self, shape):
        _args.single_input(self, shape)

    def check_input_shape(self, shape):
        """Any shape is accepted."""
        self._check_rank(shape)

    def call(self, inputs, training=False):
        return inputs
