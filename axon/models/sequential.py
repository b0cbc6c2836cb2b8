"""Sequential: a plain stack of layers, each feeding the next."""
from __future__ import annotations

from typing import Any

from axon.engine import Tensor, is_grad_enabled
from axon.layers.base import Layer
from axon.layers.input_layer import InputLayer, KerasTensor
from axon.layers.serialization import serialize
from axon.layers.symbolic import infer_output_shape, shape_text
from axon.models.model import Model
from axon.models.serialization import deserialize


class Sequential(Model):
    """A model whose layers run one after another: ``y = f_n(... f_2(f_1(x)))``.

    Args:
        layers: the layers, in order (an ``axon.Input(shape)`` may come first).
        name: the model's name.

    Example:
        >>> import axon
        >>> model = axon.Sequential([
        ...     axon.layers.Dense(16, activation="relu", input_shape=(4,)),
        ...     axon.layers.Dense(3, activation="softmax"),
        ... ])
        >>> model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        >>> model.predict(axon.backend.xp.zeros((2, 4)), verbose=0).shape
        (2, 3)
    """

    def __init__(self, layers: list | None = None, name: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(name=name, **kwargs)
        self._layers: list[Layer] = []
        self._input_layer: InputLayer | None = None
        names: set[str] = set()
        for layer in layers or []:
            self._append(layer, names)
        self._build_if_input_known()

    def add(self, layer: Any) -> None:
        """Append a layer (or an ``Input``) to the stack."""
        self._append(layer, {existing.name for existing in self._layers})
        self._build_if_input_known()

    def _append(self, layer: Any, names: set[str]) -> None:
        """Append without building; ``names`` holds the names taken so far (and is updated)."""
        if isinstance(layer, KerasTensor):
            layer = layer.layer
        if not isinstance(layer, Layer):
            raise TypeError(f"Sequential.add expects a Layer. Received: {layer!r} of type "
                            f"{type(layer).__name__}")
        if isinstance(layer, InputLayer):
            if self._layers or self._input_layer is not None:
                raise ValueError("An Input/InputLayer can only be the first layer of a Sequential.")
            self._input_layer = layer
            return
        if layer.name in names:
            raise ValueError(f"Sequential model '{self.name}' already has a layer named "
                             f"{layer.name!r}; layer names must be unique.")
        if not self._layers and self._input_layer is None and layer._input_shape_arg is not None:
            self._input_layer = InputLayer(shape=layer._input_shape_arg)
        self._layers.append(layer)
        names.add(layer.name)
        self.built = False

    def _build_if_input_known(self) -> None:
        # Built once after all the layers are in: building after each one would cost time
        # quadratic in the number of layers.
        if self._input_layer is not None and self._layers and not self.built:
            self.build((None,) + tuple(self._input_layer.shape))

    def pop(self) -> Layer:
        """Remove and return the last layer."""
        if not self._layers:
            raise IndexError(f"Sequential model '{self.name}' has no layers to pop.")
        return self._layers.pop()

    @property
    def layers(self) -> list[Layer]:
        return list(self._layers)

    def _expected_input_shape(self):
        if self._input_layer is not None:
            return tuple(self._input_layer.shape)
        first = self._layers[0] if self._layers else None
        if first is not None and first._build_input_shape is not None:
            return tuple(first._build_input_shape[1:])
        return None

    def build(self, input_shape: tuple) -> None:
        """Build every layer in turn from ``input_shape`` (batch axis included)."""
        shape = tuple(input_shape)
        self._layer_shapes: dict[int, Any] = {}
        for layer in self._layers:
            try:
                layer._build_or_check((None,) + tuple(shape[1:]))
                shape = infer_output_shape(layer, shape)
            except ValueError as error:
                previous = self._layers.index(layer) - 1
                source = (f"layer '{self._layers[previous].name}'" if previous >= 0
                          else "the model's input")
                raise ValueError(f"{error}\nIn Sequential model '{self.name}', layer "
                                 f"'{layer.name}' receives shape {shape_text(shape)} from "
                                 f"{source}.") from None
            self._layer_shapes[id(layer)] = shape
        self.built = True

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        shape = tuple(input_shape)
        for layer in self._layers:
            shape = infer_output_shape(layer, shape)
        return shape

    @property
    def inputs(self) -> list | None:
        """The symbolic input (``None`` until the input shape is known)."""
        if self._input_layer is None:
            return None
        nodes = self._input_layer.inbound_nodes
        if nodes:
            return [nodes[0].outputs]
        return [KerasTensor((None,) + tuple(self._input_layer.shape), self._input_layer.dtype,
                            self._input_layer)]

    @property
    def outputs(self) -> list | None:
        """A symbolic tensor with the output's shape (``None`` until the model is built)."""
        shapes = getattr(self, "_layer_shapes", None)
        if not shapes or not self._layers:
            return None
        last = self._layers[-1]
        return [KerasTensor(shapes[id(last)], self.dtype, last)]

    def layer_output_shape(self, layer: Layer) -> Any:
        """The output shape of ``layer`` in this stack (``None`` before the model is built)."""
        return getattr(self, "_layer_shapes", {}).get(id(layer))

    def layer_inbound(self, layer: Layer) -> list[tuple[str, int, int]]:
        index = self._layers.index(layer)
        if index > 0:
            return [(self._layers[index - 1].name, 0, 0)]
        return [(self._input_layer.name, 0, 0)] if self._input_layer is not None else []

    def call(self, inputs: Tensor, training: bool = False) -> Tensor:
        if not self._layers:
            raise ValueError(f"Sequential model '{self.name}' has no layers; add some first.")
        if self._input_layer is not None:
            self._check_model_input(inputs.data, "call", "inputs")
        elif not getattr(self, "_layer_shapes", None):  # first call: build from the data
            self.build((None,) + tuple(inputs.shape[1:]))
        if not training and not is_grad_enabled():
            steps = [layer._inference_function() for layer in self._layers]
            if all(step is not None for step in steps):
                return Tensor(self._run_inference(inputs.data, steps))
        x, mask = inputs, None
        for layer in self._layers:
            x, mask = layer(x, training=training, mask=mask), layer.compute_mask(x, mask)
        return x

    def _run_inference(self, x: Any, steps: list) -> Any:
        """The stack's output on array ``x`` through each layer's inference function, every
        layer's input shape checked as ``Layer.__call__`` checks it."""
        for layer, step in zip(self._layers, steps):
            layer.check_input_shape(x.shape)
            x = step(x)
        return x

    def get_config(self) -> dict:
        layers = []
        if self._input_layer is not None:
            layers.append({"class_name": "InputLayer", "config": self._input_layer.get_config()})
        layers += [serialize(layer) for layer in self._layers]
        config = {"name": self.name, "trainable": self.trainable, "layers": layers}
        shape = self._expected_input_shape()
        if self._input_layer is None and self.built and shape is not None:
            # built on its first call, without an Input: the loaded copy is built the same way
            config["build_input_shape"] = [None, *shape]
        return config

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> Sequential:
        """A new Sequential from :meth:`get_config`'s output (new weights)."""
        model = cls(name=config.get("name"))
        names: set[str] = set()
        for entry in config.get("layers", []):
            if entry.get("class_name") == "InputLayer":
                model._append(InputLayer(**entry["config"]), names)
            else:
                model._append(deserialize(entry, custom_objects), names)
        model._build_if_input_known()
        shape = config.get("build_input_shape")
        if shape is not None and not model.built:
            if not isinstance(shape, list) or len(shape) < 2 or not all(
                    n is None or (type(n) is int and n > 0) for n in shape):
                raise ValueError(f"Sequential config: build_input_shape should be a list like "
                                 f"[None, 784]. Received: {shape!r}")
            model.build(tuple(shape))
        model.trainable = config.get("trainable", True)
        return model
