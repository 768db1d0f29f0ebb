"""Replications of a scenario, on any executor, and the :class:`Results` they make.

Each replication is independent and seeded only by (scenario seed,
replication number), so the executor never changes the numbers.
:func:`run_replications` is what ``helpline run``, ``compare``, the notebooks
and the planner call: it returns one :class:`Results` value holding the record
tables stacked across replications, one summary row per replication and the
summary across them (means with 95% CIs). :func:`run_summaries` runs many
scenarios at once for the experiments, keeping only each run's summary.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from sim import attainment, binding
from sim.core import completion, deferred
from sim.core.model import simulate
from sim.core.records import Records
from sim.executors import Execution, Job, Progress, run_jobs
from sim.heap import release_free_heap
from sim.metrics import across, summarize
from sim.scenario.values import Scenario
from sim.spill import SpillFiles, spilled

#: The record tables a replication makes (:class:`sim.core.records.Records`).
TABLES = ("attempts", "callers", "intervals", "sessions")
#: Tables derived from a replication's records by the metric modules, kept on request.
DERIVED_TABLES: dict[str, Callable[[Records], pd.DataFrame]] = {
    "targets_by_interval": attainment.by_interval,
    "targets_by_day": attainment.by_day,
    "binding_by_interval": binding.by_interval,
    "deferred": deferred.table,  # empty without [deferred]
    "portal": completion.table,  # empty without [portal]
}
#: Every table a run can keep, in the order they are written.
ALL_TABLES = (*TABLES, *DERIVED_TABLES)
#: The derived tables the summary reads too (:func:`sim.attainment.summary`,
#: :func:`sim.binding.summary`): where a run keeps them, each is built once.
SUMMARY_TABLES = ("targets_by_interval", "targets_by_day", "binding_by_interval")


def table_of(rec: Records, name: str) -> pd.DataFrame:
    """A record table (:data:`TABLES`) or a derived one (:data:`DERIVED_TABLES`)."""
    return DERIVED_TABLES[name](rec) if name in DERIVED_TABLES else getattr(rec, name)


#: The tables with one row per recorded row (per attempt, per caller): built piece by piece
#: from slices of their columns. Each maps to (the ``Records`` field of its columns, the id
#: column that numbers the rows from 0).
ROW_TABLES = {"attempts": ("attempt", "attempt_id"), "callers": ("caller", "caller_id")}


def table_pieces(rec: Records, name: str, rows: int) -> Iterator[pd.DataFrame]:
    """Table ``name`` of ``rec`` in consecutive pieces of at most ``rows`` rows.

    The pieces, stacked, are the table (a test holds this), but only one piece's derived
    columns exist at a time: the attempts and callers tables of a year are built and
    written without ever holding the whole table beside the columns. Other tables come
    whole, as one piece.
    """
    if name not in ROW_TABLES:
        yield table_of(rec, name)
        return
    attr, id_col = ROW_TABLES[name]
    columns: Mapping[str, np.ndarray] = getattr(rec, attr)
    n = len(next(iter(columns.values())))
    for start in range(0, max(n, 1), rows):
        take = getattr(columns, "part", None)  # spilled columns: a piece's own pages only
        if take is not None:
            sliced = take(start, start + rows)
        else:
            sliced = {k: v[start : start + rows] for k, v in columns.items()}
        part = replace(rec, attempt=sliced) if attr == "attempt" else replace(rec, caller=sliced)
        piece = table_of(part, name)
        if start:
            piece[id_col] += start
        yield piece


class LazyTables(Mapping[str, pd.DataFrame]):
    """One replication's tables ``names``, built from its records when first asked for.

    In the process that simulated, a table costs nothing until read (then it is kept), and
    :meth:`pieces` builds one piece at a time for writing. Pickled (sent back from a worker
    process) it becomes a plain dict of the whole tables.
    """

    def __init__(self, rec: Records, names: Iterable[str]) -> None:
        self.rec: Records | None = rec
        self.names = tuple(names)
        self._built: dict[str, pd.DataFrame] = {}

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in self.names:
            raise KeyError(name)
        if name not in self._built:
            if self.rec is None:
                raise KeyError(f"{name}: its records were released")
            self._built[name] = table_of(self.rec, name)
        return self._built[name]

    def __contains__(self, name: object) -> bool:
        return name in self.names  # Mapping's own would build the table to find out

    def __iter__(self) -> Iterator[str]:
        return iter(self.names)

    def __len__(self) -> int:
        return len(self.names)

    def pieces(self, name: str, rows: int) -> Iterator[pd.DataFrame]:
        """Table ``name`` in pieces of at most ``rows`` rows, none of them kept."""
        if name in self._built or self.rec is None:
            yield from frame_pieces(self[name], rows)
        else:
            yield from table_pieces(self.rec, name, rows)

    def release(self, keep: Iterable[str]) -> dict[str, pd.DataFrame]:
        """Build the tables ``keep``, then let go of the records; return the tables kept."""
        kept = {n: self[n] for n in keep if n in self.names}
        self.rec, self._built = None, {}
        return kept

    def drop_attempt_columns(self) -> None:
        """Let go of the attempt columns (and what was derived from them): the callers and
        sessions tables do not read them.
        """
        if self.rec is not None:
            self.rec = replace(self.rec, attempt={})

    def __reduce__(self) -> tuple[Any, ...]:
        return (dict, ({n: self[n] for n in self.names},))


def frame_pieces(frame: pd.DataFrame, rows: int) -> Iterator[pd.DataFrame]:
    """``frame`` in consecutive row slices of at most ``rows`` rows (views, not copies)."""
    for start in range(0, max(len(frame), 1), rows):
        yield frame.iloc[start : start + rows]


def pieces_of(tables: Mapping[str, pd.DataFrame], name: str, rows: int) -> Iterator[pd.DataFrame]:
    """Table ``name`` of a result's ``tables`` in pieces of at most ``rows`` rows."""
    if isinstance(tables, LazyTables):
        return tables.pieces(name, rows)
    return frame_pieces(tables[name], rows)


@dataclass
class RunResult:
    """One replication: its metric summary and (optionally) its tables.

    ``tables`` maps names to tables: a :class:`LazyTables` where the replication ran in
    this process, a dict where it came back from a worker.
    """

    replication: int
    seed: int
    summary: dict[str, float]
    tables: Mapping[str, pd.DataFrame] = field(default_factory=dict)


def run_one(
    scenario: Scenario,
    replication: int,
    tables: Iterable[str] = (),
    progress: Progress | None = None,
) -> RunResult:
    """Simulate replication ``replication`` and summarise it; keep the named tables.

    ``progress(share)`` reports the share of simulated time done. A long run hands its
    attempt rows to temporary files as it goes (:class:`~sim.spill.SpillFiles`), so neither
    the run nor the summary holds them all at once.
    """
    rec = simulate(scenario, replication, progress, SpillFiles())
    long_run = not isinstance(rec.attempt, dict)
    if long_run:  # its caller columns go to files too
        rec = replace(rec, caller=spilled(rec.caller))
    # The model's bound callbacks hold it in reference cycles, so it outlives simulate() until
    # the cyclic collector runs: collect now, so its columns and per-caller draws go.
    gc.collect()
    if long_run:  # a short run's few MB are not worth the call
        release_free_heap()
    names = tuple(tables)
    lazy = LazyTables(rec, names)
    # The attainment and binding tables, when kept, are built once: the summary reads them too.
    built = {n: lazy[n] for n in SUMMARY_TABLES if n in names}
    summary = summarize(rec, built)
    rec.forget()  # the summary's whole-run derived columns: the tables build their own
    if long_run:
        release_free_heap()
    return RunResult(replication, scenario.horizon.seed, summary, lazy if names else {})


def summary_task(scenario: Scenario, replication: int, progress: Progress | None) -> RunResult:
    """A job's task: one replication's summary, no tables (cheap to send back)."""
    return run_one(scenario, replication, (), progress)


@dataclass(frozen=True)
class TablesTask:
    """A job's task: one replication's summary and the tables ``names`` (it pickles)."""

    names: tuple[str, ...]

    def __call__(
        self, scenario: Scenario, replication: int, progress: Progress | None
    ) -> RunResult:
        """Run one replication of ``scenario`` and build the named tables."""
        return run_one(scenario, replication, self.names, progress)


def stack(frames: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Tables of several replications as one; a single replication's table as it is (no copy)."""
    if len(frames) == 1:
        return frames[0]
    return pd.concat(frames, ignore_index=True)


def per_replication(results: Sequence[RunResult], scenario: Scenario) -> pd.DataFrame:
    """One row per replication: scenario, replication, seed and every metric."""
    rows = [
        {"scenario": scenario.name, "replication": r.replication, "seed": r.seed, **r.summary}
        for r in results
    ]
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class Results:
    """What the replications of one scenario produced.

    ``tables`` maps the tables kept (``attempts``, ``callers``, ``intervals``,
    ``sessions`` and any of :data:`DERIVED_TABLES`) to one table stacked over the
    replications, each row carrying its ``replication``; ``per_replication`` has
    one row per replication (scenario, replication, seed, every metric of
    :data:`sim.metrics.METRICS`);
    ``summary`` one row per metric: mean, 95% CI, n, unit, description.
    ``elapsed_s`` is the wall time of the run (a ``sink``'s time left out).
    """

    scenario: Scenario
    per_replication: pd.DataFrame
    summary: pd.DataFrame
    tables: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    elapsed_s: float = 0.0

    @property
    def replications(self) -> int:
        """How many replications were run."""
        return len(self.per_replication)

    def table(self, name: str) -> pd.DataFrame:
        """One stacked record table, or a clear error if the run did not keep it."""
        if name not in self.tables:
            kept = ", ".join(self.tables) or "none"
            raise KeyError(f"table {name!r} was not kept by this run (kept: {kept})")
        return self.tables[name]

    @property
    def attempts(self) -> pd.DataFrame:
        """One row per call attempt, every replication."""
        return self.table("attempts")

    @property
    def callers(self) -> pd.DataFrame:
        """One row per caller, every replication."""
        return self.table("callers")

    @property
    def intervals(self) -> pd.DataFrame:
        """One row per interval, every replication."""
        return self.table("intervals")

    @property
    def sessions(self) -> pd.DataFrame:
        """One row per duty session, every replication."""
        return self.table("sessions")

    @classmethod
    def of(cls, scenario: Scenario, runs: Sequence[RunResult], elapsed_s: float = 0.0) -> Results:
        """Assemble the value from replication results (in replication order)."""
        names = [n for n in ALL_TABLES if runs and n in runs[0].tables]
        tables = {n: stack([r.tables[n] for r in runs]) for n in names}
        per_rep = per_replication(runs, scenario)
        return cls(scenario, per_rep, across(per_rep), tables, elapsed_s)


def _replication_numbers(only: Sequence[int], reps: int) -> list[int]:
    """``only`` as a sorted list of distinct replication numbers within ``0..reps-1``."""
    from sim.errors import ExperimentError

    numbers = sorted(set(only))
    bad = [r for r in numbers if isinstance(r, bool) or not isinstance(r, int) or not 0 <= r < reps]
    if not numbers or bad:
        raise ExperimentError(
            f"must be replication numbers within 0..{reps - 1} (horizon.replications = {reps}); "
            f"got {bad or list(only)}",
            "only",
        )
    return numbers


def run_replications(
    scenario: Scenario,
    replications: int | None = None,
    *,
    execution: Execution | None = None,
    tables: Iterable[str] = TABLES,
    only: Sequence[int] | None = None,
    sink: Callable[[RunResult], None] | None = None,
) -> Results:
    """Run replications ``0..R-1`` (default R: ``horizon.replications``) into :class:`Results`.

    ``only`` runs just those replication numbers (each within ``0..R-1``): replication ``i``
    depends on the seed and ``i`` alone, so its rows are those of a full run.

    ``execution`` says where (default: local processes, no progress bar);
    ``tables`` names the tables to keep (:data:`ALL_TABLES`; ``()`` for summaries
    only, which is what to send back from a cluster). The numbers do not depend
    on the executor.

    ``sink(result)``, if given, is called with each replication's result in replication
    order as soon as it and those before it are done, its tables still to be built where
    the replication ran in this process (:class:`LazyTables`): it may write them piece by
    piece and replace ``result.tables`` with the ones to keep; what it leaves is what
    :class:`Results` stacks. Without a sink each replication's tables are built as it ends.
    """
    reps = scenario.horizon.replications if replications is None else replications
    keep = tuple(tables)
    unknown = [t for t in keep if t not in ALL_TABLES]
    if unknown:
        from sim.errors import ExperimentError

        raise ExperimentError(f"must be among {', '.join(ALL_TABLES)}; got {unknown}", "tables")
    task = TablesTask(keep) if keep else summary_task
    execution = execution or Execution()
    started = time.perf_counter()
    numbers = list(range(reps)) if only is None else _replication_numbers(only, reps)
    jobs = [Job(k, scenario, r, task) for k, r in enumerate(numbers)]
    runs: list[RunResult | None] = [None] * len(numbers)
    given, sunk_s = 0, 0.0  # results handed to the sink so far (in order), time it took
    for job, res in run_jobs(jobs, execution, desc=scenario.name, unit="rep"):
        if sink is None:
            res.tables = dict(res.tables)  # built now: the records go, as each replication ends
        runs[job.key] = res
        while sink is not None and given < len(runs) and (ready := runs[given]) is not None:
            sink_start = time.perf_counter()
            sink(ready)
            sunk_s += time.perf_counter() - sink_start
            given += 1
    done = [r for r in runs if r is not None]
    return Results.of(scenario, done, round(time.perf_counter() - started - sunk_s, 3))


def run_summaries(
    scenarios: Sequence[Scenario],
    replications: int,
    execution: Execution,
    *,
    first: int = 0,
    desc: str = "runs",
) -> dict[tuple[int, int], RunResult]:
    """Replications ``first..R-1`` of every scenario, keyed (scenario index, replication).

    All runs go to one executor at once, so the pool stays busy across
    scenarios. Only summaries come back; nothing is saved (for resumable work
    use :func:`sim.experiment.sweep`).
    """
    jobs = [
        Job((i, r), sc, r, summary_task)
        for r in range(first, replications)
        for i, sc in enumerate(scenarios)
    ]
    return dict((job.key, res) for job, res in run_jobs(jobs, execution, desc=desc))
