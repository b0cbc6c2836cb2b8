"""Whole models on disk: ``model.save('m.axon')`` and ``axon.models.load_model('m.axon')``.

One file in the safetensors layout: every weight as a raw little-endian array, and in the
header's metadata the architecture (``get_config``) and the compile settings as JSON, with a
format name and version. Loading rebuilds the model from the JSON by class names that axon
knows (its own, registered or in ``custom_objects``) and never unpickles or evaluates anything.
"""
from __future__ import annotations

import json
import os
from typing import Any

from axon import losses as losses_module
from axon import optimizers as optimizers_module
from axon.layers.serialization import serialize
from axon.models.serialization import deserialize
from axon.saving import FormatError, load_arrays

MODEL_FORMAT = "axon.model"
MODEL_FORMAT_VERSION = "1"
MODEL_SUFFIX = ".axon"


def check_model_path(filepath: Any, method: str) -> str:
    path = os.fspath(filepath)
    if not path.endswith(MODEL_SUFFIX):
        raise ValueError(f"{method}() expects a file name ending in '{MODEL_SUFFIX}'. Received: "
                         f"filepath={path!r}. For the weights alone use save_weights() with a "
                         "'.weights.safetensors' file.")
    return path


def model_metadata(model: Any) -> dict[str, str]:
    """The JSON metadata of a model file: architecture and compile settings."""
    metadata = {"format": MODEL_FORMAT, "format_version": MODEL_FORMAT_VERSION,
                "model_config": json.dumps(serialize(model))}
    if getattr(model, "compiled", False):
        metadata["compile_config"] = json.dumps(_compile_config(model))
    return metadata


def _compile_config(model: Any) -> dict:
    config: dict[str, Any] = {"optimizer": optimizers_module.serialize(model.optimizer)}
    compiled = model._compiled_loss
    if compiled is not None:
        config["loss"] = _plain(compiled.identifier, _serialize_loss)
        config["loss_weights"] = compiled.weights_identifier
    metrics = model._compiled_metrics
    config["metrics"] = _plain(metrics.identifiers, lambda m: None)
    config["weighted_metrics"] = _plain(metrics.weighted_identifiers, lambda m: None)
    return config


def _serialize_loss(loss: Any) -> Any:
    return losses_module.serialize(loss) if isinstance(loss, losses_module.Loss) else None


def _plain(value: Any, fallback: Any) -> Any:
    """Strings, lists and dicts as they are; objects through ``fallback`` (None if it cannot)."""
    if value is None or isinstance(value, str | int | float):
        return value
    if isinstance(value, dict):
        return {key: _plain(item, fallback) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item, fallback) for item in value]
    return fallback(value)


def load_model(filepath: str | os.PathLike, custom_objects: dict | None = None,
               compile: bool = True) -> Any:
    """A model saved with ``model.save``: same architecture, weights and compile settings.

    Args:
        filepath: a ``.axon`` file.
        custom_objects: ``{class name: class}`` for custom layers or models in the file.
        compile: compile the model with the saved optimizer, loss and metrics (if any).

    Raises:
        FormatError: when the file is not an axon model file (or a newer format version).
    """
    arrays, metadata = load_arrays(filepath)
    if metadata.get("format") != MODEL_FORMAT:
        raise FormatError(f"{filepath} is not an axon model file (format "
                          f"{metadata.get('format')!r}); for weights use model.load_weights().")
    if metadata.get("format_version") != MODEL_FORMAT_VERSION:
        raise FormatError(f"{filepath} has model format version "
                          f"{metadata.get('format_version')!r}; this axon reads version "
                          f"{MODEL_FORMAT_VERSION}.")
    model = deserialize(json.loads(metadata["model_config"]), custom_objects)
    model.load_weights_from_arrays(arrays, metadata, str(filepath))
    if compile and "compile_config" in metadata:
        config = json.loads(metadata["compile_config"])
        loss = config.get("loss")
        if isinstance(loss, dict) and "class_name" in loss:
            loss = losses_module.deserialize(loss)
        model.compile(optimizer=optimizers_module.deserialize(config["optimizer"]), loss=loss,
                      loss_weights=config.get("loss_weights"), metrics=config.get("metrics"),
                      weighted_metrics=config.get("weighted_metrics"))
    return model
