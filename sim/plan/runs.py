"""Simulating staffings for the plan: one pool of processes for every run, facts made in workers.

The planner simulates many staffings of the same week (each ISA iteration, the SIPP staffing,
the "one fewer" checks). :class:`Simulator` keeps one executor of :mod:`sim.executors` open for
all of them, sends every (scenario, replication) of a batch at once so the workers stay busy,
and has each worker reduce its replication to the per-interval facts of :mod:`measure` (a few
arrays) instead of sending back the attempts table. Replication ``i`` of a scenario is the same
draw wherever it runs, so results do not depend on the workers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from types import TracebackType

import numpy as np

from sim.core.model import simulate
from sim.executors import Execution, Executor, Job, Progress
from sim.plan.demand import Demand
from sim.plan.measure import Measures, measure
from sim.scenario.values import Scenario


@dataclass(frozen=True)
class MeasureTask:
    """A job's task: one replication reduced to its per-interval facts (it pickles)."""

    edges_s: np.ndarray
    within_s: float
    handle_s: float

    def __call__(self, scenario: Scenario, replication: int, progress: Progress | None) -> Measures:
        """Simulate replication ``replication`` and count its attempts by interval."""
        rec = simulate(scenario, replication, progress)
        return measure([rec.attempts], self.edges_s, self.within_s, self.handle_s)


def stack_measures(rows: Sequence[Measures]) -> Measures:
    """Replications' facts (one row each, in order) as one value."""
    return Measures(
        **{
            k: np.vstack([getattr(r, k) for r in rows])
            for k in Measures.__dataclass_fields__  # every field is an (R, n) array
        }
    )


class Simulator:
    """Simulates scenarios of one planned horizon on one executor (a context manager)."""

    def __init__(self, d: Demand, within_s: float, workers: int | None = None) -> None:
        edges = d.start_s + np.arange(d.calls_per_s.size + 1) * d.interval_s
        self.task = MeasureTask(edges, float(within_s), float(d.handle_s))
        self.executor: Executor = Execution(workers=workers).make()
        self.replications_run = 0

    def __enter__(self) -> Simulator:
        self.executor.__enter__()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.executor.__exit__(kind, exc, tb)

    def measures(self, scenarios: Sequence[Scenario], replications: int) -> list[Measures]:
        """Replications ``0..replications-1`` of every scenario, all in one batch."""
        jobs = [
            Job((i, r), sc, r, self.task)
            for i, sc in enumerate(scenarios)
            for r in range(replications)
        ]
        got: dict[tuple[int, int], Measures] = {}
        for job, res in self.executor.map_unordered(jobs):
            got[job.key] = res
        self.replications_run += len(jobs)
        return [
            stack_measures([got[(i, r)] for r in range(replications)])
            for i in range(len(scenarios))
        ]
