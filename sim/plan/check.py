"""The requirement itself simulated, and the "one call-taker fewer would miss" check.

A requirement (call-takers per half hour, by ISA or SIPP) is simulated as it stands: interval
staff mode, unlimited lines and seats (so they are planned, not limiting), the forecast volume,
``R`` replications. Per half hour: the mean service level and abandonment over the replications
with 95% Student-t intervals. A half hour more than :data:`~sim.plan.isa.SPARE` above the
service-level target is *over-served*; for each, the same staffing with one call-taker fewer
there is simulated, and the check says whether it then misses the targets (mean below the
service-level target, or above the abandonment target).

The over-served half hours are lowered in a few runs rather than one run each: those lowered
together are at least :data:`STRIDE` half hours apart, and one agent fewer at a half hour
touches the next one or two (the queue it leaves behind), not one hours away. Lowering others
far away can only lower a half hour's service level a little further, so a run says "misses"
at most a hair more often than lowering one at a time would; the table keeps each run's
number (``fewer_run``) so any half hour can be rerun alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.metrics import estimate
from sim.plan.demand import Demand
from sim.plan.isa import SPARE, read, staffed_scenario
from sim.plan.measure import Measures
from sim.plan.runs import Simulator
from sim.plan.targets import PlanTargets
from sim.scenario.values import Scenario

#: Half hours lowered in the same run are at least this many apart (2 hours).
STRIDE = 4


def _ci(per_rep: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    est = [estimate(per_rep[:, j]) for j in range(per_rep.shape[1])]
    return (
        np.array([e.mean for e in est]),
        np.array([e.lo for e in est]),
        np.array([e.hi for e in est]),
    )


@dataclass(frozen=True)
class StaffingCheck:
    """The check's table (one row per method and half hour), its replications and interval."""

    table: pd.DataFrame  # one row per method and half hour
    replications: int
    interval_h: float


def staffing_check(
    sc: Scenario,
    d: Demand,
    t: PlanTargets,
    requirements: dict[str, np.ndarray],
    officers: np.ndarray,
    simulator: Simulator,
    replications: int,
    *,
    known: dict[str, Measures] | None = None,
    fewer_for: tuple[str, ...] = ("isa",),
) -> StaffingCheck:
    """Simulate each method's requirement; for ``fewer_for`` methods, lower each over-served
    half hour by one. ``known`` gives measures already simulated of a requirement (ISA's last
    iteration, the same scenario and replications).
    """
    known = known or {}

    def scenario(staff: np.ndarray) -> Scenario:
        return staffed_scenario(sc, d, staff, officers, replications=replications, forecast=True)

    todo = [k for k in requirements if k not in known]
    got = dict(known)
    runs = simulator.measures([scenario(requirements[k]) for k in todo], replications)
    got.update(zip(todo, runs, strict=True))
    frames = []
    goal = t.service_level_min
    for method, staff in requirements.items():
        m = got[method]
        r = read(m, d, t)
        sl, sl_lo, sl_hi = _ci(m.service_level(t.service_level_of))
        ab, _, _ = _ci(m.abandon_rate())
        over = ((sl > goal + SPARE) if goal is not None else np.zeros(sl.size, bool)) & np.isfinite(
            sl
        )
        df = pd.DataFrame(
            {
                "method": method,
                "interval": np.arange(staff.size),
                "weekday": d.weekday,
                "slot": d.slot,
                "start_s": d.start_s + np.arange(staff.size) * d.interval_s,
                "call_takers": staff,
                "service_level": sl,
                "service_level_ci95_lo": sl_lo,
                "service_level_ci95_hi": sl_hi,
                "abandon_rate": ab,
                "meets": r.meets,
                "over_served": over,
                "fewer_run": -1,
                "fewer_service_level": np.nan,
                "fewer_service_level_ci95_lo": np.nan,
                "fewer_service_level_ci95_hi": np.nan,
                "fewer_abandon_rate": np.nan,
                "fewer_misses": pd.array([pd.NA] * staff.size, dtype="boolean"),
            }
        )
        if method in fewer_for:
            _fewer(df, staff, over, scenario, simulator, replications, d, t)
        frames.append(df)
    return StaffingCheck(pd.concat(frames, ignore_index=True), replications, d.interval_s / 3600)


def _fewer(
    df: pd.DataFrame,
    staff: np.ndarray,
    over: np.ndarray,
    scenario: Callable[[np.ndarray], Scenario],
    simulator: Simulator,
    replications: int,
    d: Demand,
    t: PlanTargets,
) -> None:
    """Fill the ``fewer_*`` columns of ``df`` for its over-served half hours."""
    idx = np.flatnonzero(over)
    if idx.size == 0:
        return
    runs = [idx[idx % STRIDE == k] for k in range(STRIDE)]
    runs = [g for g in runs if g.size]
    lowered = []
    for g in runs:
        s = staff.copy()
        s[g] = np.maximum(0, s[g] - 1)
        lowered.append(s)
    zero = [g[staff[g] <= 1] for g in runs]  # one call-taker fewer than one is nobody
    measures = simulator.measures([scenario(np.maximum(s, 1)) for s in lowered], replications)
    for k, (g, m) in enumerate(zip(runs, measures, strict=True)):
        r = read(m, d, t)
        sl, lo, hi = _ci(m.service_level(t.service_level_of))
        ab, _, _ = _ci(m.abandon_rate())
        df.loc[g, "fewer_run"] = k
        df.loc[g, "fewer_service_level"] = sl[g]
        df.loc[g, "fewer_service_level_ci95_lo"] = lo[g]
        df.loc[g, "fewer_service_level_ci95_hi"] = hi[g]
        df.loc[g, "fewer_abandon_rate"] = ab[g]
        df.loc[g, "fewer_misses"] = ~r.meets[g]
        # Nobody on duty answers nobody: it misses without a run to show it.
        df.loc[zero[k], "fewer_service_level"] = 0.0
        df.loc[zero[k], "fewer_misses"] = True


def summary(check: StaffingCheck, t: PlanTargets) -> dict[str, dict[str, float]]:
    """Per method: half hours below by more than 3 points, over-served, and those lowered
    that miss.
    """
    goal = t.service_level_min if t.service_level_min is not None else 0.0
    out = {}
    for method, g in check.table.groupby("method", sort=False):
        over = g[g["over_served"]]
        out[str(method)] = {
            "intervals": len(g),
            "below_3_points": int((g["service_level"] < goal - 0.03).sum()),
            "below_target": int((g["service_level"] < goal).sum()),
            "lowest_service_level": float(g["service_level"].min()),
            "over_5_points": len(over),
            "over_5_points_fewer_misses": int(over["fewer_misses"].fillna(False).sum()),
            "over_5_points_checked": int(over["fewer_misses"].notna().sum()),
            "person_hours": float(g["call_takers"].sum() * check.interval_h),
        }
    return out
