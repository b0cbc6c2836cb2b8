"""Recurrent layers: SimpleRNN, LSTM, GRU (the loop over time lives in ``rnn_base``).

Each reads ``x`` of shape ``(batch, timesteps, features)`` and keeps Keras's weights, shapes and
gate order, so weights move between Keras and axon with ``get_weights``/``set_weights``:
``kernel (features, k*units)``, ``recurrent_kernel (units, k*units)``, ``bias``.

The arguments every recurrent layer takes (Keras's names and defaults):

    units: the size of the state ``h`` (and of the output), a positive integer.
    activation: ``f`` (default ``'tanh'``).
    use_bias: whether to add the bias.
    kernel_initializer, recurrent_initializer, bias_initializer: how ``W``, ``U`` and ``b``
        start (Keras's defaults: ``'glorot_uniform'``, ``'orthogonal'``, ``'zeros'``).
    kernel_regularizer, recurrent_regularizer, bias_regularizer: penalties added to the loss.
    kernel_constraint, recurrent_constraint, bias_constraint: applied after each update.
    dropout: fraction of the input features dropped when training (one mask per sequence,
        shared by every step and gate).
    recurrent_dropout: fraction of ``h_{t-1}`` dropped, when training, where it enters the
        recurrent matmul (one mask per sequence, shared by the gates; Keras draws one per
        gate in this case).
    seed: seeds this layer's dropout generator.
    return_sequences: output every step's ``h_t`` ``(batch, timesteps, units)`` instead of
        the last ``(batch, units)``.
    return_state: also return the final states (a list ``[output, *states]``).
    go_backwards: read the sequence from the end; with ``return_sequences`` the outputs are
        in that (reversed) order, as Keras.
    stateful: carry the final states of a batch into the next call (``reset_states()``
        zeroes them). Gradients do not flow across calls.
    unroll: accepted for Keras compatibility (the loop over time is always unrolled).

Call arguments: ``layer(x, training=False, mask=None, initial_state=None)``; ``mask`` is
``(batch, timesteps)`` booleans; a masked step keeps the previous states and output.
``initial_state`` is a list of ``(batch, units)`` arrays (zeros by default).
"""
from __future__ import annotations

from typing import Any

from axon import activations
from axon.backend import xp
from axon.engine import Tensor
from axon.engine import functional as F
from axon.layers.rnn_base import RecurrentLayer

__all__ = ["SimpleRNN", "LSTM", "GRU"]


class SimpleRNN(RecurrentLayer):
    """A fully connected recurrent layer: ``h_t = f(x_t W + h_{t-1} U + b)``; output ``h_t``.

    Weights (Keras's order): ``kernel W (features, units)``, ``recurrent_kernel U
    (units, units)``, ``bias b (units,)``. Backpropagation through time: with
    ``g_t = dL/dh_t`` (from the output and from step t+1) and ``d_t = g_t * f'(a_t)``,
    ``dL/dW = sum_t x_t^T d_t``, ``dL/dU = sum_t h_{t-1}^T d_t``, ``dL/db = sum_t d_t``,
    ``dL/dx_t = d_t W^T`` and ``g_{t-1} += d_t U^T``.

    The arguments besides ``units`` are those common to every recurrent layer (the module's
    docs): ``activation``, ``use_bias``, initializers, regularizers, constraints, ``dropout``,
    ``recurrent_dropout``, ``seed``, ``return_sequences``, ``return_state``, ``go_backwards``,
    ``stateful``, ``unroll``.

    Args:
        units: the size of ``h``.

    Input shape: ``(batch, timesteps, features)``. Output shape: ``(batch, units)``, or
    ``(batch, timesteps, units)`` with ``return_sequences``; with ``return_state`` a list
    ``[output, h]``. Call: ``layer(x, training=False, mask=None, initial_state=None)``.

    Example:
        >>> import axon, numpy as np
        >>> layer = axon.layers.recurrent.SimpleRNN(4, return_sequences=True)
        >>> layer(np.zeros((2, 5, 3))).shape
        (2, 5, 4)
    """

    def _build_weights(self, input_dim):
        self.kernel = self._add("kernel", (input_dim, self.units), self.kernel_initializer, "kernel")
        self.recurrent_kernel = self._add("recurrent_kernel", (self.units, self.units),
                                          self.recurrent_initializer, "recurrent")
        self.bias = (self._add("bias", (self.units,), self.bias_initializer, "bias")
                     if self.use_bias else None)

    def _step(self, p_t, states, h_dropped, context):
        return [self.activation(p_t + F.matmul(h_dropped, context))]


class LSTM(RecurrentLayer):
    """Long short-term memory (Hochreiter & Schmidhuber, 1997), with Keras's gate order i, f, c, o.

    With ``z = x_t W + h_{t-1} U + b`` split in four blocks of ``units`` columns,
    ``i = s(z_i)``, ``f = s(z_f)``, ``c~ = f_a(z_c)``, ``o = s(z_o)`` (``s`` the recurrent
    activation, default sigmoid; ``f_a`` the activation, default tanh), then
    ``c_t = f * c_{t-1} + i * c~`` and ``h_t = o * f_a(c_t)``; the output is ``h_t``, the states
    ``[h, c]``. Gradients (``g_h, g_c`` flowing into step t):
    ``dL/dc_t = g_c + g_h * o * f_a'(c_t)``, ``dz_o = g_h * f_a(c_t) * s'``,
    ``dz_i = dL/dc_t * c~ * s'``, ``dz_f = dL/dc_t * c_{t-1} * s'``,
    ``dz_c = dL/dc_t * i * f_a'``, ``dL/dc_{t-1} = dL/dc_t * f``; then as SimpleRNN for
    ``W, U, b`` and ``h_{t-1}``.

    Weights: ``kernel (features, 4 units)``, ``recurrent_kernel (units, 4 units)``,
    ``bias (4 units,)``.

    Args:
        units: the size of ``h`` and ``c``.
        recurrent_activation: ``s`` (default ``'sigmoid'``).
        unit_forget_bias: start the forget-gate bias at 1 (Jozefowicz et al., 2015), the other
            blocks from ``bias_initializer`` (default True, as Keras).

    The other arguments are those common to every recurrent layer (the module's docs).

    Input shape: ``(batch, timesteps, features)``. Output shape: ``(batch, units)``, or
    ``(batch, timesteps, units)`` with ``return_sequences``; with ``return_state`` a list
    ``[output, h, c]``. Call: ``layer(x, training=False, mask=None, initial_state=None)``.

    Example:
        >>> import axon, numpy as np
        >>> output, h, c = axon.layers.recurrent.LSTM(4, return_state=True)(np.zeros((2, 5, 3)))
        >>> output.shape, c.shape
        ((2, 4), (2, 4))
    """

    state_names = ("h", "c")
    gates = 4

    def __init__(self, units: int, activation: Any = "tanh", recurrent_activation: Any = "sigmoid",
                 use_bias: bool = True, unit_forget_bias: bool = True, **kwargs: Any) -> None:
        super().__init__(units, activation=activation, use_bias=use_bias, **kwargs)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.unit_forget_bias = bool(unit_forget_bias)

    def _build_weights(self, input_dim):
        u = self.units
        self.kernel = self._add("kernel", (input_dim, 4 * u), self.kernel_initializer, "kernel")
        self.recurrent_kernel = self._add("recurrent_kernel", (u, 4 * u),
                                          self.recurrent_initializer, "recurrent")
        initializer = self.bias_initializer
        if self.unit_forget_bias:
            def initializer(shape, dtype=None):
                return xp.concatenate([self.bias_initializer((u,), dtype=dtype),
                                       xp.ones((u,), dtype=dtype),
                                       self.bias_initializer((2 * u,), dtype=dtype)])
        self.bias = self._add("bias", (4 * u,), initializer, "bias") if self.use_bias else None

    def _step(self, p_t, states, h_dropped, context):
        u, c_prev = self.units, states[1]
        z = p_t + F.matmul(h_dropped, context)
        gates = self.recurrent_activation(z)  # i, f, ., o: only i, f, o are used
        i, f, o = gates[:, :u], gates[:, u:2 * u], gates[:, 3 * u:]
        c = f * c_prev + i * self.activation(z[:, 2 * u:3 * u])
        return [o * self.activation(c), c]

    def _fusable(self):
        return self.activation is activations.tanh and \
            self.recurrent_activation is activations.sigmoid

    def _fused(self, projected, states, h_mask, steps):
        return F.lstm_sequence(projected, states[0], states[1], self.recurrent_kernel, mask=steps,
                               dropout=h_mask, zero_output_for_mask=self.zero_output_for_mask)

    def get_config(self):
        return {**super().get_config(),
                "recurrent_activation": activations.serialize(self.recurrent_activation),
                "unit_forget_bias": self.unit_forget_bias}


class GRU(RecurrentLayer):
    """Gated recurrent unit (Cho et al., 2014), with Keras's gate order z, r, h.

    With ``reset_after=True`` (Keras 3's default, cuDNN's variant) and ``b = [b_x; b_h]``
    (bias of shape ``(2, 3 units)``), ``x_z, x_r, x_h = x_t W + b_x`` and
    ``r_z, r_r, r_h = h_{t-1} U + b_h`` (blocks of ``units`` columns):
    ``z = s(x_z + r_z)``, ``r = s(x_r + r_r)``, ``h~ = f(x_h + r * r_h)``.
    With ``reset_after=False`` (the original paper; bias ``(3 units,)`` added to ``x W``):
    ``h~ = f(x_h + (r * h_{t-1}) U_h)``. Both: ``h_t = z * h_{t-1} + (1 - z) * h~``
    (Keras's convention: ``z`` keeps the old state, where the paper writes ``1 - z``).
    Gradients: ``dL/dh~ = g * (1 - z)``, ``dz_pre = g * (h_{t-1} - h~) * s'``,
    ``dL/dh_{t-1} = g * z + (contributions through U and r)``, composed by the engine.

    Weights: ``kernel (features, 3 units)``, ``recurrent_kernel (units, 3 units)``, ``bias``.

    Args:
        units: the size of ``h``.
        recurrent_activation: ``s`` (default ``'sigmoid'``).
        reset_after: apply the reset gate after the recurrent matmul (default True).

    The other arguments are those common to every recurrent layer (the module's docs).

    Input shape: ``(batch, timesteps, features)``. Output shape: ``(batch, units)``, or
    ``(batch, timesteps, units)`` with ``return_sequences``; with ``return_state`` a list
    ``[output, h]``. Call: ``layer(x, training=False, mask=None, initial_state=None)``.

    Example:
        >>> import axon, numpy as np
        >>> layer = axon.layers.recurrent.GRU(4)
        >>> layer(np.zeros((2, 5, 3))).shape, layer.bias.shape
        ((2, 4), (2, 12))
    """

    gates = 3

    def __init__(self, units: int, activation: Any = "tanh", recurrent_activation: Any = "sigmoid",
                 use_bias: bool = True, reset_after: bool = True, **kwargs: Any) -> None:
        super().__init__(units, activation=activation, use_bias=use_bias, **kwargs)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.reset_after = bool(reset_after)

    def _build_weights(self, input_dim):
        u = self.units
        self.kernel = self._add("kernel", (input_dim, 3 * u), self.kernel_initializer, "kernel")
        self.recurrent_kernel = self._add("recurrent_kernel", (u, 3 * u),
                                          self.recurrent_initializer, "recurrent")
        shape = (2, 3 * u) if self.reset_after else (3 * u,)
        self.bias = self._add("bias", shape, self.bias_initializer, "bias") if self.use_bias \
            else None

    def _input_bias(self):
        return self.bias[0] if self.reset_after and self.bias is not None else self.bias

    def _context(self):
        u, kernel = self.units, self.recurrent_kernel
        if self.reset_after:
            return kernel, (self.bias[1] if self.bias is not None else None)
        return kernel[:, :2 * u], kernel[:, 2 * u:]

    def _step(self, p_t, states, h_dropped, context):
        u, h_prev = self.units, states[0]
        if self.reset_after:
            kernel, recurrent_bias = context
            inner = F.matmul(h_dropped, kernel)
            if recurrent_bias is not None:
                inner = inner + recurrent_bias
            zr = self.recurrent_activation(p_t[:, :2 * u] + inner[:, :2 * u])
            z, r = zr[:, :u], zr[:, u:]
            candidate = self.activation(p_t[:, 2 * u:] + r * inner[:, 2 * u:])
        else:
            kernel_zr, kernel_h = context
            zr = self.recurrent_activation(p_t[:, :2 * u] + F.matmul(h_dropped, kernel_zr))
            z, r = zr[:, :u], zr[:, u:]
            candidate = self.activation(p_t[:, 2 * u:] + F.matmul(r * h_dropped, kernel_h))
        return [z * h_prev + (1.0 - z) * candidate]

    def _fusable(self):
        return self.reset_after and self.activation is activations.tanh and \
            self.recurrent_activation is activations.sigmoid

    def _fused(self, projected, states, h_mask, steps):
        kernel = self.recurrent_kernel
        bias = self.bias[1] if self.bias is not None else \
            Tensor(xp.zeros(kernel.shape[1:], dtype=kernel.dtype))
        return F.gru_sequence(projected, states[0], kernel, bias, mask=steps, dropout=h_mask,
                              zero_output_for_mask=self.zero_output_for_mask)

    def get_config(self):
        return {**super().get_config(),
                "recurrent_activation": activations.serialize(self.recurrent_activation),
                "reset_after": self.reset_after}
