"""Data-parallel fit under ``mpiexec``: the same weights as one process with the global batch, only
rank 0 writing, and a dead or hung rank ending the job with an error instead of a hang."""
from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy
import pytest

import axon
from axon.distributed import world
from axon.training.adapters import ArrayBatches
from tests.distributed import worker

ROOT = Path(__file__).resolve().parents[2]
WORKER = Path(worker.__file__)
PER_RANK_BATCH, EPOCHS = 4, 3


def _mpiexec() -> str:
    if importlib.util.find_spec("mpi4py") is None:
        pytest.skip("mpi4py is not installed (pip install '.[mpi]')")
    beside = Path(sys.executable).parent / "mpiexec"
    found = str(beside) if beside.is_file() else shutil.which("mpiexec")
    if found is None:
        pytest.skip("no mpiexec next to the Python executable or on PATH (pip install mpich)")
    return found


def _run(arguments: list[str], ranks: int | None, timeout_s: float = 60, **env: str):
    environment = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
                   "PYTHONPATH": str(ROOT), **env}
    command = [sys.executable, str(WORKER), *arguments]
    if ranks is not None:
        command = [_mpiexec(), "-n", str(ranks), *command]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout_s,
                          env=environment, cwd=ROOT)


@pytest.mark.parametrize("ranks", [2, 3])   # 50 samples: uneven shards, an empty one for K = 3
def test_ranks_train_as_one_process_with_the_global_batch(ranks, tmp_path):
    done = _run(["train", str(tmp_path), str(PER_RANK_BATCH), str(EPOCHS)], ranks)
    assert done.returncode == 0, done.stdout + done.stderr
    result = numpy.load(tmp_path / "result.npz")
    weights, history = worker.train(str(tmp_path / "alone"), ranks * PER_RANK_BATCH, EPOCHS,
                                    distributed=False)
    for index, expected in enumerate(weights):
        numpy.testing.assert_allclose(result[f"arr_{index}"], expected, rtol=0, atol=1e-6)
    for name, values in history.items():   # the logs are the global epoch's, on every rank
        numpy.testing.assert_allclose(result[f"history_{name}"], values, rtol=1e-9)
    written = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())
    assert written == ["backup_0/checkpoint.axon", "log_0.csv", "result.npz",
                       "weights_0.weights.safetensors"]


def test_distributed_fit_alone_is_single_process(tmp_path):
    _mpiexec()   # needs mpi4py; runs without mpiexec: a world of one
    done = _run(["train", str(tmp_path), "8", "2"], None)
    assert done.returncode == 0, done.stdout + done.stderr
    weights, _ = worker.train(str(tmp_path / "alone"), 8, 2, distributed=False)
    result = numpy.load(tmp_path / "result.npz")
    for index, expected in enumerate(weights):
        numpy.testing.assert_array_equal(result[f"arr_{index}"], expected)


@pytest.mark.parametrize("how", ["die", "hang"])
def test_a_lost_rank_ends_the_job_with_an_error(how, tmp_path):
    start = time.monotonic()
    done = _run([how, str(tmp_path), "3"], 2, AXON_DISTRIBUTED_TIMEOUT="3")
    assert done.returncode != 0
    assert time.monotonic() - start < 60
    if how == "die":   # MPICH's launcher sees the dead process and ends the job, saying so
        assert "BAD TERMINATION" in done.stdout + done.stderr
    if how == "hang":   # MPI does not notice a rank that stops answering: the deadline does
        assert "rank 0 of 2: no answer from the other ranks within 3 s during the gradient " \
               "allreduce of epoch 1, step 5" in done.stderr


# ---- without MPI ------------------------------------------------------------------------------
@pytest.mark.parametrize("shuffle", [False, True])
@pytest.mark.parametrize("ranks", [1, 2, 3])
def test_shards_cover_each_global_batch_once(ranks, shuffle):
    samples, per_rank = 23, 3
    x = numpy.arange(samples, dtype=numpy.float64).reshape(-1, 1)
    steps = []
    for rank in range(ranks):
        batches = ArrayBatches([x], None, None, per_rank, shuffle)
        batches.shard(rank, ranks)
        axon.utils.set_random_seed(5)   # the same order on every rank
        steps.append([b[0][0][:, 0].tolist() for b in batches.epoch()])
    axon.utils.set_random_seed(5)
    alone = [b[0][0][:, 0].tolist() for b in ArrayBatches([x], None, None, per_rank * ranks,
                                                          shuffle).epoch()]
    assert all(len(s) == len(alone) for s in steps)   # every rank runs the same number of steps
    for step, expected in enumerate(alone):
        got = [value for rank in range(ranks) for value in steps[rank][step]]
        assert sorted(got) == sorted(expected)
        assert steps[0][step] == expected[0::ranks]


def test_a_shard_needs_a_sample():
    batches = ArrayBatches([numpy.zeros((2, 1))], None, None, 4, False)
    with pytest.raises(ValueError, match="at least one sample per rank. Received: 2 samples for 3"):
        batches.shard(0, 3)


def test_timeout_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv(world.TIMEOUT_VARIABLE, "2.5")
    assert world.timeout() == 2.5
    monkeypatch.setenv(world.TIMEOUT_VARIABLE, "soon")
    with pytest.raises(ValueError, match="AXON_DISTRIBUTED_TIMEOUT should be a positive number"):
        world.timeout()
    monkeypatch.delenv(world.TIMEOUT_VARIABLE)
    assert world.timeout() == 60


def test_import_axon_does_not_load_mpi():
    code = ("import sys, axon, axon.distributed; import axon.training.trainer; "
            "assert 'mpi4py' not in sys.modules; d = axon.distributed; "
            "assert (d.rank(), d.size(), d.is_main(), d.is_initialized()) == (0, 1, True, False)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr


def test_axon_train_distributed_under_mpiexec(tmp_path):
    environment = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
                   "PYTHONPATH": str(ROOT)}
    output = tmp_path / "mlp.weights.safetensors"
    done = subprocess.run([_mpiexec(), "-n", "2", sys.executable, "-m", "axon", "train",
                           "--distributed", "--epochs", "2", "--output", str(output)],
                          capture_output=True, text=True, timeout=60, env=environment, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("Test accuracy:") == 1 and "2 ranks" in done.stdout   # rank 0 only
    assert sorted(p.name for p in tmp_path.iterdir()) == [output.name]
