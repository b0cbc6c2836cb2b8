"""The benchmark suite's smoke run: every workload on tiny sizes, so the suite cannot rot.

Peers that are not installed are skipped by the suite itself; numbers from this run measure
nothing (512 images), the test checks that every part runs and reports.
"""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_smoke_run_reports_every_workload(shared_datasets, tmp_path):
    markdown = tmp_path / "BENCHMARKS.md"
    markdown.write_text("# Benchmarks\n\nHand-written text stays.\n")
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--smoke", "--data-dir",
         str(shared_datasets), "--json", str(tmp_path / "r.json"), "--markdown", str(markdown)],
        capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads((tmp_path / "r.json").read_text())
    rows = {(row["workload"], row["framework"]): row for row in report["training"]}
    for workload in ("mlp", "cnn", "lstm"):
        row = rows[(workload, "axon")]
        assert row["median_epoch_seconds"] > 0 and row["gflops"] > 0
    assert 0.0 <= rows[("mlp", "axon")]["test_accuracy"] <= 1.0
    assert report["latency"]["axon"]["predict_us"] > 0 and report["latency"]["axon"]["call_us"] > 0
    assert report["peak"]["gflops"] > 0
    memory = report["footprint"]["memory"]
    assert len(memory["resident_mb_after_call"]) == 12 and memory["peak_training_mb"] > 0
    assert report["footprint"]["size_mb"]["axon"] > 0
    text = markdown.read_text()
    assert text.startswith("# Benchmarks\n\nHand-written text stays.")
    assert "<!-- bench:begin -->" in text and "| mlp | 128 | axon |" in text
    # a second run replaces the generated section instead of appending another
    subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--smoke", "--frameworks",
                    "axon", "--data-dir", str(shared_datasets), "--json",
                    str(tmp_path / "r2.json"), "--markdown", str(markdown)],
                   capture_output=True, text=True, timeout=900, check=True)
    assert markdown.read_text().count("<!-- bench:begin -->") == 1


def test_numpy_floor_script_learns_separable_data():
    """The hand-written NumPy step that BENCHMARKS.md compares axon with really trains."""
    import importlib.util

    import numpy as np

    spec = importlib.util.spec_from_file_location("numpy_mlp_floor",
                                                  ROOT / "bench" / "numpy_mlp_floor.py")
    floor = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(floor)
    rng = np.random.default_rng(0)
    y = rng.integers(0, 10, 2000)
    prototypes = rng.random((10, 784))
    x = (prototypes[y] + rng.normal(size=(2000, 784)) * 0.3).astype(np.float32)
    seconds, params = floor.train(x, y, batch_size=64, epochs=3, seed=0)
    assert len(seconds) == 3 and all(s > 0 for s in seconds)
    hidden = x
    for kernel, bias in zip(params[:2], params[3:5]):
        hidden = np.maximum(hidden @ kernel + bias, 0)
    accuracy = np.mean((hidden @ params[2] + params[5]).argmax(axis=1) == y)
    assert accuracy > 0.95
