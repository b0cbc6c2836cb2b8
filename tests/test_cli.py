"""The ``axon`` command."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from axon import cli


def test_train_on_embedded_digits_reaches_95_percent(tmp_path, capsys):
    output = tmp_path / "digits.weights.safetensors"
    assert cli.main(["train", "--output", str(output), "--verbose", "2"]) == 0
    out = capsys.readouterr().out
    assert "Epoch 40/40" in out
    accuracy = float(out.split("Test accuracy: ")[1].split()[0])
    assert accuracy >= 0.95
    assert f"Weights saved to {output.resolve()}" in out
    assert output.stat().st_size > 0


def test_train_mnist_from_data_dir(tmp_path, capsys, shared_datasets):
    output = tmp_path / "m.safetensors"
    code = cli.main(["train", "--dataset", "mnist", "--data-dir", str(shared_datasets / "mnist"),
                     "--epochs", "1", "--hidden", "32", "--batch-size", "256", "--seed", "1",
                     "--verbose", "0", "--output", str(output)])
    assert code == 0
    accuracy = float(capsys.readouterr().out.split("Test accuracy: ")[1].split()[0])
    assert accuracy > 0.85


def test_help_documents_every_option():
    root = Path(__file__).resolve().parents[1]
    result = subprocess.run([sys.executable, "-m", "axon", "train", "--help"], capture_output=True,
                            text=True, check=True, cwd=root)
    for option in ("--dataset", "--data-dir", "--epochs", "--hidden", "--activation",
                   "--optimizer", "--lr", "--batch-size", "--seed", "--output", "--resume",
                   "--checkpoint-every", "--no-terminate-on-nan"):
        assert option in result.stdout


@pytest.mark.parametrize("argv, message", [
    (["train", "--hidden", "12,x"], "--hidden expects comma-separated positive integers"),
    (["train", "--dataset", "cifar"], "invalid choice: 'cifar'"),
])
def test_bad_arguments_are_reported(argv, message, capsys):
    with pytest.raises(SystemExit):
        cli.main(argv)
    assert message in capsys.readouterr().err


def test_unknown_activation_is_a_clear_error(capsys):
    assert cli.main(["train", "--activation", "rleu", "--epochs", "1", "--verbose", "0"]) == 2
    assert "Unknown activation: 'rleu'" in capsys.readouterr().err


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL (POSIX)")
def test_resume_continues_a_killed_run_exactly(tmp_path):
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}

    def command(output, resume):
        return [sys.executable, "-m", "axon", "train", "--epochs", "6", "--verbose", "0",
                "--output", str(output), "--resume", str(resume), "--checkpoint-every", "7"]

    subprocess.run(command(tmp_path / "ref.axon", tmp_path / "ref"), cwd=root, env=env,
                   check=True, capture_output=True)
    runs = tmp_path / "runs"
    process = subprocess.Popen(command(tmp_path / "out.axon", runs), cwd=root, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not (runs / "checkpoint.axon").exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.2)   # a few more batches, so the kill lands mid-epoch, after a checkpoint
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=60)
    assert (runs / "checkpoint.axon").exists() and not (tmp_path / "out.axon").exists()
    subprocess.run(command(tmp_path / "out.axon", runs), cwd=root, env=env, check=True,
                   capture_output=True)
    assert (tmp_path / "out.axon").read_bytes() == (tmp_path / "ref.axon").read_bytes()
    assert not (runs / "checkpoint.axon").exists()


def test_checkpoint_every_needs_resume(capsys):
    assert cli.main(["train", "--epochs", "1", "--checkpoint-every", "3", "--verbose", "0"]) == 2
    assert "--checkpoint-every needs --resume" in capsys.readouterr().err
