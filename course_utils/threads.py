"""The course's thread policy: the same results on any machine, and no collapse on a busy one.

Two rules, applied when ``course_utils`` is imported:

1. **BLAS runs on one thread** (:data:`BLAS_THREADS`), set with threadpoolctl whatever
   ``OPENBLAS_NUM_THREADS`` or the number of cores says. OpenBLAS splits a matrix product
   differently with 1, 2 or 4 threads, so its last bits, and everything trained from them, would
   depend on the machine; with one fixed count they do not. One thread is also fast for the course's
   matrices (a batch of 128 against 784 x 256 weights), and it cannot spin: a BLAS thread that waits
   for a core another process holds burns its share of the CPU, which is what made notebook 08 ten
   times slower beside two busy processes.
2. **The course's own row loops** (the fused loss on large batches, :func:`map_rows`) split their rows
   over at most :func:`workers` Python threads. NumPy's ufuncs release the GIL, so they do run in
   parallel; the work is cut into pieces fixed by the data's shape alone, and each worker takes whole
   pieces, so the result is bit for bit the same with any number of workers; and a waiting Python
   thread sleeps instead of spinning.

``COURSE_BLAS_THREADS`` in the environment overrides rule 1 (a number, or ``default`` to leave the
library's own choice); ``COURSE_WORKERS`` overrides the worker count of rule 2. Both exist for the
benchmarks, which compare the policy with the libraries' defaults.
"""

import contextlib
import os
from concurrent.futures import ThreadPoolExecutor

BLAS_THREADS = 1
"""Threads every BLAS library loaded in the process may use once the policy is applied."""

MAX_WORKERS = 4
"""At most this many threads for the course's own row loops: their work is bound by memory."""

_pool = None
_pool_size = 0


def available_cores():
    """Cores this process may run on (its CPU affinity, which containers narrow), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS and Windows have no sched_getaffinity
        return max(1, os.cpu_count() or 1)


def workers():
    """Threads the course's row loops may use: ``COURSE_WORKERS``, else min(cores, MAX_WORKERS)."""
    value = os.environ.get("COURSE_WORKERS", "").strip()
    if value:
        if not value.isdigit() or int(value) < 1:
            raise ValueError(f"COURSE_WORKERS must be a whole number >= 1, got {value!r}")
        return int(value)
    return min(available_cores(), MAX_WORKERS)


def blas_threads():
    """The BLAS thread count the policy sets: ``COURSE_BLAS_THREADS``, else :data:`BLAS_THREADS`.

    Returns ``None`` for ``COURSE_BLAS_THREADS=default`` (leave each library's own count).
    """
    value = os.environ.get("COURSE_BLAS_THREADS", "").strip().lower()
    if not value:
        return BLAS_THREADS
    if value == "default":
        return None
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"COURSE_BLAS_THREADS must be a whole number >= 1 or 'default', got {value!r}")
    return int(value)


def apply_policy():
    """Limit every BLAS library loaded so far to :func:`blas_threads` threads; return the count set.

    Called once when ``course_utils`` is imported (NumPy's OpenBLAS is loaded by then). Returns
    ``None`` when the environment asked to leave the libraries' defaults alone.
    """
    limit = blas_threads()
    if limit is not None:
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=limit, user_api="blas")
    return limit


def policy_limits():
    """A context manager that holds BLAS at :func:`blas_threads` inside it, whatever was set since.

    :func:`~course_utils.training.train` runs under it, so that a learner's own
    ``threadpool_limits`` elsewhere in the notebook cannot change what training computes.
    """
    limit = blas_threads()
    if limit is None:
        return contextlib.nullcontext()
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=limit, user_api="blas")


def map_rows(fn, n_rows, *, min_rows=1):
    """Call ``fn(start, stop)`` on contiguous ranges covering ``range(n_rows)``, in parallel.

    ``n_rows`` counts whatever the caller cuts its work into (rows, or blocks of rows).

    The rows are cut into at most :func:`workers` ranges of at least ``min_rows`` rows each, and the
    calls run on a shared thread pool (one range runs on the calling thread). ``fn`` must write only
    to its own rows. Exceptions from any range are raised here.
    """
    n = max(1, min(workers(), n_rows // max(1, min_rows)))
    if n == 1:
        fn(0, n_rows)
        return
    bounds = [n_rows * i // n for i in range(n + 1)]
    pool = _shared_pool(n - 1)
    futures = [pool.submit(fn, bounds[i], bounds[i + 1]) for i in range(1, n)]
    try:
        fn(bounds[0], bounds[1])
    finally:
        for future in futures:
            future.result()


def _shared_pool(size):
    global _pool, _pool_size
    if _pool is None or _pool_size < size:
        if _pool is not None:
            _pool.shutdown(wait=False)
        _pool = ThreadPoolExecutor(max_workers=size, thread_name_prefix="course_utils")
        _pool_size = size
    return _pool
