"""CSVLogger: header, rows, separator, append, missing values, flushing."""
from __future__ import annotations

import csv

import numpy as np

from axon.callbacks import CSVLogger

from .stubs import StubModel, tiny_model, tiny_regression


def epochs(logger, logs_per_epoch):
    logger.set_model(StubModel())
    logger.on_train_begin()
    for epoch, logs in enumerate(logs_per_epoch):
        logger.on_epoch_end(epoch, dict(logs))
    logger.on_train_end()


def test_header_from_the_first_epoch_sorted_with_an_epoch_column(tmp_path):
    path = tmp_path / "log.csv"
    epochs(CSVLogger(path), [{"val_loss": 0.5, "loss": 1.0, "accuracy": 0.25},
                             {"val_loss": 0.25, "loss": 0.5, "accuracy": 0.5}])
    assert path.read_text() == ("epoch,accuracy,loss,val_loss\n"
                                "0,0.25,1.0,0.5\n"
                                "1,0.5,0.5,0.25\n")


def test_val_columns_are_added_when_the_first_epoch_has_none(tmp_path):
    path = tmp_path / "log.csv"
    epochs(CSVLogger(path), [{"loss": 1.0}, {"loss": 0.5, "val_loss": 0.7}])
    assert path.read_text() == "epoch,loss,val_loss\n0,1.0,NA\n1,0.5,0.7\n"


def test_separator_and_missing_values(tmp_path):
    path = tmp_path / "log.csv"
    epochs(CSVLogger(path, separator=";"), [{"loss": 1.0, "val_loss": 2.0}, {"loss": 0.5}])
    assert path.read_text() == "epoch;loss;val_loss\n0;1.0;2.0\n1;0.5;NA\n"


def test_append_keeps_one_header(tmp_path):
    path = tmp_path / "log.csv"
    epochs(CSVLogger(path, append=True), [{"loss": 1.0, "val_loss": 2.0}])
    epochs(CSVLogger(path, append=True), [{"loss": 0.5, "val_loss": 1.0}])
    assert path.read_text() == "epoch,loss,val_loss\n0,1.0,2.0\n0,0.5,1.0\n"


def test_without_append_the_file_is_overwritten(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text("old contents\n")
    epochs(CSVLogger(path), [{"loss": 1.0, "val_loss": 2.0}])
    assert path.read_text() == "epoch,loss,val_loss\n0,1.0,2.0\n"


def test_each_row_is_flushed_before_training_ends(tmp_path):
    path = tmp_path / "log.csv"
    logger = CSVLogger(path)
    logger.set_model(StubModel())
    logger.on_train_begin()
    logger.on_epoch_end(0, {"loss": 1.0, "val_loss": 2.0})
    assert path.read_text() == "epoch,loss,val_loss\n0,1.0,2.0\n"
    logger.on_train_end()
    assert logger.csv_file is None


def test_array_values_are_bracketed(tmp_path):
    path = tmp_path / "log.csv"
    epochs(CSVLogger(path), [{"loss": 1.0, "val_loss": 0.5, "f1": np.array([0.5, 0.25])}])
    rows = list(csv.reader(path.open()))
    assert rows == [["epoch", "f1", "loss", "val_loss"], ["0", "[0.5, 0.25]", "1.0", "0.5"]]


def test_fit_logs_every_epoch(tmp_path):
    x, y = tiny_regression(16)
    model = tiny_model()
    path = tmp_path / "train.csv"
    history = model.fit(x, y, epochs=3, batch_size=4, validation_split=0.25, verbose=0,
                        callbacks=[CSVLogger(path)])
    rows = list(csv.DictReader(path.open()))
    assert [row["epoch"] for row in rows] == ["0", "1", "2"]
    assert [float(row["loss"]) for row in rows] == history.history["loss"]
    assert [float(row["val_loss"]) for row in rows] == history.history["val_loss"]
