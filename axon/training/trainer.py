"""The training loop: ``compile``, ``fit``, ``evaluate``, ``predict``.

Gradient descent on mini-batches. For each batch: forward (``y_hat = model(x)``), the loss
``L(y, y_hat)`` (plus regularization terms), backward (``dL/dw`` for every trainable weight
``w``), and the optimizer's update. ``train_step(data)`` is the only place that calls
``backward``; override it to change what a step does, and ``fit`` still runs the loop, the
callbacks and the progress bar. Everything else (history, early stopping ...) happens in
callbacks, which see a ``logs`` dict.
"""
from __future__ import annotations

from typing import Any

import numpy

from axon import backend
from axon import metrics as metrics_module
from axon import optimizers as optimizers_module
from axon.callbacks import CallbackList, History, ProgbarLogger
from axon.engine import Tensor, no_grad
from axon.training import data as data_module
from axon.training import parallel as parallel_module
from axon.training.adapters import ArrayBatches, Batch, StreamBatches, is_batch_stream, unpack_data
from axon.training.batch_results import LossAndMetrics, log_value
from axon.training.compile_utils import CompiledLoss, CompiledMetrics, per_output
from axon.training.resume import Resumable
from axon.training.standardize import Standardizer

VERBOSE_VALUES = ("auto", 0, 1, 2)


class Trainer(LossAndMetrics, Standardizer, Resumable):
    """The training methods of a model. Mixed into ``axon.Model``."""

    compiled: bool = False
    stop_training: bool = False
    _nan_guard: bool = False  # set by TerminateOnNaN during fit: see axon.training.diagnose
    _parallel: Any = None     # a DataParallel during a distributed fit: see axon.training.parallel

    # ---- compile ------------------------------------------------------------------------------
    def compile(self, optimizer: Any = "rmsprop", loss: Any = None, loss_weights: Any = None,
                metrics: Any = None, weighted_metrics: Any = None, **kwargs: Any) -> None:
        """Choose how to learn: the optimizer, the loss to minimise, the metrics to report.

        Args:
            optimizer: name (``'sgd'``, ``'adagrad'``, ``'rmsprop'``, ``'adadelta'``, ``'adam'``,
                ``'adamw'``, ``'adamax'``, ``'nadam'``, ``'lion'``) or an Optimizer.
            loss: name (``'mse'``, ``'categorical_crossentropy'`` ...), a Loss, or a function
                ``(y_true, y_pred) -> per-sample Tensor``; for several outputs, a list (one per
                output) or a dict keyed by output name. May be omitted when ``train_step`` is
                overridden.
            loss_weights: scalars weighting each output's loss (list or dict).
            metrics: list of names (``'accuracy'``), Metric objects or functions; for several
                outputs a list of lists or a dict. They ignore sample weights, as in Keras.
            weighted_metrics: metrics that use ``sample_weight`` (and ``class_weight``).
        """
        unknown = sorted(set(kwargs) - {"run_eagerly", "jit_compile", "steps_per_execution",
                                        "auto_scale_loss"})
        if unknown:
            raise TypeError(f"compile() got unexpected keyword argument(s): {', '.join(unknown)}")
        optimizer = optimizers_module.get(optimizer)
        compiled_loss = CompiledLoss(loss, loss_weights) if loss is not None else None
        compiled_metrics = CompiledMetrics(metrics, weighted_metrics)
        output_names = self._known_output_names()
        if output_names is not None:  # the outputs are known: dict keys can be checked now
            if compiled_loss is not None:
                compiled_loss.build(output_names)
            _check_metric_keys(metrics, weighted_metrics, output_names)
        # Assigned only once everything is valid, so a failed compile() changes nothing.
        self.optimizer = optimizer
        self._compiled_loss, self._compiled_metrics = compiled_loss, compiled_metrics
        self._loss_tracker = metrics_module.Mean(name="loss")
        self._output_loss_trackers: list = []
        self.compiled = True

    def _require_compiled(self, method: str) -> None:
        if not self.compiled:
            raise RuntimeError(f"You must call compile() before {method}(): the model needs an "
                               "optimizer and a loss, e.g. model.compile(optimizer='adam', "
                               "loss='sparse_categorical_crossentropy', metrics=['accuracy']).")

    # ---- the steps ----------------------------------------------------------------------------
    def train_step(self, data: Any) -> dict[str, float]:
        """One step of gradient descent on a batch ``data = (x, y[, sample_weight])``.

        ``y_hat = model(x)``; ``L = compute_loss(...)``; ``L.backward()``; the optimizer updates
        every trainable weight (under ``TerminateOnNaN``, only when ``L`` and every gradient are
        finite); the metrics are updated. In a distributed fit the gradients are averaged over
        the ranks between ``backward`` and the update. Returns the running logs.
        """
        x, y, sample_weight = unpack_data(data)
        variables = self.trainable_weights
        parallel = self._parallel
        if parallel is not None and not _batch_size(x):   # an empty shard of the last batch
            return parallel.idle_step(self, variables)
        for variable in variables:
            variable.grad = None
        # Under TerminateOnNaN a rejected step must not leave its forward pass's updates of the
        # non-trainable weights (batch norm's moving statistics) behind either.
        kept = [(w, w.data.copy()) for w in self.non_trainable_weights] if self._nan_guard \
            else None
        y_pred = self(x, training=True)
        loss = self.compute_loss(x, y, y_pred, sample_weight)
        loss.backward()
        if parallel is not None:
            parallel.average_gradients(variables, _batch_size(x))
        if kept is not None:  # TerminateOnNaN listens: a non-finite step is diagnosed, not applied
            from axon.training.diagnose import apply_if_finite
            self._nan_report = apply_if_finite(self, data, loss, variables)
            if self._nan_report is not None:
                for weight, before in kept:
                    weight.data[...] = before
        else:
            self.optimizer.apply([v.grad for v in variables], variables)
        self._loss_tracker.update_state(backend.to_numpy(loss.data).reshape(1),
                                        sample_weight=numpy.array([_batch_size(x)]))
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def test_step(self, data: Any) -> dict[str, float]:
        """Loss and metrics on a batch, without gradients."""
        x, y, sample_weight = unpack_data(data)
        with no_grad():
            y_pred = self(x, training=False)
            loss = self.compute_loss(x, y, y_pred, sample_weight, training=False)
        self._loss_tracker.update_state(backend.to_numpy(loss.data).reshape(1),
                                        sample_weight=numpy.array([_batch_size(x)]))
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def predict_step(self, data: Any) -> Any:
        """The model's output on a batch, without gradients."""
        x, _, _ = unpack_data(data)
        with no_grad():
            return self(x, training=False)

    # ---- fit / evaluate / predict -------------------------------------------------------------
    def fit(self, x: Any = None, y: Any = None, batch_size: int | None = None, epochs: int = 1,
            verbose: Any = "auto", callbacks: list | None = None, validation_split: float = 0.0,
            validation_data: Any = None, shuffle: bool = True, class_weight: dict | None = None,
            sample_weight: Any = None, initial_epoch: int = 0, steps_per_epoch: int | None = None,
            validation_steps: int | None = None, validation_batch_size: int | None = None,
            validation_freq: int = 1, distributed: bool | None = None) -> History:
        """Train the model for ``epochs`` passes over the data in mini-batches.

        Args:
            x: inputs: an array (or list/DataFrame), a list or dict of arrays for a model with
                several inputs, or a generator / iterable / PyDataset yielding ``(x, y)`` or
                ``(x, y, sample_weight)`` batches (then ``y`` must be None).
            y: targets, shaped like the output(s): an array, or a list/dict for several outputs.
            batch_size: samples per gradient step (default 32; not used with a generator).
            epochs: index of the last epoch (training runs epochs ``initial_epoch..epochs-1``).
            verbose: 0 silent, 1 progress bar, 2 one line per epoch ('auto' is 1).
            callbacks: list of ``axon.callbacks.Callback``.
            validation_split: fraction of the (last) samples held out for validation.
            validation_data: ``(x_val, y_val)``, ``(x_val, y_val, sample_weight_val)`` or a
                generator/iterable of such batches.
            shuffle: reshuffle the training samples every epoch.
            class_weight: ``{class: weight}`` multiplying each sample's loss by its class's weight.
            sample_weight: per-sample weights of the loss.
            initial_epoch: epoch to start from (to resume).
            steps_per_epoch: batches per epoch (arrays: batches continue across epochs).
            validation_steps, validation_batch_size, validation_freq: as in Keras.
            distributed: train data-parallel on the ranks of the MPI job (``mpiexec -n K``):
                True starts MPI, None (default) does so when ``axon.distributed.init()`` was
                called, False trains this process alone. ``batch_size`` is then per rank; only
                rank 0 prints. See docs/distributed.md.

        Returns:
            History, whose ``.history`` maps ``loss``, each metric, and ``val_`` versions to
            per-epoch lists.
        """
        self._require_compiled("fit")
        batch_size = data_module.check_batch_size(batch_size, "fit")
        verbose = _check_verbose(verbose, "fit")
        parallel = parallel_module.start(distributed)
        if parallel is not None and parallel.rank:
            verbose = 0   # one progress bar: rank 0's
        for argument, value in (("epochs", epochs), ("initial_epoch", initial_epoch)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise data_module.DataError(f"fit() expects {argument} to be a non-negative "
                                            f"integer. Received: {argument}={value!r}")
        _check_steps(steps_per_epoch, "steps_per_epoch")
        _check_steps(validation_steps, "validation_steps")
        if class_weight is not None:
            self._check_class_weight(class_weight)
        batches, validation = self._training_batches(
            x, y, sample_weight, class_weight, batch_size, shuffle, steps_per_epoch,
            validation_split, validation_data, validation_steps, validation_batch_size)
        if parallel is not None and isinstance(batches, ArrayBatches):
            batches.shard(parallel.rank, parallel.size, parallel.sync_random)

        # As Keras 3: History and the progress bar run after the user's callbacks, so what those
        # add to the logs (e.g. learning_rate) is recorded and shown.
        user_callbacks = list(callbacks or [])
        history = next((c for c in user_callbacks if isinstance(c, History)), None)
        defaults: list = []
        if history is None:
            history = History()
            defaults.append(history)
        if verbose and not any(isinstance(c, ProgbarLogger) for c in user_callbacks):
            defaults.append(ProgbarLogger(verbose))
        callback_list = CallbackList(
            user_callbacks + defaults, model=self,
            params={"epochs": epochs, "steps": batches.steps, "verbose": verbose})
        self.stop_training = False
        self._class_weight = class_weight
        # What a checkpoint of this fit needs besides the model (see _fit_state_values).
        self._fit_progress = {"batches": batches, "callbacks": callback_list}
        self._resume_point = None
        try:
            callback_list.on_train_begin()   # BackupAndRestore may set self._resume_point here
            if parallel is not None:   # after a restore: every rank continues from rank 0's state
                parallel.start(self, batches)
                self._parallel = parallel
            logs = self._fit_epochs(batches, validation, validation_freq, callback_list,
                                    initial_epoch, epochs)
        finally:
            self._class_weight = None
            self._fit_progress = None
            self._nan_guard = False   # TerminateOnNaN's check ends with the fit, however it ends
            self._parallel = None
        if getattr(self.optimizer, "use_ema", False):  # as Keras: the averages become the weights
            self.optimizer.finalize_variable_values(self.trainable_weights)
        callback_list.on_train_end(logs)
        return history

    def _fit_epochs(self, batches, validation, validation_freq, callback_list, initial_epoch,
                    epochs) -> dict:
        """The epochs of ``fit``, from ``initial_epoch`` or from where a checkpoint stopped;
        returns the last batch's logs."""
        resume, self._resume_point = self._resume_point, None
        first_epoch, first_step = initial_epoch, 0
        logs: dict[str, float] = {}
        if resume is not None:
            first_epoch, first_step, logs = resume["epoch"], resume["step"], resume["logs"]
            if resume["stopped"]:   # the checkpoint was written as training stopped
                self.stop_training = True
                return logs
        parallel = self._parallel
        for epoch in range(first_epoch, epochs):
            resumed = epoch == first_epoch and first_step > 0
            if parallel is not None:
                parallel.epoch, parallel.step = epoch, 0
            if resumed:   # the epoch's beginning happened before the checkpoint, and is in it
                callback_list.on_epoch_resume(epoch, first_step)
            else:
                self.reset_metrics()
                callback_list.on_epoch_begin(epoch)
            start = first_step if resumed else 0
            if batches.steps is None or start < batches.steps:
                epoch_batches = batches.epoch(start) if isinstance(batches, StreamBatches) \
                    else batches.epoch()
                for step, batch in enumerate(epoch_batches, start=start):
                    callback_list.on_train_batch_begin(step)
                    logs = _floats(self.train_step(self._batch(batch, "fit")))
                    callback_list.on_train_batch_end(step, logs)
                    if self.stop_training:
                        break
            if isinstance(batches, StreamBatches):
                batches.on_epoch_end()
            if parallel is not None:   # the epoch's metrics over every rank's samples
                parallel.sync_metrics(self)
                logs = {**(logs or {}), **_floats(self.get_metrics_result())}
            epoch_logs = dict(logs or self.get_metrics_result())
            if validation is not None and (epoch + 1) % validation_freq == 0:
                val_logs = self._run_evaluation(validation, None)
                epoch_logs.update({"val_" + name: value for name, value in val_logs.items()})
            callback_list.on_epoch_end(epoch, epoch_logs)
            if self.stop_training or getattr(batches, "exhausted", False):
                break
        return logs

    def _run_evaluation(self, batches: Any, callback_list: CallbackList | None) -> dict:
        self.reset_metrics()
        logs: dict[str, float] = {}
        for step, batch in enumerate(batches.epoch()):
            if callback_list:
                callback_list.on_test_batch_begin(step)
            logs = _floats(self.test_step(self._batch(batch, "evaluate")))
            if callback_list:
                callback_list.on_test_batch_end(step, logs)
        return logs or self.get_metrics_result()

    def evaluate(self, x: Any = None, y: Any = None, batch_size: int | None = None,
                 verbose: Any = "auto", sample_weight: Any = None, steps: int | None = None,
                 callbacks: list | None = None, return_dict: bool = False) -> Any:
        """The loss and metrics on ``(x, y)`` (or a generator of batches), without training.

        Returns:
            The loss (a float) when no metrics were compiled, else ``[loss, metric, ...]``;
            a dict name -> value with ``return_dict=True``.
        """
        self._require_compiled("evaluate")
        batch_size = data_module.check_batch_size(batch_size, "evaluate")
        verbose = _check_verbose(verbose, "evaluate")
        _check_steps(steps, "steps")
        batches = self._batches_of("evaluate", x, y, sample_weight, batch_size, False, steps)
        callback_list = CallbackList(list(callbacks or []) + ([ProgbarLogger(verbose)]
                                                              if verbose else []), model=self,
                                     params={"steps": batches.steps, "verbose": verbose})
        callback_list.on_test_begin()
        logs = self._run_evaluation(batches, callback_list)
        callback_list.on_test_end(logs)
        if return_dict:
            return logs
        values = list(logs.values())
        return values[0] if len(values) == 1 else values

    def predict(self, x: Any, batch_size: int | None = None, verbose: Any = "auto",
                steps: int | None = None, callbacks: list | None = None) -> Any:
        """The model's outputs for ``x`` as NumPy arrays (a list or dict for several outputs),
        computed in batches without recording a graph."""
        batch_size = data_module.check_batch_size(batch_size, "predict")
        verbose = _check_verbose(verbose, "predict")
        _check_steps(steps, "steps")
        batches = self._batches_of("predict", x, None, None, batch_size, False, steps)
        if not verbose and not callbacks and steps is None and isinstance(batches, ArrayBatches) \
                and batches.steps == 1:
            # One batch and nobody listening (the common single-sample call): the same step
            # and outputs as the loop below, without the batching and callback machinery.
            result = self._as_outputs(self.predict_step(self._batch(
                Batch((batches.xs, None, None)), "predict")), "output")
            return self._pack_outputs([
                numpy.concatenate([backend.to_numpy(r.data if isinstance(r, Tensor) else r)],
                                  axis=0) for r in result])
        callback_list = CallbackList(list(callbacks or []) + ([ProgbarLogger(verbose)]
                                                              if verbose else []), model=self,
                                     params={"steps": batches.steps, "verbose": verbose})
        callback_list.on_predict_begin()
        outputs: list[list] = []
        for step, batch in enumerate(batches.epoch()):
            callback_list.on_predict_batch_begin(step)
            result = self._as_outputs(self.predict_step(self._batch(batch, "predict")), "output")
            outputs.append([backend.to_numpy(r.data if isinstance(r, Tensor) else r)
                            for r in result])
            callback_list.on_predict_batch_end(step, {"outputs": outputs[-1]})
        callback_list.on_predict_end()
        if not outputs:
            return numpy.zeros((0,))
        merged = [numpy.concatenate(parts, axis=0) for parts in zip(*outputs)]
        return self._pack_outputs(merged)

    # ---- one batch ----------------------------------------------------------------------------
    def train_on_batch(self, x: Any, y: Any = None, sample_weight: Any = None,
                       class_weight: dict | None = None, return_dict: bool = False) -> Any:
        """One gradient step on a single batch; returns that batch's loss (and metrics)."""
        self._require_compiled("train_on_batch")
        self.reset_metrics()  # as Keras 3: the values of this batch, not running means
        if class_weight is not None:
            self._check_class_weight(class_weight)
        self._class_weight = class_weight
        try:
            batches = self._batches_of("train_on_batch", x, y, sample_weight, None, False, None)
            logs = _floats(self.train_step(self._batch(next(iter(batches.epoch())),
                                                       "train_on_batch")))
        finally:
            self._class_weight = None
        return _result(logs, return_dict)

    def test_on_batch(self, x: Any, y: Any = None, sample_weight: Any = None,
                      return_dict: bool = False) -> Any:
        """Loss and metrics on a single batch, without training."""
        self._require_compiled("test_on_batch")
        self.reset_metrics()
        batches = self._batches_of("test_on_batch", x, y, sample_weight, None, False, None)
        logs = _floats(self.test_step(self._batch(next(iter(batches.epoch())), "test_on_batch")))
        return _result(logs, return_dict)

    def predict_on_batch(self, x: Any) -> Any:
        """The model's outputs for one batch ``x``, as NumPy."""
        batches = self._batches_of("predict_on_batch", x, None, None, None, False, None)
        result = self._as_outputs(self.predict_step(self._batch(next(iter(batches.epoch())),
                                                                "predict_on_batch")), "output")
        return self._pack_outputs([backend.to_numpy(r.data) for r in result])

    # ---- data ---------------------------------------------------------------------------------
    def _training_batches(self, x, y, sample_weight, class_weight, batch_size, shuffle,
                          steps_per_epoch, validation_split, validation_data, validation_steps,
                          validation_batch_size):
        validation = None
        if is_batch_stream(x):
            if validation_split:
                raise data_module.DataError("fit() cannot use validation_split with a generator "
                                            "or dataset; pass validation_data instead.")
            batches = self._batches_of("fit", x, y, sample_weight, batch_size, shuffle,
                                       steps_per_epoch)
        else:
            if y is None and self._compiled_loss is not None:
                raise data_module.DataError("fit() expects targets y. Received: y=None")
            xs, ys, sws = self.standardize("fit", x, y, sample_weight)
            if validation_data is None and validation_split:
                (xs, ys, sws), (vx, vy, vw) = _split(validation_split, xs, ys, sws)
                validation = ArrayBatches(vx, vy, vw, validation_batch_size or batch_size, False,
                                          validation_steps)
            batches = ArrayBatches(xs, ys, sws, batch_size, shuffle, steps_per_epoch)
        if validation_data is not None:
            if is_batch_stream(validation_data):
                validation = StreamBatches(validation_data, validation_steps, "fit")
            else:
                vx, vy, vw = _unpack_validation(validation_data)
                arrays = self.standardize("fit", vx, vy, vw, prefix="val_")
                validation = ArrayBatches(*arrays, validation_batch_size or batch_size, False,
                                          validation_steps)
        return batches, validation

    def _batches_of(self, method, x, y, sample_weight, batch_size, shuffle, steps):
        if is_batch_stream(x):
            if y is not None or sample_weight is not None:
                raise data_module.DataError(f"{method}() got a generator/dataset as x, which "
                                            "yields (x, y) batches itself; do not pass y or "
                                            "sample_weight.")
            return StreamBatches(x, steps, method)
        needs_targets = method not in ("predict", "predict_on_batch")
        if needs_targets and y is None and self._compiled_loss is not None:
            raise data_module.DataError(f"{method}() expects targets y. Received: y=None")
        xs, ys, sws = self.standardize(method, x, y if needs_targets else None,
                                       sample_weight)
        return ArrayBatches(xs, ys, sws, batch_size or xs[0].shape[0] or 1, shuffle, steps)

    def _check_class_weight(self, class_weight: Any) -> None:
        if not isinstance(class_weight, dict):
            raise data_module.DataError(f"class_weight should be a dict {{class: weight}}. "
                                        f"Received: {type(class_weight).__name__}")
        if len(self._known_output_names() or ["output"]) > 1:
            raise data_module.DataError("class_weight is only supported for models with one "
                                        "output; use sample_weight per output instead.")


def _floats(logs: Any) -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for name, value in (logs or {}).items():
        if isinstance(value, dict):
            flat.update(_floats(value))
        else:
            flat[name] = log_value(value)
    return flat


def _result(logs: dict, return_dict: bool) -> Any:
    if return_dict:
        return logs
    values = list(logs.values())
    return values[0] if len(values) == 1 else values


def _batch_size(x: Any) -> int:
    while isinstance(x, list | tuple):
        x = x[0]
    if isinstance(x, dict):
        return _batch_size(next(iter(x.values())))
    return int(x.shape[0])


def _check_verbose(verbose: Any, method: str) -> int:
    if verbose not in VERBOSE_VALUES:
        raise data_module.DataError(f"{method}() expects verbose in {VERBOSE_VALUES}. "
                                    f"Received: verbose={verbose!r}")
    return 1 if verbose == "auto" else int(verbose)


def _check_steps(value: Any, argument: str) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value <= 0):
        raise data_module.DataError(f"{argument} should be a positive integer or None. "
                                    f"Received: {argument}={value!r}")


def _split(fraction: float, xs: list, ys: list | None, sws: list | None):
    """Keras's ``validation_split`` over every input/output array: the last ``fraction``."""
    flat = list(xs) + list(ys or []) + list(sws or [])
    train, validation = data_module.split_validation(fraction, *flat)
    nx, ny = len(xs), len(ys or [])

    def regroup(arrays):
        arrays = list(arrays)
        return (arrays[:nx], arrays[nx:nx + ny] if ys is not None else None,
                arrays[nx + ny:] if sws is not None else None)
    return regroup(train), regroup(validation)


def _unpack_validation(validation_data: Any) -> tuple:
    if isinstance(validation_data, tuple | list) and len(validation_data) in (2, 3):
        return tuple(validation_data) + (None,) * (3 - len(validation_data))
    raise data_module.DataError("fit() expects validation_data=(x_val, y_val) or "
                                "(x_val, y_val, sample_weight_val). "
                                f"Received: {type(validation_data).__name__}")


def _check_metric_keys(metrics: Any, weighted_metrics: Any, output_names: list[str]) -> None:
    for argument, value in (("metrics", metrics), ("weighted_metrics", weighted_metrics)):
        if isinstance(value, dict):
            per_output(value, output_names, argument)

