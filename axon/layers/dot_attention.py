"""Single-head attention, as Keras's: Attention (Luong et al., 2015), dot-product scores, and
AdditiveAttention (Bahdanau et al., 2015), additive scores. MultiHeadAttention is in
``axon.layers.attention``.

Written from the functional ops (matmul, tanh, softmax, where), so the gradient is the chain rule
through them and needs no code of its own.
"""
from __future__ import annotations

from typing import Any

from axon import backend
from axon.backend import xp
from axon.engine import Tensor
from axon.engine import functional as F
from axon.layers import _args
from axon.layers.attention import _raw
from axon.layers.base import Layer
from axon.layers.noise import inverted_dropout_mask

__all__ = ["AdditiveAttention", "Attention"]


class Attention(Layer):
    """Dot-product attention of a query over a value, as ``keras.layers.Attention`` (Luong).

    With query ``Q (B, Tq, d)``, value ``V (B, Tv, d_v)`` and key ``K (B, Tv, d)`` (the key
    defaults to the value):

    - scores ``S = scale * Q K^T`` (``score_mode='dot'``; ``scale`` is 1 unless ``use_scale``),
      or ``S[b, i, j] = c * sum_d tanh(scale * (Q[b, i, d] + K[b, j, d]))``
      (``score_mode='concat'``, ``c`` the weight ``concat_score_weight``);
    - where the value mask or the causal mask forbids key ``j`` for query ``i``, ``S - 1e9``
      replaces ``S`` (Keras's bias: a fully masked row stays a uniform distribution);
    - ``A = softmax(S)`` over the key axis, dropped out (``A * keep / (1 - dropout)``) in
      training only; ``y = A V``, set to 0 at the query mask's padded steps.

    Gradient (``G = dL/dy``): ``dL/dV = A^T G``, ``dL/dA = G V^T``, through the softmax
    ``dL/dS = A * (dL/dA - sum_j(dL/dA * A))``; then for 'dot' ``dL/dQ = scale dS K``,
    ``dL/dK = scale dS^T Q``, ``dL/dscale = sum(dS * Q K^T)``; for 'concat' with
    ``t = tanh(scale (Q_i + K_j))``: ``dL/dQ_i = c scale sum_j dS_ij (1 - t**2)`` (and the same
    summed over ``i`` for ``K_j``), ``dL/dc = sum(dS * S / c)``.

    Args:
        use_scale: whether to learn a scalar ``scale`` (initialized to 1) multiplying the scores.
        score_mode: ``'dot'`` or ``'concat'``.
        dropout: dropout rate on the attention distribution ``A`` (training only), in ``[0, 1)``.
        seed: seeds the layer's own dropout generator (None: axon's global generator).

    Weights (Keras's order): ``scale ()`` when ``use_scale``, ``concat_score_weight ()`` in
    'concat' mode (initialized to 1).

    Call arguments: ``inputs`` a list ``[query, value]`` or ``[query, value, key]``; ``mask`` a
    list ``[query_mask, value_mask]`` of booleans ``(B, Tq)`` and ``(B, Tv)`` (True = real step);
    ``return_attention_scores`` (also return ``A``, after dropout as in Keras);
    ``use_causal_mask`` (query ``i`` attends to keys ``j <= i``); ``training``.

    Output shape: ``(B, Tq, d_v)`` (and the scores ``(B, Tq, Tv)``).

    Example:
        >>> import axon, numpy as np
        >>> q, v = np.array([[[1.0, 0.0]]]), np.array([[[1.0, 0.0], [0.0, 1.0]]])
        >>> out, scores = axon.layers.Attention()([q, v], return_attention_scores=True)
        >>> np.round(scores.numpy(), 4).tolist(), np.round(out.numpy(), 4).tolist()
        ([[[0.7311, 0.2689]]], [[[0.7311, 0.2689]]])
    """

    supports_masking = True

    def __init__(self, use_scale: bool = False, score_mode: str = "dot", dropout: float = 0.0,
                 seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        owner = type(self).__name__
        if not isinstance(use_scale, bool):
            raise ValueError(f"{owner} expects use_scale to be a bool. "
                             f"Received: use_scale={use_scale!r}")
        if score_mode not in ("dot", "concat"):
            raise ValueError(f"{owner} expects score_mode to be one of 'dot', 'concat'. "
                             f"Received: score_mode={score_mode!r}")
        if isinstance(dropout, bool) or not isinstance(dropout, int | float) or not 0 <= dropout < 1:
            raise ValueError(f"{owner} expects dropout to be a number in [0, 1). "
                             f"Received: dropout={dropout!r}")
        self.use_scale, self.score_mode, self.dropout = use_scale, score_mode, float(dropout)
        self.seed = _args.seed(seed, owner)
        self._rng = backend.make_rng(seed) if seed is not None else None
        self._scores_wanted = False

    def __call__(self, inputs: Any, training: bool = False, mask: Any = None,
                 return_attention_scores: bool = False, use_causal_mask: bool = False) -> Any:
        where = f"Layer '{self.name}' ({type(self).__name__})"
        if not isinstance(inputs, list | tuple) or not 2 <= len(inputs) <= 3:
            raise ValueError(f"{where} must be called on a list [query, value] or [query, value, "
                             f"key]. Received: inputs of type {type(inputs).__name__}"
                             + (f" and length {len(inputs)}" if isinstance(inputs, list | tuple)
                                else ""))
        if mask is not None and (not isinstance(mask, list | tuple) or not 2 <= len(mask) <= 3):
            raise ValueError(f"{where} expects mask to be a list [query_mask, value_mask]. "
                             f"Received: mask of type {type(mask).__name__}")
        call_kwargs: dict[str, Any] = {}
        if return_attention_scores:
            call_kwargs["return_attention_scores"] = True
        if use_causal_mask:
            call_kwargs["use_causal_mask"] = True
        self._scores_wanted = bool(return_attention_scores)  # read by compute_output_shape
        try:
            return super().__call__(list(inputs), training=training, mask=mask, **call_kwargs)
        finally:
            self._scores_wanted = False

    def _check_rank(self, shape):
        self._check_shapes(shape)

    def check_input_shape(self, shape):
        """Sequence lengths may change between calls; the feature sizes must agree."""
        self._check_shapes(shape)

    def _check_shapes(self, shapes: Any) -> None:
        where = f"Layer '{self.name}' ({type(self).__name__})"
        names = ("query", "value", "key")
        for name, shape in zip(names, shapes):
            if len(shape) != 3:
                raise ValueError(f"{where} expects {name} of rank 3 (batch, time, features). "
                                 f"Received: {name}.shape={tuple(shape)}")
        key = shapes[2] if len(shapes) > 2 else shapes[1]
        received = ", ".join(f"{name}.shape={tuple(s)}" for name, s in zip(names, shapes))
        if len({s[0] for s in shapes if s[0] is not None}) > 1:
            raise ValueError(f"{where} expects query, value and key of the same batch size. "
                             f"Received: {received}")
        if None not in (shapes[1][1], key[1]) and shapes[1][1] != key[1]:
            raise ValueError(f"{where} expects key and value of the same number of time steps. "
                             f"Received: {received}")
        if shapes[0][-1] != key[-1]:
            raise ValueError(f"{where} expects query and key of the same number of features "
                             f"(the key is the value when not given). Received: {received}")
        scale = getattr(self, "scale", None)
        if scale is not None and scale.ndim == 1 and shapes[0][-1] != scale.shape[0]:
            raise ValueError(f"{where} was built for queries of {scale.shape[0]} features. "
                             f"Received: {received}")

    def build(self, input_shape):
        self.scale = (self.add_weight("scale", (), "ones") if self.use_scale else None)
        self.concat_score_weight = (self.add_weight("concat_score_weight", (), "ones")
                                    if self.score_mode == "concat" else None)
        self.built = True

    def _scores(self, query: Tensor, key: Tensor) -> Tensor:
        """``(B, Tq, Tv)`` scores of every query step against every key step."""
        if self.score_mode == "dot":
            scores = F.matmul(query, F.transpose(key, (0, 2, 1)))
            return scores * self.scale if self.scale is not None else scores
        pairs = F.expand_dims(query, 2) + F.expand_dims(key, 1)      # (B, Tq, Tv, d)
        if self.scale is not None:
            pairs = pairs * self.scale
        return self.concat_score_weight * F.sum(F.tanh(pairs), axis=-1)

    def call(self, inputs: Any, training: bool = False, mask: Any = None,
             return_attention_scores: bool = False, use_causal_mask: bool = False) -> Any:
        query, value = inputs[0], inputs[1]
        key = inputs[2] if len(inputs) > 2 else value
        self._check_shapes([tuple(x.shape) for x in inputs])
        query_mask, value_mask = (list(mask) + [None])[:2] if mask is not None else (None, None)
        scores = self._scores(query, key)
        allowed = self._allowed(tuple(scores.shape), value_mask, use_causal_mask)
        if allowed is not None:
            scores = F.where(allowed, scores, scores - 1e9)
        weights = F.softmax(scores, axis=-1)
        if training and self.dropout > 0:
            weights = weights * Tensor(inverted_dropout_mask(
                self._rng or backend.rng(), weights.shape, self.dropout, weights.dtype))
        output = F.matmul(weights, value)
        if query_mask is not None:
            real = self._mask_array(query_mask, "query", (scores.shape[0], scores.shape[1]))
            output = F.where(real[:, :, None], output, 0.0)
        return (output, weights) if return_attention_scores else output

    def _mask_array(self, given: Any, name: str, shape: tuple) -> Any:
        array = xp.asarray(_raw(given)).astype(bool)
        if array.shape != shape:
            raise ValueError(f"Layer '{self.name}' ({type(self).__name__}) expects the {name} "
                             f"mask of shape (batch, {name} steps) = {shape}. Received: "
                             f"{name}_mask.shape={array.shape}")
        return array

    def _allowed(self, scores_shape: tuple, value_mask: Any, use_causal_mask: bool) -> Any:
        """The boolean ``(B or 1, Tq, Tv)`` mask of allowed (query, key) pairs, or None."""
        batch, steps, sources = scores_shape
        allowed = None
        if value_mask is not None:
            allowed = self._mask_array(value_mask, "value", (batch, sources))[:, None, :]
        if use_causal_mask:
            causal = xp.tril(xp.ones((steps, sources), dtype=bool))[None]
            allowed = causal if allowed is None else allowed & causal
        return allowed

    def compute_output_shape(self, input_shape):
        query_shape, value_shape = input_shape[0], input_shape[1]
        key_shape = input_shape[2] if len(input_shape) > 2 else value_shape
        output = tuple(query_shape[:-1]) + (value_shape[-1],)
        if self._scores_wanted:
            return [output, (query_shape[0], query_shape[1], key_shape[1])]
        return output

    def compute_mask(self, inputs, mask=None):
        """The query's time-step mask (the output has the query's time axis)."""
        return mask[0] if isinstance(mask, list | tuple) else None

    def get_config(self):
        return {**super().get_config(), "use_scale": self.use_scale,
                "score_mode": self.score_mode, "dropout": self.dropout, "seed": self.seed}


class AdditiveAttention(Attention):
    """Additive attention of a query over a value, as ``keras.layers.AdditiveAttention``
    (Bahdanau).

    As :class:`Attention`, with the scores (``w`` the weight ``scale`` of shape ``(d,)``, or 1
    without ``use_scale``):

        S[b, i, j] = sum_d w[d] * tanh(Q[b, i, d] + K[b, j, d])

    Gradient of the scores (``t = tanh(Q_i + K_j)``): ``dL/dQ_i = sum_j dS_ij w (1 - t**2)``,
    ``dL/dK_j = sum_i dS_ij w (1 - t**2)``, ``dL/dw = sum_{b,i,j} dS_ij t``; the rest (masks,
    softmax, dropout, ``A V``) is :class:`Attention`'s.

    Args:
        use_scale: whether to learn ``scale (d,)`` (glorot_uniform, as Keras).
        dropout: dropout rate on the attention distribution (training only).
        seed: seeds the layer's own dropout generator.

    Weights: ``scale (d,)`` when ``use_scale``, ``d`` the query's feature size.

    Example:
        >>> import axon, numpy as np
        >>> layer = axon.layers.AdditiveAttention(use_scale=False)
        >>> q, v = np.zeros((1, 1, 2)), np.array([[[1.0, 0.0], [0.0, 1.0]]])
        >>> layer([q, v]).numpy().tolist()
        [[[0.5, 0.5]]]
    """

    def __init__(self, use_scale: bool = True, dropout: float = 0.0, seed: int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(use_scale=use_scale, dropout=dropout, seed=seed, **kwargs)

    def build(self, input_shape):
        features = input_shape[0][-1]
        self.scale = (self.add_weight("scale", (features,), "glorot_uniform")
                      if self.use_scale else None)
        self.concat_score_weight = None
        self.built = True

    def _scores(self, query: Tensor, key: Tensor) -> Tensor:
        hidden = F.tanh(F.expand_dims(query, 2) + F.expand_dims(key, 1))   # (B, Tq, Tv, d)
        return F.sum(hidden * self.scale if self.scale is not None else hidden, axis=-1)

    def get_config(self):
        config = super().get_config()
        del config["score_mode"]
        return config
