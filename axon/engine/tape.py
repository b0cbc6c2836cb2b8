"""GradientTape: Keras/TensorFlow's way to ask for gradients in a custom training loop.

The engine records every operation on tensors that require a gradient, so the tape itself only
has to (1) make sure recording is on inside its block, (2) make tensors it is told to ``watch``
require a gradient, and (3) answer ``tape.gradient(target, sources)`` by one reverse sweep that
returns ``dtarget/dsource`` for each source without touching any ``.grad`` attribute.

Example:
    >>> import axon
    >>> w = axon.Variable([[2.0]], name="w")
    >>> x = axon.Tensor([[3.0]])
    >>> with axon.GradientTape() as tape:
    ...     loss = ((x @ w - 1.0) ** 2).sum()
    >>> tape.gradient(loss, w).numpy().tolist()        # d/dw (3w - 1)^2 = 6 (3w - 1) = 30
    [[30.0]]
"""
from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from axon.engine import tensor as _tensor
from axon.engine.nest import flatten, pack_as
from axon.engine.tensor import Tensor


class GradientTape:
    """Records the operations in its block so their gradients can be asked for afterwards.

    Args:
        persistent: allow several ``gradient`` calls (the graph is kept until the tape is freed).
        watch_accessed_variables: accepted for Keras compatibility; trainable ``Variable``s
            always require a gradient in axon, so they are always watched.
    """

    def __init__(self, persistent: bool = False, watch_accessed_variables: bool = True) -> None:
        self.persistent = bool(persistent)
        self.watch_accessed_variables = watch_accessed_variables
        self._used = False
        self._recording = False
        self._grad_context: Any = None

    def __enter__(self) -> GradientTape:
        self._grad_context = _tensor.enable_grad()
        self._grad_context.__enter__()
        self._recording = True
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self._recording = False
        self._grad_context.__exit__(*exc_info)

    def watch(self, tensor: Any) -> None:
        """Track ``tensor`` (or each tensor of a list/tuple/dict): it will require a gradient.

        Watch a tensor before it is used; operations recorded before the watch do not count.
        """
        for item in flatten(tensor):
            if not isinstance(item, Tensor):
                raise TypeError(f"GradientTape.watch expects Tensors (or lists of them). "
                                f"Received: {type(item).__name__}")
            if item.dtype.kind != "f":
                raise TypeError(f"GradientTape.watch expects a floating-point tensor. "
                                f"Received: dtype={item.dtype}")
            item.requires_grad = True

    @contextlib.contextmanager
    def stop_recording(self) -> Iterator[None]:
        """A block inside the tape whose operations are not recorded."""
        with _tensor.no_grad():
            yield

    def gradient(self, target: Any, sources: Any, output_gradients: Any = None) -> Any:
        """``d target / d source`` for each source, in the structure of ``sources``.

        Args:
            target: a Tensor (or a list of Tensors, whose sum is differentiated). A target with
                more than one element is differentiated as the sum of its elements, as in
                TensorFlow.
            sources: a Tensor, or a list/tuple/dict of Tensors (e.g. ``model.trainable_weights``).
            output_gradients: optional ``d loss / d target`` (same shape as ``target``).

        Returns:
            Tensors shaped like their sources; ``None`` for a source ``target`` does not depend on.
        """
        if self._used and not self.persistent:
            raise RuntimeError("A non-persistent GradientTape can compute gradients only once; "
                               "create it with GradientTape(persistent=True) to call gradient() "
                               "again.")
        self._used = True
        targets = flatten(target)
        if not targets or not all(isinstance(t, Tensor) for t in targets):
            raise TypeError(f"GradientTape.gradient expects target to be a Tensor (or a list of "
                            f"Tensors). Received: {type(target).__name__}")
        flat_sources = flatten(sources)
        for source in flat_sources:
            if not isinstance(source, Tensor):
                raise TypeError(f"GradientTape.gradient expects sources to be Tensors or "
                                f"Variables. Received: {type(source).__name__}")
        total = targets[0] if len(targets) == 1 else sum(
            (t.sum() for t in targets[1:]), targets[0].sum())
        if output_gradients is None and total.data.size != 1:
            output_gradients = _tensor.xp.ones_like(total.data)
        if not total.requires_grad:  # nothing recorded: every gradient is None
            return pack_as(sources, [None] * len(flat_sources))
        arrays = _tensor.grad(total, flat_sources, output_gradients,
                              retain_graph=self.persistent)
        return pack_as(sources, [None if a is None else Tensor(a) for a in arrays])

