"""axon.sklearn: scikit-learn's estimator checks, model selection, pipelines, pickling, accuracy."""
from __future__ import annotations

import pickle
import subprocess
import sys
import warnings

import numpy
import pytest

pytest.importorskip("sklearn")

from sklearn.datasets import load_iris, make_classification  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.model_selection import GridSearchCV, cross_val_score  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

import axon  # noqa: E402
from axon.sklearn import NeuralNetClassifier, NeuralNetRegressor  # noqa: E402

# Small networks and few epochs keep the ~50 checks per estimator fast; a few checks ask for a
# decent fit (accuracy > 0.83 on easy blobs, R^2 > 0.5), which these settings reach.
CHECKED = [NeuralNetClassifier(hidden_layer_sizes=(16,), learning_rate_init=0.01, max_iter=30,
                               random_state=0),
           NeuralNetRegressor(hidden_layer_sizes=(16,), learning_rate_init=0.01, max_iter=30,
                              random_state=0)]


# The checks expected to fail, with the reason (also listed in docs/sklearn.md).
EXPECTED_FAILED_CHECKS: dict[str, dict[str, str]] = {"NeuralNetClassifier": {}, "NeuralNetRegressor": {}}


@parametrize_with_checks(CHECKED, expected_failed_checks=lambda e: EXPECTED_FAILED_CHECKS[type(e).__name__])
def test_sklearn_estimator_checks(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        check(estimator)


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return X, y


def test_import_axon_does_not_import_sklearn():
    code = "import sys, axon; axon.layers; axon.models; print('sklearn' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_classifier_iris_accuracy_and_attributes(iris):
    X, y = iris
    names = numpy.array(["setosa", "versicolor", "virginica"])[y]
    clf = make_pipeline(StandardScaler(), NeuralNetClassifier(
        hidden_layer_sizes=(16,), learning_rate_init=0.01, max_iter=200, random_state=0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, names)
    net = clf[-1]
    assert clf.score(X, names) > 0.9
    assert net.classes_.tolist() == ["setosa", "versicolor", "virginica"]
    assert net.n_features_in_ == 4 and net.n_iter_ == len(net.loss_curve_) <= 200
    assert net.loss_ == net.loss_curve_[-1] and net.loss_curve_[-1] < net.loss_curve_[0]
    assert isinstance(net.model_, axon.models.Model)
    proba = clf.predict_proba(X)
    assert proba.shape == (150, 3)
    numpy.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)


def test_cross_val_score_in_pipeline(iris):
    X, y = iris
    pipe = make_pipeline(StandardScaler(), NeuralNetClassifier(
        hidden_layer_sizes=(16,), learning_rate_init=0.01, max_iter=100, random_state=0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        scores = cross_val_score(pipe, X, y, cv=3)
    assert scores.shape == (3,) and scores.mean() > 0.85


def test_grid_search_picks_a_best_estimator():
    X, y = make_classification(n_samples=120, n_features=6, n_informative=4, random_state=0)
    search = GridSearchCV(NeuralNetClassifier(max_iter=40, random_state=0),
                          {"hidden_layer_sizes": [(4,), (16,)], "learning_rate_init": [1e-4, 1e-2]},
                          cv=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search.fit(X, y)
    assert set(search.best_params_) == {"hidden_layer_sizes", "learning_rate_init"}
    assert search.best_params_["learning_rate_init"] == 1e-2  # 40 epochs at 1e-4 barely move
    assert isinstance(search.best_estimator_, NeuralNetClassifier)
    assert search.best_estimator_.score(X, y) > 0.8


def test_regressor_r2_on_a_smooth_function():
    rng = numpy.random.default_rng(0)
    X = rng.uniform(-2, 2, size=(300, 2))
    y = numpy.sin(X[:, 0]) + 0.5 * X[:, 1] ** 2
    reg = NeuralNetRegressor(hidden_layer_sizes=(32, 32), activation="tanh", learning_rate_init=0.01,
                             max_iter=300, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reg.fit(X, y)
    assert reg.score(X, y) > 0.9
    assert reg.predict(X).shape == (300,)


def test_regressor_multi_output():
    rng = numpy.random.default_rng(1)
    X = rng.normal(size=(200, 3))
    Y = numpy.stack([X[:, 0] + X[:, 1], X[:, 2] - X[:, 0]], axis=1)
    reg = NeuralNetRegressor(hidden_layer_sizes=(16,), learning_rate_init=0.02, max_iter=200,
                             random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reg.fit(X, Y)
    assert reg.n_outputs_ == 2 and reg.predict(X).shape == (200, 2) and reg.score(X, Y) > 0.9


def test_pickle_carries_the_model_as_an_axon_file(iris):
    X, y = iris
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = NeuralNetClassifier(hidden_layer_sizes=(8,), max_iter=5, random_state=0).fit(X, y)
    state = clf.__getstate__()
    assert isinstance(state["model_"], bytes) and state["model_"][:2] == b"PK"  # a zip archive
    clone = pickle.loads(pickle.dumps(clf))
    numpy.testing.assert_array_equal(clone.predict_proba(X), clf.predict_proba(X))
    # the optimizer state travels too: one more epoch (same shuffling) gives the same network
    axon.utils.set_random_seed(1)
    clone.partial_fit(X, y)
    axon.utils.set_random_seed(1)
    clf.partial_fit(X, y)
    assert clone.n_iter_ == clf.n_iter_ == 6
    assert clone.model_.optimizer.iterations == clf.model_.optimizer.iterations > 0
    numpy.testing.assert_array_equal(clone.predict_proba(X), clf.predict_proba(X))


def test_partial_fit_needs_classes_first_and_keeps_them(iris):
    X, y = iris
    clf = NeuralNetClassifier(hidden_layer_sizes=(8,), random_state=0)
    with pytest.raises(ValueError, match="classes must be passed"):
        clf.partial_fit(X, y)
    clf.partial_fit(X[:50], y[:50], classes=[0, 1, 2])  # only class 0 in this first batch
    assert clf.classes_.tolist() == [0, 1, 2] and clf.n_iter_ == 1
    clf.partial_fit(X[50:], y[50:])
    assert clf.n_iter_ == 2 and clf.predict_proba(X).shape == (150, 3)
    with pytest.raises(ValueError, match="not the same"):
        clf.partial_fit(X, y, classes=[0, 1])


def test_stopping_rule_on_training_loss():
    X, y = make_classification(n_samples=100, n_features=4, random_state=0)
    clf = NeuralNetClassifier(hidden_layer_sizes=(8,), learning_rate_init=0.05, max_iter=500,
                              tol=10.0, n_iter_no_change=3, random_state=0).fit(X, y)
    # with tol=10 no epoch after the first "improves": 1 + (n_iter_no_change + 1) epochs
    assert clf.n_iter_ == 5 and clf.best_loss_ == min(clf.loss_curve_)


def test_early_stopping_keeps_the_best_validation_weights():
    X, y = make_classification(n_samples=200, n_features=5, random_state=0)
    clf = NeuralNetClassifier(hidden_layer_sizes=(8,), learning_rate_init=0.01, max_iter=300,
                              early_stopping=True, n_iter_no_change=5, random_state=0).fit(X, y)
    assert len(clf.validation_scores_) == clf.n_iter_ < 300
    assert clf.best_validation_score_ == max(clf.validation_scores_)
    assert clf.best_loss_ is None


def test_alpha_is_an_l2_penalty_on_the_kernels_scaled_by_the_batch():
    X, y = make_classification(n_samples=50, n_features=4, random_state=0)
    clf = NeuralNetClassifier(hidden_layer_sizes=(3,), alpha=0.5, max_iter=1, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    layer = clf.model_.layers[0]
    kernel = numpy.asarray(layer.get_weights()[0], dtype=numpy.float64)
    penalty = float(layer.kernel_regularizer(axon.Tensor(kernel)).item())
    numpy.testing.assert_allclose(penalty, 0.5 / (2 * 50) * (kernel ** 2).sum(), rtol=1e-6)


def test_model_function_replaces_the_architecture(iris):
    X, y = iris
    built = []

    def build(n_features, n_outputs):
        built.append((n_features, n_outputs))
        return axon.Sequential([axon.layers.Input(shape=(n_features,)),
                                axon.layers.Dense(n_outputs, activation="softmax")])

    clf = NeuralNetClassifier(model=build, solver="rmsprop", learning_rate_init=0.05, max_iter=50,
                              random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(StandardScaler().fit_transform(X), y)
    assert built == [(4, 3)] and len(clf.model_.layers) == 1
    assert type(clf.model_.optimizer).__name__ == "RMSprop"


@pytest.mark.parametrize("param, value", [("hidden_layer_sizes", (0,)), ("activation", "softplus"),
                                          ("batch_size", 0), ("max_iter", 0), ("alpha", -1.0),
                                          ("validation_fraction", 1.0), ("model", 3)])
def test_bad_parameters_name_the_argument(param, value):
    with pytest.raises(ValueError, match=f"{param}="):
        NeuralNetRegressor(**{param: value}).fit([[0.0], [1.0]], [0.0, 1.0])


@pytest.mark.parametrize("dtype", [numpy.float32, numpy.float64])
def test_the_network_computes_in_the_dtype_of_x(dtype):
    X = numpy.linspace(0, 1, 40, dtype=dtype).reshape(20, 2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reg = NeuralNetRegressor(hidden_layer_sizes=(4,), max_iter=2, random_state=0).fit(X, X.sum(1))
    assert all(w.dtype == dtype for w in reg.model_.get_weights())
    assert reg.predict(X.astype(numpy.float64)).dtype == numpy.float64
