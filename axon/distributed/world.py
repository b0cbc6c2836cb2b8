"""The MPI world: start it, who am I, and waiting on a collective with a deadline.

mpi4py is imported by :func:`init` only, so ``import axon`` never loads MPI. Until ``init`` is
called, :func:`rank` is 0 and :func:`size` is 1: the program is one process.
"""
from __future__ import annotations

import os
import sys
import time
from typing import Any

TIMEOUT_VARIABLE = "AXON_DISTRIBUTED_TIMEOUT"
DEFAULT_TIMEOUT = 60.0
SPIN_SECONDS = 0.2   # how long a waiting rank polls without sleeping (see wait)

_world: dict[str, Any] = {"comm": None, "mpi": None}


def init() -> None:
    """Join the MPI job this process was started in (by ``mpiexec``/``srun``); idempotent.

    Without a launcher, MPI starts a world of one process, and training is single-process.

    Raises:
        ImportError: when mpi4py (or an MPI library) is not installed.
    """
    if _world["comm"] is not None:
        return
    try:
        from mpi4py import MPI
    except ImportError as error:
        raise ImportError("Distributed training needs mpi4py and an MPI library: "
                          "pip install 'axon[mpi]' (mpi4py and the mpich wheel). "
                          f"Received: {error}") from error
    _world["mpi"], _world["comm"] = MPI, MPI.COMM_WORLD


def is_initialized() -> bool:
    """Whether :func:`init` has been called."""
    return _world["comm"] is not None


def rank() -> int:
    """This process's index in the job, ``0 .. size() - 1`` (0 before :func:`init`)."""
    comm = _world["comm"]
    return 0 if comm is None else comm.Get_rank()


def size() -> int:
    """The number of processes in the job (1 before :func:`init`)."""
    comm = _world["comm"]
    return 1 if comm is None else comm.Get_size()


def is_main() -> bool:
    """Whether this is rank 0, the process that writes files and prints."""
    return rank() == 0


def comm() -> Any:
    """The world communicator (``MPI.COMM_WORLD``); :func:`init` must have been called."""
    if _world["comm"] is None:
        raise RuntimeError("axon.distributed is not initialized: call axon.distributed.init() "
                           "or fit(..., distributed=True) first.")
    return _world["comm"]


def mpi() -> Any:
    """The ``mpi4py.MPI`` module; :func:`init` must have been called."""
    comm()
    return _world["mpi"]


def barrier() -> None:
    """Wait until every rank reaches this point (within :func:`timeout` seconds)."""
    if _world["comm"] is not None and size() > 1:
        wait(_world["comm"].Ibarrier(), "a barrier")


def timeout() -> float:
    """Seconds a rank waits for the others in one collective before aborting the job:
    ``AXON_DISTRIBUTED_TIMEOUT`` (default 60)."""
    text = os.environ.get(TIMEOUT_VARIABLE)
    if text is None:
        return DEFAULT_TIMEOUT
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value > 0:
        raise ValueError(f"{TIMEOUT_VARIABLE} should be a positive number of seconds. "
                         f"Received: {TIMEOUT_VARIABLE}={text!r}")
    return value


def wait(request: Any, what: str) -> None:
    """Wait for the non-blocking MPI ``request``; abort the job when it takes over
    :func:`timeout` seconds (a rank died or hangs), naming ``what`` was awaited."""
    if request.Test():
        return
    limit = timeout()
    start = time.monotonic()
    spin_until, deadline = start + SPIN_SECONDS, start + limit
    pause = 1e-4
    while not request.Test():
        now = time.monotonic()
        if now > deadline:
            abort(f"no answer from the other ranks within {limit:g} s during {what}: a rank "
                  f"died or hangs (raise {TIMEOUT_VARIABLE} if it is only slow)")
        # MPI moves a non-blocking collective forward only inside calls such as Test, on every
        # rank: spin while the others are likely still computing this step, then back off so
        # a rank that waits long (for a slow or lost rank) does not hold a core.
        if now > spin_until:
            time.sleep(pause)
            pause = min(pause * 2, 1e-2)


#: Seconds between printing the reason and aborting the job (see :func:`abort`).
ABORT_GRACE_SECONDS = 1.0


def abort(message: str) -> None:
    """Print ``message`` (naming this rank) to stderr and end every process of the job with
    exit status 1 (``MPI_Abort``)."""
    print(f"axon.distributed: rank {rank()} of {size()}: {message}. Aborting the job.",
          file=sys.stderr, flush=True)
    # The launcher forwards each rank's stderr through its own processes, which MPI_Abort
    # tears down: give it a moment to deliver the message first. Without this pause one CI run
    # (2026-12-02, a loaded machine) ended the hung-rank test with exit status 1 and an empty
    # stderr, which this race would explain.
    time.sleep(ABORT_GRACE_SECONDS)
    comm().Abort(1)
