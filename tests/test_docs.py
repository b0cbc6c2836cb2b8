"""The documentation site builds, and every ```python block of the docs runs.

``mkdocs build --strict`` (warnings are errors) builds mkdocs.yml into a temporary folder; skipped
when mkdocs, mkdocs-material or mkdocstrings is not installed.

The code blocks of docs/*.md, docs/zh/*.md, README.md and README.zh-CN.md run file by file: each
file's blocks in order, in one namespace, in a temporary working directory, with AXON_DATA_DIR
pointing at ../shared/datasets. A block written as a doctest (``>>>`` lines) runs as one. A block
opts out only with a ``<!-- skip-run: reason -->`` line right before its fence (for commands that
need mpiexec, a GPU or another framework); for the files this test may not change, the blocks that
cannot run as written are listed in ``SKIPPED`` below, each with its reason.
"""
from __future__ import annotations

import doctest
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "datasets"
SKIP_MARKER = re.compile(r"<!--\s*skip-run:\s*(?P<reason>.+?)\s*-->")
FENCE = re.compile(r"^(?P<indent>[ \t]*)```(?P<lang>[\w+-]*)[^\n]*$")

# Blocks of files this test does not own that cannot run as written: (file, a line of the block)
# -> why. Every entry must still match a block (a stale entry fails the test).
SKIPPED = {
    ("README.md", "axon.datasets.mnist.load_data()"):
        "trains the MLP on all of MNIST for 10 epochs (about 10-20 s on 2 cores); "
        "tests/test_mnist_mlp.py covers that run",
    ("docs/backends.md", 'backend.set_backend("cupy")'): "needs CuPy and a GPU",
    ("docs/distributed.md", "axon.distributed.init()"):
        "meant for mpiexec (tests/distributed/ runs it under MPI); 5 epochs of MNIST",
    ("docs/porting.md", "from tensorflow.keras import layers"): "the Keras program: needs TensorFlow",
    ("docs/porting.md", "from axon import layers"):
        "an excerpt: x_train, y_train, x_test, y_test come from the full program "
        "(tests/keras_programs/02_binary_classification.py, run by tests/test_keras_port.py)",
    ("docs/saving.md", "from safetensors.torch import load"):
        "needs PyTorch and safetensors, and an m.axon file and a torch `linear` module",
    ("docs/saving.md", 'BackupAndRestore("runs/mnist", save_freq=100)'):
        "a fragment: `model`, `x`, `y` and the other callbacks (`...`) are the reader's",
}
# Blocks that run only when an optional package is installed: (file, a line) -> module.
REQUIRES = {
    ("docs/sklearn.md", "from sklearn.datasets import load_iris"): "sklearn",
    ("docs/sklearn.md", "def build(n_features, n_outputs):"): "sklearn",
    ("docs/onnx.md", "import onnxruntime as ort"): "onnxruntime",
    ("docs/plots.md", "import matplotlib.pyplot as plt"): "matplotlib",
}


def _doc_files():
    files = [ROOT / "README.md", ROOT / "README.zh-CN.md"]
    files += sorted((ROOT / "docs").glob("*.md")) + sorted((ROOT / "docs" / "zh").glob("*.md"))
    return [f for f in files if f.exists()]


def _blocks(path):
    """``[(line number, code, skip reason or None)]`` for each ```python block of ``path``."""
    blocks, lines, i = [], path.read_text(encoding="utf-8").split("\n"), 0
    while i < len(lines):
        fence = FENCE.match(lines[i])
        if not fence:
            i += 1
            continue
        start, indent = i, fence["indent"]
        i += 1
        body = []
        while i < len(lines) and lines[i].strip() != "```":
            body.append(lines[i][len(indent):] if lines[i].startswith(indent) else lines[i])
            i += 1
        i += 1
        if fence["lang"] != "python":
            continue
        previous = next((line for line in reversed(lines[:start]) if line.strip()), "")
        marker = SKIP_MARKER.search(previous)
        blocks.append((start + 1, "\n".join(body) + "\n", marker["reason"] if marker else None))
    return blocks


def _listed(table, name, code):
    return next((value for (file, line), value in table.items() if file == name and line in code), None)


def _run_doctest(code, namespace, name, lineno):
    test = doctest.DocTestParser().get_doctest(code, namespace, name, name, lineno)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    out = []
    runner.run(test, out=out.append, clear_globs=False)
    assert runner.failures == 0, "".join(out)


def test_every_skip_entry_matches_a_block():
    blocks = {str(f.relative_to(ROOT)): [code for _, code, _ in _blocks(f)] for f in _doc_files()}
    for file, line in [*SKIPPED, *REQUIRES]:
        assert any(line in code for code in blocks.get(file, [])), f"no block of {file} contains {line!r}"


@pytest.mark.parametrize("path", _doc_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_code_blocks_run(path, tmp_path, monkeypatch):
    import axon

    name = str(path.relative_to(ROOT))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    if DATA.is_dir():
        monkeypatch.setenv("AXON_DATA_DIR", str(DATA))
    floatx = axon.config.floatx()
    namespace = {"__name__": "__docs__"}
    ran = 0
    try:
        for lineno, code, reason in _blocks(path):
            reason = reason or _listed(SKIPPED, name, code)
            module = _listed(REQUIRES, name, code)
            if reason or (module and importlib.util.find_spec(module) is None):
                continue
            where = f"{name}, the block at line {lineno}"
            if code.lstrip().startswith(">>>"):
                _run_doctest(code, namespace, where, lineno)
            else:
                exec(compile(code, where, "exec"), namespace)  # noqa: S102 - the docs' own code
            ran += 1
    finally:
        axon.config.set_floatx(floatx)
        if "matplotlib.pyplot" in sys.modules:
            sys.modules["matplotlib.pyplot"].close("all")
    if not ran:
        pytest.skip(f"{name}: no block to run")


def test_site_builds_strict(tmp_path):
    missing = [m for m in ("mkdocs", "material", "mkdocstrings", "mkdocstrings_handlers.python")
               if importlib.util.find_spec(m.split(".")[0]) is None or importlib.util.find_spec(m) is None]
    if missing:
        pytest.skip(f"the docs tools are not installed ({', '.join(missing)}): "
                    "pip install mkdocs mkdocs-material 'mkdocstrings[python]'")
    # not --quiet: it hides the warnings from the count that --strict fails on
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict",
                             "--config-file", str(ROOT / "mkdocs.yml"), "--site-dir", str(tmp_path / "site")],
                            cwd=ROOT, capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    for page in ("index.html", "math/index.html", "api/layers/index.html", "zh/getting-started/index.html"):
        assert (tmp_path / "site" / page).is_file(), page
    # every layer class's entry shows its docstring, the convolutions' assembled ones included
    html = (tmp_path / "site" / "api" / "layers" / "index.html").read_text(encoding="utf-8")
    entries = html.split('id="axon.layers.')[1:]
    described = {entry.split('"')[0] for entry in entries if "doc-contents" in entry
                 and re.search(r"<p>\S", entry.split('id="axon.layers.', 1)[0])}
    import axon.layers
    classes = {name for name in axon.layers.__all__ if isinstance(getattr(axon.layers, name), type)}
    assert classes - described == set()
