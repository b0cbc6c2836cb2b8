"""ModelCheckpoint: file names, best-only saving, batch frequency, suffix checks."""
from __future__ import annotations

import os

import numpy as np
import pytest

import axon
from axon.callbacks import ModelCheckpoint

from .stubs import StubModel, play, tiny_model, tiny_regression


def saved_names(model):
    return [os.path.basename(path) for _, path in model.saved]


def test_filepath_fields_are_filled_from_the_epoch_and_logs(tmp_path):
    checkpoint = ModelCheckpoint(str(tmp_path / "m-{epoch:02d}-{val_loss:.2f}.axon"))
    model, _ = play(checkpoint, [0.5, 0.25, 0.125])
    assert saved_names(model) == ["m-01-0.50.axon", "m-02-0.25.axon", "m-03-0.12.axon"]
    assert {kind for kind, _ in model.saved} == {"model"}
    assert sorted(os.listdir(tmp_path)) == ["m-01-0.50.axon", "m-02-0.25.axon", "m-03-0.12.axon"]


def test_weights_only_uses_save_weights(tmp_path):
    checkpoint = ModelCheckpoint(tmp_path / "w.weights.safetensors", save_weights_only=True)
    model, _ = play(checkpoint, [1.0, 2.0])
    assert [kind for kind, _ in model.saved] == ["weights", "weights"]


def test_save_best_only_in_min_mode(tmp_path):
    checkpoint = ModelCheckpoint(str(tmp_path / "m-{epoch}.axon"), save_best_only=True)
    model, _ = play(checkpoint, [1.0, 0.8, 0.9, 0.7, 0.7])
    assert saved_names(model) == ["m-1.axon", "m-2.axon", "m-4.axon"]
    assert checkpoint.best == 0.7


def test_save_best_only_in_max_mode_for_accuracy(tmp_path):
    checkpoint = ModelCheckpoint(str(tmp_path / "m-{epoch}.axon"), monitor="val_accuracy",
                                 save_best_only=True)
    model, _ = play(checkpoint, [0.5, 0.4, 0.6, 0.6], key="val_accuracy")
    assert saved_names(model) == ["m-1.axon", "m-3.axon"]


def test_initial_value_threshold_must_be_beaten(tmp_path):
    checkpoint = ModelCheckpoint(str(tmp_path / "m-{epoch}.axon"), save_best_only=True,
                                 initial_value_threshold=0.85)
    model, _ = play(checkpoint, [1.0, 0.8, 0.9, 0.7])
    assert saved_names(model) == ["m-2.axon", "m-4.axon"]


def test_missing_monitor_with_save_best_only_warns_and_saves(tmp_path):
    checkpoint = ModelCheckpoint(str(tmp_path / "m.axon"), save_best_only=True)
    with pytest.warns(UserWarning, match="Available keys: loss"):
        model, _ = play(checkpoint, [1.0], key="loss")
    assert len(model.saved) == 1


def test_save_freq_counts_batches_across_epochs(tmp_path):
    checkpoint = ModelCheckpoint(str(tmp_path / "e{epoch}-b{batch}-{loss:.1f}.axon"), save_freq=3,
                                 monitor="loss")
    model = StubModel()
    checkpoint.set_model(model)
    checkpoint.on_train_begin()
    for epoch in range(2):
        checkpoint.on_epoch_begin(epoch)
        for batch in range(4):
            checkpoint.on_train_batch_begin(batch)
            checkpoint.on_train_batch_end(batch, {"loss": float(batch)})
        checkpoint.on_epoch_end(epoch, {"loss": 9.0})
    assert saved_names(model) == ["e1-b3-2.0.axon", "e2-b2-1.0.axon"]  # batches 3 and 6 overall


def test_missing_folders_are_created(tmp_path):
    checkpoint = ModelCheckpoint(str(tmp_path / "a" / "b" / "m.axon"))
    play(checkpoint, [1.0])
    assert (tmp_path / "a" / "b" / "m.axon").read_text() == "model"


def test_an_unknown_field_names_the_available_ones(tmp_path):
    checkpoint = ModelCheckpoint(str(tmp_path / "m-{accuracy:.2f}.axon"))
    with pytest.raises(KeyError, match="Available fields: epoch, val_loss"):
        play(checkpoint, [1.0])


def test_a_directory_is_not_a_filepath(tmp_path):
    (tmp_path / "d.axon").mkdir()
    with pytest.raises(IsADirectoryError, match="existing directory"):
        play(ModelCheckpoint(str(tmp_path / "d.axon")), [1.0])


@pytest.mark.parametrize("filepath, weights_only, expected", [
    ("model.keras", False, "`.axon`"),
    ("model.weights.safetensors", False, "`.axon`"),
    ("model.axon", True, "`.weights.safetensors`"),
    ("model.safetensors", True, "`.weights.safetensors`"),
])
def test_suffix_is_checked(filepath, weights_only, expected):
    with pytest.raises(ValueError, match=f"{expected}.*Received: filepath={filepath}"):
        ModelCheckpoint(filepath, save_weights_only=weights_only)


@pytest.mark.parametrize("save_freq", ["batch", 0, -2, 1.5, True])
def test_bad_save_freq(save_freq):
    with pytest.raises(ValueError, match="save_freq"):
        ModelCheckpoint("m.axon", save_freq=save_freq)


def test_verbose_messages(tmp_path, capsys):
    path = str(tmp_path / "m.axon")
    play(ModelCheckpoint(path, save_best_only=True, verbose=1), [1.0, 2.0])
    out = capsys.readouterr().out
    assert f"Epoch 1: val_loss improved from None to 1.00000, saving model to {path}" in out
    assert "Epoch 2: val_loss did not improve from 1.00000" in out
    play(ModelCheckpoint(path, verbose=1), [1.0])
    assert f"Epoch 1: saving model to {path}" in capsys.readouterr().out


def test_fit_writes_the_best_weights(tmp_path):
    x, y = tiny_regression(32)
    model = tiny_model(learning_rate=0.5)
    snapshots = []
    record = axon.callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: snapshots.append((logs["val_loss"], model.get_weights())))
    path = tmp_path / "best.weights.safetensors"
    checkpoint = ModelCheckpoint(path, save_best_only=True, save_weights_only=True)
    model.fit(x, y, epochs=6, batch_size=8, validation_split=0.25, verbose=0,
              callbacks=[record, checkpoint])
    best = int(np.argmin([value for value, _ in snapshots]))
    model.load_weights(path)
    for loaded, expected in zip(model.get_weights(), snapshots[best][1]):
        np.testing.assert_array_equal(loaded, expected)


def test_fit_saves_whole_models(tmp_path):
    x, y = tiny_regression(16)
    model = tiny_model()
    model.fit(x, y, epochs=2, verbose=0,
              callbacks=[ModelCheckpoint(tmp_path / "model-{epoch}.axon", monitor="loss")])
    assert sorted(os.listdir(tmp_path)) == ["model-1.axon", "model-2.axon"]
    load_model = getattr(axon.models, "load_model", None)
    if load_model is not None:
        restored = load_model(tmp_path / "model-2.axon")
        np.testing.assert_allclose(restored.predict(x, verbose=0), model.predict(x, verbose=0))
