"""A plan's proof by simulation: attainment per interval and per day, with 95% intervals.

The plan's scenario (as written to ``plan.toml``) is simulated with its replications exactly as
``helpline run`` would (same runner, seeds and summary), and each planned interval's service
level, abandonment and block rate, and each day's, are estimated across replications (mean and
Student-t interval). What binds: people where the requirement is not met on duty, seats where the
scenario has fewer than the most call-takers logged in at once, lines where it has fewer than the
block-rate target needs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.executors import Execution
from sim.metrics import estimate
from sim.plan.demand import Demand
from sim.plan.isa import by_replication
from sim.plan.measure import Measures, measure
from sim.plan.targets import PlanTargets
from sim.runner import run_replications
from sim.scenario.values import Scenario


@dataclass(frozen=True)
class Verification:
    """A plan's scenario simulated: its summary, and estimates per planned interval and day."""

    summary: pd.DataFrame  # helpline run's summary table of the plan's scenario
    intervals: pd.DataFrame  # per planned interval: estimates with CIs
    days: pd.DataFrame  # per planned day
    measures: Measures


def _ci_columns(prefix: str, per_rep: np.ndarray) -> dict[str, np.ndarray]:
    est = [estimate(per_rep[:, j]) for j in range(per_rep.shape[1])]
    return {
        prefix: np.array([e.mean for e in est]),
        f"{prefix}_ci95_lo": np.array([e.lo for e in est]),
        f"{prefix}_ci95_hi": np.array([e.hi for e in est]),
    }


def attainment(
    m: Measures, d: Demand, t: PlanTargets, label: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-interval and per-day estimates of service level, abandonment and blocking."""
    per_day = d.per_day
    sl = m.service_level(t.service_level_of)
    iv = pd.DataFrame(
        {
            "plan": label,
            "interval": np.arange(sl.shape[1]),
            "weekday": d.weekday,
            "slot": d.slot,
            "start_s": d.start_s + np.arange(sl.shape[1]) * d.interval_s,
            **_ci_columns("service_level", sl),
            **_ci_columns("abandon_rate", m.abandon_rate()),
            **_ci_columns("block_rate", m.block_rate()),
        }
    )
    n_days = sl.shape[1] // per_day

    def daily(x: np.ndarray) -> np.ndarray:
        return x.reshape(x.shape[0], n_days, per_day).sum(axis=2)

    den = m.answered if t.service_level_of == "answered" else m.attempts
    with np.errstate(invalid="ignore", divide="ignore"):
        day_sl = daily(m.within) / daily(den)
        day_ab = daily(m.abandoned) / daily(m.answered + m.abandoned)
        day_bl = daily(m.blocked) / daily(m.attempts)
    dy = pd.DataFrame(
        {
            "plan": label,
            "day": np.arange(n_days),
            "weekday": d.weekday[::per_day][:n_days],
            **_ci_columns("service_level", day_sl),
            **_ci_columns("abandon_rate", day_ab),
            **_ci_columns("block_rate", day_bl),
        }
    )
    return iv, dy


def verify(
    sc: Scenario, d: Demand, t: PlanTargets, label: str, workers: int | None = None
) -> Verification:
    """Simulate ``sc`` (a plan's scenario) and estimate its attainment."""
    results = run_replications(
        sc, sc.horizon.replications, execution=Execution(workers=workers), tables=("attempts",)
    )
    edges = d.start_s + np.arange(d.calls_per_s.size + 1) * d.interval_s
    m = measure(by_replication(results.tables["attempts"]), edges, t.service_level_s, d.handle_s)
    iv, dy = attainment(m, d, t, label)
    return Verification(results.summary, iv, dy, m)
