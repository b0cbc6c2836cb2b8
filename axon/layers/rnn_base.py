"""The machinery shared by SimpleRNN, LSTM and GRU: the loop over time, masks, states, dropout.

A recurrent layer reads a sequence ``x`` of shape ``(batch, timesteps, features)`` one step at a
time and carries states ``s_t`` (``[h]``, or ``[h, c]`` for LSTM) from step to step:

    p   = x W (+ b)                      the input projection, one matmul for all steps at once
    s_t = step(p_t, s_{t-1})             one recurrent matmul ``h_{t-1} U`` per step
    y_t = h_t                            the output of step t is the first state

Backpropagation through time is ordinary reverse-mode differentiation of this unrolled graph:
the engine records every step's ops and walks them backwards. A subclass writes only
``_build_weights`` and ``_step`` (and ``_input_bias`` when the bias is not ``b``); the rest
lives here, once. That step-by-step path is the reference. A subclass may also offer a fast
path, ``_fusable`` and ``_fused``: the whole recurrence as one primitive with hand-written BPTT
(``axon.engine.ops.recurrent``; LSTM and GRU with their default activations), which the tests
hold to the same outputs and gradients.

Masks (Keras's semantics): where ``mask[b, t]`` is False the step is skipped for sample ``b``:
its states and output are the previous ones, ``s_t = where(m_t, step(...), s_{t-1})``.
"""
from __future__ import annotations

from typing import Any

from axon import activations, backend, initializers
from axon.backend import xp
from axon.engine import Tensor
from axon.engine import functional as F
from axon.layers import _args
from axon.layers.base import Layer
from axon.layers.symbolic import is_symbolic


def _rate(value: Any, argument: str, owner: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < 1:
        raise ValueError(f"{owner} expects {argument} to be a number in [0, 1). "
                         f"Received: {argument}={value!r}")
    return float(value)


def _unstack(sequence: Tensor) -> list[Tensor]:
    """``[sequence[0], ..., sequence[T-1]]`` through a binary tree of slices.

    # NOTE: for speed. Slicing each step straight from the whole sequence makes every slice's
    # gradient a full-size array, and adding T of them costs O(T^2) memory traffic (half of an
    # LSTM training step at T=28). Halving recursively costs O(T log T).
    """
    pieces, stack = [], [sequence]
    while stack:
        part = stack.pop()
        if part.shape[0] == 1:
            pieces.append(F.getitem(part, 0))
            continue
        middle = part.shape[0] // 2
        stack += [F.getitem(part, slice(middle, None)), F.getitem(part, slice(0, middle))]
    return pieces


def require_fixed_batch(layer: Layer, inputs: Any, batch_size: int | None) -> None:
    """Raise a clear error when stateful ``layer`` is called on symbolic ``inputs`` (a sequence,
    or a list starting with one) whose batch size is unknown and ``batch_size`` is not given."""
    if not is_symbolic(inputs):
        return
    batch = (inputs[0] if isinstance(inputs, list | tuple) else inputs).shape[0]
    if batch is None and batch_size is None:
        raise ValueError(f"Layer '{layer.name}' ({type(layer).__name__}) is stateful and needs a "
                         "fixed batch size: pass batch_size= to axon.Input (or to the layer). "
                         "Received: an input of batch size None")


class RecurrentLayer(Layer):
    """The base of the recurrent layers (not used directly): see SimpleRNN, LSTM, GRU.

    Subclasses set ``state_names`` (``("h",)`` or ``("h", "c")``) and ``gates`` (how many blocks
    of ``units`` columns the kernel has), and write ``_build_weights(input_dim)`` and
    ``_step(p_t, states, h_dropped, context)``; optionally ``_input_bias``, ``_context``, and
    the fused path ``_fusable`` / ``_fused``.
    """

    supports_masking = True
    state_names: tuple[str, ...] = ("h",)
    gates = 1

    def __init__(self, units: int, activation: Any = "tanh", use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform",
                 recurrent_initializer: Any = "orthogonal", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, recurrent_regularizer: Any = None,
                 bias_regularizer: Any = None, activity_regularizer: Any = None,
                 kernel_constraint: Any = None, recurrent_constraint: Any = None,
                 bias_constraint: Any = None, dropout: float = 0.0,
                 recurrent_dropout: float = 0.0, seed: int | None = None,
                 return_sequences: bool = False, return_state: bool = False,
                 go_backwards: bool = False, stateful: bool = False, unroll: bool = False,
                 zero_output_for_mask: bool = False, **kwargs: Any) -> None:
        owner = type(self).__name__
        batch_input_shape = kwargs.get("batch_input_shape")
        self.batch_size = kwargs.get("batch_size") or (
            batch_input_shape[0] if batch_input_shape is not None else None)
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.units = _args.positive_int(units, "units", owner)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = _args.get_regularizer(kernel_regularizer)
        self.recurrent_regularizer = _args.get_regularizer(recurrent_regularizer)
        self.bias_regularizer = _args.get_regularizer(bias_regularizer)
        self.kernel_constraint = _args.get_constraint(kernel_constraint, "kernel_constraint", owner)
        self.recurrent_constraint = _args.get_constraint(
            recurrent_constraint, "recurrent_constraint", owner)
        self.bias_constraint = _args.get_constraint(bias_constraint, "bias_constraint", owner)
        self.dropout = _rate(dropout, "dropout", owner)
        self.recurrent_dropout = _rate(recurrent_dropout, "recurrent_dropout", owner)
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or seed < 0):
            raise ValueError(f"{owner} expects seed to be a non-negative integer or None. "
                             f"Received: seed={seed!r}")
        self.seed = seed
        self._rng = backend.make_rng(seed) if seed is not None else None
        self.return_sequences, self.return_state = bool(return_sequences), bool(return_state)
        self.go_backwards, self.stateful = bool(go_backwards), bool(stateful)
        self.unroll = bool(unroll)  # accepted for Keras compatibility: the loop is always unrolled
        # Keras's RNN option (Bidirectional sets it): masked steps output 0 instead of h_{t-1}.
        self.zero_output_for_mask = bool(zero_output_for_mask)
        self.states: list | None = None  # the carried states of a stateful layer (arrays)

    # ---- weights (subclasses) -------------------------------------------------------------------
    def _add(self, name: str, shape: tuple, initializer: Any, kind: str) -> Any:
        return self.add_weight(name, shape, initializer,
                               regularizer=getattr(self, f"{kind}_regularizer"),
                               constraint=getattr(self, f"{kind}_constraint"))

    def _build_weights(self, input_dim: int) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _input_bias(self) -> Any:
        """The bias added to ``x W`` (``None`` without one)."""
        return self.bias

    def _project(self, x: Tensor) -> Tensor:
        """``x W (+ b)`` for every step at once, time-major: ``(batch, time, features) ->
        (time, batch, k)``, as one 2-D matmul (transposing ``x``, the narrower array)."""
        batch, time, features = x.shape
        rows = F.reshape(F.transpose(x, (1, 0, 2)), (time * batch, features))
        p = F.dense(rows, self.kernel, self._input_bias())  # the bias added in place
        return F.reshape(p, (time, batch, p.shape[-1]))

    def _context(self) -> Any:
        """Tensors the steps share, made once per call (e.g. slices of the recurrent kernel)."""
        return self.recurrent_kernel

    def _step(self, p_t: Tensor, states: list, h_dropped: Tensor,
              context: Any) -> list:  # pragma: no cover - abstract
        """The new states from the projected input ``p_t``, the previous ``states`` and
        ``h_dropped`` (``h_{t-1}``, times the recurrent-dropout mask when training)."""
        raise NotImplementedError

    # ---- shapes and checks ----------------------------------------------------------------------
    def _sequence_shape(self, shape: Any) -> tuple:
        return tuple(shape[0] if isinstance(shape, list) else shape)

    def _check_rank(self, shape: Any) -> None:
        sequence = self._sequence_shape(shape)
        if len(sequence) != 3:
            raise ValueError(f"Layer '{self.name}' ({type(self).__name__}) expects a sequence input "
                             f"of shape (batch, timesteps, features). Received: shape={sequence}")
        if sequence[-1] is None:
            raise ValueError(f"Layer '{self.name}' ({type(self).__name__}) needs the features axis "
                             f"of its input to be known. Received: shape={sequence}")

    def check_input_shape(self, shape: Any) -> None:
        """Any number of time steps is accepted; the features must be those built for."""
        self._check_rank(shape)
        features = self._sequence_shape(shape)[-1]
        if features != self.input_dim:
            raise ValueError(f"Layer '{self.name}' ({type(self).__name__}) expected "
                             f"{self.input_dim} features (as built), got {features}. Received: "
                             f"shape={self._sequence_shape(shape)}")

    def build(self, input_shape: Any) -> None:
        self.input_dim = self._sequence_shape(input_shape)[-1]
        self._build_weights(self.input_dim)
        super().build(input_shape)

    def compute_output_shape(self, input_shape: Any) -> Any:
        batch, time = self._sequence_shape(input_shape)[:2]
        output = (batch, time, self.units) if self.return_sequences else (batch, self.units)
        if self.return_state:
            return [output] + [(batch, self.units) for _ in self.state_names]
        return output

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        """The input's mask when ``return_sequences``, else None (and None for every state)."""
        if isinstance(mask, list | tuple):
            mask = mask[0]
        output_mask = mask if self.return_sequences else None
        if self.return_state:
            return [output_mask] + [None for _ in self.state_names]
        return output_mask

    # ---- calling ----------------------------------------------------------------------------------
    def __call__(self, inputs: Any, training: bool = False, mask: Any = None,
                 initial_state: Any = None, **kwargs: Any) -> Any:
        """``layer(x)``, ``layer(x, initial_state=[h0, ...])`` or ``layer([x, h0, ...])``.

        The initial states travel with the sequence as one list of inputs, so that a functional
        model records them as inputs of this layer.
        """
        if initial_state is not None:
            states = list(initial_state) if isinstance(initial_state, list | tuple) \
                else [initial_state]
            inputs = [inputs] + states
        if self.stateful:
            require_fixed_batch(self, inputs, self.batch_size)
        return super().__call__(inputs, training=training, mask=mask, **kwargs)

    def call(self, inputs: Any, training: bool = False, mask: Any = None,
             initial_state: Any = None) -> Any:
        if isinstance(inputs, list | tuple):
            inputs, initial_state = inputs[0], list(inputs[1:]) or initial_state
        if isinstance(mask, list | tuple):
            mask = mask[0]
        x = F.as_tensor(inputs)
        batch, time = x.shape[0], x.shape[1]
        if time == 0:
            raise ValueError(f"Layer '{self.name}' ({type(self).__name__}) needs at least one time "
                             f"step. Received: shape={x.shape}")
        states = self._initial_states(initial_state, batch, x.dtype)
        rng = self._rng or backend.rng()
        if training and self.dropout > 0:
            keep = rng.random((batch, 1, x.shape[2])) >= self.dropout
            x = x * Tensor(backend.from_host(keep).astype(x.dtype) / (1.0 - self.dropout))
        h_mask = None
        if training and self.recurrent_dropout > 0:
            keep = rng.random((batch, self.units)) >= self.recurrent_dropout
            h_mask = Tensor(backend.from_host(keep).astype(x.dtype) / (1.0 - self.recurrent_dropout))
        projected = self._project(x)  # (time, batch, k)
        steps = self._time_mask(mask, batch, time)
        run = self._run_fused if self._fusable() else self._run_steps
        output, states = run(projected, states, h_mask, steps)
        if self.stateful:
            self.states = [s.data.copy() for s in states]
        return [output] + list(states) if self.return_state else output

    def _run_steps(self, projected: Tensor, states: list, h_mask: Any, steps: Any) -> tuple:
        """The reference path: every step recorded op by op, BPTT by the engine."""
        time, projected = projected.shape[0], _unstack(projected)  # one (batch, k) per step
        order = range(time - 1, -1, -1) if self.go_backwards else range(time)
        outputs, context = [], self._context()
        for t in order:
            h_dropped = states[0] * h_mask if h_mask is not None else states[0]
            new = self._step(projected[t], states, h_dropped, context)
            if steps is not None:
                new = [F.where(steps[t], n, s) for n, s in zip(new, states)]
            states = new
            if self.return_sequences:
                zero = steps is not None and self.zero_output_for_mask
                outputs.append(F.where(steps[t], states[0], 0.0) if zero else states[0])
        return (F.stack(outputs, axis=1) if self.return_sequences else states[0]), states

    def _run_fused(self, projected: Tensor, states: list, h_mask: Any, steps: Any) -> tuple:
        """The fast path: the whole recurrence in one primitive (``_fused``), same results."""
        time = projected.shape[0]
        if self.go_backwards:
            projected = F.getitem(projected, slice(None, None, -1))
            steps = None if steps is None else steps[::-1]
        h_mask = None if h_mask is None else h_mask.data
        y = self._fused(projected, states, h_mask, steps)  # (time + len(states), batch, units)
        states = [F.getitem(y, time + k) for k in range(len(states))]
        if not self.return_sequences:
            return states[0], states
        return F.transpose(F.getitem(y, slice(0, time)), (1, 0, 2)), states

    def _fusable(self) -> bool:
        """Whether ``_fused`` computes this layer's recurrence (its default activations)."""
        return False

    def _fused(self, projected: Tensor, states: list, h_mask: Any,
               steps: Any) -> Tensor:  # pragma: no cover - abstract
        """Every step's output then the final states, stacked on axis 0, from one primitive."""
        raise NotImplementedError

    def _time_mask(self, mask: Any, batch: int, time: int) -> Any:
        if mask is None:
            return None
        mask = mask.data if isinstance(mask, Tensor) else xp.asarray(mask)
        if mask.shape != (batch, time):
            raise ValueError(f"Layer '{self.name}' ({type(self).__name__}) expects a mask of shape "
                             f"(batch, timesteps) = {(batch, time)}. Received: shape={mask.shape}")
        return mask.astype(bool).T[:, :, None]  # (time, batch, 1), broadcast over units

    def _initial_states(self, initial_state: Any, batch: int, dtype: Any) -> list:
        count, owner = len(self.state_names), f"Layer '{self.name}' ({type(self).__name__})"
        names = "[" + ", ".join(self.state_names) + "]"
        if initial_state is None:
            if self.stateful and self.states is not None:
                if self.states[0].shape[0] != batch:
                    raise ValueError(f"{owner} is stateful with states for batch size "
                                     f"{self.states[0].shape[0]}. Received: a batch of {batch} "
                                     "(call reset_states() to start over with a new batch size)")
                return [Tensor(s) for s in self.states]
            return [Tensor(xp.zeros((batch, self.units), dtype=dtype)) for _ in range(count)]
        states = list(initial_state) if isinstance(initial_state, list | tuple) else [initial_state]
        if len(states) != count:
            raise ValueError(f"{owner} expects {count} initial state(s) {names}, each of shape "
                             f"(batch, units) = {(batch, self.units)}. Received: {len(states)}")
        states = [F.as_tensor(s) for s in states]
        for name, s in zip(self.state_names, states):
            if tuple(s.shape) != (batch, self.units):
                raise ValueError(f"{owner} expects initial state '{name}' of shape (batch, units) = "
                                 f"{(batch, self.units)}. Received: shape={tuple(s.shape)}")
        return states

    def reset_states(self, states: Any = None) -> None:
        """Zero the carried states of a stateful layer (or set them to ``states``)."""
        if not self.stateful:
            raise AttributeError(f"Layer '{self.name}' ({type(self).__name__}) is not stateful; "
                                 "reset_states() needs stateful=True.")
        if states is None:
            self.states = None
            return
        states = list(states) if isinstance(states, list | tuple) else [states]
        batch = xp.asarray(states[0]).shape[0]
        self.states = [s.data.astype(self.dtype, copy=True)
                       for s in self._initial_states(states, batch, self.dtype)]

    def get_config(self) -> dict:
        config = {**super().get_config(), "units": self.units,
                  "activation": activations.serialize(self.activation), "use_bias": self.use_bias}
        for kind in ("kernel", "recurrent", "bias"):
            config[f"{kind}_initializer"] = initializers.serialize(
                getattr(self, f"{kind}_initializer"))
        for kind in ("kernel", "recurrent", "bias"):
            config[f"{kind}_regularizer"] = _args.serialize_regularizer(
                getattr(self, f"{kind}_regularizer"))
            config[f"{kind}_constraint"] = _args.serialize_constraint(
                getattr(self, f"{kind}_constraint"))
        return {**config, "dropout": self.dropout, "recurrent_dropout": self.recurrent_dropout,
                "seed": self.seed, "return_sequences": self.return_sequences,
                "return_state": self.return_state, "go_backwards": self.go_backwards,
                "stateful": self.stateful, "unroll": self.unroll,
                "zero_output_for_mask": self.zero_output_for_mask,
                **({"batch_size": self.batch_size} if self.batch_size is not None else {})}
