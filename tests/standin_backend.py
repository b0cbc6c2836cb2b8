"""A stand-in array backend for the tests: NumPy under another name, recording which axon
modules compute through it. Registered and selected, it proves that ``set_backend`` reaches
every module (each one's ``xp`` is the stand-in, and their calls arrive here)."""
from __future__ import annotations

import collections
import sys
import types

import numpy

CALLS: collections.Counter = collections.Counter()   # calling module -> number of calls


class _Counted:
    """A NumPy function (or ufunc) that counts its caller's module, then calls through."""

    def __init__(self, function):
        self._function = function

    def __call__(self, *args, **kwargs):
        CALLS[sys._getframe(1).f_globals.get("__name__", "?")] += 1
        return self._function(*args, **kwargs)

    def __getattr__(self, name):   # ufunc methods: xp.add.at, xp.maximum.reduce ...
        return getattr(self._function, name)


def namespace() -> types.ModuleType:
    """A module with every public NumPy name; functions and ufuncs count their callers."""
    standin = types.ModuleType("standin_numpy")
    for name in dir(numpy):
        if name.startswith("_"):
            continue
        value = getattr(numpy, name)
        counted = callable(value) and not isinstance(value, type) and not isinstance(
            value, types.ModuleType)
        setattr(standin, name, _Counted(value) if counted else value)
    return standin
