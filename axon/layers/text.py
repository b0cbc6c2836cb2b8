"""Text preprocessing layers: StringLookup and TextVectorization (Keras 3's layers of those names).

They take strings (lists or NumPy arrays of ``str``), so they run on the data before the model,
as Keras recommends with ``tf.data``: ``x = vectorizer(texts)``, then ``model.fit(x, y)``. They
return NumPy arrays (int64 indices, or floats of the layer's dtype) and cannot sit inside a
``Model`` (axon's graphs carry numbers only). Their vocabulary is part of ``get_config``, so
``type(layer).from_config(layer.get_config())`` recreates an adapted layer.
"""
from __future__ import annotations

import string
from typing import Any

from axon import backend
from axon.backend import host
from axon.layers.base import Layer
from axon.layers.categorical import adapt_batches, check_output_mode
from axon.layers.index_lookup import IndexLookup
from axon.layers.symbolic import is_symbolic

__all__ = ["StringLookup", "TextVectorization"]

# Keras lowercases with tf.strings.lower, which changes only ASCII letters ("É" stays "É").
_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
_NO_PUNCTUATION = str.maketrans("", "", string.punctuation)   # Keras's regex: ASCII punctuation
_STANDARDIZE = ("lower_and_strip_punctuation", "lower", "strip_punctuation")
_SPLIT = ("whitespace", "character")


def _strings(values: Any, layer: Layer, argument: str) -> Any:
    """``values`` as a host array of ``str`` (bytes decoded as UTF-8); numbers are refused."""
    array = host.asarray(values, dtype=object) if isinstance(values, list | tuple) else \
        host.asarray(backend.to_numpy(getattr(values, "data", values)) if not isinstance(
            values, str | bytes) else values)
    if array.dtype.kind == "S" or array.dtype.kind == "O" and array.size and all(
            isinstance(v, bytes) for v in array.reshape(-1)):
        return host.char.decode(array.astype("S"), "utf-8")
    if array.dtype.kind == "O" and all(isinstance(v, str) for v in array.reshape(-1)):
        return array.astype(str) if array.size else array.astype("U1")
    if array.dtype.kind != "U":
        raise TypeError(f"Layer '{layer.name}' ({type(layer).__name__}) expects strings in "
                        f"{argument}. Received: dtype={array.dtype}")
    return array


class _OnStrings:
    """Calling on strings: no symbolic use, no numeric conversion, NumPy results."""

    def __call__(self, inputs: Any, training: bool = False, **kwargs: Any) -> Any:
        if is_symbolic(inputs):
            raise TypeError(f"Layer '{self.name}' ({type(self).__name__}) runs on strings before "
                            "the model and cannot be called on axon.Input: apply it to the data "
                            "and feed its output to the model.")
        self.built = True
        return self.call(inputs, training=training)

    def _output(self, values: Any, dtype: Any) -> Any:
        return values if dtype is None else host.asarray(values, dtype=dtype)


class StringLookup(_OnStrings, IndexLookup):
    """Maps strings to contiguous indices through a vocabulary (Keras's StringLookup).

    Index layout, ``adapt`` order (descending count, ties by descending string, i.e. UTF-8 byte
    order) and output modes, tf_idf included, are those of
    :class:`axon.layers.categorical.IndexLookup`. With ``num_oov_indices > 1`` an unknown string
    goes to OOV bucket ``FNV-1a-64(utf-8 bytes) mod num_oov_indices``; Keras uses FarmHash, so
    those buckets differ from Keras's. ``invert=True`` maps int indices back to strings.

    Args:
        max_tokens: the largest vocabulary, special indices included (None: no limit).
        num_oov_indices: the number of indices for unknown strings (default 1).
        mask_token: a string meaning "no value" (index 0 in int mode), or None.
        oov_token: the string ``invert`` returns for OOV indices (default ``"[UNK]"``).
        vocabulary: a list of strings, or None to ``adapt``.
        idf_weights: the inverse document frequencies of ``vocabulary`` (``"tf_idf"`` only).
        invert: map indices back to strings.
        output_mode: ``"int"``, ``"one_hot"``, ``"multi_hot"``, ``"count"`` or ``"tf_idf"``.
        pad_to_max_tokens: make the encoded axis ``max_tokens`` long.

    Input: strings of any shape (a list or array). Output: a NumPy array (see IndexLookup).

    Example:
        >>> from axon.layers import StringLookup
        >>> layer = StringLookup()
        >>> layer.adapt([["a", "c", "d"], ["d", "z", "b"]])
        >>> layer.get_vocabulary()
        ['[UNK]', 'd', 'z', 'c', 'b', 'a']
        >>> layer([["a", "d", "q"]]).tolist()
        [[5, 1, 0]]
    """

    token_kind = "string"

    def __init__(self, max_tokens: int | None = None, num_oov_indices: int = 1,
                 mask_token: str | None = None, oov_token: str = "[UNK]", vocabulary: Any = None,
                 idf_weights: Any = None, invert: bool = False, output_mode: str = "int",
                 sparse: bool = False, pad_to_max_tokens: bool = False, **kwargs: Any) -> None:
        for argument, value in (("mask_token", mask_token), ("oov_token", oov_token)):
            if value is not None and not isinstance(value, str):
                raise ValueError(f"StringLookup expects {argument} to be a string or None. "
                                 f"Received: {argument}={value!r}")
        super().__init__(max_tokens=max_tokens, num_oov_indices=num_oov_indices,
                         mask_token=mask_token, oov_token=oov_token, vocabulary=vocabulary,
                         idf_weights=idf_weights, invert=invert, output_mode=output_mode,
                         sparse=sparse, pad_to_max_tokens=pad_to_max_tokens, **kwargs)

    def _tokens_from(self, values: Any, argument: str) -> Any:
        return _strings(values, self, argument)

    def _oov_buckets(self, values: Any) -> Any:
        return host.asarray([_fnv1a(v) % self.num_oov_indices for v in values.tolist()],
                            dtype="int64")


def _fnv1a(text: str) -> int:
    """The 64-bit FNV-1a hash of ``text``'s UTF-8 bytes."""
    value = 0xCBF29CE484222325
    for byte in text.encode("utf-8"):
        value = ((value ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return value


class TextVectorization(_OnStrings, Layer):
    """Turns texts into token indices or bag-of-words vectors (Keras's TextVectorization).

    Each text is standardized (``"lower_and_strip_punctuation"``: ASCII letters lowercased and
    ASCII punctuation removed, as Keras; ``"lower"``, ``"strip_punctuation"``, None, or a
    callable ``str -> str``), split (``"whitespace"``, ``"character"``: Unicode code points,
    None: the whole text is one token, or a callable ``str -> list of str``), extended with
    the ``ngrams`` (widths ``1..n`` for an int, or the given widths; tokens joined by a space,
    all of one width before the next), then looked up in a :class:`StringLookup` whose mask
    token is ``""`` (index 0, the padding) and OOV token ``"[UNK]"`` (index 1).

    ``"int"``: one row of indices per text, padded with 0 (or cut) at the end to
    ``output_sequence_length``, or to the longest text of the batch. ``"multi_hot"``,
    ``"count"``, ``"tf_idf"``: one vector per text, as StringLookup's (``tf_idf``: ``count_k *
    log(1 + N / (1 + df_k))``, OOV weighted by the mean idf). ``"one_hot"`` is not offered.

    Args:
        max_tokens: the largest vocabulary, special tokens included.
        standardize, split, ngrams: see above.
        output_mode: ``"int"`` (default), ``"multi_hot"``, ``"count"`` or ``"tf_idf"``.
        output_sequence_length: the row length in ``"int"`` mode (None: the longest text).
        pad_to_max_tokens: make the encoded axis ``max_tokens`` long.
        vocabulary, idf_weights: a given vocabulary (and its idf weights for ``"tf_idf"``).

    Input: a list or 1-d array of texts (or shape ``(n, 1)``). Output: a NumPy array
    ``(n, length)`` of int64, or ``(n, depth)`` of the layer's dtype. A layer with a callable
    ``standardize`` or ``split`` cannot be serialized.

    Example:
        >>> from axon.layers import TextVectorization
        >>> layer = TextVectorization(output_sequence_length=4)
        >>> layer.adapt(["The cat sat.", "The dog!"])
        >>> layer.get_vocabulary()
        ['', '[UNK]', 'the', 'sat', 'dog', 'cat']
        >>> layer(["the cat ate"]).tolist()
        [[2, 5, 1, 0]]
    """

    def __init__(self, max_tokens: int | None = None,
                 standardize: Any = "lower_and_strip_punctuation", split: Any = "whitespace",
                 ngrams: Any = None, output_mode: str = "int",
                 output_sequence_length: int | None = None, pad_to_max_tokens: bool = False,
                 vocabulary: Any = None, idf_weights: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        for argument, value, allowed in (("standardize", standardize, _STANDARDIZE),
                                         ("split", split, _SPLIT)):
            if value is not None and not callable(value) and value not in allowed:
                raise ValueError(f"TextVectorization expects {argument} to be None, a callable or "
                                 f"one of {', '.join(map(repr, allowed))}. Received: "
                                 f"{argument}={value!r}")
        if isinstance(ngrams, list):
            ngrams = tuple(ngrams)
        if not (ngrams is None or _positive(ngrams) or isinstance(ngrams, tuple) and ngrams
                and all(_positive(n) for n in ngrams)):
            raise ValueError("TextVectorization expects ngrams to be None, a positive integer or a "
                             f"tuple of positive integers. Received: ngrams={ngrams!r}")
        output_mode = "tf_idf" if output_mode == "tf-idf" else output_mode
        check_output_mode(output_mode, ("int", "multi_hot", "count", "tf_idf"), "TextVectorization")
        if output_sequence_length is not None and (output_mode != "int" or not _positive(
                output_sequence_length)):
            raise ValueError("TextVectorization expects output_sequence_length to be None, or a "
                             "positive integer with output_mode='int'. Received: output_sequence_"
                             f"length={output_sequence_length!r}, output_mode={output_mode!r}")
        self.standardize, self.split, self.ngrams = standardize, split, ngrams
        self.output_mode, self.output_sequence_length = output_mode, output_sequence_length
        self._widths = tuple(range(1, ngrams + 1)) if isinstance(ngrams, int) else ngrams
        try:
            self._lookup = StringLookup(max_tokens=max_tokens, mask_token="", vocabulary=vocabulary,
                                        idf_weights=idf_weights, output_mode=output_mode,
                                        pad_to_max_tokens=pad_to_max_tokens, dtype=self.dtype,
                                        name=f"{self.name}_lookup")
        except ValueError as error:
            raise ValueError(f"TextVectorization: {error}".replace("StringLookup", "the vocabulary")
                             ) from None

    # ---- text -> tokens ------------------------------------------------------------------------
    def _tokenize(self, texts: Any) -> list:
        """The token list of each text in the batch ``texts``."""
        array = _strings(texts, self, "the inputs")
        if array.ndim == 2 and array.shape[1] == 1:
            array = array[:, 0]
        if array.ndim != 1:
            raise ValueError(f"Layer '{self.name}' (TextVectorization) expects a batch of texts: a "
                             f"list, a 1-d array or shape (n, 1). Received: shape={array.shape}")
        return [self._grams(self._split(self._standardize(text))) for text in array.tolist()]

    def _standardize(self, text: str) -> str:
        if callable(self.standardize):
            return self.standardize(text)
        if self.standardize in ("lower", "lower_and_strip_punctuation"):
            text = text.translate(_ASCII_LOWER)
        if self.standardize in ("strip_punctuation", "lower_and_strip_punctuation"):
            text = text.translate(_NO_PUNCTUATION)
        return text

    def _split(self, text: str) -> list:
        if callable(self.split):
            return list(self.split(text))
        if self.split == "whitespace":
            return text.split()
        return list(text) if self.split == "character" else [text]

    def _grams(self, tokens: list) -> list:
        if self._widths is None:
            return tokens
        return [" ".join(tokens[i:i + n]) for n in self._widths for i in range(len(tokens) - n + 1)]

    # ---- vocabulary -----------------------------------------------------------------------------
    def adapt(self, data: Any) -> None:
        """Learn the vocabulary from texts: a list or array of texts (one batch), a PyDataset or
        an iterable of batches of texts."""
        self._lookup.learn_from(tokens for batch in adapt_batches(data, lists_are_batches=False)
                                for tokens in self._tokenize(batch))

    def get_vocabulary(self, include_special_tokens: bool = True) -> list:
        """The tokens in index order (``""`` and ``"[UNK]"`` first unless told otherwise)."""
        return self._lookup.get_vocabulary(include_special_tokens)

    def vocabulary_size(self) -> int:
        """The number of indices, padding and OOV included."""
        return self._lookup.vocabulary_size()

    def set_vocabulary(self, vocabulary: Any, idf_weights: Any = None) -> None:
        """Use ``vocabulary`` (and its ``idf_weights`` in ``"tf_idf"`` mode)."""
        self._lookup.set_vocabulary(vocabulary, idf_weights)

    # ---- call ---------------------------------------------------------------------------------------
    def call(self, inputs: Any, training: bool = False) -> Any:
        documents = self._tokenize(inputs)
        lengths = host.asarray([len(tokens) for tokens in documents], dtype="int64")
        flat = host.asarray([t for tokens in documents for t in tokens] or [""][:0], dtype=str)
        indices = self._lookup.lookup(flat)
        rows = host.repeat(host.arange(len(documents)), lengths)
        if self.output_mode == "int":
            width = self.output_sequence_length or int(lengths.max(initial=0))
            positions = host.arange(flat.size) - host.repeat(host.cumsum(lengths) - lengths, lengths)
            kept = positions < width
            result = host.zeros((len(documents), width), dtype="int64")
            result[rows[kept], positions[kept]] = indices[kept]
            return result
        counts = host.zeros((len(documents), self._lookup.depth()), dtype="float64")
        counted = indices >= 0
        host.add.at(counts, (rows[counted], indices[counted]), 1.0)
        return self._lookup.weigh_counts(counts).astype(self.dtype)

    def compute_output_shape(self, input_shape):
        if self.output_mode == "int":
            return (input_shape[0], self.output_sequence_length)
        return (input_shape[0], self._lookup.depth())

    def get_config(self):
        for argument in ("standardize", "split"):
            if callable(getattr(self, argument)):
                raise ValueError(f"Layer '{self.name}' (TextVectorization) has a callable "
                                 f"{argument}, which cannot be put in a configuration.")
        lookup = self._lookup.get_config()
        return {**super().get_config(), "max_tokens": lookup["max_tokens"],
                "standardize": self.standardize, "split": self.split, "ngrams": self.ngrams,
                "output_mode": self.output_mode,
                "output_sequence_length": self.output_sequence_length,
                "pad_to_max_tokens": lookup["pad_to_max_tokens"],
                "vocabulary": lookup["vocabulary"], "idf_weights": lookup["idf_weights"]}


def _positive(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0
