"""Lambda: a layer around a function of tensors, as ``keras.layers.Lambda``.

A model file never holds code. A Lambda is saved with its function's name (the registered
``'package>name'``, else ``__name__``), and loading looks the name up among the objects the
program gives (``load_model(custom_objects={...})``, ``@axon.saving.register_keras_serializable``).
An anonymous ``lambda`` has no name to look up: saving a model that holds one is refused with a
message that says how to name it.
"""
from __future__ import annotations

import inspect
from typing import Any

from axon.backend import xp
from axon.engine import Tensor, no_grad
from axon.layers.base import Layer
from axon.utils.registry import CUSTOM_HINT, custom_object, function_name

__all__ = ["Lambda"]


class Lambda(Layer):
    """Applies ``function`` to its input: ``y = function(x, **arguments)``.

    The function receives axon Tensors and must compute with axon's ops (``axon.engine.functional``,
    Tensor arithmetic), so that gradients flow through it: ``dL/dx`` is the chain rule through
    whatever the function computes. It may also take ``mask`` and ``training`` keyword arguments,
    which it then receives.

    Args:
        function: a callable of the input tensor (or list of tensors).
        output_shape: the output's shape without the batch axis (a tuple), or a function of the
            input shape (batch axis included) that returns the output shape. Default: found by
            running ``function`` on zeros twice, with each unknown size set to 2 and then to 3;
            an axis whose size differs between the runs is unknown (None) in the output.
        mask: None (no output mask), or a function ``(inputs, mask) -> output mask``.
        arguments: keyword arguments passed to ``function`` (JSON values, to be saved).

    Saving: the function (and ``mask``) are saved by name and found again by
    ``load_model(..., custom_objects={name: function})`` or through
    ``@axon.saving.register_keras_serializable()``; a ``lambda`` cannot be saved.

    Example:
        >>> import axon, numpy as np
        >>> def halve(x):
        ...     return x * 0.5
        >>> axon.layers.Lambda(halve)(np.array([[2.0, 4.0]])).numpy().tolist()
        [[1.0, 2.0]]
    """

    def __init__(self, function: Any, output_shape: Any = None, mask: Any = None,
                 arguments: dict | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not callable(function):
            raise TypeError(f"Lambda expects a callable function. Received: {function!r}")
        if output_shape is not None and not callable(output_shape) and not (
                isinstance(output_shape, tuple | list)
                and all(n is None or isinstance(n, int) and not isinstance(n, bool) and n >= 0
                        for n in output_shape)):
            raise ValueError("Lambda expects output_shape to be None, a tuple of sizes (without "
                             f"the batch axis) or a function. Received: output_shape={output_shape!r}")
        if mask is not None and not callable(mask):
            raise ValueError(f"Lambda expects mask to be None or a function (inputs, mask) -> "
                             f"mask. Received: mask={mask!r}")
        if arguments is not None and not isinstance(arguments, dict):
            raise ValueError(f"Lambda expects arguments to be a dict. Received: {arguments!r}")
        self.function, self.mask_function = function, mask
        self.output_shape_argument = tuple(output_shape) if isinstance(output_shape, list) \
            else output_shape
        self.arguments = dict(arguments or {})
        parameters = _parameters(function)
        self._passes = {name for name in ("mask", "training") if name in parameters}

    def call(self, inputs: Any, training: bool = False, mask: Any = None) -> Any:
        extra = dict(self.arguments)
        if "mask" in self._passes:
            extra["mask"] = mask
        if "training" in self._passes:
            extra["training"] = training
        return self.function(inputs, **extra)

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        return None if self.mask_function is None else self.mask_function(inputs, mask)

    def _check_rank(self, shape: Any) -> None:
        """Any input is accepted; the function decides what it can take."""

    def check_input_shape(self, shape: Any) -> None:
        """Any input shape is accepted (no weights)."""

    def compute_output_shape(self, input_shape: Any) -> Any:
        wanted = self.output_shape_argument
        if callable(wanted):
            return wanted(input_shape)
        if wanted is not None:
            first = input_shape[0][0] if isinstance(input_shape, list) else input_shape[0]
            return (first, *wanted)
        return self._traced_output_shape(input_shape)

    def _traced_output_shape(self, input_shape: Any) -> Any:
        """The output shape found by running the function on zeros with the unknown sizes set
        to 2, then to 3 (a size that follows them is unknown)."""
        runs = []
        for size in (2, 3):
            inputs = [self._zeros(s, size) for s in input_shape] \
                if isinstance(input_shape, list) else self._zeros(input_shape, size)
            try:
                with no_grad():
                    outputs = self.call(inputs)
            except Exception as error:
                raise ValueError(f"Layer '{self.name}' (Lambda) could not find its output shape "
                                 f"by calling its function on zeros of shape {input_shape} "
                                 f"({type(error).__name__}: {error}); give output_shape=."
                                 ) from error
            runs.append(outputs)
        return _merge_shapes(runs[0], runs[1])

    def _zeros(self, shape: Any, unknown: int) -> Tensor:
        return Tensor(xp.zeros(tuple(unknown if n is None else n for n in shape), dtype=self.dtype))

    def get_config(self) -> dict:
        shape = self.output_shape_argument
        return {**super().get_config(), "function": function_name(self.function),
                "output_shape": function_name(shape) if callable(shape) else shape,
                "output_shape_type": "function" if callable(shape) else "raw",
                "mask": None if self.mask_function is None else function_name(self.mask_function),
                "arguments": self.arguments}

    @classmethod
    def from_config(cls, config: dict) -> Lambda:
        config = dict(config)
        name = config.get("name", "lambda")
        config["function"] = _named(config.get("function"), "function", name)
        if config.pop("output_shape_type", "raw") == "function":
            config["output_shape"] = _named(config.get("output_shape"), "output_shape", name)
        if config.get("mask") is not None:
            config["mask"] = _named(config["mask"], "mask", name)
        return cls(**config)


def unnamed_functions(layer: Lambda) -> list[str]:
    """The arguments of ``layer`` holding a function that cannot be saved by name."""
    functions = {"function": layer.function, "mask": layer.mask_function,
                 "output_shape": layer.output_shape_argument}
    return [argument for argument, value in functions.items()
            if callable(value) and function_name(value) is None]


def _named(name: Any, argument: str, layer_name: str) -> Any:
    if not isinstance(name, str):
        raise ValueError(f"Lambda layer '{layer_name}' was saved without a name for its "
                         f"{argument} (it was an anonymous function); a model file holds no "
                         "code. Rebuild the layer in code, or define the function with def.")
    found = custom_object(name)
    if not callable(found):
        raise ValueError(f"Lambda layer '{layer_name}' needs its {argument} {name!r}, which is "
                         "not known here. " + CUSTOM_HINT.format(name=name))
    return found


def _parameters(function: Any) -> dict:
    try:
        return dict(inspect.signature(function).parameters)
    except (TypeError, ValueError):   # some built-ins have no signature
        return {}


def _merge_shapes(first: Any, second: Any) -> Any:
    """``(None, *sizes)`` of an output (or a list of them), None where the runs differ."""
    if isinstance(first, list | tuple):
        return [_merge_shapes(a, b) for a, b in zip(first, second)]
    return (None, *(a if a == b else None for a, b in zip(first.shape[1:], second.shape[1:])))

