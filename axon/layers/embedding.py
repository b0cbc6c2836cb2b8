"""Embedding: integer indices -> rows of a learned matrix."""
from __future__ import annotations

import warnings
from typing import Any

from axon import backend, initializers
from axon.backend import xp
from axon.engine import Tensor
from axon.engine import functional as F
from axon.layers import _args
from axon.layers.base import Layer

__all__ = ["Embedding"]


class Embedding(Layer):
    """Turns integer indices into dense vectors: ``y[..., :] = E[x[...], :]``.

    ``E`` (the ``embeddings`` weight) has shape ``(input_dim, output_dim)``: row ``i`` is the
    vector of index ``i``. The lookup is a gather; its gradient is a scatter-add,
    ``dL/dE[i] = sum of g[p] over the positions p where x[p] == i`` (rows never looked up get 0).
    The indices are integers and get no gradient.

    Args:
        input_dim: the vocabulary size; indices must lie in ``[0, input_dim)``.
        output_dim: the size of each vector.
        embeddings_initializer: how ``E`` starts (Keras's ``'uniform'``: U(-0.05, 0.05)).
        embeddings_regularizer: a penalty on ``E`` (``layer.losses``).
        embeddings_constraint: None or a callable applied to ``E`` after each update.
        mask_zero: whether index 0 is padding; stored, and :meth:`compute_mask` gives
            ``x != 0`` (mask-consuming layers come later). With it, ``input_dim`` should be the
            vocabulary size + 1.
        input_length: accepted and ignored, with a warning, as in Keras 3.

    Input shape: ``(batch, ...)`` integers (floats holding whole numbers are accepted).
    Output shape: ``(batch, ..., output_dim)``.

    Example:
        >>> import axon, numpy as np
        >>> layer = axon.layers.Embedding(4, 2, embeddings_initializer="ones")
        >>> layer(np.array([[0, 3, 3]])).shape
        (1, 3, 2)
    """

    def __init__(self, input_dim: int, output_dim: int, embeddings_initializer: Any = "uniform",
                 embeddings_regularizer: Any = None, embeddings_constraint: Any = None,
                 mask_zero: bool = False, **kwargs: Any) -> None:
        if "input_length" in kwargs:
            kwargs.pop("input_length")
            warnings.warn("Embedding: the argument input_length is deprecated (as in Keras 3) "
                          "and ignored; remove it.", stacklevel=2)
        super().__init__(**kwargs)
        self.input_dim = _args.positive_int(input_dim, "input_dim", "Embedding")
        self.output_dim = _args.positive_int(output_dim, "output_dim", "Embedding")
        if not isinstance(mask_zero, bool):
            raise ValueError(f"Embedding expects mask_zero to be a bool. "
                             f"Received: mask_zero={mask_zero!r}")
        self.mask_zero = mask_zero
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = _args.get_regularizer(embeddings_regularizer)
        self.embeddings_constraint = _args.get_constraint(
            embeddings_constraint, "embeddings_constraint", "Embedding")

    def _convert_input(self, inputs: Any) -> Tensor:
        """Keep indices as integers (the base would turn them into floats)."""
        array = inputs.data if isinstance(inputs, Tensor) else backend.xp.asarray(inputs)
        if array.dtype.kind in "iu":
            return inputs if isinstance(inputs, Tensor) else Tensor(array)
        if array.dtype.kind == "f" and bool(xp.all(xp.floor(array) == array)):
            return Tensor(array.astype(xp.int64))
        raise TypeError(f"Layer '{self.name}' (Embedding) expects integer indices. "
                        f"Received: dtype={array.dtype}"
                        + (" with non-integer values" if array.dtype.kind == "f" else ""))

    def _check_rank(self, shape):
        _args.single_input(self, shape)

    def build(self, input_shape):
        self.embeddings = self.add_weight("embeddings", (self.input_dim, self.output_dim),
                                          self.embeddings_initializer,
                                          regularizer=self.embeddings_regularizer,
                                          constraint=self.embeddings_constraint)
        super().build(input_shape)

    def call(self, inputs: Tensor, training: bool = False) -> Tensor:
        indices = inputs.data
        if indices.size:
            low, high = int(indices.min()), int(indices.max())
            if low < 0 or high >= self.input_dim:
                bad = low if low < 0 else high
                raise ValueError(f"Layer '{self.name}' (Embedding) got index {bad}, outside "
                                 f"[0, input_dim) with input_dim={self.input_dim}.")
        return F.getitem(self.embeddings, indices)

    def check_input_shape(self, shape):
        """Any shape of indices is accepted."""
        _args.single_input(self, shape)

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        """``inputs != 0`` (a boolean array) when ``mask_zero``, else None."""
        if not self.mask_zero:
            return None
        return (inputs.data if isinstance(inputs, Tensor) else xp.asarray(inputs)) != 0

    def compute_output_shape(self, input_shape):
        return tuple(input_shape) + (self.output_dim,)

    def get_config(self):
        return {**super().get_config(), "input_dim": self.input_dim, "output_dim": self.output_dim,
                "embeddings_initializer": initializers.serialize(self.embeddings_initializer),
                "embeddings_regularizer": _args.serialize_regularizer(self.embeddings_regularizer),
                "embeddings_constraint": _args.serialize_constraint(self.embeddings_constraint),
                "mask_zero": self.mask_zero}
