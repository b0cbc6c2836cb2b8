"""Wrappers: layers that apply another layer in a new way (Bidirectional, TimeDistributed)."""
from __future__ import annotations

from typing import Any

from axon import backend
from axon.engine import Tensor
from axon.engine import functional as F
from axon.layers import _args
from axon.layers import serialization as serialization_module
from axon.layers.base import Layer
from axon.layers.rnn_base import RecurrentLayer, require_fixed_batch

__all__ = ["Bidirectional", "TimeDistributed"]

_MERGE_MODES = ("concat", "sum", "mul", "ave", None)


class Bidirectional(Layer):
    """Runs a recurrent layer forwards and a copy backwards over time, and merges the two.

    ``y_f = forward(x)``; ``y_b = backward(x)`` (the copy has ``go_backwards`` flipped; with
    ``return_sequences`` its outputs are flipped back so step t of both sides lines up); then
    ``concat``: ``[y_f, y_b]`` on the last axis, ``sum``: ``y_f + y_b``, ``mul``: ``y_f * y_b``,
    ``ave``: ``(y_f + y_b) / 2``, None: the list ``[y_f, y_b]``. Gradients flow to both sides
    through these (e.g. for ``mul``, ``dL/dy_f = g * y_b``).

    As Keras, both sides are new layers made from ``layer``'s config (named ``forward_<name>``
    and ``backward_<name>``; a ``forward_`` prefix of ``layer``'s name is not repeated, so a
    config round trip keeps the names); ``layer`` itself is only a template. With
    ``return_sequences`` the two sides output zeros at masked steps (Keras's
    ``zero_output_for_mask``).

    Args:
        layer: a recurrent layer (SimpleRNN, LSTM, GRU).
        merge_mode: ``'concat'`` (default), ``'sum'``, ``'mul'``, ``'ave'`` or None.
        backward_layer: optional layer for the backward side; it must have ``go_backwards``
            opposite to ``layer`` and the same ``return_sequences``, ``return_state`` and
            ``stateful``.

    Input shape: ``(batch, timesteps, features)``. Output shape: the layer's, with the last
    axis doubled for ``'concat'``; with ``return_state``, ``[output, *forward_states,
    *backward_states]``. Call: ``layer(x, training=False, mask=None, initial_state=None)``,
    the initial states being the forward ones followed by the backward ones.

    Example:
        >>> import axon, numpy as np
        >>> from axon.layers.recurrent import LSTM
        >>> axon.layers.wrappers.Bidirectional(LSTM(3))(np.zeros((2, 5, 4))).shape
        (2, 6)
    """

    supports_masking = True

    def __init__(self, layer: Any, merge_mode: str | None = "concat",
                 backward_layer: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not isinstance(layer, RecurrentLayer):
            raise ValueError("Bidirectional expects layer to be a recurrent layer (SimpleRNN, "
                             f"LSTM, GRU). Received: layer={layer!r}")
        if backward_layer is not None and not isinstance(backward_layer, RecurrentLayer):
            raise ValueError("Bidirectional expects backward_layer to be a recurrent layer or "
                             f"None. Received: backward_layer={backward_layer!r}")
        if merge_mode not in _MERGE_MODES:
            raise ValueError("Bidirectional expects merge_mode to be one of 'concat', 'sum', "
                             f"'mul', 'ave' or None. Received: merge_mode={merge_mode!r}")
        base_name = layer.name.removeprefix("forward_")  # get_config stores the forward side
        self.forward_layer = _copy(layer, name=f"forward_{base_name}")
        self.backward_layer = backward_layer if backward_layer is not None else _copy(
            layer, name=f"backward_{base_name}", go_backwards=not layer.go_backwards)
        self._has_own_backward = backward_layer is not None
        if self.forward_layer.go_backwards == self.backward_layer.go_backwards:
            raise ValueError("Bidirectional expects the forward and backward layers to have "
                             "different go_backwards. Received: go_backwards="
                             f"{self.forward_layer.go_backwards} for both")
        for attribute in ("stateful", "return_sequences", "return_state"):
            forward, backward = (getattr(self.forward_layer, attribute),
                                 getattr(self.backward_layer, attribute))
            if forward != backward:
                raise ValueError(f"Bidirectional expects the forward and backward layers to have "
                                 f"the same {attribute}. Received: {forward} (forward) and "
                                 f"{backward} (backward)")
        for side in (self.forward_layer, self.backward_layer):
            side.zero_output_for_mask = side.return_sequences
        self.merge_mode = merge_mode
        self.return_sequences = self.forward_layer.return_sequences
        self.return_state = self.forward_layer.return_state
        self.stateful = self.forward_layer.stateful

    def _child_layers(self):
        return [self.forward_layer, self.backward_layer]

    def _check_rank(self, shape):
        self.forward_layer._check_rank(shape)

    def check_input_shape(self, shape):
        """As the wrapped layer: any number of time steps, the features built for."""
        self.forward_layer.check_input_shape(shape)
        self.backward_layer.check_input_shape(shape)

    def build(self, input_shape):
        sequence = input_shape[0] if isinstance(input_shape, list) else input_shape
        for side in (self.forward_layer, self.backward_layer):
            if not side.built:
                side._build_or_check(tuple(sequence))
        super().build(input_shape)

    def __call__(self, inputs: Any, training: bool = False, mask: Any = None,
                 initial_state: Any = None, **kwargs: Any) -> Any:
        """The initial states travel with the sequence as one list (see RecurrentLayer)."""
        if initial_state is not None:
            inputs = [inputs] + list(initial_state)
        if self.stateful:
            require_fixed_batch(self, inputs, self.forward_layer.batch_size)
        return super().__call__(inputs, training=training, mask=mask, **kwargs)

    def call(self, inputs: Any, training: bool = False, mask: Any = None) -> Any:
        forward_state = backward_state = None
        if isinstance(inputs, list | tuple):
            inputs, states = inputs[0], list(inputs[1:])
            expected = 2 * len(self.forward_layer.state_names)
            if len(states) != expected:
                raise ValueError(f"Layer '{self.name}' (Bidirectional) expects {expected} initial "
                                 "states (the forward ones, then the backward ones). "
                                 f"Received: {len(states)}")
            half = expected // 2
            forward_state, backward_state = states[:half], states[half:]
        if isinstance(mask, list | tuple):
            mask = mask[0]
        y = self.forward_layer.call(inputs, training=training, mask=mask,
                                    initial_state=forward_state)
        y_rev = self.backward_layer.call(inputs, training=training, mask=mask,
                                         initial_state=backward_state)
        states = []
        if self.return_state:
            states, y, y_rev = y[1:] + y_rev[1:], y[0], y_rev[0]
        if self.return_sequences:
            y_rev = F.getitem(y_rev, (slice(None), slice(None, None, -1)))
        if self.merge_mode == "concat":
            output = [F.concatenate([y, y_rev], axis=-1)]
        elif self.merge_mode == "sum":
            output = [y + y_rev]
        elif self.merge_mode == "ave":
            output = [(y + y_rev) * 0.5]
        elif self.merge_mode == "mul":
            output = [y * y_rev]
        else:
            output = [y, y_rev]
        if self.return_state or self.merge_mode is None:
            return output + states
        return output[0]

    def compute_output_shape(self, input_shape):
        shape = self.forward_layer.compute_output_shape(input_shape)
        states = []
        if self.return_state:
            shape, states = shape[0], shape[1:]
        if self.merge_mode == "concat":
            outputs = [tuple(shape[:-1]) + (None if shape[-1] is None else 2 * shape[-1],)]
        else:
            outputs = [tuple(shape)] * (2 if self.merge_mode is None else 1)
        if self.return_state or self.merge_mode is None:
            return outputs + states + states
        return outputs[0]

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        if isinstance(mask, list | tuple):
            mask = mask[0]
        output_mask = mask if self.return_sequences else None
        outputs = [output_mask] * (2 if self.merge_mode is None else 1)
        if self.return_state:
            return outputs + [None] * (2 * len(self.forward_layer.state_names))
        return outputs if self.merge_mode is None else output_mask

    def reset_states(self, states: Any = None) -> None:
        """Reset both sides' carried states (a stateful layer)."""
        if states is None:
            self.forward_layer.reset_states()
            self.backward_layer.reset_states()
            return
        half = len(states) // 2
        self.forward_layer.reset_states(states[:half])
        self.backward_layer.reset_states(states[half:])

    def get_config(self):
        config = {**super().get_config(), "merge_mode": self.merge_mode,
                  "layer": serialization_module.serialize(self.forward_layer)}
        if self._has_own_backward:
            config["backward_layer"] = serialization_module.serialize(self.backward_layer)
        return config

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> Bidirectional:
        config = dict(config)
        config["layer"] = serialization_module.deserialize(config["layer"], custom_objects)
        if config.get("backward_layer") is not None:
            config["backward_layer"] = serialization_module.deserialize(
                config["backward_layer"], custom_objects)
        return cls(**config)


def _copy(layer: RecurrentLayer, **changes: Any) -> RecurrentLayer:
    """A new, unbuilt layer of ``layer``'s class and config, with ``changes``."""
    return type(layer).from_config({**layer.get_config(), **changes})


class TimeDistributed(Layer):
    """Applies ``layer`` to every time step: ``y[:, t] = layer(x[:, t])``, with shared weights.

    The time axis is folded into the batch: ``x`` of shape ``(batch, time, ...)`` becomes
    ``(batch * time, ...)``, goes through ``layer`` once, and is unfolded back. The gradient
    follows the same reshapes, so ``dL/dW`` sums over batch and time. A mask of shape
    ``(batch, time, ...)`` is folded the same way and passed on (as Keras: step t gets
    ``mask[:, t]``) when the layer's ``call`` takes a ``mask``; the output keeps the input's mask.

    Args:
        layer: the layer to apply (built here on ``(batch * time, ...)`` inputs).

    Input shape: ``(batch, time, ...)``. Output shape: ``(batch, time) + layer's output shape``.

    Example:
        >>> import axon, numpy as np
        >>> axon.layers.wrappers.TimeDistributed(axon.layers.Dense(2))(np.zeros((4, 3, 5))).shape
        (4, 3, 2)
    """

    supports_masking = True

    def __init__(self, layer: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not isinstance(layer, Layer):
            raise ValueError(f"TimeDistributed expects layer to be a Layer. Received: layer={layer!r}")
        self.layer = layer

    def _child_layers(self):
        return [self.layer]

    def _check_rank(self, shape):
        _args.single_input(self, shape)
        if len(shape) < 3:
            raise ValueError(f"Layer '{self.name}' (TimeDistributed) expects an input of rank >= 3 "
                             f"(batch, time, ...). Received: shape={tuple(shape)}")

    def check_input_shape(self, shape):
        """Any number of time steps; the per-step shape is checked by the wrapped layer."""
        self._check_rank(shape)

    def build(self, input_shape):
        if not self.layer.built:
            self.layer._build_or_check((None,) + tuple(input_shape[2:]))
        super().build(input_shape)

    def call(self, inputs, training=False, mask=None):
        batch, time = inputs.shape[:2]
        folded = F.reshape(inputs, (batch * time,) + tuple(inputs.shape[2:]))
        if mask is not None:  # as Keras: step t of the layer gets mask[:, t] (if it takes a mask)
            mask = backend.xp.asarray(mask.data if isinstance(mask, Tensor) else mask)
            if tuple(mask.shape[:2]) != (batch, time):
                raise ValueError(f"Layer '{self.name}' (TimeDistributed) expects a mask of shape "
                                 f"(batch, time, ...) = {(batch, time)}. Received: "
                                 f"mask.shape={tuple(mask.shape)} for inputs of shape "
                                 f"{tuple(inputs.shape)}")
            mask = mask.reshape((batch * time,) + tuple(mask.shape[2:]))
        outputs = self.layer(folded, training=training, mask=mask)
        return F.reshape(outputs, (batch, time) + tuple(outputs.shape[1:]))

    def compute_output_shape(self, input_shape):
        inner = self.layer.compute_output_shape((None,) + tuple(input_shape[2:]))
        return tuple(input_shape[:2]) + tuple(inner[1:])

    def get_config(self):
        return {**super().get_config(), "layer": serialization_module.serialize(self.layer)}

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> TimeDistributed:
        config = dict(config)
        config["layer"] = serialization_module.deserialize(config["layer"], custom_objects)
        return cls(**config)
