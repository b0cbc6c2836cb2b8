"""Masking: mark the time steps whose features all equal ``mask_value`` as padding."""
from __future__ import annotations

from typing import Any

from axon.backend import xp
from axon.engine import Tensor
from axon.layers import _args
from axon.layers.base import Layer

__all__ = ["Masking"]


class Masking(Layer):
    """Skips padded time steps: ``mask[b, t] = any_j(x[b, t, j] != mask_value)``.

    The output is the input with masked steps zeroed, ``y = x * mask[..., None]``, so
    ``dL/dx = g * mask[..., None]``; the mask itself (:meth:`compute_mask`) travels to the next
    layers (a recurrent layer then skips those steps).

    Args:
        mask_value: the value that marks padding (default 0.0).

    Input shape: ``(batch, timesteps, features)`` (any rank >= 2: the mask drops the last axis).
    Output shape: the input's.

    Example:
        >>> import axon, numpy as np
        >>> x = np.array([[[1.0, 2.0], [0.0, 0.0]]])
        >>> axon.layers.masking.Masking().compute_mask(x).tolist()
        [[True, False]]
    """

    supports_masking = True

    def __init__(self, mask_value: float = 0.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if isinstance(mask_value, bool) or not isinstance(mask_value, int | float):
            raise ValueError(f"Masking expects mask_value to be a number. "
                             f"Received: mask_value={mask_value!r}")
        self.mask_value = float(mask_value)

    def _check_rank(self, shape):
        _args.single_input(self, shape)
        if len(shape) < 2:
            raise ValueError(f"Layer '{self.name}' (Masking) expects an input of rank >= 2 "
                             f"(batch, ..., features). Received: shape={tuple(shape)}")

    def check_input_shape(self, shape):
        """Any number of time steps is accepted."""
        self._check_rank(shape)

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        """``any(x != mask_value, axis=-1)``: True where a step holds real data."""
        data = inputs.data if isinstance(inputs, Tensor) else xp.asarray(inputs)
        return xp.any(data != self.mask_value, axis=-1)

    def call(self, inputs: Tensor, training: bool = False) -> Tensor:
        keep = self.compute_mask(inputs)[..., None].astype(inputs.dtype)
        return inputs * Tensor(keep)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "mask_value": self.mask_value}
