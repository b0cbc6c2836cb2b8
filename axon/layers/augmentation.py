"""Random image augmentation layers: RandomFlip, RandomTranslation, RandomRotation, RandomZoom.

Each is active only with ``training=True`` (the identity otherwise, as Keras) and draws one
transformation per image from its own seeded generator (``seed=``) or from axon's global one.
Images are ``(batch, height, width, channels)`` (``data_format='channels_last'``, the default),
``(batch, channels, height, width)`` with ``'channels_first'``, or one unbatched image.

The geometric layers map every output pixel ``(x, y)`` to a point of the input,
``x_in = a0 x + a1 y + a2``, ``y_in = b0 x + b1 y + b2``, and read the input there with bilinear
(or nearest-neighbour) interpolation; points outside the image follow ``fill_mode``
(:func:`affine_sample`). The whole batch is sampled at once, without a loop over images or
pixels. The sampling is a weighted gather of input pixels, written with differentiable ops, so
the gradient reaches the input: ``dL/dx[p] = sum of w * g over the output pixels that read p``.

Arguments shared by the geometric layers:
    fill_mode: how points outside the input are read: ``'reflect'`` (default,
        ``d c b a | a b c d | d c b a``), ``'wrap'`` (``a b c d | a b c d``), ``'constant'``
        (``fill_value``) or ``'nearest'`` (``a a | a b c d | d d``).
    interpolation: ``'bilinear'`` (default) or ``'nearest'``.
    seed: seeds the layer's own generator (None: axon's global generator).
    fill_value: the value outside the image with ``fill_mode='constant'`` (default 0).
    data_format: ``'channels_last'`` (default) or ``'channels_first'``.
"""
from __future__ import annotations

import math
import numbers
from typing import Any

from axon import backend
from axon.backend import xp
from axon.engine import Tensor
from axon.engine import functional as F
from axon.layers import _args
from axon.layers.base import Layer

__all__ = ["RandomFlip", "RandomTranslation", "RandomRotation", "RandomZoom", "affine_sample"]

FILL_MODES = ("reflect", "wrap", "constant", "nearest")
INTERPOLATIONS = ("nearest", "bilinear")


def _fixed_index(index: Any, size: int, fill_mode: str) -> Any:
    """Integer indices mapped into ``[0, size)`` as ``fill_mode`` extends the image."""
    if fill_mode == "reflect":  # (d c b a | a b c d | d c b a): period 2n, mirrored halves
        folded = index % (2 * size)
        return xp.where(folded >= size, 2 * size - 1 - folded, folded)
    if fill_mode == "wrap":  # (a b c d | a b c d | a b c d)
        return index % size
    return xp.clip(index, 0, size - 1)  # nearest; constant masks the outside points itself


def affine_sample(images: Tensor, transforms: Any, interpolation: str = "bilinear",
                  fill_mode: str = "reflect", fill_value: float = 0.0) -> Tensor:
    """Resample ``images`` ``(B, H, W, C)`` through one affine map per image.

    ``transforms`` is ``(B, 6)``: ``[a0, a1, a2, b0, b1, b2]`` sends output pixel ``(x, y)`` to
    the input point ``(a0 x + a1 y + a2, b0 x + b1 y + b2)`` (pixel centres at integers).
    Bilinear: ``y = sum over the 4 neighbours c of w_c x[c]`` with ``w`` the products of the
    fractional distances; nearest: the neighbour at the rounded point (halves away from zero).
    A neighbour outside the image is read at its ``fill_mode`` image (``'constant'``:
    ``fill_value``), each neighbour on its own. Gradient: ``dL/dx[c] += w_c g`` (a scatter-add).
    """
    batch, height, width, _ = images.shape
    t = xp.asarray(transforms, dtype="float64").reshape(batch, 6, 1, 1)
    rows, cols = xp.meshgrid(xp.arange(height, dtype="float64"),
                             xp.arange(width, dtype="float64"), indexing="ij")
    x_in = t[:, 0] * cols + t[:, 1] * rows + t[:, 2]    # (B, H, W)
    y_in = t[:, 3] * cols + t[:, 4] * rows + t[:, 5]
    if interpolation == "nearest":
        def nearest(v):
            return (xp.sign(v) * xp.floor(xp.abs(v) + 0.5)).astype(int)
        corners = [(nearest(y_in), nearest(x_in), xp.ones_like(x_in))]
    else:
        y0, x0 = xp.floor(y_in), xp.floor(x_in)
        dy, dx = y_in - y0, x_in - x0
        y0, x0 = y0.astype(int), x0.astype(int)
        corners = [(y0, x0, (1 - dy) * (1 - dx)), (y0, x0 + 1, (1 - dy) * dx),
                   (y0 + 1, x0, dy * (1 - dx)), (y0 + 1, x0 + 1, dy * dx)]
    image_index = xp.arange(batch)[:, None, None]
    output, filled = None, xp.zeros_like(x_in)
    for row, col, weight in corners:
        if fill_mode == "constant":
            inside = (row >= 0) & (row < height) & (col >= 0) & (col < width)
            filled = filled + xp.where(inside, 0.0, weight)
            weight = xp.where(inside, weight, 0.0)
        picked = F.getitem(images, (image_index, _fixed_index(row, height, fill_mode),
                                    _fixed_index(col, width, fill_mode)))
        term = picked * Tensor(weight[..., None].astype(images.dtype))
        output = term if output is None else output + term
    if fill_mode == "constant" and fill_value != 0:
        output = output + Tensor((filled[..., None] * fill_value).astype(images.dtype))
    return output


def _check_choice(value: Any, choices: tuple, argument: str, owner: str) -> str:
    if value not in choices:
        raise ValueError(f"{owner} expects {argument} to be one of {choices}. "
                         f"Received: {argument}={value!r}")
    return value


def _factor_range(factor: Any, argument: str, owner: str, low: float, high: float,
                  low_open: bool = False) -> tuple[float, float]:
    """``(lower, upper)`` from a number ``f`` (``(-|f|, |f|)``) or a pair (sorted), checked to lie
    in ``[low, high]`` (``(low, high]`` when ``low_open``)."""
    if isinstance(factor, list | tuple) and len(factor) == 2:
        values = list(factor)
    elif isinstance(factor, numbers.Real) and not isinstance(factor, bool):
        values = [-abs(factor), abs(factor)]
    else:
        values = None
    ok = values is not None and all(
        isinstance(v, numbers.Real) and not isinstance(v, bool) and math.isfinite(v)
        and (low < v if low_open else low <= v) and v <= high for v in values)
    if not ok:
        interval = f"{'(' if low_open else '['}{low}, {high}]"
        raise ValueError(f"{owner} expects {argument} to be a number or a pair of numbers in "
                         f"{interval}. Received: {argument}={factor!r}")
    lower, upper = sorted(float(v) for v in values)
    return lower, upper


class _RandomImageLayer(Layer):
    """Shared plumbing: checks, the training switch, layouts, and the generator."""

    def __init__(self, seed: int | None = None, data_format: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        owner = type(self).__name__
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or seed < 0):
            raise ValueError(f"{owner} expects seed to be a non-negative integer or None. "
                             f"Received: seed={seed!r}")
        self.seed = seed
        self._rng = backend.make_rng(seed) if seed is not None else None
        self.data_format = _check_choice(data_format or "channels_last",
                                         ("channels_last", "channels_first"), "data_format", owner)

    def _check_rank(self, shape):
        _args.single_input(self, shape)
        if len(shape) not in (3, 4):
            raise ValueError(f"Layer '{self.name}' ({type(self).__name__}) expects images of rank 4 "
                             "(batch, height, width, channels) or one image of rank 3. "
                             f"Received: shape={tuple(shape)}")

    def check_input_shape(self, shape):
        """Any image size is accepted; only the rank is checked."""
        self._check_rank(shape)

    def call(self, inputs: Tensor, training: bool = False) -> Tensor:
        if not training:
            return inputs
        images = inputs if inputs.ndim == 4 else F.expand_dims(inputs, 0)
        if self.data_format == "channels_first":
            images = F.transpose(images, (0, 2, 3, 1))
        images = self._augment(images, self._rng or backend.rng())
        if self.data_format == "channels_first":
            images = F.transpose(images, (0, 3, 1, 2))
        return images if inputs.ndim == 4 else F.squeeze(images, 0)

    def _augment(self, images: Tensor, rng: Any) -> Tensor:
        raise NotImplementedError

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "seed": self.seed, "data_format": self.data_format}


class RandomFlip(_RandomImageLayer):
    """Flips each image with probability 1/2: ``y[i, r, c] = x[i, r, W-1-c]`` (horizontal) and/or
    ``x[i, H-1-r, c]`` (vertical).

    As Keras 3, one draw per image decides: with ``'horizontal_and_vertical'`` a drawn image is
    flipped along both axes. The flip is a permutation, so ``dL/dx`` is ``g`` flipped back.

    Args:
        mode: ``'horizontal'``, ``'vertical'`` or ``'horizontal_and_vertical'`` (default).
        seed: seeds the layer's own generator (None: axon's global generator).
        data_format: ``'channels_last'`` (default) or ``'channels_first'``.

    Input shape: ``(batch, H, W, C)`` or ``(H, W, C)``. Output shape: the input's.

    Example:
        >>> import numpy as np
        >>> from axon.layers.augmentation import RandomFlip
        >>> image = np.arange(4.0).reshape(1, 2, 2, 1)
        >>> bool((RandomFlip(seed=0)(image).numpy() == image).all())  # inference: identity
        True
    """

    def __init__(self, mode: str = "horizontal_and_vertical", seed: int | None = None,
                 data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.mode = _check_choice(mode, ("horizontal", "vertical", "horizontal_and_vertical"),
                                  "mode", "RandomFlip")

    def _augment(self, images, rng):
        draw = backend.from_host(rng.random(images.shape[0]) < 0.5)[:, None, None, None]
        flipped = images
        if self.mode != "vertical":
            flipped = F.getitem(flipped, (slice(None), slice(None), slice(None, None, -1)))
        if self.mode != "horizontal":
            flipped = F.getitem(flipped, (slice(None), slice(None, None, -1)))
        return F.where(draw, flipped, images)

    def get_config(self):
        return {**super().get_config(), "mode": self.mode}


class _AffineImageLayer(_RandomImageLayer):
    """A random affine resampling: subclasses draw the ``(B, 6)`` transforms."""

    def __init__(self, fill_mode: str = "reflect", interpolation: str = "bilinear",
                 seed: int | None = None, fill_value: float = 0.0, data_format: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        owner = type(self).__name__
        self.fill_mode = _check_choice(fill_mode, FILL_MODES, "fill_mode", owner)
        self.interpolation = _check_choice(interpolation, INTERPOLATIONS, "interpolation", owner)
        if isinstance(fill_value, bool) or not isinstance(fill_value, numbers.Real):
            raise ValueError(f"{owner} expects fill_value to be a number. "
                             f"Received: fill_value={fill_value!r}")
        self.fill_value = float(fill_value)

    def _augment(self, images, rng):
        transforms = self._transforms(images.shape[0], images.shape[1], images.shape[2], rng)
        return affine_sample(images, transforms, self.interpolation, self.fill_mode,
                             self.fill_value)

    def _transforms(self, batch: int, height: int, width: int, rng: Any) -> Any:
        raise NotImplementedError

    def get_config(self):
        return {**super().get_config(), "fill_mode": self.fill_mode,
                "interpolation": self.interpolation, "fill_value": self.fill_value}


class RandomTranslation(_AffineImageLayer):
    """Shifts each image by a random fraction of its size: ``y[r, c] = x[r - dy, c - dx]``.

    ``dy = u * H`` with ``u`` uniform in the ``height_factor`` range (likewise ``dx`` with
    ``width_factor`` and ``W``); a positive shift moves the content down / right. Non-integer
    shifts are interpolated. See :mod:`axon.layers.augmentation` for the sampling and its gradient.

    Args:
        height_factor: a number ``f`` (range ``[-|f|, |f|]``) or a pair ``(lower, upper)``, in
            ``[-1, 1]``, as fractions of the height.
        width_factor: the same for the width.
        fill_mode, interpolation, seed, fill_value, data_format: see the module docstring.

    Input shape: ``(batch, H, W, C)`` or ``(H, W, C)``. Output shape: the input's.
    """

    def __init__(self, height_factor: Any, width_factor: Any, fill_mode: str = "reflect",
                 interpolation: str = "bilinear", seed: int | None = None,
                 fill_value: float = 0.0, data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        self.height_factor, self.width_factor = height_factor, width_factor
        self._height = _factor_range(height_factor, "height_factor", "RandomTranslation", -1, 1)
        self._width = _factor_range(width_factor, "width_factor", "RandomTranslation", -1, 1)

    def _transforms(self, batch, height, width, rng):
        dy = rng.uniform(*self._height, size=batch) * height
        dx = rng.uniform(*self._width, size=batch) * width
        one, zero = xp.ones(batch), xp.zeros(batch)
        return xp.stack([one, zero, -dx, zero, one, -dy], axis=1)

    def get_config(self):
        return {**super().get_config(), "height_factor": self.height_factor,
                "width_factor": self.width_factor}


class RandomRotation(_AffineImageLayer):
    """Rotates each image about its centre by a random angle ``theta = 2 pi u``, ``u`` uniform in
    the ``factor`` range (a fraction of a full turn; positive is counter-clockwise as Keras).

    With centre ``(cx, cy) = ((W-1)/2, (H-1)/2)`` the output pixel ``(x, y)`` reads the input at
    ``x_in = cos(theta)(x - cx) - sin(theta)(y - cy) + cx`` and
    ``y_in = sin(theta)(x - cx) + cos(theta)(y - cy) + cy``.

    Args:
        factor: a number ``f`` (range ``[-|f|, |f|]``) or a pair ``(lower, upper)``, in
            ``[-1, 1]``; e.g. ``(0.25, 0.25)`` always turns by 90 degrees.
        fill_mode, interpolation, seed, fill_value, data_format: see the module docstring.

    Input shape: ``(batch, H, W, C)`` or ``(H, W, C)``. Output shape: the input's.
    """

    def __init__(self, factor: Any, fill_mode: str = "reflect", interpolation: str = "bilinear",
                 seed: int | None = None, fill_value: float = 0.0,
                 data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        self.factor = factor
        self._range = _factor_range(factor, "factor", "RandomRotation", -1, 1)

    def _transforms(self, batch, height, width, rng):
        theta = rng.uniform(*self._range, size=batch) * 2 * math.pi
        cos, sin = xp.cos(theta), xp.sin(theta)
        cx, cy = (width - 1) / 2, (height - 1) / 2
        return xp.stack([cos, -sin, cx - cx * cos + cy * sin,
                         sin, cos, cy - cx * sin - cy * cos], axis=1)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


class RandomZoom(_AffineImageLayer):
    """Zooms each image about its centre by random factors ``z = 1 + u``, ``u`` uniform in the
    factor range: positive values zoom out (a larger region is squeezed in), negative zoom in.

    Output pixel ``(x, y)`` reads the input at ``x_in = z_w (x - cx) + cx``,
    ``y_in = z_h (y - cy) + cy`` with ``(cx, cy) = ((W-1)/2, (H-1)/2)``.

    Args:
        height_factor: a number ``f`` (range ``[-|f|, |f|]``) or a pair ``(lower, upper)``, in
            ``(-1, 1]``.
        width_factor: the same for the width; None (default) zooms both axes by the same
            draw, keeping the aspect ratio.
        fill_mode, interpolation, seed, fill_value, data_format: see the module docstring.

    Input shape: ``(batch, H, W, C)`` or ``(H, W, C)``. Output shape: the input's.
    """

    def __init__(self, height_factor: Any, width_factor: Any = None, fill_mode: str = "reflect",
                 interpolation: str = "bilinear", seed: int | None = None,
                 fill_value: float = 0.0, data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        self.height_factor, self.width_factor = height_factor, width_factor
        self._height = _factor_range(height_factor, "height_factor", "RandomZoom", -1, 1, True)
        self._width = None if width_factor is None else _factor_range(
            width_factor, "width_factor", "RandomZoom", -1, 1, True)

    def _transforms(self, batch, height, width, rng):
        zoom_h = 1 + rng.uniform(*self._height, size=batch)
        zoom_w = zoom_h if self._width is None else 1 + rng.uniform(*self._width, size=batch)
        cx, cy = (width - 1) / 2, (height - 1) / 2
        zero = xp.zeros(batch)
        return xp.stack([zoom_w, zero, cx * (1 - zoom_w), zero, zoom_h, cy * (1 - zoom_h)], axis=1)

    def get_config(self):
        return {**super().get_config(), "height_factor": self.height_factor,
                "width_factor": self.width_factor}

