"""Bad input, as a new user gives it, is rejected at the API boundary with a clear message.

One table: each ``Case`` does one wrong thing through a public entry point (a model's
``fit``/``evaluate``/``predict``/``train_on_batch``, a layer call, a constructor, ``compile``) and
says which error must come and what its message must say: the argument or layer, what was
expected and what was received. ``docs/bad-input.md`` is generated from this table by
``tools/bad_input_table.py``; the last test fails when the document no longer matches.

Every layer and model below is named explicitly, so messages do not depend on test order.
"""
from __future__ import annotations

import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import axon
from axon import layers, optimizers
from axon.training.data import DataError

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "bad-input.md"


@dataclass(frozen=True)
class Case:
    """One wrong use: ``call()`` must raise ``error_type`` with a message matching
    ``message_regex`` (``re.search``)."""

    id: str
    description: str
    call: Callable[[], Any]
    error_type: type[BaseException]
    message_regex: str


# ---- models a new user would write ------------------------------------------------------------
X = np.zeros((8, 4), dtype="float32")          # 8 samples of 4 features
LABELS = np.array([0, 1, 2, 0, 1, 2, 0, 1])    # 3 classes
TARGETS = np.zeros((8, 1), dtype="float32")    # regression targets


def classifier(compiled: bool = True, loss: str = "sparse_categorical_crossentropy") -> axon.Sequential:
    """4 features -> 3 class probabilities."""
    model = axon.Sequential([axon.Input((4,), name="features"),
                             layers.Dense(8, activation="relu", name="hidden"),
                             layers.Dense(3, activation="softmax", name="probabilities")],
                            name="classifier")
    if compiled:
        model.compile(optimizer="adam", loss=loss, metrics=["accuracy"])
    return model


def regressor() -> axon.Sequential:
    """4 features -> 1 number."""
    model = axon.Sequential([axon.Input((4,), name="features"), layers.Dense(1, name="value")],
                            name="regressor")
    model.compile(optimizer="sgd", loss="mse")
    return model


def functional() -> axon.Model:
    """The classifier written with the functional API."""
    inputs = axon.Input((4,), name="features")
    hidden = layers.Dense(8, activation="relu", name="hidden")(inputs)
    outputs = layers.Dense(3, activation="softmax", name="probabilities")(hidden)
    model = axon.Model(inputs, outputs, name="functional")
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return model


def two_inputs() -> axon.Model:
    """Inputs ``numbers`` (4 features) and ``extras`` (2 features) -> 1 number."""
    numbers, extras = axon.Input((4,), name="numbers"), axon.Input((2,), name="extras")
    merged = layers.Concatenate(name="merged")([numbers, extras])
    model = axon.Model([numbers, extras], layers.Dense(1, name="value")(merged), name="two_inputs")
    model.compile(optimizer="sgd", loss="mse")
    return model


def with_value(array: np.ndarray, index: tuple, value: Any) -> np.ndarray:
    changed = array.astype("float32")
    changed[index] = value
    return changed


CASES = [
    # ---- x of the wrong rank, shape or dtype ---------------------------------------------------
    Case("fit-x-rank", "Sequential.fit with 3-D x for a model of 4 features",
         lambda: classifier().fit(np.zeros((8, 4, 1)), LABELS, verbose=0),
         DataError, r"samples of shape \(4,\).*model 'classifier'.*x.shape=\(8, 4, 1\)"),
    Case("fit-x-features", "Sequential.fit with 5 features for a model of 4",
         lambda: classifier().fit(np.zeros((8, 5)), LABELS, verbose=0),
         DataError, r"samples of shape \(4,\).*x.shape=\(8, 5\)"),
    Case("evaluate-x-features", "Sequential.evaluate with 5 features for a model of 4",
         lambda: classifier().evaluate(np.zeros((8, 5)), LABELS, verbose=0),
         DataError, r"evaluate\(\) expects x with samples of shape \(4,\).*x.shape=\(8, 5\)"),
    Case("predict-one-sample-no-batch-axis", "Sequential.predict on one sample without its batch axis",
         lambda: classifier().predict(np.zeros(4), verbose=0),
         DataError, r"predict\(\) expects x with samples of shape \(4,\).*x.shape=\(4,\)"
         r".*one sample without its batch axis"),
    Case("train-on-batch-x-features", "Sequential.train_on_batch with 2 features for a model of 4",
         lambda: classifier().train_on_batch(np.zeros((8, 2)), LABELS),
         DataError, r"train_on_batch\(\) expects x with samples of shape \(4,\).*x.shape=\(8, 2\)"),
    Case("functional-fit-x-features", "functional Model.fit with 5 features for an Input of 4",
         lambda: functional().fit(np.zeros((8, 5)), LABELS, verbose=0),
         DataError, r"fit\(\) expects x with samples of shape \(4,\).*model 'functional'.*x.shape=\(8, 5\)"),
    Case("functional-predict-x-rank", "functional Model.predict with images for an Input of 4 features",
         lambda: functional().predict(np.zeros((2, 2, 2)), verbose=0),
         DataError, r"predict\(\) expects x with samples of shape \(4,\).*x.shape=\(2, 2, 2\)"),
    Case("functional-evaluate-x-features", "functional Model.evaluate with 3 features",
         lambda: functional().evaluate(np.zeros((8, 3)), LABELS, verbose=0),
         DataError, r"evaluate\(\) expects x with samples of shape \(4,\).*x.shape=\(8, 3\)"),
    Case("dense-call-1d", "calling a Dense layer on a 1-D array (no batch axis)",
         lambda: layers.Dense(3, name="dense_probe")(np.zeros(4)),
         ValueError, r"Layer 'dense_probe' \(Dense\) expects one input of rank >= 2.*input of shape \(4,\)"),
    Case("dense-call-built-features", "calling a built Dense layer on a different number of features",
         lambda: (lambda dense: (dense(np.zeros((1, 4))), dense(np.zeros((1, 5)))))(
             layers.Dense(3, name="dense_probe")),
         ValueError, r"layer 'dense_probe'.*expected shape=\(None, 4\), found shape=\(None, 5\)"),
    Case("conv2d-call-3d", "calling Conv2D on a 3-D array (an image without its batch axis)",
         lambda: layers.Conv2D(2, 3, name="conv_probe")(np.zeros((8, 8, 1))),
         ValueError, r"Layer 'conv_probe'.*rank 4.*\(batch, height, width, channels\)"
         r".*input of shape \(8, 8, 1\)"),
    Case("lstm-call-2d", "calling LSTM on a 2-D array (no time axis)",
         lambda: layers.LSTM(4, name="lstm_probe")(np.zeros((2, 5))),
         ValueError, r"Layer 'lstm_probe'.*\(batch, timesteps, features\).*input of shape \(2, 5\)"),
    Case("dense-call-strings", "calling a Dense layer on strings",
         lambda: layers.Dense(3, name="dense_probe")(np.array([["a", "b"]])),
         TypeError, r"Layer 'dense_probe' expects numeric input.*dtype=<U1"),
    Case("fit-x-strings", "Sequential.fit on an array of strings",
         lambda: classifier().fit(np.array([["a", "b", "c", "d"]] * 8), LABELS, verbose=0),
         DataError, r"fit\(\) expects x to be a numeric array.*dtype=<U1"),
    Case("fit-x-objects", "Sequential.fit on an object array holding None",
         lambda: classifier().fit(np.array([[1.0, None, 2.0, 3.0]] * 8, dtype=object), LABELS, verbose=0),
         DataError, r"fit\(\) expects x to be a numeric array.*dtype=object"),
    Case("fit-x-ragged", "Sequential.fit on a ragged list of lists",
         lambda: classifier().fit([[1, 2, 3, 4], [1, 2]], [0, 1], verbose=0),
         DataError, r"fit\(\) expects x to be a numeric array"
         r".*Received: a list of 2 entries of lengths \[4, 2\]"),
    Case("fit-x-complex", "Sequential.fit on complex numbers",
         lambda: classifier().fit(X + 1j, LABELS, verbose=0),
         DataError, r"fit\(\) expects x to be a numeric array \(int or float\). Received: dtype=complex"),
    Case("fit-y-strings", "Sequential.fit with class names as labels",
         lambda: classifier().fit(X, np.array(["cat", "dog"] * 4), verbose=0),
         DataError, r"fit\(\) expects y to be a numeric array.*dtype=<U3"),
    Case("fit-x-none", "Sequential.fit with x=None",
         lambda: classifier().fit(None, LABELS, verbose=0),
         DataError, r"fit\(\) expects x to be an array. Received: None"),
    # ---- no samples --------------------------------------------------------------------------
    Case("fit-empty", "Sequential.fit on 0 samples",
         lambda: classifier().fit(np.zeros((0, 4)), np.zeros(0), verbose=0),
         DataError, r"fit\(\) expects at least one sample in x.*x.shape=\(0, 4\)"),
    Case("evaluate-empty", "Sequential.evaluate on 0 samples",
         lambda: classifier().evaluate(np.zeros((0, 4)), np.zeros(0), verbose=0),
         DataError, r"evaluate\(\) expects at least one sample in x.*x.shape=\(0, 4\)"),
    Case("predict-empty", "Sequential.predict on 0 samples",
         lambda: classifier().predict(np.zeros((0, 4)), verbose=0),
         DataError, r"predict\(\) expects at least one sample in x.*x.shape=\(0, 4\)"),
    # ---- values that cannot be trained on -----------------------------------------------------
    Case("fit-x-nan", "Sequential.fit with a NaN in x",
         lambda: classifier().fit(with_value(X, (3, 2), np.nan), LABELS, verbose=0),
         DataError, r"NaN or infinite.*in x, first at index \(3, 2\) \(value nan\)"),
    Case("fit-x-inf", "Sequential.fit with an infinity in x",
         lambda: classifier().fit(with_value(X, (0, 1), np.inf), LABELS, verbose=0),
         DataError, r"NaN or infinite.*in x, first at index \(0, 1\) \(value inf\)"),
    Case("fit-y-nan", "Sequential.fit of a regressor with a NaN target",
         lambda: regressor().fit(X, with_value(TARGETS, (5, 0), np.nan), verbose=0),
         DataError, r"NaN or infinite.*in y, first at index \(5, 0\)"),
    Case("predict-x-inf", "Sequential.predict with -inf in x",
         lambda: regressor().predict(with_value(X, (1, 3), -np.inf), verbose=0),
         DataError, r"predict\(\) found 1 NaN or infinite.*in x, first at index \(1, 3\) \(value -inf\)"),
    # ---- labels and targets -------------------------------------------------------------------
    Case("sparse-label-too-large", "label 3 for a model with 3 classes (0, 1, 2)",
         lambda: classifier().fit(X, with_value(LABELS, 7, 3).astype(int), verbose=0),
         DataError, r"labels in y to lie in \[0, 3\).*3 output units.*from 0 to 3"),
    Case("sparse-label-negative", "a negative class label",
         lambda: classifier().fit(X, with_value(LABELS, 0, -1).astype(int), verbose=0),
         DataError, r"labels in y to lie in \[0, 3\).*from -1 to 2"),
    Case("sparse-label-fractional", "a fractional label for a sparse categorical loss",
         lambda: classifier().fit(X, with_value(LABELS, 2, 0.5), verbose=0),
         DataError, r"integer class labels in y.*first y\[2\]=0.5"),
    Case("sparse-label-one-hot", "one-hot targets with a sparse categorical loss",
         lambda: classifier().fit(X, np.eye(3)[LABELS], verbose=0),
         DataError, r"one integer label per sample.*y.shape=\(8, 3\).*categorical_crossentropy"),
    Case("one-hot-width", "one-hot targets of 4 classes for a model with 3 outputs",
         lambda: classifier(loss="categorical_crossentropy").fit(X, np.eye(4)[LABELS], verbose=0),
         DataError, r"y of shape \(8, 3\) to match the model's output \(None, 3\). Received:"
         r" y.shape=\(8, 4\)"),
    Case("labels-for-one-hot-loss", "integer labels with categorical_crossentropy",
         lambda: classifier(loss="categorical_crossentropy").fit(X, LABELS, verbose=0),
         DataError, r"y.shape=\(8,\).*sparse_categorical_crossentropy.*to_categorical"),
    Case("fit-y-none", "Sequential.fit without targets",
         lambda: classifier().fit(X, verbose=0),
         DataError, r"fit\(\) expects targets y. Received: y=None"),
    # ---- sample counts and weights ------------------------------------------------------------
    Case("x-y-lengths", "8 samples in x, 6 in y",
         lambda: classifier().fit(X, LABELS[:6], verbose=0),
         DataError, r"same number of samples.*x.shape=\(8, 4\) \(8 samples\).*y.shape=\(6,\) \(6 samples\)"),
    Case("sample-weight-length", "sample_weight with 5 entries for 8 samples",
         lambda: classifier().fit(X, LABELS, sample_weight=np.ones(5), verbose=0),
         DataError, r"same number of samples.*sample_weight.shape=\(5,\) \(5 samples\)"),
    Case("sample-weight-shape", "sample_weight of shape (8, 2) for one label per sample",
         lambda: classifier().fit(X, LABELS, sample_weight=np.ones((8, 2)), verbose=0),
         DataError, r"sample_weight of shape \(8,\)"
         r".*output \(None, 3\). Received: sample_weight.shape=\(8, 2\)"),
    Case("sample-weight-negative", "a negative sample weight",
         lambda: classifier().fit(X, LABELS, sample_weight=with_value(np.ones(8), 4, -1.0), verbose=0),
         DataError, r"sample_weight to be non-negative.*index \(4,\).*-1"),
    Case("sample-weight-nan", "a NaN sample weight",
         lambda: classifier().fit(X, LABELS, sample_weight=with_value(np.ones(8), 6, np.nan), verbose=0),
         DataError, r"NaN or infinite.*in sample_weight, first at index \(6,\)"),
    Case("sample-weight-without-y", "Sequential.evaluate with sample_weight but no y",
         lambda: classifier().evaluate(X, sample_weight=np.ones(8), verbose=0),
         DataError, r"evaluate\(\) expects targets y"),
    Case("class-weight-list", "class_weight given as a list",
         lambda: classifier().fit(X, LABELS, class_weight=[1.0, 2.0, 1.0], verbose=0),
         DataError, r"class_weight should be a dict \{class: weight\}. Received: list"),
    Case("class-weight-unknown-class", "class_weight for class 5 of a 3-class model",
         lambda: classifier().fit(X, LABELS, class_weight={0: 1.0, 5: 2.0}, verbose=0),
         DataError, r"keys of class_weight to be classes in \[0, 3\).*\[0, 5\], of which 5"),
    Case("class-weight-negative", "a negative class weight",
         lambda: classifier().fit(X, LABELS, class_weight={0: 1.0, 1: -2.0}, verbose=0),
         DataError, r"values of class_weight to be non-negative.*class_weight\[1\]=-2.0"),
    # ---- fit/evaluate/predict arguments -------------------------------------------------------
    Case("batch-size-zero", "fit with batch_size=0",
         lambda: classifier().fit(X, LABELS, batch_size=0, verbose=0),
         DataError, r"fit\(\) expects batch_size to be a positive integer. Received: batch_size=0"),
    Case("batch-size-negative", "evaluate with batch_size=-4",
         lambda: classifier().evaluate(X, LABELS, batch_size=-4, verbose=0),
         DataError, r"evaluate\(\) expects batch_size to be a positive integer. Received: batch_size=-4"),
    Case("batch-size-float", "predict with batch_size=2.5",
         lambda: classifier().predict(X, batch_size=2.5, verbose=0),
         DataError, r"predict\(\) expects batch_size to be a positive integer. Received: batch_size=2.5"),
    Case("epochs-negative", "fit with epochs=-1",
         lambda: classifier().fit(X, LABELS, epochs=-1, verbose=0),
         DataError, r"epochs to be a non-negative integer. Received: epochs=-1"),
    Case("epochs-float", "fit with epochs=2.5",
         lambda: classifier().fit(X, LABELS, epochs=2.5, verbose=0),
         DataError, r"epochs to be a non-negative integer. Received: epochs=2.5"),
    Case("validation-split-one", "fit with validation_split=1.0",
         lambda: classifier().fit(X, LABELS, validation_split=1.0, verbose=0),
         DataError, r"validation_split in \[0, 1\). Received: validation_split=1.0"),
    Case("validation-split-negative", "fit with validation_split=-0.2",
         lambda: classifier().fit(X, LABELS, validation_split=-0.2, verbose=0),
         DataError, r"validation_split in \[0, 1\). Received: validation_split=-0.2"),
    Case("verbose-invalid", "fit with verbose=3",
         lambda: classifier().fit(X, LABELS, verbose=3),
         DataError, r"fit\(\) expects verbose in \('auto', 0, 1, 2\). Received: verbose=3"),
    Case("verbose-string", "predict with verbose='loud'",
         lambda: classifier().predict(X, verbose="loud"),
         DataError, r"predict\(\) expects verbose in .*Received: verbose='loud'"),
    Case("fit-unknown-keyword", "fit with epoch=3 (misspelled epochs)",
         lambda: classifier().fit(X, LABELS, epoch=3),
         TypeError, r"unexpected keyword argument 'epoch'"),
    # ---- order of calls -----------------------------------------------------------------------
    Case("fit-before-compile", "Sequential.fit before compile",
         lambda: classifier(compiled=False).fit(X, LABELS, verbose=0),
         RuntimeError, r"compile\(\) before fit\(\)"),
    Case("evaluate-before-compile", "Sequential.evaluate before compile",
         lambda: classifier(compiled=False).evaluate(X, LABELS, verbose=0),
         RuntimeError, r"compile\(\) before evaluate\(\)"),
    Case("train-on-batch-before-compile", "Sequential.train_on_batch before compile",
         lambda: classifier(compiled=False).train_on_batch(X, LABELS),
         RuntimeError, r"compile\(\) before train_on_batch\(\)"),
    # ---- several inputs -----------------------------------------------------------------------
    Case("two-inputs-one-array", "predict with one array for a model with two inputs",
         lambda: two_inputs().predict(X, verbose=0),
         DataError, r"x to hold 2 arrays.*model 'two_inputs' \(numbers, extras\).*Received: 1 array"),
    Case("two-inputs-three-arrays", "fit with three arrays for a model with two inputs",
         lambda: two_inputs().fit([X, X[:, :2], X], TARGETS, verbose=0),
         DataError, r"x to hold 2 arrays.*Received: 3 array"),
    Case("two-inputs-unknown-key", "dict input with a misspelled key",
         lambda: two_inputs().predict({"numbers": X, "extra": X[:, :2]}, verbose=0),
         DataError, r"keys \['numbers', 'extras'\].*unknown: \['extra'\], missing: \['extras'\]"),
    Case("two-inputs-second-shape", "the second input with the wrong number of features",
         lambda: two_inputs().fit({"numbers": X, "extras": X}, TARGETS, verbose=0),
         DataError, r"x\['extras'\] with samples of shape \(2,\).*x\['extras'\].shape=\(8, 4\)"),
    Case("sequential-dict-input", "a dict for a Sequential model's single input",
         lambda: classifier().predict({"features": X}, verbose=0),
         DataError, r"x to be one array for model 'classifier'. Received: dict"),
    # ---- optimizers ---------------------------------------------------------------------------
    *[Case(f"lr-{label}-{cls.__name__.lower()}", f"{cls.__name__}(learning_rate={value})",
           (lambda cls=cls, value=value: cls(learning_rate=value)),
           ValueError, rf"{cls.__name__} expects a non-negative learning_rate.*learning_rate={value}")
      for label, value in (("negative", -0.01), ("nan", float("nan")))
      for cls in (optimizers.SGD, optimizers.RMSprop, optimizers.Adagrad, optimizers.Adadelta,
                  optimizers.Adam, optimizers.AdamW, optimizers.Adamax, optimizers.Nadam,
                  optimizers.Lion)],
    Case("lr-string", "SGD(learning_rate='0.01')",
         lambda: optimizers.SGD(learning_rate="0.01"),
         ValueError, r"SGD expects a non-negative learning_rate.*learning_rate='0.01'"),
    Case("adam-beta-1-one", "Adam(beta_1=1.0)",
         lambda: optimizers.Adam(beta_1=1.0),
         ValueError, r"Adam expects beta_1 in \[0.0, 1.0\). Received: beta_1=1.0"),
    Case("nadam-beta-2-negative", "Nadam(beta_2=-0.1)",
         lambda: optimizers.Nadam(beta_2=-0.1),
         ValueError, r"Nadam expects beta_2 in \[0.0, 1.0\). Received: beta_2=-0.1"),
    Case("lion-beta-1-large", "Lion(beta_1=1.5)",
         lambda: optimizers.Lion(beta_1=1.5),
         ValueError, r"Lion expects beta_1 .*beta_1=1.5"),
    Case("rmsprop-rho", "RMSprop(rho=1.5)",
         lambda: optimizers.RMSprop(rho=1.5),
         ValueError, r"RMSprop expects rho .*rho=1.5"),
    Case("sgd-momentum-negative", "SGD(momentum=-0.5)",
         lambda: optimizers.SGD(momentum=-0.5),
         ValueError, r"SGD expects momentum .*momentum=-0.5"),
    # ---- layer hyper-parameters ---------------------------------------------------------------
    Case("dense-units-zero", "Dense(0)",
         lambda: layers.Dense(0),
         ValueError, r"Dense expects units to be a positive integer. Received: units=0"),
    Case("dense-units-negative", "Dense(-3)",
         lambda: layers.Dense(-3),
         ValueError, r"Dense expects units to be a positive integer. Received: units=-3"),
    Case("dense-units-float", "Dense(2.5)",
         lambda: layers.Dense(2.5),
         ValueError, r"Dense expects units to be a positive integer. Received: units=2.5"),
    Case("dropout-rate-one", "Dropout(1.0)",
         lambda: layers.Dropout(1.0), ValueError, r"Dropout expects rate .*\[0, 1\). Received: rate=1.0"),
    Case("dropout-rate-negative", "Dropout(-0.1)",
         lambda: layers.Dropout(-0.1), ValueError, r"Dropout expects rate .*\[0, 1\). Received: rate=-0.1"),
    Case("dropout-rate-string", "Dropout('a')",
         lambda: layers.Dropout("a"), ValueError, r"Dropout expects rate .*\[0, 1\). Received: rate='a'"),
    Case("gaussian-noise-stddev-negative", "GaussianNoise(-1)",
         lambda: layers.GaussianNoise(-1), ValueError,
         r"GaussianNoise expects stddev to be a finite number >= 0. Received: stddev=-1"),
    Case("spatial-dropout2d-rank-3", "SpatialDropout2D(0.2, name='drop') on shape (2, 5, 3)",
         lambda: layers.SpatialDropout2D(0.2, name="drop")(np.zeros((2, 5, 3))), ValueError,
         r"'drop' \(SpatialDropout2D\) expects an input of rank 4, \(batch, height, "
         r"width, channels\). Received: shape=\(None, 5, 3\)"),
    Case("conv2d-kernel-size-zero", "Conv2D(8, kernel_size=0)",
         lambda: layers.Conv2D(8, kernel_size=0), ValueError, r"Conv2D expects kernel_size .*kernel_size=0"),
    Case("conv2d-strides-zero", "Conv2D(8, 3, strides=0)",
         lambda: layers.Conv2D(8, 3, strides=0), ValueError, r"Conv2D expects strides .*strides=0"),
    Case("conv2d-padding-unknown", "Conv2D(8, 3, padding='full')",
         lambda: layers.Conv2D(8, 3, padding="full"), ValueError,
         r"Conv2D expects padding .*'valid'.*'same'.*padding='full'"),
    Case("conv2d-filters-zero", "Conv2D(0, 3)",
         lambda: layers.Conv2D(0, 3), ValueError, r"Conv2D expects filters .*filters=0"),
    Case("maxpool-size-zero", "MaxPooling2D(pool_size=0)",
         lambda: layers.MaxPooling2D(pool_size=0),
         ValueError, r"MaxPooling2D expects pool_size .*pool_size=0"),
    Case("avgpool-padding-unknown", "AveragePooling2D(padding='sam')",
         lambda: layers.AveragePooling2D(padding="sam"), ValueError,
         r"AveragePooling2D expects padding .*padding='sam'"),
    Case("lstm-units-zero", "LSTM(0)",
         lambda: layers.LSTM(0),
         ValueError, r"LSTM expects units to be a positive integer. Received: units=0"),
    Case("input-shape-zero", "Input(shape=(0,))",
         lambda: axon.Input((0,)), ValueError, r"expects a shape of positive integers.*shape=\(0,\)"),
    Case("embedding-input-dim-zero", "Embedding(0, 8)",
         lambda: layers.Embedding(0, 8), ValueError, r"Embedding expects input_dim .*input_dim=0"),
    # ---- unknown names ------------------------------------------------------------------------
    Case("unknown-optimizer", "compile(optimizer='adamm')",
         lambda: classifier(compiled=False).compile(optimizer="adamm", loss="mse"),
         ValueError, r"Unknown optimizer: 'adamm'.*adam"),
    Case("unknown-loss", "compile(loss='msee')",
         lambda: classifier(compiled=False).compile(optimizer="adam", loss="msee"),
         ValueError, r"Unknown loss: 'msee'.*mse"),
    Case("unknown-metric", "compile(metrics=['acc2'])",
         lambda: classifier(compiled=False).compile(optimizer="adam", loss="mse", metrics=["acc2"]),
         ValueError, r"Unknown metric: 'acc2'.*accuracy"),
    Case("metrics-not-a-list", "compile(metrics='accuracy')",
         lambda: classifier(compiled=False).compile(optimizer="adam", loss="mse", metrics="accuracy"),
         TypeError, r"compile\(\) expects metrics to be a list.*Received: 'accuracy'"),
    Case("unknown-activation", "Dense(8, activation='relux')",
         lambda: layers.Dense(8, activation="relux"), ValueError, r"Unknown activation: 'relux'.*relu"),
    Case("unknown-initializer", "Dense(8, kernel_initializer='glorot')",
         lambda: layers.Dense(8, kernel_initializer="glorot"), ValueError,
         r"Unknown initializer: 'glorot'.*glorot_uniform"),
    Case("unknown-regularizer", "Dense(8, kernel_regularizer='l3')",
         lambda: layers.Dense(8, kernel_regularizer="l3"), ValueError, r"Unknown regularizer: 'l3'.*l2"),
    Case("unknown-constraint", "Dense(8, kernel_constraint='positive')",
         lambda: layers.Dense(8, kernel_constraint="positive"), ValueError,
         r"Dense could not resolve kernel_constraint.*non_neg.*kernel_constraint='positive'"),
]


def case_ids() -> list[str]:
    return [case.id for case in CASES]


def test_the_table_is_large_and_ids_are_unique():
    assert len(CASES) >= 45
    assert len(set(case_ids())) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=case_ids())
def test_bad_input_is_rejected_with_a_clear_message(case: Case):
    with pytest.raises(case.error_type, match=case.message_regex):
        case.call()


def test_nothing_the_user_gave_is_modified():
    x, labels, weights = X.copy(), LABELS.copy(), np.ones(8)
    weights[4] = -1.0
    with pytest.raises(DataError):
        classifier().fit(x, labels, sample_weight=weights, verbose=0)
    class_weight = {0: 1.0, 5: 2.0}
    with pytest.raises(DataError):
        classifier().fit(x, labels, class_weight=class_weight, verbose=0)
    np.testing.assert_array_equal(x, X)
    np.testing.assert_array_equal(labels, LABELS)
    assert weights[4] == -1.0 and weights.sum() == 6.0
    assert class_weight == {0: 1.0, 5: 2.0}


def _table_tool():
    spec = importlib.util.spec_from_file_location("bad_input_table", ROOT / "tools" / "bad_input_table.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_docs_table_matches_the_cases():
    expected = _table_tool().render(CASES)
    assert DOC.exists(), "docs/bad-input.md is missing; run: python tools/bad_input_table.py"
    assert DOC.read_text(encoding="utf-8") == expected, (
        "docs/bad-input.md differs from the cases in tests/test_bad_input_table.py; "
        "regenerate it with: python tools/bad_input_table.py")
