"""Layers to and from plain configuration: ``{"class_name": ..., "config": {...}}``.

A class is found by name among axon's own layers, the classes registered with
:func:`register_keras_serializable`, and the ``custom_objects`` given by the caller, never by
importing a module named in a file: reading a configuration cannot run code that was not
already part of the program.
"""
from __future__ import annotations

from typing import Any

from axon.utils.registry import REGISTERED, custom_object, custom_object_scope


def register_keras_serializable(package: str = "Custom", name: str | None = None) -> Any:
    """A decorator that makes a custom class (layer, model, loss, metric, initializer,
    regularizer, constraint) or function (activation, loss, metric) loadable by name.

    The object is registered as ``'package>name'`` and also under its plain name; functions are
    then saved under ``'package>name'``.

    Example:
        >>> import axon
        >>> @axon.saving.register_keras_serializable(package="demo")
        ... class Doubler(axon.layers.Layer):
        ...     def call(self, x, training=False):
        ...         return x * 2.0
        >>> axon.layers.deserialize({"class_name": "demo>Doubler", "config": {}}).__class__.__name__
        'Doubler'
    """
    def decorator(obj: Any) -> Any:
        registered = name or obj.__name__
        REGISTERED[f"{package}>{registered}"] = obj
        REGISTERED.setdefault(registered, obj)
        obj._registered_name = f"{package}>{registered}"
        return obj
    return decorator


def serialize(layer: Any) -> dict:
    """``{"class_name", "config"}`` for ``layer`` (a layer or a model)."""
    class_name = getattr(type(layer), "_registered_name", None) or type(layer).__name__
    if class_name == "Model" and getattr(layer, "_graph", None) is not None:
        class_name = "Functional"  # Keras's name for a model built from inputs and outputs
    return {"class_name": class_name, "config": layer.get_config()}


def deserialize(config: dict, custom_objects: dict | None = None,
                extra_classes: dict | None = None) -> Any:
    """A new layer from ``{"class_name", "config"}`` (models pass their own classes in
    ``extra_classes``).

    Raises:
        ValueError: for an unknown class name (the message lists where axon looked).
    """
    if not isinstance(config, dict) or not isinstance(config.get("class_name"), str) \
            or not isinstance(config.get("config") or {}, dict):
        raise ValueError(f"A layer configuration is a dict with 'class_name' (a string) and "
                         f"'config' (a dict). Received: {str(config)[:200]}")
    with custom_object_scope(custom_objects):   # for the names inside the layer's config too
        cls = find_class(config["class_name"], None, extra_classes)
        return cls.from_config(dict(config.get("config") or {}), **(
            {"custom_objects": custom_objects} if _takes_custom_objects(cls) else {}))


def find_class(class_name: str, custom_objects: dict | None = None,
               extra_classes: dict | None = None) -> type:
    """The class called ``class_name``: custom objects, registered classes, then axon's."""
    if custom_objects and class_name in custom_objects:
        return custom_objects[class_name]
    custom = custom_object(class_name)
    if isinstance(custom, type):
        return custom
    if extra_classes and class_name in extra_classes:
        return extra_classes[class_name]
    import axon.layers as layers_module

    cls = getattr(layers_module, class_name, None)
    if isinstance(cls, type) and issubclass(cls, layers_module.Layer):
        return cls
    raise ValueError(f"Unknown layer class {class_name!r}. Pass it in custom_objects={{"
                     f"'{class_name}': {class_name}}} or decorate the class with "
                     "@axon.saving.register_keras_serializable().")


def _takes_custom_objects(cls: type) -> bool:
    import inspect

    try:
        return "custom_objects" in inspect.signature(cls.from_config).parameters
    except (TypeError, ValueError):
        return False
