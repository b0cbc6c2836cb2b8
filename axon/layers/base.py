"""The Layer base: configuration in ``__init__``, weights in ``build``, math in ``call``.

``Layer.__call__`` converts and checks the input, builds the layer once from the input's shape,
then calls ``call``. Shapes given to ``build`` and ``compute_output_shape`` include the batch axis
(as ``None`` when unknown), as in Keras.
"""
from __future__ import annotations

import contextlib
import inspect
import math
from collections.abc import Iterator
from typing import Any

from axon import backend
from axon import initializers as initializers_module
from axon import regularizers as regularizers_module
from axon.engine import Tensor, Variable
from axon.engine.nest import flatten
from axon.layers.symbolic import is_symbolic, symbolic_call
from axon.utils.naming import to_snake_case, unique_name

_BASE_KWARGS = ("input_shape", "input_dim", "batch_size", "batch_input_shape")

# The base's own bookkeeping attributes: containers that never hold sub-layers.
_NEVER_SUB_LAYERS = frozenset({"_weights", "_weight_regularizers", "_activity_losses",
                               "inbound_nodes", "_build_input_shape", "_input_shape_arg",
                               "_layer_shapes", "_accepted_input_shape", "_layer_holders"})


class Layer:
    """A building block with weights: ``y = layer(x)``.

    Args:
        trainable: whether the layer's weights are updated by training.
        name: unique name (default: the class name in snake case, numbered).
        dtype: the float type of the weights (default ``axon.config.floatx()``).
        activity_regularizer: a penalty on the layer's output, added to the loss
            (``layer.losses``). As in Keras 3 it is not divided by the batch size.
        input_shape: shape of one sample (no batch axis), for a first layer of a Sequential.
        input_dim: shorthand for ``input_shape=(input_dim,)``.
    """

    def __init__(self, trainable: bool = True, name: str | None = None, dtype: Any = None,
                 activity_regularizer: Any = None, **kwargs: Any) -> None:
        unknown = sorted(set(kwargs) - set(_BASE_KWARGS))
        if unknown:
            raise TypeError(f"{type(self).__name__} got unexpected keyword argument(s): "
                            f"{', '.join(unknown)}.")
        if name is not None and not isinstance(name, str):
            raise TypeError(f"Layer name must be a string. Received: name={name!r}")
        self.name = name or unique_name(to_snake_case(type(self).__name__))
        self.dtype = str(backend.xp.dtype(dtype)) if dtype is not None else backend.floatx()
        self._trainable = bool(trainable)
        self.built = False
        self._weights: list[Variable] = []
        self._weight_regularizers: list[tuple[Variable, Any]] = []
        self._activity_losses: list[Tensor] = []
        self.activity_regularizer = _regularizer(activity_regularizer)
        self.inbound_nodes: list = []
        self._build_input_shape: Any = None
        self._input_shape_arg = _input_shape_from(kwargs, type(self).__name__)

    # ---- lifecycle ----------------------------------------------------------------------------
    def build(self, input_shape: Any) -> None:
        """Create the weights for inputs of ``input_shape`` (batch axis included; a list of
        shapes for a layer called on a list of tensors)."""
        self.built = True

    def call(self, inputs: Any, training: bool = False) -> Any:
        """The layer's math on a batch. Subclasses override it."""
        raise NotImplementedError(f"Layer {type(self).__name__} does not implement call().")

    def __call__(self, inputs: Any, training: bool = False, mask: Any = None,
                 **kwargs: Any) -> Any:
        """Check and convert ``inputs``, build on first call, run ``call``.

        ``inputs`` may be a tensor, an array, or a list of them (merging layers). Called on
        symbolic tensors (``axon.Input``), the call is recorded for a functional model instead.
        ``mask`` (a boolean array, ``True`` where a time step is real) reaches ``call`` only
        when ``call`` takes a ``mask`` argument; models pass each layer the mask that
        ``compute_mask`` of the previous layer gave.
        """
        if mask is not None and call_accepts_mask(type(self)):
            kwargs["mask"] = mask
        if not isinstance(inputs, Tensor) and is_symbolic(inputs):
            if training:
                kwargs["training"] = training
            return symbolic_call(self, inputs, kwargs)
        if isinstance(inputs, list | tuple):
            inputs = [self._convert_input(x) for x in inputs]
            self._build_or_check([(None,) + tuple(x.shape[1:]) for x in inputs],
                                 [x.shape for x in inputs])
        else:
            inputs = self._convert_input(inputs)
            if self.built:
                self.check_input_shape(inputs.shape)
            else:
                self._build_or_check((None,) + tuple(inputs.shape[1:]), inputs.shape)
        outputs = self.call(inputs, training=training, **kwargs)
        if self.activity_regularizer is not None:
            self._activity_losses = [self.activity_regularizer(out) for out in flatten(outputs)
                                     if isinstance(out, Tensor)]
        return outputs

    def _inference_function(self) -> Any:
        """A function ``array -> array`` that computes this layer's inference output (``training``
        False, no mask, no graph) exactly as ``call`` would, with no tensor bookkeeping; or
        ``None`` when the layer has none (the default). A model whose every layer has one runs
        them back to back when no gradient is recorded (``predict``, ``no_grad``)."""
        return None

    def _runs_as(self, cls: type) -> bool:
        """Whether this layer computes exactly as ``cls`` does: neither ``call`` nor ``__call__``
        overridden by a subclass, and no activity regularizer to record. A layer's inference
        function is only valid then."""
        kind = type(self)
        return kind.call is cls.call and kind.__call__ is cls.__call__ \
            and self.activity_regularizer is None

    def _build_or_check(self, shapes: Any, full_shapes: Any = None) -> None:
        """Build from ``shapes`` (batch axis ``None``) on the first call; check them later."""
        if self.built:
            self.check_input_shape(full_shapes if full_shapes is not None else shapes)
            return
        try:
            self._check_rank(shapes)
        except ValueError as error:
            if full_shapes is None or type(error) is not ValueError:
                raise
            # The check sees the batch axis as None; the array's own shape says what was given
            # (for a 1-D array, the only axis was taken as the batch axis).
            given = ", ".join(_fmt(tuple(s)) for s in full_shapes) \
                if isinstance(full_shapes, list) else _fmt(tuple(full_shapes))
            raise ValueError(f"{str(error).rstrip('.')}, from input of shape {given} (its first "
                             f"axis is the batch axis).") from None
        self.build(shapes)
        self._build_input_shape = shapes
        self.built = True

    def _convert_input(self, inputs: Any) -> Tensor:
        if isinstance(inputs, Tensor):
            return inputs
        array = backend.xp.asarray(inputs)
        if array.dtype.kind not in "fiub":
            raise TypeError(f"Layer '{self.name}' expects numeric input. "
                            f"Received: dtype={array.dtype}")
        if array.dtype.kind != "f":
            array = array.astype(self.dtype)
        return Tensor(array)

    def _check_rank(self, shape: Any) -> None:
        """Hook for layers that need a minimum input rank (``shape`` as given to ``build``)."""

    def check_input_shape(self, shape: Any) -> None:
        """Raise a clear error when ``shape`` differs from the shape the layer was built for."""
        expected = self._build_input_shape
        if expected is None:
            return
        accepted = self.__dict__.get("_accepted_input_shape")
        if accepted is not None and accepted[0] is expected and accepted[1] == shape:
            return  # the shape passed this check last time (a built layer called again)
        self._check_against(expected, shape)
        object.__setattr__(self, "_accepted_input_shape", (expected, shape))

    def _check_against(self, expected: Any, shape: Any) -> None:
        if isinstance(expected, list):
            if not isinstance(shape, list) or len(shape) != len(expected):
                count = len(shape) if isinstance(shape, list) else 1
                raise ValueError(f"Layer '{self.name}' expects {len(expected)} inputs. "
                                 f"Received: {count} input(s).")
            for index, (e, s) in enumerate(zip(expected, shape)):
                _check_one(self.name, index, e, s)
            return
        if isinstance(shape, list):
            raise ValueError(f"Layer '{self.name}' expects a single input of shape "
                             f"{_fmt(expected)}. Received: a list of {len(shape)} inputs.")
        _check_one(self.name, 0, expected, shape)

    def compute_output_shape(self, input_shape: Any) -> Any:
        """The output shape for ``input_shape`` (batch axis included). Default: unchanged."""
        return tuple(input_shape)

    #: Whether the layer passes a time-step mask on unchanged (Keras's ``supports_masking``).
    supports_masking: bool = False

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        """The mask of the output: the input's mask when ``supports_masking``, else ``None``.

        Layers that make a mask (Embedding with ``mask_zero``, Masking) or change the time axis
        override it.
        """
        return mask if self.supports_masking else None

    # ---- weights -----------------------------------------------------------------------------
    def add_weight(self, name: str, shape: tuple, initializer: Any = "glorot_uniform",
                   trainable: bool = True, dtype: Any = None, regularizer: Any = None,
                   constraint: Any = None) -> Variable:
        """Create, track and return a weight of ``shape`` drawn from ``initializer``.

        Args:
            regularizer: a penalty ``R(w)`` added to the loss through ``layer.losses``.
            constraint: a function applied to the weight after each optimizer update
                (e.g. a projection onto non-negative values).
        """
        dtype = dtype or self.dtype
        _spend_weight_budget(self.name, name, shape)
        value = initializers_module.get(initializer)(tuple(shape), dtype=dtype)
        variable = Variable(value, trainable=trainable and self._trainable, name=name, dtype=dtype)
        if constraint is not None and not callable(constraint):
            raise TypeError(f"Layer '{self.name}' expects constraint to be callable for weight "
                            f"'{name}'. Received: {constraint!r}")
        variable.constraint = constraint
        self._weights.append(variable)
        if not trainable:
            self.__dict__.setdefault("_created_non_trainable", set()).add(id(variable))
        regularizer = _regularizer(regularizer)
        if regularizer is not None:
            self._weight_regularizers.append((variable, regularizer))
        return variable

    @property
    def losses(self) -> list[Tensor]:
        """The regularization terms of this layer and its sub-layers, as scalar tensors.

        Weight penalties are computed afresh on each access (so they belong to the current
        graph); activity penalties are those of each layer's latest call.
        """
        terms: list[Tensor] = []
        for layer in self._flatten_layers():
            terms += [regularizer(variable) for variable, regularizer in layer._weight_regularizers]
            terms += layer._activity_losses
        return terms

    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        self._trainable = bool(value)
        for layer in self._flatten_layers():
            layer._trainable = bool(value)
            frozen = getattr(layer, "_created_non_trainable", ())
            for weight in layer._weights:  # weights created non-trainable (moving statistics) stay so
                weight.trainable = bool(value) and id(weight) not in frozen

    def __setattr__(self, name: str, value: Any) -> None:
        # Sub-layers are found from the attributes' current values (see ``_sub_layers``), in
        # the order the attributes were assigned; a reassigned attribute that may hold layers
        # moves to the end, as Keras appends a newly assigned layer. The names of the
        # attributes that may hold layers are kept in assignment order, so ``_sub_layers``
        # (asked on every training step, for the weights) skips every other attribute.
        holds_layers = isinstance(value, Layer | list | tuple | dict) \
            and name not in _NEVER_SUB_LAYERS
        if holds_layers and name in self.__dict__:
            del self.__dict__[name]
        object.__setattr__(self, name, value)
        names = self.__dict__.get("_layer_holders", ())
        if name in names:
            names = tuple(n for n in names if n != name)
        if holds_layers:
            names += (name,)
        # A new tuple, never mutated: a shallow copy of a layer cannot share a changing one.
        object.__setattr__(self, "_layer_holders", names)

    def __delattr__(self, name: str) -> None:
        object.__delattr__(self, name)
        names = self.__dict__.get("_layer_holders", ())
        if name in names:
            object.__setattr__(self, "_layer_holders", tuple(n for n in names if n != name))

    def _sub_layers(self) -> list[Layer]:
        """The layers held in this layer's attributes, alone or inside (nested) lists, tuples
        and dicts, in attribute order, each once. Computed on each access, so layers appended
        to a list later count and a replaced layer no longer does."""
        found: list[Layer] = []
        attributes = self.__dict__
        holders = attributes.get("_layer_holders", ())
        if not holders:
            return found
        seen = {id(self)}
        pending = [attributes[name] for name in reversed(holders)]
        while pending:
            value = pending.pop()
            if id(value) in seen:
                continue
            if isinstance(value, Layer):
                seen.add(id(value))
                found.append(value)
            elif isinstance(value, list | tuple | dict):
                seen.add(id(value))
                items = value.values() if isinstance(value, dict) else value
                pending.extend(reversed(list(items)))
        return found

    def _flatten_layers(self) -> list[Layer]:
        """This layer and every layer inside it, each once, depth first in the order
        ``_child_layers`` gives them."""
        result: list[Layer] = []
        self._collect_layers(result, set())
        return result

    def _collect_layers(self, result: list, seen: set) -> None:
        # Each layer is visited once (``seen``), so nested models cost time linear in their
        # layers, not exponential in their depth.
        if id(self) in seen:
            return
        seen.add(id(self))
        result.append(self)
        for layer in self._child_layers():
            layer._collect_layers(result, seen)

    def _child_layers(self) -> list[Layer]:
        """The layers directly inside this one (a model or wrapper may override this)."""
        return self._sub_layers()

    @property
    def weights(self) -> list[Variable]:
        """All weights, trainable first, as Keras orders them."""
        return self.trainable_weights + self.non_trainable_weights

    @property
    def trainable_weights(self) -> list[Variable]:
        return [w for layer in self._flatten_layers() for w in layer._weights if w.trainable]

    @property
    def non_trainable_weights(self) -> list[Variable]:
        return [w for layer in self._flatten_layers() for w in layer._weights if not w.trainable]

    @property
    def trainable_variables(self) -> list[Variable]:
        return self.trainable_weights

    @property
    def variables(self) -> list[Variable]:
        return self.weights

    def _ordered_weights(self) -> list[Variable]:
        """Weights in creation order, layer by layer (the order of get/set_weights)."""
        return [w for layer in self._flatten_layers() for w in layer._weights]

    def get_weights(self) -> list:
        """The weights' values as NumPy arrays, in creation order (as Keras)."""
        return [backend.to_numpy(w.data).copy() for w in self._ordered_weights()]

    def set_weights(self, weights: list) -> None:
        """Set every weight from NumPy arrays given in the order of :meth:`get_weights`."""
        own = self._ordered_weights()
        if len(weights) != len(own):
            raise ValueError(f"Layer '{self.name}' expects {len(own)} weight arrays "
                             f"({', '.join(w.name for w in own)}). Received: {len(weights)} arrays")
        for variable, value in zip(own, weights):
            value = backend.xp.asarray(value)
            if value.shape != variable.shape:
                raise ValueError(f"Layer '{self.name}' weight '{variable.name}' has shape "
                                 f"{variable.shape}. Received: shape={value.shape}")
        for variable, value in zip(own, weights):
            variable.assign(value)

    def count_params(self) -> int:
        """The number of scalars in all weights."""
        return sum(math.prod(w.shape) for w in self.weights)

    # ---- configuration -----------------------------------------------------------------------
    def get_config(self) -> dict:
        """The constructor arguments that recreate this layer (weights excluded)."""
        config = {"name": self.name, "trainable": self.trainable, "dtype": self.dtype}
        if self.activity_regularizer is not None:
            config["activity_regularizer"] = regularizers_module.serialize(
                self.activity_regularizer)
        if self._input_shape_arg is not None:
            config["input_shape"] = self._input_shape_arg
        return config

    @classmethod
    def from_config(cls, config: dict) -> Layer:
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


def _input_shape_from(kwargs: dict, layer_type: str) -> tuple | None:
    """The per-sample input shape given by ``input_shape``, ``input_dim`` or ``batch_input_shape``."""
    if kwargs.get("input_shape") is not None:
        shape = kwargs["input_shape"]
        shape = (shape,) if isinstance(shape, int) else tuple(shape)
    elif kwargs.get("batch_input_shape") is not None:
        shape = tuple(kwargs["batch_input_shape"])[1:]
    elif kwargs.get("input_dim") is not None:
        shape = (kwargs["input_dim"],)
    else:
        return None
    if not all(n is None or isinstance(n, int) and n > 0 for n in shape):
        raise ValueError(f"{layer_type} expects input_shape to hold positive integers (or None). "
                         f"Received: input_shape={shape}")
    return shape


def _fmt(shape: tuple) -> str:
    return "(" + ", ".join("None" if n is None else str(n) for n in shape) + (
        ",)" if len(shape) == 1 else ")")


def _check_one(layer_name: str, index: int, expected: tuple, shape: tuple) -> None:
    if len(shape) != len(expected) or any(
            e is not None and e != s for e, s in zip(expected[1:], shape[1:])):
        raise ValueError(
            f"Input {index} of layer '{layer_name}' is incompatible with the layer: expected "
            f"shape={_fmt(expected)}, found shape={_fmt((None,) + tuple(shape[1:]))} "
            f"(full input shape {_fmt(tuple(shape))}).")


def _regularizer(identifier: Any) -> Any:
    return None if identifier is None else regularizers_module.get(identifier)


_MASK_ARGUMENT: dict[type, bool] = {}


def call_accepts_mask(cls: type) -> bool:
    """Whether ``cls.call`` takes a ``mask`` argument (looked up once per class)."""
    if cls not in _MASK_ARGUMENT:
        try:
            _MASK_ARGUMENT[cls] = "mask" in inspect.signature(cls.call).parameters
        except (TypeError, ValueError):
            _MASK_ARGUMENT[cls] = False
    return _MASK_ARGUMENT[cls]


# ---- a ceiling on weight sizes while a file is loaded ------------------------------------------------
_weight_budget: list[int] = []   # the values still allowed, while weight_budget() is active


class WeightBudgetError(ValueError):
    """A layer asked for more weight values than the file being loaded holds."""


@contextlib.contextmanager
def weight_budget(values: int) -> Iterator[None]:
    """Within the block, layers may create at most ``values`` weight values in all.

    Loading a model file builds its layers from the file's configuration before the stored
    arrays are assigned; a forged configuration (``units=10**9``) would otherwise allocate and
    fill gigabytes first. Every weight must come from the file, so the file's own values are a
    safe ceiling, checked before anything is allocated.
    """
    _weight_budget.append(int(values))
    try:
        yield
    finally:
        _weight_budget.pop()


def _spend_weight_budget(layer: str, weight: str, shape: Any) -> None:
    if not _weight_budget:
        return
    size = 1
    for n in shape:
        size *= int(n)
    if size > _weight_budget[-1]:
        raise WeightBudgetError(f"Layer '{layer}' asks for weight '{weight}' of shape "
                                f"{tuple(shape)} ({size} values), more than the "
                                f"{_weight_budget[-1]} values left in the file being loaded.")
    _weight_budget[-1] -= max(size, 0)
