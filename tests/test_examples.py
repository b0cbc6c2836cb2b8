"""The programs in examples/ run and print the results the README quotes."""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _run(name):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        filter(None, [str(EXAMPLES.parent), os.environ.get("PYTHONPATH")]))}
    result = subprocess.run([sys.executable, str(EXAMPLES / name)], capture_output=True,
                            text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize(("name", "least"), [("custom_training_loop.py", 0.95),
                                             ("two_optimizers.py", 0.95)])
def test_example_learns(name, least):
    output = _run(name)
    accuracy = float(re.search(r"test accuracy ([0-9.]+)", output).group(1))
    assert accuracy >= least, output


def test_two_optimizers_both_step():
    output = _run("two_optimizers.py")
    steps = re.search(r"feature optimizer steps (\d+), head optimizer steps (\d+)", output)
    assert steps and int(steps.group(1)) == int(steps.group(2)) > 0
