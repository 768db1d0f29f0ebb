"""Routing by skill (``[[staff.groups]]``, sim/core/routing.py): who answers which call.

* exact: constant durations, two groups, the hand-out worked out by hand (FIFO and priority);
* one group serving every call type gives the records of no groups, to the bit, whatever the
  options (menu, priority classes, finite lines, redials, after-call work, dates);
* two groups with disjoint call types are two independent queues: Erlang C for one, Erlang A
  for the other, within the replications' confidence interval;
* conservation over random scenarios with groups (menus, redials, escalations, finite lines and
  seats, hours without a group): every attempt and caller accounted for, every call answered by
  a group serving its type, inside one of the call-taker's sessions, and no call waits while a
  call-taker who may answer it is idle.
"""

from __future__ import annotations

import math
import os
from typing import Any

import numpy as np
import pandas as pd
import pytest
import scipy.stats
from conftest import call_type, make_scenario, trace
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st
from test_conservation import (
    assert_attempt_rows,
    assert_callers_consistent,
    assert_lines_respected,
    assert_windows_add_up,
    duration,
    open_count,
)
from test_model_exact import assert_rows

from sim.analytic.steady import erlang_a_metrics, erlang_c_metrics
from sim.core.model import _Model, simulate
from sim.core.records import ANSWERED, BLOCKED, Records
from sim.errors import ScenarioError
from sim.scenario import variant
from sim.scenario.values import Scenario

TABLES = ("attempts", "callers", "intervals", "sessions")


def grouped(groups: list[tuple[str, list[str], Any]], **tables: Any) -> Scenario:
    """Interval mode, one interval a day, the ``groups`` as (name, serves, call_takers)."""
    staff = tables.pop("staff", {})
    most = int(sum(max(np.ravel(c)) for _, _, c in groups))
    return make_scenario(
        staff={
            "mode": "interval",
            "seats": staff.pop("seats", most),
            "interval": {"minutes": 1440, "escalation": [0]},
            "groups": [{"name": n, "serves": s, "call_takers": c} for n, s, c in groups],
            **staff,
        },
        **tables,
    )


# --- exact ---------------------------------------------------------------------------------


@pytest.mark.parametrize("discipline", ["fifo", "priority"])
def test_each_call_goes_to_a_group_that_serves_it(discipline: str) -> None:
    # Person 0 (group "both") answers A and B, person 1 (group "b") only B; talk 100 s.
    # 10 A: only person 0 may answer: 10-110. 20 B: person 1, 20-120. 30 A and 40 B wait.
    # At 110 person 0 may take either: FIFO takes A (waiting since 30), then B at 120 by
    # person 1. With priority (B before A) person 0 takes B at 110 and person 1, free at 120,
    # may not take A, which waits for person 0 until 210.
    # 400 B: both idle; the one idle longer answers: person 0 (since 210, against 220) with
    # FIFO, person 1 (since 120, against 310) with priority. 410 A: with FIFO person 0 is
    # busy and person 1, idle, does not serve A: A waits for person 0 until 500; with
    # priority person 0 is idle and answers at once.
    types = ["A", "B", "A", "B", "B", "A"]
    sc = grouped(
        [("both", ["A", "B"], [1]), ("b", ["B"], [1])],
        call_types={
            "A": call_type(100.0, share=0.5, priority=2),
            "B": call_type(100.0, share=0.5, priority=1),
        },
        arrivals=trace([10, 20, 30, 40, 400, 410], types),
        lines={"count": "unlimited"},
        queue={"discipline": discipline},
        horizon={"days": 1, "end": "cut"},
    )
    assert _Model(sc, 0).finish_fast_path is None  # groups take the general path
    rec = simulate(sc, 0)
    fifo = discipline == "fifo"
    rows = [
        (0, "answered", 10.0, 10.0, 0),
        (1, "answered", 20.0, 20.0, 1),
        (2, "answered", 30.0, 110.0 if fifo else 210.0, 0),
        (3, "answered", 40.0, 120.0 if fifo else 110.0, 1 if fifo else 0),
        (4, "answered", 400.0, 400.0, 0 if fifo else 1),
        (5, "answered", 410.0, 500.0 if fifo else 410.0, 0),
    ]
    cols = ["caller_id", "outcome", "arrived_at_s", "answered_at_s", "agent_id"]
    assert_rows(rec.attempts, cols, rows)


def test_a_call_waits_while_only_other_groups_are_idle_and_abandons() -> None:
    # Person 0 serves A (talk 100 s), person 1 serves B and stays idle: the B caller at 20
    # is answered at once, the A caller at 30 (patience 50 s) abandons at 80.
    sc = grouped(
        [("a", ["A"], [1]), ("b", ["B"], [1])],
        call_types={
            "A": call_type(100.0, share=0.5, patience_s=50.0),
            "B": call_type(5.0, share=0.5, patience_s=50.0),
        },
        arrivals=trace([10, 20, 30], ["A", "B", "A"]),
        lines={"count": "unlimited"},
        horizon={"days": 1, "end": "cut"},
    )
    rec = simulate(sc, 0)
    cols = ["caller_id", "outcome", "answered_at_s", "agent_id", "line_released_at_s"]
    nan = math.nan
    assert_rows(
        rec.attempts,
        cols,
        [
            (0, "answered", 10.0, 0, 110.0),
            (1, "answered", 20.0, 1, 25.0),
            (2, "abandoned", nan, -1, 80.0),
        ],
    )


# --- one group serving everything is no groups ---------------------------------------------


def _base(**changes: Any) -> dict[str, Any]:
    row = [2, 3, 4, 3, 2, 1] * 4  # hourly, four times a day
    return {
        "horizon": {"days": 2, "warmup_days": 0.25, "seed": 11, "end": "drain"},
        "arrivals": {"mode": "constant", "calls_per_h": 40},
        "call_types": {
            "A": {
                "share": 0.5,
                "priority": 1,
                "talk": {"dist": "exponential", "mean_min": 4},
                "after_call": {"dist": "exponential", "mean_s": 20},
                "patience": {"dist": "exponential", "mean_min": 2},
                "redial": {"after_abandon": 0.4, "after_busy": 0.6},
            },
            "B": {
                "share": 0.3,
                "priority": 2,
                "talk": {"dist": "lognormal", "mean_min": 5, "log_sd": 0.8},
                "patience": {"dist": "exponential", "mean_min": 4},
            },
            "C": {"share": 0.2, "priority": 1, "talk": 200.0, "patience": "inf"},
        },
        "staff": {
            "mode": "interval",
            "seats": 4,
            "interval": {"minutes": 60, "call_takers": row, "escalation": [0] * 24},
        },
        "lines": {"count": "unlimited"},
        **changes,
    }


ONE_GROUP_CASES = {
    "fifo": {},
    "priority": {"queue": {"discipline": "priority"}},
    "finite-lines": {"lines": {"count": 5}},
    "menu": {"call_types.A.menu": 15.0, "call_types.C.menu": {"dist": "exponential", "mean_s": 8}},
    "weekdays": {
        "staff.interval.call_takers": [[1 + (d + h) % 4 for h in range(24)] for d in range(7)]
    },
}


@pytest.mark.parametrize("case", list(ONE_GROUP_CASES))
def test_one_group_serving_every_type_gives_the_records_of_no_groups(case: str) -> None:
    from sim.scenario.files import apply_changes

    changes = ONE_GROUP_CASES[case]
    plain_changes = {k: v for k, v in changes.items() if "." in k}
    tables = {k: v for k, v in changes.items() if "." not in k}
    raw = apply_changes(_base(**tables), plain_changes)
    plain = make_scenario(**raw)
    counts = raw["staff"]["interval"].pop("call_takers")
    raw["staff"]["groups"] = [{"name": "all", "serves": ["C", "A", "B"], "call_takers": counts}]
    one = make_scenario(**raw)
    assert one.staff.interval_call_takers == plain.staff.interval_call_takers
    assert _Model(one, 0).routing is not None and _Model(plain, 0).routing is None
    for r in (0, 1):
        a, b = simulate(plain, r), simulate(one, r)
        assert len(a.attempts) > 500
        for name in TABLES:
            pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), obj=name)


# --- two disjoint groups are two queues ----------------------------------------------------


def test_two_disjoint_groups_are_independent_erlang_c_and_erlang_a_queues() -> None:
    # 90 calls/h, talk exponential 4 min. Group "c" (3 people) serves A and B, 36 calls/h,
    # 2.4 Erl, nobody abandons: Erlang C. Group "a" (4) serves C and D, 54 calls/h, 3.6 Erl,
    # exponential patience 3 min: Erlang A. The groups share nothing, so each is its own queue.
    talk = {"dist": "exponential", "mean_min": 4}
    impatient = {"dist": "exponential", "mean_min": 3}
    types = {
        "A": {"share": 0.25, "talk": talk, "patience": "inf"},
        "B": {"share": 0.15, "talk": talk, "patience": "inf"},
        "C": {"share": 0.35, "talk": talk, "patience": impatient},
        "D": {"share": 0.25, "talk": talk, "patience": impatient},
    }
    sc = grouped(
        [("c", ["A", "B"], [3]), ("a", ["C", "D"], [4])],
        call_types=types,
        arrivals={"mode": "constant", "calls_per_h": 90},
        lines={"count": "unlimited"},
        horizon={"days": 8, "warmup_days": 1, "seed": 5, "end": "cut"},
        staff={"seats": 7},
    )
    per_h = 90 / 3600
    ref_c = erlang_c_metrics(per_h * 0.4, 240.0, 3)
    ref_a = erlang_a_metrics(per_h * 0.6, 240.0, 4, None, 180.0)
    rows = []
    for r in range(24):
        a = simulate(sc, r).attempts
        a = a[a["in_window"] & (a["outcome"].astype(str) != "in_system")]
        ab = a["call_type"].astype(str).isin(["A", "B"])
        ans = a["outcome"].astype(str) == "answered"
        assert set(a.loc[ab & ans, "agent_id"]) <= {0, 1, 2}
        assert set(a.loc[~ab & ans, "agent_id"]) <= {3, 4, 5, 6}
        rows.append(
            (
                a.loc[ab & ans, "wait_s"].mean(),
                (a.loc[ab, "wait_s"] > 0).mean(),
                a.loc[~ab & ans, "wait_s"].mean(),
                (a.loc[~ab, "outcome"].astype(str) == "abandoned").mean(),
            )
        )
    est = np.array(rows)
    mean, se = est.mean(axis=0), est.std(axis=0, ddof=1) / math.sqrt(len(est))
    t = scipy.stats.t.ppf(0.9995, len(est) - 1)  # a 99.9% interval for each of four figures
    exact = [ref_c.asa_s, ref_c.p_wait, ref_a.asa_s, ref_a.p_abandon]
    for name, m, s, x in zip(
        ["asa C", "p_wait C", "asa A", "p_abandon A"], mean, se, exact, strict=True
    ):
        assert abs(m - x) <= t * s, (name, m, s, x)


# --- conservation ----------------------------------------------------------------------------


def assert_routed(rec: Records) -> None:
    """Each answered call by a call-taker of a group serving its type, within one of their
    sessions, one call at a time; no call waits while a call-taker who may answer it is idle.
    """
    sc, a, ses = rec.scenario, rec.attempt, rec.session
    names = [t.name for t in sc.call_types]
    group_of = simulate_roster_groups(sc)
    serves = np.array([[n in g.serves for n in names] for g in sc.staff.groups])
    ans = a["outcome"] == ANSWERED
    who = a["agent_id"][ans]
    assert np.all(serves[group_of[who], a["call_type"][ans]]), "answered by a group not serving it"
    work_person, work_start, work_end = rec.taker_work
    taker = ses["role"] == 0
    for p in np.unique(work_person):
        mine = ses["person_id"] == p
        login, logout = ses["login_at_s"][mine], ses["logout_at_s"][mine]
        js, je = work_start[work_person == p], work_end[work_person == p]
        k = np.searchsorted(np.sort(login), js, "right") - 1
        assert np.all(k >= 0) and np.all(je <= np.sort(logout)[k]), "work outside a session"
        o = np.argsort(js, kind="stable")
        assert np.all(js[o][1:] >= je[o][:-1]), "two calls at once"
    # Halfway through any wait, every logged-in call-taker who may answer the call is busy.
    wait = rec.attempts["wait_s"].to_numpy()
    queued = rec.queued_at_s
    end_wait = np.where(np.isnan(wait), rec.stop_s - queued, wait)
    waited = (end_wait > 0) & (a["outcome"] != BLOCKED)
    for t in range(len(names)):
        mid = (queued + end_wait / 2)[waited & (a["call_type"] == t)]
        if not mid.size:
            continue
        may = serves[:, t][group_of]
        s_may = taker & may[ses["person_id"]]
        logged = open_count(ses["login_at_s"][s_may], ses["logout_at_s"][s_may], mid, False)
        w_may = may[work_person]
        busy = open_count(work_start[w_may], work_end[w_may], mid, False)
        assert np.all(busy == logged), (
            f"a {names[t]} call waited while a call-taker for it was idle"
        )


def simulate_roster_groups(sc: Scenario) -> np.ndarray:
    """Each person's group, as the model numbers them (the groups' people in order)."""
    return _Model(sc, 0).roster.group_of


SETTINGS = settings(
    max_examples=int(os.environ.get("CONSERVATION_EXAMPLES", 30)),
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@st.composite
def grouped_scenarios(draw: st.DrawFn) -> tuple[Scenario, int]:
    n_types = draw(st.integers(1, 4))
    names = [f"t{i}" for i in range(n_types)]
    types = {
        n: {
            "share": 1 / n_types,
            "priority": draw(st.integers(1, 3)),
            "talk": draw(duration(10, 900)),
            "after_call": draw(st.one_of(st.just(0), duration(1, 120))),
            "patience": draw(st.one_of(st.just("inf"), duration(5, 600))),
            "menu": draw(st.one_of(st.just(0), duration(1, 60))),
            "redial": {"after_abandon": draw(st.floats(0, 1)), "after_busy": draw(st.floats(0, 1))},
            "escalation_share": draw(st.sampled_from([0.0, 0.0, 0.3, 1.0])),
            "escalation_talk": draw(duration(10, 600)),
        }
        for n in names
    }
    n_groups = draw(st.integers(1, 4))
    minutes = draw(st.sampled_from([60, 240, 720]))
    slots = 1440 // minutes
    groups = []
    for g in range(n_groups):
        serves = draw(st.lists(st.sampled_from(names), min_size=1, max_size=n_types, unique=True))
        counts = draw(st.lists(st.integers(0, 3), min_size=slots, max_size=slots))
        groups.append({"name": f"g{g}", "serves": serves, "call_takers": counts})
    most = sum(max(g["call_takers"]) for g in groups)
    if most == 0:
        reject()
    raw = {
        "horizon": {
            "days": draw(st.sampled_from([0.5, 1.0, 1.5])),
            "warmup_days": 0.0,
            "seed": draw(st.integers(0, 2**32 - 1)),
            "end": draw(st.sampled_from(["cut", "drain"])),
        },
        "arrivals": {"mode": "constant", "calls_per_h": draw(st.floats(1, 60))},
        "call_types": types,
        "lines": {"count": draw(st.one_of(st.integers(1, 8), st.just("inf")))},
        "queue": {"discipline": draw(st.sampled_from(["fifo", "priority"]))},
        "staff": {
            "mode": "interval",
            "allow_uncovered_hours": True,
            "seats": draw(st.integers(1, max(most, 1))),
            "interval": {"minutes": minutes, "escalation": [draw(st.integers(1, 2))] * slots},
            "groups": groups,
        },
    }
    try:
        sc = make_scenario(**raw)
    except ScenarioError:  # e.g. a type no group serves, seats above the most on duty
        reject()
    return sc, draw(st.integers(0, 3))


@SETTINGS
@given(grouped_scenarios())
def test_every_call_is_accounted_for_and_routed_by_skill(case: tuple[Scenario, int]) -> None:
    sc, replication = case
    rec = simulate(sc, replication)
    assert_attempt_rows(rec)
    assert_windows_add_up(rec, [(0.0, math.inf), rec.window_s])
    assert_callers_consistent(rec)
    assert_lines_respected(rec)
    assert_routed(rec)


def test_groups_by_date_follow_each_dates_counts() -> None:
    # By date: day 0 group "a" has 1 person, day 1 two; group "b" the other way round.
    sc = grouped(
        [("a", ["A"], [[1], [2]]), ("b", ["B"], [[2], [1]])],
        call_types={"A": call_type(60.0, share=0.5), "B": call_type(60.0, share=0.5)},
        horizon={"days": 2, "end": "cut"},
        staff={"interval": {"minutes": 1440, "escalation": [0], "by": "date"}, "seats": 3},
    )
    assert sc.staff.interval_call_takers == ((3,), (3,))
    r = _Model(variant(sc, {}), 0).roster
    assert r.group_of.tolist() == [0, 0, 1, 1]
    duty = sorted(
        zip(r.duty_person.tolist(), r.duty_start_s.tolist(), r.duty_end_s.tolist(), strict=True)
    )
    # Days after the last date (the drain, 3 days) repeat its counts.
    day = 86_400.0
    assert duty == [(0, 0.0, 5 * day), (1, day, 5 * day), (2, 0.0, 5 * day), (3, 0.0, day)]
