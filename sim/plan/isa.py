"""The iterative staffing algorithm: staff each interval by simulating the staffing itself.

Feldman, Mandelbaum, Massey & Whitt (2008), "Staffing of time-varying queues to achieve
time-stable performance", Management Science 54(2). Start from a staffing (here MOL's); then
repeat: simulate the helpline with it (interval staff mode, unlimited lines and seats, so staff
alone is planned; the forecast volume, no day factor; the same replications every time), read
each interval's offered load (the number that would be in service if every attempt were
answered at once, redials included) and its simulated service level (all replications pooled),
and restaff each interval with the Erlang A formula on that load, plus the formula's error as
the simulation shows it: how many more agents the simulated helpline needed than the formula
for the service level it reached. That error is pooled over the seven weekdays' same interval
and averaged over the iterations; an interval keeps its staffing when it meets the target with
less than :data:`HYSTERESIS` of an agent to spare beyond the next whole one, or when the change
is within two standard errors of the simulation's noise. Stop when nothing changes, or after
:data:`MAX_ITERATIONS`; every iteration is reported.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.analytic.steady import erlang_a_metrics
from sim.executors import Execution
from sim.plan.demand import Demand
from sim.plan.measure import Measures, measure
from sim.plan.requirements import fewest_agents, service_level, staffing
from sim.plan.targets import PlanTargets
from sim.runner import run_replications
from sim.scenario.values import DAY_S, Scenario
from sim.scenario.variants import variant

#: Iterations at most; the paper's examples settle in a handful.
MAX_ITERATIONS = 10
#: Spare staffing (agents, beyond the next whole number) an interval may keep unchanged.
HYSTERESIS = 0.25
#: Highest simulated service level read as such: above it the formula's inverse is too steep
#: for a noisy estimate to say how many agents are spare.
GOAL_CAP = 0.97


@dataclass(frozen=True)
class IsaResult:
    """The iterative staffing algorithm's answer: staffing per interval, whether it converged, and
    each iteration's changes.
    """

    staffing: np.ndarray  # call-takers per interval, the last iteration's
    converged: bool
    iterations: pd.DataFrame  # one row per iteration
    measures: Measures  # of the last simulation (at ``staffing``)


def weekly_rows(values: np.ndarray, d: Demand) -> list[list[int]]:
    """Seven lists (Monday..Sunday) of per-interval counts from a 7-day horizon's values."""
    per_day = d.per_day
    rows: list[list[int]] = [[1] * per_day for _ in range(7)]
    for day in range(values.size // per_day):
        weekday = int(d.weekday[day * per_day])
        rows[weekday] = [int(x) for x in values[day * per_day : (day + 1) * per_day]]
    return rows


def staffed_scenario(
    sc: Scenario,
    d: Demand,
    takers: np.ndarray,
    officers: np.ndarray,
    *,
    lines: int | str = "unlimited",
    replications: int | None = None,
    forecast: bool = False,
) -> Scenario:
    """``sc`` with the counts on duty per interval, over one warm-up day plus the 7 planned."""
    changes = {
        "staff.mode": "interval",
        "staff.breaks": [],
        "staff.seats": int(takers.max()),
        "staff.interval.minutes": int(d.interval_s // 60),
        "staff.interval.call_takers": weekly_rows(takers, d),
        "staff.interval.escalation": weekly_rows(np.maximum(officers, 1), d),
        "lines.count": lines,
        "horizon.days": d.start_s / DAY_S + takers.size * d.interval_s / DAY_S,
        "horizon.warmup_days": d.start_s / DAY_S,
    }
    if replications is not None:
        changes["horizon.replications"] = replications
    if forecast:  # the forecast volume every day: no day-to-day factor
        changes["arrivals.daily_cv"] = 0.0
    return variant(sc, changes, source="helpline plan")


def simulate_measures(
    sc: Scenario, d: Demand, t: PlanTargets, workers: int | None = None
) -> Measures:
    """Simulate ``sc``'s replications and measure the planned intervals."""
    results = run_replications(
        sc, sc.horizon.replications, execution=Execution(workers=workers), tables=("attempts",)
    )
    edges = d.start_s + np.arange(d.calls_per_s.size + 1) * d.interval_s
    attempts = by_replication(results.tables["attempts"])
    return measure(attempts, edges, t.service_level_s, d.handle_s)


def by_replication(attempts: pd.DataFrame) -> list[pd.DataFrame]:
    """The stacked attempts table split back into one table per replication, in order."""
    return [g for _, g in attempts.groupby("replication", sort=True)]


def formula_staffing(calls_per_s: float, d: Demand, t: PlanTargets, goal: float) -> float:
    """The fractional staffing at which the Erlang A service level reaches ``goal``: the
    fewest agents c meeting it, less the share of the last step not needed (linear between
    c - 1 and c).
    """
    if calls_per_s <= 0:
        return 1.0
    c = fewest_agents(calls_per_s, d.handle_s, d.patience_s, t, goal)
    if c <= 1:
        return 1.0

    def sl(k: int) -> float:
        m = erlang_a_metrics(calls_per_s, d.handle_s, k, None, d.patience_s, t.service_level_s)
        return service_level(m, t.service_level_of)

    lo, hi = sl(c - 1), sl(c)
    return c - 1 + (goal - lo) / (hi - lo) if hi > lo else float(c)


def pooled_service_level(m: Measures, convention: str) -> np.ndarray:
    """Per interval, the service level of all replications' attempts together (a ratio of
    sums: less noisy than the mean of each replication's ratio).
    """
    den = (m.answered if convention == "answered" else m.attempts).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, m.within.sum(axis=0) / np.maximum(den, 1), np.nan)


def sl_step(calls_per_s: float, d: Demand, t: PlanTargets, c: int) -> float:
    """How much the Erlang A service level rises from c - 1 to c agents (1 for c = 1)."""
    if c <= 1 or calls_per_s <= 0:
        return 1.0

    def sl(k: int) -> float:
        m = erlang_a_metrics(calls_per_s, d.handle_s, k, None, d.patience_s, t.service_level_s)
        return service_level(m, t.service_level_of)

    return sl(c) - sl(c - 1)


def isa(
    sc: Scenario,
    d: Demand,
    t: PlanTargets,
    start: np.ndarray,
    officers: np.ndarray,
    *,
    replications: int,
    workers: int | None = None,
    report: Callable[[dict[str, float]], None] | None = None,
) -> IsaResult:
    """Iterate from ``start`` until the staffing repeats (or :data:`MAX_ITERATIONS`)."""
    current = np.asarray(start, dtype=int)
    rows = []
    seen: list[np.ndarray] = []
    converged = False
    m: Measures | None = None
    offsets: list[np.ndarray] = []
    for n in range(1, MAX_ITERATIONS + 1):
        staffed = staffed_scenario(
            sc, d, current, officers, replications=replications, forecast=True
        )
        m = simulate_measures(staffed, d, t, workers)
        load = m.offered_erl.mean(axis=0)
        simulated = pooled_service_level(m, t.service_level_of)
        rates = load / d.handle_s
        if t.service_level_min is not None:
            # How many more agents the simulated helpline needs than the formula to reach the
            # service level it reached: averaged over the iterations so far.
            offset = np.array(
                [
                    c - formula_staffing(lam, d, t, float(np.clip(y, 0.3, GOAL_CAP)))
                    if np.isfinite(y)
                    else 0.0
                    for lam, c, y in zip(
                        rates.tolist(), current.tolist(), simulated.tolist(), strict=True
                    )
                ]
            )
            # The formula's error is much the same at a half hour on every weekday: pool the
            # seven days' estimates (less noise), and average over the iterations so far.
            by_slot = pd.Series(offset).groupby(d.slot).transform("mean").to_numpy()
            offsets.append(by_slot)
            mean_offset = np.mean(offsets, axis=0)
            base = np.array(
                [formula_staffing(lam, d, t, t.service_level_min) for lam in rates.tolist()]
            )
            needed = base + mean_offset  # the (fractional) staffing that just meets the target
            nxt = np.maximum(1, np.ceil(needed - 1e-9)).astype(int)
            # Keep a staffing that meets the target with less than HYSTERESIS agents to spare:
            # a change smaller than that is the simulation's noise, not a need.
            # Noise allowance: two standard errors of ``needed`` (replication spread of the
            # service level over the formula's step per agent, pooled like the offsets).
            per_rep = m.service_level(t.service_level_of)
            with np.errstate(invalid="ignore"):
                se_sl = np.nan_to_num(
                    np.nanstd(per_rep, axis=0, ddof=1) / np.sqrt(per_rep.shape[0])
                )
            step = np.array(
                [
                    sl_step(lam, d, t, int(c))
                    for lam, c in zip(rates.tolist(), current.tolist(), strict=True)
                ]
            )
            se_staff = se_sl / np.maximum(step, 0.02)
            pooled = np.sqrt(
                pd.Series(se_staff**2).groupby(d.slot).transform("mean").to_numpy() / 7 / n
            )
            tol = 2.0 * pooled
            keep = (current >= needed - tol) & (current < needed + 1 + HYSTERESIS + tol)
            nxt = np.where(keep, current, nxt)
        else:
            nxt = staffing(d, t, rates)
        changed = int(np.sum(nxt != current))
        row = {
            "iteration": n,
            "person_hours": float(current.sum() * d.interval_s / 3600),
            "intervals_changed": changed,
            "largest_change": int(np.max(np.abs(nxt - current))),
            "service_level_min": float(np.nanmin(simulated)),
            "service_level_mean": float(np.nanmean(simulated)),
            "intervals_below_target": int(np.sum(simulated < (t.service_level_min or 0.0) - 0.03)),
        }
        rows.append(row)
        if report:
            report(row)
        if changed == 0:
            converged = True
            break
        if any(np.array_equal(nxt, s) for s in seen):  # a cycle: keep the larger staffing
            nxt = np.maximum(nxt, current)
        seen.append(current)
        current = nxt
    assert m is not None
    return IsaResult(current, converged, pd.DataFrame(rows), m)
