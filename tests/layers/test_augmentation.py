"""RandomFlip / RandomTranslation / RandomRotation / RandomZoom: identity at inference, seeded
draws, known pixels, Keras 3 golden outputs, gradients, layouts and errors."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from layer_testing import layer_gradcheck, run_layer_test

import axon
from axon.layers import augmentation as A
from axon.layers.augmentation import RandomFlip, RandomRotation, RandomTranslation, RandomZoom

rng = np.random.default_rng(7)
GOLDEN = json.loads((Path(__file__).parent / "augmentation_keras_golden.json").read_text())
SQUARE = np.arange(16, dtype="float64").reshape(1, 4, 4, 1)
ALL = [(RandomFlip, {}), (RandomTranslation, {"height_factor": 0.2, "width_factor": 0.3}),
       (RandomRotation, {"factor": 0.2}), (RandomZoom, {"height_factor": 0.3})]


@pytest.mark.parametrize(("cls", "kwargs"), ALL)
def test_identity_at_inference_and_shape_kept_in_training(cls, kwargs):
    x = rng.normal(size=(3, 5, 6, 2))
    layer = cls(**kwargs, seed=1, dtype="float64")
    np.testing.assert_array_equal(layer(x).numpy(), x)
    assert layer(x, training=True).shape == x.shape
    assert layer(x[0], training=True).shape == x.shape[1:]  # one unbatched image
    assert layer(rng.normal(size=(2, 7, 3, 2)), training=True).shape == (2, 7, 3, 2)
    run_layer_test(cls, {**kwargs, "seed": 3}, x, x.shape, expected_weights=[])


@pytest.mark.parametrize(("cls", "kwargs"), ALL)
def test_seeded_draws_repeat_and_vary(cls, kwargs):
    x = rng.normal(size=(8, 5, 5, 1))
    first, second = cls(**kwargs, seed=4), cls(**kwargs, seed=4)
    a, b = first(x, training=True).numpy(), second(x, training=True).numpy()
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first(x, training=True).numpy(), a)  # each call draws anew
    axon.utils.set_random_seed(9)
    c = cls(**kwargs)(x, training=True).numpy()
    axon.utils.set_random_seed(9)
    np.testing.assert_array_equal(cls(**kwargs)(x, training=True).numpy(), c)


@pytest.mark.parametrize("case", GOLDEN["cases"], ids=lambda c: (
    f"{c['layer']}-{c['fill_mode']}-{c['interpolation']}-{list(c['kwargs'].values())[0][0]}"))
def test_matches_keras_golden_outputs(case):
    """Keras 3.15.1 (jax backend) with degenerate ranges (lower == upper) fixes the draw."""
    image = (np.arange(30, dtype="float64").reshape(1, 5, 6, 1) * 1.5) ** 1.2
    layer = getattr(A, case["layer"])(**case["kwargs"], fill_mode=case["fill_mode"],
                                      interpolation=case["interpolation"],
                                      fill_value=case["fill_value"], dtype="float64")
    np.testing.assert_allclose(layer(image, training=True).numpy()[0, :, :, 0], case["output"],
                               atol=2e-4, rtol=1e-5)


def test_quarter_turn_is_rot90_counter_clockwise():
    turned = RandomRotation((0.25, 0.25), dtype="float64")(SQUARE, training=True).numpy()
    np.testing.assert_allclose(turned[0, :, :, 0], np.rot90(SQUARE[0, :, :, 0]), atol=1e-12)
    back = RandomRotation((-0.25, -0.25), dtype="float64")(SQUARE, training=True).numpy()
    np.testing.assert_allclose(back[0, :, :, 0], np.rot90(SQUARE[0, :, :, 0], -1), atol=1e-12)


def test_one_pixel_translation_with_each_fill_mode():
    image = SQUARE[0, :, :, 0]
    down = {"height_factor": (0.25, 0.25), "width_factor": 0.0}
    out = RandomTranslation(**down, fill_mode="constant", fill_value=-1.0, dtype="float64")(
        SQUARE, training=True).numpy()[0, :, :, 0]
    np.testing.assert_array_equal(out, np.vstack([np.full(4, -1.0), image[:3]]))
    for fill_mode, top in (("reflect", image[0]), ("nearest", image[0]), ("wrap", image[3])):
        out = RandomTranslation(**down, fill_mode=fill_mode, dtype="float64")(
            SQUARE, training=True).numpy()[0, :, :, 0]
        np.testing.assert_array_equal(out, np.vstack([top, image[:3]]))
    left = RandomTranslation(0.0, (-0.25, -0.25), fill_mode="constant", dtype="float64")
    out = left(SQUARE, training=True).numpy()[0, :, :, 0]
    np.testing.assert_array_equal(out, np.hstack([image[:, 1:], np.zeros((4, 1))]))


def test_zoom_of_a_constant_image_and_zoom_in_by_two():
    constant = np.full((2, 6, 5, 3), 0.7)
    for fill_mode in ("reflect", "wrap", "nearest"):
        out = RandomZoom(0.5, fill_mode=fill_mode, seed=2, dtype="float64")(constant,
                                                                           training=True)
        np.testing.assert_allclose(out.numpy(), 0.7, atol=1e-12)
    # zooming in by 2 (z = 1 - 0.5): output (x, y) reads input (x/2 + 0.75, y/2 + 0.75) on 4x4
    out = RandomZoom((-0.5, -0.5), dtype="float64")(SQUARE, training=True).numpy()[0, :, :, 0]
    grid = np.arange(4) / 2 + 0.75
    expected = grid[:, None] * 4 + grid[None, :]  # bilinear on a linear image is exact
    np.testing.assert_allclose(out, expected, atol=1e-12)


def test_flips_give_identity_or_exact_mirror_images():
    x = rng.normal(size=(64, 3, 4, 2))
    for mode, mirror in (("horizontal", x[:, :, ::-1]), ("vertical", x[:, ::-1]),
                         ("horizontal_and_vertical", x[:, ::-1, ::-1])):
        out = RandomFlip(mode, seed=0, dtype="float64")(x, training=True).numpy()
        same = np.all(out == x, axis=(1, 2, 3))
        flipped = np.all(out == mirror, axis=(1, 2, 3))
        assert np.all(same | flipped) and 10 < flipped.sum() < 54, mode


def test_channels_first_agrees_with_channels_last():
    x = rng.normal(size=(3, 5, 6, 2))
    for cls, kwargs in ALL:
        last = cls(**kwargs, seed=5, dtype="float64")(x, training=True).numpy()
        first = cls(**kwargs, seed=5, data_format="channels_first", dtype="float64")(
            x.transpose(0, 3, 1, 2), training=True).numpy()
        np.testing.assert_allclose(first.transpose(0, 2, 3, 1), last, atol=1e-12)


@pytest.mark.parametrize(("cls", "kwargs"), ALL + [
    (RandomRotation, {"factor": 0.3, "fill_mode": "constant", "fill_value": 1.5}),
    (RandomZoom, {"height_factor": 0.3, "width_factor": 0.2, "interpolation": "nearest"})])
def test_gradcheck_in_training(cls, kwargs):
    layer = cls(**kwargs, seed=3, dtype="float64")
    x = rng.normal(size=(2, 4, 5, 2))
    layer(x)

    def reseed():
        layer._rng = axon.backend.make_rng(3)

    assert layer_gradcheck(layer, x, training=True, before_call=reseed)


def test_usable_inside_a_model_that_trains():
    inp = axon.Input((6, 6, 1))
    h = RandomRotation(0.1, seed=0)(RandomFlip("horizontal", seed=0)(inp))
    model = axon.Model(inp, axon.layers.Dense(1)(axon.layers.Flatten()(h)))
    model.compile(optimizer="sgd", loss="mse")
    x = rng.normal(size=(16, 6, 6, 1)).astype("float32")
    model.fit(x, x.sum(axis=(1, 2, 3)), epochs=2, batch_size=8, verbose=0)
    np.testing.assert_allclose(model.predict(x, verbose=0),
                               model.layers[-1](x.reshape(16, 36)).numpy(), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize(("build", "match"), [
    (lambda: RandomRotation(1.5), r"factor=1.5"),
    (lambda: RandomRotation((0.1, 0.2, 0.3)), r"factor=\(0.1, 0.2, 0.3\)"),
    (lambda: RandomRotation("big"), "factor='big'"),
    (lambda: RandomTranslation(0.1, -1.2), "width_factor=-1.2"),
    (lambda: RandomZoom(-1.0), r"height_factor=-1.0"),
    (lambda: RandomZoom(0.2, (0.1, 2.0)), r"width_factor=\(0.1, 2.0\)"),
    (lambda: RandomZoom(0.2, fill_mode="mirror"), "fill_mode='mirror'"),
    (lambda: RandomRotation(0.2, interpolation="bicubic"), "interpolation='bicubic'"),
    (lambda: RandomFlip("diagonal"), "mode='diagonal'"),
    (lambda: RandomFlip(data_format="nchw"), "data_format='nchw'"),
    (lambda: RandomFlip(seed=-1), "seed=-1"),
    (lambda: RandomRotation(0.2, fill_value="zero"), "fill_value='zero'"),
])
def test_bad_arguments_are_rejected(build, match):
    with pytest.raises(ValueError, match=match):
        build()


def test_bad_input_rank_is_rejected():
    with pytest.raises(ValueError, match=r"rank 4 .* Received: shape=\(None, 5\)"):
        RandomFlip()(np.zeros((4, 5)))
    with pytest.raises(ValueError, match="expects a single input"):
        RandomZoom(0.1)([np.zeros((1, 4, 4, 1)), np.zeros((1, 4, 4, 1))])
