"""LambdaCallback: functions as hooks, with the hooks' arguments."""
from __future__ import annotations

import pytest

from axon.callbacks import LambdaCallback

from .stubs import tiny_model, tiny_regression


def test_hooks_are_called_with_their_arguments_in_fit():
    calls = []
    callback = LambdaCallback(
        on_train_begin=lambda logs: calls.append("train_begin"),
        on_epoch_begin=lambda epoch, logs: calls.append(f"epoch_begin {epoch}"),
        on_train_batch_begin=lambda batch, logs: calls.append(f"batch_begin {batch}"),
        on_train_batch_end=lambda batch, logs: calls.append(f"batch_end {batch} {'loss' in logs}"),
        on_epoch_end=lambda epoch, logs: calls.append(f"epoch_end {epoch} {sorted(logs)}"),
        on_train_end=lambda logs: calls.append("train_end"))
    x, y = tiny_regression(8)
    tiny_model().fit(x, y, epochs=2, batch_size=4, verbose=0, callbacks=[callback])
    assert calls == ["train_begin",
                     "epoch_begin 0", "batch_begin 0", "batch_end 0 True", "batch_begin 1",
                     "batch_end 1 True", "epoch_end 0 ['loss']",
                     "epoch_begin 1", "batch_begin 0", "batch_end 0 True", "batch_begin 1",
                     "batch_end 1 True", "epoch_end 1 ['loss']",
                     "train_end"]


def test_other_hooks_by_keyword():
    calls = []
    callback = LambdaCallback(on_test_begin=lambda logs: calls.append("test_begin"),
                              on_batch_end=lambda batch, logs: calls.append(f"batch_end {batch}"))
    callback.on_test_begin(None)
    callback.on_train_batch_end(4, {})  # Keras's older name is called by the newer one
    assert calls == ["test_begin", "batch_end 4"]


def test_hooks_not_given_do_nothing():
    callback = LambdaCallback()
    callback.on_epoch_end(0, {"loss": 1.0})
    callback.on_train_batch_end(0, {})


def test_unknown_hook_and_non_callable_are_errors():
    with pytest.raises(TypeError, match="unknown hook 'on_epoch_ends'"):
        LambdaCallback(on_epoch_ends=print)
    with pytest.raises(TypeError, match="on_epoch_end=3"):
        LambdaCallback(on_epoch_end=3)


def test_instances_do_not_share_hooks():
    first = LambdaCallback(on_epoch_end=lambda epoch, logs: logs.update(first=True))
    second = LambdaCallback()
    logs = {}
    second.on_epoch_end(0, logs)
    first.on_epoch_end(0, logs)
    assert logs == {"first": True}
