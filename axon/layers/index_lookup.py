"""Vocabularies: IntegerLookup (Keras 3's layer of that name) and IndexLookup, the engine it
shares with StringLookup (``axon.layers.text``): tokens to contiguous indices and back, with
mask and out-of-vocabulary indices, and the encodings of ``axon.layers.categorical``.
"""
from __future__ import annotations

from typing import Any

from axon import backend
from axon.backend import host
from axon.engine import Tensor
from axon.layers.categorical import (
    _COUNT_MODES,
    _Categorical,
    _whole_numbers,
    adapt_batches,
    check_output_mode,
    encode_categories,
    encoded_shape,
)

__all__ = ["IndexLookup", "IntegerLookup"]


class IndexLookup(_Categorical):
    """The vocabulary engine of IntegerLookup and StringLookup: tokens -> contiguous indices.

    Index layout (as Keras): in ``"int"`` mode with a ``mask_token``, index 0 is the mask; then
    ``num_oov_indices`` indices for unknown tokens; then the vocabulary. In the other modes the
    mask has no index (masked entries are dropped) and OOV indices start at 0.

    ``adapt`` counts the tokens and orders them by descending count, ties by descending token
    (Keras's ``lexsort`` reversed); ``max_tokens`` keeps the most frequent. An array or list
    given to ``adapt`` is one batch whose rows are documents (a 1-d array: one token per
    document); an iterable yields batches, where a 1-d batch is one document.

    ``"tf_idf"``: ``y[k] = count_k * idf_k``, ``idf_k = log(1 + N / (1 + df_k))`` with ``N``
    the number of documents seen by ``adapt`` and ``df_k`` those containing token ``k``; the OOV
    indices get the mean idf of the vocabulary, and the ``pad_to_max_tokens`` padding 0.

    Not differentiable; outputs are int64 indices (``"int"``) or floats of the layer's dtype
    (Keras returns int64 counts for one_hot/multi_hot/count; the values are the same). A layer
    without a vocabulary raises on call (Keras maps everything to OOV in ``"int"`` mode).
    """

    token_kind = "token"

    def __init__(self, max_tokens: int | None, num_oov_indices: int, mask_token: Any,
                 oov_token: Any, vocabulary: Any = None, idf_weights: Any = None,
                 invert: bool = False, output_mode: str = "int", sparse: bool = False,
                 pad_to_max_tokens: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        owner = type(self).__name__
        if max_tokens is not None and (isinstance(max_tokens, bool) or not isinstance(
                max_tokens, int) or max_tokens <= 1):
            raise ValueError(f"{owner} expects max_tokens to be an integer > 1 or None. "
                             f"Received: max_tokens={max_tokens!r}")
        if isinstance(num_oov_indices, bool) or not isinstance(num_oov_indices, int) or \
                num_oov_indices < 0:
            raise ValueError(f"{owner} expects num_oov_indices to be an integer >= 0. "
                             f"Received: num_oov_indices={num_oov_indices!r}")
        output_mode = "tf_idf" if output_mode == "tf-idf" else output_mode
        check_output_mode(output_mode, ("int",) + _COUNT_MODES + ("tf_idf",), owner)
        for argument, value in (("invert", invert), ("pad_to_max_tokens", pad_to_max_tokens)):
            if not isinstance(value, bool):
                raise ValueError(f"{owner} expects {argument} to be a bool. Received: {argument}={value!r}")
        if invert and output_mode != "int":
            raise ValueError(f"{owner} supports invert=True only with output_mode='int'. "
                             f"Received: output_mode={output_mode!r}")
        if pad_to_max_tokens and max_tokens is None:
            raise ValueError(f"{owner} needs max_tokens with pad_to_max_tokens=True. "
                             f"Received: max_tokens=None")
        if idf_weights is not None and output_mode != "tf_idf":
            raise ValueError(f"{owner} takes idf_weights only with output_mode='tf_idf'. "
                             f"Received: output_mode={output_mode!r}")
        if output_mode == "tf_idf" and vocabulary is not None and idf_weights is None:
            raise ValueError(f"{owner} needs idf_weights with a vocabulary in output_mode='tf_idf'.")
        if sparse is not False:
            raise ValueError(f"{owner} supports only dense outputs. Received: sparse={sparse!r}")
        self.max_tokens, self.num_oov_indices, self.sparse = max_tokens, num_oov_indices, False
        self.mask_token, self.oov_token, self.invert = mask_token, oov_token, invert
        self.output_mode, self.pad_to_max_tokens = output_mode, pad_to_max_tokens
        self.tokens: list | None = None
        self.idf_weights: list | None = None
        self._index: dict = {}
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)

    # ---- the vocabulary -----------------------------------------------------------------------
    def _tokens_from(self, values: Any, argument: str) -> Any:
        """``values`` as a host array of this layer's token type (subclasses check the type)."""
        raise NotImplementedError

    def _oov_buckets(self, values: Any) -> Any:
        """The OOV bucket in ``[0, num_oov_indices)`` of each unknown token."""
        raise NotImplementedError

    def _oov_start(self) -> int:
        return 1 if self.mask_token is not None and self.output_mode == "int" else 0

    def _token_start(self) -> int:
        return self._oov_start() + self.num_oov_indices

    def set_vocabulary(self, vocabulary: Any, idf_weights: Any = None) -> None:
        """Use ``vocabulary`` (a list of tokens; leading special tokens, as ``get_vocabulary``
        returns them, are skipped) and, in ``"tf_idf"`` mode, its ``idf_weights``."""
        owner = type(self).__name__
        tokens = self._tokens_from(vocabulary, "vocabulary").reshape(-1).tolist()
        specials = self.get_vocabulary()[:self._token_start()] if self._token_start() else []
        if specials and tokens[:len(specials)] == specials:
            tokens = tokens[len(specials):]
        if not tokens:
            raise ValueError(f"{owner} cannot use an empty vocabulary. Received: vocabulary={vocabulary!r}")
        repeated = sorted({t for t in tokens if tokens.count(t) > 1}, key=str) \
            if len(set(tokens)) != len(tokens) else []
        if repeated:
            raise ValueError(f"{owner} expects a vocabulary without repeated tokens. Repeated: {repeated}")
        for name, special in (("mask_token", self.mask_token),
                              ("oov_token", self.oov_token if self.invert else None)):
            if special is not None and special in tokens:
                raise ValueError(f"{owner}: the vocabulary holds the {name} {special!r} among its "
                                 "tokens; leave it out (its index is reserved).")
        if self.max_tokens is not None and self._token_start() + len(tokens) > self.max_tokens:
            raise ValueError(f"{owner}: a vocabulary of {len(tokens)} tokens and "
                             f"{self._token_start()} special indices exceeds "
                             f"max_tokens={self.max_tokens}.")
        if self.output_mode == "tf_idf":
            weights = host.asarray(idf_weights, dtype="float64") if idf_weights is not None else None
            if weights is None or weights.shape != (len(tokens),):
                raise ValueError(f"{owner} expects idf_weights with one weight per vocabulary token "
                                 f"({len(tokens)}). Received: idf_weights={idf_weights!r}")
            self.idf_weights = weights.tolist()
        self._set_tokens(tokens)

    def _set_tokens(self, tokens: list) -> None:
        self.tokens = tokens
        start = self._token_start()
        self._index = {token: start + i for i, token in enumerate(tokens)}

    def get_vocabulary(self, include_special_tokens: bool = True) -> list:
        """The tokens in index order (with the mask and OOV tokens unless told otherwise)."""
        specials = [self.mask_token] * self._oov_start() + [self.oov_token] * self.num_oov_indices
        return (specials if include_special_tokens else []) + list(self.tokens or [])

    def vocabulary_size(self) -> int:
        """The number of indices, special ones included."""
        return self._token_start() + len(self.tokens or [])

    # ---- adapt --------------------------------------------------------------------------------
    def adapt(self, data: Any) -> None:
        """Learn the vocabulary (and, for ``"tf_idf"``, document frequencies) from ``data``:
        an array or list (one batch of documents), a PyDataset or an iterable of batches."""
        whole = backend.is_array(data) or isinstance(data, list | tuple | Tensor)
        self.learn_from(document for batch in adapt_batches(data, lists_are_batches=False)
                        for document in self._documents(batch, whole))

    def learn_from(self, documents: Any) -> None:
        """Set the vocabulary (and idf weights) from an iterable of documents (token sequences)."""
        counts: dict = {}
        document_counts: dict = {}
        number_of_documents = 0
        for document in documents:
            number_of_documents += 1
            found, number = host.unique(host.asarray(document), return_counts=True)
            for token, n in zip(found.tolist(), number.tolist()):
                counts[token] = counts.get(token, 0) + n
                document_counts[token] = document_counts.get(token, 0) + 1
        for special in (self.mask_token, self.oov_token):
            counts.pop(special, None)
        ordered = sorted(counts, key=lambda token: (counts[token], token), reverse=True)
        if self.max_tokens is not None:
            ordered = ordered[:max(self.max_tokens - self._token_start(), 0)]
        if self.output_mode == "tf_idf":
            self.idf_weights = [float(host.log(1.0 + number_of_documents / (1.0 + document_counts[t])))
                                for t in ordered]
        self._set_tokens(ordered)

    def _documents(self, batch: Any, whole: bool) -> list:
        """The documents (1-d token arrays) of one batch (see the class docstring)."""
        array = self._tokens_from(backend.to_numpy(batch.data) if isinstance(batch, Tensor)
                                  else batch, "the data given to adapt")
        if array.ndim <= 1:
            array = array.reshape(-1, 1) if whole and array.ndim == 1 else array.reshape(1, -1)
        return list(array.reshape(array.shape[0], -1))

    # ---- call ---------------------------------------------------------------------------------
    def _require_vocabulary(self) -> None:
        if self.tokens is None:
            raise ValueError(f"Layer '{self.name}' ({type(self).__name__}) has no vocabulary: pass "
                             "vocabulary or call adapt() before using it.")

    def lookup(self, values: Any) -> Any:
        """The int64 index of each token in the host array ``values`` (masked entries: 0 in
        ``"int"`` mode, -1 otherwise)."""
        self._require_vocabulary()
        found, inverse = host.unique(values.reshape(-1), return_inverse=True)
        table = host.asarray([self._index.get(token, -1) for token in found.tolist()], dtype="int64")
        indices = table[inverse.reshape(-1)].reshape(values.shape) if found.size else \
            host.zeros(values.shape, dtype="int64")
        masked = (values == self.mask_token) if self.mask_token is not None else \
            host.zeros(values.shape, dtype=bool)
        unknown = (indices < 0) & ~masked
        if host.any(unknown):
            if self.num_oov_indices == 0:
                raise ValueError(f"Layer '{self.name}' ({type(self).__name__}) has num_oov_indices=0"
                                 f" but received tokens outside its vocabulary: "
                                 f"{host.unique(values[unknown]).tolist()[:10]}")
            buckets = self._oov_buckets(values[unknown]) if self.num_oov_indices > 1 else 0
            indices[unknown] = self._oov_start() + buckets
        if self.mask_token is not None:
            indices[masked] = 0 if self.output_mode == "int" else -1
        return indices

    def depth(self) -> int:
        """The length of the encoded axis."""
        return self.max_tokens if self.pad_to_max_tokens else self.vocabulary_size()

    def weigh_counts(self, counts: Any) -> Any:
        """Counts per index -> the output of a count-based mode (multi_hot, count, tf_idf)."""
        if self.output_mode == "multi_hot":
            return host.minimum(counts, 1.0)
        if self.output_mode == "tf_idf":
            learned = host.asarray(self.idf_weights or [], dtype="float64")
            mean = learned.astype("float32").mean() if learned.size else 0.0
            idf = host.concatenate([host.full(self._token_start(), mean), learned])
            return counts * host.pad(idf, (0, self.depth() - idf.size))
        return counts

    def invert_indices(self, indices: Any) -> Any:
        """Tokens for int ``indices`` (the OOV token for unknown indices)."""
        self._require_vocabulary()
        table = host.asarray(self.get_vocabulary())
        inside = (indices >= 0) & (indices < table.size)
        return host.where(inside, table[host.clip(indices, 0, table.size - 1)],
                          host.asarray(self.oov_token, dtype=table.dtype))

    def call(self, inputs: Any, training: bool = False) -> Any:
        values = backend.to_numpy(getattr(inputs, "data", inputs))
        if self.invert:
            return self._output(self.invert_indices(_whole_numbers(values, self)), None)
        values = self._tokens_from(values, "the inputs")
        indices = self.lookup(values)
        if self.output_mode == "int":
            return self._output(indices, "int64")
        if self.output_mode == "one_hot":
            return self._output(encode_categories(indices, "one_hot", self.depth(), self.dtype),
                                self.dtype)
        counts = encode_categories(indices, "count", self.depth(), "float64")
        return self._output(self.weigh_counts(counts).astype(self.dtype), self.dtype)

    def compute_output_shape(self, input_shape):
        return encoded_shape(input_shape, self.output_mode, self.depth())

    def get_config(self):
        return {**super().get_config(), "max_tokens": self.max_tokens,
                "num_oov_indices": self.num_oov_indices, "mask_token": self.mask_token,
                "oov_token": self.oov_token, "vocabulary": self.tokens,
                "idf_weights": self.idf_weights if self.output_mode == "tf_idf" and self.tokens
                else None, "invert": self.invert, "output_mode": self.output_mode,
                "sparse": self.sparse, "pad_to_max_tokens": self.pad_to_max_tokens}


class IntegerLookup(IndexLookup):
    """Maps integers to contiguous indices through a vocabulary (Keras's IntegerLookup).

    See :class:`axon.layers.categorical.IndexLookup` for the index layout, ``adapt`` and the
    output modes (tf_idf included). With ``num_oov_indices > 1`` an unknown value ``x`` goes to
    OOV index ``oov_start + (x mod num_oov_indices)``, as Keras's default ``oov_method``.

    Args:
        max_tokens: the largest vocabulary, special indices included (None: no limit).
        num_oov_indices: the number of indices for unknown values (default 1).
        mask_token: an integer that means "no value" (index 0 in int mode), or None.
        oov_token: the value ``invert`` returns for OOV indices (default -1).
        vocabulary: a list of integers, or None to ``adapt``.
        idf_weights: the inverse document frequencies of ``vocabulary`` (``"tf_idf"`` only).
        invert: map indices back to values.
        output_mode: ``"int"``, ``"one_hot"``, ``"multi_hot"``, ``"count"`` or ``"tf_idf"``.
        pad_to_max_tokens: make the encoded axis ``max_tokens`` long.

    Example:
        >>> import numpy as np
        >>> from axon.layers import IntegerLookup
        >>> layer = IntegerLookup()
        >>> layer.adapt(np.array([12, 42, 42, 7]))
        >>> layer.get_vocabulary()
        [-1, 42, 12, 7]
        >>> layer(np.array([[42, 7, 5]])).numpy().tolist()
        [[1, 3, 0]]
    """

    token_kind = "integer"

    def __init__(self, max_tokens: int | None = None, num_oov_indices: int = 1,
                 mask_token: int | None = None, oov_token: int = -1, vocabulary: Any = None,
                 idf_weights: Any = None, invert: bool = False, output_mode: str = "int",
                 sparse: bool = False, pad_to_max_tokens: bool = False, **kwargs: Any) -> None:
        for argument, value in (("mask_token", mask_token), ("oov_token", oov_token)):
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                raise ValueError(f"IntegerLookup expects {argument} to be an integer or None. "
                                 f"Received: {argument}={value!r}")
        super().__init__(max_tokens=max_tokens, num_oov_indices=num_oov_indices,
                         mask_token=mask_token, oov_token=oov_token, vocabulary=vocabulary,
                         idf_weights=idf_weights, invert=invert, output_mode=output_mode,
                         sparse=sparse, pad_to_max_tokens=pad_to_max_tokens, **kwargs)

    def _tokens_from(self, values: Any, argument: str) -> Any:
        array = host.asarray(values)
        if array.size == 0:
            return array.astype("int64")
        try:
            return _whole_numbers(array, self)
        except TypeError:
            raise ValueError(f"Layer '{self.name}' (IntegerLookup) expects integers in {argument}. "
                             f"Received: dtype={array.dtype}") from None

    def _oov_buckets(self, values: Any) -> Any:
        return host.mod(values, self.num_oov_indices)   # floor mod, as Keras ("floormod")
