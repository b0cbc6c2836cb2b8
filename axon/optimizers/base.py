"""The optimizer base: everything around an update rule.

``apply(grads, variables)`` drops missing gradients, clips (``clipnorm``, ``clipvalue`` or
``global_clipnorm``), resolves the learning rate (a number or a schedule of the step), counts steps
(``iterations``), builds the algorithm's slots on first use, applies decoupled weight decay, calls
``update_step(g, w, lr)`` for each weight (in place, without recording a graph), then applies each
weight's constraint and, with ``use_ema``, updates the weights' moving averages. A subclass writes
only ``build`` (its slots) and ``update_step``.
"""
from __future__ import annotations

import inspect
import math
import numbers
import re
import warnings
from typing import Any

from axon import backend
from axon.engine import Tensor, Variable, no_grad
from axon.optimizers import schedules

xp = backend.xp

# NOTE: slot entries below the smallest normal float are set to 0 every this many steps, as
# TensorFlow's flush-to-zero does on CPUs. Squared-gradient averages of weights that stop learning
# decay into that subnormal range and stay there for thousands of steps (beta_2 = 0.999), and
# arithmetic on subnormals is several times slower: in the VAE example, 180,000 subnormal Adam
# slot entries after 2 epochs took epochs from 8 s to 15 s. Zeroing an entry below 1.2e-38 changes a
# step by a relative 1e-12 at most (its square root, 1.1e-19, against epsilon = 1e-7).
_FLUSH_SUBNORMAL_EVERY = 64


class Optimizer:
    """Base class of optimizers (Keras 3's ``BaseOptimizer`` arguments and order of operations).

    One step, with ``t`` the step count before it (``iterations``) and ``eta`` the learning rate:

        eta   = learning_rate(t) if a schedule else learning_rate   (read before counting the step)
        g     <- clip(g)                                            (at most one clipping option)
        t     <- t + 1                                              (``update_step`` sees t >= 1)
        w     <- w - w * weight_decay * eta                         (decoupled, before the update)
        w     <- update_step(g, w, eta)                             (the algorithm)
        w     <- constraint(w)                                      (if the weight has one)
        w_ema <- ema_momentum * w_ema + (1 - ema_momentum) * w      (use_ema; w_ema = w at t = 1)

    Args:
        learning_rate: ``eta``: a positive number, a ``LearningRateSchedule`` (called with the step
            count), or a callable (called with the step count if it takes an argument, else with
            none, as Keras calls plain callables). Assignable later: ``opt.learning_rate = 0.01``.
        weight_decay: decoupled decay rate ``lambda >= 0`` (``w <- w - lambda * eta * w``), or None.
        clipnorm: rescale each gradient so its L2 norm is at most this (``g * c / max(|g|, c)``).
        clipvalue: clip each gradient entry to ``[-clipvalue, clipvalue]``.
        global_clipnorm: rescale all gradients together so their joint L2 norm is at most this.
        use_ema: keep an exponential moving average of the weights.
        ema_momentum: the average's decay rate, in ``[0, 1]``.
        ema_overwrite_frequency: copy the averages into the weights every this many steps.
        name: the optimizer's name (default: the class name in lower case).
        lr: deprecated alias of ``learning_rate`` (a DeprecationWarning says so).
    """

    def __init__(self, learning_rate: Any = 0.001, weight_decay: float | None = None,
                 clipnorm: float | None = None, clipvalue: float | None = None,
                 global_clipnorm: float | None = None, use_ema: bool = False,
                 ema_momentum: float = 0.99, ema_overwrite_frequency: int | None = None,
                 name: str | None = None, **kwargs: Any) -> None:
        cls = type(self).__name__
        if "lr" in kwargs:
            warnings.warn(f"{cls}: the argument 'lr' is deprecated; use 'learning_rate'.",
                          DeprecationWarning, stacklevel=3)
            learning_rate = kwargs.pop("lr")
        if kwargs:
            raise TypeError(f"{cls} got unexpected keyword argument(s): {', '.join(sorted(kwargs))}.")
        clips = {"clipnorm": clipnorm, "clipvalue": clipvalue, "global_clipnorm": global_clipnorm}
        if sum(value is not None for value in clips.values()) > 1:
            raise ValueError(f"{cls}: pass at most one of clipnorm, clipvalue and global_clipnorm. "
                             f"Received: clipnorm={clipnorm}, clipvalue={clipvalue}, "
                             f"global_clipnorm={global_clipnorm}")
        for arg, value in clips.items():
            if value is not None:
                check_number(self, arg, value, low=0.0, low_open=True)
        if weight_decay is not None:
            check_number(self, "weight_decay", weight_decay, low=0.0)
        if use_ema:
            check_number(self, "ema_momentum", ema_momentum, low=0.0, high=1.0)
            if ema_overwrite_frequency is not None and (
                    isinstance(ema_overwrite_frequency, bool)
                    or not isinstance(ema_overwrite_frequency, numbers.Integral)
                    or ema_overwrite_frequency < 1):
                raise ValueError(f"{cls} expects ema_overwrite_frequency to be an integer >= 1 or "
                                 f"None. Received: ema_overwrite_frequency={ema_overwrite_frequency!r}")
        self.learning_rate = learning_rate
        self.weight_decay = None if weight_decay is None else float(weight_decay)
        self.clipnorm, self.clipvalue, self.global_clipnorm = clipnorm, clipvalue, global_clipnorm
        self.use_ema, self.ema_momentum = bool(use_ema), float(ema_momentum)
        self.ema_overwrite_frequency = ema_overwrite_frequency
        self.name = name or cls.lower()
        self.iterations = 0
        self._slots: dict[int, dict[str, Any]] = {}
        self._variables: dict[int, Variable] = {}   # keeps ids stable while slots exist
        self._averages: dict[int, Any] = {}
        self._scratch: dict[tuple, Any] = {}
        self._exclude_ids: set[int] = set()
        self._exclude_pattern: re.Pattern | None = None

    # ---- what a subclass writes ---------------------------------------------------------------
    def build(self, variable: Variable) -> dict[str, Any]:
        """The slots (state arrays) the algorithm keeps for ``variable``. Default: none."""
        return {}

    def update_step(self, grad: Any, variable: Variable, lr: float) -> None:
        """Update ``variable.data`` in place from its gradient. Subclasses implement it."""
        raise NotImplementedError(f"{type(self).__name__} does not implement update_step().")

    # ---- learning rate ------------------------------------------------------------------------
    @property
    def learning_rate(self) -> float:
        """The learning rate now, as a float: a schedule is evaluated at the current step, as
        Keras 3 reports it. The schedule itself is ``learning_rate_schedule``."""
        return self.current_learning_rate()

    @property
    def learning_rate_schedule(self) -> Any:
        """What ``learning_rate`` was set to: a float, a schedule or a callable."""
        return self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value: Any) -> None:
        if callable(value):
            self._lr_takes_step = isinstance(value, schedules.LearningRateSchedule) or _takes_argument(value)
            self._learning_rate = value
            return
        if isinstance(getattr(self, "_learning_rate", None), schedules.LearningRateSchedule):
            raise TypeError(f"{type(self).__name__} was created with a LearningRateSchedule as its "
                            "learning_rate, so it cannot be set to a number (as in Keras). Create the "
                            "optimizer with a float learning_rate instead. "
                            f"Received: learning_rate={value!r}")
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not value >= 0 \
                or not math.isfinite(value):
            raise ValueError(f"{type(self).__name__} expects a non-negative learning_rate. "
                             f"Received: learning_rate={value!r}")
        self._learning_rate = float(value)

    def current_learning_rate(self) -> float:
        """The learning rate at the current step (a schedule is called with ``iterations``)."""
        lr = self._learning_rate
        if not callable(lr):
            return lr
        return float(lr(self.iterations) if self._lr_takes_step else lr())

    # ---- the shared machinery -----------------------------------------------------------------
    def slots(self, variable: Variable) -> dict[str, Any]:
        """The state arrays of ``variable`` (created by ``build`` on first use)."""
        key = id(variable)
        found = self._slots.get(key)
        if found is None:
            found = self._slots[key] = self.build(variable)
            self._variables[key] = variable
        return found

    def scratch(self, like: Any, index: int = 0) -> Any:
        """A reusable work array shaped like ``like`` (one per shape, dtype and ``index``).

        Lets ``update_step`` compute with ``out=`` arguments instead of allocating temporaries. Its
        content is garbage on entry and may be overwritten by the next ``update_step``.
        """
        key = (like.shape, like.dtype.str, index)
        found = self._scratch.get(key)
        if found is None:
            found = self._scratch[key] = xp.empty_like(like)
        return found

    def apply(self, grads: list, variables: list[Variable]) -> None:
        """Apply one update: ``w <- update(w, g)`` for each (gradient, variable) pair."""
        variables = list(variables)
        pairs = [(_as_array(g), v) for g, v in zip(grads, variables) if g is not None]
        if not pairs:
            return
        grads = self._clip([g for g, _ in pairs])
        lr = self.current_learning_rate()
        self.iterations += 1
        with no_grad():
            for grad, (_, variable) in zip(grads, pairs):
                self.slots(variable)
                if self.weight_decay and self._use_weight_decay(variable):
                    variable.data *= 1.0 - self.weight_decay * lr
                self.update_step(grad, variable, lr)
                constraint = getattr(variable, "constraint", None)
                if constraint is not None:
                    variable.assign(constraint(variable))
            if self.use_ema:
                self._update_averages(variables)
            if self.iterations % _FLUSH_SUBNORMAL_EVERY == 0:
                self._flush_subnormal_slots()

    def _flush_subnormal_slots(self) -> None:
        """Set every slot entry smaller in magnitude than the smallest normal float to 0."""
        for slots in self._slots.values():
            for slot in slots.values():
                data = slot.data if isinstance(slot, Tensor) else slot
                if getattr(data, "dtype", None) is not None and data.dtype.kind == "f" and data.ndim:
                    xp.copyto(data, 0, where=xp.abs(data) < xp.finfo(data.dtype).tiny)

    def apply_gradients(self, grads_and_vars: Any) -> None:
        """Keras's form: ``apply_gradients(zip(grads, variables))``."""
        pairs = list(grads_and_vars)
        self.apply([g for g, _ in pairs], [v for _, v in pairs])

    def _clip(self, grads: list) -> list:
        if self.clipnorm is not None:
            c = self.clipnorm
            return [g * (c / norm) if (norm := math.sqrt(float(xp.sum(g * g)))) > c else g
                    for g in grads]
        if self.global_clipnorm is not None:
            c = self.global_clipnorm
            norm = math.sqrt(sum(float(xp.sum(g * g)) for g in grads))
            if not math.isfinite(norm):      # as Keras: a non-finite norm poisons every gradient
                return [g * math.nan for g in grads]
            return [g * (c / norm) for g in grads] if norm > c else grads
        if self.clipvalue is not None:
            return [xp.clip(g, -self.clipvalue, self.clipvalue) for g in grads]
        return grads

    # ---- weight decay -------------------------------------------------------------------------
    def exclude_from_weight_decay(self, var_list: list | None = None,
                                  var_names: list[str] | None = None) -> None:
        """Exempt variables from weight decay: those in ``var_list``, and those whose name contains
        one of ``var_names`` (e.g. ``['bias']``)."""
        self._exclude_ids = {id(v) for v in var_list or ()}
        self._exclude_pattern = re.compile("|".join(map(re.escape, var_names))) if var_names else None

    def _use_weight_decay(self, variable: Variable) -> bool:
        if id(variable) in self._exclude_ids:
            return False
        pattern = self._exclude_pattern
        return pattern is None or pattern.search(variable.name or "") is None

    # ---- exponential moving average of the weights ---------------------------------------------
    def _update_averages(self, variables: list[Variable]) -> None:
        mu = self.ema_momentum if self.iterations > 1 else 0.0   # Keras: w_ema = w after step 1
        for variable in variables:
            average = self._averages.get(id(variable))
            if average is None:
                average = self._averages[id(variable)] = variable.data.copy()
                self._variables.setdefault(id(variable), variable)
            average *= mu
            tmp = self.scratch(average)
            xp.multiply(variable.data, 1.0 - mu, out=tmp)
            average += tmp
        frequency = self.ema_overwrite_frequency
        if frequency and self.iterations % frequency == 0:
            self.finalize_variable_values(variables)

    def finalize_variable_values(self, var_list: list[Variable]) -> None:
        """With ``use_ema``, copy each variable's moving average into it (Keras calls this at the
        end of ``fit``); otherwise nothing."""
        for variable in var_list:
            average = self._averages.get(id(variable))
            if average is not None:
                variable.data[...] = average

    # ---- state, for saving and resuming ---------------------------------------------------------
    def get_state(self, named_variables: list[tuple[str, Variable]]) -> tuple[dict, dict]:
        """Everything a later step depends on, as ``(arrays, values)``: each variable's slots and
        moving average as arrays named ``'<variable name>/<slot>'``, and as JSON values the step
        count, the learning rate when it is a number (callbacks such as ReduceLROnPlateau change
        it) and what a subclass adds in ``_extra_state``. ``named_variables`` fixes the names."""
        arrays = {}
        for name, variable in named_variables:
            for slot_name, slot in self._slots.get(id(variable), {}).items():
                arrays[f"{name}/{slot_name}"] = backend.to_numpy(_as_array(slot))
            average = self._averages.get(id(variable))
            if average is not None:
                arrays[f"{name}/ema"] = backend.to_numpy(average)
        values: dict[str, Any] = {"iterations": self.iterations, **self._extra_state()}
        if not callable(self._learning_rate):
            values["learning_rate"] = self._learning_rate
        return arrays, values

    def set_state(self, named_variables: list[tuple[str, Variable]], arrays: dict,
                  values: dict) -> None:
        """Restore what :meth:`get_state` returned, for the same variables (by name).

        Raises:
            ValueError: when an array's shape differs from its variable's or a value is invalid.
        """
        iterations = values.get("iterations", 0)
        if isinstance(iterations, bool) or not isinstance(iterations, int) or iterations < 0:
            raise ValueError(f"{type(self).__name__}: a saved step count must be a non-negative "
                             f"integer. Received: iterations={iterations!r}")
        slots, averages, used = {}, {}, set()
        for name, variable in named_variables:
            prefix = f"{name}/"
            found = {key[len(prefix):]: arrays[key] for key in arrays
                     if key.startswith(prefix) and "/" not in key[len(prefix):]}
            used.update(prefix + key for key in found)
            for slot_name, array in found.items():
                if array.shape != variable.shape:
                    raise ValueError(f"{type(self).__name__}: saved slot {prefix + slot_name!r} has "
                                     f"shape {array.shape}; the variable has {variable.shape}.")
            average = found.pop("ema", None)
            if average is not None:
                averages[id(variable)] = xp.asarray(average, dtype=variable.data.dtype)
            if found:
                expected = set(self.build(variable))
                if set(found) != expected:
                    raise ValueError(f"{type(self).__name__}: saved slots of {name!r} are "
                                     f"{sorted(found)}; this optimizer keeps {sorted(expected)}.")
                slots[id(variable)] = {key: xp.asarray(array, dtype=variable.data.dtype)
                                       for key, array in found.items()}
        leftover = sorted(set(arrays) - used)
        if leftover:
            raise ValueError(f"{type(self).__name__}: saved state names variables this model does "
                             f"not have: {leftover[:5]}")
        learning_rate = values.get("learning_rate")
        if learning_rate is not None and not callable(self._learning_rate):
            self.learning_rate = learning_rate
        self._set_extra_state(values)
        by_id = {id(variable): variable for _, variable in named_variables}
        self._slots, self._averages = slots, averages
        self._variables = {key: by_id[key] for key in set(slots) | set(averages)}
        self.iterations = iterations

    def _extra_state(self) -> dict:
        """JSON values of state a subclass keeps besides slots (default none)."""
        return {}

    def _set_extra_state(self, values: dict) -> None:
        """Restore what ``_extra_state`` returned."""

    # ---- configuration ------------------------------------------------------------------------
    def get_config(self) -> dict:
        """The constructor arguments; a schedule is stored as ``{"class_name", "config"}``."""
        lr = self._learning_rate
        if isinstance(lr, schedules.LearningRateSchedule):
            lr = schedules.serialize(lr)
        elif callable(lr):
            lr = repr(lr)   # a plain callable cannot be restored; from_config says so
        return {"name": self.name, "learning_rate": lr, "weight_decay": self.weight_decay,
                "clipnorm": self.clipnorm, "global_clipnorm": self.global_clipnorm,
                "clipvalue": self.clipvalue, "use_ema": self.use_ema,
                "ema_momentum": self.ema_momentum,
                "ema_overwrite_frequency": self.ema_overwrite_frequency}

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> Optimizer:
        """The optimizer ``get_config`` describes (a schedule is rebuilt from its config)."""
        config = dict(config)
        lr = config.get("learning_rate")
        if isinstance(lr, dict):
            config["learning_rate"] = schedules.deserialize(lr, custom_objects)
        elif isinstance(lr, str):
            raise ValueError(f"{cls.__name__}.from_config cannot restore a plain callable "
                             f"learning rate; use a LearningRateSchedule. Received: learning_rate={lr}")
        return cls(**config)


# ---- helpers for subclasses -----------------------------------------------------------------------
def check_number(owner: Any, arg: str, value: Any, low: float | None = None,
                 high: float | None = None, low_open: bool = False, high_open: bool = False) -> float:
    """``value`` as a float, or a ValueError naming ``owner``'s class, the argument and the range."""
    ok = not isinstance(value, bool) and isinstance(value, numbers.Real) and not math.isnan(value)
    if ok and low is not None:
        ok = value > low if low_open else value >= low
    if ok and high is not None:
        ok = value < high if high_open else value <= high
    if not ok:
        left = "(" if low_open else "["
        right = ")" if high_open else "]"
        span = f"in {left}{low if low is not None else '-inf'}, {high if high is not None else 'inf'}{right}"
        name = owner if isinstance(owner, str) else type(owner).__name__
        raise ValueError(f"{name} expects {arg} {span}. Received: {arg}={value!r}")
    return float(value)


def _as_array(grad: Any) -> Any:
    if isinstance(grad, Tensor):
        return grad.data
    return grad if isinstance(grad, xp.ndarray) else xp.asarray(grad)


def _takes_argument(fn: Any) -> bool:
    """Whether ``fn`` can be called with one positional argument (the step)."""
    try:
        parameters = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return True
    return any(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL)
               for p in parameters)
