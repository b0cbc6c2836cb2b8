"""Killed with SIGKILL at random moments (also in the middle of writing a checkpoint), training
resumed by BackupAndRestore ends with bitwise the weights and history of an uninterrupted run."""
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from axon.models import model_file
from axon.saving.archive import decode_archive

WORKER = Path(__file__).with_name("kill_resume_worker.py")
TRIALS = 20
# Every trial must also be reproducible on its own: the same thread count in every process.
ENV = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL (POSIX)")


def _start(backup: Path, output: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(WORKER), str(backup), str(output)], env=ENV,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _finish(process: subprocess.Popen) -> None:
    _, err = process.communicate(timeout=120)
    assert process.returncode == 0, err.decode()[-3000:]


def _kill_at_random(process: subprocess.Popen, delay: float) -> None:
    time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=60)


def _kill_inside_a_write(process: subprocess.Popen, backup: Path) -> bool:
    """SIGKILL the moment a checkpoint's temporary file exists; whether one was seen."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and process.poll() is None:
        if backup.exists() and any(name.endswith(".tmp") for name in os.listdir(backup)):
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=60)
            return True
        time.sleep(0.0002)
    process.kill()
    process.wait(timeout=60)
    return False


def _checkpoint_is_whole(backup: Path) -> bool:
    path = backup / "checkpoint.axon"
    if not path.exists():
        return True
    decode_archive(path.read_bytes(), str(path),
                   {model_file.METADATA, model_file.CONFIG, model_file.WEIGHTS,
                    model_file.TRAINING_STATE, model_file.TRAINING_ARRAYS},
                   {model_file.OPTIMIZER})   # raises FormatError for a torn or damaged file
    return True


def test_sigkill_at_random_moments_then_resume_gives_bitwise_the_same_training(tmp_path):
    reference = tmp_path / "reference"
    reference.mkdir()
    started = time.monotonic()
    _finish(_start(tmp_path / "reference-backup", reference))
    duration = time.monotonic() - started
    expected = {name: (reference / name).read_bytes()
                for name in ("final.weights.safetensors", "history.json", "log.csv")}

    chooser = random.Random(12345)
    kills = inside_writes = resumed = 0
    for trial in range(TRIALS):
        backup, output = tmp_path / f"backup{trial}", tmp_path / f"out{trial}"
        output.mkdir()
        for attempt in range(1 + chooser.randrange(3)):   # killed one to three times
            process = _start(backup, output)
            if trial % 4 == 3:
                inside_writes += _kill_inside_a_write(process, backup)
            else:
                _kill_at_random(process, chooser.uniform(0.2, duration))
            kills += 1
            assert _checkpoint_is_whole(backup), (trial, attempt)
            resumed += (backup / "checkpoint.axon").exists()
        _finish(_start(backup, output))
        for name, content in expected.items():
            assert (output / name).read_bytes() == content, (trial, name)
        assert not (backup / "checkpoint.axon").exists()   # deleted once training completed
    print(f"{kills} kills in {TRIALS} trials, {resumed} left a checkpoint to resume from, "
          f"{inside_writes} landed while a checkpoint was being written")
    assert kills >= TRIALS and inside_writes >= 1 and resumed >= TRIALS // 2, \
        (kills, inside_writes, resumed)
