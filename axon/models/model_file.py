"""Whole models on disk: ``model.save('m.axon')`` and ``axon.models.load_model('m.axon')``.

A ``.axon`` file is a zip archive (uncompressed, any zip tool lists it) of:

* ``metadata.json``: the format name and version, and the axon version that wrote it;
* ``config.json``: the architecture (``get_config``) and the compile settings;
* ``model.weights.safetensors``: every weight as a raw little-endian array, named
  ``'<layer>/<weight>'``, exactly the file ``save_weights`` writes;
* ``optimizer.safetensors`` (when compiled and trained): the optimizer's slots per weight and,
  in its metadata, its step count and state, so training continues exactly;
* ``training_state.json`` and ``training_state.safetensors`` in checkpoints of
  ``BackupAndRestore`` only: where training stands (epoch, step, random states, callbacks).

Loading rebuilds the model from the JSON by class names axon knows (its own, registered with
``register_keras_serializable`` or given in ``custom_objects``) and never unpickles, imports or
evaluates anything from the file. Every size and offset is checked before memory is allocated,
and any malformed file raises :class:`FormatError`.
"""
from __future__ import annotations

import importlib.metadata
import json
import os
import warnings
from typing import Any

from axon import losses as losses_module
from axon import metrics as metrics_module
from axon import optimizers as optimizers_module
from axon.layers.base import weight_budget
from axon.layers.lambda_layer import Lambda, unnamed_functions
from axon.layers.serialization import serialize
from axon.models.serialization import deserialize
from axon.saving import FormatError
from axon.saving.archive import decode_archive, encode_archive, is_archive, write_archive
from axon.saving.safetensors_format import decode_arrays, encode_arrays, parse_json
from axon.utils.registry import custom_object, custom_object_scope, function_name

MODEL_FORMAT = "axon.model"
MODEL_FORMAT_VERSION = 2
MODEL_SUFFIX = ".axon"
METADATA = "metadata.json"
CONFIG = "config.json"
WEIGHTS = "model.weights.safetensors"
OPTIMIZER = "optimizer.safetensors"
TRAINING_STATE = "training_state.json"
TRAINING_ARRAYS = "training_state.safetensors"
MODEL_MEMBERS = frozenset({METADATA, CONFIG, WEIGHTS})              # in every .axon file
TRAINING_MEMBERS = frozenset({TRAINING_STATE, TRAINING_ARRAYS})     # in checkpoints only


def check_model_path(filepath: Any, method: str) -> str:
    path = os.fspath(filepath)
    if not path.endswith(MODEL_SUFFIX):
        raise ValueError(f"{method}() expects a file name ending in '{MODEL_SUFFIX}'. Received: "
                         f"filepath={path!r}. For the weights alone use save_weights() with a "
                         "'.weights.safetensors' file.")
    return path


# ---- writing ------------------------------------------------------------------------------------
def model_members(model: Any, include_optimizer: bool = True,
                  require_config: bool = True) -> dict[str, bytes]:
    """The archive members describing ``model``: metadata, config, weights, optimizer state.

    With ``require_config=False`` (checkpoints, which restore into an existing model), a model
    that cannot describe itself (a subclass without ``get_config``) is stored without config.
    """
    metadata = {"format": MODEL_FORMAT, "format_version": MODEL_FORMAT_VERSION,
                "axon_version": _axon_version()}
    try:
        _refuse_unnamed_functions(model)
        config = {"model_config": serialize(model),
                  "compile_config": _compile_config(model) if getattr(model, "compiled", False)
                  else None}
    except (NotImplementedError, TypeError, ValueError):
        if require_config:
            raise
        config = {"model_config": None, "compile_config": None}
    members = {METADATA: _json_bytes(metadata), CONFIG: _json_bytes(config),
               WEIGHTS: model._weights_file_bytes()}
    optimizer = getattr(model, "optimizer", None) if getattr(model, "compiled", False) else None
    if include_optimizer and optimizer is not None:
        arrays, values = optimizer.get_state(model._weight_keys())
        members[OPTIMIZER] = encode_arrays(arrays, {"state": json.dumps(values)})
    return members


def save_model(model: Any, filepath: str | os.PathLike, extra: dict[str, bytes] | None = None) -> None:
    """Write ``model`` (and ``extra`` members) to ``filepath`` atomically."""
    members = model_members(model)
    members.update(extra or {})
    write_archive(filepath, members)


def model_bytes(model: Any) -> bytes:
    """The bytes ``model.save`` would write."""
    return encode_archive(model_members(model))


def _axon_version() -> str:
    try:
        return importlib.metadata.version("axon")
    except importlib.metadata.PackageNotFoundError:   # running from a source tree
        return "unknown"


def _refuse_unnamed_functions(model: Any) -> None:
    """A Lambda layer around an anonymous function cannot be rebuilt from a file (which holds
    no code): refuse to write one that could not be loaded."""
    for layer in model._flatten_layers():
        if isinstance(layer, Lambda) and unnamed_functions(layer):
            raise ValueError(f"Layer '{layer.name}' (Lambda) wraps an anonymous function (its "
                             f"{', '.join(unnamed_functions(layer))}); a model file holds no "
                             "code, so the model could not be loaded from it. Define the "
                             "function with def (and give it to load_model in custom_objects), "
                             "or save the weights only (save_weights).")


def _json_bytes(value: Any) -> bytes:
    return json.dumps(value, indent=1, allow_nan=True).encode("utf-8")


def _compile_config(model: Any) -> dict:
    config: dict[str, Any] = {"optimizer": optimizers_module.serialize(model.optimizer)}
    compiled = model._compiled_loss
    if compiled is not None:
        config["loss"] = _plain(compiled.identifier, _serialize_loss)
        config["loss_weights"] = compiled.weights_identifier
    metrics = model._compiled_metrics
    config["metrics"] = _plain(metrics.identifiers, _serialize_metric)
    config["weighted_metrics"] = _plain(metrics.weighted_identifiers, _serialize_metric)
    if compiled is not None and _has_unnamed(config["loss"], compiled.identifier) or any(
            _has_unnamed(config[key], given) for key, given in (
                ("metrics", metrics.identifiers), ("weighted_metrics", metrics.weighted_identifiers))):
        warnings.warn("A loss or metric of this model is a function without a name (a lambda), "
                      "which a model file cannot name: the file keeps None in its place. Define "
                      "it with def (and pass it in custom_objects when loading), or compile the "
                      "loaded model again.", stacklevel=4)
    return config


def _has_unnamed(saved: Any, given: Any) -> bool:
    """Whether ``saved`` (the config written) has None where ``given`` had an object."""
    if saved is None:
        return given is not None
    if isinstance(saved, dict) and isinstance(given, dict) and "class_name" not in saved:
        return any(_has_unnamed(saved[key], given[key]) for key in saved if key in given)
    if isinstance(saved, list) and isinstance(given, list | tuple):
        return any(_has_unnamed(s, g) for s, g in zip(saved, given))
    return False


def _serialize_loss(loss: Any) -> Any:
    """A Loss as its config; a loss function by its name, which ``load_model`` resolves through
    ``custom_objects`` or the registered objects (``utils.registry.function_name``)."""
    if isinstance(loss, losses_module.Loss):
        return losses_module.serialize(loss)
    return function_name(loss)


def _serialize_metric(metric: Any) -> Any:
    """A Metric object as its config; a metric function by its name."""
    if isinstance(metric, metrics_module.Metric):
        return metrics_module.serialize(metric)
    return function_name(metric)



def _plain(value: Any, fallback: Any) -> Any:
    """Strings, lists and dicts as they are; objects through ``fallback`` (None if it cannot)."""
    if value is None or isinstance(value, str | int | float):
        return value
    if isinstance(value, dict):
        return {key: _plain(item, fallback) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item, fallback) for item in value]
    return fallback(value)


# ---- reading ------------------------------------------------------------------------------------
def load_model(filepath: str | os.PathLike, custom_objects: dict | None = None,
               compile: bool = True) -> Any:
    """A model saved with ``model.save``: same architecture, weights, compile settings and
    optimizer state (so ``fit`` continues exactly where the saved model stopped).

    Args:
        filepath: a ``.axon`` file.
        custom_objects: ``{class name: class}`` for custom layers, models or losses in the file.
        compile: compile the model with the saved optimizer, loss and metrics (if any).

    Raises:
        FormatError: when the file is not an axon model file, is damaged or tampered with, has
            another format version, or describes a model that cannot be rebuilt.
        OSError: when the file cannot be read (e.g. FileNotFoundError).
    """
    model, _ = read_model_file(filepath, custom_objects, compile)
    return model


def read_model_file(filepath: str | os.PathLike, custom_objects: dict | None = None,
                    compile: bool = True, training_state: bool = False) -> tuple[Any, dict]:
    """``(model, members)`` from a model file; ``members`` holds the raw archive members (with
    the training state members when ``training_state``)."""
    source = os.fspath(filepath)
    with open(source, "rb") as handle:
        raw = handle.read()
    if not is_archive(raw):
        return _read_version_1(raw, source, custom_objects, compile), {}
    optional = {OPTIMIZER} | (TRAINING_MEMBERS if training_state else set())
    members = decode_archive(raw, source, MODEL_MEMBERS, optional)
    check_metadata(members, source)
    config = parse_json(members[CONFIG], f"{source}: {CONFIG}")
    if not isinstance(config, dict) or not isinstance(config.get("model_config"), dict):
        raise FormatError(f"{source}: {CONFIG} holds no model configuration.")
    arrays, weights_metadata = decode_arrays(members[WEIGHTS], f"{source}: {WEIGHTS}")
    optimizer_state_ = optimizer_state(members, source)
    model = _rebuild(source, config["model_config"], config.get("compile_config") if compile
                     else None, arrays, weights_metadata, optimizer_state_, custom_objects)
    return model, members


def check_metadata(members: dict, source: str) -> None:
    """Raise FormatError unless ``metadata.json`` names this format and version."""
    metadata = parse_json(members[METADATA], f"{source}: {METADATA}")
    if not isinstance(metadata, dict) or metadata.get("format") != MODEL_FORMAT:
        found = metadata.get("format") if isinstance(metadata, dict) else None
        raise FormatError(f"{source} is not an axon model file (format {found!r}).")
    version = metadata.get("format_version")
    if version != MODEL_FORMAT_VERSION:
        raise FormatError(f"{source} has model format version {version!r}; this axon reads "
                          f"versions 1 and {MODEL_FORMAT_VERSION}. Upgrade axon to read it.")


def saved_names(model: Any, weights_metadata: dict) -> list[tuple[str, Any]]:
    """The model's weights under the names the file gave them (weights match by position, as
    layer names differ between processes: 'dense' in one, 'dense_3' in another)."""
    variables = [weight for _, weight in model._weight_keys()]
    order = json.loads(weights_metadata["order"]) if "order" in weights_metadata else None
    if not isinstance(order, list) or len(order) != len(variables):
        return model._weight_keys()
    return list(zip(order, variables))


def optimizer_state(members: dict, source: str) -> tuple[dict, dict] | None:
    """``(arrays, values)`` of the optimizer member, if the file has one."""
    if OPTIMIZER not in members:
        return None
    arrays, metadata = decode_arrays(members[OPTIMIZER], f"{source}: {OPTIMIZER}")
    values = parse_json(metadata.get("state", "{}").encode(), f"{source}: {OPTIMIZER} state")
    if not isinstance(values, dict):
        raise FormatError(f"{source}: the optimizer state is not a JSON object.")
    return arrays, values


def _rebuild(source: str, model_config: dict, compile_config: Any, arrays: dict,
             weights_metadata: dict, optimizer_state: Any, custom_objects: dict | None) -> Any:
    """The model from its configuration, with the stored weights and optimizer state. Whatever
    goes wrong with what the file says (an unknown class, an invalid argument, a shape that does
    not match) becomes a FormatError naming the file and the cause."""
    from axon.models.model import Model

    _check_nesting(source, model_config)
    check_order(source, arrays, weights_metadata)
    budget = sum(array.size for array in arrays.values())
    try:
        with weight_budget(budget), custom_object_scope(custom_objects):
            model = deserialize(model_config, custom_objects)
        if not isinstance(model, Model):
            raise FormatError(f"{source}: {CONFIG} describes a {type(model).__name__} layer, not "
                              "a model.")
        model.load_weights_from_arrays(arrays, weights_metadata, source)
        if compile_config is not None:
            with custom_object_scope(custom_objects):   # custom losses and metrics by name
                _compile(source, model, compile_config, custom_objects)
            if optimizer_state is not None:
                model.optimizer.set_state(saved_names(model, weights_metadata),
                                          *optimizer_state)
    except FormatError:
        raise
    except (Exception, RecursionError) as error:
        raise FormatError(f"{source}: the model cannot be rebuilt from the file: "
                          f"{type(error).__name__}: {error}") from error
    return model


#: How deep ``{"class_name", "config"}`` objects may nest in a model file: a functional model
#: holding a Sequential of TimeDistributed(Bidirectional(LSTM)) with its initializers is 6 deep.
#: Deserialization recurses once per level, so a forged file must not nest arbitrarily deep.
MAX_NESTING = 10


def _check_nesting(source: str, config: Any) -> None:
    """Refuse configurations whose class objects nest deeper than :data:`MAX_NESTING`."""
    pending = [(config, 0)]
    while pending:   # iterative: the walk itself must not recurse on forged input
        value, depth = pending.pop()
        if isinstance(value, dict):
            depth += "class_name" in value
            if depth > MAX_NESTING:
                raise FormatError(f"{source}: {CONFIG} nests layers or models more than "
                                  f"{MAX_NESTING} deep; axon models nest far less, so the file is "
                                  "damaged or forged.")
            pending += [(item, depth) for item in value.values()]
        elif isinstance(value, list):
            pending += [(item, depth) for item in value]


def check_order(source: str, arrays: dict, metadata: dict) -> None:
    """The weights member's ``order``, when present, lists each stored tensor once."""
    if "order" not in metadata:
        return
    order = parse_json(metadata["order"].encode(), f"{source}: {WEIGHTS} order")
    if not isinstance(order, list) or sorted(map(str, order)) != sorted(arrays) or not all(
            isinstance(name, str) for name in order):
        raise FormatError(f"{source}: the order in {WEIGHTS} should list each of its "
                          f"{len(arrays)} tensors once. Received: {str(order)[:200]}")


def _compile(source: str, model: Any, config: dict, custom_objects: dict | None) -> None:
    if not isinstance(config, dict):
        raise FormatError(f"{source}: the compile configuration is not an object: "
                          f"{str(config)[:200]}")
    loss = _custom_names(config.get("loss"))
    if isinstance(loss, dict) and "class_name" in loss:
        loss = losses_module.deserialize(loss)
    model.compile(optimizer=optimizers_module.deserialize(config["optimizer"]), loss=loss,
                  loss_weights=config.get("loss_weights"),
                  metrics=_metric_objects(config.get("metrics")),
                  weighted_metrics=_metric_objects(config.get("weighted_metrics")))


def _metric_objects(saved: Any) -> Any:
    """The compile metrics as written, with each ``{"class_name", "config"}`` (a metric object)
    rebuilt, so that it is not taken for a dict of outputs, and custom names resolved."""
    if isinstance(saved, dict):
        if "class_name" in saved and "config" in saved:
            return metrics_module.deserialize(saved)
        return {key: _metric_objects(value) for key, value in saved.items()}
    if isinstance(saved, list):
        return [_metric_objects(value) for value in saved]
    return _custom_names(saved)


def _custom_names(saved: Any) -> Any:
    """Names of custom objects (``custom_objects``, registered) replaced by the objects now,
    while the scope is open: compile resolves names only when the model first runs."""
    if isinstance(saved, str):
        return custom_object(saved) or saved
    if isinstance(saved, dict) and "class_name" not in saved:
        return {key: _custom_names(value) for key, value in saved.items()}
    if isinstance(saved, list):
        return [_custom_names(value) for value in saved]
    return saved


def _read_version_1(raw: bytes, source: str, custom_objects: dict | None, compile: bool) -> Any:
    """Files of format version 1: one safetensors file with the configuration in its metadata."""
    arrays, metadata = decode_arrays(raw, source)
    if metadata.get("format") != MODEL_FORMAT:
        raise FormatError(f"{source} is not an axon model file (format "
                          f"{metadata.get('format')!r}); for weights use model.load_weights().")
    if metadata.get("format_version") != "1":
        raise FormatError(f"{source} has model format version "
                          f"{metadata.get('format_version')!r}; this axon reads versions 1 and "
                          f"{MODEL_FORMAT_VERSION}.")
    model_config = parse_json(metadata.get("model_config", "").encode(), f"{source}: model_config")
    compile_config = None
    if compile and "compile_config" in metadata:
        compile_config = parse_json(metadata["compile_config"].encode(), f"{source}: compile_config")
    if not isinstance(model_config, dict):
        raise FormatError(f"{source}: model_config is not a JSON object.")
    return _rebuild(source, model_config, compile_config, arrays, metadata, None, custom_objects)
