"""BackupAndRestore: interrupted anywhere, training resumes to bitwise the uninterrupted result."""
import os

import numpy as np
import pytest

import axon
from axon import callbacks, layers
from axon.saving import FormatError


class Interrupt(callbacks.Callback):
    """Raises after ``at`` training batches counted over the whole fit (a crash stand-in)."""

    def __init__(self, at=None):
        super().__init__()
        self.at, self.seen = at, 0

    def on_train_batch_end(self, batch, logs=None):
        self.seen += 1
        if self.at is not None and self.seen == self.at:
            raise KeyboardInterrupt


class Batches(axon.utils.PyDataset):
    def __init__(self, x, y, batch_size):
        super().__init__()
        self.x, self.y, self.batch_size = x, y, batch_size

    def __len__(self):
        return len(self.x) // self.batch_size

    def __getitem__(self, index):
        part = slice(index * self.batch_size, (index + 1) * self.batch_size)
        return self.x[part], self.y[part]


DATA = np.random.default_rng(0).normal(size=(48, 5)).astype("float32")
LABELS = (DATA[:, 0] > 0).astype("int64") + (DATA[:, 1] > 0.5).astype("int64")


def train(folder, interrupt_at=None, extra=(), dataset=False, built=True, **kwargs):
    """One fit from the same seed; None when interrupted, else (weights, history)."""
    axon.utils.set_random_seed(0)
    model = axon.Sequential([layers.Dense(8, activation="relu", **({"input_shape": (5,)} if built
                                                                  else {})),
                             layers.Dropout(0.25), layers.Dropout(0.25, seed=4),
                             layers.Dense(3, activation="softmax")])
    model.compile(optimizer=axon.optimizers.RMSprop(0.01, momentum=0.5),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    backup = callbacks.BackupAndRestore(folder, **kwargs)
    fit_callbacks = [callbacks.ReduceLROnPlateau(monitor="loss", patience=0, factor=0.7),
                     *extra, Interrupt(interrupt_at), backup]
    data = (Batches(DATA, LABELS, 8),) if dataset else (DATA, LABELS)
    fit_kwargs = {} if dataset else {"batch_size": 8, "validation_split": 0.25}
    try:
        history = model.fit(*data, epochs=4, verbose=0, callbacks=fit_callbacks, **fit_kwargs)
    except KeyboardInterrupt:
        return None
    return model.get_weights(), history.history


def assert_same(run, reference):
    weights, history = run
    assert history == reference[1]
    for got, expected in zip(weights, reference[0]):
        np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("save_freq, interrupt_at", [("epoch", 7), ("epoch", 10), (1, 2), (2, 5),
                                                     (3, 13), (5, 18)])
def test_resume_after_interruption_is_bitwise_the_uninterrupted_run(tmp_path, save_freq,
                                                                     interrupt_at):
    reference = train(tmp_path / "reference", save_freq=save_freq)
    assert train(tmp_path / "run", interrupt_at, save_freq=save_freq) is None
    assert (tmp_path / "run" / "checkpoint.axon").exists()
    assert_same(train(tmp_path / "run", save_freq=save_freq), reference)
    assert not (tmp_path / "run" / "checkpoint.axon").exists()   # deleted at the end


def test_resume_into_a_model_built_on_its_first_batch(tmp_path):
    reference = train(tmp_path / "reference", built=False, save_freq=2)
    assert train(tmp_path / "run", 7, built=False, save_freq=2) is None
    assert_same(train(tmp_path / "run", built=False, save_freq=2), reference)


def test_resume_with_an_indexed_dataset(tmp_path):
    reference = train(tmp_path / "reference", dataset=True, save_freq=2)
    assert train(tmp_path / "run", 7, dataset=True, save_freq=2) is None
    assert_same(train(tmp_path / "run", dataset=True, save_freq=2), reference)


def test_resume_restores_early_stopping_and_stops_where_the_original_stopped(tmp_path):
    def stopper():
        return callbacks.EarlyStopping(monitor="loss", patience=0, min_delta=10.0,
                                       restore_best_weights=True)

    reference = train(tmp_path / "reference", extra=[stopper()], save_freq=1)
    assert len(reference[1]["loss"]) == 2   # stopped after the second epoch
    assert train(tmp_path / "run", 8, extra=[stopper()], save_freq=1) is None
    assert_same(train(tmp_path / "run", extra=[stopper()], save_freq=1), reference)


def test_checkpoint_is_kept_on_request_and_stale_temporary_files_are_removed(tmp_path):
    train(tmp_path, save_freq="epoch", delete_checkpoint=False)
    assert sorted(os.listdir(tmp_path)) == ["checkpoint.axon"]
    (tmp_path / ".checkpoint.axon.abc.tmp").write_bytes(b"torn")
    train(tmp_path, save_freq="epoch", delete_checkpoint=False)   # resumes: nothing left to do
    assert sorted(os.listdir(tmp_path)) == ["checkpoint.axon"]


def test_double_checkpoint_falls_back_to_the_previous_one(tmp_path):
    reference = train(tmp_path / "reference", save_freq=3)
    assert train(tmp_path / "run", 11, save_freq=3, double_checkpoint=True) is None
    assert sorted(os.listdir(tmp_path / "run")) == ["checkpoint.axon", "checkpoint.previous.axon"]
    (tmp_path / "run" / "checkpoint.axon").write_bytes(b"damaged")
    assert_same(train(tmp_path / "run", save_freq=3, double_checkpoint=True), reference)


def test_a_damaged_checkpoint_is_a_clear_error(tmp_path):
    (tmp_path / "checkpoint.axon").write_bytes(b"PK\x03\x04 damaged")
    with pytest.raises(FormatError, match="checkpoint.axon: not a readable zip archive"):
        train(tmp_path)


def test_resuming_with_other_callbacks_is_a_clear_error(tmp_path):
    assert train(tmp_path, 5, save_freq=1) is None
    with pytest.raises(ValueError, match=r"written with the callbacks \['ReduceLROnPlateau', "
                                         r"'History', 'BackupAndRestore'\] keeping state; this "
                                         r"fit has \['ReduceLROnPlateau', 'EarlyStopping', "):
        train(tmp_path, extra=[callbacks.EarlyStopping(monitor="loss")], save_freq=1)


def test_progress_bar_says_where_training_resumed(tmp_path, capsys):
    assert train(tmp_path, 8, save_freq=2) is None   # last saved after batch 6: epoch 2, step 1
    axon.utils.set_random_seed(0)
    model = axon.Sequential([layers.Dense(8, activation="relu", input_shape=(5,)),
                             layers.Dropout(0.25), layers.Dropout(0.25, seed=4),
                             layers.Dense(3, activation="softmax")])
    model.compile(optimizer=axon.optimizers.RMSprop(0.01, momentum=0.5),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(DATA, LABELS, batch_size=8, validation_split=0.25, epochs=4, verbose=2,
              callbacks=[callbacks.ReduceLROnPlateau(monitor="loss", patience=0, factor=0.7),
                         Interrupt(), callbacks.BackupAndRestore(tmp_path, save_freq=2)])
    out = capsys.readouterr().out
    assert "Epoch 2/4 (resumed after step 1)" in out and "Epoch 1/4" not in out


@pytest.mark.parametrize("kwargs, message", [
    ({"backup_dir": ""}, "backup_dir to be a folder path"),
    ({"backup_dir": "x", "save_freq": 0}, "save_freq to be 'epoch', False or a positive"),
    ({"backup_dir": "x", "save_freq": "batch"}, "save_freq to be 'epoch'"),
])
def test_invalid_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        callbacks.BackupAndRestore(**kwargs)


def test_metric_states_built_on_the_first_batch_resume(tmp_path):
    # F1Score's counts are None until its first batch; the checkpoint holds arrays that a freshly
    # reset metric must take back (an earlier snapshot refused them).
    labels = np.eye(3)[LABELS]

    def run(folder, interrupt_at=None):
        axon.utils.set_random_seed(0)
        model = axon.Sequential([layers.Dense(8, activation="relu", input_shape=(5,)),
                                 layers.Dense(3, activation="softmax")])
        model.compile(optimizer="adam", loss="categorical_crossentropy",
                      metrics=[axon.metrics.F1Score(average="macro")])
        try:
            return model.fit(DATA, labels, epochs=3, batch_size=8, verbose=0, callbacks=[
                Interrupt(interrupt_at), callbacks.BackupAndRestore(folder, save_freq=1)]).history
        except KeyboardInterrupt:
            return None

    reference = run(tmp_path / "reference")
    assert run(tmp_path / "run", interrupt_at=8) is None    # mid-epoch 2
    assert run(tmp_path / "run") == reference
