"""axon.onnx.export: each exported model, run by onnxruntime, gives axon's predictions (1e-5)."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

import axon  # noqa: E402
import axon.onnx  # noqa: E402

L = axon.layers
ATOL = 1e-5


@pytest.fixture(autouse=True)
def _seeded():
    axon.utils.set_random_seed(0)  # the same initial weights whatever the order of the tests


def _run_onnx(proto, inputs: list) -> list:
    session = ort.InferenceSession(proto.SerializeToString(), providers=["CPUExecutionProvider"])
    names = [i.name for i in session.get_inputs()]
    return session.run(None, dict(zip(names, inputs)))


def _max_difference(model, inputs, opset: int = 17, **kwargs) -> float:
    """Export ``model``, run it in onnxruntime and return ``max |onnx - axon|`` over the outputs."""
    inputs = inputs if isinstance(inputs, list) else [inputs]
    proto = axon.onnx.export(model, opset=opset, **kwargs)
    expected = model.predict(inputs if len(inputs) > 1 else inputs[0], verbose=0)
    expected = expected if isinstance(expected, list) else [expected]
    got = _run_onnx(proto, inputs)
    assert len(got) == len(expected)
    for g, e in zip(got, expected):
        assert g.shape == np.shape(e)
    return max(float(np.abs(g - np.asarray(e)).max()) for g, e in zip(got, expected))


def _random(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


def _randomize_batch_norm(model, seed=1):
    """Moving statistics and gamma/beta away from their initial 0/1, so they matter."""
    rng = np.random.default_rng(seed)
    for layer in model.layers:
        if isinstance(layer, L.BatchNormalization):
            n = layer.moving_mean.shape[0]
            layer.set_weights([rng.uniform(0.5, 1.5, n), rng.normal(0, 0.1, n),
                               rng.normal(0, 0.5, n), rng.uniform(0.5, 2.0, n)])


# ---- dense ------------------------------------------------------------------------------------
def test_mlp_trained_matches_onnxruntime():
    x, y = _random(64, 6), np.random.default_rng(1).integers(0, 3, 64)
    model = axon.Sequential([axon.Input((6,)), L.Dense(16, activation="relu"), L.Dropout(0.3),
                             L.Dense(8, activation="tanh"), L.Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    assert _max_difference(model, x) < ATOL


@pytest.mark.parametrize("activation", ["linear", "relu", "sigmoid", "tanh", "softmax", "elu",
                                        "selu", "leaky_relu", "gelu", "silu", "swish", "softplus",
                                        "softsign", "hard_sigmoid", "exponential",
                                        "log_softmax", "step"])
def test_activations_match(activation):
    model = axon.Sequential([axon.Input((5,)), L.Dense(7, activation=activation)])
    assert _max_difference(model, _random(9, 5) * 2) < ATOL


def test_dense_on_rank_3_reshape_and_activation_layer():
    model = axon.Sequential([axon.Input((12,)), L.Reshape((3, 4)), L.Dense(5),
                             L.Activation("gelu"), L.Flatten(), L.Dense(2, use_bias=False)])
    assert _max_difference(model, _random(4, 12)) < ATOL


# ---- convolutional --------------------------------------------------------------------------
def test_cnn_with_batch_norm_and_dropout_matches():
    model = axon.Sequential([
        axon.Input((12, 12, 3)),
        L.Conv2D(6, 3, activation="relu"), L.BatchNormalization(), L.MaxPooling2D(),
        L.Conv2D(8, 3, strides=2, padding="same", activation="swish"), L.MaxPooling2D(),
        L.Flatten(), L.Dropout(0.5), L.Dense(4, activation="softmax")])
    _randomize_batch_norm(model)
    proto = axon.onnx.export(model)
    ops = [n.op_type for n in proto.graph.node]
    assert ops.count("Transpose") == 2  # once into NCHW, once back before Flatten
    assert _max_difference(model, _random(5, 12, 12, 3)) < ATOL


def test_conv_padding_pooling_variants_match():
    model = axon.Sequential([
        axon.Input((11, 9, 2)),
        L.Conv2D(4, (3, 2), padding="same", dilation_rate=2), L.AveragePooling2D(3, 2, "same"),
        L.DepthwiseConv2D(3, depth_multiplier=2, padding="same", activation="elu"),
        L.MaxPooling2D(2, padding="same"), L.BatchNormalization(), L.GlobalAveragePooling2D(),
        L.Dense(3)])
    _randomize_batch_norm(model)
    assert _max_difference(model, _random(3, 11, 9, 2)) < ATOL


def test_conv1d_causal_grouped_and_channels_first_match():
    model = axon.Sequential([
        axon.Input((10, 4)), L.Conv1D(6, 3, padding="causal", dilation_rate=2, groups=2),
        L.MaxPooling1D(2), L.Conv1D(5, 2, padding="same", data_format="channels_first"),
        L.AveragePooling1D(2, padding="same"), L.DepthwiseConv1D(2, depth_multiplier=3),
        L.GlobalMaxPooling1D(keepdims=True), L.Flatten()])
    assert _max_difference(model, _random(3, 10, 4)) < ATOL


def test_conv3d_matches():
    model = axon.Sequential([axon.Input((5, 6, 4, 2)), L.Conv3D(3, (2, 3, 2), strides=(1, 2, 1),
                                                                padding="same", activation="relu"),
                             L.Flatten(), L.Dense(2)])
    assert _max_difference(model, _random(2, 5, 6, 4, 2)) < ATOL


def test_spatial_size_unknown_pads_explicitly_or_with_auto_pad():
    # stride 1 (dilated too) and causal pads are size-free; strided 'same' needs auto_pad
    model = axon.Sequential([axon.Input((None, None, 2)),
                             L.Conv2D(3, 3, padding="same", dilation_rate=2), L.Dense(4),
                             L.Conv2D(3, 3, strides=2, padding="same"),
                             L.MaxPooling2D(2, padding="same"), L.GlobalMaxPooling2D()])
    pads = [a.s for n in axon.onnx.export(model).graph.node for a in n.attribute
            if a.name == "auto_pad"]
    assert pads == [b"SAME_UPPER", b"SAME_UPPER"]
    for shape in [(2, 7, 5, 2), (1, 9, 8, 2)]:
        assert _max_difference(model, _random(*shape)) < ATOL


# ---- recurrent ----------------------------------------------------------------------------------
@pytest.mark.parametrize("return_sequences", [False, True])
def test_lstm_matches(return_sequences):
    model = axon.Sequential([axon.Input((7, 5)),
                             L.LSTM(6, return_sequences=return_sequences, dropout=0.2),
                             L.Dense(2)])
    model.layers[0].bias.assign(_random(24, seed=3))
    assert _max_difference(model, _random(4, 7, 5)) < ATOL


@pytest.mark.parametrize("reset_after", [True, False])
@pytest.mark.parametrize("return_sequences", [False, True])
def test_gru_matches(reset_after, return_sequences):
    layer = L.GRU(5, reset_after=reset_after, return_sequences=return_sequences)
    model = axon.Sequential([axon.Input((6, 3)), layer])
    layer.bias.assign(_random(*layer.bias.shape, seed=4))
    assert _max_difference(model, _random(4, 6, 3)) < ATOL


def test_go_backwards_simple_rnn_and_stacked_lstm_match():
    model = axon.Sequential([axon.Input((6, 3)),
                             L.LSTM(4, return_sequences=True, go_backwards=True),
                             L.SimpleRNN(3, activation="relu", return_sequences=True,
                                         go_backwards=True),
                             L.GRU(2, go_backwards=True)])
    assert _max_difference(model, _random(5, 6, 3)) < ATOL


def test_return_state_and_initial_state_match():
    x = axon.Input((5, 3))
    h0, c0 = axon.Input((4,), name="h0"), axon.Input((4,), name="c0")
    output, h, c = L.LSTM(4, return_state=True, return_sequences=True)(x, initial_state=[h0, c0])
    model = axon.Model([x, h0, c0], [output, h, c])
    assert _max_difference(model, [_random(2, 5, 3), _random(2, 4, seed=1),
                                   _random(2, 4, seed=2)]) < ATOL


@pytest.mark.parametrize("merge_mode", ["concat", "sum", "ave", "mul"])
def test_bidirectional_matches(merge_mode):
    model = axon.Sequential([axon.Input((6, 3)),
                             L.Bidirectional(L.LSTM(4, return_sequences=True), merge_mode),
                             L.Bidirectional(L.GRU(3, go_backwards=True), merge_mode)])
    assert _max_difference(model, _random(3, 6, 3)) < ATOL


def test_bidirectional_states_and_no_merge_match():
    x = axon.Input((5, 2))
    outputs = L.Bidirectional(L.GRU(3, return_sequences=True, return_state=True),
                              merge_mode=None)(x)
    assert _max_difference(axon.Model(x, outputs), _random(2, 5, 2)) < ATOL


# ---- functional ---------------------------------------------------------------------------------
def test_functional_two_inputs_with_merges_matches():
    image, extra = axon.Input((8, 8, 2), name="image"), axon.Input((3,), name="extra")
    a = L.Conv2D(4, 3, padding="same", activation="relu")(image)
    b = L.Conv2D(4, 1)(image)
    merged = L.Add()([a, b])  # both channels-first inside: no transpose before the Add
    joined = L.Concatenate()([merged, L.Multiply()([a, b])])
    pooled = L.GlobalAveragePooling2D()(L.BatchNormalization()(joined))
    features = L.Concatenate()([pooled, L.Dense(4)(extra)])
    out = L.Dense(2, activation="sigmoid")(L.Average()([L.Dense(5)(features),
                                                        L.Dense(5)(features)]))
    side = L.Subtract()([L.Maximum()([extra, L.Dense(3)(extra)]), L.Minimum()([extra, extra])])
    model = axon.Model([image, extra], [out, side])
    _randomize_batch_norm(model)
    proto = axon.onnx.export(model)
    assert [i.name for i in proto.graph.input] == ["image", "extra"]
    assert _max_difference(model, [_random(3, 8, 8, 2), _random(3, 3, seed=5)]) < ATOL


def test_nested_sequential_inside_functional():
    inner = axon.Sequential([axon.Input((4,)), L.Dense(3, activation="tanh")])
    x = axon.Input((4,))
    model = axon.Model(x, L.Dense(2)(inner(x)))
    assert _max_difference(model, _random(6, 4)) < ATOL


# ---- the file, the batch axis, the opset ------------------------------------------------------
def test_file_symbolic_batch_and_opsets(tmp_path):
    model = axon.Sequential([axon.Input((6, 2)), L.GRU(3), L.Dense(2, activation="gelu")])
    path = tmp_path / "m.onnx"
    axon.onnx.export(model, path)
    loaded = onnx.load(str(path))
    onnx.checker.check_model(loaded)
    dims = loaded.graph.input[0].type.tensor_type.shape.dim
    assert dims[0].dim_param == "batch" and [d.dim_value for d in dims[1:]] == [6, 2]
    for batch in (1, 7):
        x = _random(batch, 6, 2)
        got = _run_onnx(loaded, [x])[0]
        assert np.abs(got - model.predict(x, verbose=0)).max() < ATOL
    for opset in (13, 18, onnx.defs.onnx_opset_version()):
        assert _max_difference(axon.Sequential([axon.Input((4, 4, 1)), L.GlobalMaxPooling2D()]),
                               _random(2, 4, 4, 1), opset=opset) < ATOL


# ---- errors -----------------------------------------------------------------------------------
def test_unsupported_layer_names_it_and_lists_supported():
    model = axon.Sequential([axon.Input((4,)), L.LayerNormalization(name="norm"), L.Dense(2)])
    with pytest.raises(ValueError, match=r"layer 'norm' \(LayerNormalization\).*Supported "
                                         r"layers: .*Conv2D.*Dense.*LSTM"):
        axon.onnx.export(model)


def test_other_refusals():
    custom = axon.Sequential([axon.Input((4,)), L.Dense(2, activation=lambda z: z * 2)])
    with pytest.raises(ValueError, match="activation .*Supported activations"):
        axon.onnx.export(custom)
    stateful = axon.Sequential([axon.Input((3, 2), batch_size=2), L.LSTM(2, stateful=True)])
    with pytest.raises(ValueError, match="stateful=True"):
        axon.onnx.export(stateful)
    with pytest.raises(ValueError, match="opset"):
        axon.onnx.export(custom, opset=7)
    with pytest.raises(ValueError, match="built"):
        axon.onnx.export(axon.Sequential([L.Dense(2)]))

    class Subclassed(axon.Model):
        def call(self, x, training=False):
            return x

    with pytest.raises(ValueError, match="subclassed"):
        axon.onnx.export(Subclassed())


def test_missing_onnx_says_how_to_install():
    code = "import sys; sys.modules['onnx'] = None; import axon.onnx"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode != 0 and "pip install onnx" in result.stderr


def test_import_axon_does_not_import_onnx():
    code = ("import sys, axon; axon.Sequential; axon.layers.Dense; "
            "assert 'onnx' not in sys.modules and 'axon.onnx' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)
