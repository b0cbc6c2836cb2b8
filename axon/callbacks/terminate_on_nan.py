"""TerminateOnNaN: stop training as soon as the loss or a gradient is NaN or infinite, and say
where the first non-finite value appeared."""
from __future__ import annotations

import math
from typing import Any

import numpy

from axon.callbacks.callback import Callback


class TerminateOnNaN(Callback):
    """Stop training when a training step's loss or one of its gradients is NaN or +-inf.

    For the length of ``fit`` it turns on a check in ``train_step``: before the optimizer's
    update, the loss ``L`` and every gradient ``dL/dw`` must be finite. When one is not, the
    update is not applied (the weights stay those the step started from), the step is re-run
    layer by layer to find where the first non-finite value appears (see
    ``axon.training.diagnose``), and this callback prints a message naming the epoch and step,
    the last finite loss, the non-finite value and that finding, then sets
    ``model.stop_training`` so that ``fit`` ends after the step.

    Epochs and steps are counted from 1, as the progress bar shows them: ``epoch 2/5, step
    14/50`` is the ``batch`` 13 that ``on_train_batch_end`` receives in the epoch with index 1.
    The losses are those of ``logs['loss']``: the running mean of the epoch's batch losses, as
    the progress bar shows it; the non-finite loss is that of the step itself.

    With a ``train_step`` of the model's own, which does not check before updating, only
    ``logs['loss']`` is checked, after the update, and there is no diagnosis.

    Args:
        raise_error: raise a ``RuntimeError`` with the message instead of stopping quietly
            (Keras 3's newer option).

    Example:
        >>> import numpy as np, axon
        >>> class Log(axon.layers.Layer):
        ...     def call(self, inputs, training=False):
        ...         return axon.engine.functional.log(inputs)
        ...     def compute_output_shape(self, input_shape):
        ...         return input_shape
        >>> model = axon.Sequential([
        ...     axon.layers.Dense(1, use_bias=False, kernel_initializer="ones", input_shape=(1,)),
        ...     Log(name="log")])
        >>> model.compile(optimizer=axon.optimizers.SGD(learning_rate=0.01), loss="mse")
        >>> x = np.array([[1.0], [2.0], [0.0], [3.0]])  # the third step takes log(0) = -inf
        >>> with np.errstate(divide="ignore", invalid="ignore"):
        ...     history = model.fit(x, np.ones((4, 1)), batch_size=1, epochs=3, verbose=0,
        ...                         shuffle=False, callbacks=[axon.callbacks.TerminateOnNaN()])
        ... # doctest: +NORMALIZE_WHITESPACE
        TerminateOnNaN: the loss became inf at epoch 1/3, step 3/4 (last finite loss 0.541199,
        at step 2); training stops.
        The first non-finite value appears in the forward pass, at layer 'log' (Log): its output
        holds 1 -inf value out of 1 (its input is finite).
        The update of this step was not applied: the weights are those after step 2.
        >>> bool(np.isfinite(model.get_weights()[0]).all())
        True
    """

    def __init__(self, raise_error: bool = False) -> None:
        super().__init__()
        self.raise_error = raise_error
        self._epoch: int | None = None
        self._last_finite: tuple[int | None, int, float] | None = None  # (epoch, batch, loss)

    def on_train_begin(self, logs: dict | None = None) -> None:
        self._epoch, self._last_finite = None, None
        self.model._nan_report = None
        self.model._nan_guard = True   # train_step now checks each step before its update

    def on_train_end(self, logs: dict | None = None) -> None:
        self.model._nan_guard = False

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._epoch = epoch

    def on_epoch_resume(self, epoch: int, step: int) -> None:
        self._epoch = epoch

    def on_batch_end(self, batch: int, logs: dict | None = None) -> None:
        loss = (logs or {}).get("loss")
        report = getattr(self.model, "_nan_report", None)  # set by train_step's check
        if report is None and (loss is None or numpy.all(numpy.isfinite(loss))):
            if loss is not None:
                self._last_finite = (self._epoch, batch, _number(loss))
            return
        message = self._message(batch, loss, report)
        if self.raise_error:
            self.model._nan_guard = False  # fit ends with the error, without on_train_end
            raise RuntimeError(message)
        print(message, flush=True)
        self.model.stop_training = True

    # ---- the message ------------------------------------------------------------------------
    def _message(self, batch: int, loss: Any, report: Any) -> str:
        value = report.loss if report is not None else _number(loss)
        where = self._where(self._epoch, batch)
        if self._last_finite is None:
            last = "no finite loss before it"
        else:
            epoch, last_batch, last_loss = self._last_finite
            at = f"step {last_batch + 1}" if epoch == self._epoch \
                else self._where(epoch, last_batch)
            last = f"last finite loss {last_loss:.6g}, at {at}"
        if math.isfinite(value):
            what = f"a gradient became non-finite at {where} (the loss, {value:.6g}, is finite; {last})"
        else:
            what = f"the loss became {value} at {where} ({last})"
        lines = [f"TerminateOnNaN: {what}; training stops."]
        if report is None:
            lines.append("No diagnosis: this step was not checked before the optimizer's update "
                         "(a train_step of the model's own?), so the weights may now hold "
                         "non-finite values.")
        else:
            before = f"after step {batch}" if batch > 0 else (
                "at the start of the epoch" if self._epoch is None
                else f"at the start of epoch {self._epoch + 1}")
            lines += [report.text,
                      f"The update of this step was not applied: the weights are those {before}."]
        return "\n".join(lines)

    def _where(self, epoch: int | None, batch: int) -> str:
        epochs, steps = self.params.get("epochs"), self.params.get("steps")
        step = f"step {batch + 1}" + (f"/{steps}" if steps else "")
        if epoch is None:
            return step
        return f"epoch {epoch + 1}" + (f"/{epochs}" if epochs else "") + ", " + step


def _number(value: Any) -> float:
    """A logged loss as one float: its first non-finite entry, if any, else its first entry."""
    array = numpy.asarray(value, dtype=float).reshape(-1)
    bad = array[~numpy.isfinite(array)]
    return float(bad[0] if bad.size else array[0])
