"""StringLookup and TextVectorization against Keras 3 golden values, and a small text classifier.

The golden values were produced with Keras 3.15 (TensorFlow backend), e.g.::

    from keras import layers
    layer = layers.StringLookup(); layer.adapt(SDATA); layer.get_vocabulary()
    layer = layers.TextVectorization(output_mode="tf_idf", max_tokens=8); layer.adapt(CORPUS)
    layer.get_vocabulary(); layer(["the cat ate the bird", "the the zebra"])
    layer = layers.TextVectorization(ngrams=2); layer.adapt(CORPUS[:2]); layer(["the cat sat"])
"""
import json

import numpy as np
import pytest

import axon
from axon import layers
from axon.utils import PyDataset

SDATA = [["a", "c", "d"], ["d", "z", "b"], ["b", "b", "Z"], ["a", "é", "d"]]
KERAS_VOCABULARY = ["[UNK]", "d", "b", "a", "é", "z", "c", "Z"]   # ties: descending code points
CORPUS = ["The cat sat on the mat.", "The dog ate my homework!", "A cat, a dog; a BIRD?",
          "Dogs and cats  and birds"]


def test_string_lookup_matches_keras():
    layer = layers.StringLookup()
    layer.adapt(SDATA)
    assert layer.get_vocabulary() == KERAS_VOCABULARY
    output = layer(np.array([["a", "b", "q"], ["z", "é", "d"]]))
    assert isinstance(output, np.ndarray) and output.dtype == np.int64
    assert output.tolist() == [[3, 2, 0], [5, 4, 1]]
    layer = layers.StringLookup(mask_token="", max_tokens=5)
    layer.adapt(SDATA)
    assert layer.get_vocabulary() == ["", "[UNK]", "d", "b", "a"]
    assert layer([["d", "", "a"]]).tolist() == [[2, 0, 4]]


@pytest.mark.parametrize("mode, inputs, expected", [
    ("one_hot", ["a", "x"], [[0, 1, 0, 0], [1, 0, 0, 0]]),
    ("multi_hot", [["a", "c", "c", "x"]], [[1, 1, 0, 1]]),
    ("count", [["a", "c", "c", "x"]], [[1, 1, 0, 2]]),
])
def test_string_lookup_encodings_match_keras(mode, inputs, expected):
    output = layers.StringLookup(vocabulary=["a", "b", "c"], output_mode=mode)(inputs)
    np.testing.assert_array_equal(output, expected)
    assert output.dtype == np.float32


def test_string_lookup_tf_idf_and_invert_match_keras():
    layer = layers.StringLookup(output_mode="tf_idf")
    layer.adapt(SDATA)
    assert layer.get_vocabulary() == KERAS_VOCABULARY
    np.testing.assert_allclose(layer([["a", "d", "d", "q"]]),
                               [[0.9688845872879028, 1.3862943649291992, 0, 0.8472978472709656, 0, 0, 0, 0]],
                               rtol=1e-6)
    layer = layers.StringLookup(vocabulary=["a", "b", "c"], invert=True)
    assert layer(np.array([[0, 1, 3, 9]])).tolist() == [["[UNK]", "a", "c", "[UNK]"]]


def test_string_lookup_extra_oov_buckets_are_stable_and_in_range():
    layer = layers.StringLookup(vocabulary=["a", "b"], num_oov_indices=3)
    output = layer(["a", "x", "y", "zz", "x"])
    assert output[0] == 3 and output[1] == output[4] and ((output[1:] >= 0) & (output[1:] < 3)).all()


def test_string_layers_refuse_numbers_and_symbolic_inputs():
    with pytest.raises(TypeError, match="StringLookup.*strings"):
        layers.StringLookup(vocabulary=["a"])(np.array([1.0, 2.0]))
    with pytest.raises(TypeError, match="TextVectorization.*strings"):
        layers.TextVectorization(vocabulary=["a"])([1, 2])
    with pytest.raises(TypeError, match="before the model"):
        layers.TextVectorization(vocabulary=["a"])(axon.Input(shape=(1,)))
    with pytest.raises(TypeError, match="integer indices"):
        layers.StringLookup(vocabulary=["a"], invert=True)(["a"])


def test_text_vectorization_int_matches_keras():
    layer = layers.TextVectorization()
    layer.adapt(CORPUS)
    assert layer.get_vocabulary() == ["", "[UNK]", "the", "a", "dog", "cat", "and", "sat", "on", "my",
                                      "mat", "homework", "dogs", "cats", "birds", "bird", "ate"]
    assert layer.vocabulary_size() == 17
    output = layer(["the cat ate the bird", "unknown words here", ""])
    assert output.dtype == np.int64
    assert output.tolist() == [[2, 5, 16, 2, 15], [1, 1, 1, 0, 0], [0, 0, 0, 0, 0]]
    layer = layers.TextVectorization(max_tokens=6, output_sequence_length=4)
    layer.adapt(CORPUS)
    assert layer.get_vocabulary() == ["", "[UNK]", "the", "a", "dog", "cat"]
    assert layer(["the cat ate the bird", "a dog"]).tolist() == [[2, 5, 1, 2], [3, 4, 0, 0]]


KERAS_BAGS = {
    "multi_hot": [[1, 1, 0, 0, 1, 0, 0, 0], [1, 1, 0, 0, 0, 0, 0, 0]],
    "count": [[2, 2, 0, 0, 1, 0, 0, 0], [1, 2, 0, 0, 0, 0, 0, 0]],
    "tf_idf": [[1.9818123579025269, 1.6945956945419312, 0, 0, 0.8472978472709656, 0, 0, 0],
               [0.9909061789512634, 1.6945956945419312, 0, 0, 0, 0, 0, 0]],
}


@pytest.mark.parametrize("mode", sorted(KERAS_BAGS))
def test_text_vectorization_bags_match_keras(mode):
    layer = layers.TextVectorization(output_mode=mode, max_tokens=8)
    layer.adapt(CORPUS)
    assert layer.get_vocabulary() == ["[UNK]", "the", "a", "dog", "cat", "and", "sat", "on"]
    output = layer(["the cat ate the bird", "the the zebra"])
    np.testing.assert_allclose(output, KERAS_BAGS[mode], rtol=1e-6)
    assert output.shape == layer.compute_output_shape((2,))


def test_text_vectorization_options_match_keras():
    layer = layers.TextVectorization(output_mode="multi_hot", max_tokens=12, pad_to_max_tokens=True)
    layer.adapt(CORPUS[:2])
    assert layer(["the cat"]).tolist() == [[0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0]]
    layer = layers.TextVectorization(ngrams=2)
    layer.adapt(CORPUS[:2])
    assert layer.get_vocabulary() == ["", "[UNK]", "the", "the mat", "the dog", "the cat", "sat on", "sat",
                                      "on the", "on", "my homework", "my", "mat", "homework", "dog ate",
                                      "dog", "cat sat", "cat", "ate my", "ate"]
    assert layer(["the cat sat"]).tolist() == [[2, 17, 7, 5, 16]]
    layer = layers.TextVectorization(split="character", standardize="lower")
    layer.adapt(["Abba!", "cab"])
    assert layer.get_vocabulary() == ["", "[UNK]", "b", "a", "c", "!"]
    assert layer(["abc!"]).tolist() == [[3, 2, 4, 5]]
    for standardize, texts, expected in [
            (None, ["Hi, hi HI", "hi."], ["", "[UNK]", "hi.", "hi", "Hi,", "HI"]),
            ("strip_punctuation", ["Hi, hi HI", "hi.", "ÀB àb"], ["", "[UNK]", "hi", "àb", "ÀB", "Hi", "HI"]),
            # Keras lowercases ASCII letters only
            ("lower_and_strip_punctuation", ["ÀB àb É"], ["", "[UNK]", "àb", "É", "Àb"])]:
        layer = layers.TextVectorization(standardize=standardize)
        layer.adapt(texts)
        assert layer.get_vocabulary() == expected
    layer = layers.TextVectorization(vocabulary=["cat", "dog"], output_sequence_length=5)
    assert layer.get_vocabulary() == ["", "[UNK]", "cat", "dog"]
    assert layer(["dog cat bird"]).tolist() == [[3, 2, 1, 0, 0]]


class _Texts(PyDataset):
    def __len__(self):
        return 2

    def __getitem__(self, index):
        return [["x y"], ["y z"]][index], np.zeros(1)


def test_text_vectorization_adapts_from_arrays_lists_and_batches():
    expected = ["", "[UNK]", "y", "z", "x"]
    for data in (np.array([["x y"], ["y z"]]), ["x y", "y z"], iter([["x y"], ["y z"]]), _Texts(),
                 [b"x y", b"y z"]):
        layer = layers.TextVectorization()
        layer.adapt(data)
        assert layer.get_vocabulary() == expected


def test_text_vectorization_bad_arguments():
    for kwargs, message in [({"standardize": "upper"}, "standardize"), ({"split": "comma"}, "split"),
                            ({"ngrams": 0}, "ngrams"), ({"ngrams": (1, "2")}, "ngrams"),
                            ({"output_mode": "one_hot"}, "output_mode"),
                            ({"output_sequence_length": 0}, "output_sequence_length"),
                            ({"output_mode": "count", "output_sequence_length": 3}, "output_sequence_length"),
                            ({"max_tokens": 1}, "max_tokens"), ({"pad_to_max_tokens": True}, "max_tokens")]:
        with pytest.raises(ValueError, match=message):
            layers.TextVectorization(**kwargs)
    with pytest.raises(ValueError, match="batch of texts"):
        layers.TextVectorization(vocabulary=["a"])(np.array([["a", "b"]]))
    with pytest.raises(ValueError, match="callable"):
        layers.TextVectorization(split=str.split).get_config()


def test_configs_round_trip_with_the_vocabulary():
    cases = [(layers.StringLookup(output_mode="tf_idf"), SDATA, [["a", "q", "d"]]),
             (layers.StringLookup(mask_token="", num_oov_indices=2), SDATA, [["a", "", "q"]]),
             (layers.TextVectorization(ngrams=(1, 2), output_sequence_length=6), CORPUS, ["the cat sat"]),
             (layers.TextVectorization(output_mode="tf_idf", max_tokens=10, pad_to_max_tokens=True), CORPUS,
              ["the dog and the cat"])]
    for layer, data, inputs in cases:
        layer.adapt(data)
        restored = type(layer).from_config(json.loads(json.dumps(layer.get_config())))
        assert restored.get_vocabulary() == layer.get_vocabulary()
        np.testing.assert_array_equal(restored(inputs), layer(inputs))


def test_text_classification_end_to_end_beats_chance():
    axon.utils.set_random_seed(0)
    good = ["great", "wonderful", "excellent", "loved", "superb", "delightful"]
    bad = ["awful", "terrible", "boring", "hated", "dreadful", "poor"]
    filler = ["the", "movie", "was", "plot", "acting", "really", "quite", "and"]
    rng = np.random.default_rng(0)

    def review(words):
        return " ".join(rng.choice(filler, 4).tolist() + rng.choice(words, 2).tolist())

    texts = [review(good) for _ in range(60)] + [review(bad) for _ in range(60)]
    labels = np.array([1] * 60 + [0] * 60)
    order = rng.permutation(len(texts))
    texts, labels = [texts[i] for i in order], labels[order]
    vectorizer = layers.TextVectorization(max_tokens=40, output_sequence_length=6)
    vectorizer.adapt(texts[:90])
    x = vectorizer(texts)
    model = axon.Sequential([axon.Input(shape=(6,), dtype="int64"), layers.Embedding(40, 8),
                             layers.GlobalAveragePooling1D(), layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=axon.optimizers.Adam(0.05), loss="binary_crossentropy", metrics=["accuracy"])
    model.fit(x[:90], labels[:90], epochs=30, batch_size=16, verbose=0)
    accuracy = model.evaluate(x[90:], labels[90:], verbose=0)[1]
    assert accuracy > 0.8
