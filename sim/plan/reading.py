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
have to put one back there.) The over-served half hours are lowered in a few runs
(:func:`pack`, at most :data:`STRIDE` for a whole week), not one run each: those lowered
together are at least :data:`STRIDE` half hours apart, since one agent fewer touches the
next one or two half hours (the queue it leaves behind), not those hours away. Lowering
others far away can only lower a half hour's service level a little further, so a run says
"misses" at most a hair more often than lowering one at a time would.
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
#: Abandonment below its target (a share) that an over-served interval keeps at least.
SPARE_ABANDON = 0.01
#: Half hours lowered in the same "one fewer" run are at least this many apart (2 hours).
STRIDE = 4
#: A half hour short of its targets by less than this (service level, and half of it for
#: abandonment; shares) is held to be within them by ISA's last iterations and by its trim
#: (:mod:`sim.plan.trim`): such a miss comes and goes as counts far away change.
HAIR = 0.01


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


def by_a_hair(r: Reading, t: PlanTargets) -> np.ndarray:
    """Half hours within :data:`HAIR` of every target (met or short by less)."""
    ok = np.ones(r.service_level.size, bool)
    if t.service_level_min is not None:
        ok &= ~(r.service_level < t.service_level_min - HAIR)
    if t.abandon_rate_max is not None:
        ok &= ~(r.abandon_rate > t.abandon_rate_max + HAIR / 2)
    return ok


def over_served(r: Reading, t: PlanTargets) -> np.ndarray:
    """Half hours whose mean service level is more than :data:`SPARE` above the target and,
    with an abandonment target, whose mean abandonment is more than :data:`SPARE_ABANDON`
    below it (a half hour near a target it must hold is not over-served, whatever its
    service level).
    """
    if t.service_level_min is None:
        return np.zeros(r.service_level.size, bool)
    sl = r.service_level
    out = np.isfinite(sl) & (sl > t.service_level_min + SPARE)
    if t.abandon_rate_max is not None:
        out &= ~(r.abandon_rate >= t.abandon_rate_max - SPARE_ABANDON)
    return out


#: Half hours before one whose counts its "one fewer" verdict rests on (1.5 h: what comes in
#: from them, their queue and their abandoners' redials, mostly comes within as many), and
#: half hours after it that the test reads.
REACH = STRIDE - 1


def neighbourhoods(staff: np.ndarray) -> np.ndarray:
    """Per half hour, the counts from ``REACH`` before it to ``REACH`` after, the week wrapping
    (the warm-up day is staffed as the week's last day, so the week's end leads into its start).
    """
    pad = np.pad(np.asarray(staff, int), REACH, mode="wrap")
    return np.lib.stride_tricks.sliding_window_view(pad, 2 * REACH + 1)


def _ahead(g: np.ndarray, k: int | np.ndarray, n: int) -> np.ndarray:
    """The half hours ``k`` after ``g``, the week wrapping (see :func:`neighbourhoods`)."""
    return (g + k) % n


@dataclass(frozen=True)
class Run:
    """One "one fewer" run: the staffing simulated, the half hours it lowered, its measures."""

    staffing: np.ndarray
    lowered: np.ndarray
    measures: Measures


class Verdicts:
    """Each half hour's latest "one fewer" verdict (of exactly one call-taker fewer), with the
    counts around it (:func:`neighbourhoods`) at the staffing it was lowered from.

    A verdict stands for a later staffing only while the counts it rests on are the same: those
    from ``REACH`` half hours before it to the first half hour the lowering made miss (a
    simulation is causal: what happens up to a half hour depends on no count after it), or to
    ``REACH`` after it where nothing missed. A change of one of them drops it
    (:meth:`standing`), so it is made again. ISA keeps one across its iterations so that a half
    hour whose neighbourhood has not changed is not simulated again.
    """

    def __init__(self, n: int) -> None:
        self.around = np.full((n, 2 * REACH + 1), -2)
        self.upto = np.full(n, REACH)  # the last half hour after it the verdict rests on
        self.misses = np.zeros(n, bool)
        self.misses_here = np.zeros(n, bool)
        self.run = np.full(n, -1)  # index into ``runs``; -1: none
        self.runs: list[Run] = []

    def standing(self, staff: np.ndarray) -> np.ndarray:
        """Half hours whose verdict was made at the counts ``staff`` has where it rests."""
        rests = np.arange(2 * REACH + 1)[None, :] <= REACH + self.upto[:, None]
        same = (self.around == neighbourhoods(staff)) | ~rests
        return (self.run >= 0) & np.all(same, axis=1)

    def record(self, run: Run, base: np.ndarray, g: np.ndarray, first: np.ndarray) -> None:
        """Keep the verdicts of half hours ``g`` of ``run``, lowered by one from ``base``;
        ``first``: per half hour of ``g``, how many half hours after it the first miss came
        (0: there; -1: none).
        """
        self.runs.append(run)
        self.around[g] = neighbourhoods(base)[g]
        self.upto[g] = np.where(first < 0, REACH, first)
        self.misses[g], self.misses_here[g] = first >= 0, first == 0
        self.run[g] = len(self.runs) - 1


@dataclass(frozen=True)
class OneFewer:
    """The "one fewer" test of one staffing: the runs its verdicts come from, and what they say.

    ``runs`` groups the over-served half hours by the run that judged them: first the runs made
    for this staffing, then (with :class:`Verdicts`) those made at an earlier staffing with the
    same counts within ``REACH`` half hours (``carried``).
    """

    staffing: np.ndarray  # the staffing tested
    over: np.ndarray  # over-served half hours (bool)
    runs: list[np.ndarray]  # half hours judged by each run, one array per run
    measures: list[Measures]  # one per run
    misses: np.ndarray  # over-served, and one fewer makes it or the next half hours miss
    misses_here: np.ndarray  # over-served, and it misses itself with one fewer
    fewer_meets: np.ndarray  # over-served, and every target still met with one fewer
    adopted: np.ndarray  # the staffing with the lowerings kept (``adopt``), else ``staffing``
    simulated: int = 0  # runs simulated for this staffing
    carried: np.ndarray | None = None  # verdict carried from an earlier staffing (bool)
    by_one: np.ndarray | None = None  # over-served, its verdict is of exactly one fewer
    missed_at: np.ndarray | None = None  # the first half hour then missing (-1: none)
    alone: np.ndarray | None = None  # over-served, its verdict from lowering it alone (bool)
    lone_carried: np.ndarray | None = None  # ... by a lone run of an earlier staffing (bool)

    def run_of(self) -> np.ndarray:
        """The run each half hour was judged in (-1 where not over-served or at one agent)."""
        out = np.full(self.over.size, -1)
        for k, g in enumerate(self.runs):
            out[g] = k
        return out


def pack(idx: np.ndarray, n: int, stride: int = STRIDE) -> list[np.ndarray]:
    """Half hours ``idx`` (sorted, of a week of ``n`` that wraps) in few runs that keep any two
    of a run :data:`STRIDE` apart: each to the first run whose last is far enough behind, the
    week read from just after its widest gap between two of them (where that gap is
    :data:`STRIDE` or more, the fewest runs there can be: as many as the most of them within
    any :data:`STRIDE` consecutive half hours; else, at most :data:`STRIDE`).
    """
    if idx.size == 0:
        return []
    gaps = (np.roll(idx, -1) - idx) % n
    gaps[gaps == 0] = n  # a single half hour
    start = (int(np.argmax(gaps)) + 1) % idx.size
    order = np.roll(idx, -start)
    pos = (order - order[0]) % n  # positions from the start, increasing
    runs: list[list[int]] = []
    for i, p in zip(order.tolist(), pos.tolist(), strict=True):
        for g in runs:
            last = (g[-1] - order[0]) % n
            if p - last >= stride and (order[0] + n - i) % n + (g[0] - order[0]) % n >= stride:
                g.append(i)
                break
        else:
            runs.append([i])
    if len(runs) > stride and n % stride == 0:  # dense: by index modulo ``stride``, as many
        return [g for g in (idx[idx % stride == k] for k in range(stride)) if g.size]
    return [np.sort(np.array(g, dtype=int)) for g in runs]


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
    verdicts: Verdicts | None = None,
    stride: int = STRIDE,
) -> OneFewer:
    """Simulate ``staff`` with one fewer at each over-served half hour of its reading ``r``,
    those lowered together at least :data:`STRIDE` apart (:func:`pack`); a half hour with one
    call-taker misses without a run.

    With ``adopt`` (where a lowering may be kept: a mask) the runs are made one after another
    and each keeps the lowering where it missed nothing (``OneFewer.adopted``), so the next run
    lowers its half hours beside those already lowered: what each run shows is of the very
    staffing it would leave. ``by`` lowers each half hour by that many agents instead of one
    (ISA's larger steps). With ``verdicts``, a half hour whose verdict stands
    (:meth:`Verdicts.standing`) is not lowered again: its verdict is reused (and, where it says
    one fewer meets and ``adopt`` allows, that lowering is kept); the new verdicts of one fewer
    are recorded in it. Without ``adopt`` and ``verdicts``, and with ``by`` one everywhere, the
    runs are exactly those of a fresh check of ``staff``.
    """
    n = staff.size
    step = np.ones(n, int) if by is None else np.asarray(by, int).copy()
    over = over_served(r, t)
    nobody = over & (staff <= 1)  # fewer than one is nobody: it misses without a run
    step = np.minimum(step, np.maximum(staff - 1, 1))
    standing = np.zeros(n, bool) if verdicts is None else verdicts.standing(staff) & over
    standing &= ~nobody
    if verdicts is not None and adopt is not None:  # one fewer meets: made again, to keep it
        standing &= verdicts.misses | ~adopt
    step[standing | nobody] = 1
    todo = np.flatnonzero(over & ~standing & ~nobody)
    runs = pack(todo, n, stride)
    kept = staff.copy()
    misses = nobody.copy()
    here = nobody.copy()
    missed_at = np.where(nobody, np.arange(n), -1)
    if verdicts is not None:
        misses[standing] = verdicts.misses[standing]
        here[standing] = verdicts.misses_here[standing]
        upto = (np.arange(n) + verdicts.upto) % n  # a miss's verdict rests up to the miss
        missed_at[standing] = np.where(verdicts.misses, upto, -1)[standing]
        carried_from = verdicts.run.copy()
    measures: list[Measures] = []
    if adopt is None:
        measures = simulator.measures(
            [scenario(_lowered(kept, g, step)) for g in runs], replications
        )
    for k, g in enumerate(runs):
        base = kept.copy()
        lowered = _lowered(base, g, step)
        if adopt is not None:
            measures.append(simulator.measures([scenario(lowered)], replications)[0])
        broken = ~read(measures[k], d, t).meets  # a target missed with this run's lowering
        # (a half hour that misses already is not to be made worse while it is being raised)
        first = np.full(g.size, -1)  # the first half hour (from g) that then misses
        for ahead in range(STRIDE - 1, -1, -1):
            first = np.where(broken[_ahead(g, ahead, n)], ahead, first)
        here[g] = first == 0
        misses[g] = first >= 0
        missed_at[g] = np.where(first >= 0, _ahead(g, first, n), -1)
        if verdicts is not None and stride >= STRIDE:
            one = step[g] == 1
            verdicts.record(Run(lowered, g, measures[k]), base, g[one], first[one])
        if adopt is not None:
            keep = g[~misses[g] & adopt[g]]
            kept[keep] -= step[keep]
    judged = list(runs)
    run_measures = list(measures)
    carried = np.zeros(n, bool)
    if verdicts is not None:
        carried = standing
        for src in np.unique(carried_from[standing]).tolist():
            judged.append(np.flatnonzero(standing & (carried_from == src)))
            run_measures.append(verdicts.runs[src].measures)
    by_one = over & (step == 1) & (stride >= STRIDE)
    return OneFewer(
        staff.copy(),
        over,
        judged,
        run_measures,
        misses,
        here,
        over & ~misses,
        kept,
        simulated=len(runs),
        carried=carried,
        by_one=by_one,
        missed_at=missed_at,
        alone=np.zeros(n, bool),
    )


def _lowered(staff: np.ndarray, g: np.ndarray, step: np.ndarray) -> np.ndarray:
    s = staff.copy()
    s[g] = np.maximum(1, s[g] - step[g])
    return s
