"""Converters of the layers with spatial axes: convolutions (plain, depthwise, separable,
transposed), pooling (1D/2D/3D), and the weightless resizers (ZeroPadding, Cropping, UpSampling,
1D/2D/3D).

Convolutions and pools ask for ONNX's ``(N, C, *spatial)`` layout; the resizers work on
whichever ONNX axes hold axon's spatial axes, so they keep the layout they are given.
"""
from __future__ import annotations

from typing import Any

import numpy as np
from onnx import TensorProto

from axon.engine.ops.conv import conv_pads, conv_transpose_geometry
from axon.layers import (
    DepthwiseConv1D,
    DepthwiseConv2D,
    GlobalAveragePooling1D,
    GlobalMaxPooling1D,
    GlobalMaxPooling2D,
    GlobalMaxPooling3D,
    Layer,
    MaxPooling1D,
    MaxPooling2D,
    MaxPooling3D,
    UpSampling2D,
)
from axon.onnx.common import activation, unsupported, weight
from axon.onnx.graph import GraphBuilder, Value, channels_first_perm

__all__ = ["conv", "separable_conv", "conv_transpose", "pool", "global_pool", "zero_padding",
           "cropping", "up_sampling"]

_INT64_MAX = 2 ** 63 - 1  # Slice's "to the end"


def _layout(layer: Layer, rank: int) -> tuple | None:
    """The layout ONNX's ``(N, C, *spatial)`` ops need, as a perm of the axon value."""
    return channels_first_perm(rank) if layer.data_format == "channels_last" else None


def _pads(layer: Layer, x: Value, kernel: tuple, strides: tuple, dilation: tuple) -> dict:
    """Keras's padding as ONNX attributes: explicit ``pads = [begins..., ends...]`` where they
    are known, else ``auto_pad='SAME_UPPER'`` (the odd entry at the end, as Keras).

    ``'same'`` pads ``dk - 1`` in all at stride 1 and ``'causal'`` pads ``dk - 1`` before,
    whatever the size ``n``; only ``'same'`` with a stride > 1 needs ``n`` (and then, as axon
    refuses strides > 1 with dilation > 1, ``dk = k``, the case onnxruntime's auto_pad runs).
    """
    spatial = (x.shape[1:-1] if layer.data_format == "channels_last" else x.shape[2:]) \
        if x.shape is not None else (None,) * len(kernel)
    if layer.padding == "valid":
        return {"pads": [0] * (2 * len(kernel))}
    spatial = [1 if n is None and (s == 1 or layer.padding == "causal") else n
               for n, s in zip(spatial, strides)]
    if any(n is None for n in spatial):
        return {"auto_pad": "SAME_UPPER"}
    pairs = [conv_pads(n, k, s, d, layer.padding)
             for n, k, s, d in zip(spatial, kernel, strides, dilation)]
    return {"pads": [p[0] for p in pairs] + [p[1] for p in pairs]}


def _onnx_kernel(kernel: np.ndarray) -> np.ndarray:
    """axon's ``(*K, a, b)`` as ONNX's ``(b, a, *K)``: Conv's ``(C_out, C_in/groups, *K)`` from
    ``(*K, C_in/groups, C_out)``, ConvTranspose's ``(C_in, C_out, *K)`` from ``(*K, C_out, C_in)``."""
    n = kernel.ndim - 2
    return kernel.transpose(n + 1, n, *range(n))


def _depthwise_as_grouped(kernel: np.ndarray) -> tuple[np.ndarray, int]:
    """A depthwise kernel ``(*K, C, m)`` seen as the grouped ``(*K, 1, C*m)`` with ``C`` groups
    (output channel ``c*m + k``, as axon orders them)."""
    return kernel.reshape(*kernel.shape[:-2], 1, -1), kernel.shape[-2]


def conv(b: GraphBuilder, layer: Any, inputs: list[Value]) -> Value:
    """``Conv`` with the kernel ``(*K, C_in/groups, C_out)`` transposed to ONNX's
    ``(C_out, C_in/groups, *K)``; a depthwise kernel ``(*K, C, m)`` is first seen as
    ``(*K, 1, C*m)`` with ``group = C``."""
    x, n = inputs[0], layer.rank
    perm = _layout(layer, n + 2)
    kernel = weight(layer.kernel)
    groups = getattr(layer, "groups", 1)
    if isinstance(layer, DepthwiseConv1D | DepthwiseConv2D):
        kernel, groups = _depthwise_as_grouped(kernel)
    arguments = [b.arranged(x, perm), b.const(_onnx_kernel(kernel), "kernel")]
    if layer.bias is not None:
        arguments.append(b.const(weight(layer.bias), "bias"))
    y = b.node("Conv", arguments, kernel_shape=list(layer.kernel_size),
               strides=list(layer.strides), dilations=list(layer.dilation_rate), group=groups,
               **_pads(layer, x, layer.kernel_size, layer.strides, layer.dilation_rate))
    return activation(b, layer.activation, Value(y, perm), layer)


def separable_conv(b: GraphBuilder, layer: Any, inputs: list[Value]) -> Value:
    """SeparableConv1D/2D: the depthwise ``Conv`` (``group = C``, the layer's strides, dilation
    and padding, no bias), then a 1x1 ``Conv`` with the pointwise kernel and the bias."""
    x, n = inputs[0], layer.rank
    perm = _layout(layer, n + 2)
    depthwise, groups = _depthwise_as_grouped(weight(layer.depthwise_kernel))
    z = b.node("Conv", [b.arranged(x, perm), b.const(_onnx_kernel(depthwise), "depthwise_kernel")],
               kernel_shape=list(layer.kernel_size), strides=list(layer.strides),
               dilations=list(layer.dilation_rate), group=groups,
               **_pads(layer, x, layer.kernel_size, layer.strides, layer.dilation_rate))
    arguments = [z, b.const(_onnx_kernel(weight(layer.pointwise_kernel)), "pointwise_kernel")]
    if layer.bias is not None:
        arguments.append(b.const(weight(layer.bias), "bias"))
    y = b.node("Conv", arguments, kernel_shape=[1] * n)
    return activation(b, layer.activation, Value(y, perm), layer)


def _transpose_pads(layer: Any) -> tuple[list[int], list[int]]:
    """``(pads, output_padding)`` of ONNX's ConvTranspose giving Keras's output size.

    The full result of ``L`` inputs spans ``(L - 1)*s + dk`` positions; axon keeps ``out``
    of them from ``p0`` on (``conv_transpose_geometry``), zeros past the end. ONNX keeps
    ``(L - 1)*s + dk + output_padding - begin - end`` from ``begin``. So ``begin = p0`` and
    the excess ``out - full + p0`` (the same for every ``L``: both grow by ``s`` per input) is
    cropped by ``end = -excess`` or, when positive, appended as ``output_padding = excess``.
    """
    extra = layer.output_padding or (None,) * layer.rank
    begins, ends, output_padding = [], [], []
    for k, s, d, p in zip(layer.kernel_size, layer.strides, layer.dilation_rate, extra):
        out, begin = conv_transpose_geometry(1, k, s, d, layer.padding, p)
        excess = out - ((k - 1) * d + 1) + begin
        begins.append(begin)
        ends.append(max(-excess, 0))
        output_padding.append(max(excess, 0))
    return begins + ends, output_padding


def conv_transpose(b: GraphBuilder, layer: Any, inputs: list[Value]) -> Value:
    """``ConvTranspose`` (each input pixel adds ``x @ W[a]^T`` at ``i*s + a*d``, as axon) with
    the kernel ``(*K, filters, C_in)`` transposed to ONNX's ``(C_in, filters, *K)``, and the
    ``pads``/``output_padding`` of :func:`_transpose_pads` (sizes of no matter: any input size)."""
    x, n = inputs[0], layer.rank
    perm = _layout(layer, n + 2)
    pads, output_padding = _transpose_pads(layer)
    arguments = [b.arranged(x, perm), b.const(_onnx_kernel(weight(layer.kernel)), "kernel")]
    if layer.bias is not None:
        arguments.append(b.const(weight(layer.bias), "bias"))
    y = b.node("ConvTranspose", arguments, kernel_shape=list(layer.kernel_size),
               strides=list(layer.strides), dilations=list(layer.dilation_rate), pads=pads,
               output_padding=output_padding)
    return activation(b, layer.activation, Value(y, perm), layer)


def pool(b: GraphBuilder, layer: Any, inputs: list[Value]) -> Value:
    """``MaxPool``/``AveragePool``; padded entries never count (ONNX's max ignores pads, and
    ``count_include_pad=0`` averages only the real entries, as Keras)."""
    x = inputs[0]
    perm = _layout(layer, x.rank)
    ones = (1,) * len(layer.pool_size)
    attributes = {"kernel_shape": list(layer.pool_size), "strides": list(layer.strides),
                  **_pads(layer, x, layer.pool_size, layer.strides, ones)}
    if isinstance(layer, MaxPooling1D | MaxPooling2D | MaxPooling3D):
        y = b.node("MaxPool", [b.arranged(x, perm)], **attributes)
    else:
        y = b.node("AveragePool", [b.arranged(x, perm)], count_include_pad=0, **attributes)
    return Value(y, perm)


def global_pool(b: GraphBuilder, layer: Any, inputs: list[Value]) -> Value:
    """``ReduceMean``/``ReduceMax`` over the spatial axes, in whatever layout ``x`` is; without
    ``keepdims`` the remaining axes (batch, channels) keep their relative ONNX order. With a
    mask, GlobalAveragePooling1D averages the real steps only (:func:`_masked_mean`)."""
    x = inputs[0]
    axes = layer._axes
    is_max = isinstance(layer, GlobalMaxPooling1D | GlobalMaxPooling2D | GlobalMaxPooling3D)
    op = "ReduceMax" if is_max else "ReduceMean"
    if x.mask is not None and isinstance(layer, GlobalAveragePooling1D):
        y = _masked_mean(b, layer, x)
    else:
        y = b.reduce(op, x.name, sorted(x.onnx_axis(a) for a in axes), layer.keepdims)
    if layer.keepdims or x.perm is None:
        return Value(y, x.perm)
    remaining = [a for a in x.perm if a not in axes]
    return Value(y, tuple(sorted(remaining).index(a) for a in remaining))


def _masked_mean(b: GraphBuilder, layer: Any, x: Value) -> str:
    """``y[b, c] = sum_t m[b, t] x[b, t, c] / sum_t m[b, t]`` (masked steps excluded even if they
    hold NaN: ``Where``; all steps masked gives NaN, as in axon), with the mask ``(N, T)`` given
    a size-1 axis where ``x``'s channel axis sits in ONNX."""
    channel = 2 if layer.data_format == "channels_last" else 1
    time = [x.onnx_axis(layer._axes[0])]
    mask = b.unsqueeze(x.mask, [x.onnx_axis(channel)])
    total = b.reduce("ReduceSum", b.node("Where", [mask, x.name, b.const(0.0)]), time,
                     layer.keepdims)
    count = b.reduce("ReduceSum", b.node("Cast", [mask], to=TensorProto.FLOAT), time,
                     layer.keepdims)
    return b.node("Div", [total, count])


# ---- weightless resizing ----------------------------------------------------------------------
def zero_padding(b: GraphBuilder, layer: Any, inputs: list[Value]) -> Value:
    """``Pad`` (constant 0) with ``pads = [begins..., ends...]`` over the ONNX axes, the
    layer's ``(before, after)`` on the ONNX axes that hold axon's spatial axes."""
    x = inputs[0]
    pairs = [layer.padding] if isinstance(layer.padding[0], int) else list(layer.padding)
    begins, ends = [0] * x.rank, [0] * x.rank
    for axis, (before, after) in zip(layer._axes, pairs):
        begins[x.onnx_axis(axis)], ends[x.onnx_axis(axis)] = before, after
    return Value(b.node("Pad", [x.name, b.ints(begins + ends, "pads")]), x.perm)


def cropping(b: GraphBuilder, layer: Any, inputs: list[Value]) -> Value:
    """``Slice`` from ``before`` to ``-after`` (to the end when ``after = 0``) on the ONNX axes
    that hold axon's spatial axes: ``y = x[before : n - after]``."""
    x = inputs[0]
    axes = [x.onnx_axis(a) for a in layer._axes]
    starts = [before for before, _ in layer.cropping]
    ends = [-after if after else _INT64_MAX for _, after in layer.cropping]
    return Value(b.node("Slice", [x.name, b.ints(starts, "starts"), b.ints(ends, "ends"),
                                  b.ints(axes)]), x.perm)


def up_sampling(b: GraphBuilder, layer: Any, inputs: list[Value]) -> Value:
    """``Resize`` by the integer factors on the spatial axes.

    ``'nearest'``: ``y[i] = x[floor(i / s)]``, ONNX's ``asymmetric`` coordinates with
    ``nearest_mode='floor'``, in ``x``'s layout. ``'bilinear'`` (UpSampling2D): ``mode='linear'``
    with ``half_pixel`` coordinates, output ``i`` sampling ``u = (i + 0.5)/s - 0.5`` clamped to the
    edge entries: axon's triangle weights (normalized, so clamped at the borders) are these.
    It runs in ``(N, C, H, W)``, the layout onnxruntime's linear Resize takes.
    """
    x = inputs[0]
    sizes = (layer.size,) if isinstance(layer.size, int) else tuple(layer.size)
    bilinear = isinstance(layer, UpSampling2D) and layer.interpolation == "bilinear"
    if bilinear:
        x = Value(b.arranged(x, _layout(layer, 4)), _layout(layer, 4), x.shape)
    scales = [1.0] * x.rank
    for axis, size in zip(layer._axes, sizes):
        scales[x.onnx_axis(axis)] = float(size)
    if bilinear:
        attributes = {"mode": "linear", "coordinate_transformation_mode": "half_pixel"}
    elif getattr(layer, "interpolation", "nearest") == "nearest":
        attributes = {"mode": "nearest", "coordinate_transformation_mode": "asymmetric",
                      "nearest_mode": "floor"}
    else:
        raise unsupported(layer, f"interpolation={layer.interpolation!r}",
                          "only 'nearest' and 'bilinear' have an exact ONNX Resize.")
    y = b.node("Resize", [x.name, "", b.const(scales, "scales")], **attributes)
    return Value(y, x.perm)
