"""The layering of docs/DESIGN.md, enforced: nothing in axon imports upwards.

Every module under ``axon/`` is parsed with ``ast`` (never imported) and each import is checked
against the table below. A package that is not in the table is not checked (as an importer), and
importing it is not an error, so new packages can land before the table knows them; add them here
(and to DESIGN.md) to give them rules. Imports under ``if TYPE_CHECKING:`` are annotations only and
are skipped.
"""
from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

# ---- the layering, as data --------------------------------------------------------------------
# axon package (first name after ``axon.``) -> axon packages it may import (itself always allowed).
ENGINE_AND_BELOW = {"engine", "kernels", "backend", "config", "utils"}
ALLOWED_AXON_IMPORTS: dict[str, set[str]] = {
    "backend": set(),
    "kernels": {"backend"},  # compiled loops on the backend's arrays, beside it
    "config": {"backend"},
    "utils": {"backend"},
    "engine": {"backend", "kernels"},
    "initializers": ENGINE_AND_BELOW,
    "activations": ENGINE_AND_BELOW,
    "losses": ENGINE_AND_BELOW,
    "metrics": ENGINE_AND_BELOW | {"losses"},  # metrics may reuse loss functions, as in Keras
    "regularizers": ENGINE_AND_BELOW,
    "constraints": ENGINE_AND_BELOW,
    "layers": ENGINE_AND_BELOW | {"initializers", "activations", "regularizers", "constraints"},
    "optimizers": ENGINE_AND_BELOW,
    # MPI data parallelism: collectives on host arrays; knows nothing of layers, models, training.
    "distributed": {"backend", "engine", "utils"},
    # the model only as ``self.model``; ``distributed.is_main()`` so that only rank 0 writes
    "callbacks": ENGINE_AND_BELOW | {"saving", "distributed", "plots"},  # History.plot: inside the method
    "training": ENGINE_AND_BELOW | {"losses", "metrics", "optimizers", "callbacks", "distributed"},
    "models": ENGINE_AND_BELOW | {"initializers", "activations", "losses", "metrics",
                                  "regularizers", "layers", "optimizers", "callbacks",
                                  "training", "saving", "distributed"},
    "saving": ENGINE_AND_BELOW | {"initializers", "activations", "losses", "metrics",
                                  "regularizers", "layers", "optimizers"},
    "datasets": {"backend", "config", "utils"},
    "explain": ENGINE_AND_BELOW,   # attributions: gradients of any model's outputs
    "onnx": ENGINE_AND_BELOW | {"activations", "layers", "models"},   # export walks the model
    "plots": ENGINE_AND_BELOW | {"models"},
    # scikit-learn estimators wrap whole models: they stand beside the top, like the CLI
    "sklearn": ENGINE_AND_BELOW | {"initializers", "activations", "losses", "metrics",
                                   "regularizers", "layers", "optimizers", "callbacks",
                                   "training", "saving", "models"},
}
# Modules at the top that may import anything: the package's public face and the command line.
TOP_LEVEL = {"__init__", "__main__", "cli"}

# Third-party (non-stdlib) imports, where they are restricted. None means unrestricted.
ALLOWED_THIRD_PARTY: dict[str, set[str] | None] = {
    "backend": {"numpy", "cupy", "scipy"},  # the one module that names the array library
    "kernels": {"numba"},  # the optional compiled kernels, only ever imported inside a function
    "config": set(),
    "engine": set(),  # engine computes through ``axon.backend.xp``
    "utils": {"numpy"},
    "explain": {"matplotlib"},   # plotting only, imported inside the function
    "plots": {"matplotlib", "numpy"},   # matplotlib only inside the functions
    "onnx": {"onnx", "numpy"},   # the optional extra's exporter (builds onnx protos from host arrays)
    "sklearn": {"sklearn", "numpy"},   # the optional extra's estimators
    "distributed": {"mpi4py", "numpy"},  # mpi4py only inside init(), so ``import axon`` skips it
    # What computes on arrays names no array library: it goes through ``axon.backend`` (``xp``,
    # or ``host`` for state kept on the host by design), so set_backend reaches all of it.
    **{package: set() for package in ("initializers", "activations", "losses", "metrics",
                                       "regularizers", "constraints", "layers", "optimizers")},
}
# Single engine modules that may name NumPy anyway: host-side code that never runs on a device.
NUMPY_EXCEPTIONS = {"axon/engine/gradcheck.py"}

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "axon"
STDLIB = set(sys.stdlib_module_names) | {"__future__"}
KNOWN = set(ALLOWED_AXON_IMPORTS) | TOP_LEVEL


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_submodule(dotted: str) -> bool:
    base = ROOT.joinpath(*dotted.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def _is_type_checking_block(node: ast.AST) -> bool:
    if not isinstance(node, ast.If):
        return False
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _walk_skipping_type_checking(tree: ast.AST):
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if _is_type_checking_block(child):
                stack.extend(child.orelse)
            else:
                stack.append(child)


def imported_modules(source: str, module: str, is_package: bool) -> list[tuple[int, str]]:
    """``(line, dotted name)`` of every module that ``source`` imports, relative ones resolved.

    ``from axon import name`` counts as importing ``axon.name`` when that is a module, and as
    importing the whole ``axon`` package otherwise.
    """
    found = []
    for node in _walk_skipping_type_checking(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                package = module.split(".") if is_package else module.split(".")[:-1]
                package = package[:len(package) - (node.level - 1)]
                base = ".".join(package + ([node.module] if node.module else []))
            else:
                base = node.module
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                found.append((node.lineno, candidate if _is_submodule(candidate) else base))
    return found


def violations(path: Path, source: str | None = None) -> list[str]:
    """Every import of ``path`` (a file under axon/) that breaks the layering."""
    relative = path.relative_to(ROOT).as_posix()
    module = _module_name(path)
    parts = module.split(".")
    layer = parts[1] if len(parts) > 1 else "__init__"
    if layer not in ALLOWED_AXON_IMPORTS:
        return []
    source = path.read_text(encoding="utf-8") if source is None else source
    allowed = ALLOWED_AXON_IMPORTS[layer] | {layer}
    third_party = ALLOWED_THIRD_PARTY.get(layer)
    problems = []
    for line, name in imported_modules(source, module, path.name == "__init__.py"):
        top, *rest = name.split(".")
        where = f"{relative}:{line} imports {name}"
        if top == "axon":
            if not rest:
                problems.append(f"{where}: the whole package (import the submodule instead)")
            elif rest[0] in KNOWN and rest[0] not in allowed:
                problems.append(f"{where}: {layer} may import only {sorted(allowed)}")
        elif top in STDLIB:
            continue
        elif third_party is not None and top not in third_party:
            if top == "numpy" and relative in NUMPY_EXCEPTIONS:
                continue
            problems.append(f"{where}: {layer} may use only the stdlib and {sorted(third_party)}"
                            " (array code goes through axon.backend.xp)")
    return problems


MODULES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_module_imports_follow_the_layering(path):
    problems = violations(path)
    assert not problems, "upward or forbidden imports:\n" + "\n".join(problems)


def test_the_package_has_modules_to_check():
    assert (PACKAGE / "backend.py").is_file() and (PACKAGE / "engine").is_dir()


# ---- the checker itself -----------------------------------------------------------------------
def _check(relative: str, source: str) -> list[str]:
    return violations(ROOT / relative, source)


@pytest.mark.parametrize("relative, source", [
    ("axon/engine/tensor.py", "from axon.layers import Dense\n"),
    ("axon/engine/ops/nn.py", "import numpy as np\n"),
    ("axon/engine/ops/nn.py", "from numpy import exp\n"),
    ("axon/engine/ops/nn.py", "import scipy.special\n"),
    ("axon/engine/functional.py", "def f():\n    from axon import models\n"),
    ("axon/backend.py", "from axon.engine import Tensor\n"),
    ("axon/utils/naming.py", "from axon.engine import Tensor\n"),
    ("axon/utils/naming.py", "import pandas\n"),
    ("axon/layers/core.py", "from axon.optimizers import SGD\n"),
    ("axon/layers/core.py", "from ..models import Model\n"),
    ("axon/layers/core.py", "from axon import Sequential\n"),
    ("axon/layers/core.py", "import axon\n"),
    ("axon/training/trainer.py", "from axon.models import Model\n"),
    ("axon/optimizers/sgd.py", "import axon.layers.core\n"),
    ("axon/losses.py", "from axon.layers import Dense\n"),
    ("axon/callbacks/history.py", "from axon.training import Trainer\n"),
    ("axon/distributed/world.py", "from axon.training import Trainer\n"),
    ("axon/distributed/world.py", "import torch.distributed\n"),
])
def test_checker_flags_upward_imports(relative, source):
    assert _check(relative, source), f"{relative}: {source!r} should be flagged"


@pytest.mark.parametrize("relative, source", [
    ("axon/engine/ops/nn.py", "from axon.backend import xp\nfrom axon.engine.op import Op\n"),
    ("axon/engine/ops/nn.py", "from ..op import Op\nfrom . import elementwise\n"),
    ("axon/engine/gradcheck.py", "import numpy\nfrom axon import backend\n"),
    ("axon/backend.py", "import numpy\nimport math\ntry:\n    import cupy\nexcept ImportError:\n"
                        "    cupy = None\n"),
    ("axon/utils/labels.py", "import numpy\nfrom axon import backend\n"),
    ("axon/layers/core.py", "from axon import activations, initializers\n"
                            "from axon.engine import functional as F\n"),
    ("axon/layers/core.py", "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                            "    from axon.models import Model\n"),
    ("axon/layers/core.py", "from axon.some_future_package import thing\n"),
    ("axon/models/model.py", "from axon.training import Trainer\nfrom axon.layers import Layer\n"),
    ("axon/newpackage/module.py", "from axon.models import Model\n"),
    ("axon/cli.py", "import axon\nfrom axon.models import Model\n"),
])
def test_checker_allows_permitted_imports(relative, source):
    assert not _check(relative, source)
