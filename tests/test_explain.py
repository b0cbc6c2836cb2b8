"""axon.explain: gradient attributions, checked against their mathematical properties."""
import numpy as np
import pytest

import axon
from axon import explain, layers


@pytest.fixture(scope="module")
def mlp():
    axon.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(256, 6)).astype("float32")
    y = (x[:, 0] + x[:, 1] * x[:, 2] > 0).astype("int64") + (x[:, 3] > 1).astype("int64")
    model = axon.Sequential([layers.Dense(16, activation="tanh", input_shape=(6,)),
                             layers.Dense(16, activation="relu"),
                             layers.Dense(3, activation="softmax")])
    model.compile(optimizer=axon.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy")
    model.fit(x, y, epochs=5, batch_size=32, verbose=0)
    return model, x[:16]


@pytest.fixture(scope="module")
def mnist_cnn(shared_datasets):
    (x_train, y_train), (x_test, y_test) = axon.datasets.mnist.load_data(
        path=shared_datasets / "mnist")
    axon.utils.set_random_seed(0)
    model = axon.Sequential([layers.Conv2D(8, 3, activation="relu", input_shape=(28, 28, 1)),
                             layers.MaxPooling2D(), layers.Conv2D(16, 3, activation="relu"),
                             layers.MaxPooling2D(), layers.Flatten(),
                             layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(x_train[:6000, ..., None] / 255.0, y_train[:6000], epochs=1, batch_size=64,
              verbose=0)
    return model, (x_test[:20, ..., None] / 255.0).astype("float32")


def _relative_gaps(model, x, steps=50):
    attributions, delta = explain.integrated_gradients(model, x, steps=steps, return_delta=True)
    rows, targets = np.arange(len(x)), model.predict(x, verbose=0).argmax(1)
    change = model.predict(x, verbose=0)[rows, targets] - \
        model.predict(np.zeros_like(x), verbose=0)[rows, targets]
    assert attributions.shape == x.shape
    np.testing.assert_allclose(attributions.reshape(len(x), -1).sum(1) - change, delta,
                               rtol=1e-4, atol=1e-6)
    return np.abs(delta / change)


def test_integrated_gradients_completeness_within_1_percent_on_an_mlp(mlp):
    # ReLU kinks along the path make the integrand jump, so the quadrature converges slowly
    # here: worst sample 2.0% at 50 points, 1.1% at 100, 0.33% at 200 (measured).
    model, x = mlp
    gaps = _relative_gaps(model, x, steps=200)
    assert gaps.max() < 0.01, gaps


def test_integrated_gradients_completeness_within_1_percent_on_a_cnn(mnist_cnn):
    model, x = mnist_cnn
    gaps = _relative_gaps(model, x)   # the default 50 points (worst of 20 digits: 0.39%)
    assert gaps.max() < 0.01, gaps


def test_saliency_on_an_mnist_cnn_highlights_the_digit(mnist_cnn):
    model, x = mnist_cnn
    digit = x[..., 0] > 0.5    # about 12% of the pixels
    for attributions in (explain.saliency(model, x),
                         explain.smoothgrad(model, x, samples=10, seed=0, absolute=True)):
        per_pixel_inside = (attributions[..., 0] * digit).sum((1, 2)) / digit.sum((1, 2))
        per_pixel_outside = (attributions[..., 0] * ~digit).sum((1, 2)) / (~digit).sum((1, 2))
        ratio = per_pixel_inside / per_pixel_outside
        assert (ratio > 1).all() and np.median(ratio) > 2, ratio
    product = explain.gradient_x_input(model, x)
    inside, outside = np.abs(product[..., 0] * digit).sum(), np.abs(product[..., 0] * ~digit).sum()
    assert inside > outside


def test_a_linear_model_gives_the_textbook_values():
    model = axon.Sequential([layers.Dense(2, use_bias=False, input_shape=(3,))])
    kernel = np.array([[1.0, -2.0], [0.5, 3.0], [-1.0, 0.0]], "float32")
    model.set_weights([kernel])
    x = np.array([[1.0, 2.0, 3.0], [0.0, -1.0, 2.0]], "float32")
    np.testing.assert_allclose(explain.saliency(model, x, target=1), np.abs(kernel[:, 1]) + 0 * x)
    np.testing.assert_allclose(explain.saliency(model, x, target=0, absolute=False),
                               kernel[:, 0] + 0 * x)
    product = explain.gradient_x_input(model, x, target=[0, 1])
    np.testing.assert_allclose(product.sum(1), (x @ kernel)[[0, 1], [0, 1]], rtol=1e-6)
    attributions, delta = explain.integrated_gradients(model, x, target=0, steps=3,
                                                       return_delta=True)
    np.testing.assert_allclose(attributions, x * kernel[:, 0], rtol=1e-6)
    np.testing.assert_allclose(delta, 0.0, atol=1e-5)


def test_smoothgrad_without_noise_is_the_gradient_and_a_seed_repeats_it(mlp):
    model, x = mlp
    np.testing.assert_allclose(explain.smoothgrad(model, x, noise_level=0.0, samples=3),
                               explain.saliency(model, x, absolute=False), rtol=1e-6)
    first = explain.smoothgrad(model, x, samples=4, seed=3)
    np.testing.assert_array_equal(first, explain.smoothgrad(model, x, samples=4, seed=3))


def test_a_baseline_of_one_sample_broadcasts(mlp):
    model, x = mlp
    baseline = x.mean(axis=0)
    attributions, delta = explain.integrated_gradients(model, x, baseline=baseline, steps=200,
                                                       return_delta=True)
    rows, targets = np.arange(len(x)), model.predict(x, verbose=0).argmax(1)
    change = model.predict(x, verbose=0)[rows, targets] - \
        model.predict(np.broadcast_to(baseline, x.shape), verbose=0)[rows, targets]
    # relative to the change, but one sample's change is only -0.004: 1% of at least 0.1 there
    assert (np.abs(delta) < 0.01 * np.maximum(np.abs(change), 0.1)).all(), (delta, change)


@pytest.mark.parametrize("call, error, message", [
    (lambda m, x: explain.integrated_gradients(m, x, steps=0), ValueError, "steps to be a positive"),
    (lambda m, x: explain.smoothgrad(m, x, samples=0), ValueError, "samples to be a positive"),
    (lambda m, x: explain.saliency(m, x, target=0.5), TypeError, "integer class indices"),
    (lambda m, x: explain.saliency(m, np.array([["a"]])), TypeError, "numeric input"),
])
def test_bad_arguments(mlp, call, error, message):
    model, x = mlp
    with pytest.raises(error, match=message):
        call(model, x)


def test_plot_attribution_draws_over_the_image(mnist_cnn, tmp_path):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    model, x = mnist_cnn
    ax = explain.plot_attribution(x[0], explain.saliency(model, x[:1])[0], title="saliency")
    ax.figure.savefig(tmp_path / "saliency.png")
    assert (tmp_path / "saliency.png").stat().st_size > 1000
