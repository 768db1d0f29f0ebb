"""Where runs execute: in this process, in local processes, or on a Dask cluster.

This is the one place that fans work out. A job is one ``(scenario, replication)``
pair and a *task*, a top-level function ``task(scenario, replication, progress)``
(so worker processes can unpickle it): the runner's summary of one replication,
the hour-by-hour facts of :mod:`sim.verify.theory`, a Ciw replication. A job's
result depends only on the scenario (including ``horizon.seed``) and the
replication number, so every executor gives the same results bit for bit.

:class:`Execution` is the one value that says how to run (``executor``,
``workers``, ``scheduler``, ``progress``); it is validated once, where it is
built (from command-line options or a notebook), and handed down unchanged.
:func:`run_jobs` runs a list of jobs under it, drawing one progress bar, and
yields ``(job, result)`` pairs as they finish, so callers can save each one at
once. Each executor is a context manager with :meth:`Executor.map_unordered`.
``distributed`` is imported only when the Dask executor is used.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from typing import Any, Protocol

from sim.errors import ExperimentError
from sim.lifeline import exit_with_parent
from sim.scenario.values import Scenario

EXECUTORS = ("serial", "processes", "dask")

#: Seconds to wait for a Dask scheduler to answer and for its first worker to join.
DASK_CONNECT_TIMEOUT_S = 60.0

#: Reports the share of one replication's simulated time done (serial runs only).
Progress = Callable[[float], None]
#: What a job runs: ``task(scenario, replication, progress)`` -> its result.
Task = Callable[[Scenario, int, Progress | None], Any]


def default_workers() -> int:
    """Worker processes to use: every core this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


@dataclass(frozen=True)
class Execution:
    """How to run many jobs: which executor, how many workers, which scheduler, a progress bar.

    ``executor`` is ``"serial"`` (this process), ``"processes"`` (``workers``
    local processes, default every core; one worker runs in this process) or
    ``"dask"`` (the cluster at ``scheduler``, or a local one of ``workers``);
    ``None`` means dask when a ``scheduler`` is given, else processes.
    ``progress`` draws a bar on stderr (when it is a terminal). Bad values raise
    :class:`~sim.errors.ExperimentError` naming the parameter.
    """

    executor: str | None = "processes"
    workers: int | None = None
    scheduler: str | None = None
    progress: bool = False

    def __post_init__(self) -> None:
        kind = self.executor
        if kind is None:
            object.__setattr__(self, "executor", "dask" if self.scheduler else "processes")
        elif kind not in EXECUTORS:
            raise ExperimentError(
                f"must be one of {', '.join(EXECUTORS)}; got {kind!r}", "executor"
            )
        w = self.workers
        if w is not None and (isinstance(w, bool) or not isinstance(w, int) or w < 1):
            raise ExperimentError(f"must be a whole number >= 1; got {w!r}", "workers")
        if self.scheduler and self.executor != "dask":
            raise ExperimentError(
                f"{self.scheduler} needs executor dask; got {self.executor}", "scheduler"
            )

    @classmethod
    def serial(cls) -> Execution:
        """Everything in this process, one job after another, no bar."""
        return cls("serial")

    def make(self) -> Executor:
        """A fresh executor (a context manager) for this execution."""
        if self.executor == "serial":
            return SerialExecutor()
        if self.executor == "processes":
            return ProcessExecutor(self.workers)
        return DaskExecutor(self.scheduler, self.workers)


@dataclass(frozen=True)
class Job:
    """One run to do: ``key`` identifies it to the caller (e.g. (point, replication))."""

    key: Any
    scenario: Scenario
    replication: int
    task: Task

    def run(self, progress: Progress | None = None) -> Any:
        """Do the job here, in this process."""
        return self.task(self.scenario, self.replication, progress)


def _run_job(job: Job) -> Any:
    """A job in a worker process (top level, so it pickles)."""
    return job.run()


class Executor(Protocol):
    """What the fan-out needs from an executor."""

    name: str
    workers: int

    def __enter__(self) -> Executor: ...

    def __exit__(self, *exc: object) -> None: ...

    def map_unordered(
        self, jobs: Sequence[Job], progress: Callable[[int, float], None] | None = None
    ) -> Iterator[tuple[Job, Any]]:
        """Run every job and yield ``(job, result)`` as each finishes, reporting progress."""
        ...


class SerialExecutor:
    """Runs one after another in this process (for debugging, tiny runs and notebooks).

    ``progress(i, share)`` hears how far job ``i`` of ``jobs`` has come.
    """

    name = "serial"
    workers = 1

    def __enter__(self) -> SerialExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def map_unordered(
        self, jobs: Sequence[Job], progress: Callable[[int, float], None] | None = None
    ) -> Iterator[tuple[Job, Any]]:
        """Run the jobs one after another in this process, yielding each result in order."""
        for i, job in enumerate(jobs):
            within = None
            if progress is not None:

                def within(share: float, i: int = i) -> None:
                    progress(i, share)

            yield job, job.run(within)


class ProcessExecutor:
    """A pool of local worker processes (default: one per core this process may use).

    At most ``2 x workers`` jobs are queued at a time, so an interrupted sweep
    has little work in flight and memory stays flat for large grids; jobs
    start in the order given (put the longest first). With one worker, or one
    job, it runs in this process: a pool would only add its start-up.
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

    def map_unordered(
        self, jobs: Sequence[Job], progress: Callable[[int, float], None] | None = None
    ) -> Iterator[tuple[Job, Any]]:
        """Run the jobs in the process pool, yielding each result as it finishes."""
        if min(self.workers, len(jobs)) <= 1:
            yield from SerialExecutor().map_unordered(jobs, progress)
            return
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=min(self.workers, len(jobs)),
                initializer=exit_with_parent,
                initargs=(os.getpid(),),
            )
        pending: dict[Future[Any], int] = {}
        todo = iter(enumerate(jobs))
        try:
            for i, job in todo:
                pending[self._pool.submit(_run_job, job)] = i
                if len(pending) >= 2 * self.workers:
                    break
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for fut in sorted(done, key=lambda f: pending[f]):
                    i = pending.pop(fut)
                    yield jobs[i], fut.result()
                    nxt = next(todo, None)
                    if nxt is not None:
                        pending[self._pool.submit(_run_job, nxt[1])] = nxt[0]
        finally:
            for fut in pending:
                fut.cancel()


def _import_distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise ExperimentError(
            "dask needs the 'distributed' package; "
            "install it with: pip install 'helpline-sim[dask]'",
            "executor",
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
                f"{where}: no Dask scheduler with a worker answered within "
                f"{self.connect_timeout_s:g} s ({type(exc).__name__}: {exc})",
                "scheduler",
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

    def map_unordered(
        self, jobs: Sequence[Job], progress: Callable[[int, float], None] | None = None
    ) -> Iterator[tuple[Job, Any]]:
        """Run the jobs on the Dask cluster, yielding each result as it finishes."""
        distributed = _import_distributed()
        if not jobs:
            return
        futures = [self._client.submit(_run_job, job, pure=False) for job in jobs]
        by_key = {f.key: job for f, job in zip(futures, jobs, strict=True)}
        try:
            for fut in distributed.as_completed(futures, loop=self._client.loop):
                yield by_key[fut.key], fut.result()
        finally:
            self._client.cancel([f for f in futures if not f.done()])


def run_jobs(
    jobs: Sequence[Job],
    execution: Execution,
    *,
    executor: Executor | None = None,
    desc: str = "runs",
    unit: str = "run",
    done_before: int = 0,
) -> Iterator[tuple[Job, Any]]:
    """Run ``jobs`` as ``execution`` says, yielding ``(job, result)`` as each finishes.

    The one progress bar of every fan-out: ``done_before`` jobs done by an
    earlier call (a resumed sweep) count as done; serial runs also show the
    share of the replication in progress. Pass ``executor`` (from
    :meth:`Execution.make`) to read its ``workers`` afterwards.
    """
    from tqdm import tqdm

    runner = executor or execution.make()
    with (
        tqdm(
            total=done_before + len(jobs),
            initial=done_before,
            desc=desc,
            unit=unit,
            delay=2.0,
            leave=False,
            dynamic_ncols=True,
            disable=None if execution.progress else True,
        ) as bar,
        runner,
    ):
        finished = 0

        def within(i: int, share: float) -> None:
            bar.update(round(done_before + finished + share - bar.n, 6))

        for job, result in runner.map_unordered(jobs, within if execution.progress else None):
            finished += 1
            bar.update(round(done_before + finished - bar.n, 6))
            yield job, result
