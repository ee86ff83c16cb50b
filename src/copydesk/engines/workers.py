"""What every worker process of a pool does first."""

from __future__ import annotations


def one_native_thread() -> None:
    """Limit the native thread pools (OpenBLAS behind numpy's matrix products) to one
    thread in this process. A pool has one worker per core: each worker's products
    spreading over every core as well leaves the threads spinning against each other
    (measured: the semantic comparisons on the 21k corpus took twice the CPU time, and
    half as long again by the clock)."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)
