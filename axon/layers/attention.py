"""MultiHeadAttention (Vaswani et al., 2017), with Keras 3's weights and masking. The single-head
Attention (Luong) and AdditiveAttention (Bahdanau) layers are in ``axon.layers.dot_attention``.

Written from the functional ops (matmul, reshape, transpose, softmax, where), so its gradient is
the chain rule through them and needs no code of its own.
"""
from __future__ import annotations

import math
from typing import Any

from axon import backend, initializers
from axon.backend import xp
from axon.engine import Tensor
from axon.engine import functional as F
from axon.layers import _args
from axon.layers.base import Layer
from axon.layers.noise import inverted_dropout_mask
from axon.layers.symbolic import is_symbolic

__all__ = ["MultiHeadAttention"]

#: What a masked score is replaced with before the softmax (Keras's ``-1e9``), so that
#: ``e**(score - max)`` underflows to exactly 0 there.
LARGE_NEGATIVE = -1e9


class MultiHeadAttention(Layer):
    """Multi-head scaled dot-product attention, as ``keras.layers.MultiHeadAttention``.

    For each head ``h`` (``H = num_heads``), with query ``X_q`` of shape ``(B, T, d_q)`` and value
    ``X_v``/key ``X_k`` of shape ``(B, S, d_v)``/``(B, S, d_k)`` (the key defaults to the value):

    - ``Q_h = X_q Wq_h + bq_h``, ``K_h = X_k Wk_h + bk_h``, ``V_h = X_v Wv_h + bv_h``;
    - ``A_h = softmax(Q_h K_h^T / sqrt(key_dim) + M)`` over the key axis, where ``M`` is 0 where
      attention is allowed and ``-1e9`` where the mask forbids it (Keras replaces masked scores by
      ``-1e9`` and then sets their probabilities to exactly 0, so a fully masked query row gives
      zeros);
    - ``O_h = A_h V_h`` and ``y = sum_h O_h Wo_h + bo``.

    The gradient is the chain rule through these ops: ``dL/dV_h = A_h^T G_h``,
    ``dL/dA_h = G_h V_h^T``, the softmax Jacobian ``A * (dA - sum(dA * A))`` for the scores, then
    ``dL/dQ_h = dS K_h / sqrt(key_dim)``, ``dL/dK_h = dS^T Q_h / sqrt(key_dim)`` and the projections'.

    Weights (Keras's ``EinsumDense`` sub-layers, named ``'<sub-layer>/<weight>'``, in Keras's
    order): ``query/kernel (d_q, H, key_dim)``, ``query/bias (H, key_dim)``, ``key/kernel
    (d_k, H, key_dim)``, ``key/bias``, ``value/kernel (d_v, H, value_dim)``, ``value/bias
    (H, value_dim)``, ``attention_output/kernel (H, value_dim, d_out)``, ``attention_output/bias
    (d_out,)``. As Keras 3, kernels are initialized with fans counted over the einsum's input and
    output axes (``fan_in = d_q``, ``fan_out = H * key_dim`` for the query kernel).

    Args:
        num_heads: number of attention heads ``H``.
        key_dim: size of each head for query and key.
        value_dim: size of each head for value (default ``key_dim``).
        dropout: dropout rate on the attention probabilities (training only).
        use_bias: whether the projections have biases.
        output_shape: size of the output's last axis (an int or a 1-tuple); default ``d_q``.
        attention_axes: only ``None`` (attention over axis 1, the time axis of a
            ``(batch, time, features)`` input) is supported, or that same axis given explicitly.
        kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
        activity_regularizer, kernel_constraint, bias_constraint: as for Dense.
        seed: seeds the layer's own dropout generator (None: axon's global generator).

    Call arguments: ``query (B, T, d_q)``, ``value (B, S, d_v)``, ``key (B, S, d_k)`` (optional),
    ``attention_mask`` (boolean, ``(B, T, S)`` or ``(T, S)``, True = may attend),
    ``return_attention_scores`` (also return ``A`` of shape ``(B, H, T, S)``), ``training``,
    ``use_causal_mask`` (query ``i`` attends to keys ``j <= i`` only). Time-step masks of the
    inputs (Embedding ``mask_zero``) are merged in as Keras does: ``mask_q[:, :, None] &
    mask_v[:, None, :]``. The layer may also be called on a list ``[query, value]`` or
    ``[query, value, key]``.

    Output shape: ``(B, T, d_out)`` (and the scores ``(B, H, T, S)``).

    Example:
        >>> import numpy as np
        >>> from axon.layers.attention import MultiHeadAttention
        >>> mha = MultiHeadAttention(num_heads=2, key_dim=4)
        >>> x = np.ones((1, 3, 5), dtype="float32")
        >>> out, scores = mha(x, x, return_attention_scores=True)
        >>> out.shape, scores.shape
        ((1, 3, 5), (1, 2, 3, 3))
    """

    supports_masking = True

    def __init__(self, num_heads: int, key_dim: int, value_dim: int | None = None,
                 dropout: float = 0.0, use_bias: bool = True, output_shape: Any = None,
                 attention_axes: Any = None, kernel_initializer: Any = "glorot_uniform",
                 bias_initializer: Any = "zeros", kernel_regularizer: Any = None,
                 bias_regularizer: Any = None, activity_regularizer: Any = None,
                 kernel_constraint: Any = None, bias_constraint: Any = None,
                 seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        owner = "MultiHeadAttention"
        self.num_heads = _args.positive_int(num_heads, "num_heads", owner)
        self.key_dim = _args.positive_int(key_dim, "key_dim", owner)
        self.value_dim = key_dim if value_dim is None else _args.positive_int(
            value_dim, "value_dim", owner)
        if isinstance(dropout, bool) or not isinstance(dropout, int | float) or not 0 <= dropout < 1:
            raise ValueError(f"{owner} expects dropout to be a number in [0, 1). "
                             f"Received: dropout={dropout!r}")
        self.dropout = float(dropout)
        self.use_bias = bool(use_bias)
        self._output_size = _output_size(output_shape)
        self.output_shape = output_shape
        if attention_axes not in (None, 1, -2, (1,), (-2,), [1], [-2]):
            raise ValueError(f"{owner} supports attention over axis 1 of (batch, time, features) "
                             f"inputs only (attention_axes=None). Received: "
                             f"attention_axes={attention_axes!r}")
        self.attention_axes = attention_axes
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = _args.get_regularizer(kernel_regularizer)
        self.bias_regularizer = _args.get_regularizer(bias_regularizer)
        self.kernel_constraint = _args.get_constraint(kernel_constraint, "kernel_constraint", owner)
        self.bias_constraint = _args.get_constraint(bias_constraint, "bias_constraint", owner)
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or seed < 0):
            raise ValueError(f"{owner} expects seed to be a non-negative integer or None. "
                             f"Received: seed={seed!r}")
        self.seed = seed
        self._rng = backend.make_rng(seed) if seed is not None else None
        self._scores_wanted = False

    # ---- calling: query, value and key travel to the base as one list -------------------------
    def __call__(self, query: Any, value: Any = None, key: Any = None, attention_mask: Any = None,
                 return_attention_scores: bool = False, training: bool = False,
                 use_causal_mask: bool = False, mask: Any = None) -> Any:
        """``mha(query, value)``, ``mha(query, value, key)``, ``mha(query=q, value=v)`` or
        ``mha([query, value(, key)])``; works on arrays, tensors and ``axon.Input`` tensors.

        In a functional model a symbolic ``attention_mask`` becomes a fourth input of the layer.
        """
        if value is None:
            if not isinstance(query, list | tuple) or not 2 <= len(query) <= 4:
                raise TypeError(f"Layer '{self.name}' (MultiHeadAttention) needs a query and a "
                                "value: call it as mha(query, value[, key]) or on a list [query, "
                                f"value(, key)]. Received: value=None and query of type "
                                f"{type(query).__name__}")
            inputs = list(query)
        else:
            inputs = [query, value] if key is None else [query, value, key]
        if is_symbolic(attention_mask):
            inputs = inputs[:2] + [inputs[1] if len(inputs) == 2 else inputs[2], attention_mask]
            attention_mask = None
        call_kwargs: dict[str, Any] = {}
        if attention_mask is not None:
            call_kwargs["attention_mask"] = attention_mask
        if return_attention_scores:
            call_kwargs["return_attention_scores"] = True
        if use_causal_mask:
            call_kwargs["use_causal_mask"] = True
        self._scores_wanted = bool(return_attention_scores)  # read by compute_output_shape
        try:
            return super().__call__(inputs, training=training, mask=mask, **call_kwargs)
        finally:
            self._scores_wanted = False

    def _check_rank(self, shape):
        self._check_shapes(shape)

    def check_input_shape(self, shape):
        """Sequence lengths may change between calls; the feature sizes must stay as built."""
        self._check_shapes(shape)

    def _check_shapes(self, shapes: Any) -> None:
        where = f"Layer '{self.name}' (MultiHeadAttention)"
        if not isinstance(shapes, list) or not 2 <= len(shapes) <= 4:
            raise ValueError(f"{where} expects a query and a value (and optionally a key). "
                             f"Received: input shape {shapes}")
        names = ("query", "value", "key", "attention_mask")
        for name, shape in zip(names, shapes):
            if len(shape) != 3:
                raise ValueError(f"{where} expects {name} of rank 3 (batch, time, features). "
                                 f"Received: {name}.shape={tuple(shape)}")
        self._check_agreement(shapes[:3])
        if not self.built:
            return
        built = {"query": self.query_kernel, "value": self.value_kernel, "key": self.key_kernel}
        if len(shapes) == 2:
            built["key"] = None  # the key is the value
        for name, shape in zip(names[:3], shapes):
            kernel = built[name]
            if kernel is not None and shape[-1] != kernel.shape[0]:
                raise ValueError(f"{where} was built for {name} with {kernel.shape[0]} features. "
                                 f"Received: {name}.shape={tuple(shape)}")
        if len(shapes) == 2 and shapes[1][-1] != self.key_kernel.shape[0]:
            raise ValueError(f"{where} was built with a key of {self.key_kernel.shape[0]} "
                             f"features; without a key the value is used. Received: "
                             f"value.shape={tuple(shapes[1])}")

    def _check_agreement(self, shapes: list) -> None:
        """Query, value and key share the batch size; key and value share the time steps
        (``None``, unknown, agrees with anything)."""
        names = ("query", "value", "key")
        received = ", ".join(f"{name}.shape={tuple(shape)}" for name, shape in zip(names, shapes))
        batches = {shape[0] for shape in shapes if shape[0] is not None}
        if len(batches) > 1:
            raise ValueError(f"Layer '{self.name}' (MultiHeadAttention) expects query, value and "
                             f"key of the same batch size. Received: {received}")
        if len(shapes) == 3 and None not in (shapes[1][1], shapes[2][1]) and \
                shapes[1][1] != shapes[2][1]:
            raise ValueError(f"Layer '{self.name}' (MultiHeadAttention) expects key and value "
                             f"of the same number of time steps. Received: {received}")

    # ---- weights -----------------------------------------------------------------------------
    def build(self, query_shape: Any, value_shape: Any = None, key_shape: Any = None) -> None:
        if value_shape is None:  # the base passes one list of shapes
            shapes = list(query_shape)
            query_shape, value_shape = shapes[0], shapes[1]
            key_shape = shapes[2] if len(shapes) > 2 else None
        key_shape = value_shape if key_shape is None else key_shape
        heads = self.num_heads
        self.query_kernel, self.query_bias = self._projection(
            "query", query_shape[-1], self.key_dim)
        self.key_kernel, self.key_bias = self._projection("key", key_shape[-1], self.key_dim)
        self.value_kernel, self.value_bias = self._projection(
            "value", value_shape[-1], self.value_dim)
        size = self._output_size or query_shape[-1]
        self.output_kernel = self.add_weight(
            "attention_output/kernel", (heads, self.value_dim, size),
            _fans_initializer(self.kernel_initializer, (heads * self.value_dim, size)),
            regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        self.output_bias = (self.add_weight(
            "attention_output/bias", (size,), self.bias_initializer,
            regularizer=self.bias_regularizer, constraint=self.bias_constraint)
            if self.use_bias else None)
        self.built = True

    def _projection(self, name: str, features: int, size: int) -> tuple:
        kernel = self.add_weight(
            f"{name}/kernel", (features, self.num_heads, size),
            _fans_initializer(self.kernel_initializer, (features, self.num_heads * size)),
            regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        bias = (self.add_weight(f"{name}/bias", (self.num_heads, size), self.bias_initializer,
                                regularizer=self.bias_regularizer, constraint=self.bias_constraint)
                if self.use_bias else None)
        return kernel, bias

    # ---- the math ----------------------------------------------------------------------------
    def call(self, query: Any, value: Any = None, key: Any = None, attention_mask: Any = None,
             return_attention_scores: bool = False, training: bool = False,
             use_causal_mask: bool = False, mask: Any = None) -> Any:
        if value is None:  # one list from the base: [query, value(, key(, attention_mask))]
            inputs = list(query)
            query, value = inputs[0], inputs[1]
            key = inputs[2] if len(inputs) > 2 else None
            if len(inputs) == 4:
                attention_mask = inputs[3]
        self._check_agreement([tuple(x.shape) for x in (query, value, key) if x is not None])
        key = value if key is None else key
        masks = list(mask) if isinstance(mask, list | tuple) else [mask, None, None]
        q = self._heads(query, self.query_kernel, self.query_bias)    # (B, H, T, key_dim)
        k = self._heads(key, self.key_kernel, self.key_bias)          # (B, H, S, key_dim)
        v = self._heads(value, self.value_kernel, self.value_bias)    # (B, H, S, value_dim)
        scores = F.matmul(q * (1.0 / math.sqrt(self.key_dim)), F.transpose(k, (0, 1, 3, 2)))
        allowed = self._allowed(query.shape, key.shape, attention_mask, masks, use_causal_mask)
        if allowed is not None:
            allowed = allowed[:, None]  # one mask for every head
            scores = F.where(allowed, scores, LARGE_NEGATIVE)
        probabilities = F.softmax(scores, axis=-1)
        if allowed is not None:
            probabilities = F.where(allowed, probabilities, 0.0)
        dropped = probabilities
        if training and self.dropout > 0:
            dropped = probabilities * Tensor(inverted_dropout_mask(
                self._rng or backend.rng(), probabilities.shape, self.dropout, probabilities.dtype))
        heads = F.transpose(F.matmul(dropped, v), (0, 2, 1, 3))       # (B, T, H, value_dim)
        batch, steps = heads.shape[0], heads.shape[1]
        merged = F.reshape(heads, (batch, steps, self.num_heads * self.value_dim))
        kernel = self.output_kernel
        output = F.matmul(merged, F.reshape(kernel, (kernel.shape[0] * kernel.shape[1],
                                                     kernel.shape[2])))
        if self.output_bias is not None:
            output = output + self.output_bias
        return (output, probabilities) if return_attention_scores else output

    def _heads(self, x: Tensor, kernel: Any, bias: Any) -> Tensor:
        """``x W + b`` split into heads: ``(B, L, d) -> (B, H, L, size)``."""
        features, heads, size = kernel.shape
        projected = F.matmul(x, F.reshape(kernel, (features, heads * size)))
        if bias is not None:
            projected = projected + F.reshape(bias, (heads * size,))
        projected = F.reshape(projected, (x.shape[0], x.shape[1], heads, size))
        return F.transpose(projected, (0, 2, 1, 3))

    def _allowed(self, query_shape: tuple, key_shape: tuple, attention_mask: Any, masks: list,
                 use_causal_mask: bool) -> Any:
        """The boolean ``(B or 1, T, S)`` mask of allowed (query, key) pairs, or None."""
        steps, sources = query_shape[1], key_shape[1]
        parts = []
        for index, name, length, expand in (
                (0, "query", steps, (slice(None), slice(None), None)),
                (1, "value", sources, (slice(None), None, slice(None))),
                (2, "key", sources, (slice(None), None, slice(None)))):
            if index < len(masks) and masks[index] is not None:
                given = xp.asarray(_raw(masks[index])).astype(bool)
                if given.shape != (query_shape[0], length):
                    raise ValueError(
                        f"Layer '{self.name}' (MultiHeadAttention) expects the {name} mask of "
                        f"shape (batch, {name} steps) = {(query_shape[0], length)}. Received: "
                        f"{name}_mask.shape={given.shape}")
                parts.append(given[expand])
        if use_causal_mask:
            parts.append(xp.tril(xp.ones((steps, sources), dtype=bool))[None])
        if attention_mask is not None:
            given = xp.asarray(_raw(attention_mask)) != 0
            if given.ndim == 2:
                given = given[None]
            if given.ndim != 3 or given.shape[1:] != (steps, sources) or \
                    given.shape[0] not in (1, query_shape[0]):
                raise ValueError(f"Layer '{self.name}' (MultiHeadAttention) expects "
                                 f"attention_mask of shape (batch, {steps}, {sources}) (query "
                                 f"steps, key steps). Received: attention_mask.shape="
                                 f"{tuple(xp.shape(_raw(attention_mask)))}")
            parts.append(given)
        if not parts:
            return None
        allowed = parts[0]
        for part in parts[1:]:
            allowed = allowed & part
        return allowed

    # ---- shapes, masks, config ---------------------------------------------------------------
    def compute_output_shape(self, input_shape):
        query_shape, value_shape = input_shape[0], input_shape[1]
        output = tuple(query_shape[:-1]) + (self._output_size or query_shape[-1],)
        if self._scores_wanted:
            return [output, (query_shape[0], self.num_heads, query_shape[1], value_shape[1])]
        return output

    def compute_mask(self, inputs, mask=None):
        """The query's time-step mask (the output has the query's time axis)."""
        return mask[0] if isinstance(mask, list | tuple) else mask

    def get_config(self):
        return {**super().get_config(), "num_heads": self.num_heads, "key_dim": self.key_dim,
                "value_dim": self.value_dim, "dropout": self.dropout, "use_bias": self.use_bias,
                "output_shape": self.output_shape, "attention_axes": self.attention_axes,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": _args.serialize_regularizer(self.kernel_regularizer),
                "bias_regularizer": _args.serialize_regularizer(self.bias_regularizer),
                "kernel_constraint": _args.serialize_constraint(self.kernel_constraint),
                "bias_constraint": _args.serialize_constraint(self.bias_constraint),
                "seed": self.seed}


def _raw(value: Any) -> Any:
    return value.data if isinstance(value, Tensor) else value


def _output_size(output_shape: Any) -> int | None:
    if output_shape is None:
        return None
    value = output_shape
    if isinstance(value, list | tuple) and len(value) == 1:
        value = value[0]
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError("MultiHeadAttention expects output_shape to be a positive integer (or a "
                         f"1-tuple of one). Received: output_shape={output_shape!r}")
    return value


def _fans_initializer(initializer: Any, matrix_shape: tuple) -> Any:
    """Draw a kernel as the ``(fan_in, fan_out)`` matrix it acts as, then reshape it (Keras 3
    counts an EinsumDense kernel's fans over its input and output axes this way)."""
    def initialize(shape: tuple, dtype: Any = None) -> Any:
        return xp.reshape(xp.asarray(initializer(matrix_shape, dtype=dtype)), shape)
    return initialize
