"""Rendering over worker processes: the PDFs and the evidence workbooks are CPU-bound in Python
(WeasyPrint, openpyxl), so documents are made two at a time on the two cores we are given.

The pool spawns its workers (not fork: the parent holds polars' threads, and a worker needs nothing
but its renderer), so a script calling this needs the usual `if __name__ == "__main__":` guard.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

POOL_SIZE = 2
T = TypeVar("T")


def map_in_workers(fn: Callable[..., T], jobs: int, *arguments: Iterable[Any]) -> list[T]:
    """`[fn(*args) for args in zip(*arguments)]` over a pool of `POOL_SIZE` spawned processes
    (fewer for fewer `jobs`), in order."""
    with ProcessPoolExecutor(min(POOL_SIZE, jobs), mp_context=multiprocessing.get_context("spawn")) as pool:
        return list(pool.map(fn, *arguments))
