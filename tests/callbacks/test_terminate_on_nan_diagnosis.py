"""TerminateOnNaN's check before the update and its diagnosis (axon/training/diagnose.py): the
message names the epoch, the step, the last finite loss and the first layer whose output or
gradient went non-finite, and the weights are never overwritten with non-finite values."""
from __future__ import annotations

import re

import numpy as np
import pytest

import axon
from axon.callbacks import LambdaCallback, TerminateOnNaN
from axon.training.diagnose import diagnose

F = axon.engine.functional


class Log(axon.layers.Layer):
    """``y = ln(x)``: -inf where x = 0 (forward)."""

    def call(self, inputs, training=False):
        return F.log(inputs)

    def compute_output_shape(self, input_shape):
        return input_shape


class Root(axon.layers.Layer):
    """``y = sqrt(x)``: finite at x = 0, but ``dy/dx = 1 / (2 sqrt(x))`` is not (backward)."""

    def call(self, inputs, training=False):
        return F.sqrt(inputs)

    def compute_output_shape(self, input_shape):
        return input_shape


def ones_dense(units, **kwargs):
    """A Dense layer without bias whose output is 0 exactly for a zero sample, and positive for
    positive samples (kernel of ones, small learning rates keep it positive)."""
    return axon.layers.Dense(units, use_bias=False, kernel_initializer="ones", **kwargs)


def positive_data(zero_at, n=8, features=3):
    """Positive inputs with the sample ``zero_at`` all zeros (so ``ones_dense`` gives 0 there)."""
    rng = np.random.default_rng(0)
    x = rng.uniform(0.5, 1.5, size=(n, features)).astype("float32")
    x[zero_at] = 0.0
    return x, np.ones((n, 1), "float32")


def fit_logged(model, x, y, callback=None, **kwargs):
    """``fit`` with batch size 1 and no shuffling; returns (printed text, every batch's logged
    loss as (epoch, batch, loss))."""
    seen = []
    epoch = []
    log = LambdaCallback(on_epoch_begin=lambda e, logs: epoch.append(e),
                         on_train_batch_end=lambda b, logs: seen.append((epoch[-1], b,
                                                                         logs["loss"])))
    with np.errstate(all="ignore"):
        model.fit(x, y, batch_size=kwargs.pop("batch_size", 1), verbose=0, shuffle=False,
                  callbacks=[log, callback or TerminateOnNaN()], **kwargs)
    return seen


def finite_weights(model):
    return all(np.isfinite(w).all() for w in model.get_weights())


def sgd(learning_rate=0.01):
    return axon.optimizers.SGD(learning_rate=learning_rate)


# ---- the non-finite value in the forward pass ----------------------------------------------
def test_forward_in_a_sequential_names_the_layer_epoch_step_and_last_loss(capsys):
    axon.utils.set_random_seed(0)
    model = axon.Sequential([ones_dense(2, input_shape=(3,)), Log(name="log"),
                             axon.layers.Dense(1, name="out")])
    model.compile(optimizer=sgd(), loss="mse")
    x, y = positive_data(zero_at=5)
    seen = fit_logged(model, x, y, initial_epoch=1, epochs=3)
    out = capsys.readouterr().out
    last = seen[-2][2]
    # -inf times the last layer's weights: inf, or nan where signs differ (the weights decide)
    loss = re.escape(f"{last:.6g}")
    assert re.match(rf"TerminateOnNaN: the loss became (nan|inf) at epoch 2/3, step 6/8 "
                    rf"\(last finite loss {loss}, at step 5\); training stops.\n", out), out
    assert "in the forward pass, at layer 'log' (Log): its output holds 2 -inf values out " \
           "of 2 (its input is finite)." in out
    assert "The update of this step was not applied: the weights are those after step 5." in out
    assert len(seen) == 6 and model._nan_report.layer == "log"
    assert finite_weights(model) and not model._nan_guard


def test_the_weights_are_those_before_the_step():
    model = axon.Sequential([ones_dense(2, input_shape=(3,)), Log(name="log"),
                             axon.layers.Dense(1)])
    model.compile(optimizer=sgd(), loss="mse")
    x, y = positive_data(zero_at=3)
    reference = axon.Sequential([ones_dense(2, input_shape=(3,)), Log(), axon.layers.Dense(1)])
    reference.compile(optimizer=sgd(), loss="mse")
    reference.set_weights(model.get_weights())
    reference.fit(x[:3], y[:3], batch_size=1, verbose=0, shuffle=False)  # the 3 finite steps
    fit_logged(model, x, y, epochs=1)
    for ours, theirs in zip(model.get_weights(), reference.get_weights()):
        np.testing.assert_array_equal(ours, theirs)


def test_forward_in_a_functional_model_names_the_branch_layer(capsys):
    inputs = axon.Input(shape=(3,))
    left = axon.layers.Dense(2, activation="tanh", name="left")(inputs)
    right = Log(name="right_log")(ones_dense(2, name="right")(inputs))
    outputs = axon.layers.Dense(1, name="out")(axon.layers.Concatenate()([left, right]))
    model = axon.Model(inputs, outputs)
    model.compile(optimizer=sgd(), loss="mse")
    x, y = positive_data(zero_at=2)
    seen = fit_logged(model, x, y, epochs=2)
    out = capsys.readouterr().out
    assert f"at epoch 1/2, step 3/8 (last finite loss {seen[-2][2]:.6g}, at step 2)" in out
    assert "forward pass, at layer 'right_log' (Log): its output holds 2 -inf values" in out
    assert finite_weights(model)


def test_forward_in_a_subclassed_model_and_in_a_nested_stack(capsys):
    class Net(axon.Model):
        def __init__(self):
            super().__init__()
            self.hidden = ones_dense(2)
            self.log = Log(name="sub_log")
            self.out = axon.layers.Dense(1)

        def call(self, x, training=False):
            return self.out(self.log(self.hidden(x)))

    inner = axon.Sequential([ones_dense(2, input_shape=(3,)), Log(name="inner_log")],
                            name="inner")
    nested = axon.Sequential([inner, axon.layers.Dense(1)])
    x, y = positive_data(zero_at=4)
    for model, layer in ((Net(), "'sub_log' (Log)"), (nested, "'inner_log' (Log)")):
        model.compile(optimizer=sgd(), loss="mse")
        fit_logged(model, x, y, epochs=1)
        out = capsys.readouterr().out
        assert f"forward pass, at layer {layer}: its output holds 2 -inf" in out, out
        assert "epoch 1/1, step 5/8" in out and finite_weights(model)


def test_forward_outside_any_layer_in_a_subclassed_model(capsys):
    class Net(axon.Model):
        def __init__(self):
            super().__init__()
            self.hidden = ones_dense(2)
            self.out = axon.layers.Dense(1, name="after_log")

        def call(self, x, training=False):
            return self.out(F.log(self.hidden(x)))  # the log is in no layer

    model = Net()
    model.compile(optimizer=sgd(), loss="mse")
    fit_logged(model, *positive_data(zero_at=1), epochs=1)
    out = capsys.readouterr().out
    assert "forward pass outside any layer, in what feeds layer 'after_log' (Dense): its " \
           "input holds 2 -inf values out of 2." in out


# ---- the non-finite value in the backward pass only ----------------------------------------
def test_backward_only_names_the_layer_whose_gradient_is_not_finite(capsys):
    model = axon.Sequential([ones_dense(2, input_shape=(3,), name="hidden"), Root(name="root"),
                             axon.layers.Dense(1, name="out")])
    model.compile(optimizer=sgd(), loss="mse")
    x, y = positive_data(zero_at=5)
    seen = fit_logged(model, x, y, epochs=2)
    out = capsys.readouterr().out
    loss, last = seen[-1][2], seen[-2][2]
    assert np.isfinite(loss)  # the forward pass and the loss are finite
    report = model._nan_report
    assert out.startswith(f"TerminateOnNaN: a gradient became non-finite at epoch 1/2, step 6/8 "
                          f"(the loss, {report.loss:.6g}, is finite; last finite loss "
                          f"{last:.6g}, at step 5); training stops.\n")
    assert "The forward pass is finite; the first non-finite value appears in the backward " \
           "pass, at layer 'root' (Root): the gradient with respect to its input holds " in out
    assert "inf values out of 2 (the gradient with respect to its output is finite)." in out
    assert (report.stage, report.layer) == ("backward", "root")
    assert len(seen) == 6 and finite_weights(model)


def test_backward_names_the_weight():
    class Scale(axon.layers.Layer):
        """``y = x * sqrt(s)``: at s = 0 the gradient with respect to the weight s is inf."""

        def build(self, input_shape):
            self.scale = self.add_weight("scale", (1,), initializer="zeros")

        def call(self, inputs, training=False):
            return inputs * F.sqrt(self.scale)

        def compute_output_shape(self, input_shape):
            return input_shape

    model = axon.Sequential([axon.layers.Dense(2, input_shape=(3,)), Scale(name="scale"),
                             axon.layers.Dense(1)])
    model.compile(optimizer=sgd(), loss="mse")
    x, y = positive_data(zero_at=0)
    with np.errstate(all="ignore"):
        finding = diagnose(model, (x, y))
    assert (finding.stage, finding.layer) == ("backward", "scale")
    assert "at layer 'scale' (Scale): the gradient with respect to its weight 'scale' holds " \
           "1 " in finding.text


# ---- exploding weights -------------------------------------------------------------------
def exploding_model(learning_rate):
    axon.utils.set_random_seed(0)
    model = axon.Sequential([axon.layers.Dense(8, activation="relu", input_shape=(3,),
                                               name="hidden"), axon.layers.Dense(1, name="out")])
    model.compile(optimizer=sgd(learning_rate), loss="mse")
    rng = np.random.default_rng(1)
    x = rng.normal(size=(32, 3)).astype("float32")
    return model, x, x.sum(axis=1, keepdims=True)


def test_exploding_weights_overflow_a_layer_output(capsys):
    model, x, y = exploding_model(1e5)
    seen = fit_logged(model, x, y, batch_size=4, epochs=5)
    out = capsys.readouterr().out
    step = seen[-1][1] + 1
    assert out.startswith(f"TerminateOnNaN: the loss became inf at epoch 1/5, step {step}/8 "
                          f"(last finite loss {seen[-2][2]:.6g}, at step {step - 1})")
    assert "forward pass, at layer 'out' (Dense): its output holds " in out
    assert "inf value" in out and "out of 4 (its input is finite)." in out
    assert finite_weights(model)


def test_exploding_outputs_overflow_the_loss(capsys):
    model, x, y = exploding_model(1e10)
    fit_logged(model, x, y, batch_size=4, epochs=5)
    out = capsys.readouterr().out
    assert "The model's outputs are finite (largest magnitude " in out
    assert "but the loss of them is inf: their squares overflow float32" in out
    assert model._nan_report.stage == "loss" and finite_weights(model)


def test_weights_already_non_finite_are_named(capsys):
    model = axon.Sequential([axon.layers.Dense(2, input_shape=(3,), name="first"),
                             axon.layers.Dense(1, name="second")])
    model.compile(optimizer=sgd(), loss="mse")
    weights = model.get_weights()
    weights[2][0, 0] = np.nan  # an earlier update, made without the check
    model.set_weights(weights)
    fit_logged(model, *positive_data(zero_at=0), epochs=1)
    out = capsys.readouterr().out
    assert "(no finite loss before it)" in out
    assert "The weights were not finite before this step: weight 'kernel' of layer 'second' " \
           "(Dense) holds 1 NaN value out of 2." in out


# ---- raise_error, and the guard off ------------------------------------------------------
def test_raise_error_carries_the_message_and_turns_the_check_off():
    model = axon.Sequential([ones_dense(2, input_shape=(3,)), Log(name="log"),
                             axon.layers.Dense(1)])
    model.compile(optimizer=sgd(), loss="mse")
    with pytest.raises(RuntimeError, match=r"(?s)epoch 1/1, step 4/8 .*layer 'log' \(Log\)"):
        fit_logged(model, *positive_data(zero_at=3), TerminateOnNaN(raise_error=True), epochs=1)
    assert not model._nan_guard and finite_weights(model)


def test_without_the_callback_training_is_unchanged(monkeypatch):
    import axon.training.diagnose as diagnose_module

    def never(*args):
        raise AssertionError("the check ran without TerminateOnNaN")
    x, y = positive_data(zero_at=5)
    # Finite data: the same weights, bit for bit, with and without the check.
    runs = []
    for callbacks in ([], [TerminateOnNaN()]):
        axon.utils.set_random_seed(3)
        model = axon.Sequential([axon.layers.Dense(4, activation="tanh", input_shape=(3,)),
                                 axon.layers.Dropout(0.3), axon.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        if not callbacks:
            monkeypatch.setattr(diagnose_module, "apply_if_finite", never)
        model.fit(x + 1, y, batch_size=2, epochs=2, verbose=0, callbacks=callbacks)
        monkeypatch.undo()
        runs.append(model.get_weights())
    for plain, checked in zip(*runs):
        np.testing.assert_array_equal(plain, checked)
    # Non-finite: without the check the update is applied, as before.
    model = axon.Sequential([ones_dense(2, input_shape=(3,)), Log(), axon.layers.Dense(1)])
    model.compile(optimizer=sgd(), loss="mse")
    with np.errstate(all="ignore"):
        model.fit(x, y, batch_size=1, epochs=1, verbose=0, shuffle=False)
    assert not finite_weights(model) and not model._nan_guard


# ---- the diagnosis leaves the model as it was --------------------------------------------
def test_diagnose_changes_no_state():
    axon.utils.set_random_seed(5)
    inputs = axon.Input(shape=(3,))
    hidden = axon.layers.Dropout(0.5, seed=7)(axon.layers.BatchNormalization()(
        axon.layers.Dense(4)(inputs)))
    model = axon.Model(inputs, [axon.layers.Dense(1, name="a")(hidden),
                                axon.layers.Dense(1, name="b")(hidden)])
    model.compile(optimizer=sgd(), loss="mse")
    x, y = positive_data(zero_at=0)
    model.fit(x, [y, y], batch_size=4, epochs=1, verbose=0)
    weights = model.get_weights()
    random_state = axon.backend.generator_state()
    logs = model.get_metrics_result()
    finding = diagnose(model, (x, [y, y]))
    assert finding.stage == "unknown"  # nothing is non-finite here
    for before, after in zip(weights, model.get_weights()):
        np.testing.assert_array_equal(before, after)
    assert axon.backend.generator_state() == random_state
    assert model.get_metrics_result() == logs
    assert all("call" not in layer.__dict__ for layer in model._flatten_layers())
    assert all(w.grad is None or np.isfinite(w.grad).all() for w in model.trainable_weights)


def test_the_input_batch_is_named():
    model = axon.Sequential([axon.layers.Dense(1, input_shape=(2,))])
    model.compile(optimizer=sgd(), loss="mse")
    finding = diagnose(model, (np.array([[1.0, np.inf]], "float32"), np.zeros((1, 1), "float32")))
    assert (finding.stage, finding.text) == ("data", "The batch itself is not finite: x holds "
                                                     "1 +inf value out of 2.")


def test_a_rejected_step_leaves_the_moving_statistics_as_they_were(capsys):
    x, y = positive_data(zero_at=5)   # log(0) = -inf reaches the batch norm at step 6
    model = axon.Sequential([ones_dense(3, input_shape=(3,)), Log(),
                             axon.layers.BatchNormalization(name="norm"), axon.layers.Dense(1)])
    model.compile(optimizer=sgd(), loss="mse")
    norm = model.get_layer("norm")
    statistics = []
    record = LambdaCallback(on_train_batch_end=lambda b, logs: statistics.append(
        (norm.moving_mean.numpy().copy(), norm.moving_variance.numpy().copy())))
    with np.errstate(all="ignore"):
        model.fit(x, y, batch_size=1, verbose=0, shuffle=False,
                  callbacks=[TerminateOnNaN(), record])
    assert "step 6/8" in capsys.readouterr().out
    assert finite_weights(model)
    np.testing.assert_array_equal(norm.moving_mean.numpy(), statistics[-2][0])
    np.testing.assert_array_equal(norm.moving_variance.numpy(), statistics[-2][1])
