"""Tensor: an array that remembers how it was computed, for reverse-mode differentiation.

``y = f(x)`` recorded as a graph of primitives; ``y.backward()`` walks the graph from ``y`` back to
the leaves in topological order and leaves ``dL/dx`` in ``x.grad`` for every leaf ``x`` that
requires a gradient. Gradients are first order only.

Example:
    >>> import axon
    >>> x = axon.Tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> y = (x * x).sum()
    >>> y.backward()
    >>> x.grad.tolist()
    [2.0, 4.0, 6.0]
"""
from __future__ import annotations

import contextlib
import numbers
from typing import Any

from axon import backend

xp = backend.xp

_grad_enabled = [True]


def is_grad_enabled() -> bool:
    """Whether operations are being recorded for differentiation."""
    return _grad_enabled[0]


class _GradMode(contextlib.ContextDecorator):
    """Sets whether operations are recorded inside a ``with`` block (or a decorated function).

    # NOTE: a class rather than ``@contextlib.contextmanager``: ``predict`` enters one on every
    # call, and the generator-based form costs several times more to enter and leave.
    """

    _enabled: bool

    def __enter__(self) -> None:
        self._previous = _grad_enabled[0]
        _grad_enabled[0] = self._enabled

    def __exit__(self, *exc_info: Any) -> None:
        _grad_enabled[0] = self._previous

    def _recreate_cm(self) -> _GradMode:  # a fresh one per call of a decorated function
        return type(self)()


class no_grad(_GradMode):
    """A context in which no graph is recorded (inference, optimizer updates).

    Example:
        >>> import axon
        >>> w = axon.Tensor([1.0], requires_grad=True)
        >>> with axon.no_grad():
        ...     y = w * 2
        >>> y.requires_grad
        False
    """

    _enabled = False


class enable_grad(_GradMode):
    """A context that records the graph again, inside :func:`no_grad`."""

    _enabled = True


def _to_array(data: Any, dtype: Any = None) -> Any:
    """Turn data into a backend array; Python numbers and lists take the default float type."""
    if isinstance(data, xp.ndarray):
        return data if dtype is None or data.dtype == dtype else data.astype(dtype)
    if dtype is None and isinstance(data, numbers.Number | list | tuple):
        array = xp.asarray(data)
        return array if array.dtype.kind == "b" else array.astype(backend.floatx())
    return xp.asarray(data, dtype=dtype)


class Tensor:
    """An n-dimensional array with an optional gradient and a link to the op that made it.

    Args:
        data: array-like. Python numbers and lists become the default float type
            (``axon.config.floatx()``); NumPy arrays keep their dtype.
        requires_grad: whether ``backward`` should compute ``dL/d(this)``.
        dtype: optional dtype to convert to.
        name: optional name shown in ``repr``.
    """

    __slots__ = ("data", "grad", "requires_grad", "creator", "name")
    __array_ufunc__ = None  # NumPy defers to our reflected operators: ndarray + Tensor -> Tensor

    def __init__(self, data: Any, requires_grad: bool = False, dtype: Any = None,
                 name: str | None = None) -> None:
        if isinstance(data, Tensor):
            data = data.data
        array = _to_array(data, dtype)
        if requires_grad and array.dtype.kind != "f":
            raise TypeError(
                f"Only floating-point tensors can require gradients. Received: dtype={array.dtype}"
            )
        self.data = array
        self.grad = None
        self.requires_grad = bool(requires_grad)
        self.creator = None
        self.name = name

    @classmethod
    def _from_op(cls, data: Any, creator: Any) -> Tensor:
        out = cls.__new__(cls)
        out.data = data
        out.grad = None
        out.requires_grad = creator is not None
        out.creator = creator
        out.name = None
        return out

    # ---- array-like attributes -------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def dtype(self) -> Any:
        return self.data.dtype

    @property
    def size(self) -> int:
        return self.data.size

    @property
    def T(self) -> Tensor:
        return F.transpose(self)

    def __len__(self) -> int:
        return len(self.data)

    def numpy(self) -> Any:
        """The values as a NumPy array (moved to the host if needed)."""
        return backend.to_numpy(self.data)

    def item(self) -> float:
        """The single value of a one-element tensor as a Python number."""
        return self.data.item()

    def __float__(self) -> float:
        return float(self.data.item())

    def __int__(self) -> int:
        return int(self.data.item())

    def detach(self) -> Tensor:
        """The same values, cut from the graph (no gradient flows through)."""
        return Tensor._from_op(self.data, None)

    def __repr__(self) -> str:
        extra = ", requires_grad=True" if self.requires_grad else ""
        name = f", name={self.name!r}" if self.name else ""
        values = str(backend.to_numpy(self.data)).replace("\n", "\n       ")
        return f"Tensor({values}, dtype={self.dtype}{extra}{name})"

    def __array__(self, dtype: Any = None, copy: Any = None) -> Any:
        array = backend.to_numpy(self.data)
        return array if dtype is None else array.astype(dtype)

    # ---- differentiation -------------------------------------------------------------------
    def backward(self, grad: Any = None, retain_graph: bool = False) -> None:
        """Compute ``dL/dx`` for every leaf ``x`` this tensor depends on, into ``x.grad``.

        Walks the recorded graph once, in a deterministic topological order (iteratively, no
        recursion), adds gradients that meet at a node, and frees every node's saved arrays as
        soon as they are used: the graph can be backpropagated once, unless ``retain_graph``.

        Args:
            grad: ``dL/d(self)``; may be omitted for a one-element tensor (then it is 1).
            retain_graph: keep the saved arrays, so the graph can be differentiated again.
        """
        _backpropagate(self, grad, retain_graph, wanted=None)

    # ---- operators (each a primitive or a composite of functional.py) ----------------------
    def __add__(self, other: Any) -> Tensor:
        return F.add(self, other)

    def __radd__(self, other: Any) -> Tensor:
        return F.add(other, self)

    def __sub__(self, other: Any) -> Tensor:
        return F.sub(self, other)

    def __rsub__(self, other: Any) -> Tensor:
        return F.sub(other, self)

    def __mul__(self, other: Any) -> Tensor:
        return F.mul(self, other)

    def __rmul__(self, other: Any) -> Tensor:
        return F.mul(other, self)

    def __truediv__(self, other: Any) -> Tensor:
        return F.div(self, other)

    def __rtruediv__(self, other: Any) -> Tensor:
        return F.div(other, self)

    def __pow__(self, other: Any) -> Tensor:
        return F.pow(self, other)

    def __rpow__(self, other: Any) -> Tensor:
        return F.pow(other, self)

    def __matmul__(self, other: Any) -> Tensor:
        return F.matmul(self, other)

    def __rmatmul__(self, other: Any) -> Tensor:
        return F.matmul(other, self)

    def __neg__(self) -> Tensor:
        return F.neg(self)

    def __abs__(self) -> Tensor:
        return F.abs(self)

    def __getitem__(self, index: Any) -> Tensor:
        return F.getitem(self, index)

    # Comparisons give plain boolean arrays: they have no gradient.
    def __lt__(self, other: Any) -> Any:
        return self.data < _data(other)

    def __le__(self, other: Any) -> Any:
        return self.data <= _data(other)

    def __gt__(self, other: Any) -> Any:
        return self.data > _data(other)

    def __ge__(self, other: Any) -> Any:
        return self.data >= _data(other)

    __hash__ = object.__hash__

    # ---- methods -------------------------------------------------------------------------
    def sum(self, axis: Any = None, keepdims: bool = False) -> Tensor:
        return F.sum(self, axis=axis, keepdims=keepdims)

    def mean(self, axis: Any = None, keepdims: bool = False) -> Tensor:
        return F.mean(self, axis=axis, keepdims=keepdims)

    def max(self, axis: Any = None, keepdims: bool = False) -> Tensor:
        return F.max(self, axis=axis, keepdims=keepdims)

    def min(self, axis: Any = None, keepdims: bool = False) -> Tensor:
        return F.min(self, axis=axis, keepdims=keepdims)

    def var(self, axis: Any = None, keepdims: bool = False) -> Tensor:
        return F.var(self, axis=axis, keepdims=keepdims)

    def reshape(self, *shape: Any) -> Tensor:
        if len(shape) == 1 and isinstance(shape[0], tuple | list):
            shape = tuple(shape[0])
        return F.reshape(self, shape)

    def transpose(self, *axes: Any) -> Tensor:
        if len(axes) == 1 and isinstance(axes[0], tuple | list):
            axes = tuple(axes[0])
        return F.transpose(self, axes or None)

    def exp(self) -> Tensor:
        return F.exp(self)

    def log(self) -> Tensor:
        return F.log(self)

    def sqrt(self) -> Tensor:
        return F.sqrt(self)

    def tanh(self) -> Tensor:
        return F.tanh(self)

    def sigmoid(self) -> Tensor:
        return F.sigmoid(self)

    def relu(self) -> Tensor:
        return F.relu(self)


def _data(value: Any) -> Any:
    return value.data if isinstance(value, Tensor) else value


def _initial_grad(root: Tensor, grad: Any) -> Any:
    """``dL/d(root)``: the given gradient (checked) or 1 for a one-element tensor."""
    if not root.requires_grad:
        raise RuntimeError("backward() called on a tensor that does not require a gradient; "
                           "give an input requires_grad=True (or use a Variable).")
    if grad is None:
        if root.data.size != 1:
            raise ValueError("backward() without a gradient needs a one-element tensor. "
                             f"Received: shape={root.shape}; pass grad= of that shape.")
        return xp.ones_like(root.data)
    grad = _to_array(grad.data if isinstance(grad, Tensor) else grad, root.dtype)
    if grad.shape != root.shape:
        raise ValueError(f"backward(grad) expects grad of shape {root.shape}. "
                         f"Received: shape={grad.shape}")
    return grad


def _backpropagate(root: Tensor, grad: Any, retain_graph: bool,
                   wanted: set[int] | None) -> dict[int, Any]:
    """The reverse sweep from ``root``, shared by ``backward`` and :func:`grad`.

    With ``wanted=None`` each leaf's gradient is added to its ``.grad``. Otherwise no ``.grad`` is
    touched: the gradients of the tensors whose ``id`` is in ``wanted`` are returned by id.
    """
    grads = {id(root): _initial_grad(root, grad)}
    found: dict[int, Any] = {}
    for node in _topological_order(root):
        g = grads.pop(id(node), None)
        if g is None:
            continue
        if wanted is not None and id(node) in wanted:
            found[id(node)] = g
        op = node.creator
        if op is None:  # a leaf owns its gradient: never a view, an alias or the caller's array
            if wanted is None:
                node.grad = g.copy() if node.grad is None else node.grad + g
            continue
        if op.inputs is None:
            raise RuntimeError("The graph has already been freed by an earlier backward(); "
                               "recompute the forward pass, or pass retain_graph=True (a "
                               "persistent GradientTape), to differentiate again.")
        op.final_backward = not retain_graph
        input_grads = op.backward(g)
        inputs, op_name = op.inputs, type(op).__name__
        if len(input_grads) != len(inputs):
            raise RuntimeError(f"{op_name}.backward returned {len(input_grads)} gradients "
                               f"for {len(inputs)} inputs.")
        for tensor, input_grad in zip(inputs, input_grads):
            if input_grad is None or not tensor.requires_grad:
                continue
            input_grad = unbroadcast(input_grad, tensor.shape, tensor.dtype, op_name)
            key = id(tensor)
            previous = grads.get(key)
            grads[key] = input_grad if previous is None else previous + input_grad
        if not retain_graph:
            op.release()
    return found


def grad(target: Tensor, sources: list[Tensor], grad_output: Any = None,
         retain_graph: bool = False) -> list[Any]:
    """``[dL/ds for s in sources]`` as arrays (``None`` where ``target`` does not depend on ``s``).

    Unlike :meth:`Tensor.backward`, no ``.grad`` attribute is read or written.

    Example:
        >>> import axon
        >>> from axon.engine.tensor import grad
        >>> x = axon.Tensor([3.0], requires_grad=True)
        >>> grad((x * x).sum(), [x])[0].tolist()
        [6.0]
    """
    found = _backpropagate(target, grad_output, retain_graph, {id(s) for s in sources})
    return [found.get(id(s)) for s in sources]


def _topological_order(root: Tensor) -> list[Tensor]:
    """Nodes that need a gradient, each after every node that uses it (iterative DFS)."""
    order: list[Tensor] = []
    visited: set[int] = set()
    stack: list[tuple[Tensor, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if children_done:
            order.append(node)
            continue
        if id(node) in visited:
            continue
        visited.add(id(node))
        stack.append((node, True))
        op = node.creator
        if op is not None and op.inputs is not None:
            for parent in reversed(op.inputs):
                if parent.requires_grad and id(parent) not in visited:
                    stack.append((parent, False))
    order.reverse()
    return order


class Variable(Tensor):
    """A named, mutable tensor that holds a model's state (weights, moving statistics).

    Args:
        value: initial value (array-like).
        trainable: whether optimizers update it (and so whether it requires a gradient).
        name: the weight's name, e.g. ``'kernel'``.
        constraint: optional function ``w -> w'`` applied after each optimizer update.
        dtype: dtype to store (default: the value's float type or ``floatx``).
    """

    __slots__ = ("_trainable", "constraint")

    def __init__(self, value: Any, trainable: bool = True, name: str | None = None,
                 dtype: Any = None, constraint: Any = None) -> None:
        array = _to_array(value.data if isinstance(value, Tensor) else value, dtype)
        if array.dtype.kind != "f":
            array = array.astype(backend.floatx())
        super().__init__(array, requires_grad=trainable, name=name)
        self._trainable = bool(trainable)
        self.constraint = constraint

    @property
    def trainable(self) -> bool:
        """Whether optimizers update this variable; it requires a gradient exactly when trainable."""
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        self._trainable = bool(value)
        self.requires_grad = bool(value)

    def assign(self, value: Any) -> None:
        """Replace the value in place (same shape), keeping the variable's dtype."""
        array = _to_array(value.data if isinstance(value, Tensor) else value, self.dtype)
        if array.shape != self.data.shape:
            raise ValueError(f"Variable {self.name!r} has shape {self.data.shape}; "
                             f"cannot assign a value of shape {array.shape}.")
        self.data[...] = array

    def __repr__(self) -> str:
        return (f"Variable(name={self.name!r}, shape={self.shape}, dtype={self.dtype}, "
                f"trainable={self.trainable})")


from axon.engine import functional as F  # noqa: E402  (functional builds on Tensor)
from axon.engine.op import unbroadcast  # noqa: E402
