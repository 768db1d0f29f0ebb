"""ISA's last stage: lower what one call-taker fewer would still serve, keeping only what holds.

When ISA's iterations have settled (:func:`sim.plan.isa.isa`), the "one fewer" test of the
final staffing (:func:`sim.plan.reading.one_fewer`, made afresh, the very test
``helpline plan --check`` reports) may still find over-served half hours where one fewer meets
every target: verdicts made after the last lowering the iterations had room for. Lowering them
within the iterations would chase the half hours a lowering makes miss some way off (the queue
and the redials it leaves behind), and each such miss would be raised by the formula, tested,
and perhaps lowered again.

The trim instead never adds a person-hour (it lowers, or moves an agent), and keeps a change
only when the staffing it leaves has been simulated and holds. Each round:

1. proposes the staffing last kept with one call-taker fewer at every half hour whose fresh
   verdict says one fewer meets (less those barred, below);
2. simulates it (the same replications, so the same draws);
3. keeps it if every half hour then holds its targets to within
   :data:`~sim.plan.reading.HAIR` (the tolerance ISA's last iterations settle with) and makes
   the test afresh on it; else keeps the staffing it came from, and bars from the rounds after
   the lowered half hour each miss is laid to: the nearest lowered at the half hour that
   misses or before it (a simulation is causal; the nearest, since the queue a lowering
   leaves behind falls mostly on the next half hours, and barring every one within reach
   would bar a half hour that only misses when lowered beside its neighbour). Where the first
   miss laid to a lowering came in the :data:`~sim.plan.reading.REACH` half hours after it
   (those the test reads: where the queue it leaves falls), the next rounds move that agent
   there instead (one fewer at the half hour, one more where it was missed: the same
   person-hours, placed where they serve), once for each half hour; a lowering that missed
   at its own half hour, further on, or again after a move, is barred.

So the staffing the trim ends on is always one it simulated, with its own fresh test, and no
half hour short by more than the tolerance; the rounds end when no half hour is left to
lower, or after :data:`TRIM_ROUNDS` or :data:`TRIM_SIMULATIONS`.

Last (:func:`lone_stage`, rows of phase ``alone``), each half hour whose verdict in that
test still says one fewer meets is tested again alone (:func:`sim.plan.reading.alone`: one
run each, outside the rounds' count): the half hours left are mostly those a round found
short when lowered beside others, and lowering one alone says whether one fewer there misses.
Where it holds, the lone run is a simulation of a staffing the trim would keep, so that
lowering is kept (the most over-served first) and the staffing tested afresh, at most
:data:`LONE_KEPT` times.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.plan.demand import Demand
from sim.plan.lone import alone, carry_alone, lone_run
from sim.plan.measure import Measures
from sim.plan.reading import (
    REACH,
    STRIDE,
    OneFewer,
    Simulates,
    by_a_hair,
    one_fewer,
    over_served,
    read,
)
from sim.plan.targets import PlanTargets

#: Rounds of the trim at most (each: one simulation, and its fresh test when it is kept) ...
TRIM_ROUNDS = 5
#: ... and simulations in all: a round starts only with room for its simulation and a whole
#: fresh test (1 + STRIDE runs), so the trim costs at most about three ISA iterations.
TRIM_SIMULATIONS = 15
#: Lowerings the last stage keeps at most where a lone run shows one fewer holds
#: (:func:`lone_stage`; each then costs a fresh test and the lone runs it calls for).
LONE_KEPT = 3


@dataclass(frozen=True)
class Trimmed:
    """The staffing the trim ends on, its simulation and fresh test, and one row per round."""

    staffing: np.ndarray
    measures: Measures
    fewer: OneFewer
    rows: list[dict[str, Any]]


def blamed(lowered: np.ndarray, short: np.ndarray) -> np.ndarray:
    """The lowered half hours the misses at ``short`` are laid to (both boolean, the week
    wrapping): for each, the nearest lowered at it or before it.
    """
    n = lowered.size
    out = np.zeros(n, bool)
    low = np.flatnonzero(lowered)
    if low.size == 0:
        return out
    for b in np.flatnonzero(short).tolist():
        out[low[np.argmin((b - low) % n)]] = True  # how far each is before ``b``
    return out


def _first_misses(lowered: np.ndarray, short: np.ndarray) -> dict[int, int]:
    """Per lowered half hour a miss is laid to (:func:`blamed`), the first miss laid to it
    (itself, if it misses there).
    """
    n = lowered.size
    low = np.flatnonzero(lowered)
    out: dict[int, int] = {}
    if low.size == 0:
        return out
    for b in np.flatnonzero(short).tolist():
        h = int(low[np.argmin((b - low) % n)])
        if h not in out or (b - h) % n < (out[h] - h) % n:
            out[h] = b
    return out


def trim(
    staff: np.ndarray,
    m: Measures,
    fewer: OneFewer,
    d: Demand,
    t: PlanTargets,
    scenario: Callable[[np.ndarray], object],
    simulator: Simulates,
    replications: int,
    *,
    first_iteration: int,
    rounds: int = TRIM_ROUNDS,
    simulations_max: int = TRIM_SIMULATIONS,
    report: Callable[[dict[str, Any]], None] | None = None,
) -> Trimmed:
    """Trim ``staff`` (simulated as ``m``, its fresh "one fewer" test ``fewer``); rows are
    numbered from ``first_iteration``.
    """
    n = staff.size
    kept, kept_m, kept_f = staff.copy(), m, fewer
    barred = np.zeros(n, bool)
    moved_to = np.full(n, -1)  # the half hour a lowering's agent goes to (-1: none)
    moved = np.zeros(n, bool)  # an agent moved from it already
    rows: list[dict[str, Any]] = []
    used = 0
    for k in range(rounds):
        if used + 1 + STRIDE > simulations_max:
            break
        lower = kept_f.fewer_meets & ~barred & (kept > 1)
        to = moved_to[lower]
        to = to[to >= 0]
        lower[to] = False  # a half hour an agent moves to is not lowered as well
        if not lower.any():
            break
        change = -lower.astype(int)
        np.add.at(change, moved_to[lower & (moved_to >= 0)], 1)
        proposal = kept + change
        pm = simulator.measures([scenario(proposal)], replications)[0]
        r = read(pm, d, t)
        short = ~by_a_hair(r, t)
        simulations = 1
        accepted = not short.any()
        if accepted:
            moved |= lower & (moved_to >= 0)
            moved_to[lower] = -1  # a move is made once: after it, the half hour only lowers
            kept, kept_m = proposal, pm
            kept_f = one_fewer(proposal, r, d, t, scenario, simulator, replications)
            simulations += kept_f.simulated
        else:
            for h, b in _first_misses(lower, short).items():
                if moved_to[h] >= 0 or moved[h] or b == h or (b - h) % n > REACH:
                    barred[h] = True  # missed there, too far on, or even with the agent moved
                else:  # the agent to where the queue it left missed
                    moved_to[h] = b
        goal = t.service_level_min or 0.0
        row: dict[str, Any] = {
            "iteration": first_iteration + k,
            "phase": "trim",
            "replications": replications,
            "simulations": simulations,
            "person_hours": float(proposal.sum() * d.interval_s / 3600),
            "intervals_changed": int(np.sum(change != 0)) if accepted else 0,
            "intervals_raised": int(np.sum(change > 0)) if accepted else 0,
            "largest_change": int(accepted),
            "intervals_missing": int(np.sum(~r.meets)),
            "intervals_left_short": int(np.sum(~r.meets & ~short)),
            "intervals_settled": int(np.sum(r.meets & ~kept_f.fewer_meets)) if accepted else 0,
            "intervals_over_served": int(over_served(r, t).sum()),
            "intervals_fewer_meets": int(kept_f.fewer_meets.sum()) if accepted else -1,
            "service_level_min": float(np.nanmin(r.service_level)),
            "service_level_mean": float(np.nanmean(r.service_level)),
            "intervals_below_target": int(np.sum(r.service_level < goal - 0.03)),
            "intervals_lowered": int(lower.sum()),
            "intervals_short": int(short.sum()),
            "kept": accepted,
        }
        rows.append(row)
        used += simulations
        if report:
            report(row)
    kept, kept_m, kept_f, lone_rows = lone_stage(
        kept,
        kept_m,
        kept_f,
        d,
        t,
        scenario,
        simulator,
        replications,
        first_iteration=first_iteration + len(rows),
        report=report,
    )
    rows.extend(lone_rows)
    return Trimmed(kept, kept_m, kept_f, rows)


def lone_stage(
    kept: np.ndarray,
    kept_m: Measures,
    kept_f: OneFewer,
    d: Demand,
    t: PlanTargets,
    scenario: Callable[[np.ndarray], object],
    simulator: Simulates,
    replications: int,
    *,
    first_iteration: int,
    adoptions: int = LONE_KEPT,
    report: Callable[[dict[str, Any]], None] | None = None,
) -> tuple[np.ndarray, Measures, OneFewer, list[dict[str, Any]]]:
    """The trim's last stage: each "meets" verdict of ``kept_f`` made again alone
    (:func:`sim.plan.reading.alone`); where a lone run shows one fewer holds, that run is a
    simulation of a staffing the trim keeps (nothing anywhere short by more than the
    tolerance), so the most over-served such half hour is lowered, the staffing tested
    afresh, and its new "meets" verdicts made alone in turn, ``adoptions`` times at most.
    One row (phase ``alone``) per pass.
    """
    rows: list[dict[str, Any]] = []
    for k in range(adoptions + 1):
        before = kept_f
        r = read(kept_m, d, t)
        kept_f = alone(kept_f, r, d, t, scenario, simulator, replications)
        none = np.zeros(kept.size, bool)
        now = kept_f.alone if kept_f.alone is not None else none
        tried = now & ~(before.alone if before.alone is not None else none)
        spare = np.flatnonzero(kept_f.fewer_meets & now & (kept > 1))
        simulations = kept_f.simulated - before.simulated
        adopt = bool(spare.size) and k < adoptions
        if not tried.any() and not adopt:
            break
        row: dict[str, Any] = {
            "iteration": first_iteration + len(rows),
            "phase": "alone",
            "replications": replications,
            "person_hours": float(kept.sum() * d.interval_s / 3600),
            "intervals_over_served": int(kept_f.over.sum()),
            "intervals_fewer_meets": int(kept_f.fewer_meets.sum()),
            "intervals_lowered": int(tried.sum()),
            "intervals_short": int((tried & kept_f.misses).sum()),
            "intervals_changed": int(adopt),
            "intervals_raised": 0,
            "largest_change": int(adopt),
            "kept": adopt,
        }
        if adopt:
            h = int(spare[np.argmax(r.service_level[spare])])
            kept_m = lone_run(kept_f, h)
            kept = kept.copy()
            kept[h] -= 1
            r = read(kept_m, d, t)
            fresh = one_fewer(kept, r, d, t, scenario, simulator, replications)
            simulations += fresh.simulated
            kept_f = carry_alone(fresh, kept_f, h)
            row["person_hours"] = float(kept.sum() * d.interval_s / 3600)
        row["simulations"] = simulations
        row["intervals_missing"] = int(np.sum(~r.meets))
        row["service_level_min"] = float(np.nanmin(r.service_level))
        row["service_level_mean"] = float(np.nanmean(r.service_level))
        rows.append(row)
        if report:
            report(row)
        if not adopt:
            break
    return kept, kept_m, kept_f, rows
