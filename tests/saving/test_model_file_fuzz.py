"""Fuzzing the ``.axon`` reader: every mutated file loads with the saved weights or raises FormatError.

Thousands of mutations of small saved models (an MLP with batch norm and dropout, and a
Conv2D-LSTM functional model, both trained one epoch with Adam so the optimizer member exists;
also the MLP in the version-1 layout, one safetensors file):

* raw bytes of the file (flips, overwrites with random or special values, truncation, insertion,
  deletion, duplication), biased towards the zip headers;
* the bytes of one member, re-archived so the CRCs are right, and parsed mutations of the
  safetensors headers (lengths, dtypes, shapes, offsets, order, optimizer state);
* parsed mutations of ``config.json`` and ``metadata.json`` (leaves replaced by huge, negative or
  odd JSON values, keys dropped, class names swapped, layers replaced by other valid layers or
  wrapped in many Sequential models), which reach the layer constructors.

Each load runs under a 10 s alarm and with its memory traced (see ``MEMORY_BOUND``); anything but
success or :class:`FormatError` fails, and so does a FormatError caused by a failed allocation.
Each fuzz test prints its outcome counts (``pytest -s``) and checks that both outcomes occur.
"""
import collections
import json
import math
import signal
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import axon
from axon import layers
from axon.saving import FormatError
from axon.saving.archive import decode_archive, encode_archive, is_archive
from axon.saving.safetensors_format import decode_arrays, encode_arrays

sys.path.insert(0, str(Path(__file__).parents[1] / "layers"))
from test_every_layer_gradchecked import CASES  # noqa: E402  (one small configuration per layer)

# The files are 6-9 KB. Every buffer the reader makes is a copy of part of the file and every
# weight is counted against the file's values, so a load needs the file a few times over plus the
# model's Python objects: at most 0.12 MB traced in 10,000 fuzzed loads. 4 MB leaves 30 times
# that, yet is less than one array of a million float32 values: an allocation sized by a forged
# number (always 10**6 or more here) instead of by the file fails the test.
MEMORY_BOUND = 4 * 2**20
TIME_BOUND = 10   # seconds per load before it counts as a hang
VERSION_1 = "version 1.safetensors"
MEMBERS = ("metadata.json", "config.json", "model.weights.safetensors", "optimizer.safetensors")
SIGNATURES = (b"PK\x03\x04", b"PK\x01\x02", b"PK\x05\x06")   # local header, directory, end
SPECIAL = [b"\x00", b"\xff", b"\x7f", b"\x80", b"\x00" * 4, b"\xff" * 4, b"\xff" * 8,
           (2**31).to_bytes(4, "little"), (2**32 - 1).to_bytes(4, "little"),
           (2**63).to_bytes(8, "little"), (2**40).to_bytes(8, "little"), (10**12).to_bytes(8, "little"),
           b'"', b"{", b"[", b"]", b"}", b",", b"-", b"9" * 20, b"1e400", b"NaN"]
SUBSTITUTES = [layers.serialize(getattr(layers, name)(**kwargs)) for name, (kwargs, _) in CASES.items()]
LAYER_NAMES = sorted(name for name in dir(layers) if isinstance(getattr(layers, name), type)
                     and issubclass(getattr(layers, name), layers.Layer))
FUZZ = settings(deadline=None, derandomize=True, database=None, print_blob=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.filter_too_much])


WORST = {"seconds": 0.0, "peak": 0}   # the slowest load and the largest peak of a test, reported


class Hang(BaseException):
    """Raised by the alarm; a BaseException, so no ``except Exception`` in axon can swallow it."""


def _mlp():
    return axon.Sequential([layers.Dense(6, activation="relu", input_shape=(4,)),
                            layers.BatchNormalization(), layers.Dropout(0.2),
                            layers.Dense(3, activation="softmax")])


def _conv_lstm():
    inputs = axon.Input(shape=(6, 6, 1))
    hidden = layers.Conv2D(2, 3, activation="relu")(inputs)
    hidden = layers.Reshape((16, 2))(hidden)
    hidden = layers.LSTM(3)(hidden)
    return axon.Model(inputs, layers.Dense(2)(hidden))


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """``{name: (file bytes, weights)}`` of the two trained models (and the MLP in the version-1
    layout: one safetensors file with the configuration in its metadata), and a scratch path."""
    rng = np.random.default_rng(1)
    axon.utils.set_random_seed(0)
    mlp = _mlp()
    mlp.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    mlp.fit(rng.normal(size=(16, 4)).astype("float32"), rng.integers(0, 3, size=16), epochs=1,
            verbose=0)
    conv = _conv_lstm()
    conv.compile(optimizer="adam", loss="mse")
    conv.fit(rng.normal(size=(8, 6, 6, 1)).astype("float32"),
             rng.normal(size=(8, 2)).astype("float32"), epochs=1, verbose=0)
    folder = tmp_path_factory.mktemp("fuzz")
    files = {}
    for name, model in (("mlp", mlp), ("conv_lstm", conv)):
        model.save(folder / f"{name}.axon")
        files[name] = ((folder / f"{name}.axon").read_bytes(), model.get_weights())
    config = json.loads(_members(files["mlp"][0])["config.json"])
    files["mlp_version_1"] = (encode_arrays(
        {key: weight.numpy() for key, weight in mlp._weight_keys()},
        {"format": "axon.model", "format_version": "1", "model_config": json.dumps(config["model_config"]),
         "compile_config": json.dumps(config["compile_config"]),
         "order": json.dumps([key for key, _ in mlp._weight_keys()])}), files["mlp"][1])
    return files, folder / "mutated.axon"


# ---- one load, judged ---------------------------------------------------------------------------
def _on_alarm(signum, frame):
    raise Hang()


def _load(raw: bytes, path) -> tuple[str, object]:
    """``("loaded", model)`` or ``("refused", error)``; fails the test for anything else."""
    path.write_bytes(raw)
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    tracemalloc.start()   # only around the load: tracing hypothesis's own draws is slow
    start = time.perf_counter()
    signal.setitimer(signal.ITIMER_REAL, TIME_BOUND)
    try:
        outcome = ("loaded", axon.models.load_model(path))
    except FormatError as error:
        outcome = ("refused", error)
    except Hang:
        raise AssertionError(f"loading took more than {TIME_BOUND} s") from None
    except Exception as error:   # the point: any other type is a bug
        raise AssertionError(f"loading raised {type(error).__name__} instead of FormatError: "
                             f"{error}") from error
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        seconds, peak = time.perf_counter() - start, tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    WORST["seconds"], WORST["peak"] = max(WORST["seconds"], seconds), max(WORST["peak"], peak)
    assert peak < MEMORY_BOUND, f"loading took {peak / 2**20:.1f} MB"
    if outcome[0] == "refused":
        error = outcome[1]
        assert str(path) in str(error), f"the error does not name the file: {error}"
        cause = error.__cause__
        while cause is not None:
            assert not isinstance(cause, MemoryError), f"loading tried a huge allocation: {error}"
            cause = cause.__cause__ or cause.__context__
    return outcome


def _same_weights(model, weights) -> bool:
    loaded = model.get_weights()
    return len(loaded) == len(weights) and all(
        a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()
        for a, b in zip(loaded, weights))


def _run(saved, draw_mutation, examples: int, exact) -> None:
    """Run ``examples`` hypothesis examples of ``draw_mutation(data, original) -> (raw, changed)``;
    a load must give the saved weights when ``exact(changed)`` holds. Prints the outcome counts
    and checks that some mutated files load and some are refused (else the fuzzing is vacuous)."""
    files, path = saved
    counts: collections.Counter = collections.Counter()

    @settings(FUZZ, max_examples=examples)
    @given(st.data())
    def check(data):
        name = data.draw(st.sampled_from(sorted(files)), label="model")
        raw, weights = files[name]
        mutated, changed = draw_mutation(data, raw)
        outcome, result = _load(mutated, path)
        counts[outcome] += 1
        if outcome == "loaded" and exact(changed):
            assert _same_weights(result, weights), "the file loaded with other weights"

    WORST.update(seconds=0.0, peak=0)
    check()
    assert sum(counts.values()) >= examples and counts["loaded"] > 0 and counts["refused"] > 0
    print(f"\n{examples} examples: {dict(counts)}; slowest load {WORST['seconds'] * 1000:.0f} ms, "
          f"largest {WORST['peak'] / 2**20:.2f} MB")


# ---- byte mutations -------------------------------------------------------------------------------
def _position(data, raw: bytes) -> int:
    """Anywhere, or (half the time) within a zip header, where the sizes and offsets are."""
    starts = [i for signature in SIGNATURES for i in _find_all(raw, signature)]
    if starts and data.draw(st.booleans(), label="in a header"):
        return min(len(raw) - 1, data.draw(st.sampled_from(starts)) + data.draw(st.integers(0, 45)))
    return data.draw(st.integers(0, len(raw) - 1), label="position")


def _find_all(raw: bytes, pattern: bytes) -> list[int]:
    found, start = [], raw.find(pattern)
    while start >= 0:
        found.append(start)
        start = raw.find(pattern, start + 1)
    return found


def _mutate_bytes(data, raw: bytes, position=None) -> bytes:
    """``raw`` with one random edit (at ``position(data, raw)`` when given)."""
    if not raw:
        return data.draw(st.binary(max_size=8))
    kind = data.draw(st.sampled_from(["flip", "random", "special", "truncate", "insert", "delete",
                                      "duplicate"]), label="edit")
    at = (position or _position)(data, raw)
    length = data.draw(st.integers(1, 16), label="length")
    if kind == "flip":
        return raw[:at] + bytes([raw[at] ^ data.draw(st.integers(1, 255))]) + raw[at + 1:]
    if kind == "random":
        return raw[:at] + data.draw(st.binary(min_size=length, max_size=length)) + raw[at + length:]
    if kind == "special":
        value = data.draw(st.sampled_from(SPECIAL))
        return raw[:at] + value + raw[at + len(value):]
    if kind == "truncate":
        return raw[:at]
    if kind == "insert":
        return raw[:at] + data.draw(st.binary(min_size=1, max_size=length)) + raw[at:]
    if kind == "delete":
        return raw[:at] + raw[at + length:]
    return raw[:at + length] + raw[at:]   # duplicate a range


def _raw_mutation(data, raw: bytes):
    original = raw
    for _ in range(data.draw(st.integers(1, 3), label="edits")):
        raw = _mutate_bytes(data, raw)
    return raw, None if is_archive(original) else (VERSION_1, original, raw)


def test_mutated_bytes_load_bitwise_or_raise_format_error(saved):
    # The members of a zip archive are covered by CRCs: a mutated archive that loads gives the
    # saved weights. A version-1 file has no checksum: a changed weight byte loads as it reads.
    _run(saved, _raw_mutation, 1200, exact=lambda changed: changed is None or _decoded_alike(changed))


# ---- member mutations (re-archived, so the CRCs are right) ----------------------------------------
def _members(raw: bytes) -> dict[str, bytes]:
    """The members of a model file; a version-1 file is one member, ``VERSION_1``."""
    if not is_archive(raw):
        return {VERSION_1: raw}
    return decode_archive(raw, "original", set(MEMBERS[:3]), {MEMBERS[3]})


def _pack(members: dict[str, bytes]) -> bytes:
    return members[VERSION_1] if VERSION_1 in members else encode_archive(members)


def _with_header(content: bytes, header: dict, length: int | None = None) -> bytes:
    """A safetensors member with its JSON header replaced (and its length field, if given)."""
    encoded = json.dumps(header).encode()
    encoded += b" " * (-len(encoded) % 8)
    length = len(encoded) if length is None else length
    return length.to_bytes(8, "little") + encoded + content[_header_end(content):]


def _header_end(member: bytes) -> int:
    return 8 + int.from_bytes(member[:8], "little")


def _member_bytes_mutation(data, raw: bytes):
    """Bytes of a JSON member, or of a safetensors member's length field and JSON header."""
    members = _members(raw)
    name = data.draw(st.sampled_from(sorted(members)), label="member")
    content = members[name]
    limit = _header_end(content) if name.endswith(".safetensors") else len(content)
    members[name] = _mutate_bytes(data, content,
                                  lambda data, raw: data.draw(st.integers(0, min(limit, len(raw)) - 1)))
    return _pack(members), (name, content, members[name])


def _decoded_alike(changed) -> bool:
    """Whether the mutated member still says the same thing (so the weights must be the same)."""
    name, before, after = changed
    try:
        if name.endswith(".json"):
            return json.loads(before) == json.loads(after)
        return _decoded(before) == _decoded(after)
    except (ValueError, FormatError):
        return False


def _decoded(member: bytes):
    arrays, metadata = decode_arrays(member, "member")
    return ({key: (value.dtype.str, value.shape, value.tobytes()) for key, value in arrays.items()},
            metadata)


def test_mutated_member_bytes_load_bitwise_or_raise_format_error(saved):
    _run(saved, _member_bytes_mutation, 600, exact=_decoded_alike)


# ---- parsed mutations of the JSON ---------------------------------------------------------------
ODD_NUMBERS = st.sampled_from([0, -1, -2, 1, 2, 3, 7, 10**12, -(10**12), 2**63, 2**64 + 1,
                               10**100, 0.5, -0.5, 1e308, -1e-308, math.nan, math.inf, -math.inf])
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | ODD_NUMBERS | st.integers() | st.floats()
    | st.text(max_size=6) | st.sampled_from(LAYER_NAMES + ["F32", "I64", "BOOL", "valid", "same",
                                                          "relu", "channels_first", "Adam"]),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6),
                                                                     children, max_size=3),
    max_leaves=6)


def _places(value, path=()):
    """Every ``(path, value)`` inside a parsed JSON value, the root included."""
    yield path, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _places(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _places(item, (*path, index))


def _mutate_json(data, value):
    """``value`` (parsed JSON) with one to three edits: a leaf replaced, a key dropped, a class
    name swapped, a layer replaced by another valid layer, a list item repeated or removed, or a
    number nudged."""
    for _ in range(data.draw(st.integers(1, 3), label="edits")):
        places = list(_places(value))
        path, target = data.draw(st.sampled_from(places[1:] or places), label="place")
        kind = data.draw(st.sampled_from(["replace", "drop", "class", "layer", "wrap", "repeat",
                                          "nudge"]))
        if kind == "class":
            classes = [(p, v) for p, v in places if p and p[-1] == "class_name"]
            if classes:
                path, _ = data.draw(st.sampled_from(classes))
                value = _put(value, path, data.draw(st.sampled_from(LAYER_NAMES)))
                continue
        found = [(p, v) for p, v in places if isinstance(v, dict) and isinstance(
            v.get("config"), dict) and "name" in v["config"] and "class_name" in v]
        if kind == "layer" and found:
            path, target = data.draw(st.sampled_from(found))
            other = data.draw(st.sampled_from(SUBSTITUTES), label="substitute")
            value = _put(value, path, {**target, "class_name": other["class_name"],
                                       "config": {**other["config"], "name": target["config"]["name"]}})
            continue
        if kind == "wrap" and found:   # a layer or model inside Sequential models, many deep
            path, target = data.draw(st.sampled_from(found))
            for level in range(data.draw(st.integers(1, 60), label="levels")):
                target = {"class_name": "Sequential", "config": {"name": f"wrap{level}",
                                                                 "layers": [target]}}
            value = _put(value, path, target)
            continue
        if kind == "drop" and path:
            value = _put(value, path, _DROP)
        elif kind == "repeat" and isinstance(target, list) and target:
            index = data.draw(st.integers(0, len(target) - 1))
            repeated = target[:index + 1] + [target[index]] + target[index + 1:]
            removed = target[:index] + target[index + 1:]
            value = _put(value, path, repeated if data.draw(st.booleans()) else removed)
        elif kind == "nudge" and type(target) is int:
            value = _put(value, path, target + data.draw(st.sampled_from(
                [-1, 1, -target - 1, 10**9, target * 10**6])))
        else:
            value = _put(value, path, data.draw(JSON_VALUES, label="new value"))
    return value


_DROP = object()


def _put(value, path, new):
    """A copy of ``value`` with ``new`` at ``path`` (removed there if ``new`` is ``_DROP``)."""
    if not path:
        return None if new is _DROP else new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        copy = dict(value)
    else:
        copy = list(value)
    if rest:
        copy[head] = _put(value[head], rest, new)
    elif new is _DROP:
        del copy[head]
    else:
        copy[head] = new
    return copy


def _json_member_mutation(data, raw: bytes):
    """``config.json`` or ``metadata.json`` (in a version-1 file: the configuration in the
    header's metadata), parsed and edited."""
    members = _members(raw)
    if VERSION_1 in members:
        content = members[VERSION_1]
        header = json.loads(content[8:_header_end(content)])
        key = data.draw(st.sampled_from(["model_config"] * 4 + ["compile_config"]), label="key")
        header["__metadata__"][key] = json.dumps(_mutate_json(data, json.loads(
            header["__metadata__"][key])))
        return _with_header(content, header), None
    name = data.draw(st.sampled_from(["config.json"] * 4 + ["metadata.json"]), label="member")
    members[name] = json.dumps(_mutate_json(data, json.loads(members[name]))).encode()
    return encode_archive(members), None


def test_mutated_configuration_loads_or_raises_format_error(saved):
    # A changed configuration may load as another model: only the outcome's type is checked.
    _run(saved, _json_member_mutation, 900, exact=lambda changed: False)


def _header_mutation(data, raw: bytes):
    """The JSON header of a safetensors member (entries, ``order``, the optimizer's state)."""
    members = _members(raw)
    name = data.draw(st.sampled_from([n for n in sorted(members) if n.endswith(".safetensors")]),
                     label="member")
    content = members[name]
    header = json.loads(content[8:_header_end(content)])
    metadata = header.get("__metadata__", {})
    where = data.draw(st.sampled_from(["entry", "metadata", "anywhere"]), label="where")
    if where == "entry":
        _mutate_entry(data, header)
    elif metadata and where == "metadata":
        key = data.draw(st.sampled_from(sorted(metadata)))
        try:
            parsed = json.loads(metadata[key])
        except ValueError:   # a plain string, e.g. the format name
            parsed = metadata[key]
        metadata[key] = json.dumps(_mutate_json(data, parsed))
    else:
        header = _mutate_json(data, header)
    members[name] = _with_header(content, header)
    if data.draw(st.integers(0, 9), label="length") == 0:
        length = _header_end(members[name]) - 8
        length = data.draw(st.sampled_from([0, 1, length - 1, length + 1, 2**63, 2**64 - 1]))
        members[name] = _with_header(content, header, length)
    return _pack(members), (name, content, members[name])


SIZES = st.sampled_from([0, 1, 2, 3, 4, 6, -1, 2**31, 2**32, 2**40, 2**62, 2**63, 2**64 + 1, 10**30])


def _mutate_entry(data, header: dict) -> None:
    """One tensor's dtype, shape or offsets replaced by an odd value, or two tensors' offsets
    swapped, in place."""
    names = sorted(key for key in header if key != "__metadata__")
    name = data.draw(st.sampled_from(names), label="tensor")
    entry = dict(header[name])
    field = data.draw(st.sampled_from(["dtype", "shape", "data_offsets", "swap"]), label="field")
    if field == "dtype":
        entry["dtype"] = data.draw(st.sampled_from(["F16", "F32", "F64", "I8", "I64", "U8", "BOOL",
                                                    "BF16", "f32", "", "F32 "]))
    elif field == "shape":
        entry["shape"] = data.draw(st.lists(SIZES, max_size=5) | st.just([0] * 40)
                                   | st.just([*entry["shape"], 0, 2**63]))
        if data.draw(st.booleans(), label="empty data"):
            entry["data_offsets"] = [entry["data_offsets"][0]] * 2
    elif field == "data_offsets":
        begin, end = entry["data_offsets"]
        entry["data_offsets"] = data.draw(st.sampled_from([[end, begin], [begin, begin], [0, end - begin],
                                                           [begin + 1, end + 1], [begin, end * 2]])
                                          | st.lists(SIZES, min_size=1, max_size=3))
    else:
        other = data.draw(st.sampled_from(names), label="other tensor")
        entry["data_offsets"], header[other] = header[other]["data_offsets"], {
            **header[other], "data_offsets": entry["data_offsets"]}
    header[name] = entry


def test_mutated_safetensors_headers_load_or_raise_format_error(saved):
    _run(saved, _header_mutation, 700, exact=_decoded_alike)


# ---- what the fuzzing found, pinned -------------------------------------------------------------
def _with_member(raw: bytes, name: str, content: bytes) -> bytes:
    members = _members(raw)
    members[name] = content
    return encode_archive(members)


def _with_config(raw: bytes, change) -> bytes:
    config = json.loads(_members(raw)["config.json"])
    change(config)
    return _with_member(raw, "config.json", json.dumps(config).encode())


def test_empty_tensor_with_a_dimension_numpy_cannot_index_is_refused(saved):
    files, path = saved
    raw = files["mlp"][0]
    content = _members(raw)["model.weights.safetensors"]
    header = json.loads(content[8:_header_end(content)])
    name = sorted(key for key in header if key != "__metadata__")[0]
    header[name] = {"dtype": "F32", "shape": [2, 0, 2**63], "data_offsets": [0, 0]}
    forged = _with_member(raw, "model.weights.safetensors", _with_header(content, header))
    outcome, error = _load(forged, path)
    assert outcome == "refused" and "does not fit an array" in str(error)


def test_compile_configuration_that_is_not_an_object_is_refused_naming_the_file(saved):
    files, path = saved
    raw = _with_config(files["mlp"][0], lambda config: config.update(compile_config=[]))
    outcome, error = _load(raw, path)
    assert outcome == "refused" and "compile configuration is not an object" in str(error)


def test_configuration_of_a_layer_instead_of_a_model_is_refused(saved):
    files, path = saved
    raw = _with_config(files["mlp"][0], lambda config: config.update(
        model_config=config["model_config"]["config"]["layers"][1]))
    outcome, error = _load(raw, path)
    assert outcome == "refused" and "describes a Dense layer, not a model" in str(error)


@pytest.mark.parametrize("levels, loads", [(7, True), (8, False), (60, False)])
def test_models_nested_deeply_are_refused_before_rebuilding(saved, levels, loads):
    # Rebuilding nested models takes time exponential in the depth (each level walks its
    # sub-models' layers twice): 50 levels did not finish in 10 s; 7 levels (the most a file
    # may hold around this model, see MAX_NESTING) take about 0.4 s.
    files, path = saved
    raw, weights = files["mlp"]

    def nest(config):
        for level in range(levels):
            config["model_config"] = {"class_name": "Sequential", "config": {
                "name": f"outer{level}", "layers": [
                    {"class_name": "InputLayer", "config": {"name": f"input{level}", "shape": [4]}},
                    config["model_config"]]}}

    outcome, result = _load(_with_config(raw, nest), path)
    if loads:
        assert outcome == "loaded" and _same_weights(result, weights)
    else:
        assert outcome == "refused" and "nests layers or models more than 10 deep" in str(result)


@pytest.mark.parametrize("order", ['"dense/kernel"', "[[1]]", '["a", "a"]', "[]", "{"])
def test_weight_order_that_does_not_list_the_stored_tensors_is_refused(saved, order):
    files, path = saved
    raw = files["mlp"][0]
    content = _members(raw)["model.weights.safetensors"]
    header = json.loads(content[8:_header_end(content)])
    header["__metadata__"]["order"] = order
    forged = _with_member(raw, "model.weights.safetensors", _with_header(content, header))
    outcome, error = _load(forged, path)
    assert outcome == "refused" and ("order" in str(error))


@pytest.mark.parametrize("layer", [{"class_name": ["Dense"], "config": {}},
                                   {"class_name": "Dense", "config": [["units", 3]]}])
def test_layer_entries_of_the_wrong_types_are_refused(saved, layer):
    files, path = saved
    raw = _with_config(files["mlp"][0], lambda config: config["model_config"]["config"][
        "layers"].__setitem__(1, layer))
    outcome, error = _load(raw, path)
    assert outcome == "refused" and "'class_name' (a string) and 'config' (a dict)" in str(error)
