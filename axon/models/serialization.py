"""Layers and models from configuration: the layers' lookup plus axon's model classes."""
from __future__ import annotations

from typing import Any

from axon.layers import serialization as layer_serialization


def deserialize(config: dict, custom_objects: dict | None = None) -> Any:
    """A new layer or model from ``{"class_name", "config"}``; ``"Functional"``,
    ``"Sequential"`` and ``"Model"`` are axon's model classes."""
    from axon.models.model import Model
    from axon.models.sequential import Sequential

    return layer_serialization.deserialize(
        config, custom_objects,
        extra_classes={"Functional": Model, "Model": Model, "Sequential": Sequential})
