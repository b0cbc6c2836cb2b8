"""The public op functions: argument coercion, the primitives, and composites built from them.

Composites (``mean``, ``var``, ``min``, ``stack``, most activations ...) need no gradient code:
their gradient is the chain rule through the primitives they are written with, which the engine
applies. Each docstring still states the formula, and where it helps, the gradient that results.

Example:
    >>> import axon
    >>> from axon.engine import functional as F
    >>> F.relu(axon.Tensor([-1.0, 2.0])).numpy().tolist()
    [0.0, 2.0]
"""
from __future__ import annotations

import math
import numbers
from typing import Any

from axon import backend
from axon.backend import xp
from axon.engine import ops
from axon.engine.tensor import Tensor

TensorLike = Any


def as_tensor(value: TensorLike, like: Tensor | None = None) -> Tensor:
    """``value`` as a Tensor; a Python number takes the float type of ``like`` when given."""
    if isinstance(value, Tensor):
        return value
    if like is not None and isinstance(value, numbers.Number) and like.dtype.kind == "f":
        return Tensor._from_op(xp.asarray(value, dtype=like.dtype), None)
    return Tensor(value)


def _pair(a: TensorLike, b: TensorLike) -> tuple[Tensor, Tensor]:
    if isinstance(a, Tensor):
        return a, as_tensor(b, a)
    b = as_tensor(b)
    return as_tensor(a, b), b


# ---- arithmetic --------------------------------------------------------------------------------
def add(a: TensorLike, b: TensorLike) -> Tensor:
    """``a + b`` with broadcasting; gradient ``g`` to both."""
    return ops.Add.apply(*_pair(a, b))


def sub(a: TensorLike, b: TensorLike) -> Tensor:
    """``a - b``; gradients ``g`` and ``-g``."""
    return ops.Sub.apply(*_pair(a, b))


def mul(a: TensorLike, b: TensorLike) -> Tensor:
    """``a * b``; gradients ``g * b`` and ``g * a``."""
    return ops.Mul.apply(*_pair(a, b))


def div(a: TensorLike, b: TensorLike) -> Tensor:
    """``a / b``; gradients ``g / b`` and ``-g * a / b**2``."""
    return ops.Div.apply(*_pair(a, b))


def neg(x: TensorLike) -> Tensor:
    """``-x``; gradient ``-g``."""
    return ops.Neg.apply(as_tensor(x))


def pow(a: TensorLike, b: TensorLike) -> Tensor:  # noqa: A001 - the math name
    """``a ** b``; gradients ``g * b * a**(b-1)`` and ``g * a**b * ln(a)``."""
    return ops.Pow.apply(*_pair(a, b))


def square(x: TensorLike) -> Tensor:
    """``x**2`` (composite ``x * x``); gradient ``2 * g * x``."""
    x = as_tensor(x)
    return mul(x, x)


def exp(x: TensorLike) -> Tensor:
    """``e**x``; gradient ``g * e**x``."""
    return ops.Exp.apply(as_tensor(x))


def log(x: TensorLike) -> Tensor:
    """``ln(x)``; gradient ``g / x``."""
    return ops.Log.apply(as_tensor(x))


def sqrt(x: TensorLike) -> Tensor:
    """``sqrt(x)``; gradient ``g / (2 sqrt(x))``."""
    return ops.Sqrt.apply(as_tensor(x))


def abs(x: TensorLike) -> Tensor:  # noqa: A001 - the math name
    """``|x|``; gradient ``g * sign(x)``."""
    return ops.Abs.apply(as_tensor(x))


def maximum(a: TensorLike, b: TensorLike) -> Tensor:
    """Elementwise ``max(a, b)``; the gradient goes to the larger (split at ties)."""
    return ops.Maximum.apply(*_pair(a, b))


def minimum(a: TensorLike, b: TensorLike) -> Tensor:
    """Elementwise ``min(a, b)``; the gradient goes to the smaller (split at ties)."""
    return ops.Minimum.apply(*_pair(a, b))


def where(condition: Any, a: TensorLike, b: TensorLike) -> Tensor:
    """``a`` where ``condition`` holds, else ``b``; the gradient follows the chosen side."""
    condition = condition.data if isinstance(condition, Tensor) else xp.asarray(condition)
    a, b = _pair(a, b)
    return ops.Where.apply(Tensor._from_op(condition.astype(bool), None), a, b)


def clip(x: TensorLike, min_value: float | None = None, max_value: float | None = None) -> Tensor:
    """``min(max(x, min_value), max_value)``; gradient ``g`` inside the range, 0 outside."""
    return ops.Clip.apply(as_tensor(x), low=min_value, high=max_value)


def erf(x: TensorLike) -> Tensor:
    """The error function; gradient ``g * 2/sqrt(pi) * e**(-x**2)``."""
    return ops.Erf.apply(as_tensor(x))


# ---- linear algebra ----------------------------------------------------------------------------
def matmul(a: TensorLike, b: TensorLike) -> Tensor:
    """``a @ b`` (2-D, batched, or 1-D as in NumPy); gradients ``g @ b^T`` and ``a^T @ g``."""
    return ops.MatMul.apply(*_pair(a, b))


def dense(x: TensorLike, kernel: TensorLike, bias: TensorLike | None = None,
          relu: bool = False) -> Tensor:
    """``f(x @ kernel + bias)`` in one node, ``f`` the identity or (``relu=True``) ``max(z, 0)``;
    gradients ``dz @ kernel^T``, ``x^T @ dz``, ``sum_rows dz`` with ``dz = g * f'(z)``.
    ``x`` has rank >= 2 (rows of features); ``kernel`` is ``(in, out)``, ``bias`` ``(out,)``."""
    x, kernel = as_tensor(x), as_tensor(kernel)
    x_shape, kernel_shape = x.data.shape, kernel.data.shape
    if len(x_shape) < 2 or len(kernel_shape) != 2 or x_shape[-1] != kernel_shape[0]:
        raise ValueError(f"dense expects x (..., n) and kernel (n, m). Received: "
                         f"x.shape={x_shape}, kernel.shape={kernel_shape}")
    if bias is None:
        return ops.Dense.apply(x, kernel, relu=relu)
    bias = as_tensor(bias)
    if bias.data.shape != kernel_shape[1:]:
        raise ValueError(f"dense expects bias of shape ({kernel_shape[1]},). "
                         f"Received: bias.shape={bias.data.shape}")
    return ops.Dense.apply(x, kernel, bias, relu=relu)


# ---- convolution -------------------------------------------------------------------------------
def _to_channels_last(x: Tensor, data_format: str, name: str) -> Tensor:
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(f"{name} expects data_format 'channels_last' or 'channels_first'. "
                         f"Received: data_format={data_format!r}")
    if x.ndim < 3:
        raise ValueError(f"{name} expects an input of rank >= 3 (batch, ..., channels). "
                         f"Received: shape={x.shape}")
    return x if data_format == "channels_last" else transpose(x, (0, *range(2, x.ndim), 1))


def _from_channels_last(y: Tensor, data_format: str) -> Tensor:
    return y if data_format == "channels_last" else transpose(y, (0, y.ndim - 1, *range(1, y.ndim - 1)))


def conv(x: TensorLike, kernel: TensorLike, bias: TensorLike | None = None, strides: Any = 1,
         padding: str = "valid", dilation_rate: Any = 1, groups: int = 1,
         data_format: str = "channels_last") -> Tensor:
    """N-d convolution (1-D, 2-D, 3-D; cross-correlation, as in Keras) through im2col + matmul.

    ``y[n, i, j, o] = sum_{a, b, c} x[n, i*s + a*d, j*s + b*d, c] W[a, b, c, o] + b[o]`` on the
    zero-padded ``x`` (``padding`` 'valid', 'same' or 'causal', as Keras pads). ``kernel`` has
    shape ``(*kernel_size, C/groups, O)``. Gradients: ``dL/dW = P^T g`` (``P`` the im2col
    matrix), ``dL/dx = col2im(g W^T)`` and ``dL/db = sum g``; see :class:`axon.engine.ops.Conv`.

    Example:
        >>> import axon, numpy as np
        >>> from axon.engine import functional as F
        >>> x = axon.Tensor(np.arange(5.0).reshape(1, 5, 1))
        >>> F.conv(x, np.ones((2, 1, 1))).numpy()[0, :, 0].tolist()
        [1.0, 3.0, 5.0, 7.0]
    """
    x = _to_channels_last(as_tensor(x), data_format, "conv")
    kernel = as_tensor(kernel, x)
    attributes = ops.conv.conv_attributes(x.shape, kernel.shape, strides, padding, dilation_rate, groups)
    inputs = (x, kernel) if bias is None else (x, kernel, as_tensor(bias, x))
    y = ops.Conv.apply(*inputs, **attributes)
    return _from_channels_last(y, data_format)


def conv_transpose(x: TensorLike, kernel: TensorLike, bias: TensorLike | None = None,
                   strides: Any = 1, padding: str = "valid", output_padding: Any = None,
                   dilation_rate: Any = 1, data_format: str = "channels_last") -> Tensor:
    """N-d transposed convolution, the gradient of :func:`conv` w.r.t. its input, as Keras sizes it.

    ``kernel`` has Keras's shape ``(*kernel_size, filters, in_channels)``. Each input pixel adds
    ``x[n, i, j, :] @ W[a, b]^T`` at output position ``(i*s + a*d, j*s + b*d)``, then the result is
    cropped to Keras's output size (``padding``, ``output_padding``) and ``bias`` added. Gradients:
    ``dL/dx = P W`` and ``dL/dW = P^T x`` with ``P`` the im2col matrix of ``g``; ``dL/db = sum g``.

    Example:
        >>> import axon, numpy as np
        >>> from axon.engine import functional as F
        >>> x = axon.Tensor(np.array([[[1.0], [2.0]]]))
        >>> F.conv_transpose(x, np.ones((2, 1, 1)), strides=2).numpy()[0, :, 0].tolist()
        [1.0, 1.0, 2.0, 2.0]
    """
    x = _to_channels_last(as_tensor(x), data_format, "conv_transpose")
    kernel = as_tensor(kernel, x)
    attributes = ops.conv.conv_transpose_attributes(x.shape, kernel.shape, strides, padding,
                                                    output_padding, dilation_rate)
    inputs = (x, kernel) if bias is None else (x, kernel, as_tensor(bias, x))
    y = ops.ConvTranspose.apply(*inputs, **attributes)
    return _from_channels_last(y, data_format)


# ---- reductions --------------------------------------------------------------------------------
def _axis(axis: Any) -> Any:
    return tuple(axis) if isinstance(axis, list) else axis


def _count(shape: tuple[int, ...], axis: Any) -> int:
    if axis is None:
        return math.prod(shape)
    axes = (axis,) if isinstance(axis, int) else axis
    return math.prod(shape[a] for a in axes)


def sum(x: TensorLike, axis: Any = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    """``sum_i x_i`` over ``axis``; gradient ``g`` broadcast back to every summed entry."""
    return ops.Sum.apply(as_tensor(x), axis=_axis(axis), keepdims=keepdims)


def mean(x: TensorLike, axis: Any = None, keepdims: bool = False) -> Tensor:
    """``(1/n) sum_i x_i`` over ``axis`` (composite); gradient ``g / n`` to every entry."""
    x = as_tensor(x)
    return sum(x, axis, keepdims) * (1.0 / _count(x.shape, _axis(axis)))


def max(x: TensorLike, axis: Any = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    """``max_i x_i`` over ``axis``; the gradient goes to the maximum (shared at ties)."""
    return ops.Max.apply(as_tensor(x), axis=_axis(axis), keepdims=keepdims)


def min(x: TensorLike, axis: Any = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    """``min_i x_i = -max_i(-x_i)`` over ``axis`` (composite)."""
    return neg(max(neg(x), axis, keepdims))


def var(x: TensorLike, axis: Any = None, keepdims: bool = False) -> Tensor:
    """Population variance ``mean((x - mean(x))**2)`` over ``axis`` (composite);
    gradient ``g * 2 (x - mean(x)) / n``."""
    x = as_tensor(x)
    deviation = x - mean(x, axis, keepdims=True)
    return mean(deviation * deviation, axis, keepdims)


def std(x: TensorLike, axis: Any = None, keepdims: bool = False) -> Tensor:
    """Population standard deviation ``sqrt(var(x))`` (composite)."""
    return sqrt(var(x, axis, keepdims))


# ---- movement ----------------------------------------------------------------------------------
def reshape(x: TensorLike, shape: tuple[int, ...]) -> Tensor:
    """The same entries in a new shape (one entry may be -1); gradient reshaped back."""
    return ops.Reshape.apply(as_tensor(x), shape=tuple(shape))


def transpose(x: TensorLike, axes: tuple[int, ...] | None = None) -> Tensor:
    """Permute the axes (reverse them by default); gradient permuted back."""
    return ops.Transpose.apply(as_tensor(x), axes=None if axes is None else tuple(axes))


def broadcast_to(x: TensorLike, shape: tuple[int, ...]) -> Tensor:
    """Copy ``x`` along new and size-1 axes to ``shape``; gradient summed over the copies."""
    return ops.BroadcastTo.apply(as_tensor(x), shape=tuple(shape))


def expand_dims(x: TensorLike, axis: int) -> Tensor:
    """Insert a size-1 axis at ``axis`` (composite: a reshape)."""
    x = as_tensor(x)
    axis = axis % (x.ndim + 1)
    return reshape(x, x.shape[:axis] + (1,) + x.shape[axis:])


def squeeze(x: TensorLike, axis: int | None = None) -> Tensor:
    """Remove size-1 axes (all, or the one at ``axis``) (composite: a reshape)."""
    x = as_tensor(x)
    if axis is None:
        return reshape(x, tuple(n for n in x.shape if n != 1))
    axis = axis % x.ndim
    if x.shape[axis] != 1:
        raise ValueError(f"squeeze expects axis {axis} of size 1. Received: shape={x.shape}")
    return reshape(x, x.shape[:axis] + x.shape[axis + 1:])


def _plain_index(index: Any) -> Any:
    if isinstance(index, Tensor):
        return index.data
    if isinstance(index, list):
        return xp.asarray(index)
    if isinstance(index, tuple):
        return tuple(_plain_index(part) for part in index)
    return index


def getitem(x: TensorLike, index: Any) -> Tensor:
    """``x[index]`` (NumPy indexing); gradient scattered back (summed where entries repeat)."""
    return ops.GetItem.apply(as_tensor(x), index=_plain_index(index))


def pad(x: TensorLike, pad_width: Any, constant_values: float = 0) -> Tensor:
    """Add constant entries around ``x``; ``pad_width`` is an int, a pair, or a pair per axis.
    Gradient: the un-padded slice of ``g``."""
    x = as_tensor(x)
    widths = xp.broadcast_to(xp.asarray(pad_width, dtype=int), (x.ndim, 2)).tolist()
    return ops.Pad.apply(x, pad_width=tuple(map(tuple, widths)), constant_values=constant_values)


def concatenate(tensors: list[TensorLike], axis: int = 0) -> Tensor:
    """Join tensors along an existing ``axis``; each gets its block of the gradient."""
    tensors = [as_tensor(t) for t in tensors]
    if not tensors:
        raise ValueError("concatenate expects at least one tensor. Received: an empty list")
    return ops.Concatenate.apply(*tensors, axis=axis)


def stack(tensors: list[TensorLike], axis: int = 0) -> Tensor:
    """Join same-shaped tensors along a new ``axis`` (composite: expand_dims + concatenate)."""
    return concatenate([expand_dims(t, axis) for t in tensors], axis=axis)


# ---- pooling -----------------------------------------------------------------------------------
def _pool_input(x: TensorLike) -> Tensor:
    """``x`` as a Tensor; integer and boolean inputs become the default float type (a mean or a
    ``-inf`` pad needs floats). Such inputs carry no gradient, so nothing is lost."""
    x = as_tensor(x)
    if x.dtype.kind != "f":
        x = Tensor(x.data.astype(backend.floatx()))
    return x


def max_pool(x: TensorLike, pool_size: Any, strides: Any = None, padding: str = "valid",
             data_format: str = "channels_last") -> Tensor:
    """Maximum over windows of ``pool_size`` moved by ``strides`` (default: ``pool_size``) over
    the spatial axes (1-D, 2-D, ...); ``padding='same'`` pads as Keras does (with ``-inf``).
    The gradient goes to each window's first maximum (see :class:`axon.engine.ops.MaxPool`).
    Integer inputs are converted to the default float type (``axon.backend.floatx()``).

    Example:
        >>> import axon, numpy as np
        >>> from axon.engine import functional as F
        >>> F.max_pool(axon.Tensor(np.arange(8.0).reshape(1, 4, 2)), 2).numpy()[0].tolist()
        [[2.0, 3.0], [6.0, 7.0]]
    """
    x = _pool_input(x)
    return ops.MaxPool.apply(x, **ops.pooling.pool_arguments(
        x.shape, pool_size, strides, padding, data_format, "max_pool"))


def avg_pool(x: TensorLike, pool_size: Any, strides: Any = None, padding: str = "valid",
             data_format: str = "channels_last") -> Tensor:
    """Mean over windows of ``pool_size`` moved by ``strides`` (default: ``pool_size``) over the
    spatial axes; with ``padding='same'`` each window is divided by its number of real
    (unpadded) entries, as in Keras. Gradient: ``g / count`` to every entry of the window.
    Integer inputs are averaged in the default float type (``axon.backend.floatx()``)."""
    x = _pool_input(x)
    return ops.AvgPool.apply(x, **ops.pooling.pool_arguments(
        x.shape, pool_size, strides, padding, data_format, "avg_pool"))


# ---- normalization -----------------------------------------------------------------------------
def standardize(x: TensorLike, axis: Any = -1, epsilon: float = 1e-3,
                moments: list | None = None) -> Tensor:
    """``(x - mean(x)) / sqrt(var(x) + epsilon)`` over ``axis`` (an int or a tuple; biased
    variance), fused; gradient ``s * (g - mean(g) - y * mean(g * y))``, ``s = 1/sqrt(var + epsilon)``.

    The core of batch and layer normalization. Given a list as ``moments``, the mean and the
    variance it computed (arrays, the reduced axes kept as size 1) are appended to it, so batch
    normalization updates its moving statistics without computing them again.

    Example:
        >>> import axon
        >>> from axon.engine import functional as F
        >>> F.standardize(axon.Tensor([[1.0, 3.0]]), axis=-1, epsilon=0.0).numpy().tolist()
        [[-1.0, 1.0]]
    """
    x = as_tensor(x)
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    return ops.Normalize.apply(x, axes=tuple(sorted(a % x.ndim for a in axes)),
                               epsilon=float(epsilon), moments=moments)


def batch_normalize(x: TensorLike, axis: Any, epsilon: float = 1e-3,
                    gamma: TensorLike | None = None, beta: TensorLike | None = None,
                    moments: list | None = None) -> Tensor:
    """``gamma * standardize(x) + beta`` over ``axis`` in one node, with ``gamma`` and ``beta``
    constant along ``axis`` (shaped like the statistics, e.g. ``(1, 1, 1, C)`` for a
    channels-last batch over axes 0-2); gradients ``sum(g)``, ``sum(g * xhat)`` and
    ``s * gamma * (g - mean(g) - xhat * mean(g * xhat))``. ``moments`` as in
    :func:`standardize`."""
    x = as_tensor(x)
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    axes = tuple(sorted(a % x.ndim for a in axes))
    stat_shape = tuple(1 if i in axes else n for i, n in enumerate(x.shape))
    affine = [as_tensor(t, x) for t in (gamma, beta) if t is not None]
    for name, t in zip([n for n, t in (("gamma", gamma), ("beta", beta)) if t is not None], affine):
        if t.shape != stat_shape:
            raise ValueError(f"batch_normalize expects {name} of shape {stat_shape} (the "
                             f"statistics' shape). Received: {name}.shape={t.shape}")
    return ops.BatchNormalize.apply(x, *affine, axes=axes, epsilon=float(epsilon),
                                    scaled=gamma is not None, shifted=beta is not None,
                                    moments=moments)


# ---- whole recurrences -------------------------------------------------------------------------
def lstm_sequence(p: TensorLike, h0: TensorLike, c0: TensorLike, recurrent_kernel: TensorLike,
                  mask: Any = None, dropout: Any = None,
                  zero_output_for_mask: bool = False) -> Tensor:
    """The whole LSTM recurrence (tanh, sigmoid) in one node, from ``p = x W + b`` ``(T, N, 4u)``;
    ``mask`` ``(T, N, 1)`` bool and ``dropout`` ``(N, u)`` are arrays (formulas and gradient:
    :class:`axon.engine.ops.LSTMSequence`). Returns ``(T + 2, N, u)``: the outputs, ``h_T``, ``c_T``."""
    return ops.LSTMSequence.apply(as_tensor(p), as_tensor(h0), as_tensor(c0),
                                  as_tensor(recurrent_kernel), mask=mask, dropout=dropout,
                                  zero_output_for_mask=zero_output_for_mask)


def gru_sequence(p: TensorLike, h0: TensorLike, recurrent_kernel: TensorLike,
                 recurrent_bias: TensorLike, mask: Any = None, dropout: Any = None,
                 zero_output_for_mask: bool = False) -> Tensor:
    """The whole GRU recurrence (``reset_after=True``) in one node, as :func:`lstm_sequence`
    (see :class:`axon.engine.ops.GRUSequence`). Returns ``(T + 1, N, u)``: the outputs, ``h_T``."""
    return ops.GRUSequence.apply(as_tensor(p), as_tensor(h0), as_tensor(recurrent_kernel),
                                 as_tensor(recurrent_bias), mask=mask, dropout=dropout,
                                 zero_output_for_mask=zero_output_for_mask)


# ---- softmax family ----------------------------------------------------------------------------
def logsumexp(x: TensorLike, axis: int = -1, keepdims: bool = False) -> Tensor:
    """``ln(sum_i e**x_i)`` over ``axis``, computed stably; gradient ``g * softmax(x)``."""
    return ops.LogSumExp.apply(as_tensor(x), axis=axis, keepdims=keepdims)


def softmax(x: TensorLike, axis: int = -1) -> Tensor:
    """``e**x_i / sum_j e**x_j`` over ``axis``; gradient ``y * (g - sum_j g_j y_j)``."""
    return ops.Softmax.apply(as_tensor(x), axis=axis)


def log_softmax(x: TensorLike, axis: int = -1) -> Tensor:
    """``x_i - ln(sum_j e**x_j)`` over ``axis``; gradient ``g - softmax(x) * sum_j g_j``."""
    return ops.LogSoftmax.apply(as_tensor(x), axis=axis)


def softmax_cross_entropy(logits: TensorLike, targets: TensorLike) -> Tensor:
    """Per-sample ``-sum_i t_i log_softmax(z)_i`` over the last axis (fused, stable)."""
    logits = as_tensor(logits)
    return ops.SoftmaxCrossEntropy.apply(logits, as_tensor(targets, logits))


def sparse_softmax_cross_entropy(logits: TensorLike, labels: Any) -> Tensor:
    """Per-sample ``-log_softmax(z)_k`` for integer labels ``k`` (fused, stable)."""
    labels = labels.data if isinstance(labels, Tensor) else xp.asarray(labels)
    return ops.SparseSoftmaxCrossEntropy.apply(
        as_tensor(logits), Tensor._from_op(labels.astype(xp.intp, copy=False), None))


def sigmoid_cross_entropy(logits: TensorLike, targets: TensorLike) -> Tensor:
    """Elementwise binary cross-entropy of ``t`` against ``sigmoid(z)`` (fused, stable)."""
    logits = as_tensor(logits)
    return ops.SigmoidCrossEntropy.apply(logits, as_tensor(targets, logits))


# ---- activations -------------------------------------------------------------------------------
def linear(x: TensorLike) -> Tensor:
    """Identity ``y = x``; gradient ``g``."""
    return as_tensor(x)


def step(x: TensorLike) -> Tensor:
    """Heaviside ``y = [x > 0]``; gradient 0 (the perceptron's activation)."""
    return ops.Step.apply(as_tensor(x))


def sigmoid(x: TensorLike) -> Tensor:
    """``1 / (1 + e**-x)``; gradient ``g * y (1 - y)``."""
    return ops.Sigmoid.apply(as_tensor(x))


def tanh(x: TensorLike) -> Tensor:
    """``tanh(x)``; gradient ``g * (1 - y**2)``."""
    return ops.Tanh.apply(as_tensor(x))


def relu(x: TensorLike) -> Tensor:
    """``max(x, 0)``; gradient ``g * [x > 0]``."""
    return ops.Relu.apply(as_tensor(x))


def leaky_relu(x: TensorLike, negative_slope: float = 0.2) -> Tensor:
    """``x if x > 0 else negative_slope * x`` (composite; Keras's default slope 0.2);
    gradient ``g`` or ``g * negative_slope``."""
    x = as_tensor(x)
    return where(x.data > 0, x, x * negative_slope)


def elu(x: TensorLike, alpha: float = 1.0) -> Tensor:
    """``x if x > 0 else alpha * (e**x - 1)`` (composite); gradient ``g`` or ``g * alpha * e**x``.

    ``e**x`` is taken of ``min(x, 0)`` so the unused branch never overflows into a NaN gradient.
    """
    x = as_tensor(x)
    return where(x.data > 0, x, (exp(minimum(x, 0.0)) - 1.0) * alpha)


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(x: TensorLike) -> Tensor:
    """``scale * elu(x, alpha)`` with alpha ~ 1.6733, scale ~ 1.0507 (self-normalising; composite)."""
    return elu(x, _SELU_ALPHA) * _SELU_SCALE


def gelu(x: TensorLike, approximate: bool = False) -> Tensor:
    """Gaussian error linear unit ``x * Phi(x) = x/2 * (1 + erf(x / sqrt(2)))`` (composite).

    With ``approximate=True``: ``x/2 * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x**3)))``.
    Keras's default is the exact form (``approximate=False``).
    """
    x = as_tensor(x)
    if approximate:
        inner = (x + x * x * x * 0.044715) * math.sqrt(2 / math.pi)
        return x * (tanh(inner) + 1.0) * 0.5
    return x * (erf(x * (1 / math.sqrt(2))) + 1.0) * 0.5


def silu(x: TensorLike) -> Tensor:
    """SiLU / swish ``x * sigmoid(x)`` (composite); gradient ``g * (s + x s (1 - s))``."""
    x = as_tensor(x)
    return x * sigmoid(x)


swish = silu


def softplus(x: TensorLike) -> Tensor:
    """``ln(1 + e**x)``, computed stably; gradient ``g * sigmoid(x)``."""
    return ops.Softplus.apply(as_tensor(x))


def softsign(x: TensorLike) -> Tensor:
    """``x / (1 + |x|)`` (composite); gradient ``g / (1 + |x|)**2``."""
    x = as_tensor(x)
    return x / (abs(x) + 1.0)


def hard_sigmoid(x: TensorLike) -> Tensor:
    """``clip(x/6 + 1/2, 0, 1)`` (composite; Keras 3's definition, ``relu6(x + 3) / 6``);
    gradient ``g / 6`` for ``-3 < x < 3``, 0 outside."""
    x = as_tensor(x)
    return clip(x * (1 / 6) + 0.5, 0.0, 1.0)
