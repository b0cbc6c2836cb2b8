"""Convolution layers: Conv1D/2D/3D, DepthwiseConv1D/2D, SeparableConv1D/2D, Conv1D/2D/3DTranspose.

All compute through :func:`axon.engine.functional.conv` / ``conv_transpose`` (im2col + one matmul,
see :mod:`axon.engine.ops.conv`), channels-last inside; a ``channels_first`` layer transposes its
input and output at the boundary. As in Keras, the spatial size of the input may change from call
to call; only the channel axis is fixed by ``build``.
"""
from __future__ import annotations

import numbers
from typing import Any

from axon import activations, initializers
from axon.engine import functional as F
from axon.engine.ops import conv as conv_geometry
from axon.layers import _args
from axon.layers.base import Layer

__all__ = ["Conv1D", "Conv2D", "Conv3D", "DepthwiseConv1D", "DepthwiseConv2D", "SeparableConv1D",
           "SeparableConv2D", "Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose"]

_AXES = {1: "steps", 2: "height, width", 3: "depth, height, width"}


def _tuple(value: Any, rank: int, argument: str, owner: str, minimum: int = 1) -> tuple:
    """Keras's ``standardize_tuple``: an int or ``rank`` ints, each ``>= minimum``."""
    values = (value,) * rank if isinstance(value, numbers.Integral) else value
    try:
        values = tuple(values)
    except TypeError:
        values = ()
    if len(values) != rank or not all(isinstance(v, numbers.Integral) and not isinstance(v, bool)
                                      and v >= minimum for v in values):
        raise ValueError(f"{owner} expects {argument} to be an integer >= {minimum} or a tuple of "
                         f"{rank} of them. Received: {argument}={value!r}")
    return tuple(int(v) for v in values)


class _BaseConv(Layer):
    """Shared by every convolution layer: geometry arguments, input checks, output shapes.

    Subclasses set ``rank`` and write ``build``/``call``/``_spatial_output``.
    """

    rank = 2
    allowed_padding = ("valid", "same")

    def __init__(self, kernel_size: Any, strides: Any = 1, padding: str = "valid",
                 data_format: str | None = None, dilation_rate: Any = 1, activation: Any = None,
                 use_bias: bool = True, bias_initializer: Any = "zeros", bias_regularizer: Any = None,
                 bias_constraint: Any = None, activity_regularizer: Any = None, **kwargs: Any) -> None:
        owner = type(self).__name__
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.kernel_size = _tuple(kernel_size, self.rank, "kernel_size", owner)
        self.strides = _tuple(strides, self.rank, "strides", owner)
        self.dilation_rate = _tuple(dilation_rate, self.rank, "dilation_rate", owner)
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:  # Keras refuses it too
            raise ValueError(f"{owner} does not support strides > 1 together with dilation_rate > 1. "
                             f"Received: strides={self.strides} and dilation_rate={self.dilation_rate}")
        self.padding = padding.lower() if isinstance(padding, str) else padding
        if self.padding not in self.allowed_padding:
            raise ValueError(f"{owner} expects padding to be one of {self.allowed_padding}. "
                             f"Received: padding={padding!r}")
        data_format = "channels_last" if data_format is None else data_format
        self.data_format = data_format.lower() if isinstance(data_format, str) else data_format
        if self.data_format not in ("channels_last", "channels_first"):
            raise ValueError(f"{owner} expects data_format 'channels_last' or 'channels_first'. "
                             f"Received: data_format={data_format!r}")
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.bias_initializer = initializers.get(bias_initializer)
        self.bias_regularizer = _args.get_regularizer(bias_regularizer)
        self.bias_constraint = _args.get_constraint(bias_constraint, "bias_constraint", owner)

    # ---- shapes -------------------------------------------------------------------------------
    def _channel_axis(self) -> int:
        return -1 if self.data_format == "channels_last" else 1

    def _spatial(self, shape: tuple) -> tuple:
        return tuple(shape[1:-1]) if self.data_format == "channels_last" else tuple(shape[2:])

    def _describe(self) -> str:
        axes = _AXES[self.rank]
        return (f"(batch, {axes}, channels)" if self.data_format == "channels_last"
                else f"(batch, channels, {axes})")

    def _check_rank(self, shape: Any) -> None:
        _args.single_input(self, shape)
        if len(shape) != self.rank + 2:
            raise ValueError(f"Layer '{self.name}' ({type(self).__name__}) expects an input of rank "
                             f"{self.rank + 2} {self._describe()}. Received: shape={tuple(shape)}")
        if shape[self._channel_axis()] is None:
            raise ValueError(f"Layer '{self.name}' ({type(self).__name__}) needs the channel axis of "
                             f"its input to be known. Received: shape={tuple(shape)}")
        self._check_spatial(shape)

    def check_input_shape(self, shape: Any) -> None:
        """Rank and channels must match the build; the spatial size may vary (as in Keras)."""
        self._check_rank(shape)
        expected = self._build_input_shape[self._channel_axis()]
        if shape[self._channel_axis()] != expected:
            raise ValueError(f"Layer '{self.name}' ({type(self).__name__}) expected {expected} channels "
                             f"(as built), got {shape[self._channel_axis()]}. Received: "
                             f"shape={tuple(shape)}")

    def _check_spatial(self, shape: tuple) -> None:
        """The (dilated) kernel must fit in the padded input."""

    def compute_output_shape(self, input_shape: Any) -> tuple:
        input_shape = tuple(input_shape)
        self._check_spatial(input_shape)
        spatial = self._spatial_output(self._spatial(input_shape))
        channels = self._output_channels(input_shape[self._channel_axis()])
        if self.data_format == "channels_last":
            return (input_shape[0], *spatial, channels)
        return (input_shape[0], channels, *spatial)

    def _spatial_output(self, spatial: tuple) -> tuple:
        return tuple(conv_geometry.conv_output_length(n, k, s, d, self.padding) for n, k, s, d in
                     zip(spatial, self.kernel_size, self.strides, self.dilation_rate))

    def _too_small(self, shape: tuple) -> None:
        for n, k, s, d in zip(self._spatial(shape), self.kernel_size, self.strides, self.dilation_rate):
            if n is None:
                continue
            p0, p1 = conv_geometry.conv_pads(n, k, s, d, self.padding)
            if n + p0 + p1 < conv_geometry.dilated(k, d):
                raise ValueError(
                    f"Layer '{self.name}' ({type(self).__name__}): the kernel {self.kernel_size} "
                    f"(dilation_rate={self.dilation_rate}) is larger than the input's spatial size "
                    f"{self._spatial(shape)} with padding={self.padding!r}. Received: "
                    f"shape={tuple(shape)}")

    def _finish(self, y):
        return self.activation(y)

    def get_config(self) -> dict:
        return {**super().get_config(), "kernel_size": self.kernel_size, "strides": self.strides,
                "padding": self.padding, "data_format": self.data_format,
                "dilation_rate": self.dilation_rate,
                "activation": activations.serialize(self.activation), "use_bias": self.use_bias,
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "bias_regularizer": _args.serialize_regularizer(self.bias_regularizer),
                "bias_constraint": _args.serialize_constraint(self.bias_constraint)}

    def _add_bias(self, size: int) -> Any:
        if not self.use_bias:
            return None
        return self.add_weight("bias", (size,), self.bias_initializer,
                               regularizer=self.bias_regularizer, constraint=self.bias_constraint)


class _Conv(_BaseConv):
    """``y = activation(conv(x, kernel) + bias)``, kernel ``(*kernel_size, in/groups, filters)``.

    ``y[n, i, j, o] = sum_{a, b, c} x[n, i*s + a*d, j*s + b*d, c] W[a, b, c, o] + b[o]`` on the
    zero-padded input (the sum over ``c`` runs over ``o``'s group). Backpropagation:
    ``dL/dW = P^T g`` (``P`` the im2col matrix), ``dL/dx = col2im(g W^T)``, ``dL/db = sum g``.

    Args:
        filters: number of output channels (divisible by ``groups``).
        kernel_size, strides, dilation_rate: an int or one per spatial dim. As in Keras,
            strides > 1 cannot be combined with dilation_rate > 1.
        padding: ``'valid'`` (none) or ``'same'`` (output size ``ceil(n/s)``; when the total
            padding is odd, the extra row/column goes to the bottom/right, as in Keras);
            Conv1D also takes ``'causal'`` (all padding before).
        data_format: ``'channels_last'`` (default, for ``None``) or ``'channels_first'``.
        groups: split the input channels into ``groups`` blocks, each convolved with its own
            ``filters/groups`` filters.
        activation, use_bias, kernel_initializer, bias_initializer, kernel_regularizer,
            bias_regularizer, activity_regularizer, kernel_constraint, bias_constraint: as Dense.
    """

    def __init__(self, filters: int, kernel_size: Any, strides: Any = 1, padding: str = "valid",
                 data_format: str | None = None, dilation_rate: Any = 1, groups: int = 1,
                 activation: Any = None, use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, bias_regularizer: Any = None,
                 activity_regularizer: Any = None, kernel_constraint: Any = None,
                 bias_constraint: Any = None, **kwargs: Any) -> None:
        super().__init__(kernel_size, strides, padding, data_format, dilation_rate, activation,
                         use_bias, bias_initializer, bias_regularizer, bias_constraint,
                         activity_regularizer, **kwargs)
        owner = type(self).__name__
        self.filters = _args.positive_int(filters, "filters", owner)
        self.groups = _args.positive_int(groups, "groups", owner)
        if self.filters % self.groups:
            raise ValueError(f"{owner} expects filters to be divisible by groups. Received: "
                             f"filters={filters}, groups={groups}")
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.kernel_regularizer = _args.get_regularizer(kernel_regularizer)
        self.kernel_constraint = _args.get_constraint(kernel_constraint, "kernel_constraint", owner)

    def _check_spatial(self, shape):
        channels = shape[self._channel_axis()]
        if channels is not None and channels % self.groups:
            raise ValueError(f"Layer '{self.name}' ({type(self).__name__}) expects its input "
                             f"channels to be divisible by groups={self.groups}. Received: "
                             f"{channels} channels, shape={tuple(shape)}")
        self._too_small(shape)

    def build(self, input_shape):
        channels = input_shape[self._channel_axis()]
        self.kernel = self.add_weight(
            "kernel", (*self.kernel_size, channels // self.groups, self.filters),
            self.kernel_initializer, regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint)
        self.bias = self._add_bias(self.filters)
        super().build(input_shape)

    def call(self, inputs, training=False):
        return self._finish(F.conv(inputs, self.kernel, self.bias, self.strides, self.padding,
                                   self.dilation_rate, self.groups, self.data_format))

    def _output_channels(self, channels):
        return self.filters

    def get_config(self):
        return {**super().get_config(), "filters": self.filters, "groups": self.groups,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "kernel_regularizer": _args.serialize_regularizer(self.kernel_regularizer),
                "kernel_constraint": _args.serialize_constraint(self.kernel_constraint)}


class Conv1D(_Conv):
    __doc__ = """1-D convolution over ``(batch, steps, channels)``. """ + _Conv.__doc__ + """
    Input shape: ``(batch, steps, channels)``. Output shape: ``(batch, new_steps, filters)``.

    Example:
        >>> import axon, numpy as np
        >>> from axon.layers.convolutional import Conv1D
        >>> Conv1D(4, 3, padding="causal")(np.zeros((2, 10, 3))).shape
        (2, 10, 4)
    """
    rank = 1
    allowed_padding = ("valid", "same", "causal")


class Conv2D(_Conv):
    __doc__ = """2-D convolution over images. """ + _Conv.__doc__ + """
    Input shape: ``(batch, height, width, channels)`` (channels_first: ``(batch, channels,
    height, width)``). Output shape: ``(batch, new_height, new_width, filters)``.

    Example:
        >>> import axon, numpy as np
        >>> from axon.layers.convolutional import Conv2D
        >>> Conv2D(8, 3, strides=2, padding="same")(np.zeros((2, 28, 28, 1))).shape
        (2, 14, 14, 8)
    """
    rank = 2


class Conv3D(_Conv):
    __doc__ = """3-D convolution over volumes ``(batch, depth, height, width, channels)``. """ + \
        _Conv.__doc__
    rank = 3



class _DepthwiseConv(_BaseConv):
    """Depthwise convolution: each input channel is convolved with its own ``depth_multiplier``
    filters; ``y = activation(conv(x, kernel, groups=channels) + bias)``.

    ``y[n, i, j, c*m + k] = sum_{a, b} x[n, i*s + a*d, j*s + b*d, c] W[a, b, c, k] + b[c*m + k]``
    (``m`` the depth multiplier), a grouped convolution with one group per input channel, so its
    gradients are the grouped ones: ``dL/dW = P^T g`` per channel, ``dL/dx = col2im(g W^T)``.

    Args:
        kernel_size, strides, padding, data_format, dilation_rate: as Conv2D.
        depth_multiplier: filters per input channel; the output has ``channels * depth_multiplier``.
        depthwise_initializer, depthwise_regularizer, depthwise_constraint: for the kernel
            (Keras's weight name ``kernel``, shape ``(*kernel_size, channels, depth_multiplier)``).
        activation, use_bias, bias_initializer, bias_regularizer, activity_regularizer,
            bias_constraint: as Conv2D.
    """

    def __init__(self, kernel_size: Any, strides: Any = 1, padding: str = "valid",
                 depth_multiplier: int = 1, data_format: str | None = None, dilation_rate: Any = 1,
                 activation: Any = None, use_bias: bool = True,
                 depthwise_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 depthwise_regularizer: Any = None, bias_regularizer: Any = None,
                 activity_regularizer: Any = None, depthwise_constraint: Any = None,
                 bias_constraint: Any = None, **kwargs: Any) -> None:
        super().__init__(kernel_size, strides, padding, data_format, dilation_rate, activation,
                         use_bias, bias_initializer, bias_regularizer, bias_constraint,
                         activity_regularizer, **kwargs)
        owner = type(self).__name__
        self.depth_multiplier = _args.positive_int(depth_multiplier, "depth_multiplier", owner)
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.depthwise_regularizer = _args.get_regularizer(depthwise_regularizer)
        self.depthwise_constraint = _args.get_constraint(depthwise_constraint,
                                                         "depthwise_constraint", owner)

    _check_spatial = _BaseConv._too_small

    def build(self, input_shape):
        channels = input_shape[self._channel_axis()]
        self.kernel = self.add_weight(
            "kernel", (*self.kernel_size, channels, self.depth_multiplier),
            self.depthwise_initializer, regularizer=self.depthwise_regularizer,
            constraint=self.depthwise_constraint)
        self.bias = self._add_bias(channels * self.depth_multiplier)
        super().build(input_shape)

    def call(self, inputs, training=False):
        return self._finish(_depthwise(self, inputs, self.kernel, self.bias))

    def _output_channels(self, channels):
        return None if channels is None else channels * self.depth_multiplier

    def get_config(self):
        return {**super().get_config(), "depth_multiplier": self.depth_multiplier,
                "depthwise_initializer": initializers.serialize(self.depthwise_initializer),
                "depthwise_regularizer": _args.serialize_regularizer(self.depthwise_regularizer),
                "depthwise_constraint": _args.serialize_constraint(self.depthwise_constraint)}


def _depthwise(layer: _BaseConv, inputs: Any, kernel: Any, bias: Any) -> Any:
    """The depthwise conv as a grouped conv: kernel ``(*K, C, m)`` seen as ``(*K, 1, C*m)``."""
    channels, multiplier = kernel.shape[-2], kernel.shape[-1]
    kernel = F.reshape(kernel, (*layer.kernel_size, 1, channels * multiplier))
    return F.conv(inputs, kernel, bias, layer.strides, layer.padding, layer.dilation_rate,
                  channels, layer.data_format)


class DepthwiseConv1D(_DepthwiseConv):
    __doc__ = "1-D depthwise convolution. " + _DepthwiseConv.__doc__
    rank = 1
    allowed_padding = ("valid", "same", "causal")


class DepthwiseConv2D(_DepthwiseConv):
    __doc__ = "2-D depthwise convolution. " + _DepthwiseConv.__doc__ + """
    Input shape: ``(batch, height, width, channels)``. Output shape: ``(batch, new_height,
    new_width, channels * depth_multiplier)``.

    Example:
        >>> import numpy as np
        >>> from axon.layers.convolutional import DepthwiseConv2D
        >>> layer = DepthwiseConv2D(3, depth_multiplier=2)
        >>> layer(np.zeros((1, 5, 5, 3))).shape, [w.shape for w in layer.get_weights()]
        ((1, 3, 3, 6), [(3, 3, 3, 2), (6,)])
    """
    rank = 2


class _SeparableConv(_DepthwiseConv):
    """A depthwise convolution followed by a pointwise (1x1) one mixing the channels:
    ``y = activation(conv1x1(depthwise(x, depthwise_kernel), pointwise_kernel) + bias)``.

    ``z[n, i, j, c*m + k] = sum_{a, b} x[n, i*s + a*d, j*s + b*d, c] D[a, b, c, k]``,
    ``y[n, i, j, o] = sum_q z[n, i, j, q] P[0, 0, q, o] + b[o]``; gradients by the chain rule
    through both convolutions (each ``dL/dW = P^T g``, ``dL/dx = col2im(g W^T)``).

    Args:
        filters: output channels. depth_multiplier: depthwise filters per input channel.
        depthwise_initializer, pointwise_initializer, bias_initializer and the matching
            ``*_regularizer`` / ``*_constraint``: for Keras's weights ``depthwise_kernel``
            ``(*kernel_size, channels, depth_multiplier)``, ``pointwise_kernel``
            ``(1, ..., 1, channels * depth_multiplier, filters)`` and ``bias`` ``(filters,)``.
        The rest as Conv2D.
    """

    def __init__(self, filters: int, kernel_size: Any, strides: Any = 1, padding: str = "valid",
                 data_format: str | None = None, dilation_rate: Any = 1, depth_multiplier: int = 1,
                 activation: Any = None, use_bias: bool = True,
                 depthwise_initializer: Any = "glorot_uniform",
                 pointwise_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 depthwise_regularizer: Any = None, pointwise_regularizer: Any = None,
                 bias_regularizer: Any = None, activity_regularizer: Any = None,
                 depthwise_constraint: Any = None, pointwise_constraint: Any = None,
                 bias_constraint: Any = None, **kwargs: Any) -> None:
        super().__init__(kernel_size, strides, padding, depth_multiplier, data_format,
                         dilation_rate, activation, use_bias, depthwise_initializer,
                         bias_initializer, depthwise_regularizer, bias_regularizer,
                         activity_regularizer, depthwise_constraint, bias_constraint, **kwargs)
        owner = type(self).__name__
        self.filters = _args.positive_int(filters, "filters", owner)
        self.pointwise_initializer = initializers.get(pointwise_initializer)
        self.pointwise_regularizer = _args.get_regularizer(pointwise_regularizer)
        self.pointwise_constraint = _args.get_constraint(pointwise_constraint,
                                                         "pointwise_constraint", owner)

    def build(self, input_shape):
        channels = input_shape[self._channel_axis()]
        self.depthwise_kernel = self.add_weight(
            "depthwise_kernel", (*self.kernel_size, channels, self.depth_multiplier),
            self.depthwise_initializer, regularizer=self.depthwise_regularizer,
            constraint=self.depthwise_constraint)
        self.pointwise_kernel = self.add_weight(
            "pointwise_kernel", (1,) * self.rank + (channels * self.depth_multiplier, self.filters),
            self.pointwise_initializer, regularizer=self.pointwise_regularizer,
            constraint=self.pointwise_constraint)
        self.bias = self._add_bias(self.filters)
        Layer.build(self, input_shape)

    def call(self, inputs, training=False):
        z = _depthwise(self, inputs, self.depthwise_kernel, None)
        return self._finish(F.conv(z, self.pointwise_kernel, self.bias, data_format=self.data_format))

    def _output_channels(self, channels):
        return self.filters

    def get_config(self):
        return {**super().get_config(), "filters": self.filters,
                "pointwise_initializer": initializers.serialize(self.pointwise_initializer),
                "pointwise_regularizer": _args.serialize_regularizer(self.pointwise_regularizer),
                "pointwise_constraint": _args.serialize_constraint(self.pointwise_constraint)}


class SeparableConv1D(_SeparableConv):
    __doc__ = "1-D depthwise-separable convolution. " + _SeparableConv.__doc__
    rank = 1
    allowed_padding = ("valid", "same", "causal")


class SeparableConv2D(_SeparableConv):
    __doc__ = "2-D depthwise-separable convolution. " + _SeparableConv.__doc__ + """
    Example:
        >>> import numpy as np
        >>> from axon.layers.convolutional import SeparableConv2D
        >>> layer = SeparableConv2D(4, 3, depth_multiplier=2)
        >>> layer(np.zeros((1, 5, 5, 3))).shape, [w.name for w in layer.weights]
        ((1, 3, 3, 4), ['depthwise_kernel', 'pointwise_kernel', 'bias'])
    """
    rank = 2


class _ConvTranspose(_Conv):
    """Transposed convolution ("deconvolution"): the gradient of a Conv w.r.t. its input, used as
    a layer to upsample. Kernel shape ``(*kernel_size, filters, in_channels)`` (Keras's).

    Each input pixel adds ``x[n, i, j, :] @ W[a, b]^T`` at output position
    ``(i*s + a*d, j*s + b*d)``; the sum is cropped to Keras's output size and ``bias`` added.
    Output length: ``'valid'``: ``n*s + max(dk - s, 0)``; ``'same'``: ``n*s``; with
    ``output_padding`` p: ``(n - 1)*s + dk + p`` (``'valid'``) or ``(n - 1)*s + dk % 2 + p``
    (``'same'``), ``dk = (k - 1)*d + 1``. Gradients: ``dL/dx = P W`` and ``dL/dW = P^T x`` with
    ``P`` the im2col matrix of ``g``, ``dL/db = sum g``.

    Args:
        output_padding: extra rows/columns on the bottom/right of the output, an int or one per
            spatial dim, each smaller than the stride; ``None``: inferred (as Keras).
        The rest as Conv2D (no groups).
    """

    def __init__(self, filters: int, kernel_size: Any, strides: Any = 1, padding: str = "valid",
                 output_padding: Any = None, data_format: str | None = None, dilation_rate: Any = 1,
                 activation: Any = None, use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, bias_regularizer: Any = None,
                 activity_regularizer: Any = None, kernel_constraint: Any = None,
                 bias_constraint: Any = None, **kwargs: Any) -> None:
        super().__init__(filters, kernel_size, strides, padding, data_format, dilation_rate, 1,
                         activation, use_bias, kernel_initializer, bias_initializer,
                         kernel_regularizer, bias_regularizer, activity_regularizer,
                         kernel_constraint, bias_constraint, **kwargs)
        self.output_padding = None
        if output_padding is not None:
            self.output_padding = _tuple(output_padding, self.rank, "output_padding",
                                         type(self).__name__, minimum=0)
            if any(p >= s for p, s in zip(self.output_padding, self.strides)):
                raise ValueError(f"{type(self).__name__} expects output_padding to be smaller than "
                                 f"strides in every dimension. Received: output_padding="
                                 f"{self.output_padding}, strides={self.strides}")

    def _check_spatial(self, shape):
        """Any input size works: the output is at least as large as the kernel."""

    def build(self, input_shape):
        self.kernel = self.add_weight(
            "kernel", (*self.kernel_size, self.filters, input_shape[self._channel_axis()]),
            self.kernel_initializer, regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint)
        self.bias = self._add_bias(self.filters)
        Layer.build(self, input_shape)

    def call(self, inputs, training=False):
        return self._finish(F.conv_transpose(inputs, self.kernel, self.bias, self.strides,
                                             self.padding, self.output_padding, self.dilation_rate,
                                             self.data_format))

    def _spatial_output(self, spatial):
        extra = self.output_padding or (None,) * self.rank
        return tuple(conv_geometry.conv_transpose_geometry(n, k, s, d, self.padding, p)[0]
                     for n, k, s, d, p in zip(spatial, self.kernel_size, self.strides,
                                              self.dilation_rate, extra))

    def get_config(self):
        config = {**super().get_config(), "output_padding": self.output_padding}
        del config["groups"]
        return config


class Conv1DTranspose(_ConvTranspose):
    __doc__ = "1-D transposed convolution. " + _ConvTranspose.__doc__
    rank = 1


class Conv2DTranspose(_ConvTranspose):
    __doc__ = "2-D transposed convolution. " + _ConvTranspose.__doc__ + """
    Input shape: ``(batch, height, width, channels)``. Output shape: ``(batch, new_height,
    new_width, filters)``.

    Example:
        >>> import numpy as np
        >>> from axon.layers.convolutional import Conv2DTranspose
        >>> layer = Conv2DTranspose(4, 3, strides=2, padding="same")
        >>> layer(np.zeros((1, 5, 5, 3))).shape, layer.kernel.shape
        ((1, 10, 10, 4), (3, 3, 4, 3))
    """
    rank = 2


class Conv3DTranspose(_ConvTranspose):
    __doc__ = "3-D transposed convolution. " + _ConvTranspose.__doc__
    rank = 3
