"""The registry of primitives: every primitive is listed, documented and gradient-checked."""
from __future__ import annotations

import importlib
import pkgutil

import pytest

import axon.engine.ops as ops_package
from axon.engine import Op
from axon.engine.ops import PRIMITIVES

from .gradcheck_cases import CASES


def _op_subclasses_in_ops_package() -> set[type]:
    for module in pkgutil.walk_packages(ops_package.__path__, ops_package.__name__ + "."):
        importlib.import_module(module.name)
    found, stack = set(), list(Op.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        # Ops defined by tests (deliberately wrong ones, for instance) are not primitives.
        if cls.__module__.startswith("axon.engine.ops"):
            found.add(cls)
    return found


def test_registry_has_no_duplicates():
    assert len(set(PRIMITIVES)) == len(PRIMITIVES)


def test_every_primitive_has_a_gradcheck_case():
    missing = sorted(op.__name__ for op in set(PRIMITIVES) - set(CASES))
    stale = sorted(op.__name__ for op in set(CASES) - set(PRIMITIVES))
    assert not missing, f"primitives without a gradcheck case in gradcheck_cases.py: {missing}"
    assert not stale, f"gradcheck cases for classes that are not primitives: {stale}"


@pytest.mark.parametrize("primitive", PRIMITIVES, ids=lambda op: op.__name__)
def test_registry_gradcheck_case_passes(primitive):
    if primitive not in CASES:
        pytest.fail(f"{primitive.__name__} has no float64 gradient check in gradcheck_cases.py")
    CASES[primitive]()


def test_every_op_subclass_in_ops_package_is_registered():
    unregistered = sorted(cls.__qualname__ for cls in _op_subclasses_in_ops_package()
                          if cls not in PRIMITIVES)
    assert not unregistered, f"Op subclasses missing from PRIMITIVES: {unregistered}"


def test_every_registered_primitive_is_an_op_subclass():
    assert all(isinstance(op, type) and issubclass(op, Op) for op in PRIMITIVES)


@pytest.mark.parametrize("primitive", PRIMITIVES, ids=lambda op: op.__name__)
def test_primitive_docstring_states_formula_and_gradient(primitive):
    doc = primitive.__doc__ or ""
    assert "=" in doc, f"{primitive.__name__}'s docstring states no formula"
    assert "dL/d" in doc or "gradient" in doc.lower(), (
        f"{primitive.__name__}'s docstring states no gradient")


@pytest.mark.parametrize("primitive", PRIMITIVES, ids=lambda op: op.__name__)
def test_primitive_defines_forward_and_backward(primitive):
    assert "forward" in vars(primitive) and "backward" in vars(primitive), primitive.__name__
