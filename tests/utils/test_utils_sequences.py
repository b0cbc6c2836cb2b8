"""pad_sequences against Keras 3's ``keras.utils.pad_sequences``.

The golden values were produced with Keras 3.15 (TensorFlow backend) by::

    from keras.utils import pad_sequences as ps
    S = [[1, 2, 3], [4, 5], [6], []]
    ps(S); ps(S, maxlen=2); ps(S, maxlen=2, padding="post", truncating="post"); ps(S, maxlen=4, value=-1)
    ps([[1.5, 2.25], [3.0]], dtype="float32", value=0.5)
    ps([["a", "b"], ["c"]], dtype=object, value="pad")
    ps([[[1, 2], [3, 4]], [[5, 6]]], padding="post")
    ps([[1], [2, 3]], maxlen=4, padding="post", truncating="pre"); ps([[1.7, 2.2]], dtype="int32")
    ps([[], []])
"""
import numpy as np
import pytest

from axon.utils import pad_sequences

SEQUENCES = [[1, 2, 3], [4, 5], [6], []]
CASES = [
    ((SEQUENCES,), {}, [[1, 2, 3], [0, 4, 5], [0, 0, 6], [0, 0, 0]]),
    ((SEQUENCES,), {"maxlen": 2}, [[2, 3], [4, 5], [0, 6], [0, 0]]),
    ((SEQUENCES,), {"maxlen": 2, "padding": "post", "truncating": "post"},
     [[1, 2], [4, 5], [6, 0], [0, 0]]),
    ((SEQUENCES,), {"maxlen": 4, "value": -1},
     [[-1, 1, 2, 3], [-1, -1, 4, 5], [-1, -1, -1, 6], [-1, -1, -1, -1]]),
    (([[1.5, 2.25], [3.0]],), {"dtype": "float32", "value": 0.5}, [[1.5, 2.25], [0.5, 3.0]]),
    (([["a", "b"], ["c"]],), {"dtype": object, "value": "pad"}, [["a", "b"], ["pad", "c"]]),
    (([[[1, 2], [3, 4]], [[5, 6]]],), {"padding": "post"}, [[[1, 2], [3, 4]], [[5, 6], [0, 0]]]),
    (([[1], [2, 3]],), {"maxlen": 4, "padding": "post", "truncating": "pre"},
     [[1, 0, 0, 0], [2, 3, 0, 0]]),
    (([[1.7, 2.2]],), {"dtype": "int32"}, [[1, 2]]),
]


@pytest.mark.parametrize("args, kwargs, expected", CASES)
def test_pad_sequences_matches_keras(args, kwargs, expected):
    result = pad_sequences(*args, **kwargs)
    assert result.tolist() == expected
    assert result.dtype == np.dtype(kwargs.get("dtype", "int32"))


def test_all_empty_sequences_give_zero_width_rows():
    assert pad_sequences([[], []]).shape == (2, 0)


def test_arrays_and_numpy_strings_are_accepted():
    result = pad_sequences([np.array([1, 2]), np.array([3])], maxlen=3)
    assert result.tolist() == [[0, 1, 2], [0, 0, 3]]
    assert pad_sequences([["ab"], ["c", "d"]], dtype="<U2", value="").tolist() == [["", "ab"], ["c", "d"]]


@pytest.mark.parametrize("kwargs, message", [
    ({"padding": "middle"}, "padding"), ({"truncating": "x"}, "truncating"),
    ({"value": "x"}, "dtype=object"), ({"maxlen": -1}, "maxlen"), ({"maxlen": 1.5}, "maxlen")])
def test_bad_arguments_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        pad_sequences(SEQUENCES, **kwargs)


def test_bad_sequences_are_refused():
    with pytest.raises(ValueError, match="list of sequences"):
        pad_sequences([1, 2])
    with pytest.raises(ValueError, match="empty list"):
        pad_sequences([])
    with pytest.raises(ValueError, match="list of sequences"):
        pad_sequences(5)
    with pytest.raises(ValueError, match="shape"):
        pad_sequences([[[1, 2]], [[1, 2, 3]]])
