"""The iterative staffing algorithm: staff each interval by simulating the staffing itself.

Feldman, Mandelbaum, Massey & Whitt (2008), "Staffing of time-varying queues to achieve
time-stable performance", Management Science 54(2). Start from a staffing (here MOL's); then
repeat: simulate the helpline with it (interval staff mode, unlimited lines and seats, so staff
alone is planned; the forecast volume, no day factor), read each interval's offered load (the
number that would be in service if every attempt were answered at once, redials included) and
its simulated service level, and restaff each interval with the Erlang A formula on that load,
plus the formula's error as the simulation shows it (how many more agents the simulated
helpline needed than the formula for the service level it reached).

Every iteration simulates the same replications (common random numbers: replication ``i`` of
every staffing draws the same callers, talk times and patience), so a change of staffing, not
new noise, is what moves a half hour's figures. Two phases, then a last stage:

1. **Approach** (at most :data:`APPROACH_ITERATIONS`, with a quarter of the replications):
   the paper's step (the formula on the simulated load, no correction), each averaged with the
   steps before (redials make the load swing with the staffing), until no interval moves by
   more than :data:`APPROACH_CLOSE` agents.
2. **Settle** (all the replications): each interval keeps a bracket, the most agents seen to
   miss its targets and the fewest seen to meet them (mean over the replications). Every
   iteration simulates the staffing, raises the intervals that miss (the formula's step
   corrected by its error, at least one agent, never to a count seen to meet), and then makes
   the "one fewer" test of :func:`sim.plan.reading.one_fewer` beside the raises: each
   over-served interval (:func:`~sim.plan.reading.over_served`) lowered, those lowered together
   :data:`~sim.plan.reading.STRIDE` apart, the runs one after another, each keeping its
   lowering wherever no target is then missed (there or in the next half hours), so the next
   run lowers its intervals beside those already lowered (lowering neighbours together lowers
   each more than lowering it alone, so they are never lowered together untested). A verdict
   of one fewer is kept (:class:`~sim.plan.reading.Verdicts`) while the counts it rests on
   stand, and only the others are run; when an iteration would settle on kept verdicts, the
   test is made again afresh on its staffing, and convergence is on that. The first
   :data:`BULK` settling iterations lower every other interval together (two runs) and keep no
   verdicts; in the last :data:`FIRM` nothing is forgotten, the test is made afresh (no kept
   verdicts), lowering is by one, and an interval short by less than
   :data:`~sim.plan.reading.HAIR` is left; the last :data:`TESTS_ONLY` lower nothing. Stop
   when no interval changes and every over-served interval has a verdict of one fewer made on
   that staffing (converged: the last simulation is of the final staffing, and its verdicts
   are those ``helpline plan --check`` would make), or after :data:`MAX_ITERATIONS` in all.
3. **Trim** (:mod:`sim.plan.trim`, once converged): the half hours where that last test says
   one fewer still meets are lowered together, and the result kept only if, simulated, every
   half hour still holds its targets (to within :data:`~sim.plan.reading.HAIR`); then tested
   afresh, and again, for at most :data:`~sim.plan.trim.TRIM_ROUNDS` rounds. The staffing
   returned is the last one kept, with its own simulation and fresh test (rows of phase
   ``trim`` in the iterations table).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.analytic.steady import erlang_a_metrics
from sim.plan.demand import Demand
from sim.plan.measure import Measures
from sim.plan.reading import (
    STRIDE,
    OneFewer,
    Reading,
    Verdicts,
    by_a_hair,
    one_fewer,
    over_served,
    read,
)
from sim.plan.requirements import service_level, staffing
from sim.plan.runs import Simulator
from sim.plan.targets import PlanTargets
from sim.plan.trim import TRIM_ROUNDS, trim
from sim.scenario.values import DAY_S, Scenario
from sim.scenario.variants import variant

#: Iterations at most, both phases together.
MAX_ITERATIONS = 10
#: The last iterations in which brackets hold firm (see :func:`isa`).
FIRM = 4
#: The last iterations, which lower nothing: a lowering kept in the one before may still make
#: a half hour miss, and one more iteration raises it and shows the staffing as it ends.
TESTS_ONLY = 3
#: The first settling iterations, whose "one fewer" runs lower every other half hour together.
BULK = 2
#: Iterations at most of the approach phase (with fewer replications), and the largest change
#: (agents) at which it hands over to the settling phase.
APPROACH_ITERATIONS, APPROACH_CLOSE = 3, 3
#: Simulated service levels are read within these bounds by the formula's inverse (beyond
#: them it is too steep for a noisy estimate to say how many agents are spare or short).
GOAL_FLOOR, GOAL_CAP = 0.3, 0.97


#: The iterations table's phases of ISA itself; its last stage adds rows of phase ``trim`` (a
#: round) and ``alone`` (verdicts of one fewer made again alone, :func:`sim.plan.reading.alone`).
ISA_PHASES = ("approach", "settle")


@dataclass(frozen=True)
class IsaResult:
    """The staffing ISA ends with, whether it converged, every iteration, the last simulation."""

    staffing: np.ndarray  # call-takers per interval, the last iteration's
    converged: bool
    iterations: pd.DataFrame  # one row per iteration
    measures: Measures  # of the last simulation (at ``staffing`` when converged)
    replications: int  # of the last simulation
    fewer: OneFewer | None = None  # the "one fewer" test of the final staffing (converged)


def _raised_nearby(raised_at: np.ndarray, reach: int) -> np.ndarray:
    """Per interval, the last iteration that raised another interval within ``reach - 1``."""
    out = np.full(raised_at.size, -1)
    for k in range(1, reach):
        out[k:] = np.maximum(out[k:], raised_at[:-k])
        out[:-k] = np.maximum(out[:-k], raised_at[k:])
    return out


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


def by_replication(attempts: pd.DataFrame) -> list[pd.DataFrame]:
    """The stacked attempts table split back into one table per replication, in order."""
    return [g for _, g in attempts.groupby("replication", sort=True)]


class FormulaCurve:
    """The Erlang A service level of one interval's load as a function of agents (cached)."""

    def __init__(self, calls_per_s: float, d: Demand, t: PlanTargets) -> None:
        self.calls_per_s = calls_per_s
        self.d, self.t = d, t
        self._sl: dict[int, float] = {}

    def sl(self, c: int) -> float:
        """The service level (share, in the targets' convention) with ``c`` agents."""
        if c not in self._sl:
            d, t = self.d, self.t
            m = erlang_a_metrics(
                self.calls_per_s, d.handle_s, c, None, d.patience_s, t.service_level_s
            )
            self._sl[c] = service_level(m, t.service_level_of)
        return self._sl[c]

    def staffing_for(self, goal: float) -> float:
        """The fractional staffing at which the service level reaches ``goal``: the fewest
        agents c reaching it, less the share of the last step not needed (linear between
        c - 1 and c).
        """
        if self.calls_per_s <= 0:
            return 1.0
        load = self.calls_per_s * self.d.handle_s
        c = max(1, int(np.ceil(load + np.sqrt(load))))
        if self.sl(c) >= goal:
            while c > 1 and self.sl(c - 1) >= goal:
                c -= 1
        else:
            while self.sl(c) < goal:
                c += 1
        if c <= 1:
            return 1.0
        lo, hi = self.sl(c - 1), self.sl(c)
        return c - 1 + (goal - lo) / (hi - lo) if hi > lo else float(c)


def formula_step(
    current: np.ndarray, r: Reading, d: Demand, t: PlanTargets, where: np.ndarray | None = None
) -> np.ndarray:
    """ISA's restaffing: the formula on the simulated load, corrected by the formula's error
    at the service level the simulation reached (whole agents, at least 1); intervals outside
    ``where`` keep ``current``.
    """
    if t.service_level_min is None:
        return np.maximum(1, staffing(d, t, r.rates))
    out = current.copy()
    todo = np.ones(current.size, bool) if where is None else where
    for i, (lam, c, y) in enumerate(
        zip(r.rates.tolist(), current.tolist(), r.service_level.tolist(), strict=True)
    ):
        if not (todo[i] and np.isfinite(y)):
            continue
        curve = FormulaCurve(lam, d, t)
        reached = curve.staffing_for(float(np.clip(y, GOAL_FLOOR, GOAL_CAP)))
        need = c - reached + curve.staffing_for(t.service_level_min)
        out[i] = max(1, int(np.ceil(need - 1e-9)))
    return out


def isa(
    sc: Scenario,
    d: Demand,
    t: PlanTargets,
    start: np.ndarray,
    officers: np.ndarray,
    *,
    replications: int,
    workers: int | None = None,
    report: Callable[[dict[str, Any]], None] | None = None,
    simulator: Simulator | None = None,
    trim_rounds: int = TRIM_ROUNDS,
) -> IsaResult:
    """Iterate from ``start`` until no interval changes (or :data:`MAX_ITERATIONS`); once
    converged, trim (:func:`sim.plan.trim.trim`, at most ``trim_rounds`` rounds).
    """
    if simulator is None:
        with Simulator(d, t.service_level_s, workers) as own:
            return isa(
                sc,
                d,
                t,
                start,
                officers,
                replications=replications,
                report=report,
                simulator=own,
                trim_rounds=trim_rounds,
            )
    current = np.maximum(1, np.asarray(start, dtype=int))
    n = current.size
    missed = np.zeros(n, dtype=int)  # most agents seen to miss (settle phase)
    missed_at = np.zeros(n, dtype=int)  # the iteration that saw ``missed``
    forgot = np.zeros(n, bool)  # ``missed`` forgotten once already
    raised_at = np.full(n, -1)  # the last iteration that raised each interval
    met = np.full(n, np.iinfo(np.int64).max)  # fewest agents seen to meet
    verdicts = Verdicts(n)  # "one fewer" verdicts, reused while the counts around stand
    first_settle = 0  # the first settling iteration
    early = max(2, replications // 4)
    phase = "approach" if early < replications else "settle"
    rows: list[dict[str, Any]] = []
    proposals: list[np.ndarray] = []
    converged = False
    m: Measures | None = None
    fewer: OneFewer | None = None
    reps = replications
    for it in range(1, MAX_ITERATIONS + 1):
        reps = early if phase == "approach" else replications

        def scenario(staff: np.ndarray, reps: int = reps) -> Scenario:
            return staffed_scenario(sc, d, staff, officers, replications=reps, forecast=True)

        m = simulator.measures([scenario(current)], reps)[0]
        r = read(m, d, t)
        settled = np.zeros(n, bool)
        fewer = None
        simulations = 1
        one_by_one = False
        left = 0
        if phase == "approach":
            # The paper's step, the formula on the simulated load, averaged with the steps
            # before: redials make the load rise when staff is short and fall when it is not,
            # so plain steps swing about the answer.
            proposals.append(np.maximum(1, staffing(d, t, r.rates)))
            nxt = np.ceil(np.mean(proposals, axis=0) - 1e-9).astype(int)
        else:
            # A count seen to meet that now misses (its neighbours changed): forget it.
            met = np.where(~r.meets & (current >= met), np.iinfo(np.int64).max, met)
            met = np.where(r.meets, np.minimum(met, current), met)
            # A count seen to miss before a neighbour rose: forget it, once for each interval
            # (what made it miss may be gone; once, so that an interval on the edge of its
            # target, flipping as its neighbours change, ends on the count that meets).
            # In the last :data:`FIRM` iterations nothing is forgotten, lowering is by one
            # agent (as the check makes it), and a half hour short of its targets by less than
            # HAIR is left, not raised: such a miss comes and goes as counts far away
            # change (a lowering verified in its run, a raise), and chasing it would keep the
            # staffing moving past the iterations. The last TESTS_ONLY iterations lower
            # nothing.
            firm = it > MAX_ITERATIONS - FIRM
            stale = (_raised_nearby(raised_at, STRIDE) >= missed_at) & ~forgot & (missed > 0)
            stale &= not firm
            forgot |= stale
            missed = np.where(stale, 0, missed)
            missed_at = np.where(~r.meets & (current > missed), it, missed_at)
            missed = np.where(r.meets, np.minimum(missed, current - 1), missed)
            missed = np.where(~r.meets, np.maximum(missed, current), missed)
            # Raise those that miss, first, so that the "one fewer" runs test the lowerings
            # beside the raised staffing: by the formula's step corrected by its error, at
            # least one agent, never to a count seen to meet.
            short = ~r.meets & ~(firm & by_a_hair(r, t))
            proposal = formula_step(current, r, d, t, short)
            up = np.minimum(np.maximum(proposal, current + 1), met)
            raised = np.where(short, up, current)
            # Lower the over-served in staggered runs, one after another, keeping each
            # lowering where nothing then misses, never to a count seen to miss: by the
            # formula's step (corrected by its error) while that says more than one agent is
            # spare and no count below is known to miss, else by one.
            over = over_served(r, t)
            spare = current - formula_step(current, r, d, t, over)
            by = np.clip(spare, 1, np.maximum(1, current - 1 - missed))
            if firm:
                by = np.ones(n, dtype=int)
            # A lowering by one that misses nothing now is kept even below a count once seen to
            # miss (the test is of the staffing as it stands).
            may = (current - by > missed) | (by == 1)
            may &= it <= MAX_ITERATIONS - TESTS_ONLY  # the last ones only test (and raise)
            # The first :data:`BULK` settling iterations, where many half hours move, lower
            # them in two runs (every other over-served half hour together), not four.
            bulk = it - first_settle < BULK
            if firm:  # the last iterations test afresh: they are what the staffing settles on
                verdicts = Verdicts(n)
            fewer = one_fewer(
                raised,
                r,
                d,
                t,
                scenario,
                simulator,
                reps,
                adopt=may,
                by=by,
                verdicts=verdicts,
                stride=2 if bulk else STRIDE,
            )
            assert fewer.by_one is not None
            assert fewer.carried is not None
            simulations += fewer.simulated
            if (
                np.array_equal(fewer.adopted, current)
                and bool(np.all(fewer.by_one[over]))
                and fewer.carried.any()
            ):
                # Settled on verdicts kept from earlier staffings: what comes in from more
                # than 1.5 h before may have changed since, so the test is made again, afresh,
                # on this very staffing; convergence is on its verdicts alone.
                verdicts = Verdicts(n)
                fewer = one_fewer(
                    current,
                    r,
                    d,
                    t,
                    scenario,
                    simulator,
                    reps,
                    adopt=may,
                    verdicts=verdicts,
                )
                simulations += fewer.simulated
            assert fewer.by_one is not None
            by = np.where(fewer.by_one, 1, by)
            settled = r.meets & ~fewer.fewer_meets
            nxt = fewer.adopted
            low = current - by
            missed_at = np.where(fewer.misses & (low > missed), it, missed_at)
            missed = np.where(fewer.misses, np.maximum(missed, low), missed)
            raised_at = np.where(nxt > current, it, raised_at)
            met = np.where(fewer.fewer_meets, np.minimum(met, low), met)
            one_by_one = bool(np.all(fewer.by_one[over]))
            left = int(np.sum(~r.meets & ~short))
        changed = int(np.sum(nxt != current))
        goal = t.service_level_min
        row: dict[str, Any] = {
            "iteration": it,
            "phase": phase,
            "replications": reps,
            "simulations": simulations,
            "person_hours": float(current.sum() * d.interval_s / 3600),
            "intervals_changed": changed,
            "intervals_raised": int(np.sum(nxt > current)),
            "largest_change": int(np.max(np.abs(nxt - current))),
            "intervals_missing": int(np.sum(~r.meets)),
            "intervals_left_short": left,
            "intervals_settled": int(settled.sum()),
            "intervals_over_served": int(over_served(r, t).sum()),
            "intervals_fewer_meets": -1 if fewer is None else int(fewer.fewer_meets.sum()),
            "service_level_min": float(np.nanmin(r.service_level)),
            "service_level_mean": float(np.nanmean(r.service_level)),
            "intervals_below_target": int(np.sum(r.service_level < (goal or 0.0) - 0.03)),
        }
        rows.append(row)
        if report:
            report(row)
        if phase == "approach":
            if row["largest_change"] <= APPROACH_CLOSE or it >= APPROACH_ITERATIONS:
                phase = "settle"  # the next simulation is of the full replications
                first_settle = it + 1
        elif changed == 0 and one_by_one:
            converged = True  # and the "one fewer" runs were the check's
            break
        current = nxt
    assert m is not None
    if converged and fewer is not None and trim_rounds > 0:
        if fewer.carried is not None and fewer.carried.any():  # the trim starts from a fresh test
            fewer = one_fewer(current, read(m, d, t), d, t, scenario, simulator, reps)
        done = trim(
            current,
            m,
            fewer,
            d,
            t,
            scenario,
            simulator,
            reps,
            first_iteration=len(rows) + 1,
            rounds=trim_rounds,
            report=report,
        )
        current, m, fewer = done.staffing, done.measures, done.fewer
        rows.extend(done.rows)
    return IsaResult(current, converged, pd.DataFrame(rows), m, reps, fewer if converged else None)
