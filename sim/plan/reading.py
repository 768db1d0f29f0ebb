"""What a simulated staffing says of each interval, and the "one call-taker fewer" test.

ISA (:mod:`sim.plan.isa`) settles on this test and ``helpline plan --check``
(:mod:`sim.plan.check`) reports it, with the same definition: the same reading of the means
over the replications, the same over-served half hours, the same staggered runs, the same
replications (and so, by common random numbers, the same draws).

A half hour more than :data:`SPARE` above the service-level target is *over-served*. For each,
the staffing with one call-taker fewer there is simulated and the test says whether the plan
then misses its targets: at that half hour, or at one of the next ``STRIDE - 1`` (the next
1.5 hours), since the queue a half hour leaves
behind, and the redials of its callers who gave up, fall on the half hours after it. (A
call-taker is not spare where taking them away makes the next half hour miss: ISA would only
have to put one back there.) The over-served half hours are lowered in :data:`STRIDE` runs,
not one run each: those lowered together are at least :data:`STRIDE` half hours apart (by
their index modulo :data:`STRIDE`), since one agent fewer touches the next one or two half
hours (the queue it leaves behind), not those hours away. Lowering others far away can only
lower a half hour's service level a little further, so a run says "misses" at most a hair more
often than lowering one at a time would.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from sim.plan.demand import Demand
from sim.plan.measure import Measures
from sim.plan.targets import PlanTargets

#: Service level above the target (a share) an interval may keep without showing that one
#: agent fewer would miss.
SPARE = 0.05
#: Half hours lowered in the same "one fewer" run are at least this many apart (2 hours).
STRIDE = 4


class Simulates(Protocol):
    """Anything that simulates staffed scenarios (:class:`sim.plan.runs.Simulator`)."""

    def measures(self, scenarios: Sequence[Any], replications: int) -> list[Measures]:
        """Replications ``0..replications-1`` of every scenario."""
        ...


@dataclass(frozen=True)
class Reading:
    """What one simulation says of each interval (means over the replications)."""

    service_level: np.ndarray  # NaN where nothing was answered in any replication
    abandon_rate: np.ndarray
    meets: np.ndarray  # every planned target met (an interval with no calls meets)
    rates: np.ndarray  # offered load / handle time: the calls/s the formula restaffs for


def read(m: Measures, d: Demand, t: PlanTargets) -> Reading:
    """Mean service level and abandonment per interval, and whether the targets hold."""
    with warnings.catch_warnings():  # an interval without calls in any replication: NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        sl = np.nanmean(m.service_level(t.service_level_of), axis=0)
        ab = np.nanmean(m.abandon_rate(), axis=0)
    ok = np.ones(sl.size, bool)
    if t.service_level_min is not None:
        ok &= ~(sl < t.service_level_min - 1e-12)  # NaN (no calls) meets
    if t.abandon_rate_max is not None:
        ok &= ~(ab > t.abandon_rate_max + 1e-12)
    return Reading(sl, ab, ok, m.offered_erl.mean(axis=0) / d.handle_s)


def over_served(r: Reading, t: PlanTargets) -> np.ndarray:
    """Half hours whose mean service level is more than :data:`SPARE` above the target."""
    if t.service_level_min is None:
        return np.zeros(r.service_level.size, bool)
    sl = r.service_level
    return np.isfinite(sl) & (sl > t.service_level_min + SPARE)


@dataclass(frozen=True)
class OneFewer:
    """The "one fewer" test of one staffing: its runs and what each says."""

    staffing: np.ndarray  # the staffing tested
    over: np.ndarray  # over-served half hours (bool)
    runs: list[np.ndarray]  # half hours lowered together, one array per run
    measures: list[Measures]  # one per run
    readings: list[Reading]  # one per run
    misses: np.ndarray  # over-served, and one fewer makes it or the next half hours miss
    misses_here: np.ndarray  # over-served, and it misses itself with one fewer
    fewer_meets: np.ndarray  # over-served, and every target still met with one fewer
    adopted: np.ndarray  # the staffing with the lowerings kept (``adopt``), else ``staffing``

    def run_of(self) -> np.ndarray:
        """The run each half hour was lowered in (-1 where not over-served)."""
        out = np.full(self.over.size, -1)
        for k, g in enumerate(self.runs):
            out[g] = k
        return out


def one_fewer(
    staff: np.ndarray,
    r: Reading,
    d: Demand,
    t: PlanTargets,
    scenario: Callable[[np.ndarray], object],
    simulator: Simulates,
    replications: int,
    *,
    adopt: np.ndarray | None = None,
    by: np.ndarray | None = None,
) -> OneFewer:
    """Simulate ``staff`` with one fewer at each over-served half hour of its reading ``r``,
    in :data:`STRIDE` staggered runs; a half hour with one call-taker misses without a run.

    With ``adopt`` (where a lowering may be kept: a mask) the runs are made one after another
    and each keeps the lowering where it missed nothing (``OneFewer.adopted``), so the next run
    lowers its half hours beside those already lowered: what each run shows is of the very
    staffing it would leave. ``by`` lowers each half hour by that many agents instead of one
    (ISA's larger steps). When nothing is kept and ``by`` is one everywhere, the runs are
    exactly those made without them.
    """
    step = np.ones(staff.size, int) if by is None else np.asarray(by, int)
    over = over_served(r, t)
    idx = np.flatnonzero(over)
    runs = [g for g in (idx[idx % STRIDE == k] for k in range(STRIDE)) if g.size]
    kept = staff.copy()
    measures: list[Measures] = []
    if adopt is None:
        lowered = [scenario(_lowered(kept, g, step)) for g in runs]
        measures = simulator.measures(lowered, replications)
    misses = np.zeros(over.size, bool)
    here = np.zeros(over.size, bool)
    readings = []
    for k, g in enumerate(runs):
        if adopt is not None:
            one = scenario(_lowered(kept, g, step))
            measures.append(simulator.measures([one], replications)[0])
        rr = read(measures[k], d, t)
        readings.append(rr)
        here[g] = ~rr.meets[g] | (staff[g] - step[g] < 1)  # fewer than one is nobody
        broken = ~rr.meets  # a target missed with this run's lowering (a half hour that
        # misses already is not to be made worse while it is being raised)
        after = np.zeros(g.size, bool)
        for ahead in range(1, STRIDE):
            j = g + ahead
            inside = j < over.size
            after[inside] |= broken[j[inside]]
        misses[g] = here[g] | after
        if adopt is not None:
            keep = g[~misses[g] & adopt[g]]
            kept[keep] -= step[keep]
    return OneFewer(
        staff.copy(), over, runs, measures, readings, misses, here, over & ~misses, kept
    )


def _lowered(staff: np.ndarray, g: np.ndarray, step: np.ndarray) -> np.ndarray:
    s = staff.copy()
    s[g] = np.maximum(1, s[g] - step[g])
    return s
