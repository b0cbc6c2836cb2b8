"""The training loop: ``compile``, ``fit``, ``evaluate``, ``predict``.

Gradient descent on mini-batches. For each batch: forward (``y_hat = model(x)``), the loss
``L(y, y_hat)``, backward (``dL/dw`` for every trainable weight ``w``), and the optimizer's update.
``train_step`` is the only place that calls ``backward``. Everything else (progress bars,
history, early stopping ...) happens in callbacks, which see a ``logs`` dict.
"""
from __future__ import annotations

from typing import Any

import numpy

from axon import backend
from axon import losses as losses_module
from axon import metrics as metrics_module
from axon import optimizers as optimizers_module
from axon.callbacks import CallbackList, History, ProgbarLogger
from axon.engine import Tensor, no_grad
from axon.training import data as data_module

VERBOSE_VALUES = ("auto", 0, 1, 2)


class Trainer:
    """The training methods of a model. Mixed into ``axon.Model``."""

    compiled: bool = False
    stop_training: bool = False

    # ---- compile ------------------------------------------------------------------------------
    def compile(self, optimizer: Any = "rmsprop", loss: Any = None, metrics: Any = None,
                **kwargs: Any) -> None:
        """Choose how to learn: the optimizer, the loss to minimise, the metrics to report.

        Args:
            optimizer: name (``'adam'``, ``'sgd'``, ``'rmsprop'``) or an Optimizer.
            loss: name (``'mse'``, ``'categorical_crossentropy'`` ...), a Loss, or a function
                ``(y_true, y_pred) -> per-sample Tensor``.
            metrics: list of names (``'accuracy'``), Metric objects or functions.
        """
        unknown = sorted(set(kwargs) - {"run_eagerly", "jit_compile", "steps_per_execution",
                                        "auto_scale_loss"})
        if unknown:
            raise TypeError(f"compile() got unexpected keyword argument(s): {', '.join(unknown)}")
        if loss is None:
            raise ValueError("compile() expects a loss, e.g. loss='mse' or "
                             "loss='sparse_categorical_crossentropy'.")
        self.optimizer = optimizers_module.get(optimizer)
        self.loss = losses_module.get(loss)
        if metrics is not None and not isinstance(metrics, list | tuple):
            raise TypeError(f"compile() expects metrics to be a list. Received: {metrics!r}")
        self._metric_identifiers = list(metrics or [])
        for identifier in self._metric_identifiers:  # fail now on unknown names, not in fit
            metrics_module.get(identifier, self.loss)
        self.metrics_list: list = []
        self._loss_tracker = metrics_module.Mean(name="loss")
        self.compiled = True

    def _build_metrics(self, output_shape: tuple) -> None:
        if not self.metrics_list and self._metric_identifiers:
            self.metrics_list = [metrics_module.get(m, self.loss, output_shape)
                                 for m in self._metric_identifiers]

    @property
    def metrics_names(self) -> list[str]:
        return ["loss"] + [m.name for m in self.metrics_list]

    def _require_compiled(self, method: str) -> None:
        if not self.compiled:
            raise RuntimeError(f"You must call compile() before {method}(): the model needs an "
                               "optimizer and a loss, e.g. model.compile(optimizer='adam', "
                               "loss='sparse_categorical_crossentropy', metrics=['accuracy']).")

    # ---- the steps ----------------------------------------------------------------------------
    def train_step(self, x: Any, y: Any, sample_weight: Any = None) -> dict[str, float]:
        """One step of gradient descent on a batch; returns the running logs."""
        variables = self.trainable_weights
        for variable in variables:
            variable.grad = None
        y_pred = self(Tensor(x), training=True)
        loss = self.loss(y, y_pred, sample_weight)
        loss.backward()
        self.optimizer.apply([v.grad for v in variables], variables)
        return self._update_metrics(loss, y, y_pred.data, sample_weight, len(x))

    def test_step(self, x: Any, y: Any, sample_weight: Any = None) -> dict[str, float]:
        """Loss and metrics on a batch, without gradients."""
        with no_grad():
            y_pred = self(Tensor(x), training=False)
            loss = self.loss(y, y_pred, sample_weight)
        return self._update_metrics(loss, y, y_pred.data, sample_weight, len(x))

    def predict_step(self, x: Any) -> Any:
        """The model's output on a batch, without gradients."""
        with no_grad():
            return self(Tensor(x), training=False).data

    def _update_metrics(self, loss, y, y_pred, sample_weight, batch_size) -> dict[str, float]:
        self._loss_tracker.update_state(backend.to_numpy(loss.data).reshape(1),
                                        sample_weight=numpy.array([batch_size]))
        y_host = backend.to_numpy(y)
        y_pred_host = backend.to_numpy(y_pred)
        for metric in self.metrics_list:
            metric.update_state(y_host, y_pred_host, sample_weight)
        return self._current_logs()

    def _current_logs(self) -> dict[str, float]:
        logs = {"loss": float(self._loss_tracker.result())}
        logs.update({m.name: float(m.result()) for m in self.metrics_list})
        return logs

    def _reset_metrics(self) -> None:
        self._loss_tracker.reset_state()
        for metric in self.metrics_list:
            metric.reset_state()

    # ---- data at the boundary -----------------------------------------------------------------
    def _prepare(self, method: str, x: Any, y: Any = None, sample_weight: Any = None,
                 prefix: str = ""):
        """Convert and check ``x`` (and ``y``, ``sample_weight``); build the model if needed."""
        x = data_module.as_numeric(x, prefix + "x", method)
        data_module.check_finite(x, prefix + "x", method)
        self._check_model_input(x, method, prefix + "x")
        if y is None:
            return x, None, None
        sparse = "sparse" in getattr(self.loss, "name", "")
        y = data_module.as_numeric(y, prefix + "y", method, float_type=not sparse)
        data_module.check_finite(y, prefix + "y", method)
        if sample_weight is not None:
            sample_weight = data_module.as_numeric(sample_weight, prefix + "sample_weight", method)
            data_module.check_finite(sample_weight, prefix + "sample_weight", method)
        data_module.check_same_samples(method, **{prefix + "x": x, prefix + "y": y,
                                                  prefix + "sample_weight": sample_weight})
        output_shape = self._output_shape_for(x)
        y = data_module.fit_targets(y, output_shape, sparse, method, prefix + "y")
        self._build_metrics(output_shape)
        return x, y, sample_weight

    def _check_model_input(self, x: numpy.ndarray, method: str, argument: str) -> None:
        expected = self._expected_input_shape()
        if expected is None:
            return
        if x.ndim != len(expected) + 1 or any(
                e is not None and e != s for e, s in zip(expected, x.shape[1:])):
            raise data_module.DataError(
                f"{method}() expects {argument} with samples of shape {tuple(expected)} (the "
                f"input of model '{self.name}'). Received: {argument}.shape={x.shape}, i.e. "
                f"samples of shape {x.shape[1:]}.")

    def _expected_input_shape(self) -> tuple | None:
        """The per-sample input shape the model expects, if known. Models override it."""
        return None

    def _output_shape_for(self, x: numpy.ndarray) -> tuple:
        with no_grad():
            return (None,) + tuple(self(Tensor(x[:1]), training=False).shape[1:])

    # ---- fit / evaluate / predict -------------------------------------------------------------
    def fit(self, x: Any = None, y: Any = None, batch_size: int | None = None, epochs: int = 1,
            verbose: Any = "auto", callbacks: list | None = None, validation_split: float = 0.0,
            validation_data: Any = None, shuffle: bool = True, sample_weight: Any = None,
            initial_epoch: int = 0, **kwargs: Any) -> History:
        """Train the model for ``epochs`` passes over ``(x, y)`` in mini-batches.

        Args:
            x, y: inputs and targets (NumPy arrays or anything ``numpy.asarray`` takes).
            batch_size: samples per gradient step (default 32).
            epochs: number of passes over the data.
            verbose: 0 silent, 1 progress bar, 2 one line per epoch ('auto' is 1).
            callbacks: list of ``axon.callbacks.Callback``.
            validation_split: fraction of the (last) samples held out for validation.
            validation_data: ``(x_val, y_val)`` or ``(x_val, y_val, sample_weight_val)``.
            shuffle: reshuffle the training samples every epoch.
            sample_weight: per-sample weights of the loss.
            initial_epoch: epoch to start counting from (to resume).

        Returns:
            History, whose ``.history`` maps ``loss``, each metric, and ``val_`` versions to
            per-epoch lists.
        """
        if kwargs:
            raise TypeError(f"fit() got unexpected keyword argument(s): {', '.join(sorted(kwargs))}")
        self._require_compiled("fit")
        if y is None:
            raise data_module.DataError("fit() expects targets y. Received: y=None")
        batch_size = data_module.check_batch_size(batch_size, "fit")
        verbose = _check_verbose(verbose, "fit")
        if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 0:
            raise data_module.DataError(f"fit() expects epochs to be a non-negative integer. "
                                        f"Received: epochs={epochs!r}")
        x, y, sample_weight = self._prepare("fit", x, y, sample_weight)
        validation = None
        if validation_data is not None:
            validation = self._prepare("fit", *_unpack_validation(validation_data), prefix="val_")
        elif validation_split:
            (x, y, sample_weight), validation = data_module.split_validation(
                validation_split, x, y, sample_weight)

        n = x.shape[0]
        steps = -(-n // batch_size)
        history = History()
        callback_list = CallbackList(
            [history] + ([ProgbarLogger(verbose)] if verbose else []) + list(callbacks or []),
            model=self, params={"epochs": epochs, "steps": steps, "verbose": verbose})
        self.stop_training = False
        callback_list.on_train_begin()
        logs: dict[str, float] = {}
        for epoch in range(initial_epoch, epochs):
            self._reset_metrics()
            callback_list.on_epoch_begin(epoch)
            for step, index in enumerate(data_module.batch_indices(n, batch_size, shuffle)):
                callback_list.on_train_batch_begin(step)
                logs = self.train_step(x[index], y[index],
                                       None if sample_weight is None else sample_weight[index])
                callback_list.on_train_batch_end(step, logs)
                if self.stop_training:
                    break
            epoch_logs = dict(logs)
            if validation is not None:
                val_logs = self._evaluate_arrays(*validation, batch_size)
                epoch_logs.update({"val_" + name: value for name, value in val_logs.items()})
            callback_list.on_epoch_end(epoch, epoch_logs)
            if self.stop_training:
                break
        callback_list.on_train_end(logs)
        return history

    def _evaluate_arrays(self, x, y, sample_weight, batch_size, callback_list=None):
        self._reset_metrics()
        logs: dict[str, float] = {}
        for step, index in enumerate(data_module.batch_indices(len(x), batch_size, False)):
            if callback_list:
                callback_list.on_test_batch_begin(step)
            logs = self.test_step(x[index], y[index],
                                  None if sample_weight is None else sample_weight[index])
            if callback_list:
                callback_list.on_test_batch_end(step, logs)
        return logs

    def evaluate(self, x: Any = None, y: Any = None, batch_size: int | None = None,
                 verbose: Any = "auto", sample_weight: Any = None, callbacks: list | None = None,
                 return_dict: bool = False, **kwargs: Any) -> Any:
        """The loss and metrics on ``(x, y)``, without training.

        Returns:
            The loss (a float) when no metrics were compiled, else ``[loss, metric, ...]``;
            a dict name -> value with ``return_dict=True``.
        """
        if kwargs:
            raise TypeError(f"evaluate() got unexpected keyword argument(s): "
                            f"{', '.join(sorted(kwargs))}")
        self._require_compiled("evaluate")
        if y is None:
            raise data_module.DataError("evaluate() expects targets y. Received: y=None")
        batch_size = data_module.check_batch_size(batch_size, "evaluate")
        verbose = _check_verbose(verbose, "evaluate")
        x, y, sample_weight = self._prepare("evaluate", x, y, sample_weight)
        steps = -(-len(x) // batch_size)
        callback_list = CallbackList(([ProgbarLogger(verbose)] if verbose == 1 else [])
                                     + list(callbacks or []), model=self,
                                     params={"steps": steps, "verbose": verbose})
        callback_list.on_test_begin()
        logs = self._evaluate_arrays(x, y, sample_weight, batch_size, callback_list)
        callback_list.on_test_end(logs)
        if return_dict:
            return logs
        values = list(logs.values())
        return values[0] if len(values) == 1 else values

    def predict(self, x: Any, batch_size: int | None = None, verbose: Any = "auto",
                callbacks: list | None = None, **kwargs: Any) -> numpy.ndarray:
        """The model's outputs for ``x``, as a NumPy array, computed in batches without a graph."""
        if kwargs:
            raise TypeError(f"predict() got unexpected keyword argument(s): "
                            f"{', '.join(sorted(kwargs))}")
        batch_size = data_module.check_batch_size(batch_size, "predict")
        verbose = _check_verbose(verbose, "predict")
        x, _, _ = self._prepare("predict", x)
        steps = -(-len(x) // batch_size)
        callback_list = CallbackList(([ProgbarLogger(verbose)] if verbose == 1 else [])
                                     + list(callbacks or []), model=self,
                                     params={"steps": steps, "verbose": verbose})
        callback_list.on_predict_begin()
        outputs = []
        for step, index in enumerate(data_module.batch_indices(len(x), batch_size, False)):
            callback_list.on_predict_batch_begin(step)
            outputs.append(backend.to_numpy(self.predict_step(x[index])))
            callback_list.on_predict_batch_end(step)
        callback_list.on_predict_end()
        return numpy.concatenate(outputs, axis=0) if outputs else numpy.zeros((0,))

    def predict_on_batch(self, x: Any) -> numpy.ndarray:
        """The model's outputs for one batch ``x``."""
        x, _, _ = self._prepare("predict_on_batch", x)
        return backend.to_numpy(self.predict_step(x))


def _check_verbose(verbose: Any, method: str) -> int:
    if verbose not in VERBOSE_VALUES:
        raise data_module.DataError(f"{method}() expects verbose in {VERBOSE_VALUES}. "
                                    f"Received: verbose={verbose!r}")
    return 1 if verbose == "auto" else int(verbose)


def _unpack_validation(validation_data: Any) -> tuple:
    if isinstance(validation_data, tuple | list) and len(validation_data) in (2, 3):
        return tuple(validation_data) + (None,) * (3 - len(validation_data))
    raise data_module.DataError("fit() expects validation_data=(x_val, y_val) or "
                                "(x_val, y_val, sample_weight_val). "
                                f"Received: {type(validation_data).__name__}")
