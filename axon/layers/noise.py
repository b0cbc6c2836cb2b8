"""Regularization by noise, and by an activity penalty.

GaussianNoise, GaussianDropout, AlphaDropout and SpatialDropout1D/2D/3D perturb their input only
when called with ``training=True`` and are the identity at inference. Each draws from a generator
of its own when given a ``seed`` (kept in ``_rng``, so checkpoints capture and restore it as they
do Dropout's), else from axon's global generator. ActivityRegularization leaves its input unchanged
and adds a penalty on it to ``layer.losses``.
"""
from __future__ import annotations

import math
from typing import Any

from axon import backend, regularizers
from axon.engine import Tensor
from axon.layers import _args, _spatial_args
from axon.layers.base import Layer

__all__ = ["GaussianNoise", "GaussianDropout", "AlphaDropout", "SpatialDropout1D",
           "SpatialDropout2D", "SpatialDropout3D", "ActivityRegularization"]

# SELU (Klambauer et al., 2017): selu(x) = scale * x for x > 0, scale * alpha * (exp(x) - 1)
# otherwise, so its negative saturation value is -scale * alpha.
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def inverted_dropout_mask(generator: Any, shape: tuple, rate: float, dtype: Any) -> Any:
    """``m / (1 - rate)`` with ``m ~ Bernoulli(1 - rate)`` drawn from ``generator`` in ``shape``
    (one uniform draw per entry, kept where it is >= ``rate``): the factor of inverted dropout,
    as a backend array of ``dtype``. Shared by Dropout, SpatialDropout and the attention layers."""
    keep = backend.from_host(generator.random(shape) >= rate)
    return keep.astype(dtype) * backend.xp.dtype(dtype).type(1.0 / (1.0 - rate))


def _identity(x):
    return x


class _NoiseLayer(Layer):
    """Shared by the noise layers: the seed and its generator, any input shape, the output shape,
    and the identity as the inference function."""

    supports_masking = True  # elementwise (or per channel) along time: a mask passes through

    def __init__(self, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.seed = _args.seed(seed, type(self).__name__)
        self._rng = backend.make_rng(seed) if seed is not None else None

    def _generator(self) -> Any:
        return self._rng or backend.rng()

    def _inference_function(self):
        # The identity is only right while ``call`` is this module's: a user subclass that
        # overrides it runs through the graph path instead.
        built_in = next(kind for kind in type(self).__mro__ if kind.__module__ == __name__)
        return _identity if self._runs_as(built_in) else None

    def _check_rank(self, shape):
        _args.single_input(self, shape)

    def check_input_shape(self, shape):
        """Any shape is accepted: the noise is drawn for the shape of each call."""
        self._check_rank(shape)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "seed": self.seed}


class GaussianNoise(_NoiseLayer):
    """Additive zero-centred Gaussian noise, active only in training: ``y = x + e``,
    ``e ~ N(0, stddev^2)`` drawn afresh for every element on every call.

    The noise does not depend on ``x``, so ``dL/dx = g`` (``g = dL/dy``) in both modes.

    Args:
        stddev: the standard deviation of the noise, a finite number >= 0.
        seed: seeds this layer's own generator; None draws from axon's global generator.

    Input shape: any. Output shape: the input's.

    Example:
        >>> import axon
        >>> layer = axon.layers.GaussianNoise(0.1, seed=0)
        >>> layer(axon.Tensor([[1.0, 2.0]])).numpy().tolist()  # inference: the identity
        [[1.0, 2.0]]
        >>> noisy = layer(axon.Tensor([[1.0, 2.0]]), training=True).numpy()
        >>> bool(abs(noisy - [[1.0, 2.0]]).max() < 1.0)
        True
    """

    def __init__(self, stddev: float, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(seed=seed, **kwargs)
        if isinstance(stddev, bool) or not isinstance(stddev, int | float) \
                or not math.isfinite(stddev) or stddev < 0:
            raise ValueError("GaussianNoise expects stddev to be a finite number >= 0. "
                             f"Received: stddev={stddev!r}")
        self.stddev = float(stddev)

    def call(self, inputs, training=False):
        if not training or self.stddev == 0:
            return inputs
        noise = self._generator().normal(0.0, self.stddev, size=inputs.shape)
        return inputs + Tensor(backend.from_host(noise, dtype=inputs.dtype))

    def get_config(self):
        return {**super().get_config(), "stddev": self.stddev}


class GaussianDropout(_NoiseLayer):
    """Multiplicative one-centred Gaussian noise, active only in training: ``y = x * e``,
    ``e ~ N(1, rate / (1 - rate))``.

    The noise has the mean and variance of inverted dropout's factor ``m / (1 - rate)``
    (``m ~ Bernoulli(1 - rate)``): mean 1, variance ``rate / (1 - rate)``.
    ``dL/dx = g * e`` in training, ``g`` at inference.

    Args:
        rate: the drop probability of the dropout it imitates, in ``[0, 1)``.
        seed: seeds this layer's own generator; None draws from axon's global generator.

    Input shape: any. Output shape: the input's.

    Example:
        >>> import axon
        >>> layer = axon.layers.GaussianDropout(0.5, seed=0)
        >>> layer(axon.Tensor([[1.0, 2.0]])).numpy().tolist()  # inference: the identity
        [[1.0, 2.0]]
        >>> layer(axon.Tensor([[1.0, 2.0]]), training=True).shape
        (1, 2)
    """

    def __init__(self, rate: float, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(seed=seed, **kwargs)
        self.rate = _args.dropout_rate(rate, "GaussianDropout")

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        stddev = math.sqrt(self.rate / (1.0 - self.rate))
        noise = self._generator().normal(1.0, stddev, size=inputs.shape)
        return inputs * Tensor(backend.from_host(noise, dtype=inputs.dtype))

    def get_config(self):
        return {**super().get_config(), "rate": self.rate}


class AlphaDropout(_NoiseLayer):
    """Dropout for SELU networks, active only in training: dropped units are set to SELU's
    negative saturation value ``a' = -scale * alpha`` (about -1.7581), then an affine map restores
    the mean and variance.

    ``y = A * (x * m + a' * (1 - m)) + B`` with ``m ~ Bernoulli(q)``, ``q = 1 - rate``,
    ``A = (q * (1 + rate * a'^2))^(-1/2)`` and ``B = -A * a' * rate``: for inputs of mean 0 and
    variance 1 the output again has mean 0 and variance 1. ``dL/dx = g * A * m`` in training,
    ``g`` at inference.

    Args:
        rate: the fraction of units to drop, in ``[0, 1)``.
        noise_shape: the shape of the mask ``m``, broadcast against the input: each entry is
            ``None`` (the input's size), 1 (one draw shared along that axis) or the input's size.
        seed: seeds this layer's own generator; None draws from axon's global generator.

    Input shape: any. Output shape: the input's.

    Example:
        >>> import axon
        >>> layer = axon.layers.AlphaDropout(0.5, seed=0)
        >>> layer(axon.Tensor([[1.0, 2.0]])).numpy().tolist()  # inference: the identity
        [[1.0, 2.0]]
        >>> dropped = layer(axon.Tensor([[0.0] * 6]), training=True).numpy().ravel().tolist()
        >>> sorted({round(v, 4) for v in dropped})  # B where kept, A * a' + B where dropped
        [-0.7792, 0.7792]
    """

    def __init__(self, rate: float, noise_shape: Any = None, seed: int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(seed=seed, **kwargs)
        self.rate = _args.dropout_rate(rate, "AlphaDropout")
        self.noise_shape = _args.noise_shape(noise_shape, "AlphaDropout")

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        saturation = -_SELU_SCALE * _SELU_ALPHA
        scale = ((1.0 - self.rate) * (1.0 + self.rate * saturation ** 2)) ** -0.5
        shift = -scale * saturation * self.rate
        keep = self._generator().random(_args.mask_shape(self, inputs.shape)) >= self.rate
        # A * (x m + a'(1 - m)) + B, written as x * (A m) + (A a' (1 - m) + B): one product
        # and one sum in the graph, and the gradient A m is the factor itself.
        factor = backend.from_host(scale * keep, dtype=inputs.dtype)
        offset = backend.from_host(scale * saturation * (1.0 - keep) + shift, dtype=inputs.dtype)
        return inputs * Tensor(factor) + Tensor(offset)

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "noise_shape": self.noise_shape}


class _SpatialDropout(_NoiseLayer):
    """Inverted dropout of whole channels: one draw per (sample, channel), shared by every
    position of that channel's feature map. Neighbouring positions of a feature map are strongly
    correlated after a convolution, so dropping single elements there regularizes little."""

    spatial_rank = 0  # the number of spatial axes (1: steps; 2: height, width; 3: depth, ...)

    def __init__(self, rate: float, data_format: str | None = None, seed: int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(seed=seed, **kwargs)
        owner = type(self).__name__
        self.rate = _args.dropout_rate(rate, owner)
        self.data_format = _spatial_args.data_format(data_format, owner)

    def _check_rank(self, shape):
        _spatial_args.check_rank(self, shape, self.spatial_rank, self.data_format)

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        channel_axis = inputs.ndim - 1 if self.data_format == "channels_last" else 1
        mask_shape = tuple(n if axis in (0, channel_axis) else 1
                           for axis, n in enumerate(inputs.shape))
        mask = inverted_dropout_mask(self._generator(), mask_shape, self.rate, inputs.dtype)
        return inputs * Tensor(mask)  # the engine sums the broadcast gradient back, per channel

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "data_format": self.data_format}


class SpatialDropout1D(_SpatialDropout):
    """Dropout of whole 1D feature maps (channels), active only in training.

    ``y[b, t, c] = x[b, t, c] * m[b, c] / (1 - rate)`` with ``m[b, c] ~ Bernoulli(1 - rate)``:
    each channel of each sample is either zeroed at every step or kept at every step and scaled
    by ``1 / (1 - rate)``. ``dL/dx[b, t, c] = g[b, t, c] * m[b, c] / (1 - rate)`` in training,
    ``g`` at inference.

    Args:
        rate: the fraction of channels to drop, in ``[0, 1)``.
        seed: seeds this layer's own generator; None draws from axon's global generator.

    Input shape: ``(batch, steps, channels)``. Output shape: the input's.

    Example:
        >>> import axon
        >>> layer = axon.layers.SpatialDropout1D(0.5, seed=0)
        >>> out = layer(axon.Tensor([[[1.0, 1.0]] * 3]), training=True).numpy()
        >>> out[0].T.tolist()  # one channel kept and doubled at every step, the other dropped
        [[2.0, 2.0, 2.0], [0.0, 0.0, 0.0]]
    """

    spatial_rank = 1

    def __init__(self, rate: float, seed: int | None = None, **kwargs: Any) -> None:
        # As Keras: no data_format; the channels are always the last axis.
        super().__init__(rate, data_format=None, seed=seed, **kwargs)

    def get_config(self):
        config = super().get_config()
        del config["data_format"]
        return config


class SpatialDropout2D(_SpatialDropout):
    """Dropout of whole 2D feature maps (channels), active only in training.

    ``y[b, h, w, c] = x[b, h, w, c] * m[b, c] / (1 - rate)`` with ``m[b, c] ~ Bernoulli(1 - rate)``
    (channels last): each channel of each sample is either zeroed everywhere or kept everywhere
    and scaled by ``1 / (1 - rate)``. ``dL/dx[b, h, w, c] = g[b, h, w, c] * m[b, c] / (1 - rate)``
    in training, ``g`` at inference.

    Args:
        rate: the fraction of channels to drop, in ``[0, 1)``.
        data_format: ``'channels_last'`` (default) or ``'channels_first'``.
        seed: seeds this layer's own generator; None draws from axon's global generator.

    Input shape: ``(batch, height, width, channels)``, or ``(batch, channels, height, width)``
    with ``'channels_first'``. Output shape: the input's.

    Example:
        >>> import axon
        >>> layer = axon.layers.SpatialDropout2D(0.5, seed=0)
        >>> out = layer(axon.Tensor([[[[1.0, 1.0]] * 2] * 2]), training=True).numpy()
        >>> out[0, :, :, 0].tolist(), out[0, :, :, 1].tolist()
        ([[2.0, 2.0], [2.0, 2.0]], [[0.0, 0.0], [0.0, 0.0]])
    """

    spatial_rank = 2


class SpatialDropout3D(_SpatialDropout):
    """Dropout of whole 3D feature maps (channels), active only in training.

    ``y[b, d, h, w, c] = x[b, d, h, w, c] * m[b, c] / (1 - rate)`` with
    ``m[b, c] ~ Bernoulli(1 - rate)`` (channels last): each channel of each sample is either
    zeroed everywhere or kept everywhere and scaled by ``1 / (1 - rate)``.
    ``dL/dx = g * m[b, c] / (1 - rate)`` in training, ``g`` at inference.

    Args:
        rate: the fraction of channels to drop, in ``[0, 1)``.
        data_format: ``'channels_last'`` (default) or ``'channels_first'``.
        seed: seeds this layer's own generator; None draws from axon's global generator.

    Input shape: ``(batch, depth, height, width, channels)``, or
    ``(batch, channels, depth, height, width)`` with ``'channels_first'``. Output shape: the
    input's.

    Example:
        >>> import axon
        >>> layer = axon.layers.SpatialDropout3D(0.5, data_format="channels_first", seed=0)
        >>> layer(axon.Tensor([[[[[1.0]]], [[[1.0]]]]]), training=True).numpy().ravel().tolist()
        [2.0, 0.0]
    """

    spatial_rank = 3


class ActivityRegularization(Layer):
    """Adds a penalty on its input to the loss and passes the input on unchanged.

    ``y = x``; the penalty ``R(x) = l1 * sum(|x|) + l2 * sum(x^2)`` (summed over the whole batch,
    not divided by its size, as in Keras) joins ``layer.losses`` on every call, so training
    minimizes ``loss + R(x)``. Through the penalty ``dR/dx = l1 * sign(x) + 2 * l2 * x``, so
    ``dL/dx = g + l1 * sign(x) + 2 * l2 * x``. It is the Layer base's activity regularizer
    (an :class:`axon.regularizers.L1L2`) applied to an identity layer.

    Args:
        l1: the L1 factor, a finite number >= 0.
        l2: the L2 factor, a finite number >= 0.

    Input shape: any. Output shape: the input's.

    Example:
        >>> import axon
        >>> layer = axon.layers.ActivityRegularization(l1=0.1, l2=0.5)
        >>> layer(axon.Tensor([[1.0, -2.0]])).numpy().tolist()
        [[1.0, -2.0]]
        >>> round(layer.losses[0].item(), 6)  # 0.1 * 3 + 0.5 * 5
        2.8
    """

    supports_masking = True  # the identity: a mask passes through

    def __init__(self, l1: float = 0.0, l2: float = 0.0, **kwargs: Any) -> None:
        for argument, value in (("l1", l1), ("l2", l2)):
            if isinstance(value, bool) or not isinstance(value, int | float) \
                    or not math.isfinite(value) or value < 0:
                raise ValueError(f"ActivityRegularization expects {argument} to be a finite "
                                 f"number >= 0. Received: {argument}={value!r}")
        super().__init__(activity_regularizer=regularizers.L1L2(l1=l1, l2=l2), **kwargs)
        self.l1, self.l2 = float(l1), float(l2)

    def call(self, inputs, training=False):
        return inputs

    def check_input_shape(self, shape):
        """Any shape is accepted: the layer is the identity."""
        _args.single_input(self, shape)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        del config["activity_regularizer"]  # rebuilt from l1 and l2
        return {**config, "l1": self.l1, "l2": self.l2}
