"""The ``.axon`` model file: round trips of every layer and optimizer, and refusal of bad files."""
import io
import json
import os
import pickle
import sys
import tracemalloc
import zipfile
from pathlib import Path

import numpy as np
import pytest

import axon
from axon import layers, optimizers
from axon.models import model_file
from axon.saving import FormatError
from axon.saving.archive import decode_archive, encode_archive
from axon.saving.safetensors_format import decode_arrays, encode_arrays

sys.path.insert(0, str(Path(__file__).parents[1] / "layers"))
from test_every_layer_gradchecked import CASES  # noqa: E402  (one small configuration per layer)


def _layer_model(name):
    kwargs, shapes = CASES[name]
    kwargs = {key: type(value).from_config(value.get_config()) if isinstance(value, layers.Layer)
              else value for key, value in kwargs.items()}
    layer = getattr(layers, name)(**kwargs)
    if shapes == "integers":
        inputs = axon.Input(shape=(3,), dtype="int64")
        data = np.array([[1, 2, 6], [0, 3, 3]])
    else:
        inputs = [axon.Input(shape=shape[1:]) for shape in shapes]
        data = [np.random.default_rng(0).normal(size=shape).astype("float32") for shape in shapes]
        if len(inputs) == 1:
            inputs, data = inputs[0], data[0]
    return axon.Model(inputs, layer(inputs)), data


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_layer_round_trips_bitwise(name, tmp_path):
    axon.utils.set_random_seed(0)
    model, data = _layer_model(name)
    path = tmp_path / "m.axon"
    model.save(path)
    loaded = axon.models.load_model(path)
    assert [type(layer).__name__ for layer in loaded.layers] == \
        [type(layer).__name__ for layer in model.layers]
    for original, restored in zip(model.get_weights(), loaded.get_weights()):
        assert original.dtype == restored.dtype
        np.testing.assert_array_equal(original, restored)
    np.testing.assert_array_equal(model.predict(data, verbose=0), loaded.predict(data, verbose=0))


OPTIMIZERS = {
    "sgd": lambda: optimizers.SGD(0.05),
    "sgd_momentum_nesterov": lambda: optimizers.SGD(0.05, momentum=0.9, nesterov=True),
    "adagrad": lambda: optimizers.Adagrad(0.05),
    "rmsprop_centered_momentum": lambda: optimizers.RMSprop(0.01, momentum=0.5, centered=True),
    "adadelta": lambda: optimizers.Adadelta(1.0),
    "adam": lambda: optimizers.Adam(0.01),
    "adam_amsgrad_ema": lambda: optimizers.Adam(0.01, amsgrad=True, use_ema=True),
    "adamw": lambda: optimizers.AdamW(0.01, weight_decay=0.1),
    "adamax": lambda: optimizers.Adamax(0.01),
    "nadam": lambda: optimizers.Nadam(0.01),
    "lion": lambda: optimizers.Lion(0.001, clipnorm=1.0),
    "adam_schedule": lambda: optimizers.Adam(optimizers.schedules.ExponentialDecay(0.01, 3, 0.5)),
}


def _mlp():
    model = axon.Sequential([layers.Dense(6, activation="relu", input_shape=(4,)),
                             layers.BatchNormalization(), layers.Dropout(0.2),
                             layers.Dense(3, activation="softmax")])
    return model


def _data():
    rng = np.random.default_rng(1)
    return rng.normal(size=(40, 4)).astype("float32"), rng.integers(0, 3, size=40)


def test_every_optimizer_is_covered():
    classes = {name for name in optimizers.__all__ if isinstance(getattr(optimizers, name), type)
               and issubclass(getattr(optimizers, name), optimizers.Optimizer)} - {"Optimizer"}
    covered = {type(make()).__name__ for make in OPTIMIZERS.values()}
    assert classes <= covered, classes - covered


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_saved_model_continues_training_exactly(name, tmp_path):
    x, y = _data()
    axon.utils.set_random_seed(3)
    model = _mlp()
    model.compile(optimizer=OPTIMIZERS[name](), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(x, y, batch_size=8, epochs=2, verbose=0)
    path = tmp_path / "m.axon"
    model.save(path)
    loaded = axon.models.load_model(path)
    assert loaded.optimizer.iterations == model.optimizer.iterations == 10
    keys = model._weight_keys()
    saved_arrays, saved_values = model.optimizer.get_state(keys)
    loaded_arrays, loaded_values = loaded.optimizer.get_state(loaded._weight_keys())
    assert saved_values == loaded_values
    assert sorted(saved_arrays) == sorted(loaded_arrays)
    assert saved_arrays or name == "sgd"   # plain SGD keeps no slots
    for key in saved_arrays:
        np.testing.assert_array_equal(saved_arrays[key], loaded_arrays[key])
    np.testing.assert_array_equal(model.predict(x, verbose=0), loaded.predict(x, verbose=0))
    histories = []
    for each in (model, loaded):
        axon.utils.set_random_seed(7)   # the same shuffles and dropout masks for both
        histories.append(each.fit(x, y, batch_size=8, epochs=2, verbose=0).history)
    assert histories[0] == histories[1]
    for original, restored in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(original, restored)


def test_file_is_a_plain_zip_with_json_and_safetensors_members(tmp_path):
    x, y = _data()
    axon.utils.set_random_seed(0)
    model = _mlp()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(x, y, epochs=1, verbose=0)
    path = tmp_path / "m.axon"
    model.save(path)
    with zipfile.ZipFile(path) as archive:
        assert archive.namelist() == ["metadata.json", "config.json", "model.weights.safetensors",
                                      "optimizer.safetensors"]
        assert all(info.compress_type == zipfile.ZIP_STORED for info in archive.infolist())
        metadata = json.loads(archive.read("metadata.json"))
        config = json.loads(archive.read("config.json"))
        weights, _ = decode_arrays(archive.read("model.weights.safetensors"), "weights")
    assert metadata == {"format": "axon.model", "format_version": 2,
                        "axon_version": axon.__version__}
    assert config["model_config"]["class_name"] == "Sequential"
    assert config["compile_config"]["optimizer"]["class_name"] == "Adam"
    assert weights[f"{model.layers[0].name}/kernel"].shape == (4, 6)
    model.save(tmp_path / "again.axon")   # no timestamps: the same model gives the same bytes
    assert (tmp_path / "again.axon").read_bytes() == path.read_bytes()
    other = _mlp()
    other.build((None, 4))
    other.load_weights(path)   # load_weights reads the weights member of a model file
    for a, b in zip(model.get_weights(), other.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_version_1_files_still_load(tmp_path):
    from axon.layers.serialization import serialize
    from axon.saving import save_arrays

    axon.utils.set_random_seed(0)
    model = axon.Sequential([layers.Dense(2, input_shape=(3,))])
    keys = model._weight_keys()
    path = tmp_path / "old.axon"
    save_arrays(path, {key: w.numpy() for key, w in keys},
                {"format": "axon.model", "format_version": "1",
                 "model_config": json.dumps(serialize(model)),
                 "order": json.dumps([key for key, _ in keys])})
    loaded = axon.models.load_model(path)
    np.testing.assert_array_equal(loaded.get_weights()[0], model.get_weights()[0])


# ---- refusals ----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def saved_bytes(tmp_path_factory):
    x, y = _data()
    axon.utils.set_random_seed(0)
    model = _mlp()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(x, y, epochs=1, verbose=0)
    path = tmp_path_factory.mktemp("saved") / "m.axon"
    model.save(path)
    return path.read_bytes()


def _members(raw):
    return decode_archive(raw, "m", {"metadata.json", "config.json", "model.weights.safetensors"},
                          {"optimizer.safetensors"})


def _load_bytes(raw, tmp_path, name="t.axon"):
    path = tmp_path / name
    path.write_bytes(raw)
    return axon.models.load_model(path)


@pytest.mark.parametrize("cut", [0, 3, 30, 200, -1, -40])
def test_truncated_file_is_refused(saved_bytes, tmp_path, cut):
    with pytest.raises(FormatError):
        _load_bytes(saved_bytes[:cut], tmp_path)


def test_flipped_byte_in_weights_is_refused_by_the_checksum(saved_bytes, tmp_path):
    members = _members(saved_bytes)
    offset = saved_bytes.index(members["model.weights.safetensors"]) + \
        len(members["model.weights.safetensors"]) - 3
    tampered = bytearray(saved_bytes)
    tampered[offset] ^= 0x40
    with pytest.raises(FormatError, match="model.weights.safetensors.*damaged.*CRC"):
        _load_bytes(bytes(tampered), tmp_path)


def test_newer_format_version_is_refused(saved_bytes, tmp_path):
    members = _members(saved_bytes)
    members["metadata.json"] = json.dumps({"format": "axon.model", "format_version": 3}).encode()
    with pytest.raises(FormatError, match="format version 3.*Upgrade axon"):
        _load_bytes(encode_archive(members), tmp_path)


def test_header_claiming_a_huge_array_is_refused_before_allocation(saved_bytes, tmp_path):
    members = _members(saved_bytes)
    huge = 100 * 2**30 // 4   # 100 GB of float32
    header = {"dense/kernel": {"dtype": "F32", "shape": [huge], "data_offsets": [0, huge * 4]}}
    encoded = json.dumps(header).encode()
    members["model.weights.safetensors"] = len(encoded).to_bytes(8, "little") + encoded + b"\0" * 64
    tracemalloc.start()
    try:
        with pytest.raises(FormatError, match="does not fit|do not fit"):
            _load_bytes(encode_archive(members), tmp_path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 20 * 2**20


def test_configuration_asking_for_more_weights_than_the_file_holds_is_refused(saved_bytes, tmp_path):
    members = _members(saved_bytes)
    config = json.loads(members["config.json"])
    config["model_config"]["config"]["layers"][1]["config"]["units"] = 10**9
    members["config.json"] = json.dumps(config).encode()
    tracemalloc.start()
    try:
        with pytest.raises(FormatError, match=r"asks for weight 'kernel' of shape \(4, 1000000000\)"):
            _load_bytes(encode_archive(members), tmp_path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 20 * 2**20


@pytest.mark.parametrize("change, message", [
    (lambda m: m.update({"evil.py": b"print(1)"}), "unexpected member"),
    (lambda m: m.pop("config.json"), r"missing"),
    (lambda m: m.update({"config.json": b"{" * 100000}), "not valid JSON"),
    (lambda m: m.update({"config.json": b'{"model_config": {"class_name": "os.system", '
                                        b'"config": {}}}'}), "Unknown layer class 'os.system'"),
    (lambda m: m.update({"metadata.json": b'{"format": "keras"}'}), "not an axon model file"),
])
def test_bad_members_are_refused(saved_bytes, tmp_path, change, message):
    members = _members(saved_bytes)
    change(members)
    with pytest.raises(FormatError, match=message):
        _load_bytes(encode_archive(members), tmp_path)


def test_compressed_members_are_refused(saved_bytes, tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in _members(saved_bytes).items():
            archive.writestr(name, content)
    with pytest.raises(FormatError, match="compressed"):
        _load_bytes(buffer.getvalue(), tmp_path)


class _RunsCode:
    def __reduce__(self):
        return (os.system, ("touch pwned",))


def test_a_pickle_that_would_run_code_is_refused_and_never_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    payload = pickle.dumps(_RunsCode())
    for raw in (payload, encode_archive({"metadata.json": payload, "config.json": payload,
                                         "model.weights.safetensors": payload}),
                encode_archive({"data.pkl": payload})):   # the layout of PyTorch's files
        with pytest.raises(FormatError):
            _load_bytes(raw, tmp_path)
    assert not (tmp_path / "pwned").exists()


def test_missing_file_raises_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        axon.models.load_model(tmp_path / "nothing.axon")


def test_safetensors_layout_rejects_forged_shapes():
    good = encode_arrays({"w": np.ones((2, 3), "float32")})
    for shape in ([-1, 6], [2**40, 2**40], [1.5], ["2"], [2] * 40):
        header = {"w": {"dtype": "F32", "shape": shape, "data_offsets": [0, 24]}}
        encoded = json.dumps(header).encode()
        with pytest.raises(FormatError):
            decode_arrays(len(encoded).to_bytes(8, "little") + encoded + good[-24:], "forged")
    assert model_file.MODEL_FORMAT_VERSION == 2


@pytest.mark.parametrize("nested", [False, True])
def test_sequential_built_on_its_first_call_round_trips(tmp_path, nested):
    axon.utils.set_random_seed(0)
    inner = axon.Sequential([layers.Dense(3), layers.Dense(2)])
    model = axon.Sequential([inner, layers.Dense(1)] if nested else [layers.Dense(1)])
    x = np.random.default_rng(0).normal(size=(3, 4)).astype("float32")
    model(x)   # no Input: built here, from the data's shape
    model.save(tmp_path / "m.axon")
    loaded = axon.models.load_model(tmp_path / "m.axon")
    assert len(loaded.weights) == len(model.weights) == (6 if nested else 2)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
