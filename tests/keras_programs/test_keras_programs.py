"""Each Keras program in this folder runs after the textual port and asserts what it learned.

The programs are plain Keras 3 / tf.keras code (checked under real Keras by hand, see
docs/porting.md). This test applies the port of tests/test_keras_port.py (``import tensorflow as
tf`` becomes ``import axon``; ``tensorflow.keras``, ``tf.keras`` and ``keras`` become ``axon``),
runs the result in a fresh interpreter and requires exit code 0: every program ends with
``assert`` statements on its learning outcome, so a model that did not learn fails here.
"""
from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


def _load_port():
    """The one definition of the port lives in tests/test_keras_port.py; use it, do not copy it."""
    spec = importlib.util.spec_from_file_location("_keras_port_rules", ROOT / "tests" / "test_keras_port.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.port


port = _load_port()
PROGRAMS = sorted(HERE.glob("[0-9][0-9]_*.py"))


def test_there_are_at_least_twelve_programs():
    assert len(PROGRAMS) >= 12, [p.name for p in PROGRAMS]


@pytest.mark.parametrize("program", PROGRAMS, ids=[p.stem for p in PROGRAMS])
def test_program_runs_after_port(program, shared_datasets, tmp_path):
    ported = port(program.read_text())
    assert "tensorflow" not in ported and "keras" not in ported, "the port left a Keras name"
    script = tmp_path / program.name
    script.write_text(ported)
    env = {**os.environ, "AXON_DATA_DIR": str(shared_datasets),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                            env=env, cwd=tmp_path, timeout=300)
    assert result.returncode == 0, (f"{program.name} failed after the port:\n"
                                    f"{result.stdout[-2000:]}\n{result.stderr[-4000:]}")
