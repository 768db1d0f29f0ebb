"""Run replications of one scenario, serially or in local processes.

Each replication is independent and seeded only by (scenario seed,
replication number), so the executor never changes the numbers. The sweep and
cluster machinery in :mod:`sim.experiment` builds on :func:`run_one`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

import pandas as pd

from sim import attainment, binding
from sim.core.model import simulate
from sim.core.records import Records
from sim.metrics import across, summarize
from sim.scenario.values import Scenario

TABLES = ("attempts", "callers", "intervals", "sessions")
#: Tables derived from a replication's records by the metric modules, kept on request.
DERIVED_TABLES: dict[str, Callable[[Records], pd.DataFrame]] = {
    "targets_by_interval": attainment.by_interval,
    "targets_by_day": attainment.by_day,
    "binding_by_interval": binding.by_interval,
}


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
    progress: Callable[[float], None] | None = None,
) -> RunResult:
    """Simulate replication ``replication`` and summarise it; keep the named tables.

    ``progress(share)`` reports the share of simulated time done (serial runs).
    """
    rec = simulate(scenario, replication, progress)
    return RunResult(
        replication,
        scenario.horizon.seed,
        summarize(rec),
        {name: table_of(rec, name) for name in tables},
    )


def _one(args: tuple[Scenario, int, tuple[str, ...]]) -> RunResult:
    return run_one(*args)


def default_workers() -> int:
    """Worker processes to use: every core this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def run_replications(
    scenario: Scenario,
    replications: int,
    *,
    workers: int | None = None,
    tables: Iterable[str] = (),
    progress: Callable[[float], None] | None = None,
) -> list[RunResult]:
    """Run replications 0..R-1; ``workers`` = 1 runs serially in this process.

    Results come back in replication order whatever the executor.
    ``progress(done)`` is called with the replications done so far; serial
    runs also report fractions of a replication, day by day.
    """
    tables = tuple(tables)
    workers = min(workers or default_workers(), replications)
    jobs = [(scenario, r, tables) for r in range(replications)]
    results: list[RunResult] = []
    if workers <= 1:
        for r in range(replications):
            within = None
            if progress:

                def within(share: float, r: int = r) -> None:
                    progress(r + share)

            results.append(run_one(scenario, r, tables, within))
        return results
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for res in pool.map(_one, jobs):
            results.append(res)
            if progress:
                progress(len(results))
    return results


def per_replication(results: list[RunResult], scenario: Scenario) -> pd.DataFrame:
    """One row per replication: scenario, replication, seed and every metric."""
    rows = [
        {"scenario": scenario.name, "replication": r.replication, "seed": r.seed, **r.summary}
        for r in results
    ]
    return pd.DataFrame(rows)


def summary_table(results: list[RunResult], scenario: Scenario) -> pd.DataFrame:
    """Across replications: metric, mean, 95% CI, n, unit, description."""
    return across(per_replication(results, scenario))
