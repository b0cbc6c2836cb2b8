"""Resolving a user's string identifier to an object, with an error that lists what exists; and
the custom objects (classes and functions) that names in a saved configuration may refer to.

A name in a configuration is looked up among the objects the program itself provides: the
innermost :func:`custom_object_scope` (``load_model(custom_objects=...)`` opens one), then the
objects registered with ``@axon.saving.register_keras_serializable()``, then axon's own. Nothing
is ever imported by a name read from a file, so reading one cannot run code.
"""
from __future__ import annotations

import contextlib
import contextvars
import difflib
from collections.abc import Iterator, Mapping
from typing import Any

#: ``'package>name'`` and ``'name'`` -> a class or function registered by the program.
REGISTERED: dict[str, Any] = {}

_SCOPE: contextvars.ContextVar[tuple[Mapping[str, Any], ...]] = contextvars.ContextVar(
    "axon_custom_objects", default=())

CUSTOM_HINT = ("For a custom object, pass custom_objects={{{name!r}: ...}} (to load_model or "
               "from_config), or register it with @axon.saving.register_keras_serializable().")


@contextlib.contextmanager
def custom_object_scope(objects: Mapping[str, Any] | None) -> Iterator[None]:
    """Within the ``with`` block, the names of ``objects`` resolve to them wherever axon reads a
    name (activations, losses, metrics, initializers, regularizers, constraints, optimizers,
    layers), ahead of the registered and built-in ones.

    Example:
        >>> import axon
        >>> def twice(x):
        ...     return x * 2.0
        >>> with axon.saving.custom_object_scope({"twice": twice}):
        ...     axon.activations.get("twice") is twice
        True
    """
    if objects is not None and not isinstance(objects, Mapping):
        raise TypeError(f"custom_objects must be a dict of names to classes or functions. "
                        f"Received: {type(objects).__name__}")
    token = _SCOPE.set(_SCOPE.get() + (dict(objects or {}),))
    try:
        yield
    finally:
        _SCOPE.reset(token)


def custom_object(name: Any) -> Any:
    """The custom object called ``name`` (innermost scope first, then the registered ones), or
    None."""
    if not isinstance(name, str):
        return None
    for objects in reversed(_SCOPE.get()):
        if name in objects and not isinstance(objects[name], str):   # a name is no object
            return objects[name]
    return REGISTERED.get(name)


def function_name(function: Any) -> str | None:
    """The name a function is saved under: its registered ``'package>name'``, else its
    ``__name__`` when that is an identifier; None for a ``lambda`` (nothing to look up)."""
    registered = getattr(function, "_registered_name", None)
    if isinstance(registered, str):
        return registered
    name = getattr(function, "__name__", None)
    return name if isinstance(name, str) and name.isidentifier() else None


def custom_class(name: Any) -> type | None:
    """The custom class called ``name`` (see :func:`custom_object`), or None."""
    found = custom_object(name)
    return found if isinstance(found, type) else None


def resolve(identifier: Any, known: Mapping[str, Any], kind: str) -> Any:
    """Look up ``identifier`` (case-insensitive) in ``known``.

    Raises:
        ValueError: naming the ``kind``, what came, the closest known names and every known name,
            and how to make a custom name known.
    """
    key = identifier.lower() if isinstance(identifier, str) else identifier
    if key in known:
        return known[key]
    names = ", ".join(sorted(known))
    close = difflib.get_close_matches(key, list(known), n=3) if isinstance(key, str) else []
    hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    raise ValueError(f"Unknown {kind}: {identifier!r}.{hint} Known {kind} names: {names}. "
                     + CUSTOM_HINT.format(name=identifier))
