"""``axon.backend.set_backend`` switches the array library of the whole library: proven with a
stand-in backend (NumPy under another name, recording its callers) that runs the engine and
layer tests, and by the rule that no computing module imports NumPy (tests/test_architecture.py).
"""
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import standin_backend

import axon
from axon import backend

ROOT = Path(__file__).resolve().parents[1]


def _modules_with_xp():
    return {name: module for name, module in sys.modules.items()
            if name.startswith("axon") and hasattr(module, "xp")}


def test_switch_reaches_every_module_and_back():
    backend.register_backend("standin", standin_backend.namespace)
    original = backend.xp
    try:
        backend.set_backend("standin")
        assert backend.backend() == "standin"
        stale = [name for name, module in _modules_with_xp().items()
                 if module.xp is not backend.xp]
        assert not stale, stale
        standin_backend.CALLS.clear()
        axon.utils.set_random_seed(0)
        model = axon.Sequential([axon.layers.Conv2D(2, 3, activation="relu",
                                                    input_shape=(6, 6, 1)),
                                 axon.layers.MaxPooling2D(), axon.layers.Flatten(),
                                 axon.layers.Dense(3, activation="softmax")])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"])
        history = model.fit(np.ones((8, 6, 6, 1)), np.zeros(8, "int64"), epochs=2, verbose=0)
        assert history.history["loss"][1] < history.history["loss"][0]
        callers = set(standin_backend.CALLS)
        for module in ("axon.engine.ops.linalg", "axon.engine.ops.conv", "axon.engine.ops.pooling",
                       "axon.optimizers.adam", "axon.initializers"):
            assert module in callers, (module, sorted(callers))
    finally:
        backend.set_backend("numpy")
    assert backend.xp is original is np
    assert all(module.xp is np for module in _modules_with_xp().values())


def test_engine_and_layer_tests_pass_on_the_stand_in_backend(tmp_path):
    report = tmp_path / "report.json"
    env = {**os.environ, "AXON_TEST_STANDIN_REPORT": str(report), "OPENBLAS_NUM_THREADS": "1"}
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider",
                             "tests/engine", "tests/layers"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    found = json.loads(report.read_text())
    assert found["backend"] == "standin" and found["stale"] == []
    ops = {path.stem for path in (ROOT / "axon" / "engine" / "ops").glob("*.py")
           if path.stem != "__init__" and "xp" in path.read_text()}
    silent = sorted(op for op in ops if f"axon.engine.ops.{op}" not in found["calls"])
    assert not silent, f"engine op modules that never computed through the stand-in: {silent}"


def test_unknown_backend_is_a_clear_error():
    with pytest.raises(ValueError, match="Unknown backend 'tensorflow'. Known: .*numpy"):
        backend.set_backend("tensorflow")
    assert backend.backend() == "numpy"


COMPUTING = ("engine", "layers", "optimizers", "losses", "metrics", "initializers.py",
             "activations.py", "regularizers.py", "constraints.py")


def test_no_module_keeps_a_piece_of_the_array_library_from_import_time():
    """``_as_strided = xp.lib.stride_tricks.as_strided`` at module level would keep NumPy's
    function after ``set_backend``: module-level code may name ``xp`` only to bind it."""
    import ast

    found = []
    for entry in COMPUTING:
        base = ROOT / "axon" / entry
        for path in ([base] if base.suffix else sorted(base.rglob("*.py"))):
            for node in ast.parse(path.read_text()).body:
                if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
                    for inner in ast.walk(node.value):
                        if isinstance(inner, ast.Attribute) and isinstance(inner.value, ast.Name) \
                                and inner.value.id == "xp":
                            found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not found, found
