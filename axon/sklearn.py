"""scikit-learn estimators backed by axon models: ``NeuralNetClassifier`` and ``NeuralNetRegressor``.

They are configured like scikit-learn's ``MLPClassifier`` / ``MLPRegressor`` (same parameter
names and defaults) and follow the estimator contract, so they work in ``Pipeline``,
``GridSearchCV``, ``cross_val_score`` and pass ``check_estimator`` (see docs/sklearn.md for the
checks that are skipped and why). scikit-learn is an optional dependency: ``import axon`` never
imports it; this module does, and is only imported when asked for (``import axon.sklearn``).

The network, for ``hidden_layer_sizes=(h_1, ..., h_k)``, is ``Dense(h_1, activation) -> ... ->
Dense(h_k, activation) -> Dense(n_outputs)`` with a softmax output for the classifier (also for
two classes: two softmax outputs, equivalent to one logistic unit) and a linear output for the
regressor. ``model=`` replaces it by any axon model (see ``NeuralNetClassifier``).

Example:
    >>> import numpy as np
    >>> from axon.sklearn import NeuralNetClassifier
    >>> X = np.array([[0.0], [0.1], [0.9], [1.0]])
    >>> clf = NeuralNetClassifier(hidden_layer_sizes=(8,), learning_rate_init=0.05, max_iter=100,
    ...                           random_state=0).fit(X, ["a", "a", "b", "b"])
    >>> clf.predict([[0.05], [0.95]]).tolist()
    ['a', 'b']
"""
from __future__ import annotations

import os
import tempfile
import warnings
from collections.abc import Callable
from typing import Any

try:
    from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.metrics import accuracy_score, r2_score
    from sklearn.model_selection import train_test_split
    from sklearn.utils import check_random_state
    from sklearn.utils.multiclass import check_classification_targets
    from sklearn.utils.validation import check_is_fitted, validate_data
except ImportError as error:  # pragma: no cover - exercised only without scikit-learn
    raise ImportError("axon.sklearn needs scikit-learn (>= 1.6), which is not installed. Install it "
                      "with `pip install scikit-learn` (or `pip install axon[sklearn]`).") from error
import numpy

from axon import backend, optimizers, regularizers
from axon.callbacks import Callback
from axon.layers import Dense, Input
from axon.models import Sequential
from axon.models.model_file import model_bytes, read_model_file
from axon.utils import set_random_seed

_ACTIVATIONS = {"relu": "relu", "tanh": "tanh", "logistic": "sigmoid", "identity": "linear"}


class _StoppingRule(Callback):
    """Hands every epoch's logs to the estimator, which applies scikit-learn's stopping rule."""

    def __init__(self, estimator: _NeuralNetBase, validation: tuple | None) -> None:
        super().__init__()
        self.estimator = estimator
        self.validation = validation

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if self.estimator._end_of_epoch(float((logs or {})["loss"]), self.validation):
            self.model.stop_training = True


class _NeuralNetBase(BaseEstimator):
    """What the classifier and the regressor share: parameters, training loop, pickling."""

    _loss = "mse"
    _output_activation = "linear"

    def __init__(self, hidden_layer_sizes: Any = (100,), activation: str = "relu",
                 solver: Any = "adam", alpha: float = 0.0001, batch_size: Any = "auto",
                 learning_rate_init: float = 0.001, max_iter: int = 200, shuffle: bool = True,
                 random_state: Any = None, tol: float = 1e-4, verbose: bool = False,
                 early_stopping: bool = False, validation_fraction: float = 0.1,
                 n_iter_no_change: int = 10, momentum: float = 0.9, nesterovs_momentum: bool = True,
                 model: Callable | None = None) -> None:
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.model = model

    # ---- parameters -----------------------------------------------------------------------------
    def _check_params(self) -> None:
        name = type(self).__name__
        sizes = self.hidden_layer_sizes
        sizes = [sizes] if isinstance(sizes, int | numpy.integer) else list(sizes)
        if any(isinstance(s, bool) or not isinstance(s, int | numpy.integer) or s < 1 for s in sizes):
            raise ValueError(f"{name} expects hidden_layer_sizes to be positive integers. "
                             f"Received: hidden_layer_sizes={self.hidden_layer_sizes!r}")
        if self.activation not in _ACTIVATIONS:
            raise ValueError(f"{name} expects activation to be one of {sorted(_ACTIVATIONS)}. "
                             f"Received: activation={self.activation!r}")
        for param, low in (("alpha", 0.0), ("learning_rate_init", 0.0), ("tol", 0.0)):
            value = getattr(self, param)
            if isinstance(value, bool) or not isinstance(value, int | float) or not value >= low \
                    or (param == "learning_rate_init" and value == 0):
                raise ValueError(f"{name} expects {param} to be a number "
                                 f"{'> 0' if param == 'learning_rate_init' else '>= 0'}. "
                                 f"Received: {param}={value!r}")
        for param in ("max_iter", "n_iter_no_change"):
            value = getattr(self, param)
            if isinstance(value, bool) or not isinstance(value, int | numpy.integer) or value < 1:
                raise ValueError(f"{name} expects {param} to be an integer >= 1. "
                                 f"Received: {param}={value!r}")
        if self.batch_size != "auto" and (isinstance(self.batch_size, bool) or not isinstance(
                self.batch_size, int | numpy.integer) or self.batch_size < 1):
            raise ValueError(f"{name} expects batch_size to be 'auto' or an integer >= 1. "
                             f"Received: batch_size={self.batch_size!r}")
        if not 0.0 < self.validation_fraction < 1.0:
            raise ValueError(f"{name} expects validation_fraction to be in (0, 1). "
                             f"Received: validation_fraction={self.validation_fraction!r}")
        if self.model is not None and not callable(self.model):
            raise ValueError(f"{name} expects model to be None or a function (n_features, n_outputs) "
                             f"-> axon model. Received: model={self.model!r}")

    def _batch_size(self, n_samples: int) -> int:
        if self.batch_size == "auto":
            return min(200, n_samples)
        if self.batch_size > n_samples:
            warnings.warn("Got `batch_size` less than 1 or larger than sample size. It is going to "
                          "be clipped", stacklevel=3)
        return int(min(self.batch_size, n_samples))

    # ---- the axon model -------------------------------------------------------------------------
    def _build_model(self, n_features: int, n_outputs: int, batch_size: int) -> Any:
        """The compiled axon model: from ``model=`` (compiled here when it is not) or the MLP.

        scikit-learn's objective per batch B is ``mean loss over B + alpha / (2 |B|) * sum ||W||^2``
        over the kernels (not the biases); it is reproduced with ``kernel_regularizer=L2(alpha /
        (2 * batch_size))`` (axon's L2 is ``l2 * sum(w**2)``), ``batch_size`` the configured one.
        """
        if self.model is not None:
            self._dtype = backend.floatx()
            model = self.model(n_features, n_outputs)
            if not getattr(model, "compiled", False):
                model.compile(optimizer=self._optimizer(), loss=self._loss)
            return model
        sizes = self.hidden_layer_sizes
        sizes = [sizes] if isinstance(sizes, int | numpy.integer) else list(sizes)
        penalty = regularizers.L2(self.alpha / (2.0 * batch_size))
        layers = [Input(shape=(n_features,), dtype=self._dtype)]
        layers += [Dense(int(units), activation=_ACTIVATIONS[self.activation],
                         kernel_regularizer=penalty, dtype=self._dtype) for units in sizes]
        layers.append(Dense(n_outputs, activation=self._output_activation, kernel_regularizer=penalty,
                            dtype=self._dtype))
        model = Sequential(layers)
        model.compile(optimizer=self._optimizer(), loss=self._loss)
        return model

    def _optimizer(self) -> Any:
        optimizer_class = type(optimizers.get(self.solver))
        if optimizer_class is optimizers.SGD:  # scikit-learn's sgd: momentum 0.9, Nesterov
            return optimizers.SGD(learning_rate=self.learning_rate_init, momentum=self.momentum,
                                  nesterov=self.nesterovs_momentum)
        return optimizer_class(learning_rate=self.learning_rate_init)

    # ---- training -------------------------------------------------------------------------------
    def _fit(self, X: Any, y: Any, incremental: bool) -> _NeuralNetBase:
        self._check_params()
        first_call = not (incremental and hasattr(self, "model_"))
        X, y = self._validate(X, y, reset=first_call)
        if first_call:
            self._random_seed = None
            if self.random_state is not None:  # NOTE: seeds axon's, NumPy's and Python's generators
                self._random_seed = int(check_random_state(self.random_state).randint(2**31 - 1))
                set_random_seed(self._random_seed)
            self._fit_batch_size = self._batch_size(X.shape[0])
            # NOTE: as scikit-learn, the network computes in the dtype of X (float64 or float32):
            # in float32, predictions of a subset of rows differ from those of all rows in the
            # last bit (the matrix products block differently), which scikit-learn's checks reject.
            self._dtype = str(X.dtype)
            self.model_ = self._build_model(X.shape[1], self._n_outputs(), self._fit_batch_size)
            self.n_iter_, self.loss_curve_, self._no_improvement_count = 0, [], 0
            self.best_loss_ = numpy.inf
        early_stopping = self.early_stopping and not incremental
        validation = None
        if early_stopping:
            X, X_val, y, y_val = train_test_split(
                X, y, random_state=self._random_seed, test_size=self.validation_fraction,
                stratify=y if self._can_stratify(y) else None)
            validation = (X_val, y_val)
            self.validation_scores_, self.best_validation_score_ = [], -numpy.inf
            self.best_loss_, self._best_weights = None, self.model_.get_weights()
        else:
            self.validation_scores_ = self.best_validation_score_ = None
            if self.best_loss_ is None:  # partial_fit after a fit with early stopping
                self.best_loss_ = numpy.inf
        epochs = 1 if incremental else self.max_iter
        self.model_.fit(X.astype(self._dtype), self._targets(y),
                        batch_size=min(self._fit_batch_size, X.shape[0]), epochs=epochs,
                        shuffle=bool(self.shuffle), verbose=2 if self.verbose else 0,
                        callbacks=[_StoppingRule(self, validation)])
        if early_stopping:
            self.model_.set_weights(self._best_weights)
            del self._best_weights
        if not incremental and self.n_iter_ == self.max_iter \
                and self._no_improvement_count <= self.n_iter_no_change:
            warnings.warn(f"Stochastic Optimizer: Maximum iterations ({self.max_iter}) reached and the "
                          "optimization hasn't converged yet.", ConvergenceWarning, stacklevel=3)
        return self

    def _end_of_epoch(self, loss: float, validation: tuple | None) -> bool:
        """Record the epoch and apply scikit-learn's rule; True to stop.

        Without early stopping an epoch counts as "no improvement" when its training loss is
        above ``best_loss_ - tol``; with it, when its validation score (accuracy or R^2) is below
        ``best_validation_score_ + tol``, and the weights of the best score are kept. Training
        stops after ``n_iter_no_change + 1`` such epochs in a row.
        """
        self.n_iter_ += 1
        self.loss_ = loss
        self.loss_curve_.append(loss)
        if validation is not None:
            score = self._score_arrays(*validation)
            self.validation_scores_.append(score)
            improving = score >= self.best_validation_score_ + self.tol
            if score > self.best_validation_score_:
                self.best_validation_score_ = score
                self._best_weights = self.model_.get_weights()
        else:
            improving = loss <= self.best_loss_ - self.tol
            self.best_loss_ = min(self.best_loss_, loss)
        self._no_improvement_count = 0 if improving else self._no_improvement_count + 1
        if self._no_improvement_count > self.n_iter_no_change:
            if self.verbose:
                what = "Validation score" if validation is not None else "Training loss"
                print(f"{what} did not improve more than tol={self.tol} for "
                      f"{self.n_iter_no_change} consecutive epochs. Stopping.")
            return True
        return False

    def _outputs(self, X: Any) -> numpy.ndarray:
        check_is_fitted(self, "model_")
        X = validate_data(self, X, reset=False, dtype=(numpy.float64, numpy.float32))
        return numpy.asarray(self.model_.predict(X.astype(self._dtype), verbose=0),
                             dtype=numpy.float64)

    # ---- pickling: the axon model travels as the bytes of its .axon file --------------------------
    def __getstate__(self) -> dict:
        state = dict(super().__getstate__())  # BaseEstimator's: __dict__ and _sklearn_version
        if "model_" in state:
            state["model_"] = model_bytes(state["model_"])
        return state

    def __setstate__(self, state: dict) -> None:
        state = dict(state)
        if isinstance(state.get("model_"), bytes):
            with tempfile.TemporaryDirectory() as folder:
                path = os.path.join(folder, "model.axon")
                with open(path, "wb") as handle:
                    handle.write(state["model_"])
                state["model_"], _ = read_model_file(path)
        super().__setstate__(state)


class NeuralNetClassifier(ClassifierMixin, _NeuralNetBase):
    """A multi-layer perceptron classifier trained with axon, configured like ``MLPClassifier``.

    The network ends in ``Dense(n_classes, 'softmax')`` and minimises the sparse categorical
    cross-entropy ``-mean_i log p(y_i | x_i)`` plus the L2 penalty (see Args). Labels may be
    any sortable values (strings too); they are mapped to ``0 .. n_classes-1`` through
    ``classes_`` (sorted, as ``numpy.unique``).

    Args:
        hidden_layer_sizes: units of each hidden layer, e.g. ``(100,)`` or ``(64, 32)``.
        activation: of the hidden layers: ``'relu'``, ``'tanh'``, ``'logistic'`` (sigmoid) or
            ``'identity'``.
        solver: an axon optimizer name (``'adam'``, ``'sgd'``, ``'rmsprop'`` ...) or class;
            it is created with ``learning_rate=learning_rate_init`` (and, for ``'sgd'``,
            ``momentum`` and ``nesterov=nesterovs_momentum``, as scikit-learn's defaults).
        alpha: L2 penalty as scikit-learn defines it: each batch of the configured size ``b``
            adds ``alpha / (2 b) * sum ||W||^2`` over the kernels (biases not penalised); done
            with ``kernel_regularizer=L2(alpha / (2 b))``.
        batch_size: samples per gradient step; ``'auto'`` is ``min(200, n_samples)``.
        learning_rate_init: the optimizer's (constant) learning rate.
        max_iter: epochs (passes over the data) at most.
        shuffle: reshuffle the samples every epoch.
        random_state: seed (int or RandomState) of the weights, the shuffling and the validation
            split; when set, ``fit`` calls ``axon.utils.set_random_seed`` (which also seeds NumPy's
            and Python's global generators). None: not seeded.
        tol, n_iter_no_change: stop when for ``n_iter_no_change + 1`` epochs in a row the training
            loss did not go below ``best_loss_ - tol`` (or, with ``early_stopping``, the validation
            accuracy did not exceed ``best_validation_score_ + tol``).
        verbose: print one line per epoch.
        early_stopping: hold out ``validation_fraction`` of the data (stratified when every class
            has two samples or more and both parts can hold every class) and stop on its accuracy,
            keeping the weights of the best epoch. ``partial_fit`` never stops early.
        validation_fraction: the held-out fraction for ``early_stopping``.
        momentum, nesterovs_momentum: of the ``'sgd'`` solver.
        model: None, or a function ``(n_features, n_outputs) -> axon model`` (compiled or not;
            ``n_outputs`` is ``n_classes``; the model must output class probabilities). Then
            ``hidden_layer_sizes``, ``activation`` and ``alpha`` are ignored, and so are ``solver``
            and ``learning_rate_init`` if the model comes compiled.

    Attributes: ``classes_``, ``n_features_in_`` (and ``feature_names_in_``), ``n_iter_``,
    ``loss_``, ``loss_curve_``, ``best_loss_``, ``validation_scores_``,
    ``best_validation_score_`` and ``model_`` (the axon model).
    """

    _loss = "sparse_categorical_crossentropy"
    _output_activation = "softmax"

    def fit(self, X: Any, y: Any) -> NeuralNetClassifier:
        """Train a new network on ``X`` (n_samples, n_features) and labels ``y`` (n_samples,)."""
        self.__dict__.pop("classes_", None)
        return self._fit(X, y, incremental=False)

    def partial_fit(self, X: Any, y: Any, classes: Any = None) -> NeuralNetClassifier:
        """One epoch over ``(X, y)``; the first call needs ``classes`` (every label there will be)."""
        if not hasattr(self, "model_"):
            if classes is None:
                raise ValueError("classes must be passed on the first call to partial_fit.")
            self.classes_ = numpy.unique(numpy.asarray(classes))
        elif classes is not None and not numpy.array_equal(numpy.unique(classes), self.classes_):
            raise ValueError(f"`classes={numpy.unique(classes)!r}` is not the same as on last call "
                             f"to partial_fit, was: {self.classes_!r}")
        return self._fit(X, y, incremental=True)

    def _validate(self, X: Any, y: Any, reset: bool) -> tuple:
        X, y = validate_data(self, X, y, reset=reset, dtype=(numpy.float64, numpy.float32))
        check_classification_targets(y)
        if not hasattr(self, "classes_"):
            self.classes_ = numpy.unique(y)
        unknown = numpy.setdiff1d(y, self.classes_)
        if unknown.size:
            raise ValueError(f"y contains labels not in classes_ {self.classes_.tolist()}. "
                             f"Received: {unknown.tolist()}")
        return X, y

    def _n_outputs(self) -> int:
        return len(self.classes_)

    def _can_stratify(self, y: numpy.ndarray) -> bool:
        """Whether the early-stopping split can be stratified: each class twice or more and both
        parts at least as large as the number of classes (else the split is a plain random one)."""
        _, counts = numpy.unique(y, return_counts=True)
        n_validation = int(numpy.ceil(self.validation_fraction * len(y)))
        return counts.min() >= 2 and min(n_validation, len(y) - n_validation) >= len(counts)

    def _targets(self, y: numpy.ndarray) -> numpy.ndarray:
        return numpy.searchsorted(self.classes_, y).astype(numpy.int64)

    def _score_arrays(self, X: numpy.ndarray, y: numpy.ndarray) -> float:
        return accuracy_score(y, self.predict(X))

    def predict_proba(self, X: Any) -> numpy.ndarray:
        """Class probabilities, shape (n_samples, n_classes), columns in the order of ``classes_``."""
        probabilities = self._outputs(X)
        return probabilities / probabilities.sum(axis=1, keepdims=True)

    def predict_log_proba(self, X: Any) -> numpy.ndarray:
        """``log(predict_proba(X))``."""
        with numpy.errstate(divide="ignore"):
            return numpy.log(self.predict_proba(X))

    def predict(self, X: Any) -> numpy.ndarray:
        """The most probable class of each sample, shape (n_samples,)."""
        outputs = self._outputs(X)  # first, as it checks that the estimator is fitted
        return self.classes_[numpy.argmax(outputs, axis=1)]


class NeuralNetRegressor(RegressorMixin, _NeuralNetBase):
    """A multi-layer perceptron regressor trained with axon, configured like ``MLPRegressor``.

    The network ends in a linear ``Dense(n_outputs)`` and minimises the mean squared error
    ``mean_i mean_j (y_ij - f_j(x_i))^2`` plus the L2 penalty. NOTE: scikit-learn minimises half
    of it (so ``loss_`` here is about twice scikit-learn's, and plain SGD steps are twice as big for
    the same ``learning_rate_init``; Adam, the default, is unaffected by the factor). ``y`` of
    shape (n_samples,) gives predictions of shape (n_samples,); (n_samples, n_outputs) gives
    (n_samples, n_outputs).

    Args: those of :class:`NeuralNetClassifier` (``early_stopping`` scores on R^2 and the split
    is not stratified; ``model``'s ``n_outputs`` is the number of targets).

    Attributes: ``n_features_in_``, ``n_outputs_``, ``n_iter_``, ``loss_``, ``loss_curve_``,
    ``best_loss_``, ``validation_scores_``, ``best_validation_score_`` and ``model_``.
    """

    def fit(self, X: Any, y: Any) -> NeuralNetRegressor:
        """Train a new network on ``X`` (n_samples, n_features) and ``y`` (n_samples[, n_outputs])."""
        return self._fit(X, y, incremental=False)

    def partial_fit(self, X: Any, y: Any) -> NeuralNetRegressor:
        """One epoch over ``(X, y)``, continuing the training (the first call starts it)."""
        return self._fit(X, y, incremental=True)

    def _validate(self, X: Any, y: Any, reset: bool) -> tuple:
        X, y = validate_data(self, X, y, reset=reset, multi_output=True, y_numeric=True,
                             dtype=(numpy.float64, numpy.float32))
        n_outputs = 1 if y.ndim == 1 else y.shape[1]
        if reset:
            self.n_outputs_, self._y_ndim = n_outputs, y.ndim
        elif n_outputs != self.n_outputs_:
            raise ValueError(f"y has {n_outputs} outputs, but {type(self).__name__} was fitted with "
                             f"{self.n_outputs_}. Received: y of shape {y.shape}")
        return X, y

    def _n_outputs(self) -> int:
        return self.n_outputs_

    def _can_stratify(self, y: numpy.ndarray) -> bool:
        return False

    def _targets(self, y: numpy.ndarray) -> numpy.ndarray:
        return y.reshape(len(y), -1).astype(self._dtype)

    def _score_arrays(self, X: numpy.ndarray, y: numpy.ndarray) -> float:
        return r2_score(y, self.predict(X))

    def predict(self, X: Any) -> numpy.ndarray:
        """Predicted targets: shape (n_samples,) if fitted on 1-d ``y``, else (n_samples, n_outputs)."""
        outputs = self._outputs(X)
        return outputs.ravel() if self._y_ndim == 1 else outputs

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags


__all__ = ["NeuralNetClassifier", "NeuralNetRegressor"]
