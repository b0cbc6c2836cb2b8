"""Export axon models to ONNX: ``axon.onnx.export(model, "model.onnx")``.

The model is written as an inference graph (dropout is the identity, batch normalization uses its
moving statistics) in float32, with a symbolic batch axis named ``'batch'``, and checked with
``onnx.checker.check_model``. Supported: Sequential and functional models (any number of inputs
and outputs, nested models included) made of the layers listed in
``axon.onnx.layers.SUPPORTED`` (Dense, Embedding, Conv1D/2D/3D, depthwise, separable and
transposed convolutions, the pooling layers, BatchNormalization, LayerNormalization, Dropout,
Flatten, Reshape, Activation, ZeroPadding, Cropping, UpSampling, Rescaling, Normalization,
Masking, TimeDistributed, the merging layers, Dot, SimpleRNN, LSTM, GRU, Bidirectional,
MultiHeadAttention, Attention, AdditiveAttention ...).
A model input declared with an integer dtype (``axon.Input(..., dtype='int64')``) stays an
integer input of the graph.

Masks. The graph carries a time-step mask (from ``Embedding(mask_zero=True)`` or ``Masking``)
beside the values, as axon does, to the layers that pass it on; GlobalAveragePooling1D then
averages the real steps only, and the attention layers forbid the masked (query, key) pairs. A
layer that would skip masked steps in a way ONNX's ops cannot (SimpleRNN, LSTM, GRU,
Bidirectional), or any mask-using layer given a ``mask=`` array fixed when the model was built,
is refused with a ``ValueError``.

Layouts. axon is channels-last, ONNX's Conv and pooling are channels-first. Each value carries a
permutation ``perm`` with ``onnx_value = transpose(axon_value, perm)``; a convolution asks for
its input as ``(N, C, *spatial)`` and hands back its output in that layout, elementwise layers
keep the layout they were given, and whatever depends on the order of the entries (Flatten,
Reshape, Dense, recurrent layers, the model's outputs) asks for axon's own layout. So a stack of
convolutions transposes once at the start and once before Flatten, and the flattened order is
axon's ``(H, W, C)`` order, which the Dense after it was trained on.

This package needs the ``onnx`` package (``pip install onnx``; ``onnxruntime`` to run the file);
``import axon`` does not import it.

Example:
    >>> import axon, numpy as np
    >>> import axon.onnx
    >>> model = axon.Sequential([axon.layers.Dense(3, activation="relu", input_shape=(4,))])
    >>> proto = axon.onnx.export(model)
    >>> [n.op_type for n in proto.graph.node]
    ['MatMul', 'Add', 'Relu', 'Identity']
"""
from __future__ import annotations

import os
from typing import Any

import numpy as np

# NOTE: absolute imports: this is the third-party ``onnx`` package, not ``axon.onnx`` itself.
try:
    import onnx
    from onnx import TensorProto, helper
except ImportError as error:  # an optional dependency: say how to get it
    raise ImportError("axon.onnx needs the onnx package, which is not installed. Install it with "
                      "`pip install onnx` (and onnxruntime to run the exported files).") from error

from axon.layers import Embedding, Masking, TimeDistributed
from axon.layers.base import Layer, call_accepts_mask
from axon.models import Model, Sequential
from axon.onnx import layers as converters
from axon.onnx.graph import GraphBuilder, Value

__all__ = ["export", "DEFAULT_OPSET", "MIN_OPSET"]

DEFAULT_OPSET = 17
MIN_OPSET = 13  # Softmax over one axis and Squeeze/Unsqueeze with axes as an input start here


def export(model: Model, filepath: str | os.PathLike | None = None,
           opset: int = DEFAULT_OPSET) -> onnx.ModelProto:
    """Write ``model`` as an ONNX graph (inference mode, float32) and return the ``ModelProto``.

    Args:
        model: a built ``axon.Sequential`` or functional ``axon.Model`` (a subclassed model
            with its own ``call`` cannot be traced).
        filepath: where to save the ``.onnx`` file; ``None`` only returns the proto.
        opset: the ONNX operator set, from 13 to the newest the installed ``onnx`` knows
            (default 17).

    Returns:
        The checked ``onnx.ModelProto``. Its inputs and outputs are named after the model's
        (``model.input_names``-like: the input layers' names, then ``model.output_names``), each
        of shape ``('batch', ...)``.

    Raises:
        ValueError: for a layer (or a layer option) that has no ONNX conversion, or a
            recurrent layer fed a mask; the message names the layer and lists the supported
            ones (or says what to change).
    """
    newest = onnx.defs.onnx_opset_version()
    if isinstance(opset, bool) or not isinstance(opset, int) or not MIN_OPSET <= opset <= newest:
        raise ValueError(f"axon.onnx.export expects opset to be an integer from {MIN_OPSET} to "
                         f"{newest}. Received: opset={opset!r}")
    if not isinstance(model, Model):
        raise ValueError(f"axon.onnx.export expects an axon Model (Sequential or functional). "
                         f"Received: {type(model).__name__}")
    inputs = _model_inputs(model)
    builder = GraphBuilder(opset)
    graph_inputs, values = [], []
    for name, shape, dtype in inputs:
        graph_inputs.append(_tensor_info(name, shape, name, dtype))
        value = name
        if dtype != np.float32:  # an integer input: the layers see it as floats, as in axon
            value = builder.node("Cast", [name], to=TensorProto.FLOAT)
            if dtype in (np.int32, np.int64):
                builder.integer_inputs[value] = name  # Embedding gathers with it directly
        values.append(Value(value, None, tuple(shape)))
    outputs = emit_model(builder, model, values)
    names = _unique_names(list(getattr(model, "output_names", None) or []), len(outputs),
                          {name for name, _, _ in inputs})
    graph_outputs = []
    for name, value in zip(names, outputs):
        builder.node("Identity", [builder.natural(value)], name=name)
        graph_outputs.append(_tensor_info(name, value.shape, name))
    graph = helper.make_graph(builder.nodes, model.name, graph_inputs, graph_outputs,
                              initializer=builder.initializers)
    opsets = [helper.make_opsetid("", opset)]
    proto = helper.make_model(graph, opset_imports=opsets, producer_name="axon",
                              ir_version=helper.find_min_ir_version_for(opsets))
    onnx.checker.check_model(proto, full_check=True)
    if filepath is not None:
        onnx.save(proto, os.fspath(filepath))
    return proto


def emit_model(builder: GraphBuilder, model: Model, inputs: list[Value]) -> list[Value]:
    """Add ``model``'s layers to ``builder``, fed by ``inputs``; returns its output values."""
    if isinstance(model, Sequential):
        value = inputs[0]
        for layer in model.layers:
            value = emit_layer(builder, layer, [value], model.layer_output_shape(layer))
            if isinstance(value, list):
                raise ValueError(f"Layer '{layer.name}' ({type(layer).__name__}) gives several "
                                 "outputs, which a Sequential cannot pass on.")
        return [value]
    graph = getattr(model, "_graph", None)
    if graph is None:
        raise ValueError(f"axon.onnx.export cannot trace model '{model.name}' "
                         f"({type(model).__name__}): a subclassed Model computes in Python code of "
                         "its own. Export a Sequential or a functional Model(inputs, outputs).")
    known = {id(t): v for t, v in zip(graph.input_tensors, inputs)}
    for node in graph.nodes:
        parents = [known[id(t)] for t in node.parent_tensors]
        symbolic = node.outputs if isinstance(node.outputs, list) else [node.outputs]
        shapes = [t.shape for t in symbolic]
        if node.call_kwargs.get("mask") is not None:
            parents = [Value(v.name, v.perm, v.shape, masked=True) for v in parents]  # no .mask
        result = emit_layer(builder, node.layer, parents,
                            shapes if isinstance(node.outputs, list) else shapes[0],
                            node.call_kwargs)
        results = result if isinstance(result, list) else [result]
        for tensor, value in zip(symbolic, results):
            known[id(tensor)] = value
    return [known[id(t)] for t in graph.output_tensors]


def emit_layer(builder: GraphBuilder, layer: Layer, inputs: list[Value], output_shape: Any,
               call_kwargs: dict | None = None) -> Value | list[Value]:
    """The ONNX nodes of one layer call (with the call's keyword arguments, e.g. attention's
    ``use_causal_mask``); the output values carry axon's ``output_shape`` and whether axon passes
    a time-step mask along with them (see :func:`_output_masked`)."""
    masked = any(v.masked for v in inputs)
    known = all(v.mask is not None for v in inputs if v.masked)
    if masked and _uses_mask(layer) and not (type(layer) in converters.MASK_USING and known):
        raise ValueError(f"axon.onnx.export cannot convert layer '{layer.name}' "
                         f"({type(layer).__name__}) fed a time-step mask (from "
                         "Embedding(mask_zero=True), Masking or mask=): it would skip the masked "
                         "steps, which the exported graph cannot. Export a model without the mask "
                         "(mask_zero=False, no Masking layer) or whose masks reach no such layer.")
    if isinstance(layer, Model):  # a nested model starts without masks, as axon runs it
        inputs = [Value(v.name, v.perm, v.shape) for v in inputs]
        outputs = emit_model(builder, layer, inputs)
        result: Any = outputs if len(outputs) > 1 else outputs[0]
    else:
        result = converters.convert(builder, layer, inputs, call_kwargs)
    masked = _output_masked(layer, inputs)
    # a mask made by this layer (its converter computed it), else the one passed on
    mask = getattr(result, "mask", None) if isinstance(layer, Embedding | Masking) \
        else inputs[0].mask
    if isinstance(result, list):
        shapes = output_shape if isinstance(output_shape, list) else [output_shape] * len(result)
        return [Value(v.name, v.perm, _shape(s), masked, mask if masked else None)
                for v, s in zip(result, shapes)]
    return Value(result.name, result.perm, _shape(output_shape), masked, mask if masked else None)


def _uses_mask(layer: Layer) -> bool:
    """Whether ``layer`` changes its output by a mask it is given (its ``call`` takes one:
    the recurrent layers, Bidirectional, attention, GlobalAveragePooling1D; TimeDistributed when
    its layer does). Of those, only the ones in ``converters.MASK_USING`` are exported, and
    only with a mask the graph computes."""
    if isinstance(layer, TimeDistributed):
        return _uses_mask(layer.layer)
    return call_accepts_mask(type(layer))


def _output_masked(layer: Layer, inputs: list[Value]) -> bool:
    """Whether axon's ``layer.compute_mask`` gives its output a mask: made by
    ``Embedding(mask_zero=True)`` and ``Masking``, the query's passed on by the attention layers,
    any passed on by the other ``supports_masking`` layers (mask-using layers that are not
    exported never get here with one)."""
    if isinstance(layer, Embedding):
        return layer.mask_zero
    if isinstance(layer, Masking):
        return True
    if type(layer) in converters.FIRST_INPUT_MASK:
        return inputs[0].masked
    return any(v.masked for v in inputs) and layer.supports_masking


def _shape(shape: Any) -> tuple | None:
    return None if shape is None else tuple(shape)


def _model_inputs(model: Model) -> list[tuple[str, tuple, Any]]:
    """``(name, shape, dtype)`` of each model input, the batch axis first; the dtype is float32
    unless the input was declared with a non-float one (``axon.Input(..., dtype='int64')``)."""
    if isinstance(model, Sequential):
        if not model.layers:
            raise ValueError(f"Sequential model '{model.name}' has no layers to export.")
        symbolic = model.inputs
        if not model.built or not symbolic:
            raise ValueError(f"axon.onnx.export needs model '{model.name}' built, with a known "
                             "input shape: give it an axon.Input (or input_shape=) or call it "
                             "once on data.")
        layer = getattr(model, "_input_layer", None)
        return [(layer.name if layer is not None else "input", tuple(symbolic[0].shape),
                 _graph_dtype(symbolic[0].dtype))]
    graph = getattr(model, "_graph", None)
    if graph is None:
        emit_model(GraphBuilder(DEFAULT_OPSET), model, [])  # raises the error for subclasses
    return [(name, tuple(t.shape), _graph_dtype(t.dtype))
            for name, t in zip(graph.input_names, graph.input_tensors)]


def _graph_dtype(dtype: Any) -> Any:
    """float32 for any float input (the graph computes in float32), else the declared type."""
    dtype = np.dtype(dtype if dtype is not None else np.float32)
    return np.dtype(np.float32) if dtype.kind == "f" else dtype


def _tensor_info(name: str, shape: tuple, prefix: str,
                 dtype: Any = np.float32) -> onnx.ValueInfoProto:
    """A graph input/output of axon ``shape`` (float32 unless ``dtype`` says otherwise):
    ``None`` axes become symbolic, the batch axis ``'batch'``."""
    dims: list[Any] = ["batch"] + [f"{prefix}_dim{i}" if n is None else int(n)
                                   for i, n in enumerate(shape[1:], start=1)]
    return helper.make_tensor_value_info(name, helper.np_dtype_to_tensor_dtype(np.dtype(dtype)),
                                         dims)


def _unique_names(names: list[str], count: int, taken: set[str]) -> list[str]:
    """``count`` output names: the model's output names, made unique, ``output_k`` otherwise."""
    result = []
    for k in range(count):
        name = names[k] if k < len(names) else f"output_{k}"
        while name in taken:
            name = f"{name}_out"
        taken.add(name)
        result.append(name)
    return result
