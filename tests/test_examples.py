"""The programs in examples/ run and print the results the README quotes.

The image and sequence examples run here on a slice of the data (seconds each). Their full runs,
the acceptance targets of the README, are marked slow: ``AXON_SLOW=1`` runs them (minutes), the
default run trains the same programs briefly and asks for a lower bar.
"""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
FULL = os.environ.get("AXON_SLOW") == "1"
VAE_FULL_BAR = 150  # the full run (10 epochs, 60,000 images) gave 137.6


def _run(name, *args, data_dir=None, timeout=300):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        filter(None, [str(EXAMPLES.parent), os.environ.get("PYTHONPATH")]))}
    if data_dir is not None:
        env["AXON_DATA_DIR"] = str(data_dir)
    result = subprocess.run([sys.executable, str(EXAMPLES / name), *map(str, args)],
                            capture_output=True, text=True, env=env, timeout=timeout)
    assert result.returncode == 0, result.stderr
    return result.stdout


def _number(pattern, output):
    found = re.search(pattern, output)
    assert found, f"{pattern!r} not in the example's output:\n{output}"
    return float(found.group(1))


def _png_size(path):
    """(width, height) from a PNG file's IHDR chunk."""
    header = Path(path).read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG file"
    return int.from_bytes(header[16:20], "big"), int.from_bytes(header[20:24], "big")


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


@pytest.mark.slow
def test_cnn_reaches_target_accuracy_on_mnist(shared_datasets):
    """Acceptance: Conv(32,3)-MaxPool-Conv(64,3)-MaxPool-Dense(128)-Dense(10) >= 0.990 in 3 epochs."""
    args, target = ([], 0.990) if FULL else (["--epochs", 1, "--samples", 6000], 0.85)
    output = _run("cnn_mnist.py", *args, data_dir=shared_datasets, timeout=3600)
    assert _number(r"test accuracy after \d+ epochs: ([0-9.]+)", output) >= target


@pytest.mark.slow
def test_cnn_reaches_target_accuracy_on_fashion_mnist(shared_datasets):
    """Acceptance: a CNN without augmentation >= 0.920 on Fashion-MNIST within 15 epochs."""
    args, target = ([], 0.920) if FULL else (["--epochs", 1, "--samples", 6000], 0.72)
    output = _run("cnn_fashion_mnist.py", *args, data_dir=shared_datasets, timeout=3600)
    assert _number(r"best ([0-9.]+)", output) >= target


@pytest.mark.slow
def test_lstm_classifies_mnist_rows(shared_datasets):
    args, target = ([], 0.98) if FULL else (["--epochs", 2, "--samples", 4000, "--units", 64], 0.5)
    output = _run("lstm_sequence_classifier.py", *args, data_dir=shared_datasets, timeout=3600)
    assert _number(r"test accuracy ([0-9.]+)", output) >= target


def test_tiny_transformer_learns_to_reverse():
    output = _run("tiny_transformer.py")
    assert _number(r"whole sequences right ([0-9.]+)", output) >= 0.95


@pytest.mark.slow
def test_vae_decodes_latent_points_to_a_png(shared_datasets, tmp_path):
    args = ([] if FULL else ["--epochs", 3, "--samples", 6000]) + ["--output", tmp_path / "v.png"]
    output = _run("vae_mnist.py", *args, data_dir=shared_datasets, timeout=3600)
    # Binary cross-entropy per image: ~544 for an all-0.5 guess, ~206 for the mean training image
    # (the best an encoder that ignores its input can do).
    assert _number(r"per image: ([0-9.]+)", output) < (VAE_FULL_BAR if FULL else 190)
    assert _png_size(tmp_path / "v.png") == (15 * 30 + 2, 15 * 30 + 2)


@pytest.mark.slow
def test_gan_draws_digits_to_a_png(shared_datasets, tmp_path):
    args = ([] if FULL else ["--epochs", 1, "--samples", 3000]) + ["--output", tmp_path / "g.png"]
    output = _run("gan_mnist.py", *args, data_dir=shared_datasets, timeout=3600)
    assert _png_size(tmp_path / "g.png") == (8 * 30 + 2, 8 * 30 + 2)
    if FULL:  # a classifier trained on real digits names the generated ones with confidence
        assert _number(r"confidence ([0-9.]+)", output) >= 0.75  # 0.831 seen
        assert _number(r"(\d+) of 10 digits drawn", output) >= 9


@pytest.mark.slow
def test_explain_mnist_attributions_are_complete_and_sit_where_the_docs_say(shared_datasets, tmp_path):
    digits = 8 if FULL else 6
    args = ([] if FULL else ["--epochs", 1, "--samples", 3000, "--digits", digits])
    output = _run("explain_mnist.py", *args, "--output", tmp_path / "e.png", data_dir=shared_datasets,
                  timeout=3600)
    if FULL:
        assert _number(r"test accuracy ([0-9.]+)", output) >= 0.97   # 0.9782 seen
    # integrated gradients sum to f(x) - f(black image), up to the quadrature error
    assert _number(r"completeness gap: ([0-9.]+)%", output) < 1.0
    # it weighs the gradient by the pixel, so its mass sits on the digit ...
    assert _number(r"integrated gradients +mass on digit ([0-9.]+)", output) > 0.5
    # ... while saliency is merely denser there (most of its mass lies around the digit)
    assert _number(r"saliency +mass on digit [0-9.]+, density ratio inside/outside ([0-9.]+)", output) > 1
    assert _png_size(tmp_path / "e.png") == (5 * 2 * 80, digits * 2 * 80)   # 2-inch panels at 80 dpi


@pytest.mark.slow
@pytest.mark.parametrize("model", ["mlp", "cnn", "lstm"])
def test_onnx_export_matches_axon_in_onnxruntime(model, shared_datasets, tmp_path):
    pytest.importorskip("onnx")
    pytest.importorskip("onnxruntime")
    args = [] if FULL else ["--samples", 2000]
    output = _run("onnx_export.py", "--model", model, *args, "--output", tmp_path / "m.onnx",
                  data_dir=shared_datasets, timeout=3600)
    assert (tmp_path / "m.onnx").stat().st_size > 0
    assert _number(r"largest absolute difference ([0-9.e+-]+)", output) < 1e-5
    assert _number(r"same argmax ([0-9.]+)", output) == 1.0
