"""The noise layers (GaussianNoise, GaussianDropout, AlphaDropout, SpatialDropout1D/2D/3D) and
ActivityRegularization: inference, the statistics of the noise, gradients, seeds, configuration,
argument errors, and training, saving and resuming a model that holds them."""
import math

import numpy as np
import pytest
from layer_testing import run_layer_test

import axon
from axon import callbacks, layers
from tests.callbacks.test_backup_and_restore import Interrupt

RNG = np.random.default_rng(0)
SELU_SATURATION = -1.6732632423543772848170429916717 * 1.0507009873554804934193349852946

# name -> (a layer maker, an input of the rank it expects)
NOISE_LAYERS = {
    "gaussian_noise": (lambda: layers.GaussianNoise(0.5, seed=3), (4, 6)),
    "gaussian_dropout": (lambda: layers.GaussianDropout(0.3, seed=3), (4, 6)),
    "alpha_dropout": (lambda: layers.AlphaDropout(0.3, seed=3), (4, 6)),
    "alpha_dropout_noise_shape": (lambda: layers.AlphaDropout(0.3, noise_shape=(None, 1, 5),
                                                              seed=3), (4, 3, 5)),
    "spatial_1d": (lambda: layers.SpatialDropout1D(0.4, seed=3), (4, 7, 5)),
    "spatial_2d": (lambda: layers.SpatialDropout2D(0.4, seed=3), (4, 3, 5, 6)),
    "spatial_2d_channels_first": (lambda: layers.SpatialDropout2D(
        0.4, data_format="channels_first", seed=3), (4, 6, 3, 5)),
    "spatial_3d": (lambda: layers.SpatialDropout3D(0.4, seed=3), (4, 2, 3, 2, 6)),
}


# ---- inference ------------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(NOISE_LAYERS))
def test_inference_is_the_identity(name):
    make, shape = NOISE_LAYERS[name]
    layer, x = make(), RNG.normal(size=shape).astype("float32")
    np.testing.assert_array_equal(layer(x).numpy(), x)
    assert layer._inference_function() is not None   # predict skips the graph, as for Dropout
    model = axon.Sequential([axon.Input(shape=shape[1:]), make()])
    np.testing.assert_array_equal(model.predict(x, verbose=0), x)


@pytest.mark.parametrize("name", sorted(NOISE_LAYERS))
def test_training_changes_the_input(name):
    make, shape = NOISE_LAYERS[name]
    x = RNG.normal(size=shape).astype("float32")
    assert not np.array_equal(make()(x, training=True).numpy(), x)


def test_zero_rate_or_stddev_is_the_identity_in_training():
    x = RNG.normal(size=(3, 4, 5)).astype("float32")
    for layer in (layers.GaussianNoise(0.0), layers.GaussianDropout(0.0), layers.AlphaDropout(0.0),
                  layers.SpatialDropout1D(0.0)):
        np.testing.assert_array_equal(layer(x, training=True).numpy(), x)


def test_a_time_step_mask_passes_through():
    mask = np.array([[True, True, False]])
    for layer in [make() for make, _ in NOISE_LAYERS.values()] + [layers.ActivityRegularization()]:
        assert layer.compute_mask(None, mask) is mask, layer.name


# ---- statistics of the noise (about 100,000 draws each) -------------------------------------
def test_gaussian_noise_adds_zero_mean_noise_of_stddev():
    x = np.random.default_rng(0).normal(size=(200, 500))
    noise = layers.GaussianNoise(0.5, seed=1, dtype="float64")(x, training=True).numpy() - x
    # measured: mean -0.0023, std 0.4983; the standard error of the mean is 0.5 / 316 = 0.0016
    assert abs(noise.mean()) < 0.006
    assert abs(noise.std() - 0.5) < 0.005


@pytest.mark.parametrize("rate", [0.2, 0.5])
def test_gaussian_dropout_multiplies_by_noise_of_mean_1_and_variance_rate_over_keep(rate):
    x = np.full((200, 500), 2.0)
    factor = layers.GaussianDropout(rate, seed=1, dtype="float64")(x, training=True).numpy() / x
    # measured (rate 0.2): mean 0.9977, variance 0.2483 (expected 0.25);
    # (rate 0.5): mean 0.9954, variance 0.9931 (expected 1)
    expected_variance = rate / (1 - rate)
    assert abs(factor.mean() - 1) < 4 * math.sqrt(expected_variance / x.size)
    assert abs(factor.var() / expected_variance - 1) < 0.02


@pytest.mark.parametrize("rate", [0.1, 0.3])
def test_alpha_dropout_keeps_mean_0_and_variance_1(rate):
    x = np.random.default_rng(9).normal(size=(200, 500))   # measured: mean 0.0028, variance 1.0057
    y = layers.AlphaDropout(rate, seed=1, dtype="float64")(x, training=True).numpy()
    # measured (rate 0.1): mean 0.0032, variance 1.0041; (rate 0.3): mean 0.0015, variance 1.0024
    assert abs(y.mean()) < 0.015
    assert abs(y.var() - 1) < 0.02
    scale = ((1 - rate) * (1 + rate * SELU_SATURATION ** 2)) ** -0.5
    dropped_value = scale * SELU_SATURATION - scale * SELU_SATURATION * rate
    dropped = np.isclose(y, dropped_value, rtol=0, atol=1e-12)
    assert abs(dropped.mean() - rate) < 0.01   # the rest is A x + B, exactly
    kept = ~dropped
    np.testing.assert_allclose(y[kept], scale * x[kept] - scale * SELU_SATURATION * rate,
                               rtol=1e-12)


def test_alpha_dropout_noise_shape_shares_the_mask_along_axis_1():
    x = RNG.normal(size=(50, 4, 6))
    y = layers.AlphaDropout(0.5, noise_shape=(None, 1, None), seed=2, dtype="float64")(
        x, training=True).numpy()
    rate = 0.5
    scale = ((1 - rate) * (1 + rate * SELU_SATURATION ** 2)) ** -0.5
    dropped = np.isclose(y, scale * SELU_SATURATION * (1 - rate), rtol=0, atol=1e-12)
    assert (dropped == dropped[:, :1, :]).all() and 0.4 < dropped.mean() < 0.6


@pytest.mark.parametrize("name", ["spatial_1d", "spatial_2d", "spatial_2d_channels_first",
                                  "spatial_3d"])
def test_spatial_dropout_drops_whole_channels(name):
    make, shape = NOISE_LAYERS[name]
    channels_first = name.endswith("channels_first")
    x = np.abs(np.random.default_rng(2).normal(size=(200,) + shape[1:])) + 0.1   # no zeros
    y = make()(x, training=True).numpy()
    # one row per (sample, channel): every value of that channel's feature map
    per_channel = np.moveaxis(y / x, 1 if channels_first else -1, 1).reshape(200, shape[
        1 if channels_first else -1], -1)
    zero = (per_channel == 0).all(axis=2)
    kept = np.isclose(per_channel, 1 / 0.6, rtol=1e-12).all(axis=2)
    assert (zero | kept).all()   # no channel is partly dropped
    # measured fraction of channels dropped (rate 0.4): 0.406 (1D, 1,000 channels), 0.400 (2D
    # both layouts and 3D, 1,200 channels)
    assert abs(zero.mean() - 0.4) < 0.05


# ---- gradients --------------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(NOISE_LAYERS))
def test_gradient_in_training_is_the_factor_applied_to_x(name):
    """``y = x * f + c`` for noise ``f`` and ``c`` drawn per call; with the generator reset
    before each call, ``f = (y(x) - y(0)) / x`` and ``dL/dx`` must equal ``dL/dy * f``."""
    make, shape = NOISE_LAYERS[name]
    layer = make()
    layer.dtype = "float64"
    x = RNG.normal(size=shape) + 3.0
    upstream = RNG.normal(size=shape)

    def run(value):
        layer._rng = axon.backend.make_rng(11)
        tensor = axon.Tensor(value, requires_grad=True)
        output = layer(tensor, training=True)
        (output * axon.Tensor(upstream)).sum().backward()
        return output.numpy(), tensor.grad

    y, grad = run(x)
    y_at_zero, _ = run(np.zeros(shape))
    factor = (y - y_at_zero) / x
    np.testing.assert_allclose(grad, upstream * factor, rtol=1e-9, atol=1e-12)
    if name.startswith(("spatial", "alpha")):   # a mask: each factor is 0 or one constant
        assert len(np.unique(np.round(factor, 9))) == 2
    if name == "gaussian_noise":
        np.testing.assert_allclose(factor, 1.0, rtol=1e-12)


# ---- seeds --------------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(NOISE_LAYERS))
def test_the_same_seed_repeats_and_each_call_draws_anew(name):
    make, shape = NOISE_LAYERS[name]
    x = RNG.normal(size=shape).astype("float32")
    first, second = make(), make()
    a, b = first(x, training=True).numpy(), second(x, training=True).numpy()
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first(x, training=True).numpy(), a)


def test_unseeded_layers_follow_the_global_seed():
    x = np.ones((8, 10), dtype="float32")
    outputs = []
    for _ in range(2):
        axon.utils.set_random_seed(5)
        outputs.append(layers.GaussianDropout(0.4)(x, training=True).numpy())
    np.testing.assert_array_equal(*outputs)


# ---- configuration --------------------------------------------------------------------------
CONFIG_CASES = [
    (layers.GaussianNoise, {"stddev": 0.2, "seed": 4}, (3, 5)),
    (layers.GaussianDropout, {"rate": 0.25}, (3, 5)),
    (layers.AlphaDropout, {"rate": 0.1, "noise_shape": (None, 1), "seed": 1}, (3, 5)),
    (layers.SpatialDropout1D, {"rate": 0.3, "seed": 2}, (3, 4, 5)),
    (layers.SpatialDropout2D, {"rate": 0.3, "data_format": "channels_first"}, (3, 4, 5, 2)),
    (layers.SpatialDropout3D, {"rate": 0.3}, (3, 2, 2, 2, 4)),
    (layers.ActivityRegularization, {"l1": 0.1, "l2": 0.01}, (3, 5)),
]


@pytest.mark.parametrize("cls, kwargs, shape", CONFIG_CASES, ids=lambda v: getattr(v, "__name__", ""))
def test_config_round_trip(cls, kwargs, shape):
    layer = run_layer_test(cls, kwargs, RNG.normal(size=shape).astype("float32"), shape,
                           expected_weights=[])
    config = layer.get_config()
    assert {key: config[key] for key in kwargs} == kwargs
    restored = layers.deserialize(layers.serialize(layer))
    assert type(restored) is cls and restored.get_config() == config


def test_keras_signatures_and_defaults():
    assert "data_format" not in layers.SpatialDropout1D(0.1).get_config()   # as Keras 3
    assert layers.SpatialDropout1D(0.1, 7).seed == 7    # Keras's positional order: rate, seed
    assert layers.SpatialDropout2D(0.1).data_format == "channels_last"
    assert layers.SpatialDropout3D(0.1, "channels_first", 2).seed == 2
    config = layers.ActivityRegularization(l1=0.5).get_config()
    assert config["l1"] == 0.5 and config["l2"] == 0.0 and "activity_regularizer" not in config


# ---- argument errors ------------------------------------------------------------------------
@pytest.mark.parametrize("make, message", [
    (lambda: layers.GaussianNoise(-0.1), r"GaussianNoise expects stddev .* Received: stddev=-0.1"),
    (lambda: layers.GaussianNoise(float("nan")), r"stddev=nan"),
    (lambda: layers.GaussianNoise("a"), r"stddev='a'"),
    (lambda: layers.GaussianDropout(1.0), r"GaussianDropout expects rate .*\[0, 1\). Received: rate=1.0"),
    (lambda: layers.GaussianDropout(-0.2), r"rate=-0.2"),
    (lambda: layers.AlphaDropout(1.5), r"AlphaDropout expects rate .*\[0, 1\). Received: rate=1.5"),
    (lambda: layers.AlphaDropout(0.1, noise_shape=3), r"noise_shape=3"),
    (lambda: layers.AlphaDropout(0.1, noise_shape=(None, 0)), r"noise_shape=\(None, 0\)"),
    (lambda: layers.SpatialDropout1D(True), r"SpatialDropout1D expects rate .* Received: rate=True"),
    (lambda: layers.SpatialDropout2D(0.1, data_format="nhwc"), r"data_format='nhwc'"),
    (lambda: layers.SpatialDropout3D(0.1, seed=-1), r"SpatialDropout3D expects seed .* seed=-1"),
    (lambda: layers.GaussianDropout(0.1, seed=1.5), r"seed=1.5"),
    (lambda: layers.ActivityRegularization(l1=-1.0), r"ActivityRegularization expects l1 .* l1=-1.0"),
    (lambda: layers.ActivityRegularization(l2=float("inf")), r"l2=inf"),
])
def test_bad_arguments_are_clear_errors(make, message):
    with pytest.raises(ValueError, match=message):
        make()


@pytest.mark.parametrize("layer, shape, expected", [
    (layers.SpatialDropout1D(0.1), (2, 5), r"rank 3, \(batch, steps, channels\)"),
    (layers.SpatialDropout2D(0.1), (2, 3, 5), r"rank 4, \(batch, height, width, channels\)"),
    (layers.SpatialDropout2D(0.1, data_format="channels_first"), (2, 3, 4, 5, 6),
     r"rank 4, \(batch, channels, height, width\)"),
    (layers.SpatialDropout3D(0.1), (2, 3, 4, 5), r"rank 5, \(batch, depth, height, width, channels\)"),
])
def test_spatial_dropout_names_the_rank_it_expects(layer, shape, expected):
    with pytest.raises(ValueError, match=expected):
        layer(np.zeros(shape, dtype="float32"))
    layer(np.zeros((2,) * (layer.spatial_rank + 2), dtype="float32"))   # then built: checked again
    with pytest.raises(ValueError, match=expected):
        layer(np.zeros(shape, dtype="float32"))


def test_alpha_dropout_noise_shape_must_broadcast():
    layer = layers.AlphaDropout(0.2, noise_shape=(None, 3))
    with pytest.raises(ValueError, match=r"noise_shape=\(None, 3\) does not broadcast .* \(2, 4\)"):
        layer(np.zeros((2, 4), dtype="float32"), training=True)


# ---- ActivityRegularization -------------------------------------------------------------------
def test_activity_regularization_adds_l1_and_l2_of_its_input_to_the_losses():
    x = RNG.normal(size=(4, 3))
    layer = layers.ActivityRegularization(l1=0.1, l2=0.2, dtype="float64")
    tensor = axon.Tensor(x, requires_grad=True)
    output = layer(tensor)
    np.testing.assert_array_equal(output.numpy(), x)
    [penalty] = layer.losses
    expected = 0.1 * np.abs(x).sum() + 0.2 * (x ** 2).sum()
    assert penalty.item() == pytest.approx(expected, rel=1e-12)
    penalty.backward()
    np.testing.assert_allclose(tensor.grad, 0.1 * np.sign(x) + 0.4 * x, rtol=1e-12)
    layer(x[:2])   # each call replaces the penalty of the previous one
    assert layer.losses[0].item() == pytest.approx(
        0.1 * np.abs(x[:2]).sum() + 0.2 * (x[:2] ** 2).sum(), rel=1e-12)


def test_activity_regularization_penalty_joins_the_training_loss():
    x = RNG.normal(size=(8, 3)).astype("float32")
    y = RNG.normal(size=(8, 1)).astype("float32")
    model = axon.Sequential([axon.Input(shape=(3,)), layers.ActivityRegularization(l1=0.1, l2=0.2),
                             layers.Dense(1, kernel_initializer="zeros")])
    model.compile(optimizer=axon.optimizers.SGD(0.0), loss="mse")
    loss = model.fit(x, y, batch_size=8, epochs=1, verbose=0, shuffle=False).history["loss"][0]
    expected = (y ** 2).mean() + 0.1 * np.abs(x).sum() + 0.2 * (x ** 2).sum()
    assert loss == pytest.approx(expected, rel=1e-5)


# ---- in models: fit, save and load, resume ----------------------------------------------------
def _noisy_model():
    inputs = axon.Input(shape=(6, 4))
    h = layers.GaussianNoise(0.1, seed=1)(inputs)
    h = layers.SpatialDropout1D(0.2, seed=2)(h)
    h = layers.Conv1D(5, 3, activation="selu")(h)
    h = layers.AlphaDropout(0.1, seed=3)(h)
    h = layers.Flatten()(layers.GaussianDropout(0.2)(h))
    h = layers.ActivityRegularization(l2=1e-4)(h)
    h = layers.Dense(3, activation="softmax")(h)
    model = axon.Model(inputs, h)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def _images():
    x = np.random.default_rng(1).normal(size=(48, 6, 4)).astype("float32")
    return x, (x[:, :, 0].sum(axis=1) > 0).astype("int64") + (x[:, 0, 1] > 0.5)


def test_model_with_the_noise_layers_trains_saves_and_loads(tmp_path):
    axon.utils.set_random_seed(0)
    x, y = _images()
    model = _noisy_model()
    history = model.fit(x, y, batch_size=8, epochs=8, verbose=0).history
    assert history["loss"][-1] < history["loss"][0]
    model.save(tmp_path / "noisy.axon")
    loaded = axon.models.load_model(tmp_path / "noisy.axon")
    assert [type(layer).__name__ for layer in loaded.layers] == \
        [type(layer).__name__ for layer in model.layers]
    assert [layer.get_config() for layer in loaded.layers] == \
        [layer.get_config() for layer in model.layers]
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


def test_checkpoints_capture_the_seeded_layers_generators():
    model = _noisy_model()
    seeded = [type(layer).__name__ for _, layer, _ in model._seeded_layers()]
    assert seeded == ["GaussianNoise", "SpatialDropout1D", "AlphaDropout"]   # not the unseeded one


def _train(folder, interrupt_at=None):
    axon.utils.set_random_seed(0)
    x, y = _images()
    model = _noisy_model()
    try:
        history = model.fit(x, y, batch_size=8, epochs=3, verbose=0, callbacks=[
            Interrupt(interrupt_at), callbacks.BackupAndRestore(folder, save_freq=2)])
    except KeyboardInterrupt:
        return None
    return model.get_weights(), history.history


def test_resumed_training_draws_the_same_noise_as_the_uninterrupted_run(tmp_path):
    weights, history = _train(tmp_path / "reference")
    assert _train(tmp_path / "run", interrupt_at=9) is None
    resumed_weights, resumed_history = _train(tmp_path / "run")
    assert resumed_history == history
    for got, expected in zip(resumed_weights, weights):
        np.testing.assert_array_equal(got, expected)
