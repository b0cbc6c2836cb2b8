"""GradientTape and engine.tensor.grad: gradients on request, without touching .grad."""
import numpy as np
import pytest

import axon
from axon.engine.tensor import grad


def test_gradient_of_a_variable_matches_the_formula_and_leaves_grad_alone():
    w = axon.Variable(np.array([[2.0], [-1.0]]), name="w", dtype="float64")
    x = axon.Tensor(np.array([[3.0, 4.0]]))
    with axon.GradientTape() as tape:
        loss = ((x @ w - 1.0) ** 2).sum()
    (dw,) = tape.gradient(loss, [w])
    # d/dw (x w - 1)^2 = 2 (x w - 1) x^T; x w = 2
    np.testing.assert_allclose(dw.numpy(), 2 * (2.0 - 1.0) * np.array([[3.0], [4.0]]))
    assert w.grad is None


def test_watch_makes_a_plain_tensor_differentiable():
    x = axon.Tensor(np.array([1.0, 2.0, 3.0]))
    with axon.GradientTape() as tape:
        tape.watch(x)
        y = (x * x * x).sum()
    np.testing.assert_allclose(tape.gradient(y, x).numpy(), 3 * np.array([1.0, 4.0, 9.0]))


def test_unconnected_source_gives_none_and_structures_are_kept():
    a = axon.Variable([1.0], name="a")
    b = axon.Variable([1.0], name="b")
    with axon.GradientTape() as tape:
        y = (a * 5.0).sum()
    grads = tape.gradient(y, {"a": a, "b": [b]})
    assert grads["b"] == [None]
    assert grads["a"].numpy().tolist() == [5.0]


def test_non_persistent_tape_refuses_a_second_call_and_persistent_allows_it():
    w = axon.Variable([2.0])
    with axon.GradientTape() as tape:
        y = (w * w).sum()
    tape.gradient(y, w)
    with pytest.raises(RuntimeError, match="persistent=True"):
        tape.gradient(y, w)
    with axon.GradientTape(persistent=True) as tape:
        y = (w * w).sum()
        z = (w * 3.0).sum()
    assert tape.gradient(y, w).numpy().tolist() == [4.0]
    assert tape.gradient(z, w).numpy().tolist() == [3.0]
    assert tape.gradient(y, w).numpy().tolist() == [4.0]


def test_tape_records_inside_no_grad_and_stop_recording_stops():
    w = axon.Variable([1.5])
    with axon.no_grad(), axon.GradientTape() as tape:
        y = (w * w).sum()
        with tape.stop_recording():
            frozen = w * 10.0
    assert tape.gradient(y, w).numpy().tolist() == [3.0]
    assert not frozen.requires_grad


def test_non_scalar_target_is_summed_as_tensorflow_does():
    w = axon.Variable([1.0, 2.0])
    with axon.GradientTape() as tape:
        y = w * w
    assert tape.gradient(y, w).numpy().tolist() == [2.0, 4.0]


def test_bad_arguments_are_clear():
    w = axon.Variable([1.0])
    with axon.GradientTape() as tape:
        y = (w * 2.0).sum()
        with pytest.raises(TypeError, match="watch expects Tensors"):
            tape.watch(np.zeros(3))
    with pytest.raises(TypeError, match="sources to be Tensors"):
        tape.gradient(y, [np.zeros(1)])


def test_engine_grad_matches_backward():
    x = axon.Tensor(np.array([0.5, -1.0]), requires_grad=True)
    y = (axon.engine.functional.tanh(x) * x).sum()
    (g,) = grad(y, [x], retain_graph=True)
    y.backward()
    np.testing.assert_allclose(g, x.grad)


def test_tape_trains_a_model_with_apply_gradients():
    axon.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(128, 3)).astype("float32")
    y = x @ np.array([[1.0], [-2.0], [0.5]], "float32") + 0.3
    model = axon.Sequential([axon.Input(shape=(3,)), axon.layers.Dense(1)])
    optimizer = axon.optimizers.SGD(learning_rate=0.1)
    loss_fn = axon.losses.MeanSquaredError()
    for _ in range(200):
        with axon.GradientTape() as tape:
            loss = loss_fn(y, model(x, training=True))
        grads = tape.gradient(loss, model.trainable_weights)
        optimizer.apply_gradients(zip(grads, model.trainable_weights))
    assert loss.item() < 1e-4
    np.testing.assert_allclose(model.layers[0].kernel.numpy().ravel(), [1.0, -2.0, 0.5],
                               atol=1e-2)
