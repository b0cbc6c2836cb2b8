"""Data-parallel training over MPI, through mpi4py (imported only when asked for).

Run the same program on ``K`` processes (``mpiexec -n K python train.py``) and call
``model.fit(..., distributed=True)`` (or :func:`init` first, then ``fit``). Each rank trains on its
shard of every global batch; after ``backward`` one fused allreduce averages the gradients,
weighted by each rank's number of samples, so every rank applies the same update:

    g = (sum_r n_r * g_r) / (sum_r n_r)

where ``g_r`` is rank ``r``'s mean gradient over its ``n_r`` samples: the mean gradient over the
global batch, as one process with batch ``K * b`` computes it. Rank 0 writes files and prints.
Outside ``mpiexec`` (one process) everything runs as without this package. See
docs/distributed.md.
"""
from axon.distributed.collectives import allreduce_sum, average_gradients, broadcast_arrays, broadcast_json
from axon.distributed.world import abort, barrier, init, is_initialized, is_main, rank, size, timeout, wait

__all__ = ["abort", "allreduce_sum", "average_gradients", "barrier", "broadcast_arrays",
           "broadcast_json", "init", "is_initialized", "is_main", "rank", "size", "timeout",
           "wait"]
