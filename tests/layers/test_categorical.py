"""CategoryEncoding, Discretization, Hashing and IntegerLookup against Keras 3 golden values.

The golden values were produced with Keras 3.15 (TensorFlow backend), e.g.::

    from keras import layers
    layers.CategoryEncoding(4, output_mode=mode)(np.array([[0, 1, 1], [3, 3, 2]]))
    X = np.array([[-1.5, 1.0, 3.4, 0.5], [0.0, 3.0, 1.3, 0.0]])
    layers.Discretization(bin_boundaries=[0.0, 1.0, 2.0], output_mode=mode)(X)
    data = np.round(np.random.default_rng(0).normal(size=(300, 2)), 3)
    layer = layers.Discretization(num_bins=4); layer.adapt(data); layer.bin_boundaries
    layer = layers.IntegerLookup(); layer.adapt(IDATA); layer.get_vocabulary()
    layer = layers.IntegerLookup(output_mode="tf_idf"); layer.adapt(IDATA)
    layer.idf_weights_const; layer(np.array([[12, 42, 42, 99], [7, 7, 7, 36]]))
"""
import json

import numpy as np
import pytest

import axon
from axon import layers
from axon.layers.categorical import splitmix64
from axon.utils import PyDataset

RANK1, RANK2, COLUMN = np.array([0, 1, 1, 3]), np.array([[0, 1, 1], [3, 3, 2]]), np.array([[0], [2]])
CATEGORY_ENCODING = {
    "multi_hot": ([1, 1, 0, 1], [[1, 1, 0, 0], [0, 0, 1, 1]], [[1, 0, 0, 0], [0, 0, 1, 0]]),
    "one_hot": ([[1, 0, 0, 0], [0, 1, 0, 0], [0, 1, 0, 0], [0, 0, 0, 1]],
                [[[1, 0, 0, 0], [0, 1, 0, 0], [0, 1, 0, 0]], [[0, 0, 0, 1], [0, 0, 0, 1], [0, 0, 1, 0]]],
                [[1, 0, 0, 0], [0, 0, 1, 0]]),
    "count": ([1, 2, 0, 1], [[1, 2, 0, 0], [0, 0, 1, 2]], [[1, 0, 0, 0], [0, 0, 1, 0]]),
}


@pytest.mark.parametrize("mode", sorted(CATEGORY_ENCODING))
def test_category_encoding_matches_keras(mode):
    layer = layers.CategoryEncoding(4, output_mode=mode)
    for inputs, expected in zip((RANK1, RANK2, COLUMN), CATEGORY_ENCODING[mode]):
        output = layers.CategoryEncoding(4, output_mode=mode)(inputs)
        np.testing.assert_array_equal(output.numpy(), expected)
        assert output.shape == layer.compute_output_shape(inputs.shape)
        assert output.dtype == np.float32


def test_category_encoding_refuses_out_of_range_indices_and_bad_arguments():
    with pytest.raises(ValueError, match=r"\[0, 4\)"):
        layers.CategoryEncoding(4)(np.array([[1, 4]]))
    with pytest.raises(ValueError, match="num_tokens"):
        layers.CategoryEncoding(0)
    with pytest.raises(ValueError, match="output_mode"):
        layers.CategoryEncoding(3, output_mode="int")
    with pytest.raises(ValueError, match="sparse"):
        layers.CategoryEncoding(3, sparse=True)
    with pytest.raises(TypeError, match="integer values"):
        layers.CategoryEncoding(3)(np.array([[0.5]]))
    with pytest.raises(TypeError, match="CategoryEncoding"):
        layers.CategoryEncoding(3)(np.array([["a"]]))


X = np.array([[-1.5, 1.0, 3.4, 0.5], [0.0, 3.0, 1.3, 0.0]])
DISCRETIZED = {
    "int": [[0, 2, 3, 1], [1, 3, 2, 1]],
    "one_hot": [[[1, 0, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1], [0, 1, 0, 0]],
                [[0, 1, 0, 0], [0, 0, 0, 1], [0, 0, 1, 0], [0, 1, 0, 0]]],
    "multi_hot": [[1, 1, 1, 1], [0, 1, 1, 1]],
    "count": [[1, 1, 1, 1], [0, 2, 1, 1]],
}
ADAPT_DATA = np.round(np.random.default_rng(0).normal(size=(300, 2)), 3)
KERAS_BOUNDARIES = {   # (num_bins, epsilon) -> Keras's bin_boundaries after adapt(ADAPT_DATA)
    (2, 0.01): [-0.05000032112002373],
    (4, 0.01): [-0.7040003538131714, -0.05000032112002373, 0.675000011920929],
    (7, 0.01): [-1.0790002346038818, -0.5974289774894714, -0.2231430560350418, 0.1415712982416153,
                0.5615713596343994, 1.072857141494751],
    (4, 0.1): [-0.6970000863075256, -0.05000000074505806, 0.6784998774528503],
}


@pytest.mark.parametrize("mode", sorted(DISCRETIZED))
def test_discretization_matches_keras(mode):
    layer = layers.Discretization(bin_boundaries=[0.0, 1.0, 2.0], output_mode=mode)
    output = layer(X)
    np.testing.assert_array_equal(output.numpy(), DISCRETIZED[mode])
    assert output.dtype == (np.int32 if mode == "int" else np.float32)
    assert output.shape == layer.compute_output_shape(X.shape)


@pytest.mark.parametrize("num_bins, epsilon", sorted(KERAS_BOUNDARIES))
def test_discretization_adapt_matches_keras_quantiles(num_bins, epsilon):
    layer = layers.Discretization(num_bins=num_bins, epsilon=epsilon)
    layer.adapt(ADAPT_DATA)
    np.testing.assert_allclose(layer.bin_boundaries, KERAS_BOUNDARIES[num_bins, epsilon], atol=1e-6)


def test_discretization_adapt_from_lists_and_batches_as_keras():
    small = [0.0, 1.0, 2.0, 3.0, 5.0, 8.0]
    for data in (np.array(small), small):
        layer = layers.Discretization(num_bins=3)
        layer.adapt(data)
        np.testing.assert_allclose(layer.bin_boundaries, [0.9999999403953552, 3.0], atol=1e-7)
    layer = layers.Discretization(num_bins=10)
    layer.adapt(np.array(small))   # fewer values than bins: every value but the last
    assert layer.bin_boundaries == [0.0, 1.0, 2.0, 3.0, 5.0]
    keras_batches = [-0.7040002942085266, -0.022467298433184624, 0.6712000966072083]
    parts = [ADAPT_DATA[:100], ADAPT_DATA[100:250], ADAPT_DATA[250:]]
    for data in (parts, iter(parts), _Batches(parts)):
        layer = layers.Discretization(num_bins=4)
        layer.adapt(data)
        np.testing.assert_allclose(layer.bin_boundaries, keras_batches, atol=1e-6)


class _Batches(PyDataset):
    def __init__(self, parts):
        super().__init__()
        self.parts = parts

    def __len__(self):
        return len(self.parts)

    def __getitem__(self, index):
        return self.parts[index], np.zeros(len(self.parts[index]))


def test_discretization_bad_arguments():
    for kwargs, message in [({}, "exactly one"), ({"num_bins": 2, "bin_boundaries": [0.0]}, "exactly one"),
                            ({"num_bins": 0}, "num_bins"), ({"bin_boundaries": [1.0, 0.0]}, "sorted"),
                            ({"num_bins": 2, "epsilon": 0.0}, "epsilon"),
                            ({"num_bins": 2, "output_mode": "tf_idf"}, "output_mode")]:
        with pytest.raises(ValueError, match=message):
            layers.Discretization(**kwargs)
    with pytest.raises(ValueError, match="adapt"):
        layers.Discretization(num_bins=3)(X)
    with pytest.raises(ValueError, match="num_bins"):
        layers.Discretization(bin_boundaries=[0.0]).adapt(X)


def test_hashing_is_splitmix64_modulo_the_bins():
    # SplitMix64's first output from seed 0 is 0xE220A8397B1DCDAF (the reference C code)
    assert int(splitmix64(np.array([0]))[0]) == 0xE220A8397B1DCDAF
    values = np.array([[0, 1, -7, 2 ** 40], [3, 3, 0, 5]])
    bins = layers.Hashing(num_bins=5)(values).numpy()
    assert bins.dtype == np.int64
    np.testing.assert_array_equal(bins, (splitmix64(values) % np.uint64(5)).astype(np.int64))
    masked = layers.Hashing(num_bins=5, mask_value=0)(values).numpy()
    assert (masked[values == 0] == 0).all()
    assert ((masked[values != 0] >= 1) & (masked[values != 0] < 5)).all()
    salted = layers.Hashing(num_bins=1000, salt=7)(values).numpy()
    assert not np.array_equal(salted, layers.Hashing(num_bins=1000)(values).numpy())
    counted = layers.Hashing(num_bins=5, output_mode="count")(values).numpy()
    assert counted.shape == (2, 5) and counted.sum() == 8


def test_hashing_bad_arguments():
    for kwargs, message in [({"num_bins": 0}, "num_bins"), ({"num_bins": 1, "mask_value": 0}, "num_bins"),
                            ({"num_bins": 3, "salt": -1}, "salt"), ({"num_bins": 3, "mask_value": "a"},
                                                                    "mask_value"),
                            ({"num_bins": 3, "output_mode": "tf_idf"}, "output_mode")]:
        with pytest.raises(ValueError, match=message):
            layers.Hashing(**kwargs)


IDATA = np.array([[12, 1138, 42], [42, 1000, 36], [42, 12, 1], [7, 7, 36]])
VOCABULARY = [12, 36, 1138, 42]


def test_integer_lookup_adapt_and_int_output_match_keras():
    layer = layers.IntegerLookup()
    layer.adapt(IDATA)
    assert layer.get_vocabulary() == [-1, 42, 36, 12, 7, 1138, 1000, 1]   # ties: larger first
    assert layer.vocabulary_size() == 8
    output = layer(np.array([[12, 42, 99], [7, 1, -1]]))
    assert output.dtype == np.int64
    np.testing.assert_array_equal(output.numpy(), [[3, 1, 0], [4, 7, 0]])
    layer = layers.IntegerLookup(max_tokens=4)
    layer.adapt(IDATA)
    assert layer.get_vocabulary() == [-1, 42, 36, 12]
    layer = layers.IntegerLookup(mask_token=0)
    layer.adapt(IDATA)
    assert layer.get_vocabulary() == [0, -1, 42, 36, 12, 7, 1138, 1000, 1]
    np.testing.assert_array_equal(layer(np.array([[12, 0, 99]])).numpy(), [[4, 0, 1]])
    layer = layers.IntegerLookup(vocabulary=VOCABULARY, num_oov_indices=2)
    assert layer.get_vocabulary() == [-1, -1, 12, 36, 1138, 42]
    np.testing.assert_array_equal(layer(np.array([[12, 5, 6, 7, 42, -3]])).numpy(), [[2, 1, 0, 1, 5, 1]])


@pytest.mark.parametrize("mode, inputs, expected, masked_inputs, masked_expected", [
    ("one_hot", [12, 36, 99], [[0, 1, 0, 0, 0], [0, 0, 1, 0, 0], [1, 0, 0, 0, 0]],
     [12, 0, 99], [[0, 1, 0, 0, 0], [0, 0, 0, 0, 0], [1, 0, 0, 0, 0]]),
    ("multi_hot", [[12, 36, 36, 99]], [[1, 1, 1, 0, 0]], [[12, 0, 36, 99]], [[1, 1, 1, 0, 0]]),
    ("count", [[12, 36, 36, 99]], [[1, 1, 2, 0, 0]], [[12, 0, 36, 99]], [[1, 1, 1, 0, 0]]),
])
def test_integer_lookup_encodings_match_keras(mode, inputs, expected, masked_inputs, masked_expected):
    output = layers.IntegerLookup(vocabulary=VOCABULARY, output_mode=mode)(np.array(inputs))
    np.testing.assert_array_equal(output.numpy(), expected)
    masked = layers.IntegerLookup(vocabulary=VOCABULARY, output_mode=mode, mask_token=0)
    np.testing.assert_array_equal(masked(np.array(masked_inputs)).numpy(), masked_expected)
    assert masked.get_vocabulary() == [-1] + VOCABULARY   # no mask index outside "int" mode


def test_integer_lookup_tf_idf_matches_keras():
    layer = layers.IntegerLookup(output_mode="tf_idf")
    layer.adapt(IDATA)
    assert layer.get_vocabulary() == [-1, 42, 36, 12, 7, 1138, 1000, 1]
    np.testing.assert_allclose(layer.idf_weights, [0.6931471824645996, 0.8472978472709656, 0.8472978472709656]
                               + [1.0986123085021973] * 4, rtol=1e-6)
    output = layer(np.array([[12, 42, 42, 99], [7, 7, 7, 36]])).numpy()
    expected = [[0.9688845872879028, 1.3862943649291992, 0, 0.8472978472709656, 0, 0, 0, 0],
                [0, 0, 0.8472978472709656, 0, 3.295836925506592, 0, 0, 0]]
    np.testing.assert_allclose(output, expected, rtol=1e-6)


def test_integer_lookup_invert_and_padding_match_keras():
    layer = layers.IntegerLookup(vocabulary=VOCABULARY, invert=True)
    np.testing.assert_array_equal(layer(np.array([[0, 1, 2, 4, 7]])).numpy(), [[-1, 12, 36, 42, -1]])
    layer = layers.IntegerLookup(vocabulary=VOCABULARY, invert=True, mask_token=0)
    np.testing.assert_array_equal(layer(np.array([[0, 1, 2, 5]])).numpy(), [[0, -1, 12, 42]])
    layer = layers.IntegerLookup(max_tokens=6, pad_to_max_tokens=True, output_mode="multi_hot",
                                 vocabulary=[5, 6])
    np.testing.assert_array_equal(layer(np.array([[5, 9]])).numpy(), [[1, 1, 0, 0, 0, 0]])


def test_integer_lookup_adapts_from_lists_and_batches():
    expected = [-1, 42, 36, 12, 7, 1138, 1000, 1]
    for data in (IDATA.tolist(), iter(list(IDATA)), _Batches(list(IDATA))):
        layer = layers.IntegerLookup()
        layer.adapt(data)
        assert layer.get_vocabulary() == expected


def test_integer_lookup_bad_arguments():
    for kwargs, message in [({"max_tokens": 1}, "max_tokens"), ({"num_oov_indices": -1}, "num_oov_indices"),
                            ({"output_mode": "binary"}, "output_mode"), ({"mask_token": "a"}, "mask_token"),
                            ({"invert": True, "output_mode": "count"}, "invert"),
                            ({"pad_to_max_tokens": True}, "max_tokens"),
                            ({"vocabulary": [1, 2, 1]}, "repeated"), ({"vocabulary": [1, 0], "mask_token": 0},
                                                                      "mask_token"),
                            ({"vocabulary": [1, 2, 3], "max_tokens": 3}, "max_tokens"),
                            ({"vocabulary": [1], "output_mode": "tf_idf"}, "idf_weights"),
                            ({"idf_weights": [1.0]}, "idf_weights")]:
        with pytest.raises(ValueError, match=message):
            layers.IntegerLookup(**kwargs)
    with pytest.raises(ValueError, match="vocabulary"):
        layers.IntegerLookup()(np.array([1]))
    with pytest.raises(ValueError, match="num_oov_indices=0"):
        layers.IntegerLookup(vocabulary=[1, 2], num_oov_indices=0)(np.array([3]))


def test_configs_round_trip_with_their_state():
    adapted = layers.Discretization(num_bins=4)
    adapted.adapt(ADAPT_DATA)
    lookup = layers.IntegerLookup(output_mode="tf_idf")
    lookup.adapt(IDATA)
    for layer, inputs in [(adapted, X), (layers.Discretization(bin_boundaries=[0.5], output_mode="count"), X),
                          (layers.CategoryEncoding(5, output_mode="one_hot"), RANK2),
                          (layers.Hashing(7, mask_value=1, salt=3), IDATA),
                          (lookup, IDATA), (layers.IntegerLookup(vocabulary=VOCABULARY, invert=True), RANK2)]:
        config = json.loads(json.dumps(layer.get_config()))   # plain JSON: lists of numbers
        restored = type(layer).from_config(config)
        np.testing.assert_array_equal(restored(inputs).numpy(), layer(inputs).numpy())


def test_a_model_holding_categorical_layers_saves_and_loads(tmp_path):
    lookup = layers.IntegerLookup(output_mode="multi_hot")
    lookup.adapt(IDATA)
    inputs = axon.Input(shape=(3,), dtype="int64")
    outputs = layers.Dense(2)(lookup(inputs))
    model = axon.Model(inputs, outputs)
    binned = axon.Sequential([axon.Input(shape=(4,)), layers.Discretization(num_bins=3),
                              layers.Embedding(3, 2), layers.GlobalAveragePooling1D()])
    binned.layers[0].adapt(ADAPT_DATA.reshape(-1, 4))
    for network, data in ((model, IDATA), (binned, X)):
        path = tmp_path / "m.axon"
        network.save(path)
        loaded = axon.models.load_model(path)
        np.testing.assert_array_equal(loaded.predict(data, verbose=0), network.predict(data, verbose=0))


@pytest.mark.parametrize("layer", [layers.Discretization(bin_boundaries=[0.0, 1.0], output_mode="count"),
                                   layers.CategoryEncoding(3), layers.Hashing(4, output_mode="one_hot"),
                                   layers.IntegerLookup(vocabulary=[0, 1, 2], output_mode="count")])
def test_outputs_are_constants_outside_the_graph(layer):
    inputs = axon.Tensor(np.array([[0.0, 1.0], [2.0, 1.0]]), requires_grad=True)
    output = layer(inputs)
    assert output.creator is None and not output.requires_grad
