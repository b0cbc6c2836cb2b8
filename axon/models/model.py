"""Model: a Layer that can be trained (the Trainer's compile/fit/evaluate/predict) and saved."""
from __future__ import annotations

import json
import os
from typing import Any

from axon import backend
from axon.layers.base import Layer
from axon.saving import load_arrays, save_arrays
from axon.training import Trainer

WEIGHTS_FORMAT = "axon.weights"
WEIGHTS_FORMAT_VERSION = "1"


class Model(Trainer, Layer):
    """A trainable composition of layers.

    Subclass it and write ``call(inputs, training=False)``; layers assigned as attributes are
    tracked, so their weights are the model's weights.

    Example:
        >>> import axon
        >>> class TwoLayer(axon.Model):
        ...     def __init__(self):
        ...         super().__init__()
        ...         self.hidden = axon.layers.Dense(4, activation="relu")
        ...         self.out = axon.layers.Dense(1)
        ...     def call(self, x, training=False):
        ...         return self.out(self.hidden(x))
        >>> TwoLayer()(axon.Tensor([[1.0, 2.0]])).shape
        (1, 1)
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if args or "inputs" in kwargs or "outputs" in kwargs:
            raise NotImplementedError("The functional API (Model(inputs, outputs)) is not "
                                      "available yet; use Sequential or subclass Model.")
        super().__init__(**kwargs)
        self.history = None

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, Layer) and name not in ("_tracked",):
            tracked = self.__dict__.setdefault("_tracked", [])
            if value not in tracked:
                tracked.append(value)
        object.__setattr__(self, name, value)

    @property
    def layers(self) -> list[Layer]:
        """The model's direct sub-layers, in the order they were added."""
        return list(self.__dict__.get("_tracked", []))

    def _flatten_layers(self) -> list[Layer]:
        result = [self]
        for layer in self.layers:
            for inner in layer._flatten_layers():
                if inner not in result:
                    result.append(inner)
        return result

    def __call__(self, inputs: Any, training: bool = False, **kwargs: Any):
        inputs = self._convert_input(inputs)
        self.built = True
        return self.call(inputs, training=training, **kwargs)

    def get_layer(self, name: str | None = None, index: int | None = None) -> Layer:
        """A sub-layer by name or by index."""
        if index is not None:
            return self.layers[index]
        for layer in self.layers:
            if layer.name == name:
                return layer
        names = ", ".join(layer.name for layer in self.layers)
        raise ValueError(f"No layer named {name!r} in model '{self.name}'. Layers: {names}")

    # ---- weights on disk ----------------------------------------------------------------------
    def _weight_keys(self) -> list[tuple[str, Any]]:
        keys, seen = [], set()
        for layer in self._flatten_layers():
            for weight in layer._weights:
                key = f"{layer.name}/{weight.name}"
                while key in seen:
                    key += "_"
                seen.add(key)
                keys.append((key, weight))
        return keys

    def save_weights(self, filepath: str | os.PathLike) -> None:
        """Write every weight to ``filepath`` in the safetensors layout (atomically; no pickle).

        Keys are ``'<layer name>/<weight name>'``, e.g. ``'dense/kernel'``; kernels are stored
        ``(in, out)``. The file loads with the ``safetensors`` package's ``load_file`` (its
        ``numpy`` or ``torch`` module); transpose a Dense kernel for PyTorch's ``nn.Linear.weight``.
        """
        if not self.built or not self.weights:
            raise ValueError(f"Model '{self.name}' has no weights yet: build it (call it on data, "
                             "or fit it) before save_weights().")
        keys = self._weight_keys()
        save_arrays(filepath, {key: backend.to_numpy(w.data) for key, w in keys},
                    {"format": WEIGHTS_FORMAT, "format_version": WEIGHTS_FORMAT_VERSION,
                     "model": self.name, "order": json.dumps([key for key, _ in keys])})

    def load_weights(self, filepath: str | os.PathLike) -> None:
        """Load weights written by :meth:`save_weights`, matching them by position.

        Raises:
            ValueError: when the number of weights or a shape differs from this model's.
        """
        arrays, metadata = load_arrays(filepath)
        order = json.loads(metadata["order"]) if "order" in metadata else list(arrays)
        keys = self._weight_keys()
        if not self.built or len(keys) != len(order):
            raise ValueError(f"{filepath} holds {len(order)} weights; model '{self.name}' has "
                             f"{len(keys)}{'' if self.built else ' (it is not built yet)'}.")
        for (key, weight), stored in zip(keys, order):
            if arrays[stored].shape != weight.shape:
                raise ValueError(f"{filepath}: weight {stored!r} has shape "
                                 f"{arrays[stored].shape}; model weight {key!r} has shape "
                                 f"{weight.shape}.")
        for (_, weight), stored in zip(keys, order):
            weight.assign(arrays[stored])

    def summary(self, line_length: int = 80, print_fn: Any = None) -> None:
        """Print the layers, their output shapes and parameter counts."""
        from axon.models.summary import print_summary
        print_summary(self, line_length=line_length, print_fn=print_fn)
