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

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from sim import attainment, binding
from sim.core import completion, deferred
from sim.core.model import simulate
from sim.core.records import Records
from sim.executors import Execution, Job, Progress, run_jobs
from sim.metrics import across, summarize
from sim.scenario.values import Scenario

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


def table_of(rec: Records, name: str) -> pd.DataFrame:
    """A record table (:data:`TABLES`) or a derived one (:data:`DERIVED_TABLES`)."""
    return DERIVED_TABLES[name](rec) if name in DERIVED_TABLES else getattr(rec, name)


@dataclass
class RunResult:
    """One replication: its metric summary and (optionally) its tables."""

    replication: int
    seed: int
    summary: dict[str, float]
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)


def run_one(
    scenario: Scenario,
    replication: int,
    tables: Iterable[str] = (),
    progress: Progress | None = None,
) -> RunResult:
    """Simulate replication ``replication`` and summarise it; keep the named tables.

    ``progress(share)`` reports the share of simulated time done.
    """
    rec = simulate(scenario, replication, progress)
    return RunResult(
        replication,
        scenario.horizon.seed,
        summarize(rec),
        {name: table_of(rec, name) for name in tables},
    )


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
    ``elapsed_s`` is the wall time of the run.
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
) -> Results:
    """Run replications ``0..R-1`` (default R: ``horizon.replications``) into :class:`Results`.

    ``only`` runs just those replication numbers (each within ``0..R-1``): replication ``i``
    depends on the seed and ``i`` alone, so its rows are those of a full run.

    ``execution`` says where (default: local processes, no progress bar);
    ``tables`` names the tables to keep (:data:`ALL_TABLES`; ``()`` for summaries
    only, which is what to send back from a cluster). The numbers do not depend
    on the executor.
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
    for job, res in run_jobs(jobs, execution, desc=scenario.name, unit="rep"):
        runs[job.key] = res
    done = [r for r in runs if r is not None]
    return Results.of(scenario, done, round(time.perf_counter() - started, 3))


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
