"""Where runs execute: in this process, in local processes, or on a Dask cluster.

A run is one (scenario, replication) pair; its numbers depend only on the
scenario (including ``horizon.seed``) and the replication number, so every
executor gives the same results bit for bit. Workers send back only the
replication's metric summary (a few dozen floats), never its tables, so
shipping results costs nothing next to simulating.

Each executor is a context manager with :meth:`map_unordered`, which yields
``(job, result)`` pairs as runs finish, so callers can save each one at once.
``distributed`` is imported only when the Dask executor is used.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from typing import Any, Protocol

from sim.errors import ExperimentError
from sim.lifeline import exit_with_parent
from sim.runner import RunResult, default_workers, run_one
from sim.scenario.values import Scenario

EXECUTORS = ("serial", "processes", "dask")

#: Seconds to wait for a Dask scheduler to answer and for its first worker to join.
DASK_CONNECT_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class Job:
    """One run to do: ``key`` identifies it to the caller (e.g. (point, replication))."""

    key: tuple[int, int]
    scenario: Scenario
    replication: int


def run_job(scenario: Scenario, replication: int) -> RunResult:
    """Simulate one replication and return only its summary (no tables)."""
    return run_one(scenario, replication)


class Executor(Protocol):
    """What the experiment code needs from an executor."""

    name: str
    workers: int

    def __enter__(self) -> Executor: ...

    def __exit__(self, *exc: object) -> None: ...

    def map_unordered(self, jobs: Sequence[Job]) -> Iterator[tuple[Job, RunResult]]: ...


class SerialExecutor:
    """Runs one after another in this process (for debugging and tiny sweeps)."""

    name = "serial"
    workers = 1

    def __enter__(self) -> SerialExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def map_unordered(self, jobs: Sequence[Job]) -> Iterator[tuple[Job, RunResult]]:
        for job in jobs:
            yield job, run_job(job.scenario, job.replication)


class ProcessExecutor:
    """A pool of local worker processes (default: one per core this process may use).

    At most ``2 x workers`` runs are queued at a time, so an interrupted sweep
    has little work in flight and memory stays flat for large grids.
    """

    name = "processes"

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or default_workers()
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> ProcessExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def map_unordered(self, jobs: Sequence[Job]) -> Iterator[tuple[Job, RunResult]]:
        if not jobs:
            return
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=min(self.workers, len(jobs)),
                initializer=exit_with_parent,
                initargs=(os.getpid(),),
            )
        pending: dict[Future[RunResult], Job] = {}
        todo = iter(jobs)
        try:
            for job in todo:
                pending[self._pool.submit(run_job, job.scenario, job.replication)] = job
                if len(pending) >= 2 * self.workers:
                    break
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for fut in sorted(done, key=lambda f: pending[f].key):
                    job = pending.pop(fut)
                    yield job, fut.result()
                    nxt = next(todo, None)
                    if nxt is not None:
                        pending[self._pool.submit(run_job, nxt.scenario, nxt.replication)] = nxt
        finally:
            for fut in pending:
                fut.cancel()


def _import_distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise ExperimentError(
            "--executor dask needs the 'distributed' package; "
            "install it with: pip install 'helpline-sim[dask]'"
        ) from None
    return distributed


class DaskExecutor:
    """Runs on a Dask distributed cluster.

    With ``scheduler`` (``tcp://host:8786``) it connects to a running
    scheduler; without, it starts a local cluster of ``workers`` single-threaded
    worker processes (the model is pure Python, so threads would share one core)
    and stops it afterwards. Workers must be able to ``import sim``.
    """

    name = "dask"

    def __init__(
        self,
        scheduler: str | None = None,
        workers: int | None = None,
        connect_timeout_s: float = DASK_CONNECT_TIMEOUT_S,
    ) -> None:
        self.scheduler = scheduler
        self.workers = workers or default_workers()
        self.connect_timeout_s = connect_timeout_s
        self._client: Any = None
        self._cluster: Any = None

    def __enter__(self) -> DaskExecutor:
        distributed = _import_distributed()
        where = self.scheduler or "a local cluster"
        try:
            if self.scheduler:
                self._client = distributed.Client(
                    self.scheduler, timeout=self.connect_timeout_s, set_as_default=False
                )
            else:
                self._cluster = distributed.LocalCluster(
                    n_workers=self.workers,
                    threads_per_worker=1,
                    processes=True,
                    host="127.0.0.1",
                    dashboard_address=None,
                    # No dashboard; its health endpoints on a free port, not 8787,
                    # which another cluster on a shared machine may hold.
                    scheduler_kwargs={"dashboard": False, "dashboard_address": "127.0.0.1:0"},
                    silence_logs=logging.ERROR,
                )
                self._client = distributed.Client(self._cluster, set_as_default=False)
            self._client.wait_for_workers(1, timeout=self.connect_timeout_s)
        except (OSError, TimeoutError) as exc:
            self.__exit__()
            raise ExperimentError(
                f"--scheduler {where}: no Dask scheduler with a worker answered within "
                f"{self.connect_timeout_s:g} s ({type(exc).__name__}: {exc})"
            ) from None
        self.workers = max(1, sum(self._client.nthreads().values()))
        return self

    def __exit__(self, *exc: object) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None

    def map_unordered(self, jobs: Sequence[Job]) -> Iterator[tuple[Job, RunResult]]:
        distributed = _import_distributed()
        if not jobs:
            return
        futures = [
            self._client.submit(run_job, job.scenario, job.replication, pure=False) for job in jobs
        ]
        by_key = {f.key: job for f, job in zip(futures, jobs, strict=True)}
        try:
            for fut in distributed.as_completed(futures, loop=self._client.loop):
                yield by_key[fut.key], fut.result()
        finally:
            self._client.cancel([f for f in futures if not f.done()])


def make_executor(
    kind: str | None = None, workers: int | None = None, scheduler: str | None = None
) -> Executor:
    """The executor called ``kind``; ``None`` means dask with a scheduler, else processes."""
    if kind is None:
        kind = "dask" if scheduler else "processes"
    if kind not in EXECUTORS:
        raise ExperimentError(f"--executor: must be one of {', '.join(EXECUTORS)}; got {kind!r}")
    if workers is not None and workers < 1:
        raise ExperimentError(f"--workers: must be a whole number >= 1; got {workers}")
    if scheduler and kind != "dask":
        raise ExperimentError(f"--scheduler {scheduler}: needs --executor dask; got {kind}")
    if kind == "serial":
        return SerialExecutor()
    if kind == "processes":
        return ProcessExecutor(workers)
    return DaskExecutor(scheduler, workers)


def run_all(
    scenarios: Sequence[Scenario],
    replications: int,
    *,
    executor: str | None = "processes",
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool = False,
    desc: str = "runs",
    first: int = 0,
) -> dict[tuple[int, int], RunResult]:
    """Replications first..R-1 of every scenario, keyed by (scenario index, replication).

    All runs go to one executor at once, so the pool stays busy across
    scenarios. Nothing is saved: for resumable work use :func:`sim.experiment.sweep`.
    """
    from tqdm import tqdm

    jobs = [
        Job((i, r), sc, r) for r in range(first, replications) for i, sc in enumerate(scenarios)
    ]
    runner = make_executor(executor, workers, scheduler)
    out: dict[tuple[int, int], RunResult] = {}
    with (
        tqdm(total=len(jobs), desc=desc, unit="run", disable=None if progress else True) as bar,
        runner,
    ):
        for job, res in runner.map_unordered(jobs):
            out[job.key] = res
            bar.update(1)
    return out
