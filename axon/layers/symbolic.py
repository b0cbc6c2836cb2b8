"""Symbolic tensors and the nodes that connect them: how the functional API records a graph.

Calling a layer on a :class:`KerasTensor` (what ``axon.Input`` returns) does no arithmetic: the
layer is built from the input shapes, its output shape is worked out, and a :class:`Node`
records "this layer was applied to these symbolic tensors and gave those". A functional model
later replays the nodes on real data.
"""
from __future__ import annotations

from typing import Any

from axon import backend
from axon.engine.nest import flatten, map_structure


class KerasTensor:
    """A symbolic tensor: a shape ``(batch, ...)``, a dtype and the layer call that produced it.

    Attributes:
        shape: with the batch axis first (``None`` when not fixed).
        dtype: the element type's name.
        layer: the layer whose call produced it (an ``InputLayer`` for a model input).
        node: the :class:`Node` of that call; ``tensor_index`` its position among the outputs.
    """

    def __init__(self, shape: tuple, dtype: str, layer: Any = None, node: Node | None = None,
                 tensor_index: int = 0) -> None:
        self.shape, self.dtype = tuple(shape), str(dtype)
        self.layer, self.node, self.tensor_index = layer, node, tensor_index

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def name(self) -> str:
        return self.layer.name if self.layer is not None else "keras_tensor"

    def __repr__(self) -> str:
        return (f"<KerasTensor shape={self.shape}, dtype={self.dtype}, "
                f"name={self.name}>")


class Node:
    """One call of ``layer`` in a graph: symbolic ``inputs`` (a structure) -> ``outputs``.

    ``call_kwargs`` are the keyword arguments of the call (e.g. ``training=True`` forced at
    construction); ``index`` is the node's position in ``layer.inbound_nodes``.
    """

    def __init__(self, layer: Any, inputs: Any, call_kwargs: dict) -> None:
        self.layer, self.inputs, self.call_kwargs = layer, inputs, dict(call_kwargs)
        self.outputs: Any = None
        self.index = len(layer.inbound_nodes)
        layer.inbound_nodes.append(self)

    @property
    def parent_tensors(self) -> list[KerasTensor]:
        return flatten(self.inputs)


def is_symbolic(inputs: Any) -> bool:
    """Whether ``inputs`` (a tensor or a list/tuple/dict of them) holds a KerasTensor."""
    if isinstance(inputs, KerasTensor):
        return True
    if isinstance(inputs, list | tuple | dict):
        return any(isinstance(leaf, KerasTensor) for leaf in flatten(inputs))
    return False


def shape_text(shape: Any) -> str:
    """``(None, 10)``; lists of shapes as ``[(None, 3), (None, 4)]``."""
    if isinstance(shape, list):
        return "[" + ", ".join(shape_text(s) for s in shape) + "]"
    return "(" + ", ".join("None" if n is None else str(n) for n in shape) + (
        ",)" if len(shape) == 1 else ")")


def symbolic_call(layer: Any, inputs: Any, call_kwargs: dict) -> Any:
    """Apply ``layer`` to symbolic ``inputs``: build it, infer its output, record a Node."""
    leaves = flatten(inputs)
    for leaf in leaves:
        if not isinstance(leaf, KerasTensor):
            raise TypeError(f"Layer '{layer.name}' was called on a mix of symbolic inputs "
                            f"(axon.Input) and {type(leaf).__name__}; in a functional model "
                            "every input of a layer must come from axon.Input or another layer.")
    shapes = map_structure(lambda t: t.shape, _as_list(inputs))
    try:
        layer._build_or_check(shapes)
        output_shapes = _infer_output_shapes(layer, inputs, shapes, call_kwargs)
    except ValueError as error:
        sources = "; ".join(f"layer '{leaf.name}' gives shape {shape_text(leaf.shape)}"
                            for leaf in leaves)
        raise ValueError(f"{error}\nThe input(s) of layer '{layer.name}' "
                         f"({type(layer).__name__}): {sources}.") from None
    node = Node(layer, inputs, call_kwargs)
    dtype = getattr(layer, "compute_dtype", None) or backend.floatx()
    if isinstance(output_shapes, list):
        node.outputs = [KerasTensor(s, dtype, layer, node, i) for i, s in enumerate(output_shapes)]
    else:
        node.outputs = KerasTensor(output_shapes, dtype, layer, node, 0)
    return node.outputs


def _as_list(inputs: Any) -> Any:
    return list(inputs) if isinstance(inputs, tuple) else inputs


def _infer_output_shapes(layer: Any, inputs: Any, shapes: Any, call_kwargs: dict) -> Any:
    leaves = flatten(inputs)
    dtypes = map_structure(lambda t: t.dtype, _as_list(inputs))
    kwargs = {key: value for key, value in call_kwargs.items() if key != "training"}
    return infer_output_shape(layer, shapes, dtypes, leaves[0].shape[0], kwargs)


def infer_output_shape(layer: Any, shapes: Any, dtypes: Any = None, batch: Any = None,
                       call_kwargs: dict | None = None) -> Any:
    """The output shape of built ``layer`` for input ``shapes`` (batch axis included).

    The layer's ``compute_output_shape`` when it has its own; otherwise a forward pass on a
    one-sample batch of zeros, which works for any layer, custom ones included. The batch axis
    is reported as ``batch``.
    """
    from axon.layers.base import Layer  # the base imports this module

    if type(layer).compute_output_shape is not Layer.compute_output_shape:
        return _normalise(layer.compute_output_shape(shapes))
    from axon.engine import Tensor, no_grad

    def zeros(shape: tuple, dtype: Any) -> Tensor:
        return Tensor(backend.xp.zeros(tuple(1 if n is None else n for n in shape),
                                       dtype=dtype or backend.floatx()))

    if isinstance(shapes, list):
        dtypes = dtypes if isinstance(dtypes, list) else [dtypes] * len(shapes)
        arguments: Any = [zeros(s, d) for s, d in zip(shapes, dtypes)]
    else:
        arguments = zeros(shapes, dtypes)
    with no_grad():
        outputs = layer.call(arguments, training=False, **(call_kwargs or {}))
    if isinstance(outputs, list | tuple):
        return [(batch,) + tuple(o.shape[1:]) for o in outputs]
    return (batch,) + tuple(outputs.shape[1:])


def _normalise(shape: Any) -> Any:
    if isinstance(shape, list) or (isinstance(shape, tuple) and shape and
                                   isinstance(shape[0], tuple | list)):
        return [tuple(s) for s in shape]
    return tuple(shape)
