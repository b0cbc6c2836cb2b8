"""The functional API's graph: ``Model(inputs, outputs)`` over layers called on ``axon.Input``.

Calling layers on symbolic tensors recorded :class:`~axon.layers.symbolic.Node` objects. This
module walks them back from the outputs to the inputs once, sorts them so every node comes after
the nodes that feed it, and replays them on real tensors when the model is called.
"""
from __future__ import annotations

from typing import Any

from axon.engine import Tensor, is_grad_enabled
from axon.engine.nest import flatten, map_structure, pack_as
from axon.layers.base import Layer
from axon.layers.input_layer import InputLayer
from axon.layers.symbolic import KerasTensor, Node, shape_text


class FunctionalGraph:
    """The nodes between a model's symbolic ``inputs`` and ``outputs``, in execution order.

    Args:
        inputs: an ``axon.Input`` tensor, or a list/tuple/dict of them.
        outputs: a symbolic tensor produced by layer calls, or a list/tuple/dict of them.
        model_name: for error messages.
    """

    def __init__(self, inputs: Any, outputs: Any, model_name: str) -> None:
        self.model_name = model_name
        self.inputs, self.outputs = inputs, outputs
        self.input_tensors = self._symbolic_leaves(inputs, "inputs")
        self.output_tensors = self._symbolic_leaves(outputs, "outputs")
        for tensor in self.input_tensors:
            if not isinstance(tensor.layer, InputLayer):
                raise ValueError(f"Model '{model_name}' expects its inputs to come from "
                                 f"axon.Input(...). Received a tensor produced by layer "
                                 f"'{tensor.layer.name}' ({type(tensor.layer).__name__}).")
        self.nodes = self._sorted_nodes()
        self.input_names = (list(inputs) if isinstance(inputs, dict)
                            else [t.layer.name for t in self.input_tensors])
        self.output_names = (list(outputs) if isinstance(outputs, dict)
                             else _unique([t.layer.name for t in self.output_tensors]))

    def _symbolic_leaves(self, structure: Any, argument: str) -> list[KerasTensor]:
        leaves = flatten(structure)
        if not leaves:
            raise ValueError(f"Model '{self.model_name}' expects at least one tensor in "
                             f"{argument}. Received: {structure!r}")
        for leaf in leaves:
            if not isinstance(leaf, KerasTensor):
                raise TypeError(f"Model '{self.model_name}' expects {argument} to be symbolic "
                                f"tensors (from axon.Input and layer calls). Received: "
                                f"{type(leaf).__name__}")
        return leaves

    def _sorted_nodes(self) -> list[Node]:
        """Nodes from the inputs to the outputs, each after the nodes it depends on."""
        known_inputs = {id(t) for t in self.input_tensors}
        order: list[Node] = []
        done: set[int] = set()
        stack: list[tuple[KerasTensor, bool]] = [(t, False) for t in reversed(self.output_tensors)]
        while stack:
            tensor, parents_done = stack.pop()
            node = tensor.node
            if id(node) in done:
                continue
            if id(tensor) in known_inputs:
                done.add(id(node))
                continue
            if node is None or not node.parent_tensors:
                raise ValueError(
                    f"Model '{self.model_name}': the graph is disconnected. Output(s) depend on "
                    f"'{tensor.name}' {shape_text(tensor.shape)}, which is not among the "
                    f"model's inputs ({', '.join(t.name for t in self.input_tensors)}). Add "
                    "it to inputs=.")
            if parents_done:
                done.add(id(node))
                order.append(node)
                continue
            stack.append((tensor, True))
            stack += [(parent, False) for parent in reversed(node.parent_tensors)
                      if id(parent.node) not in done]
        return order

    # ---- structure --------------------------------------------------------------------------
    @property
    def layers(self) -> list[Layer]:
        """Input layers first (in the order of ``inputs``), then each layer once, in call order."""
        layers = [t.layer for t in self.input_tensors]
        for node in self.nodes:
            if node.layer not in layers:
                layers.append(node.layer)
        return layers

    def node_of(self, layer: Layer) -> Node | None:
        """The first node of ``layer`` inside this graph."""
        for tensor in self.input_tensors:
            if tensor.layer is layer:
                return tensor.node
        return next((node for node in self.nodes if node.layer is layer), None)

    def output_shape_of(self, layer: Layer) -> Any:
        node = self.node_of(layer)
        if node is None:
            return None
        outputs = node.outputs
        return [t.shape for t in outputs] if isinstance(outputs, list) else outputs.shape

    def inbound_of(self, layer: Layer) -> list[tuple[str, int, int]]:
        node = self.node_of(layer)
        if node is None:
            return []
        return [(t.layer.name, t.node.index, t.tensor_index) for t in node.parent_tensors]

    @property
    def output_shapes(self) -> list[tuple]:
        return [t.shape for t in self.output_tensors]

    @property
    def input_shapes(self) -> list[tuple]:
        return [t.shape for t in self.input_tensors]

    # ---- running ----------------------------------------------------------------------------
    def run(self, inputs: list[Tensor], training: bool) -> list[Tensor]:
        """Replay every node on real tensors; ``inputs`` in the order of ``input_tensors``."""
        values = {id(t): value for t, value in zip(self.input_tensors, inputs)}
        masks: dict[int, Any] = {}  # time-step masks travel beside the values they belong to
        # Nothing recorded (predict, no_grad): a one-input layer with an inference function runs
        # on the arrays, as in a Sequential stack (see Layer._inference_function).
        on_arrays = not training and not is_grad_enabled()
        for node in self.nodes:
            if on_arrays and self._run_on_array(node, values, masks):
                continue
            arguments = map_structure(lambda t: values[id(t)], node.inputs)
            mask = map_structure(lambda t: masks.get(id(t)), node.inputs)
            if all(m is None for m in flatten(mask)):
                mask = None
            kwargs = dict(node.call_kwargs)
            kwargs.setdefault("training", training)
            mask = kwargs.pop("mask", mask)  # a mask given when the graph was built wins
            results = node.layer(arguments, mask=mask, **kwargs)
            out_masks = node.layer.compute_mask(arguments, mask)
            outputs = flatten(node.outputs)
            out_masks = flatten(out_masks) if isinstance(out_masks, list | tuple) \
                else [out_masks] * len(outputs)
            for symbolic, value, out_mask in zip(outputs, flatten(results), out_masks):
                values[id(symbolic)] = value
                if out_mask is not None:
                    masks[id(symbolic)] = out_mask
        return [values[id(t)] for t in self.output_tensors]

    @staticmethod
    def _run_on_array(node: Node, values: dict, masks: dict) -> bool:
        """Run ``node`` through its layer's inference function when it has one input, one
        output, no mask and no call arguments; returns whether it did."""
        if node.call_kwargs or not isinstance(node.inputs, KerasTensor) \
                or not isinstance(node.outputs, KerasTensor) or id(node.inputs) in masks:
            return False
        step = node.layer._inference_function()
        if step is None:
            return False
        array = values[id(node.inputs)].data
        node.layer.check_input_shape(array.shape)
        values[id(node.outputs)] = Tensor(step(array))
        return True

    def pack_outputs(self, flat: list) -> Any:
        """``flat`` outputs in the structure of the model's ``outputs``."""
        return pack_as(self.outputs, flat)


def _unique(names: list[str]) -> list[str]:
    """Names made unique by numbering repeats (a layer with several outputs)."""
    seen: dict[str, int] = {}
    result = []
    for name in names:
        count = seen.get(name, 0)
        seen[name] = count + 1
        result.append(name if count == 0 else f"{name}_{count}")
    return result


# ---- configuration -------------------------------------------------------------------------
def graph_config(graph: FunctionalGraph) -> dict:
    """The graph as plain data: each layer's config and, per call, which tensors it took.

    A tensor is named by ``[layer name, node index, tensor index]``, node indices counted
    within this model, as in Keras's functional configs.
    """
    from axon.layers.serialization import serialize

    local_index: dict[int, int] = {}
    per_layer: dict[int, int] = {}
    for tensor in graph.input_tensors:
        local_index[id(tensor.node)] = 0
    for node in graph.nodes:
        local_index[id(node)] = per_layer.get(id(node.layer), 0)
        per_layer[id(node.layer)] = local_index[id(node)] + 1

    def reference(tensor: KerasTensor) -> dict:
        return {"keras_history": [tensor.layer.name, local_index[id(tensor.node)],
                                  tensor.tensor_index]}

    layers = []
    for layer in graph.layers:
        nodes = [node for node in graph.nodes if node.layer is layer]
        layers.append({**serialize(layer), "name": layer.name, "inbound_nodes": [
            {"args": map_structure(reference, node.inputs), "kwargs": node.call_kwargs}
            for node in nodes]})
    return {"layers": layers, "input_layers": map_structure(reference, graph.inputs),
            "output_layers": map_structure(reference, graph.outputs)}


def graph_from_config(config: dict, custom_objects: dict | None = None) -> tuple[Any, Any]:
    """``(inputs, outputs)`` symbolic structures rebuilt from :func:`graph_config`'s data."""
    from axon.layers.input_layer import Input
    from axon.models.serialization import deserialize

    created: dict[tuple, KerasTensor] = {}

    def lookup(reference: Any) -> Any:
        if isinstance(reference, dict) and "keras_history" in reference:
            key = tuple(reference["keras_history"])
            if key not in created:
                raise ValueError(f"Model config refers to tensor {list(key)} before the layer "
                                 "that produces it; the config is damaged.")
            return created[key]
        if isinstance(reference, dict):
            return {k: lookup(v) for k, v in reference.items()}
        if isinstance(reference, list):
            return [lookup(v) for v in reference]
        return reference

    pending = []
    for entry in config["layers"]:
        if entry["class_name"] == "InputLayer":
            layer_config = entry["config"]
            tensor = Input(shape=layer_config["shape"], batch_size=layer_config.get("batch_size"),
                           dtype=layer_config.get("dtype"), name=layer_config["name"])
            created[(tensor.layer.name, 0, 0)] = tensor
            continue
        layer = deserialize(entry, custom_objects)
        pending += [(layer, local, node) for local, node in
                    enumerate(entry.get("inbound_nodes", []))]

    def ready(node: dict) -> bool:
        return all(tuple(ref["keras_history"]) in created for ref in _references(node["args"]))

    while pending:  # a node runs once every tensor it needs exists (shared layers need this)
        runnable = next((item for item in pending if ready(item[2])), None)
        if runnable is None:
            raise ValueError("Model config has layer calls whose inputs are never produced; "
                             "the config is damaged.")
        pending.remove(runnable)
        layer, local, node = runnable
        outputs = layer(lookup(node["args"]), **node.get("kwargs", {}))
        for index, tensor in enumerate(flatten(outputs)):
            created[(layer.name, local, index)] = tensor
    return lookup(config["input_layers"]), lookup(config["output_layers"])


def _references(structure: Any) -> list[dict]:
    if isinstance(structure, dict) and "keras_history" in structure:
        return [structure]
    if isinstance(structure, dict):
        return [r for value in structure.values() for r in _references(value)]
    if isinstance(structure, list):
        return [r for value in structure for r in _references(value)]
    return []
