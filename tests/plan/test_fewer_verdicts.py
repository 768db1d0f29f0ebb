"""The "one fewer" verdicts ISA keeps between iterations, exactly: a verdict stands while the
counts it rests on are unchanged and is dropped, and made again, when one of them changes.

The stand-in helpline (``StepHelpline`` of test_isa_rules) gives each half hour 95% from its
need up, 70% one below; so one fewer misses exactly where a half hour is at its need.
"""

from __future__ import annotations

import numpy as np
from test_isa_rules import CALLS, StepHelpline

from sim.plan.measure import Measures
from sim.plan.reading import REACH, STRIDE, Verdicts, one_fewer, pack, read
from sim.plan.targets import PlanTargets

N = 48
T = PlanTargets(
    service_level_min=0.8,
    service_level_s=20.0,
    service_level_of="offered",
    abandon_rate_max=None,
    asa_max_s=None,
    block_rate_max=0.01,
    defaulted=False,
)


class Demand1:
    """What :func:`sim.plan.reading.read` needs of a demand: the mean handle time."""

    handle_s = 300.0


def _test(helpline: StepHelpline, staff: np.ndarray, verdicts: Verdicts, adopt: bool = False):  # type: ignore[no-untyped-def]
    m: Measures = helpline.measures([staff], 2)[0]
    r = read(m, Demand1(), T)  # type: ignore[arg-type]
    mask = np.ones(N, bool) if adopt else None
    return one_fewer(
        staff, r, Demand1(), T, lambda s: s.copy(), helpline, 2, adopt=mask, verdicts=verdicts
    )  # type: ignore[arg-type]


def test_a_verdict_stands_while_its_counts_stand_and_is_dropped_when_a_neighbour_changes() -> None:
    need = np.full(N, 10)
    helpline = StepHelpline(need, np.full(N, CALLS))
    staff = need.copy()
    staff[20] += 1  # the one half hour where one fewer still meets
    verdicts = Verdicts(N)
    first = _test(helpline, staff, verdicts)
    assert first.simulated == STRIDE  # every half hour is over-served (95%): four runs
    assert first.fewer_meets.sum() == 1 and bool(first.fewer_meets[20])
    assert first.carried is not None and not first.carried.any()
    # The same staffing again: every verdict stands, nothing is simulated, the same verdicts.
    seen = len(helpline.seen)
    again = _test(helpline, staff, verdicts)
    assert again.simulated == 0 and len(helpline.seen) == seen + 1  # only the staffing itself
    assert again.carried is not None and again.carried.all()
    assert np.array_equal(again.misses, first.misses)
    # One count changes (half hour 30 gets one more): the verdicts resting on it are dropped
    # and made again, the others stand. Half hour h rests on h - REACH .. h + its first miss
    # (here, one fewer misses at h itself), so those from 30 to 30 + REACH are made again.
    changed = staff.copy()
    changed[30] += 1
    third = _test(helpline, changed, verdicts)
    assert third.carried is not None
    again_made = np.flatnonzero(~third.carried)
    assert set(again_made.tolist()) == set(range(30, 30 + REACH + 1))
    assert third.simulated == STRIDE  # four neighbours in a row: four runs
    # With one over its need, 30 is now where one fewer still meets; 20's verdict stood.
    assert bool(third.fewer_meets[30]) and bool(third.fewer_meets[20])


def test_a_verdict_that_rests_on_the_half_hours_after_it_is_dropped_when_they_change() -> None:
    need = np.full(N, 10)
    verdicts = Verdicts(N)
    helpline = StepHelpline(need, np.full(N, CALLS))
    staff = need + 1  # one spare everywhere: one fewer meets everywhere
    first = _test(helpline, staff, verdicts)
    assert first.fewer_meets.all()
    # A verdict that one fewer meets rests on the counts REACH after it too.
    changed = staff.copy()
    changed[10] += 1
    second = _test(helpline, changed, verdicts)
    assert second.carried is not None
    assert set(np.flatnonzero(~second.carried).tolist()) == set(range(10 - REACH, 10 + REACH + 1))


def test_the_week_wraps_through_the_warm_up_day() -> None:
    need = np.full(N, 10)
    verdicts = Verdicts(N)
    helpline = StepHelpline(need, np.full(N, CALLS))
    _test(helpline, need.copy(), verdicts)
    changed = need.copy()
    changed[N - 1] += 1  # the week's last half hour also staffs the warm-up day's last
    second = _test(helpline, changed, verdicts)
    assert second.carried is not None
    assert set(np.flatnonzero(~second.carried).tolist()) == {N - 1, 0, 1, 2}


def test_kept_lowerings_drop_the_verdicts_around_them() -> None:
    need = np.full(N, 10)
    verdicts = Verdicts(N)
    helpline = StepHelpline(need, np.full(N, CALLS))
    staff = need.copy()
    staff[[5, 25]] += 1
    first = _test(helpline, staff, verdicts, adopt=True)
    assert np.array_equal(first.adopted, need)  # both lowerings kept
    second = _test(helpline, first.adopted, verdicts)
    assert second.carried is not None
    # Verdicts made before a lowering was kept rest on the count it changed: made again
    # (those made after it, in later runs, were made beside it and stand).
    redone = set(np.flatnonzero(~second.carried).tolist())
    assert {5, 25} <= redone
    assert redone <= set(range(5, 5 + REACH + 1)) | set(range(25, 25 + REACH + 1))
    assert second.fewer_meets.sum() == 0


def test_pack_keeps_a_run_stride_apart_across_the_wrap_in_the_fewest_runs() -> None:
    rng = np.random.default_rng(4)
    n = 96
    for _ in range(200):
        idx = np.sort(rng.choice(n, size=int(rng.integers(1, n)), replace=False))
        runs = pack(idx, n)
        assert sorted(np.concatenate(runs).tolist()) == idx.tolist()
        for g in runs:
            for a in g.tolist():
                gaps = (g - a) % n
                assert np.all((gaps == 0) | ((gaps >= STRIDE) & (gaps <= n - STRIDE)))
        marks = np.zeros(n, int)
        marks[idx] = 1
        most = max(int(np.sum(marks[(k + np.arange(STRIDE)) % n])) for k in range(n))
        assert len(runs) <= max(most, STRIDE) and len(runs) >= most
    assert len(pack(np.array([3, 10, 17, 40]), n)) == 1
    assert len(pack(np.array([0, 2, 95]), n)) == 3
