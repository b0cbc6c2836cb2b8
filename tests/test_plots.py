"""axon.plots: each plot's artists, saved PNGs, the CLI's --plot, and matplotlib staying optional."""
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import axon
from axon import cli, plots

ROOT = Path(__file__).resolve().parents[1]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def plt():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as pyplot

    yield pyplot
    pyplot.close("all")


def assert_png(path):
    data = Path(path).read_bytes()
    assert data.startswith(PNG_SIGNATURE) and len(data) > 1000


@pytest.fixture(scope="module")
def blobs():
    """Three separable clusters in 2-D and an MLP trained on them for 3 epochs."""
    axon.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    centres = np.array([[-2.0, 0.0], [2.0, 0.0], [0.0, 2.5]])
    y = np.repeat(np.arange(3), 40)
    x = (centres[y] + rng.normal(scale=0.6, size=(120, 2))).astype("float32")
    model = axon.Sequential([axon.Input(shape=(2,)), axon.layers.Dense(8, activation="tanh", name="hidden"),
                             axon.layers.Dense(3, activation="softmax", name="probabilities")])
    model.compile(optimizer=axon.optimizers.Adam(learning_rate=0.05),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=3, batch_size=16, validation_split=0.25, verbose=0)
    return model, x, y, history


# ---- matplotlib stays optional --------------------------------------------------------------------
def test_import_axon_never_imports_matplotlib():
    code = ("import sys, axon, axon.plots, axon.callbacks, axon.cli\n"
            "axon.callbacks.History()\n"
            "assert 'matplotlib' not in sys.modules, sorted(m for m in sys.modules if 'matplotlib' in m)\n")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, capture_output=True)


@pytest.mark.parametrize("call", [
    lambda: plots.plot_history({"loss": [1.0]}),
    lambda: plots.plot_confusion_matrix([0, 1], [0, 1]),
    lambda: plots.plot_weight_histograms(None),
    lambda: axon.callbacks.History().plot(),
])
def test_without_matplotlib_the_error_says_how_to_install(monkeypatch, call):
    monkeypatch.setitem(sys.modules, "matplotlib", None)   # makes `import matplotlib` fail
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match="pip install matplotlib"):
        call()


def test_cli_plot_without_matplotlib_fails_before_training(monkeypatch, tmp_path, capsys):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    assert cli.main(["train", "--epochs", "1", "--verbose", "0", "--plot", str(tmp_path)]) == 2
    captured = capsys.readouterr()
    assert "axon train --plot needs matplotlib: pip install matplotlib" in captured.err
    assert "Test accuracy" not in captured.out


# ---- history --------------------------------------------------------------------------------------
def test_history_plot_has_train_and_validation_lines_per_metric(plt, blobs, tmp_path):
    _, _, _, history = blobs
    fig = history.plot()
    assert [ax.get_title() for ax in fig.axes] == ["loss", "accuracy"]
    for ax, name in zip(fig.axes, ["loss", "accuracy"]):
        train, validation = ax.get_lines()
        assert list(train.get_xdata()) == [1, 2, 3]
        np.testing.assert_allclose(train.get_ydata(), history.history[name])
        np.testing.assert_allclose(validation.get_ydata(), history.history[f"val_{name}"])
        assert [t.get_text() for t in ax.get_legend().get_texts()] == ["train", "validation"]
    fig.savefig(tmp_path / "history.png")
    assert_png(tmp_path / "history.png")


def test_plot_history_options(plt, blobs):
    _, _, _, history = blobs
    fig = plots.plot_history(history, metrics="accuracy")
    assert len(fig.axes) == 1 and fig.axes[0].get_title() == "accuracy"
    fig, axes = plt.subplots(2, 1, squeeze=False)
    assert plots.plot_history(history.history, ax=axes) is fig   # a plain dict, given Axes
    assert [len(ax.get_lines()) for ax in fig.axes] == [2, 2]
    fig = plots.plot_history({"loss": [3.0, 2.0, 1.0, 0.5], "mae": [1, 1, 1, 1]})
    assert [len(ax.get_lines()) for ax in fig.axes] == [1, 1]   # no validation logged
    with pytest.raises(ValueError, match=r"metrics among \['loss', 'accuracy'\]"):
        plots.plot_history(history, metrics=["acc"])
    with pytest.raises(ValueError, match="one Axes per metric"):
        plots.plot_history(history, ax=axes[0])
    with pytest.raises(ValueError, match="at least one epoch"):
        axon.callbacks.History().plot()


# ---- confusion matrix -----------------------------------------------------------------------------
def cell_texts(ax, k):
    texts = [t.get_text() for t in ax.texts]
    return np.array(texts).reshape(k, k)


def test_confusion_matrix_cells_show_the_counts(plt, tmp_path):
    y_true = [0, 0, 1, 1, 1, 2, 2, 2, 2]
    y_pred = [0, 1, 1, 1, 2, 2, 2, 2, 0]
    ax = plots.plot_confusion_matrix(y_true, y_pred, classes=["cat", "dog", "eel"])
    expected = [[1, 1, 0], [0, 2, 1], [1, 0, 3]]
    assert (cell_texts(ax, 3) == np.array(expected).astype(str)).all()
    np.testing.assert_array_equal(ax.images[0].get_array(), expected)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["cat", "dog", "eel"]
    assert ax.get_xlabel() == "predicted" and ax.get_ylabel() == "true"
    ax.figure.savefig(tmp_path / "cm.png")
    assert_png(tmp_path / "cm.png")
    ax = plots.plot_confusion_matrix(y_true, y_pred, normalize="true")
    assert cell_texts(ax, 3)[1].tolist() == ["0.00", "0.67", "0.33"]
    ax = plots.plot_confusion_matrix(np.eye(3)[y_true], np.eye(3)[y_pred] * 0.9, normalize="pred")
    assert cell_texts(ax, 3)[:, 2].tolist() == ["0.00", "0.25", "0.75"]   # one-hot / probabilities


def test_confusion_matrix_from_a_model(plt, blobs):
    model, x, y, _ = blobs
    ax = plots.plot_confusion_matrix(y, model=model, x=x)
    counts = plots.confusion_matrix(y, model.predict(x, verbose=0))
    assert counts.sum() == len(y)
    assert (cell_texts(ax, 3) == counts.astype(str)).all()


def test_confusion_matrix_of_a_sigmoid_output():
    counts = plots.confusion_matrix([0, 1, 1, 0], np.array([[0.2], [0.7], [0.4], [0.9]]))
    assert counts.tolist() == [[1, 1], [1, 1]]


@pytest.mark.parametrize("kwargs, message", [
    ({"y_pred": [0, 1], "normalize": "rows"}, "normalize in"),
    ({}, "either y_pred, or model and x"),
    ({"y_pred": [0, 1], "x": np.zeros((2, 2))}, "either y_pred, or model and x"),
    ({"y_pred": [0, 1, 1]}, "as many predictions as labels"),
    ({"y_pred": [0.5, 1.0]}, r"class indices \(n,\)"),
    ({"y_pred": [0, 3], "classes": ["a", "b"]}, "outside the 2 classes"),
])
def test_confusion_matrix_bad_arguments(plt, kwargs, message):
    with pytest.raises(ValueError, match=message):
        plots.plot_confusion_matrix([0, 1], **kwargs)
    with pytest.raises(ValueError, match="at least one sample"):
        plots.plot_confusion_matrix([], [])


# ---- decision boundary ----------------------------------------------------------------------------
def threshold_model(units):
    """Predicts class 1 exactly where x0 > 0 (softmax over 2 units, or one sigmoid unit)."""
    model = axon.Sequential([axon.Input(shape=(2,)), axon.layers.Dense(
        units, activation="softmax" if units > 1 else "sigmoid")])
    kernel = np.array([[-5.0, 5.0], [0.0, 0.0]]) if units > 1 else np.array([[5.0], [0.0]])
    model.set_weights([kernel.astype("float32"), np.zeros(units, "float32")])
    return model


def test_decision_boundary_image_is_the_predicted_class_over_the_grid(plt, tmp_path):
    x = np.array([[-1.0, -1.0], [1.0, 1.0], [-0.5, 0.5], [0.5, -0.5]], dtype="float32")
    y = np.array([0, 1, 0, 1])
    ax = plots.plot_decision_boundary(threshold_model(2), x, y, resolution=41)
    image = ax.images[0].get_array()
    assert image.shape == (41, 41)
    columns = np.linspace(-1.2, 1.2, 41)
    np.testing.assert_array_equal(image[0], (columns > 0).astype(int))   # class = x0 > 0
    assert (image == image[0]).all()                                      # whatever x1 is
    np.testing.assert_allclose(ax.collections[0].get_offsets(), x)       # the points on top
    assert ax.get_xlim() == pytest.approx((-1.2, 1.2))
    ax.figure.savefig(tmp_path / "boundary.png")
    assert_png(tmp_path / "boundary.png")


def test_decision_boundary_probability(plt, blobs):
    x = np.array([[-1.0, -1.0], [1.0, 1.0]], dtype="float32")
    ax = plots.plot_decision_boundary(threshold_model(1), x, [0, 1], resolution=30, probability=True)
    probability = ax.images[0].get_array()
    assert probability.shape == (30, 30)
    assert probability.min() >= 0 and probability.max() <= 1 and probability[0, -1] > 0.99
    assert len(ax.figure.axes) == 2   # and its colour bar
    model, x, y, _ = blobs                                                # three classes
    ax = plots.plot_decision_boundary(model, x, y, resolution=25, probability=True)
    assert ax.images[0].get_array().shape == (25, 25, 4)                  # colour by class, alpha
    with pytest.raises(ValueError, match=r"shape \(samples, 2\)"):
        plots.plot_decision_boundary(model, np.zeros((4, 3)))
    with pytest.raises(ValueError, match="resolution to be an integer >= 2"):
        plots.plot_decision_boundary(model, x, resolution=1)


# ---- weights and activations ----------------------------------------------------------------------
def histogram_total(container):
    return sum(patch.get_height() for patch in container.patches)


def test_weight_histograms_one_row_per_layer(plt, blobs, tmp_path):
    model, _, _, _ = blobs
    fig = plots.plot_weight_histograms(model, bins=10)
    titles = ["hidden/kernel", "hidden/bias", "probabilities/kernel", "probabilities/bias"]
    assert [ax.get_title() for ax in fig.axes] == titles
    weights = [w for layer in model.layers for w in layer.weights]
    for ax, weight in zip(fig.axes, weights):
        (container,) = ax.containers
        assert len(container.patches) == 10 and histogram_total(container) == weight.numpy().size
    fig.savefig(tmp_path / "weights.png")
    assert_png(tmp_path / "weights.png")
    with pytest.raises(ValueError, match="has none yet"):
        plots.plot_weight_histograms(axon.Sequential([axon.layers.Dense(2)]))


def test_weight_histograms_rows_of_different_lengths(plt):
    model = axon.Sequential([axon.Input(shape=(4,)), axon.layers.Dense(3, use_bias=False),
                             axon.layers.BatchNormalization(), axon.layers.Dense(2)])
    fig = plots.plot_weight_histograms(model)
    assert len(fig.axes) == 1 + 4 + 2   # unused cells of the 3 x 4 grid removed


def test_activation_histograms_of_a_sequential_model(plt, blobs, tmp_path):
    model, x, _, _ = blobs
    outputs = plots.layer_outputs(model, x, batch_size=50)   # three batches, the last one short
    assert [name for name, _ in outputs] == ["hidden", "probabilities"]
    np.testing.assert_allclose(outputs[-1][1][0], model.predict(x, verbose=0), rtol=1e-6)
    assert outputs[0][1][0].shape == (120, 8) and np.abs(outputs[0][1][0]).max() <= 1   # tanh
    fig = plots.plot_activation_histograms(model, x)
    assert [ax.get_title() for ax in fig.axes] == ["hidden", "probabilities"]
    assert [histogram_total(ax.containers[0]) for ax in fig.axes] == [120 * 8, 120 * 3]
    fig.savefig(tmp_path / "activations.png")
    assert_png(tmp_path / "activations.png")


def test_activation_histograms_of_a_functional_model(plt):
    inputs = axon.Input(shape=(3,), name="features")
    hidden = axon.layers.Dense(4, activation="relu", name="relu")(inputs)
    skip = axon.layers.Concatenate(name="concat")([hidden, inputs])
    outputs = axon.layers.Dense(2, name="head")(skip)
    model = axon.Model(inputs, outputs)
    x = np.random.default_rng(1).normal(size=(10, 3)).astype("float32")
    names = [name for name, _ in plots.layer_outputs(model, x)]
    assert names == ["relu", "concat", "head"]
    activations = dict(plots.layer_outputs(model, x))
    assert activations["concat"][0].shape == (10, 7) and activations["relu"][0].min() >= 0
    np.testing.assert_allclose(activations["head"][0], model.predict(x, verbose=0), rtol=1e-6)
    assert len(model.layers[1].inbound_nodes) == 1   # probing added no node to the layers
    fig = plots.plot_activation_histograms(model, x)
    assert [ax.get_title() for ax in fig.axes] == names


def test_activation_histograms_refuse_subclassed_models():
    class Net(axon.Model):
        def call(self, x, training=False):
            return x

    with pytest.raises(TypeError, match="Sequential or functional"):
        plots.layer_outputs(Net(), np.zeros((2, 2)))


# ---- the command line -----------------------------------------------------------------------------
def test_cli_plot_writes_three_pngs_headless(plt, tmp_path):
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "MPLBACKEND")}
    env.update(CI="true", PYTHONPATH=str(ROOT))
    result = subprocess.run(
        [sys.executable, "-m", "axon", "train", "--epochs", "2", "--verbose", "0",
         "--validation-split", "0.1", "--output", str(tmp_path / "w.safetensors"),
         "--plot", str(tmp_path / "plots")],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Plots saved to" in result.stdout
    for name in ("history.png", "confusion_matrix.png", "weight_histograms.png"):
        assert_png(tmp_path / "plots" / name)


def test_cli_plot_chooses_the_agg_backend(plt, monkeypatch):
    import matplotlib

    chosen = []
    monkeypatch.setattr(matplotlib, "use", lambda backend, **kwargs: chosen.append(backend))
    cli._use_file_plots()   # even where a display would let pyplot pick a window backend
    assert chosen == ["Agg"]
