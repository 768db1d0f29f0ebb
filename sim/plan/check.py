"""The requirement itself simulated, and the "one call-taker fewer would miss" check.

A requirement (call-takers per half hour, by ISA or SIPP) is simulated as it stands: interval
staff mode, unlimited lines and seats (so they are planned, not limiting), the forecast volume,
``R`` replications. Per half hour: the mean service level and abandonment over the replications
with 95% Student-t intervals. Each over-served half hour (more than
:data:`~sim.plan.reading.SPARE` above the service-level target) is simulated with one
call-taker fewer by :func:`sim.plan.reading.one_fewer`, the very test ISA settles on: the same
staggered runs (half hours at least :data:`~sim.plan.reading.STRIDE` apart lowered together),
the same replications and so the same draws, the same reading of the means; where that says
one fewer meets, the half hour is tested again alone (:func:`sim.plan.reading.alone`, which
ISA's trim has mostly done already), and the lone run's verdict is the one reported
(``fewer_alone``). The table keeps each run's number (``fewer_run``) so any half hour can be
rerun, and the first half hour missing with one fewer (``fewer_missed_at``).

Each requirement is also simulated on fresh draws (the scenario's seed plus
:data:`FRESH_SEED_OFFSET`, the same number of replications): ISA settles on the replications it
is judged on, and a half hour's mean over 20 of them is uncertain by several points, so the
``fresh_*`` columns show what other days of the same forecast give.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.metrics import estimate
from sim.plan.demand import Demand
from sim.plan.isa import staffed_scenario
from sim.plan.lone import alone
from sim.plan.measure import Measures
from sim.plan.reading import REACH, STRIDE, OneFewer, Simulates, one_fewer, over_served, read
from sim.plan.targets import PlanTargets
from sim.scenario import variant
from sim.scenario.values import Scenario

__all__ = ["FRESH_SEED_OFFSET", "STRIDE", "StaffingCheck", "staffing_check", "summary"]

#: The check simulates each requirement again on fresh draws: the scenario's seed plus this
#: (ISA settles on the replications it is judged on; these show what other days do).
FRESH_SEED_OFFSET = 1


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
    simulator: Simulates,
    replications: int,
    *,
    known: dict[str, Measures] | None = None,
    known_fewer: dict[str, OneFewer] | None = None,
    fewer_for: tuple[str, ...] = ("isa",),
) -> StaffingCheck:
    """Simulate each method's requirement; for ``fewer_for`` methods, lower each over-served
    half hour by one. ``known`` gives measures already simulated of a requirement (ISA's last
    iteration, the same scenario and replications), ``known_fewer`` its "one fewer" test
    (ISA's last, of the same staffing).
    """
    known = known or {}
    known_fewer = known_fewer or {}

    def scenario(staff: np.ndarray) -> Scenario:
        return staffed_scenario(sc, d, staff, officers, replications=replications, forecast=True)

    fresh_sc = variant(sc, {"horizon.seed": sc.horizon.seed + FRESH_SEED_OFFSET})

    def fresh(staff: np.ndarray) -> Scenario:
        return staffed_scenario(
            fresh_sc, d, staff, officers, replications=replications, forecast=True
        )

    todo = [k for k in requirements if k not in known]
    got = dict(known)
    runs = simulator.measures(
        [scenario(requirements[k]) for k in todo] + [fresh(s) for s in requirements.values()],
        replications,
    )
    got.update(zip(todo, runs[: len(todo)], strict=True))
    on_fresh = dict(zip(requirements, runs[len(todo) :], strict=True))
    frames = []
    for method, staff in requirements.items():
        m = got[method]
        r = read(m, d, t)
        sl, sl_lo, sl_hi = _ci(m.service_level(t.service_level_of))
        ab, _, _ = _ci(m.abandon_rate())
        fsl, fsl_lo, fsl_hi = _ci(on_fresh[method].service_level(t.service_level_of))
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
                "fresh_service_level": fsl,
                "fresh_service_level_ci95_lo": fsl_lo,
                "fresh_service_level_ci95_hi": fsl_hi,
                "over_served": over_served(r, t),
                "fewer_run": -1,
                "fewer_service_level": np.nan,
                "fewer_service_level_ci95_lo": np.nan,
                "fewer_service_level_ci95_hi": np.nan,
                "fewer_abandon_rate": np.nan,
                "fewer_misses": pd.array([pd.NA] * staff.size, dtype="boolean"),
                "fewer_misses_here": pd.array([pd.NA] * staff.size, dtype="boolean"),
                "fewer_alone": pd.array([pd.NA] * staff.size, dtype="boolean"),
                "fewer_alone_carried": pd.array([pd.NA] * staff.size, dtype="boolean"),
                "fewer_missed_at": -1,
            }
        )
        if method in fewer_for:
            f = known_fewer.get(method)
            if f is None or not np.array_equal(f.staffing, staff):
                f = one_fewer(staff, r, d, t, scenario, simulator, replications)
            f = alone(f, r, d, t, scenario, simulator, replications)  # none left: ``f`` itself
            _fill_fewer(df, f, t)
        frames.append(df)
    return StaffingCheck(pd.concat(frames, ignore_index=True), replications, d.interval_s / 3600)


def _fill_fewer(df: pd.DataFrame, f: OneFewer, t: PlanTargets) -> None:
    """Fill the ``fewer_*`` columns of ``df`` for its over-served half hours."""
    for k, (g, m) in enumerate(zip(f.runs, f.measures, strict=True)):
        sl, lo, hi = _ci(m.service_level(t.service_level_of))
        ab, _, _ = _ci(m.abandon_rate())
        df.loc[g, "fewer_run"] = k
        df.loc[g, "fewer_service_level"] = sl[g]
        df.loc[g, "fewer_service_level_ci95_lo"] = lo[g]
        df.loc[g, "fewer_service_level_ci95_hi"] = hi[g]
        df.loc[g, "fewer_abandon_rate"] = ab[g]
        df.loc[g, "fewer_misses"] = f.misses[g]
        df.loc[g, "fewer_misses_here"] = f.misses_here[g]
    if f.alone is not None:  # the lone runs come last: their figures are those kept above
        df.loc[f.over, "fewer_alone"] = f.alone[f.over]
        carried = f.lone_carried if f.lone_carried is not None else np.zeros_like(f.alone)
        df.loc[f.over, "fewer_alone_carried"] = carried[f.over]
    if f.missed_at is not None:
        df.loc[f.over, "fewer_missed_at"] = f.missed_at[f.over]
    # Nobody on duty answers nobody: it misses without a run to show it.
    nobody = f.over & (f.staffing <= 1)
    df.loc[nobody, "fewer_service_level"] = 0.0
    df.loc[nobody, "fewer_misses"] = True
    df.loc[nobody, "fewer_misses_here"] = True


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
            "fresh_below_3_points": int((g["fresh_service_level"] < goal - 0.03).sum()),
            "fresh_lowest_service_level": float(g["fresh_service_level"].min()),
            "over_5_points": len(over),
            "over_5_points_fewer_misses": int(over["fewer_misses"].fillna(False).sum()),
            "over_5_points_fewer_misses_here": int(over["fewer_misses_here"].fillna(False).sum()),
            "over_5_points_fewer_alone": int(over["fewer_alone"].fillna(False).sum()),
            "over_5_points_fewer_misses_later": int(
                (
                    (over["fewer_missed_at"] >= 0)
                    & ((over["fewer_missed_at"] - over["interval"]) % len(g) > REACH)
                ).sum()
            ),
            "over_5_points_checked": int(over["fewer_misses"].notna().sum()),
            "person_hours": float(g["call_takers"].sum() * check.interval_h),
        }
    return out
