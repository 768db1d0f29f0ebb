"""ISA's trim, exactly: it lowers the half hours where one fewer still meets, keeps a lowering
only when the staffing it leaves holds in its own simulation, and ends on a staffing it
simulated, with that staffing's fresh "one fewer" test.

Stand-ins for the simulation (``StepHelpline`` of test_isa_rules: 95% from a half hour's need
up, 70% one below) make every outcome known.
"""

from __future__ import annotations

import numpy as np
import pytest
from test_fewer_verdicts import Demand1, N, T
from test_isa_rules import CALLS, StepHelpline, setting  # noqa: F401 (the fixture)

from sim.plan.check import staffing_check, summary
from sim.plan.reading import one_fewer, read
from sim.plan.trim import blamed, lone_stage, trim


class Demand2(Demand1):
    """What the trim needs of a demand: the handle time and the interval."""

    interval_s = 1800.0


class PairHelpline(StepHelpline):
    """As ``StepHelpline``, but half hour ``PAIR + 1`` also needs one agent more than its own
    need and its predecessor's together: at ``need + 1`` in both, either may lose one agent
    and every half hour still meets; lowered together, ``PAIR + 1`` misses.
    """

    PAIR = 20

    def truth(self, staff: np.ndarray) -> np.ndarray:
        out = super().truth(staff)
        p = self.PAIR
        if staff[p] + staff[p + 1] < self.need[p] + self.need[p + 1] + 1:
            out[p + 1] = min(out[p + 1], 0.7)
        return out


class QueueHelpline(StepHelpline):
    """As ``StepHelpline``, but half hour ``PAIR + 1`` also needs one agent more than its own
    need and its predecessor's together, unless half hour ``PAIR - 4`` has fewer than its own
    need (fewer callers answered then, less after-call work later: a lowering earlier that
    helps). So the "one fewer" run lowering ``PAIR`` with ``PAIR - 4`` beside it says one fewer
    meets, and lowering ``PAIR`` alone makes ``PAIR + 1`` miss.
    """

    PAIR = 20

    def truth(self, staff: np.ndarray) -> np.ndarray:
        out = super().truth(staff)
        p, q = self.PAIR, self.PAIR - 4
        helped = staff[q] < self.need[q]
        if staff[p] + staff[p + 1] < self.need[p] + self.need[p + 1] + 1 - int(helped):
            out[p + 1] = min(out[p + 1], 0.7)
        return out


class FarHelpline(StepHelpline):
    """As ``StepHelpline``, but one agent fewer than ``need + 1`` at half hour ``FAR`` makes
    half hour ``FAR + 8`` (4 h on, further than the "one fewer" test reads) miss: the
    staggered test says one fewer meets there, a run lowering it alone shows it does not.
    """

    FAR = 20

    def truth(self, staff: np.ndarray) -> np.ndarray:
        out = super().truth(staff)
        if staff[self.FAR] < self.need[self.FAR] + 1:
            out[self.FAR + 8] = min(out[self.FAR + 8], 0.7)
        return out


def rounds_of(done) -> list[dict]:  # type: ignore[no-untyped-def]
    """The trim's rounds (rows of phase ``trim``; the lone tests' row is ``alone``)."""
    return [r for r in done.rows if r["phase"] == "trim"]


def _start(helpline: StepHelpline, staff: np.ndarray):  # type: ignore[no-untyped-def]
    m = helpline.measures([staff], 2)[0]
    r = read(m, Demand2(), T)  # type: ignore[arg-type]
    f = one_fewer(staff, r, Demand2(), T, lambda s: s.copy(), helpline, 2)  # type: ignore[arg-type]
    return m, f


def _trim(helpline: StepHelpline, staff: np.ndarray, rounds: int = 3):  # type: ignore[no-untyped-def]
    m, f = _start(helpline, staff)
    return f, trim(
        staff,
        m,
        f,
        Demand2(),  # type: ignore[arg-type]
        T,
        lambda s: s.copy(),
        helpline,
        2,
        first_iteration=7,
        rounds=rounds,
    )


def _lone(helpline: StepHelpline, staff: np.ndarray, adoptions: int = 3):  # type: ignore[no-untyped-def]
    """The lone stage from ``staff`` and its fresh test: the staffing, test and rows it ends on."""
    m, f = _start(helpline, staff)
    kept, _, last, rows = lone_stage(
        staff,
        m,
        f,
        Demand2(),
        T,
        lambda s: s.copy(),
        helpline,
        2,
        first_iteration=1,  # type: ignore[arg-type]
        adoptions=adoptions,
    )
    return kept, last, rows


def test_the_trim_lowers_every_spare_agent_and_ends_on_a_staffing_it_simulated() -> None:
    need = np.full(N, 10)
    helpline = StepHelpline(need, np.full(N, CALLS))
    staff = need.copy()
    staff[[3, 4, 30]] += 1  # spare agents, two of them side by side
    first, done = _trim(helpline, staff)
    assert np.flatnonzero(first.fewer_meets).tolist() == [3, 4, 30]
    assert np.array_equal(done.staffing, need)
    assert not done.fewer.fewer_meets.any() and bool(done.fewer.misses.all())
    # What it returns is of the staffing it returns: its simulation and its fresh test.
    assert np.array_equal(done.fewer.staffing, need)
    assert np.array_equal(done.measures.within, helpline.measures([need], 2)[0].within)
    assert [r["kept"] for r in done.rows] == [True]  # nothing left to test alone
    assert done.rows[0]["iteration"] == 7 and done.rows[0]["phase"] == "trim"
    assert done.rows[0]["intervals_changed"] == 3


def test_a_lowering_that_misses_beside_another_is_not_kept_and_the_other_is() -> None:
    need = np.full(N, 10)
    helpline = PairHelpline(need, np.full(N, CALLS))
    p = PairHelpline.PAIR
    staff = need.copy()
    staff[[p, p + 1]] += 1
    first, done = _trim(helpline, staff)
    # Each alone may go (the test lowers them in different runs), not both.
    assert np.flatnonzero(first.fewer_meets).tolist() == [p, p + 1]
    # Round 1 lowers both: p + 1 misses, laid to p + 1 (the nearest lowered at or before it,
    # itself), which is barred; round 2 lowers p alone and keeps it; then one fewer at p + 1
    # makes it miss, and nothing is left.
    assert [r["kept"] for r in done.rows] == [False, True]
    want = need.copy()
    want[p + 1] += 1
    assert np.array_equal(done.staffing, want)
    assert not done.fewer.fewer_meets.any()
    assert bool(done.fewer.misses[p + 1])
    assert done.fewer.missed_at is not None and done.fewer.missed_at[p + 1] == p + 1


def test_a_lowering_whose_queue_misses_next_moves_that_agent_there() -> None:
    need = np.full(N, 10)
    helpline = QueueHelpline(need, np.full(N, CALLS))
    p = QueueHelpline.PAIR
    staff = need.copy()
    staff[p] += 1
    first, done = _trim(helpline, staff)
    assert np.flatnonzero(first.fewer_meets).tolist() == [p]  # judged beside p - 4 lowered
    # Lowered alone, p + 1 misses: the next round moves the agent from p to p + 1, which holds,
    # and its fresh test finds nothing spare (one fewer at p + 1 misses, at p too).
    assert [r["kept"] for r in done.rows] == [False, True]
    assert done.rows[1]["intervals_changed"] == 2 and done.rows[1]["intervals_raised"] == 1
    want = need.copy()
    want[p + 1] += 1
    assert np.array_equal(done.staffing, want)
    assert not done.fewer.fewer_meets.any()
    assert done.staffing.sum() == staff.sum()


def test_the_trim_stops_where_a_round_has_no_room_for_its_simulation_and_fresh_test() -> None:
    need = np.full(N, 10)
    helpline = PairHelpline(need, np.full(N, CALLS))
    p = PairHelpline.PAIR
    staff = need.copy()
    staff[[p, p + 1]] += 1
    m, f = _start(helpline, staff)
    # Room for one round and its fresh test (1 + 4 runs), not for a second.
    done = trim(
        staff,
        m,
        f,
        Demand2(),
        T,
        lambda s: s.copy(),
        helpline,
        2,  # type: ignore[arg-type]
        first_iteration=1,
        simulations_max=5,
    )
    assert [r["kept"] for r in rounds_of(done)] == [False]
    # The rounds keep nothing; the lone stage after them lowers p (below).
    assert done.rows[0]["intervals_changed"] == 0


def test_where_the_rounds_keep_nothing_a_lowering_that_holds_alone_is_kept() -> None:
    need = np.full(N, 10)
    helpline = PairHelpline(need, np.full(N, CALLS))
    p = PairHelpline.PAIR
    staff = need.copy()
    staff[[p, p + 1]] += 1
    _, done = _trim(helpline, staff, rounds=1)
    assert [r["kept"] for r in rounds_of(done)] == [False]
    assert done.rows[0]["intervals_changed"] == 0
    # Each of the pair alone may go (only both together miss): both lone runs hold, so the
    # first (both are as over-served) is lowered, its lone run standing as the simulation of
    # the staffing kept; the fresh test then finds one fewer at p + 1 misses beside it.
    assert [r["phase"] for r in done.rows] == ["trim", "alone"]
    lone = done.rows[1]
    assert lone["intervals_lowered"] == 2 and lone["intervals_short"] == 0 and lone["kept"]
    assert lone["simulations"] == 2 + 4  # two lone runs, then a fresh test of 4 runs
    want = need.copy()
    want[p + 1] += 1
    assert np.array_equal(done.staffing, want)
    assert np.array_equal(done.fewer.staffing, want)
    # The start and its test, the round, the two lone runs, the fresh test: nothing after it.
    assert len(helpline.seen) == 1 + 4 + 1 + 2 + 4
    assert np.array_equal(done.measures.within, helpline.measures([want], 2)[0].within)
    assert not done.fewer.fewer_meets.any() and bool(done.fewer.misses[p + 1])


def test_the_lone_stage_keeps_at_most_its_number_of_lowerings() -> None:
    need = np.full(N, 10)
    helpline = StepHelpline(need, np.full(N, CALLS))
    staff = need.copy()
    staff[[3, 13, 23, 33]] += 1  # four spare agents, each alone and together
    kept, last, rows = _lone(helpline, staff, adoptions=2)
    assert [r["kept"] for r in rows] == [True, True, False]
    # Each fresh test's "meets" verdicts are made alone again: 4, then the 3 left, then 2.
    assert [r["intervals_lowered"] for r in rows] == [4, 3, 2]
    assert int(staff.sum() - kept.sum()) == 2
    assert int(last.fewer_meets.sum()) == 2 and bool(last.alone[last.fewer_meets].all())


def test_a_lowering_that_misses_far_on_alone_ends_with_the_verdict_of_its_lone_run() -> None:
    need = np.full(N, 10)
    helpline = FarHelpline(need, np.full(N, CALLS))
    h = FarHelpline.FAR
    staff = need.copy()
    staff[h] += 1
    first, done = _trim(helpline, staff)
    # The staggered test reads the next 1.5 h only: one fewer "meets".
    assert np.flatnonzero(first.fewer_meets).tolist() == [h]
    # The round lowering it finds h + 8 short, too far on to move the agent there: barred.
    assert [r["kept"] for r in rounds_of(done)] == [False]
    assert np.array_equal(done.staffing, staff)
    # Tested alone, one fewer misses 4 h on: the verdict the check reports.
    assert not done.fewer.fewer_meets.any()
    assert bool(done.fewer.misses[h]) and not bool(done.fewer.misses_here[h])
    assert done.fewer.missed_at is not None and done.fewer.missed_at[h] == h + 8
    assert done.fewer.alone is not None and bool(done.fewer.alone[h])
    assert done.rows[-1]["phase"] == "alone" and done.rows[-1]["intervals_short"] == 1
    # The lone run is of the staffing with one fewer at h and nowhere else.
    lone = helpline.seen[-1]
    assert np.flatnonzero(lone != staff).tolist() == [h] and lone[h] == staff[h] - 1


def test_a_miss_is_laid_to_the_nearest_lowering_at_or_before_it_the_week_wrapping() -> None:
    lowered = np.zeros(10, bool)
    lowered[[2, 5, 9]] = True
    short = np.zeros(10, bool)
    short[[6, 1]] = True  # 6: lowered 5 is nearest; 1: lowered 9 (the week wraps)
    assert np.flatnonzero(blamed(lowered, short)).tolist() == [5, 9]
    short[:] = False
    short[5] = True  # a lowered half hour that misses itself
    assert np.flatnonzero(blamed(lowered, short)).tolist() == [5]
    assert not blamed(np.zeros(10, bool), short).any()


def test_the_check_reports_the_lone_verdict_and_where_one_fewer_then_misses(setting) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    sc, t, d, mol, need, _ = setting
    h = FarHelpline.FAR
    helpline = FarHelpline(need, d.calls_per_s * d.handle_s)
    staff = need.copy()
    staff[h] += 1
    check = staffing_check(sc, d, t, {"isa": staff}, np.ones_like(mol), helpline, 2)
    over = check.table[check.table["over_served"]]
    row = over[over["interval"] == h].iloc[0]
    # Its staggered run said one fewer meets (h + 8 is not read); alone, h + 8 misses.
    assert bool(row["fewer_alone"]) and bool(row["fewer_misses"])
    assert not bool(row["fewer_misses_here"]) and row["fewer_missed_at"] == h + 8
    assert row["fewer_service_level"] == 0.95  # at h itself, one fewer still meets
    assert over.drop(index=row.name)["fewer_alone"].eq(False).all()
    f = summary(check, t)["isa"]
    assert f["over_5_points_fewer_misses"] == f["over_5_points"] == staff.size
    assert f["over_5_points_fewer_misses_later"] == 1 and f["over_5_points_fewer_alone"] == 1


@pytest.mark.parametrize(("q", "carried"), [(40, True), (FarHelpline.FAR + 5, False)])
def test_a_lone_miss_is_carried_across_a_lowering_its_run_does_not_rest_on(
    q: int, carried: bool
) -> None:
    need = np.full(N, 10)
    helpline = FarHelpline(need, np.full(N, CALLS))
    h = FarHelpline.FAR
    staff = need.copy()
    staff[[h, q]] += 1  # h: one fewer misses 4 h on; q: spare
    kept, last, rows = _lone(helpline, staff)
    # Both tested alone; q's lone run holds and is kept; then h's lone miss (resting on the
    # counts from 1.5 h before h to 1.5 h after h + 8) is carried unless q lies within them.
    assert rows[0]["intervals_lowered"] == 2 and rows[0]["kept"]
    assert int(staff.sum() - kept.sum()) == 1 and kept[q] == need[q]
    assert bool(last.misses[h]) and last.missed_at is not None and last.missed_at[h] == h + 8
    lone_carried = last.lone_carried if last.lone_carried is not None else np.zeros(N, bool)
    if carried:  # nothing left to run alone: no second pass
        assert len(rows) == 1 and bool(lone_carried[h])
    else:  # h made again alone at the new staffing
        assert rows[1]["intervals_lowered"] == 1 and not rows[1]["kept"]
        assert not bool(lone_carried[h])
    assert not last.fewer_meets.any()
