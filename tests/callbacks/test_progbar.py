"""ProgbarLogger: Keras-like text, plain rate-limited lines off a terminal, a live bar on one."""
from __future__ import annotations

import io
import os
import sys

import numpy as np
import pytest

import axon
from axon.callbacks import ProgbarLogger
from axon.callbacks.progbar import format_eta, format_logs, format_step_time, format_value, is_interactive

from .stubs import tiny_model, tiny_regression


class FakeClock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


class TTY(io.StringIO):
    def isatty(self):
        return True


class Captured:
    """Standard output as pytest captures it (not a terminal), read cumulatively."""

    def __init__(self, capsys):
        self.capsys = capsys
        self.text = ""

    def getvalue(self):
        self.text += self.capsys.readouterr().out
        return self.text

    def clear(self):
        self.getvalue()
        self.text = ""


@pytest.fixture
def stdout(capsys):
    return Captured(capsys)


def make(verbose=1, steps=10, epochs=1, log_interval=3.0):
    logger = ProgbarLogger(verbose, log_interval=log_interval)
    logger.clock = clock = FakeClock()
    logger.set_params({"epochs": epochs, "steps": steps, "verbose": verbose})
    return logger, clock


def run_epoch(logger, clock, epoch=0, steps=10, seconds_per_step=1.0, final=None):
    logger.on_epoch_begin(epoch)
    for batch in range(steps):
        clock.now += seconds_per_step
        logger.on_train_batch_end(batch, {"loss": 1.0 / (batch + 1)})
    logger.on_epoch_end(epoch, final or {"loss": 0.1, "val_loss": 0.2})


def test_number_formats_follow_keras():
    assert format_value(0.5) == "0.5000" and format_value(-2.25) == "-2.2500"
    assert format_value(0.0001234) == "1.2340e-04" and format_value(0.0) == "0.0000e+00"
    assert format_value(np.float32(0.5)) == "0.5000" and format_value("NA") == "NA"
    assert format_value(float("inf")) == "inf"
    assert format_logs({"loss": 0.5, "acc": 1.0}) == "loss: 0.5000 - acc: 1.0000"
    assert format_eta(0.4) == "0s" and format_eta(59) == "59s" and format_eta(61) == "1:01"
    assert format_eta(3600 * 2 + 5) == "2:00:05"
    assert format_step_time(0) == "0s/step" and format_step_time(1.6) == "2s/step"
    assert format_step_time(0.0305) == "30ms/step" and format_step_time(2e-5) == "20us/step"


def test_plain_lines_are_rate_limited_and_free_of_control_characters(stdout):
    logger, clock = make(log_interval=3.0)
    logger.on_train_begin()
    run_epoch(logger, clock)  # one step per second, 10 steps
    logger.on_train_end()
    out = stdout.getvalue()
    assert "\r" not in out and "\x1b" not in out and "\b" not in out
    assert out.splitlines() == [
        " 3/10 - ETA: 7s - loss: 0.3333",   # after 3 s
        " 6/10 - ETA: 4s - loss: 0.1667",   # 3 s later
        " 9/10 - ETA: 1s - loss: 0.1111",
        "10/10 - 10s - 1s/step - loss: 0.1000 - val_loss: 0.2000",  # always: the epoch's end
    ]


def test_no_progress_line_for_fast_epochs(stdout):
    logger, clock = make(log_interval=10.0)
    run_epoch(logger, clock, seconds_per_step=0.01)
    assert stdout.getvalue() == "10/10 - 0s - 10ms/step - loss: 0.1000 - val_loss: 0.2000\n"


def test_log_interval_zero_writes_every_step(stdout):
    logger, clock = make(log_interval=0, steps=3)
    run_epoch(logger, clock, steps=3)
    lines = stdout.getvalue().splitlines()
    assert [line.split(" - ")[0] for line in lines] == ["1/3", "2/3", "3/3"]


def test_first_step_is_left_out_of_the_step_time(stdout):
    logger, clock = make(log_interval=100.0, steps=4)
    logger.on_epoch_begin(0)
    for batch, seconds in enumerate([5.0, 0.02, 0.02, 0.02]):  # a slow first step
        clock.now += seconds
        logger.on_train_batch_end(batch, {"loss": 1.0})
    logger.on_epoch_end(0, {"loss": 1.0})
    assert stdout.getvalue() == "4/4 - 5s - 20ms/step - loss: 1.0000\n"


def test_epoch_header_only_with_several_epochs(stdout):
    logger, clock = make(epochs=2)
    run_epoch(logger, clock, epoch=0)
    run_epoch(logger, clock, epoch=1)
    out = stdout.getvalue()
    assert out.count("Epoch 1/2\n") == 1 and out.count("Epoch 2/2\n") == 1
    stdout.clear()
    logger, clock = make(epochs=1)
    run_epoch(logger, clock)
    assert "Epoch" not in stdout.getvalue()


def test_verbose_2_writes_one_line_per_epoch(stdout):
    logger, clock = make(verbose=2, epochs=2, log_interval=0)
    run_epoch(logger, clock, epoch=0)
    run_epoch(logger, clock, epoch=1)
    assert stdout.getvalue().splitlines() == [
        "Epoch 1/2", "10/10 - 10s - 1s/step - loss: 0.1000 - val_loss: 0.2000",
        "Epoch 2/2", "10/10 - 10s - 1s/step - loss: 0.1000 - val_loss: 0.2000"]


def test_verbose_2_is_plain_on_a_terminal_too(monkeypatch):
    stream = TTY()
    monkeypatch.setattr(sys, "stdout", stream)
    logger, clock = make(verbose=2)
    run_epoch(logger, clock)
    assert stream.getvalue() == "10/10 - 10s - 1s/step - loss: 0.1000 - val_loss: 0.2000\n"


def test_verbose_0_is_silent(stdout):
    logger, clock = make(verbose=0, epochs=3, log_interval=0)
    run_epoch(logger, clock)
    logger.on_test_begin()
    logger.on_test_end({"loss": 1.0})
    assert stdout.getvalue() == ""


def test_verbose_from_params_when_not_given(stdout):
    logger = ProgbarLogger()
    logger.set_params({"epochs": 1, "steps": 2, "verbose": 2})
    assert logger.verbose == 2
    logger = ProgbarLogger()
    logger.set_params({"epochs": 1, "steps": 2, "verbose": "auto"})
    assert logger.verbose == 1


def test_validation_inside_fit_is_silent_but_evaluate_shows_a_bar(stdout):
    logger, clock = make(steps=2, log_interval=0)
    logger.on_train_begin()
    logger.on_test_begin()
    logger.on_test_batch_end(0, {"loss": 3.0})
    logger.on_test_end({"loss": 3.0})
    logger.on_train_end()
    assert stdout.getvalue() == ""
    logger.on_test_begin()  # evaluate() after fit()
    clock.now += 1
    logger.on_test_batch_end(0, {"loss": 3.0})
    clock.now += 1
    logger.on_test_batch_end(1, {"loss": 2.0})
    logger.on_test_end({"loss": 2.0, "accuracy": 0.5})
    assert stdout.getvalue().splitlines() == ["1/2 - ETA: 1s - loss: 3.0000",
                                              "2/2 - 2s - 1s/step - loss: 2.0000 - accuracy: 0.5000"]


def test_predict_shows_steps_without_logs(stdout):
    logger, clock = make(steps=2, log_interval=100)
    logger.on_predict_begin()
    for batch in range(2):
        clock.now += 0.5
        logger.on_predict_batch_end(batch, {"outputs": np.zeros(3)})
    logger.on_predict_end()
    assert stdout.getvalue() == "2/2 - 1s - 500ms/step\n"


def test_unknown_number_of_steps(stdout):
    logger, clock = make(steps=None, log_interval=2.0)
    run_epoch(logger, clock, steps=4)
    assert stdout.getvalue().splitlines() == ["2/Unknown - loss: 0.5000", "4/Unknown - loss: 0.2500",
                                              "4/4 - 4s - 1s/step - loss: 0.1000 - val_loss: 0.2000"]


def test_epoch_cut_short_shows_the_steps_done(stdout):
    logger, clock = make(log_interval=100)
    logger.on_epoch_begin(0)
    for batch in range(3):
        clock.now += 1
        logger.on_train_batch_end(batch, {"loss": 1.0})
    logger.on_epoch_end(0, {"loss": 1.0})
    assert stdout.getvalue() == " 3/10 - 3s - 1s/step - loss: 1.0000\n"


def test_live_bar_on_a_terminal(monkeypatch):
    stream = TTY()
    monkeypatch.setattr(sys, "stdout", stream)
    logger, clock = make(log_interval=100)
    logger.on_train_begin()
    run_epoch(logger, clock)
    logger.on_train_end()
    out = stream.getvalue()
    assert "\r" in out  # drawn in place
    final = out.replace("\r", "\n").splitlines()[-1]
    assert final.startswith("10/10 ") and "10s 1s/step - loss: 0.1000 - val_loss: 0.2000" in final


def test_interactive_detection():
    assert not is_interactive(io.StringIO())
    assert is_interactive(TTY())
    kernel_stream = type("OutStream", (io.StringIO,), {"__module__": "ipykernel.iostream"})()
    assert is_interactive(kernel_stream)
    closed = open(os.devnull)
    closed.close()
    assert not is_interactive(closed)


def test_log_interval_from_the_environment(monkeypatch):
    monkeypatch.setenv("AXON_PROGRESS_INTERVAL", "2.5")
    assert ProgbarLogger().log_interval == 2.5
    assert ProgbarLogger(log_interval=1).log_interval == 1.0
    monkeypatch.setenv("AXON_PROGRESS_INTERVAL", "soon")
    with pytest.raises(ValueError, match="AXON_PROGRESS_INTERVAL"):
        ProgbarLogger()
    monkeypatch.delenv("AXON_PROGRESS_INTERVAL")
    assert ProgbarLogger().log_interval == 10.0
    with pytest.raises(ValueError, match="log_interval"):
        ProgbarLogger(log_interval=-1)
    with pytest.raises(ValueError, match="verbose=3"):
        ProgbarLogger(verbose=3)


def test_fit_output_to_a_pipe_has_no_control_characters(capsys):
    x, y = tiny_regression(32)
    model = tiny_model()
    model.fit(x, y, epochs=2, batch_size=8, validation_split=0.25, verbose=1)
    model.evaluate(x, y, batch_size=8, verbose=1)
    model.predict(x, batch_size=8, verbose=1)
    out = capsys.readouterr().out
    assert "\r" not in out and "\x1b" not in out and "\b" not in out
    lines = out.splitlines()
    assert lines[0] == "Epoch 1/2" and lines[2] == "Epoch 2/2"
    assert lines[1].startswith("3/3 - ") and "- loss: " in lines[1] and "- val_loss: " in lines[1]
    assert lines[4].startswith("4/4 - ") and "loss: " in lines[4]  # evaluate
    assert lines[5].startswith("4/4 - ") and lines[5].endswith("/step")  # predict
    assert len(lines) == 6


# ---- progress bars in a notebook (tqdm, see axon/callbacks/progbar.py) ---------------------------
def test_fit_draws_a_live_bar_on_a_jupyter_kernel_stream(monkeypatch):
    # What a Jupyter kernel puts in sys.stdout: ipykernel.iostream.OutStream, not a terminal.
    kernel_stream = type("OutStream", (io.StringIO,), {"__module__": "ipykernel.iostream"})()
    monkeypatch.setattr(sys, "stdout", kernel_stream)
    model = axon.Sequential([axon.Input(shape=(2,)), axon.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(np.zeros((40, 2)), np.zeros((40, 1)), batch_size=8, epochs=2, verbose=1)
    out = kernel_stream.getvalue()
    assert "\r" in out   # redrawn in place, which the notebook renders as one updating line
    lines = [line for line in out.replace("\r", "\n").splitlines() if line.strip()]
    assert "Epoch 2/2" in lines
    assert lines[-1].startswith("5/5 ") and "/step - loss: 0.0000e+00" in lines[-1]
