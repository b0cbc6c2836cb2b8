"""The model's entry point: ``Input(shape)`` and the ``InputLayer`` behind it."""
from __future__ import annotations

from typing import Any

from axon.layers.base import Layer
from axon.layers.symbolic import KerasTensor, Node
from axon.utils.naming import unique_name


class InputLayer(Layer):
    """Declares the shape of one sample; passes its input through unchanged.

    Args:
        shape: one sample's shape, without the batch axis, e.g. ``(784,)``.
        batch_size: optional fixed batch size.
    """

    def __init__(self, shape: Any = None, batch_size: int | None = None, dtype: Any = None,
                 name: str | None = None, **kwargs: Any) -> None:
        if name is None:
            name = unique_name("input_layer")
        if shape is None:
            shape = kwargs.pop("input_shape", None)
        if shape is None:
            raise ValueError("InputLayer expects shape=, the shape of one sample (no batch axis).")
        shape = (shape,) if isinstance(shape, int) else tuple(shape)
        if not all(n is None or isinstance(n, int) and n > 0 for n in shape):
            raise ValueError(f"InputLayer expects a shape of positive integers (or None). "
                             f"Received: shape={shape}")
        super().__init__(name=name, dtype=dtype, **kwargs)
        self.shape, self.batch_size = shape, batch_size
        self._build_input_shape = (batch_size,) + shape
        self.built = True

    def call(self, inputs, training=False):
        return inputs

    def get_config(self):
        return {"name": self.name, "shape": self.shape, "batch_size": self.batch_size,
                "dtype": self.dtype}


def Input(shape: Any = None, batch_size: int | None = None, dtype: Any = None,
          name: str | None = None) -> KerasTensor:
    """A symbolic model input of per-sample ``shape`` (Keras's ``keras.Input``).

    Example:
        >>> import axon
        >>> axon.Input(shape=(784,)).shape
        (None, 784)
    """
    layer = InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, name=name)
    node = Node(layer, [], {})
    node.outputs = KerasTensor((batch_size,) + layer.shape, layer.dtype, layer, node, 0)
    return node.outputs
