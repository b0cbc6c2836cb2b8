"""Plots of training and of models, drawn with matplotlib (an optional extra).

matplotlib is imported inside each function, so ``import axon`` (and ``import axon.plots``) never
loads it; without it, each function raises an ImportError that says ``pip install matplotlib``.
Functions that draw one panel take ``ax=`` and return the Axes; those that draw one panel per
metric or per layer return the Figure. Nothing is shown: call ``plt.show()`` in a script (a
notebook shows the figure by itself) or ``fig.savefig(path)``.

Example:
    >>> import numpy as np, axon
    >>> from axon import plots
    >>> model = axon.Sequential([axon.Input(shape=(2,)), axon.layers.Dense(8, activation="relu"),
    ...                          axon.layers.Dense(2, activation="softmax")])
    >>> model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    >>> x = np.random.default_rng(0).normal(size=(64, 2)).astype("float32")
    >>> y = (x[:, 0] > 0).astype("int64")
    >>> history = model.fit(x, y, epochs=3, validation_split=0.25, verbose=0)
    >>> fig = plots.plot_history(history)          # loss and accuracy, train and validation
    >>> [ax.get_title() for ax in fig.axes]
    ['loss', 'accuracy']
    >>> ax = plots.plot_decision_boundary(model, x, y, resolution=50)
    >>> ax.images[0].get_array().shape
    (50, 50)
    >>> import matplotlib.pyplot as plt; plt.close("all")
"""
from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

import numpy

from axon import backend
from axon.engine import Tensor, no_grad
from axon.engine.nest import flatten
from axon.models import Model, Sequential

NORMALIZE = (None, "true", "pred", "all")


def _pyplot(function: str) -> Any:
    """``matplotlib.pyplot``, or an ImportError naming ``function`` and the install command."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as error:   # an optional extra
        raise ImportError(f"{function} needs matplotlib: pip install matplotlib "
                          "(or pip install 'axon[plots]')") from error
    return plt


def _panels(plt: Any, count: int, panel_size: tuple[float, float] = (4.5, 3.4)) -> tuple[Any, list]:
    """A figure with ``count`` axes in rows of at most 3 (unused cells removed)."""
    columns = min(count, 3)
    rows = math.ceil(count / columns)
    fig, axes = plt.subplots(rows, columns, squeeze=False, layout="constrained",
                             figsize=(panel_size[0] * columns, panel_size[1] * rows))
    axes = list(axes.flat)
    for extra in axes[count:]:
        extra.remove()
    return fig, axes[:count]


# ---- training curves ----------------------------------------------------------------------------
def plot_history(history: Any, metrics: list[str] | str | None = None, ax: Any = None) -> Any:
    """Draw the loss and each metric per epoch, one panel each, training against validation.

    Args:
        history: the ``History`` returned by ``fit`` (or its ``.history`` dict).
        metrics: names to draw, without the ``val_`` prefix (default: every logged name that is
            not a validation one, in logged order, so ``loss`` first).
        ax: a matplotlib Axes, or a sequence of one Axes per metric, to draw into (default: a
            new figure).

    Returns:
        The matplotlib Figure. Each panel has a ``train`` line and, when ``val_<name>`` was
        logged, a ``validation`` line.
    """
    plt = _pyplot("plot_history")
    logs = history.history if hasattr(history, "history") else history
    if not isinstance(logs, dict) or not any(len(values) for values in logs.values()):
        raise ValueError("plot_history expects a History from fit (or its .history dict) with at "
                         f"least one epoch. Received: {history!r}")
    available = [name for name in logs if not name.startswith("val_")]
    names = available if metrics is None else [metrics] if isinstance(metrics, str) else list(metrics)
    unknown = [name for name in names if name not in logs]
    if unknown or not names:
        raise ValueError(f"plot_history expects metrics among {available}. Received: metrics={metrics!r}")
    if ax is None:
        fig, axes = _panels(plt, len(names))
    else:
        axes = list(numpy.ravel(ax)) if isinstance(ax, list | tuple | numpy.ndarray) else [ax]
        if len(axes) != len(names):
            raise ValueError(f"plot_history expects one Axes per metric ({len(names)}: {names}). "
                             f"Received: {len(axes)} Axes")
        fig = axes[0].figure
    epochs = getattr(history, "epoch", None)
    for name, panel in zip(names, axes):
        values = logs[name]
        # Epochs counted from 1, as fit prints them ("Epoch 1/10").
        x = ([e + 1 for e in epochs] if epochs is not None and len(epochs) == len(values)
             else list(range(1, len(values) + 1)))
        panel.plot(x, values, marker=".", label="train")
        if f"val_{name}" in logs:
            panel.plot(x, logs[f"val_{name}"], marker=".", label="validation")
        panel.set_title(name)
        panel.set_xlabel("epoch")
        panel.xaxis.get_major_locator().set_params(integer=True)
        panel.grid(alpha=0.3)
        panel.legend()
    return fig


# ---- confusion matrix ---------------------------------------------------------------------------
def _class_indices(y: Any, argument: str, function: str = "confusion_matrix") -> Any:
    """Class indices from labels ``(n,)``, one-hot or probabilities ``(n, k)``, or one sigmoid
    probability per sample ``(n, 1)`` (class 1 above 0.5)."""
    y = numpy.asarray(y.numpy() if isinstance(y, Tensor) else y)
    if y.ndim == 2 and y.shape[1] > 1:
        return y.argmax(axis=1)
    if y.ndim == 2 and y.shape[1] == 1:
        if numpy.issubdtype(y.dtype, numpy.floating) and not numpy.all(y == numpy.round(y)):
            return (y[:, 0] > 0.5).astype("int64")
        y = y[:, 0]
    if y.ndim != 1 or not numpy.issubdtype(y.dtype, numpy.number) or not numpy.all(y == numpy.round(y)) \
            or (y.size and y.min() < 0):
        raise ValueError(f"{function} expects {argument} as class indices (n,), one-hot or "
                         f"probabilities (n, classes). Received: shape={y.shape}, dtype={y.dtype}")
    return y.astype("int64")


def confusion_matrix(y_true: Any, y_pred: Any, num_classes: int | None = None) -> Any:
    """The ``(k, k)`` counts: row ``i``, column ``j`` counts samples of class ``i`` predicted ``j``.

    ``y_true`` and ``y_pred`` are class indices, one-hot rows or probabilities (argmax taken).

    Example:
        >>> confusion_matrix([0, 1, 1, 2], [0, 1, 2, 2]).tolist()
        [[1, 0, 0], [0, 1, 1], [0, 0, 1]]
    """
    true = _class_indices(y_true, "y_true")
    pred = _class_indices(y_pred, "y_pred")
    if true.shape != pred.shape:
        raise ValueError(f"confusion_matrix expects as many predictions as labels. Received: "
                         f"{len(true)} labels and {len(pred)} predictions")
    k = max(int(true.max(initial=-1)), int(pred.max(initial=-1))) + 1
    if num_classes is not None:
        if k > num_classes:
            raise ValueError(f"confusion_matrix found class index {k - 1}, outside the "
                             f"{num_classes} classes given. Received: num_classes={num_classes}")
        k = num_classes
    return numpy.bincount(true * k + pred, minlength=k * k).reshape(k, k)


def plot_confusion_matrix(y_true: Any, y_pred: Any = None, model: Any = None, x: Any = None,
                          classes: list | None = None, normalize: str | None = None,
                          ax: Any = None, cmap: str = "Blues") -> Any:
    """Draw the confusion matrix with its value written in every cell.

    Args:
        y_true: the labels: class indices, or one-hot rows.
        y_pred: the predictions: class indices, or probabilities (argmax taken). Or leave it out
            and give ``model`` and ``x``: then ``y_pred = model.predict(x)``.
        classes: names of the classes, in index order (default: ``0 .. k-1``).
        normalize: ``None`` (counts), ``'true'`` (each row sums to 1: recall on the diagonal),
            ``'pred'`` (each column sums to 1: precision) or ``'all'``.
        ax: the matplotlib Axes to draw into (default: a new figure).

    Returns:
        The matplotlib Axes: rows are true classes, columns predicted ones.
    """
    plt = _pyplot("plot_confusion_matrix")
    if normalize not in NORMALIZE:
        raise ValueError(f"plot_confusion_matrix expects normalize in {NORMALIZE}. Received: "
                         f"normalize={normalize!r}")
    if (y_pred is None) == (model is None) or (model is None) != (x is None):
        raise ValueError("plot_confusion_matrix expects either y_pred, or model and x. Received: "
                         f"y_pred={_given(y_pred)}, model={_given(model)}, x={_given(x)}")
    if model is not None:
        y_pred = model.predict(x, verbose=0)
    counts = confusion_matrix(y_true, y_pred, None if classes is None else len(classes))
    k = len(counts)
    if not counts.sum():
        raise ValueError("plot_confusion_matrix expects at least one sample. Received: y_true of length 0")
    values = counts.astype("float64")
    if normalize is not None:
        axis = {"true": 1, "pred": 0, "all": None}[normalize]
        totals = values.sum(axis=axis, keepdims=axis is not None)
        values = numpy.divide(values, totals, out=numpy.zeros_like(values), where=totals > 0)
    if ax is None:
        _, ax = plt.subplots(figsize=(1.0 + 0.55 * max(k, 4), 0.6 + 0.55 * max(k, 4)),
                             layout="constrained")
    image = ax.imshow(values, cmap=cmap, vmin=0, interpolation="nearest")
    ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    threshold = (values.max() + values.min()) / 2   # white text on dark cells
    for i in range(k):
        for j in range(k):
            text = f"{counts[i, j]}" if normalize is None else f"{values[i, j]:.2f}"
            ax.text(j, i, text, ha="center", va="center", fontsize=8 if k > 10 else 10,
                    color="white" if values[i, j] > threshold else "black")
    names = [str(name) for name in (classes if classes is not None else range(k))]
    ax.set_xticks(range(k), names, rotation=45 if max(map(len, names)) > 3 else 0)
    ax.set_yticks(range(k), names)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title("confusion matrix" + (f" (normalized over {normalize})" if normalize else ""))
    return ax


def _given(value: Any) -> str:
    return "None" if value is None else "given"


# ---- decision boundary --------------------------------------------------------------------------
def plot_decision_boundary(model: Any, x: Any, y: Any = None, resolution: int = 200,
                           probability: bool = False, ax: Any = None, cmap: str = "tab10") -> Any:
    """Draw what a classifier of 2-D inputs predicts over a grid covering ``x``, with ``x`` on top.

    Args:
        model: a classifier of inputs of shape ``(2,)``: a softmax over ``k`` classes, or one
            sigmoid unit (class 1 above 0.5).
        x: the data, shape ``(n, 2)``; the grid spans it with a 10% margin.
        y: the data's labels (class indices or one-hot), colouring the points as the regions.
        resolution: grid points along each axis.
        probability: draw the probability rather than the class alone: for one sigmoid unit or
            two softmax units, the probability of class 1 (a 0..1 colour scale, with the 0.5
            contour); for more classes, each class's colour faded where the model is unsure.
        ax: the matplotlib Axes to draw into (default: a new figure).
        cmap: the colours of the classes.

    Returns:
        The matplotlib Axes; ``ax.images[0]`` is the ``(resolution, resolution)`` grid image.
    """
    plt = _pyplot("plot_decision_boundary")
    x = numpy.asarray(x)
    if x.ndim != 2 or x.shape[1] != 2:
        raise ValueError(f"plot_decision_boundary expects 2-D inputs x of shape (samples, 2). "
                         f"Received: shape={x.shape}")
    if isinstance(resolution, bool) or not isinstance(resolution, int) or resolution < 2:
        raise ValueError(f"plot_decision_boundary expects resolution to be an integer >= 2. "
                         f"Received: resolution={resolution!r}")
    labels = None if y is None else _class_indices(y, "y", "plot_decision_boundary")
    if labels is not None and len(labels) != len(x):
        raise ValueError(f"plot_decision_boundary expects one label per sample. Received: "
                         f"{len(x)} samples and {len(labels)} labels")
    axes_0, axes_1, extent = _grid(x, resolution)
    grid = numpy.stack([axes_0.ravel(), axes_1.ravel()], axis=1).astype(
        x.dtype if numpy.issubdtype(x.dtype, numpy.floating) else backend.floatx())
    outputs = numpy.asarray(model.predict(grid, batch_size=4096, verbose=0), dtype="float64")
    outputs = outputs.reshape(len(grid), -1)
    if ax is None:
        _, ax = plt.subplots(figsize=(5.5, 4.5), layout="constrained")
    k = max(outputs.shape[1], 2)
    shape = (resolution, resolution)
    options = {"origin": "lower", "extent": extent, "aspect": "auto", "interpolation": "nearest"}
    if probability and k == 2:
        positive = (outputs[:, 0] if outputs.shape[1] == 1 else outputs[:, 1]).reshape(shape)
        colours, norm = plt.get_cmap("RdBu_r"), plt.Normalize(0, 1)
        image = ax.imshow(positive, cmap=colours, norm=norm, alpha=0.6, **options)
        ax.figure.colorbar(image, ax=ax, label="P(class 1)")
        ax.contour(axes_0, axes_1, positive, levels=[0.5], colors="k", linewidths=1)
    else:
        colours = plt.get_cmap(cmap)
        # A qualitative map (tab10) gives class i its i-th colour; otherwise k spread colours.
        norm = plt.Normalize(-0.5, (colours.N if k <= colours.N <= 20 else k) - 0.5)
        classes = ((outputs[:, 0] > 0.5).astype("int64") if outputs.shape[1] == 1
                   else outputs.argmax(axis=1))
        if probability:
            rgba = colours(norm(classes))
            # 0 at chance, up to 0.6 when certain: the colour fades where the model is unsure
            # and never hides the points drawn on top.
            rgba[:, 3] = 0.6 * (outputs.max(axis=1) - 1 / k) / (1 - 1 / k)
            ax.imshow(rgba.reshape(shape + (4,)), **options)
        else:
            ax.imshow(classes.reshape(shape), cmap=colours, norm=norm, alpha=0.45, **options)
    points = {"c": "k"} if labels is None else {"c": labels, "cmap": colours, "norm": norm}
    ax.scatter(x[:, 0], x[:, 1], s=16, edgecolors="k", linewidths=0.5, **points)
    ax.set_xlim(extent[:2])
    ax.set_ylim(extent[2:])
    ax.set_title("decision boundary" + (" (probability)" if probability else ""))
    return ax


def _grid(x: Any, resolution: int) -> tuple[Any, Any, tuple]:
    """The grid's two coordinate arrays ``(resolution, resolution)`` spanning ``x`` with a 10%
    margin (0.5 along an axis where ``x`` does not vary), and its extent for ``imshow``."""
    low, high = x.min(axis=0).astype("float64"), x.max(axis=0).astype("float64")
    margin = numpy.where(high > low, 0.1 * (high - low), 0.5)
    low, high = low - margin, high + margin
    axes_0, axes_1 = numpy.meshgrid(numpy.linspace(low[0], high[0], resolution),
                                    numpy.linspace(low[1], high[1], resolution))
    return axes_0, axes_1, (low[0], high[0], low[1], high[1])


# ---- weights and activations --------------------------------------------------------------------
def plot_weight_histograms(model: Any, bins: int = 50) -> Any:
    """Draw a histogram of each weight of each layer: one row per layer that has weights, one
    panel per weight (kernel, bias, ...), each on its own scale.

    Returns:
        The matplotlib Figure; each Axes is titled ``'<layer name>/<weight name>'``.
    """
    plt = _pyplot("plot_weight_histograms")
    layers = [layer for layer in model.layers if layer.weights]
    if not layers:
        raise ValueError(f"plot_weight_histograms expects a model with weights. Model "
                         f"'{model.name}' has none yet: build it (fit, or call it on data) first.")
    columns = max(len(layer.weights) for layer in layers)
    fig, axes = plt.subplots(len(layers), columns, squeeze=False, layout="constrained",
                             figsize=(3.6 * columns, 2.8 * len(layers)))
    for layer, row in zip(layers, axes):
        for column, panel in enumerate(row):
            if column >= len(layer.weights):
                panel.remove()
                continue
            weight = layer.weights[column]
            panel.hist(weight.numpy().ravel(), bins=bins, alpha=0.8)
            _label_histogram(panel, f"{layer.name}/{weight.name}", "weight value")
    return fig


def plot_activation_histograms(model: Any, x: Any, bins: int = 50, batch_size: int = 256) -> Any:
    """Draw a histogram of each layer's output on ``x``, one panel per layer.

    A Sequential model runs ``x`` through its layers in order; a functional model runs a model
    with the same inputs whose outputs are every layer's output (its first call, for a layer
    called more than once). Subclassed models have no recorded structure: not supported.

    Returns:
        The matplotlib Figure, with one Axes per layer titled with the layer's name.
    """
    plt = _pyplot("plot_activation_histograms")
    activations = layer_outputs(model, x, batch_size)
    fig, axes = _panels(plt, len(activations))
    for (name, outputs), panel in zip(activations, axes):
        for index, output in enumerate(outputs):
            panel.hist(numpy.asarray(output, dtype="float64").ravel(), bins=bins, alpha=0.6,
                       label=f"output {index}" if len(outputs) > 1 else None)
        _label_histogram(panel, name, "activation")
    return fig


def _label_histogram(panel: Any, title: str, xlabel: str) -> None:
    panel.set_title(title)
    panel.set_xlabel(xlabel)
    panel.set_ylabel("count")
    if panel.get_legend_handles_labels()[1]:
        panel.legend()


def layer_outputs(model: Any, x: Any, batch_size: int = 256) -> list[tuple[str, list]]:
    """``[(layer name, [output arrays]), ...]``: every layer's output(s) on ``x``, in layer order.

    Example:
        >>> import numpy as np, axon
        >>> model = axon.Sequential([axon.Input(shape=(3,)), axon.layers.Dense(4, name="hidden"),
        ...                          axon.layers.Dense(2, name="out")])
        >>> [(name, [o.shape for o in outs]) for name, outs in layer_outputs(model, np.ones((5, 3)))]
        [('hidden', [(5, 4)]), ('out', [(5, 2)])]
    """
    if isinstance(model, Sequential):
        return _sequential_outputs(model, x, batch_size)
    if not isinstance(model, Model) or model.inputs is None:
        raise TypeError(f"layer_outputs expects a Sequential or functional axon model (a subclassed "
                        f"model records no structure). Received: {type(model).__name__}")
    layers = [layer for layer in model.layers
              if not any(layer is tensor.layer for tensor in model.inputs)]
    symbolic = [flatten(model._graph.node_of(layer).outputs) for layer in layers]
    # NOTE: one model from the same inputs to every layer's output, so predict's batching and
    # input checks apply; it shares the layers (and their weights) and adds no node to them.
    probe = Model(model.inputs, [t for outputs in symbolic for t in outputs],
                  name=f"{model.name}_layer_outputs")
    arrays = flatten(probe.predict(x, batch_size=batch_size, verbose=0))
    result, start = [], 0
    for layer, outputs in zip(layers, symbolic):
        result.append((layer.name, arrays[start:start + len(outputs)]))
        start += len(outputs)
    return result


def _sequential_outputs(model: Any, x: Any, batch_size: int) -> list[tuple[str, list]]:
    layers = model.layers
    if not layers:
        raise ValueError(f"layer_outputs expects a model with layers. Model '{model.name}' has none.")
    x = numpy.asarray(x)
    parts: list[list] = [[] for _ in layers]
    with no_grad():
        for start in range(0, len(x), batch_size):
            value, mask = x[start:start + batch_size], None
            for index, layer in enumerate(layers):
                output = layer(value, training=False, mask=mask)
                mask = layer.compute_mask(value, mask)   # as Sequential.call threads masks
                value = output
                parts[index].append(backend.to_numpy(value.data))
    return [(layer.name, [numpy.concatenate(chunks, axis=0)]) for layer, chunks in zip(layers, parts)]


# ---- files --------------------------------------------------------------------------------------
def save_training_plots(directory: str | os.PathLike, history: Any, model: Any, x: Any,
                        y: Any, classes: list | None = None) -> list[Path]:
    """Write ``history.png``, ``confusion_matrix.png`` (of ``model`` on ``x``, ``y``) and
    ``weight_histograms.png`` into ``directory`` (created if needed); the figures are closed.

    Returns:
        The three paths.
    """
    plt = _pyplot("save_training_plots")
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    figures = {
        "history.png": plot_history(history),
        "confusion_matrix.png": plot_confusion_matrix(y, model=model, x=x, classes=classes).figure,
        "weight_histograms.png": plot_weight_histograms(model),
    }
    paths = []
    for name, fig in figures.items():
        fig.savefig(directory / name, dpi=100)
        plt.close(fig)
        paths.append(directory / name)
    return paths
