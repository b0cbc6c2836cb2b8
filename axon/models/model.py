"""Model: a Layer that can be trained (the Trainer's compile/fit/evaluate/predict) and saved."""
from __future__ import annotations

import json
import os
from typing import Any

from axon import backend
from axon.engine.nest import map_structure
from axon.layers.base import Layer, call_accepts_mask
from axon.layers.symbolic import is_symbolic, shape_text
from axon.models.functional import FunctionalGraph, graph_config, graph_from_config
from axon.saving.archive import decode_archive, is_archive, write_archive
from axon.saving.atomic import atomic_write
from axon.saving.safetensors_format import decode_arrays, encode_arrays
from axon.training import Trainer
from axon.utils.naming import unique_name

WEIGHTS_FORMAT = "axon.weights"
WEIGHTS_FORMAT_VERSION = "1"


class Model(Trainer, Layer):
    """A trainable composition of layers, built in one of three ways (as in Keras):

    * functional: ``Model(inputs, outputs)`` from ``axon.Input`` tensors and layer calls, with
      one or several inputs and outputs (each a tensor, or a list or dict of tensors);
    * subclassing: write ``call(inputs, training=False)``; layers assigned as attributes are
      tracked, so their weights are the model's weights;
    * :class:`~axon.Sequential`, a plain stack.

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
        >>> inputs = axon.Input(shape=(3,))
        >>> outputs = axon.layers.Dense(2)(axon.layers.Dense(4, activation="relu")(inputs))
        >>> axon.Model(inputs, outputs).predict([[1.0, 2.0, 3.0]], verbose=0).shape
        (1, 2)
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if len(args) > 2:
            raise TypeError(f"Model() takes inputs and outputs. Received {len(args)} positional "
                            "arguments.")
        inputs = args[0] if args else kwargs.pop("inputs", None)
        outputs = args[1] if len(args) > 1 else kwargs.pop("outputs", None)
        if inputs is not None and kwargs.get("name") is None:
            kwargs["name"] = unique_name("functional")  # Keras 3's default name
        super().__init__(**kwargs)
        self.history = None
        self._graph: FunctionalGraph | None = None
        if inputs is not None or outputs is not None:
            if inputs is None or outputs is None:
                raise ValueError("A functional Model needs both inputs= and outputs=. Received: "
                                 f"inputs={inputs!r}, outputs={outputs!r}")
            self._graph = FunctionalGraph(inputs, outputs, self.name)
            self.built = True

    @property
    def layers(self) -> list[Layer]:
        """The model's sub-layers: a functional model's in graph order (inputs first), a
        subclassed model's in the order they were assigned."""
        if self.__dict__.get("_graph") is not None:
            return self._graph.layers
        return self._sub_layers()

    def _child_layers(self) -> list[Layer]:
        """The model's layers (graph, stack or attributes)."""
        return list(self.layers) + self._sub_layers()

    # ---- the forward pass ---------------------------------------------------------------------
    @property
    def inputs(self) -> list | None:
        """A functional model's symbolic input tensors (``None`` for a subclassed model)."""
        return list(self._graph.input_tensors) if self._graph is not None else None

    @property
    def outputs(self) -> list | None:
        """A functional model's symbolic output tensors (``None`` for a subclassed model)."""
        return list(self._graph.output_tensors) if self._graph is not None else None

    @property
    def input_names(self) -> list[str]:
        return self._graph.input_names if self._graph is not None else ["input"]

    @property
    def output_names(self) -> list[str]:
        """Names of the outputs: a functional model's output layers (or dict keys)."""
        return self._graph.output_names if self._graph is not None else ["output"]

    def __call__(self, inputs: Any, training: bool = False, mask: Any = None,
                 **kwargs: Any) -> Any:
        if is_symbolic(inputs):
            return Layer.__call__(self, inputs, training=training, mask=mask, **kwargs)
        if mask is not None and call_accepts_mask(type(self)):
            kwargs["mask"] = mask
        if self._graph is not None:
            return self.call(self._arrange_inputs(inputs), training=training, **kwargs)
        inputs = map_structure(self._convert_input, inputs)
        if not self.built:
            self.built = True
        return self.call(inputs, training=training, **kwargs)

    def call(self, inputs: Any, training: bool = False) -> Any:
        """The forward pass. A functional model replays its graph; a subclass writes its own."""
        if self._graph is None:
            raise NotImplementedError(
                f"Model '{self.name}' has no call(): subclass axon.Model and write "
                "call(self, inputs, training=False), or build it as axon.Model(inputs, outputs).")
        flat = inputs if isinstance(inputs, list) else [inputs]
        return self._graph.pack_outputs(self._graph.run(flat, training))

    def _arrange_inputs(self, inputs: Any) -> list:
        """The inputs of a functional model as a list in the graph's order, checked."""
        graph = self._graph
        names = graph.input_names
        if isinstance(inputs, dict):
            unknown = sorted(set(inputs) - set(names))
            missing = [name for name in names if name not in inputs]
            if unknown or missing:
                raise ValueError(f"Model '{self.name}' expects inputs named {names}. Received "
                                 f"keys {sorted(inputs)} (unknown: {unknown}, missing: {missing}).")
            inputs = [inputs[name] for name in names]
        elif not isinstance(inputs, list | tuple):
            inputs = [inputs]
        if len(inputs) != len(names):
            raise ValueError(f"Model '{self.name}' expects {len(names)} input(s) ({', '.join(names)}"
                             f"). Received: {len(inputs)} input(s).")
        converted = []
        for name, value, tensor in zip(names, inputs, graph.input_tensors):
            value = tensor.layer._convert_input(value)
            expected = tensor.shape
            if value.ndim != len(expected) or any(
                    e is not None and e != s for e, s in zip(expected[1:], value.shape[1:])):
                raise ValueError(f"Input '{name}' of model '{self.name}' expects shape "
                                 f"{shape_text(expected)}. Received: shape={tuple(value.shape)}")
            converted.append(value)
        return converted

    def compute_output_shape(self, input_shape: Any) -> Any:
        if self._graph is not None:
            shapes = self._graph.output_shapes
            return shapes[0] if len(shapes) == 1 else shapes
        return Layer.compute_output_shape(self, input_shape)

    # ---- configuration ------------------------------------------------------------------------
    def get_config(self) -> dict:
        """The model's configuration: a functional model's whole graph; for a subclassed model,
        the base arguments (override it to add your constructor's arguments)."""
        if self._graph is None:
            return Layer.get_config(self)
        return {"name": self.name, "trainable": self.trainable, **graph_config(self._graph)}

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> Model:
        """A new model from :meth:`get_config`'s output (new weights, same architecture)."""
        if "layers" in config and "input_layers" in config:
            inputs, outputs = graph_from_config(config, custom_objects)
            model = cls(inputs, outputs, name=config.get("name"))
            model.trainable = config.get("trainable", True)
            return model
        return cls(**config)

    # ---- for summary() ------------------------------------------------------------------------
    def layer_output_shape(self, layer: Layer) -> Any:
        """The output shape of ``layer`` inside this model (``None`` when not known)."""
        if self._graph is not None:
            return self._graph.output_shape_of(layer)
        return None

    def layer_inbound(self, layer: Layer) -> list[tuple[str, int, int]]:
        """``(layer name, node index, tensor index)`` of each tensor feeding ``layer``."""
        return self._graph.inbound_of(layer) if self._graph is not None else []

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

    def _weights_file_bytes(self) -> bytes:
        """The bytes of the weights file (safetensors layout) ``save_weights`` writes."""
        keys = self._weight_keys()
        return encode_arrays({key: backend.to_numpy(w.data) for key, w in keys},
                             {"format": WEIGHTS_FORMAT, "format_version": WEIGHTS_FORMAT_VERSION,
                              "model": self.name, "order": json.dumps([key for key, _ in keys])})

    def save_weights(self, filepath: str | os.PathLike) -> None:
        """Write every weight to ``filepath`` in the safetensors layout (atomically; no pickle).

        Keys are ``'<layer name>/<weight name>'``, e.g. ``'dense/kernel'``; kernels are stored
        ``(in, out)``. The file loads with the ``safetensors`` package's ``load_file`` (its
        ``numpy`` or ``torch`` module); transpose a Dense kernel for PyTorch's ``nn.Linear.weight``.
        """
        if not self.built or not self.weights:
            raise ValueError(f"Model '{self.name}' has no weights yet: build it (call it on data, "
                             "or fit it) before save_weights().")
        encoded = self._weights_file_bytes()
        with atomic_write(filepath) as handle:
            handle.write(encoded)

    def load_weights(self, filepath: str | os.PathLike) -> None:
        """Load weights written by :meth:`save_weights` (or :meth:`save`), matching them by
        position.

        Raises:
            ValueError: when the number of weights or a shape differs from this model's.
            FormatError: when the file is damaged or not a weights or model file.
        """
        from axon.models import model_file

        source = os.fspath(filepath)
        with open(source, "rb") as handle:
            raw = handle.read()
        if is_archive(raw):
            raw = decode_archive(raw, source, model_file.MODEL_MEMBERS,
                                 {model_file.OPTIMIZER} | model_file.TRAINING_MEMBERS
                                 )[model_file.WEIGHTS]
        arrays, metadata = decode_arrays(raw, source)
        self.load_weights_from_arrays(arrays, metadata, source)

    def load_weights_from_arrays(self, arrays: dict, metadata: dict, source: str) -> None:
        """Assign stored ``arrays`` (in the order ``metadata['order']`` lists) to the weights."""
        order = json.loads(metadata["order"]) if "order" in metadata else list(arrays)
        keys = self._weight_keys()
        if not self.built or len(keys) != len(order):
            raise ValueError(f"{source} holds {len(order)} weights; model '{self.name}' has "
                             f"{len(keys)}{'' if self.built else ' (it is not built yet)'}.")
        for (key, weight), stored in zip(keys, order):
            if stored not in arrays:
                raise ValueError(f"{source}: the weight {stored!r} listed in its header is "
                                 "missing.")
            if arrays[stored].shape != weight.shape:
                raise ValueError(f"{source}: weight {stored!r} has shape "
                                 f"{arrays[stored].shape}; model weight {key!r} has shape "
                                 f"{weight.shape}.")
        for (_, weight), stored in zip(keys, order):
            weight.assign(arrays[stored])

    def save(self, filepath: str | os.PathLike, overwrite: bool = True,
             include_optimizer: bool = True) -> None:
        """Write the whole model to a ``.axon`` file: architecture and compile settings as JSON,
        every weight and optimizer slot as raw arrays (safetensors layout), in one zip archive.

        The file is written atomically and loads with :func:`axon.models.load_model` (never
        pickle); a loaded model predicts bitwise the same and continues training exactly as this
        one would. Custom layers need ``@axon.saving.register_keras_serializable()`` or
        ``custom_objects`` to load, and a ``get_config`` that returns their constructor's
        arguments. The weights alone, for PyTorch: ``safetensors.torch.load(zipfile.ZipFile(
        'm.axon').read('model.weights.safetensors'))``.

        Args:
            overwrite: replace an existing file (else FileExistsError).
            include_optimizer: also store the optimizer's slots and step count.
        """
        from axon.models import model_file

        path = model_file.check_model_path(filepath, "save")
        if not overwrite and os.path.exists(path):
            raise FileExistsError(f"{path} exists and overwrite=False.")
        if not self.built:
            raise ValueError(f"Model '{self.name}' is not built yet: call it on data (or fit "
                             "it) before save().")
        members = model_file.model_members(self, include_optimizer=include_optimizer)
        write_archive(path, members)

    def _save_training_checkpoint(self, filepath: str | os.PathLike, epoch: int, step: int,
                                  logs: dict | None = None) -> None:
        """During ``fit``: write a checkpoint to continue at batch ``step`` of ``epoch``."""
        from axon.models import checkpoint

        checkpoint.write_checkpoint(self, filepath, epoch, step, logs)

    def _restore_training_checkpoint(self, filepath: str | os.PathLike) -> None:
        """During ``fit``: continue from a checkpoint written by the method above."""
        from axon.models import checkpoint

        checkpoint.restore_checkpoint(self, filepath)

    def summary(self, line_length: int | None = None, positions: Any = None, print_fn: Any = None,
                expand_nested: bool = False, show_trainable: bool = False,
                layer_range: Any = None) -> None:
        """Print the layers, their output shapes and parameter counts, laid out as Keras does.

        Args:
            line_length: total width of the table.
            positions: right edges of the columns as fractions of line_length
                (default [0.45, 0.80, 1.0]).
            print_fn: called with the text instead of ``print``.
            expand_nested: also list the layers inside nested models.
            show_trainable: add a column saying whether each layer is trainable.
            layer_range: ``[first_name, last_name]`` to print a slice of the layers.
        """
        from axon.models.summary import print_summary
        print_summary(self, line_length=line_length, positions=positions, print_fn=print_fn,
                      expand_nested=expand_nested, show_trainable=show_trainable,
                      layer_range=layer_range)
