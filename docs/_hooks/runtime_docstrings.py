"""Griffe extension: classes whose docstring is assembled at import time get it in the docs.

The convolution layers share one text of arguments (``Conv2D.__doc__ = "..." + _Conv.__doc__``),
which griffe's static reading cannot evaluate. For a class it finds without a docstring, this
extension imports the class and takes its runtime ``__doc__``.
"""
from __future__ import annotations

import importlib
import inspect
from typing import Any

import griffe


class RuntimeDocstrings(griffe.Extension):
    def on_class_members(self, *, cls: griffe.Class, agent: Any, **kwargs: Any) -> None:
        if cls.docstring is not None or cls.name.startswith("_"):
            return
        try:
            runtime = getattr(importlib.import_module(cls.module.path), cls.name)
        except (ImportError, AttributeError):
            return
        text = runtime.__dict__.get("__doc__")
        if text:
            # parsed as the loader parses every other docstring (Google style here)
            cls.docstring = griffe.Docstring(inspect.cleandoc(text), parent=cls,
                                             parser=agent.docstring_parser,
                                             parser_options=agent.docstring_options)
