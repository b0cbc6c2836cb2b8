"""The ONNX graph under construction: nodes, initializers, unique names, and value layouts."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from onnx import helper, numpy_helper

__all__ = ["Value", "GraphBuilder", "channels_first_perm"]


@dataclass(frozen=True)
class Value:
    """An axon tensor inside the ONNX graph.

    Attributes:
        name: the ONNX value's name.
        perm: ``onnx_value = transpose(axon_value, perm)``; ``None`` when they are the same.
        shape: the axon tensor's shape (batch axis first, ``None`` where unknown), when known.
        masked: whether axon passes a time-step mask along with this tensor (from
            ``Embedding(mask_zero=True)``, ``Masking`` or a call's ``mask=``).
        mask: the ONNX name of that mask (booleans, ``True`` where a step is real) when the
            graph computes it, ``None`` otherwise (a ``mask=`` array fixed at build time).
    """

    name: str
    perm: tuple | None = None
    shape: tuple | None = None
    masked: bool = False
    mask: str | None = None

    @property
    def rank(self) -> int | None:
        if self.shape is not None:
            return len(self.shape)
        return None if self.perm is None else len(self.perm)

    def onnx_axis(self, axis: int) -> int:
        """Where axon's ``axis`` (non-negative) sits in the ONNX value."""
        return axis if self.perm is None else self.perm.index(axis)


def channels_first_perm(rank: int) -> tuple:
    """``(0, rank-1, 1, ..., rank-2)``: ``(N, *spatial, C) -> (N, C, *spatial)``."""
    return (0, rank - 1, *range(1, rank - 1))


class GraphBuilder:
    """Collects nodes and initializers; names every value ``'<scope>/<Op>_<k>'``.

    Args:
        opset: the ONNX operator set the nodes are written for.
    """

    def __init__(self, opset: int) -> None:
        self.opset = opset
        self.nodes: list = []
        self.initializers: list = []
        self.scope = "graph"
        self._count = 0
        self._transposed: dict[tuple, str] = {}
        # a float value made from an integer graph input -> that input (Embedding gathers with it)
        self.integer_inputs: dict[str, str] = {}

    def fresh(self, base: str) -> str:
        self._count += 1
        return f"{self.scope}/{base}_{self._count}"

    def const(self, array: Any, base: str = "const", dtype: Any = np.float32) -> str:
        """An initializer holding ``array`` (float32 unless ``dtype`` says otherwise)."""
        name = self.fresh(base)
        self.initializers.append(numpy_helper.from_array(np.asarray(array, dtype=dtype), name))
        return name

    def ints(self, values: Any, base: str = "axes") -> str:
        """An int64 initializer (shapes, axes, slice bounds)."""
        return self.const(list(values), base, np.int64)

    def node(self, op: str, inputs: list[str], outputs: int = 1, name: str | None = None,
             **attributes: Any) -> Any:
        """Append one ``op`` node; returns its output name (a list when ``outputs > 1``)."""
        names = [name or self.fresh(op)] if outputs == 1 else [self.fresh(op) for _ in range(outputs)]
        self.nodes.append(helper.make_node(op, inputs, names, name=self.fresh(f"{op}_node"),
                                           **attributes))
        return names[0] if outputs == 1 else names

    def arranged(self, value: Value, perm: tuple | None) -> str:
        """``value`` as ``transpose(axon_value, perm)`` (``None``: axon's layout).

        A value now in layout ``p`` reaches ``q`` by ``Transpose(perm=r)`` with
        ``r[i] = p^-1[q[i]]`` (``p`` then ``r`` puts axon's axis ``p[r[i]] = q[i]`` at ``i``);
        each such transpose is made once and reused.
        """
        rank = value.rank
        current = value.perm or tuple(range(rank or 0))
        wanted = perm or tuple(range(len(current)))
        if current == wanted or (value.perm is None and perm is None):
            return value.name
        key = (value.name, wanted)
        if key not in self._transposed:
            r = [current.index(axis) for axis in wanted]
            self._transposed[key] = self.node("Transpose", [value.name], perm=r)
        return self._transposed[key]

    def natural(self, value: Value) -> str:
        """``value`` in axon's own layout."""
        return self.arranged(value, None)

    # ---- ops whose signature changed between opsets --------------------------------------------
    def reduce(self, op: str, name: str, axes: list[int], keepdims: bool) -> str:
        """``ReduceMean``/``ReduceMax``/``ReduceSum`` over ``axes`` (an input from opset 18,
        from 13 for ``ReduceSum``; an attribute before)."""
        if self.opset >= 18 or op == "ReduceSum":
            return self.node(op, [name, self.ints(axes)], keepdims=int(keepdims))
        return self.node(op, [name], axes=list(axes), keepdims=int(keepdims))

    def squeeze(self, name: str, axes: list[int]) -> str:
        return self.node("Squeeze", [name, self.ints(axes)])

    def unsqueeze(self, name: str, axes: list[int]) -> str:
        return self.node("Unsqueeze", [name, self.ints(axes)])
