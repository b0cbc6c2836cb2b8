"""UpSampling, ZeroPadding and Cropping (1D, 2D and 3D): values against explicit-loop float64
references, Keras golden values for bilinear up-sampling and the 3D layers, float64 gradient
checks in both data formats, output shapes, configs, errors, and a model that trains."""
from __future__ import annotations

import itertools
import json
import math
import pathlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from layer_testing import layer_gradcheck, run_layer_test

import axon
from axon.layers.spatial import (
    Cropping1D,
    Cropping2D,
    Cropping3D,
    UpSampling1D,
    UpSampling2D,
    UpSampling3D,
    ZeroPadding1D,
    ZeroPadding2D,
    ZeroPadding3D,
)

FEW = settings(max_examples=6, deadline=None, database=None)
FORMATS = ["channels_last", "channels_first"]
rng = np.random.default_rng(11)


def _to_first(x):
    return np.moveaxis(x, -1, 1)


def _check_layer(layer, x_last, expected_last, data_format):
    """Output equals the channels_last reference (moved for channels_first), the shape agrees
    with compute_output_shape, and the float64 gradient checks."""
    first = data_format == "channels_first"
    x = _to_first(x_last) if first else x_last
    y = layer(x)
    np.testing.assert_allclose(y.numpy(), _to_first(expected_last) if first else expected_last,
                               rtol=1e-12, atol=1e-12)
    assert layer.compute_output_shape(x.shape) == y.shape
    none_spatial = (None,) * (x.ndim - 2)
    unknown = (None, x.shape[1], *none_spatial) if first else (None, *none_spatial, x.shape[-1])
    assert layer.compute_output_shape(unknown) == unknown
    assert layer_gradcheck(layer, x)


# ---- up-sampling -------------------------------------------------------------------------------
def loop_nearest(x, sizes):
    out = np.zeros((x.shape[0], *[n * s for n, s in zip(x.shape[1:-1], sizes)], x.shape[-1]))
    for index in itertools.product(*(range(n) for n in out.shape)):
        b, *o, c = index
        out[index] = x[(b, *[oi // s for oi, s in zip(o, sizes)], c)]
    return out


def loop_bilinear(x, sizes):
    """Half-pixel-centred linear interpolation clamped at the borders, by loops."""
    h, w = x.shape[1:3]
    out = np.zeros((x.shape[0], h * sizes[0], w * sizes[1], x.shape[-1]))

    def taps(i, n, s):
        u = min(max((i + 0.5) / s - 0.5, 0.0), n - 1.0)
        low = math.floor(u)
        return [(low, 1.0 - (u - low)), (min(low + 1, n - 1), u - low)]

    for b, i, j, c in itertools.product(*(range(n) for n in out.shape)):
        out[b, i, j, c] = sum(wi * wj * x[b, p, q, c] for p, wi in taps(i, h, sizes[0])
                              for q, wj in taps(j, w, sizes[1]))
    return out


@FEW
@given(size=st.tuples(st.integers(1, 3), st.integers(1, 3)), hw=st.tuples(st.integers(1, 3),
                                                                            st.integers(1, 3)),
       data_format=st.sampled_from(FORMATS), interpolation=st.sampled_from(["nearest",
                                                                            "bilinear"]))
def test_up_sampling_2d_values_and_gradients(size, hw, data_format, interpolation):
    x = rng.standard_normal((2, *hw, 3))
    expected = (loop_nearest if interpolation == "nearest" else loop_bilinear)(x, size)
    layer = UpSampling2D(size, data_format=data_format, interpolation=interpolation,
                         dtype="float64")
    _check_layer(layer, x, expected, data_format)


def test_up_sampling_2d_bilinear_matches_keras():
    # Keras 3.15.1, KERAS_BACKEND=jax: UpSampling2D(s, interpolation="bilinear") on
    # arange(6).reshape(1, 2, 3, 1).
    x = np.arange(6.0).reshape(1, 2, 3, 1)
    by_2 = [[0.0, 0.25, 0.75, 1.25, 1.75, 2.0], [0.75, 1.0, 1.5, 2.0, 2.5, 2.75],
            [2.25, 2.5, 3.0, 3.5, 4.0, 4.25], [3.0, 3.25, 3.75, 4.25, 4.75, 5.0]]
    np.testing.assert_allclose(UpSampling2D(2, interpolation="bilinear")(x).numpy()[0, ..., 0],
                               by_2, atol=1e-6)
    third = [0.0, 0.0, 1 / 3, 2 / 3, 1.0, 4 / 3, 5 / 3, 2.0, 2.0]
    by_3 = UpSampling2D(3, interpolation="BILINEAR")(x).numpy()[0, ..., 0]
    np.testing.assert_allclose(by_3[0], third, atol=1e-6)
    np.testing.assert_allclose(by_3[3], np.array(third) + 2.0, atol=1e-6)


def test_up_sampling_defaults_and_config_round_trip():
    x = rng.standard_normal((2, 3, 2, 4))
    layer = run_layer_test(UpSampling2D, {}, x, (2, 6, 4, 4), expected_weights=[])
    assert layer.get_config()["size"] == (2, 2)
    assert layer.get_config()["interpolation"] == "nearest"
    clone = UpSampling2D.from_config(json.loads(json.dumps(layer.get_config())))
    np.testing.assert_array_equal(clone(x).numpy(), layer(x).numpy())
    layer_1d = run_layer_test(UpSampling1D, {"size": 3}, x[:, :, :, 0], (2, 9, 2))
    assert "data_format" not in layer_1d.get_config()


def test_up_sampling_1d_values_and_gradients():
    x = rng.standard_normal((2, 3, 2))
    _check_layer(UpSampling1D(dtype="float64"), x, loop_nearest(x, (2,)), "channels_last")


# ---- zero padding ------------------------------------------------------------------------------
def loop_pad(x, pads):
    shape = [n + before + after for n, (before, after) in zip(x.shape[1:-1], pads)]
    out = np.zeros((x.shape[0], *shape, x.shape[-1]))
    for index in itertools.product(*(range(n) for n in x.shape)):
        b, *p, c = index
        out[(b, *[pi + before for pi, (before, _) in zip(p, pads)], c)] = x[index]
    return out


@pytest.mark.parametrize("data_format", FORMATS)
@pytest.mark.parametrize(("padding", "pads"), [
    (1, ((1, 1), (1, 1))), ((2, 0), ((2, 2), (0, 0))), (((0, 2), (1, 3)), ((0, 2), (1, 3))),
    ([[1, 0], [0, 1]], ((1, 0), (0, 1))),
])
def test_zero_padding_2d_forms(padding, pads, data_format):
    x = rng.standard_normal((2, 3, 2, 2))
    layer = ZeroPadding2D(padding, data_format=data_format, dtype="float64")
    _check_layer(layer, x, loop_pad(x, pads), data_format)
    assert layer.get_config()["padding"] == pads


@pytest.mark.parametrize("data_format", FORMATS)
@pytest.mark.parametrize(("padding", "pads"), [(1, (1, 1)), ((0, 2), (0, 2))])
def test_zero_padding_1d_forms(padding, pads, data_format):
    x = rng.standard_normal((2, 3, 2))
    layer = ZeroPadding1D(padding, data_format=data_format, dtype="float64")
    _check_layer(layer, x, loop_pad(x, (pads,)), data_format)
    assert layer.get_config()["padding"] == pads


def test_zero_padding_defaults_and_config_round_trip():
    x = rng.standard_normal((2, 3, 2, 4))
    layer = run_layer_test(ZeroPadding2D, {}, x, (2, 5, 4, 4), expected_weights=[])
    assert layer.get_config()["padding"] == ((1, 1), (1, 1))
    assert ZeroPadding2D.from_config(json.loads(json.dumps(layer.get_config()))).padding == (
        (1, 1), (1, 1))
    run_layer_test(ZeroPadding1D, {}, x[..., 0], (2, 5, 2))


# ---- cropping ----------------------------------------------------------------------------------
def loop_crop(x, crops):
    shape = [n - before - after for n, (before, after) in zip(x.shape[1:-1], crops)]
    out = np.zeros((x.shape[0], *shape, x.shape[-1]))
    for index in itertools.product(*(range(n) for n in out.shape)):
        b, *o, c = index
        out[index] = x[(b, *[oi + before for oi, (before, _) in zip(o, crops)], c)]
    return out


@pytest.mark.parametrize("data_format", FORMATS)
@pytest.mark.parametrize(("cropping", "crops"), [
    (1, ((1, 1), (1, 1))), ((0, 1), ((0, 0), (1, 1))), (((2, 0), (1, 2)), ((2, 0), (1, 2))),
    (((0, 0), (0, 0)), ((0, 0), (0, 0))),
])
def test_cropping_2d_forms(cropping, crops, data_format):
    x = rng.standard_normal((2, 4, 5, 2))
    layer = Cropping2D(cropping, data_format=data_format, dtype="float64")
    _check_layer(layer, x, loop_crop(x, crops), data_format)
    assert layer.get_config()["cropping"] == crops


@pytest.mark.parametrize(("cropping", "crops"), [(1, (1, 1)), ((2, 0), (2, 0)), ((0, 3), (0, 3))])
def test_cropping_1d_forms(cropping, crops):
    x = rng.standard_normal((2, 5, 3))
    layer = Cropping1D(cropping, dtype="float64")
    _check_layer(layer, x, loop_crop(x, (crops,)), "channels_last")
    assert layer.get_config()["cropping"] == crops


def test_cropping_defaults_and_config_round_trip():
    x = rng.standard_normal((2, 3, 4, 2))
    layer = run_layer_test(Cropping2D, {"cropping": ((1, 0), (1, 2))}, x, (2, 2, 1, 2),
                           expected_weights=[])
    assert Cropping2D().cropping == ((0, 0), (0, 0))
    clone = Cropping2D.from_config(json.loads(json.dumps(layer.get_config())))
    np.testing.assert_array_equal(clone(x).numpy(), layer(x).numpy())
    assert "data_format" not in run_layer_test(Cropping1D, {}, x[..., 0], (2, 1, 4)).get_config()


# ---- errors ------------------------------------------------------------------------------------
@pytest.mark.parametrize(("layer", "shape", "message"), [
    (Cropping2D(((2, 1), (0, 0))), (1, 3, 4, 1),
     r"cannot crop \(\(2, 1\), \(0, 0\)\) from spatial size \(3, 4\).*shape=\(None, 3, 4, 1\)"),
    (Cropping1D((2, 2)), (1, 4, 1), r"cannot crop \(2, 2\) from spatial size \(4,\)"),
    (Cropping2D(1, data_format="channels_first"), (1, 5, 2, 5), r"spatial size \(2, 5\)"),
    (ZeroPadding2D(), (2, 3, 4), r"rank 4, \(batch, height, width, channels\). "
                                 r"Received: shape=\(None, 3, 4\)"),
    (UpSampling2D(data_format="channels_first"), (2, 3), r"rank 4, \(batch, channels, height"),
    (UpSampling1D(), (2, 3, 4, 5), r"rank 3, \(batch, steps, channels\)"),
    (ZeroPadding1D(), (2, 3), "rank 3"),
    (ZeroPadding3D(), (2, 3, 4, 5), r"rank 5, \(batch, depth, height, width, channels\)"),
    (UpSampling3D(data_format="channels_first"), (2, 3, 4, 5),
     r"rank 5, \(batch, channels, depth, height, width\)"),
    (Cropping3D(), (1, 3, 2, 4, 1), r"cannot crop \(\(1, 1\), \(1, 1\), \(1, 1\)\) from spatial "
                                    r"size \(3, 2, 4\)"),
])
def test_input_errors_name_the_layer(layer, shape, message):
    with pytest.raises(ValueError, match=message) as error:
        layer(np.zeros(shape))
    assert layer.name in str(error.value)


def test_cropping_too_much_on_a_later_call_is_reported():
    layer = Cropping2D(1)
    layer(np.zeros((1, 4, 4, 1)))
    with pytest.raises(ValueError, match="cannot crop"):
        layer(np.zeros((1, 2, 4, 1)))
    assert layer(np.zeros((1, 3, 6, 2))).shape == (1, 1, 4, 2)  # other sizes are fine


@pytest.mark.parametrize(("make", "message"), [
    (lambda: ZeroPadding2D(-1), "Received: padding=-1"),
    (lambda: ZeroPadding2D((1, 2, 3)), r"Received: padding=\(1, 2, 3\)"),
    (lambda: ZeroPadding2D(((1, 2), (3,))), r"entry 1 of padding .* Received: entry 1 of "
                                            r"padding=\(3,\)"),
    (lambda: ZeroPadding1D((1, 2, 3)), r"Received: padding=\(1, 2, 3\)"),
    (lambda: Cropping2D("1"), "Received: cropping='1'"),
    (lambda: Cropping1D(-2), "Received: cropping=-2"),
    (lambda: UpSampling2D(0), "Received: size=0"),
    (lambda: UpSampling1D(1.5), "Received: size=1.5"),
    (lambda: UpSampling2D(interpolation="bicubic"), "Received: interpolation='bicubic'"),
    (lambda: UpSampling2D(data_format="channels_middle"), "data_format='channels_middle'"),
    (lambda: ZeroPadding3D((1, 2)), r"ZeroPadding3D expects padding .* Received: padding=\(1, 2\)"),
    (lambda: ZeroPadding3D(((1, 2), (0, 0), (1, -1))), r"ZeroPadding3D .* entry 2 of padding"),
    (lambda: Cropping3D(-1), "Cropping3D expects cropping .* Received: cropping=-1"),
    (lambda: Cropping3D(((1, 1), (1, 1))), r"Cropping3D .* Received: cropping=\(\(1, 1\), \(1, 1\)\)"),
    (lambda: UpSampling3D((2, 2)), r"UpSampling3D expects size .* Received: size=\(2, 2\)"),
    (lambda: UpSampling3D(0), "UpSampling3D expects size .* Received: size=0"),
    (lambda: UpSampling3D(data_format="first"), "UpSampling3D expects data_format"),
])
def test_argument_errors(make, message):
    with pytest.raises(ValueError, match=message):
        make()


@pytest.mark.parametrize("layer", [Cropping1D, UpSampling1D])
def test_one_dimensional_layers_take_no_data_format(layer):
    # As Keras 3's: the message names the public layer (not a base's __init__).
    message = (f"{layer.__name__} got an unexpected keyword argument 'data_format' .* "
               "Received: data_format='channels_first'")
    with pytest.raises(TypeError, match=message):
        layer(data_format="channels_first")
    assert "data_format" not in layer().get_config()


# ---- 3D ----------------------------------------------------------------------------------------
GOLDEN = json.loads((pathlib.Path(__file__).parent /
                     "reshaping_pooling_3d_keras_golden.json").read_text())


@pytest.mark.parametrize("case", [c for c in GOLDEN["cases"] if c["layer"] in
                                  ("ZeroPadding3D", "Cropping3D", "UpSampling3D")],
                         ids=lambda c: c["layer"])
def test_3d_layers_match_keras_golden_outputs(case):
    layer = getattr(axon.layers, case["layer"])(**case["kwargs"], dtype="float64")
    np.testing.assert_array_equal(layer(np.array(case["x"])).numpy(), np.array(case["y"]))


@pytest.mark.parametrize("data_format", FORMATS)
@pytest.mark.parametrize("size", [(2, 2, 2), (1, 3, 2), 2])
def test_up_sampling_3d_values_and_gradients(size, data_format):
    x = rng.standard_normal((2, 2, 3, 2, 2))
    sizes = size if isinstance(size, tuple) else (size,) * 3
    layer = UpSampling3D(size, data_format=data_format, dtype="float64")
    _check_layer(layer, x, loop_nearest(x, sizes), data_format)
    assert layer.get_config()["size"] == sizes


@pytest.mark.parametrize("data_format", FORMATS)
@pytest.mark.parametrize(("padding", "pads"), [
    (1, ((1, 1),) * 3), ((2, 0, 1), ((2, 2), (0, 0), (1, 1))),
    (((0, 2), (1, 3), (1, 0)), ((0, 2), (1, 3), (1, 0))),
])
def test_zero_padding_3d_forms(padding, pads, data_format):
    x = rng.standard_normal((2, 2, 3, 2, 2))
    layer = ZeroPadding3D(padding, data_format=data_format, dtype="float64")
    _check_layer(layer, x, loop_pad(x, pads), data_format)
    assert layer.get_config()["padding"] == pads


@pytest.mark.parametrize("data_format", FORMATS)
@pytest.mark.parametrize(("cropping", "crops"), [
    (1, ((1, 1),) * 3), ((0, 1, 2), ((0, 0), (1, 1), (2, 2))),
    (((2, 0), (1, 2), (0, 1)), ((2, 0), (1, 2), (0, 1))),
])
def test_cropping_3d_forms(cropping, crops, data_format):
    x = rng.standard_normal((2, 4, 5, 6, 2))
    layer = Cropping3D(cropping, data_format=data_format, dtype="float64")
    _check_layer(layer, x, loop_crop(x, crops), data_format)
    assert layer.get_config()["cropping"] == crops


def test_3d_defaults_and_config_round_trip():
    x = rng.standard_normal((2, 3, 4, 3, 2))
    for cls, expected_shape, key, default in [
            (UpSampling3D, (2, 6, 8, 6, 2), "size", (2, 2, 2)),
            (ZeroPadding3D, (2, 5, 6, 5, 2), "padding", ((1, 1),) * 3),
            (Cropping3D, (2, 1, 2, 1, 2), "cropping", ((1, 1),) * 3)]:
        layer = run_layer_test(cls, {}, x, expected_shape, expected_weights=[])
        config = layer.get_config()
        assert config[key] == default and config["data_format"] == "channels_last"
        clone = cls.from_config(json.loads(json.dumps(config)))  # lists, as from a model file
        np.testing.assert_array_equal(clone(x).numpy(), layer(x).numpy())


def test_volumetric_model_with_3d_resizers_trains():
    axon.utils.set_random_seed(0)
    model = axon.Sequential([axon.Input((3, 4, 4, 2)), ZeroPadding3D(1),
                             axon.layers.Conv3D(2, 3), UpSampling3D((1, 2, 2)),
                             Cropping3D(((0, 1), (1, 1), (2, 0))), axon.layers.Flatten(),
                             axon.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    data = np.random.default_rng(0)
    x, y = data.standard_normal((24, 3, 4, 4, 2)), data.standard_normal((24, 1))
    history = model.fit(x, y, epochs=5, batch_size=8, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert model.predict(x, verbose=0).shape == (24, 1)
