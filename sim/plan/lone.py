"""Lone runs: a "one fewer" verdict made again with that half hour lowered and nowhere else.

The staggered runs of :func:`sim.plan.reading.one_fewer` lower half hours 2 h or more apart
together, and what the others change (the queue, the redials, the very order of the callers)
can help a half hour: it may meet there with one fewer and miss when lowered alone. ISA's last
stage (:func:`sim.plan.trim.lone_stage`) and ``helpline plan --check`` make each "meets"
verdict again in a run of its own (:func:`alone`), and carry a lone "misses" across a change
its run does not rest on (:func:`carry_alone`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np

from sim.plan.demand import Demand
from sim.plan.measure import Measures
from sim.plan.reading import REACH, OneFewer, Reading, Simulates, by_a_hair, read
from sim.plan.targets import PlanTargets

__all__ = ["alone", "carry_alone", "lone_run"]


def alone(
    f: OneFewer,
    r: Reading,
    d: Demand,
    t: PlanTargets,
    scenario: Callable[[np.ndarray], object],
    simulator: Simulates,
    replications: int,
) -> OneFewer:
    """``f`` with each half hour whose verdict says one fewer meets tested again alone.

    A staggered run lowers a half hour beside others 2 h or more away, and what they change
    (the queue, the redials, the very order of the callers) can help it: a half hour may meet
    there with one fewer and miss when lowered alone. So the "meets" verdicts are made again,
    each in a run of its own (``f.staffing`` with one fewer at that half hour and nowhere
    else; the same replications, so the same draws, and every difference from ``r``, the
    reading of ``f.staffing``, is that lowering's). Such a run says one fewer misses when a
    target is missed there or in the next ``REACH`` half hours (as a staggered run reads it),
    or when any half hour of the week that was within :data:`~sim.plan.reading.HAIR` of its
    targets is then short by more (the trim's rule for keeping a staffing: one fewer there is
    not a staffing the plan could keep). The verdicts of "misses" stand as they were. The runs
    are appended to ``runs`` and ``measures`` (one half hour each, after those they supersede).
    """
    g_all = np.flatnonzero(f.fewer_meets & ~(f.alone if f.alone is not None else False))
    if g_all.size == 0:
        return f
    n = f.staffing.size
    lowered = []
    for h in g_all.tolist():
        s = f.staffing.copy()
        s[h] -= 1  # "meets" verdicts are of half hours with more than one call-taker
        lowered.append(s)
    got = simulator.measures([scenario(s) for s in lowered], replications)
    held = by_a_hair(r, t)
    misses, here = f.misses.copy(), f.misses_here.copy()
    missed_at = f.missed_at.copy() if f.missed_at is not None else np.full(n, -1)
    lone = np.zeros(n, bool) if f.alone is None else f.alone.copy()
    for h, m in zip(g_all.tolist(), got, strict=True):
        lr = read(m, d, t)
        bad = held & ~by_a_hair(lr, t)
        near = (h + np.arange(REACH + 1)) % n
        bad[near] |= ~lr.meets[near]
        later = np.flatnonzero(bad[(h + np.arange(n)) % n])
        lone[h] = True
        if later.size:
            misses[h], here[h] = True, bool(later[0] == 0)
            missed_at[h] = (h + int(later[0])) % n
    return replace(
        f,
        runs=[*f.runs, *(np.array([h]) for h in g_all.tolist())],
        measures=[*f.measures, *got],
        misses=misses,
        misses_here=here,
        fewer_meets=f.over & ~misses,
        simulated=f.simulated + g_all.size,
        missed_at=missed_at,
        alone=lone,
    )


def carry_alone(f: OneFewer, before: OneFewer, changed_at: int) -> OneFewer:
    """``f`` (a fresh test of ``before.staffing`` with one agent fewer at ``changed_at``) with
    the lone verdicts of ``before`` that say one fewer misses kept where ``f``'s staggered
    runs say it meets, for each half hour whose verdict does not rest on ``changed_at``.

    A lone verdict of "misses" at half hour ``h`` rests on the counts from ``REACH`` before it
    (what comes in) to ``REACH`` after its first miss (the callers then waiting), the week
    wrapping as in :func:`neighbourhoods`; a change outside them leaves that run as it was up
    to the miss, as far as what reaches a half hour comes from within 1.5 h of it (the
    assumption :class:`Verdicts` makes). Saves each kept lowering of the last stage from
    making again the lone runs of every "meets" the staggered runs repeat.
    """
    if before.alone is None or before.missed_at is None or f.missed_at is None:
        return f
    n = f.staffing.size
    idx = np.arange(n)
    start = (idx - REACH) % n
    length = (before.missed_at - idx) % n + 2 * REACH
    rests = (changed_at - start) % n <= length
    keep = before.alone & before.misses & f.fewer_meets & ~rests
    if not keep.any():
        return f
    g_all = np.flatnonzero(keep)
    misses, here = f.misses.copy(), f.misses_here.copy()
    missed_at = f.missed_at.copy()
    lone = f.alone.copy() if f.alone is not None else np.zeros(n, bool)
    misses[g_all], here[g_all] = True, before.misses_here[g_all]
    missed_at[g_all], lone[g_all] = before.missed_at[g_all], True
    runs, measures = [*f.runs], [*f.measures]
    for h in g_all.tolist():
        runs.append(np.array([h]))
        measures.append(lone_run(before, h))
    return replace(
        f,
        runs=runs,
        measures=measures,
        misses=misses,
        misses_here=here,
        fewer_meets=f.over & ~misses,
        missed_at=missed_at,
        alone=lone,
        lone_carried=keep,
    )


def lone_run(f: OneFewer, h: int) -> Measures:
    """The measures of ``f``'s run that lowered half hour ``h`` alone (the last such run)."""
    for g, m in zip(reversed(f.runs), reversed(f.measures), strict=True):
        if g.size == 1 and int(g[0]) == h:
            return m
    raise ValueError(f"half hour {h} has no lone run")
