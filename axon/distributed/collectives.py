"""The collectives data-parallel training needs, each one MPI call on one host buffer.

Arrays cross MPI as NumPy on the host (``backend.to_numpy``), so the same code serves the CuPy
backend without a CUDA-aware MPI.
"""
from __future__ import annotations

import json
from typing import Any

import numpy

from axon import backend
from axon.distributed import world

_buffers: dict[tuple, numpy.ndarray] = {}   # one fused buffer per layout, reused every step


def _buffer(length: int, dtype: Any) -> numpy.ndarray:
    key = (length, numpy.dtype(dtype).str)
    found = _buffers.get(key)
    if found is None:
        _buffers.clear()   # a new model or dtype: the old layout is not needed any more
        found = _buffers[key] = numpy.empty(length, dtype=dtype)
    return found


def average_gradients(variables: list, count: int, what: str) -> None:
    """Replace each ``variable.grad`` by the sample-weighted mean over the ranks, in place.

    With ``n_r`` samples and mean gradient ``g_r`` on rank ``r``:
    ``g = (sum_r n_r * g_r) / (sum_r n_r)``. One fused ``Allreduce`` sums the buffer
    ``[n_r * g_r of every variable..., has_grad of every variable..., n_r]``; a variable without a
    gradient on any rank keeps ``grad = None`` (the optimizer skips it, as one process would).

    Args:
        variables: the trainable variables (``.grad``, ``.shape``, ``.data``).
        count: this rank's number of samples in the step, ``n_r`` (0 for an empty shard).
        what: the step, for the timeout message (e.g. ``'epoch 2, step 14'``).
    """
    dtype = numpy.result_type(*[v.data.dtype for v in variables]) if variables else numpy.float64
    sizes = [int(numpy.prod(v.shape)) for v in variables]
    total = sum(sizes)
    buffer = _buffer(total + len(variables) + 1, dtype)
    offset = 0
    for index, (variable, length) in enumerate(zip(variables, sizes)):
        part = buffer[offset:offset + length]
        if variable.grad is None:
            part[...] = 0
            buffer[total + index] = 0
        else:
            numpy.multiply(backend.to_numpy(variable.grad).reshape(-1), count, out=part)
            buffer[total + index] = 1
        offset += length
    buffer[-1] = count
    mpi = world.mpi()
    world.wait(world.comm().Iallreduce(mpi.IN_PLACE, buffer, op=mpi.SUM),
               f"the gradient allreduce of {what}")
    samples = buffer[-1]
    offset = 0
    for index, (variable, length) in enumerate(zip(variables, sizes)):
        part = buffer[offset:offset + length]
        offset += length
        if buffer[total + index] == 0 or samples == 0:
            variable.grad = None
            continue
        mean = (part / samples).reshape(variable.shape).astype(variable.data.dtype, copy=False)
        variable.grad = backend.from_host(mean)


def allreduce_sum(arrays: list[numpy.ndarray], what: str) -> list[numpy.ndarray]:
    """The element-wise sums over the ranks of float64 ``arrays`` (same shapes on every rank),
    through one fused ``Allreduce``."""
    flat = [numpy.asarray(a, dtype=numpy.float64).reshape(-1) for a in arrays]
    buffer = numpy.concatenate(flat) if flat else numpy.zeros(0)
    mpi = world.mpi()
    world.wait(world.comm().Iallreduce(mpi.IN_PLACE, buffer, op=mpi.SUM), what)
    sums, offset = [], 0
    for array, part in zip(arrays, flat):
        sums.append(buffer[offset:offset + part.size].reshape(numpy.shape(array)))
        offset += part.size
    return sums


def broadcast_arrays(arrays: list, what: str) -> None:
    """Overwrite each array (NumPy or the backend's) with rank 0's values, in place."""
    for array in arrays:
        host = numpy.ascontiguousarray(backend.to_numpy(array))
        world.wait(world.comm().Ibcast(host, root=0), what)
        if host is not array:
            array[...] = backend.from_host(host)


def broadcast_json(value: Any, what: str) -> Any:
    """Rank 0's ``value`` (anything JSON holds) on every rank; never pickle."""
    text = json.dumps(value).encode() if world.rank() == 0 else b""
    length = numpy.array([len(text)], dtype=numpy.int64)
    world.wait(world.comm().Ibcast(length, root=0), what)
    payload = numpy.frombuffer(text, dtype=numpy.uint8).copy() if world.rank() == 0 \
        else numpy.empty(int(length[0]), dtype=numpy.uint8)
    world.wait(world.comm().Ibcast(payload, root=0), what)
    return json.loads(payload.tobytes().decode())
