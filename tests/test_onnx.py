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


def test_regularization_layers_are_the_identity():
    def build(regularized):
        extra = (lambda layer: [layer]) if regularized else (lambda layer: [])
        return axon.Sequential([
            axon.Input((6, 6, 2)), *extra(L.GaussianNoise(0.3)), L.Conv2D(4, 3, activation="selu"),
            *extra(L.SpatialDropout2D(0.2)), *extra(L.AlphaDropout(0.1)), L.Flatten(),
            *extra(L.GaussianDropout(0.2)), *extra(L.ActivityRegularization(l2=0.01)), L.Dense(3)])

    model, plain = build(True), build(False)
    plain.set_weights(model.get_weights())
    operators = [[n.op_type for n in axon.onnx.export(m).graph.node] for m in (model, plain)]
    assert operators[0] == operators[1]   # no node for any of them
    assert _max_difference(model, _random(4, 6, 6, 2)) < ATOL


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


# ---- embedding, normalization, preprocessing, masks -------------------------------------------
def _indices(*shape, high=10, seed=0):
    return np.random.default_rng(seed).integers(0, high, shape)


def test_embedding_matches_with_float_and_integer_inputs():
    float_input = axon.Sequential([axon.Input((5,)), L.Embedding(10, 4), L.Flatten(), L.Dense(3)])
    assert _max_difference(float_input, _indices(6, 5).astype(np.float32)) < ATOL
    tokens = axon.Input((None,), dtype="int64", name="tokens")
    pooled = L.GlobalMaxPooling1D()(L.Embedding(10, 3, mask_zero=True)(tokens))
    model = axon.Model(tokens, L.Dense(2)(pooled))
    proto = axon.onnx.export(model)
    assert proto.graph.input[0].type.tensor_type.elem_type == onnx.TensorProto.INT64
    gather = next(n for n in proto.graph.node if n.op_type == "Gather")
    assert gather.input[1] == "tokens"  # no round trip through float
    for steps in (4, 7):
        assert _max_difference(model, _indices(3, steps)) < ATOL


def test_mask_reaching_a_recurrent_layer_is_refused():
    for maker in (lambda: L.Embedding(10, 3, mask_zero=True), lambda: L.Masking()):
        first = maker()
        shape = (6,) if isinstance(first, L.Embedding) else (6, 3)
        model = axon.Sequential([axon.Input(shape), first, L.LayerNormalization(),
                                 L.LSTM(2, name="rnn")])
        with pytest.raises(ValueError, match=r"layer 'rnn' \(LSTM\) fed a time-step mask"):
            axon.onnx.export(model)
    wrapped = axon.Sequential([axon.Input((6,)), L.Embedding(10, 3, mask_zero=True),
                               L.Bidirectional(L.GRU(2), name="both")])
    with pytest.raises(ValueError, match=r"'both' \(Bidirectional\) fed a time-step mask"):
        axon.onnx.export(wrapped)


def test_masks_that_no_layer_uses_export():
    # Flatten drops the mask (no supports_masking), so the LSTM after it gets none, as in axon
    x = _random(4, 6, 3)
    x[:, 4:] = 0.0
    model = axon.Sequential([axon.Input((6, 3)), L.Masking(), L.Dense(5), L.Flatten(),
                             L.Reshape((6, 5)), L.LSTM(2)])
    assert _max_difference(model, x) < ATOL
    model = axon.Sequential([axon.Input((6, 3)), L.Masking(mask_value=0.5), L.Rescaling(2.0)])
    x[:, 1] = 0.5
    assert _max_difference(model, x) < ATOL
    tokens = _indices(4, 6)
    tokens[:, 3:] = 0
    model = axon.Sequential([axon.Input((6,)), L.Embedding(10, 4, mask_zero=True),
                             L.TimeDistributed(L.Dense(3)), L.SimpleRNN(2)])
    with pytest.raises(ValueError, match="SimpleRNN"):  # TimeDistributed passes the mask on
        axon.onnx.export(model)
    model = axon.Sequential([axon.Input((6,)), L.Embedding(10, 4, mask_zero=True),
                             L.TimeDistributed(L.Dense(3)), L.Flatten()])
    assert _max_difference(model, tokens.astype(np.float32)) < ATOL


@pytest.mark.filterwarnings("ignore:invalid value encountered in divide:RuntimeWarning")
@pytest.mark.parametrize("opset", [13, 18])
def test_masked_global_average_pooling_matches(opset):
    tokens = _indices(5, 7)
    tokens[0, 4:], tokens[1, :1], tokens[2, :] = 0, 0, 0  # padding, and an all-padding sample
    model = axon.Sequential([axon.Input((7,)), L.Embedding(10, 4, mask_zero=True),
                             L.Dense(3), L.GlobalAveragePooling1D(keepdims=True), L.Flatten()])
    expected = model.predict(tokens.astype(np.float32), verbose=0)
    assert np.isnan(expected[2]).all()  # every step masked: 0/0, in axon as in the graph
    got = _run_onnx(axon.onnx.export(model, opset=opset), [tokens.astype(np.float32)])[0]
    np.testing.assert_allclose(got, expected, atol=ATOL, rtol=0)
    x = _random(3, 6, 4)
    x[0, 2:], x[1, 3] = -1.0, -1.0
    model = axon.Sequential([axon.Input((6, 4)), L.Masking(-1.0), L.Dense(4),
                             L.LayerNormalization(), L.GlobalAveragePooling1D()])
    assert _max_difference(model, x, opset=opset) < ATOL  # the mean of the real steps only


def _randomize(layer, seed=2, mean=1.0):
    rng = np.random.default_rng(seed)
    layer.set_weights([rng.normal(mean, 0.5, w.shape) for w in layer.get_weights()])


@pytest.mark.parametrize("opset", [13, 17])
@pytest.mark.parametrize("axis, center, scale", [(-1, True, True), ([1, 2], True, False),
                                                 ((2, 3), False, True), (1, False, False)])
def test_layer_normalization_matches(opset, axis, center, scale):
    norm = L.LayerNormalization(axis=axis, center=center, scale=scale, epsilon=1e-2)
    model = axon.Sequential([axon.Input((5, 4, 3)), norm])
    _randomize(norm)
    assert _max_difference(model, _random(3, 5, 4, 3) * 3 + 1, opset=opset) < ATOL
    # after a convolution the value is channels-first: the constants follow its layout
    after_conv = L.LayerNormalization(axis=axis, center=center, scale=scale)
    model = axon.Sequential([axon.Input((5, 4, 2)), L.Conv2D(3, 1), after_conv,
                             L.MaxPooling2D(2, padding="same")])
    _randomize(after_conv, seed=3)
    assert _max_difference(model, _random(3, 5, 4, 2), opset=opset) < ATOL


def _uses_op(model, op, opset):
    return op in [n.op_type for n in axon.onnx.export(model, opset=opset).graph.node]


def test_layer_normalization_uses_the_onnx_op_on_trailing_axes_from_opset_17():
    for axis, trailing in [(-1, True), ([2, 3], True), ([1, 2, 3], True), (2, False)]:
        model = axon.Sequential([axon.Input((5, 4, 3)), L.LayerNormalization(axis=axis)])
        assert _uses_op(model, "LayerNormalization", 17) == trailing
        assert not _uses_op(model, "LayerNormalization", 13)
    # after a convolution, axon's axis -1 is ONNX's axis 1 and axes (1, 2) are ONNX's 2, 3
    for axis, trailing in [(-1, False), ([1, 2], True)]:
        model = axon.Sequential([axon.Input((5, 4, 2)), L.Conv2D(3, 1),
                                 L.LayerNormalization(axis=axis), L.MaxPooling2D()])
        assert _uses_op(model, "LayerNormalization", 17) == trailing


def test_rescaling_and_normalization_match():
    data = _random(20, 4, 4, 3) * 2 + 5
    adapted = L.Normalization()
    adapted.adapt(data)
    model = axon.Sequential([
        axon.Input((4, 4, 3)), L.Rescaling([0.5, 2.0, -1.0], offset=0.25), adapted,
        L.Conv2D(2, 1), L.Rescaling(1 / 255.0),
        L.Normalization(axis=None, mean=0.5, variance=4.0),
        L.Normalization(axis=-1, mean=[1.0, -1.0], variance=[0.0, 9.0], invert=True),
        L.Normalization(axis=(1, 2), mean=np.arange(16.0).reshape(4, 4), variance=2.0),
        L.Flatten()])
    assert _max_difference(model, data[:5]) < ATOL


# ---- separable and transposed convolutions ------------------------------------------------------
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_separable_conv_matches(data_format):
    model = axon.Sequential([
        axon.Input((9, 8, 3) if data_format == "channels_last" else (3, 9, 8)),
        L.SeparableConv2D(4, 3, padding="same", depth_multiplier=2, data_format=data_format,
                          activation="relu"),
        L.SeparableConv2D(5, (2, 3), strides=2, data_format=data_format, use_bias=False),
        L.SeparableConv2D(3, 2, dilation_rate=2, padding="same", data_format=data_format),
        L.Flatten()])
    shape = (2, 9, 8, 3) if data_format == "channels_last" else (2, 3, 9, 8)
    assert _max_difference(model, _random(*shape)) < ATOL
    model = axon.Sequential([axon.Input((10, 3)),
                             L.SeparableConv1D(4, 3, padding="causal", dilation_rate=2),
                             L.SeparableConv1D(2, 2, strides=2, padding="same",
                                               depth_multiplier=3, activation="tanh")])
    assert _max_difference(model, _random(3, 10, 3)) < ATOL


@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize("kernel, strides, output_padding, dilation",
                         [(3, 1, None, 1), (3, 2, None, 1), (2, 3, None, 1), (1, 2, None, 1),
                          (4, 2, 1, 1), (3, 3, 2, 1), (3, 1, None, 2), (2, 1, 0, 3)])
def test_conv_transpose_matches(padding, kernel, strides, output_padding, dilation):
    arguments = {"padding": padding, "strides": strides, "output_padding": output_padding,
                 "dilation_rate": dilation}
    model = axon.Sequential([axon.Input((5, 4, 3)), L.Conv2DTranspose(2, kernel, **arguments),
                             L.Conv2DTranspose(3, (kernel, 2), activation="relu", **arguments)])
    assert _max_difference(model, _random(2, 5, 4, 3)) < ATOL
    model = axon.Sequential([axon.Input((6, 2)), L.Conv1DTranspose(3, kernel, **arguments)])
    assert _max_difference(model, _random(2, 6, 2)) < ATOL


def test_conv_transpose_3d_channels_first_and_unknown_size_match():
    model = axon.Sequential([axon.Input((2, 3, 4, 5)),
                             L.Conv3DTranspose(3, (2, 3, 2), strides=(2, 1, 2), padding="same",
                                               data_format="channels_first", use_bias=False),
                             L.Flatten()])
    assert _max_difference(model, _random(2, 2, 3, 4, 5)) < ATOL
    model = axon.Sequential([axon.Input((None, None, 2)),
                             L.Conv2DTranspose(3, 3, strides=2, padding="same"),
                             L.Conv2DTranspose(2, 2, strides=3, output_padding=1)])
    for shape in [(1, 3, 5, 2), (2, 4, 4, 2)]:
        assert _max_difference(model, _random(*shape)) < ATOL


# ---- padding, cropping, up-sampling, TimeDistributed ---------------------------------------------
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_spatial_layers_match(data_format):
    model = axon.Sequential([
        axon.Input((7, 6, 2) if data_format == "channels_last" else (2, 7, 6)),
        L.ZeroPadding2D(((1, 2), (0, 3)), data_format=data_format),
        L.Conv2D(3, 3, data_format=data_format),  # channels_last: from here channels-first
        L.Cropping2D(((1, 0), (2, 1)), data_format=data_format),
        L.UpSampling2D((2, 3), data_format=data_format), L.ZeroPadding2D(1),
        L.UpSampling2D(2, data_format=data_format, interpolation="bilinear"),
        L.Cropping2D(2), L.Flatten()])
    shape = (2, 7, 6, 2) if data_format == "channels_last" else (2, 2, 7, 6)
    assert _max_difference(model, _random(*shape)) < ATOL


def test_spatial_1d_layers_match():
    model = axon.Sequential([axon.Input((6, 3)), L.ZeroPadding1D((2, 1)), L.Conv1D(4, 2),
                             L.UpSampling1D(3), L.Cropping1D((1, 4)), L.ZeroPadding1D(2),
                             L.Cropping1D((0, 1)),
                             L.ZeroPadding1D(1, data_format="channels_first")])
    assert _max_difference(model, _random(2, 6, 3)) < ATOL


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_3d_pooling_and_resizers_match(data_format):
    """Keras's 'same' split (odd entry after) and AveragePooling3D's border divisor (real entries
    only) in onnxruntime's MaxPool/AveragePool, plus Pad, Slice and Resize on 5-D values."""
    shape = (5, 6, 7, 2) if data_format == "channels_last" else (2, 5, 6, 7)
    model = axon.Sequential([
        axon.Input(shape), L.ZeroPadding3D(((1, 0), (0, 2), (1, 1)), data_format=data_format),
        L.Conv3D(3, 2, data_format=data_format),  # channels_last: from here channels-first
        L.MaxPooling3D((2, 3, 2), strides=(1, 2, 2), padding="same", data_format=data_format),
        L.Cropping3D(((1, 0), (0, 1), (1, 0)), data_format=data_format),
        L.UpSampling3D((2, 1, 3), data_format=data_format),
        L.AveragePooling3D(3, strides=2, padding="same", data_format=data_format),
        L.AveragePooling3D((1, 2, 1), data_format=data_format),
        L.MaxPooling3D(1, data_format=data_format),
        L.GlobalMaxPooling3D(keepdims=True, data_format=data_format),
        L.GlobalAveragePooling3D(data_format=data_format)])
    assert _max_difference(model, _random(2, *shape)) < ATOL


def test_3d_pooling_with_unknown_spatial_sizes_matches():
    model = axon.Sequential([axon.Input((None, None, None, 2)),
                             L.AveragePooling3D((2, 3, 2), strides=2, padding="same"),
                             L.MaxPooling3D(2, strides=(1, 2, 1), padding="same"),
                             L.GlobalAveragePooling3D(keepdims=True), L.Flatten()])
    for shape in [(2, 5, 7, 6, 2), (1, 3, 4, 9, 2)]:
        assert _max_difference(model, _random(*shape)) < ATOL


def test_permute_repeat_vector_identity_match():
    model = axon.Sequential([axon.Input((3, 4)), L.Permute((2, 1)), L.Dense(5), L.Identity(),
                             L.Flatten(), L.Dense(6), L.RepeatVector(3), L.Permute((2, 1)),
                             L.Dense(2)])
    assert _max_difference(model, _random(4, 3, 4)) < ATOL


@pytest.mark.parametrize("dims", [(3, 1, 2), (2, 3, 1), (1, 3, 2), (1, 2, 3)])
def test_permute_of_a_channels_first_onnx_value_matches(dims):
    """After Conv2D (channels_last) the ONNX value is channels-first: Permute relabels that
    layout, and each later layer asks for the one it needs."""
    model = axon.Sequential([axon.Input((5, 6, 2)), L.Conv2D(3, 2), L.Permute(dims),
                             L.Identity(), L.MaxPooling2D(2, padding="same"), L.Permute((2, 3, 1)),
                             L.GlobalAveragePooling2D(keepdims=True), L.Flatten(), L.Dense(2)])
    assert _max_difference(model, _random(2, 5, 6, 2)) < ATOL


def test_time_distributed_matches():
    model = axon.Sequential([
        axon.Input((None, 6, 5, 2)),
        L.TimeDistributed(L.Conv2D(3, 3, padding="same", activation="relu")),
        L.TimeDistributed(L.MaxPooling2D()), L.TimeDistributed(L.Flatten()),
        L.TimeDistributed(L.Dense(4)), L.LSTM(3)])
    for steps in (1, 4):
        assert _max_difference(model, _random(2, steps, 6, 5, 2)) < ATOL
    several = axon.Sequential([axon.Input((3, 4, 2)),
                               L.TimeDistributed(L.LSTM(2, return_state=True), name="td")])
    with pytest.raises(ValueError, match=r"'td' \(TimeDistributed\).*several outputs"):
        axon.onnx.export(several)


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
    model = axon.Sequential([axon.Input((4, 4, 1)), L.RandomFlip(name="flip")])
    with pytest.raises(ValueError, match=r"layer 'flip' \(RandomFlip\).*Supported "
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


@pytest.mark.parametrize("opset", [13, 18])
@pytest.mark.parametrize("kwargs, shape", [({"groups": 2}, (5, 4, 6)),
                                           ({"groups": 3, "axis": 1, "epsilon": 1e-2}, (6, 4, 5)),
                                           ({"groups": -1, "center": False}, (5, 3)),
                                           ({"groups": 1, "scale": False}, (4, 6))])
def test_group_normalization_matches(opset, kwargs, shape):
    norm = L.GroupNormalization(**kwargs)
    model = axon.Sequential([axon.Input(shape), norm])
    _randomize(norm)
    assert _max_difference(model, _random(3, *shape) * 3 + 1, opset=opset) < ATOL
    # after a convolution the value is channels-first: it is arranged channels-last once
    after_conv = L.GroupNormalization(groups=3)
    model = axon.Sequential([axon.Input((5, 4, 2)), L.Conv2D(6, 1), after_conv,
                             L.MaxPooling2D(2, padding="same")])
    _randomize(after_conv, seed=3)
    assert _max_difference(model, _random(3, 5, 4, 2), opset=opset) < ATOL


@pytest.mark.parametrize("opset", [13, 18])
def test_unit_normalization_matches_with_any_axes_layout_and_length(opset):
    for axis in (-1, [1, 2], 1):
        model = axon.Sequential([axon.Input((5, 4, 6)), L.UnitNormalization(axis=axis)])
        assert _max_difference(model, _random(3, 5, 4, 6) * 3, opset=opset) < ATOL
    model = axon.Sequential([axon.Input((5, 4, 2)), L.Conv2D(6, 1), L.UnitNormalization(),
                             L.MaxPooling2D()])
    assert _max_difference(model, _random(3, 5, 4, 2), opset=opset) < ATOL
    model = axon.Sequential([axon.Input((None, 4)), L.UnitNormalization(),
                             L.GroupNormalization(groups=2)])
    inputs = _random(2, 7, 4)
    inputs[0, 3] = 0.0  # a zero vector stays zero, without a division by zero
    assert _max_difference(model, inputs, opset=opset) < ATOL
