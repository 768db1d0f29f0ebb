"""Interval staffing and teams of different sizes: the people on duty follow the counts exactly.

Interval mode (``staff.mode = "interval"``) gives the number of call-takers and officers on duty
in every interval of the day, one list for every day or seven (Monday..Sunday). Person ``k`` of a
role works every run of intervals whose count exceeds ``k``, so at every instant the number on
duty is the count. ``staff.team_shares`` deals the roster's teams in given proportions.
"""

from __future__ import annotations

import functools
import operator

import numpy as np
from conftest import call_type, make_scenario, trace
from test_model_exact import SESSION_COLS, assert_rows

from sim.core.model import simulate
from sim.core.roster import CALL_TAKER, ESCALATION, build_roster
from sim.scenario.values import DAY_S, deal_teams

H = 3600.0


def interval_scenario(takers: list, escalation: list | int = 0, minutes: int = 60, **kw):
    esc = escalation if isinstance(escalation, list) else [escalation] * (1440 // minutes)
    return make_scenario(
        staff={
            "mode": "interval",
            "seats": kw.pop("seats", 3),
            "interval": {"minutes": minutes, "call_takers": takers, "escalation": esc},
        },
        **kw,
    )


def on_duty(roster, role: int, at_s: np.ndarray) -> np.ndarray:
    """People of ``role`` on duty at each instant, from the roster's duty periods."""
    people = roster.people["role"].to_numpy()[roster.duty_person] == role
    s, e = roster.duty_start_s[people], roster.duty_end_s[people]
    return ((s[None, :] <= at_s[:, None]) & (at_s[:, None] < e[None, :])).sum(axis=1)


def test_count_on_duty_follows_the_curve_every_half_hour_of_every_weekday() -> None:
    rng = np.random.default_rng(7)
    takers = rng.integers(1, 9, size=(7, 48)).tolist()
    officers = rng.integers(1, 4, size=(7, 48)).tolist()
    # 2023-07-05 is a Wednesday: day 0 uses list 2.
    sc = make_scenario(
        horizon={"days": 9, "start_date": "2023-07-05"},
        staff={
            "mode": "interval",
            "seats": 8,
            "interval": {"minutes": 30, "call_takers": takers, "escalation": officers},
        },
    )
    roster = build_roster(sc.staff, sc.horizon, np.random.default_rng(0), extra_days=0)
    mid_s = (np.arange(9 * 48) + 0.5) * 1800.0
    weekday = (2 + np.arange(9 * 48) // 48) % 7
    slot = np.arange(9 * 48) % 48
    assert on_duty(roster, CALL_TAKER, mid_s).tolist() == np.array(takers)[weekday, slot].tolist()
    assert on_duty(roster, ESCALATION, mid_s).tolist() == np.array(officers)[weekday, slot].tolist()
    # Just after each boundary, too: nobody lingers and nobody is late.
    assert (
        on_duty(roster, CALL_TAKER, mid_s - 899.0).tolist()
        == on_duty(roster, CALL_TAKER, mid_s).tolist()
    )
    assert len(roster.break_person) == 0


def test_lists_by_date_follow_the_horizon_days_and_the_last_repeats_in_the_drain() -> None:
    rng = np.random.default_rng(11)
    takers = rng.integers(1, 9, size=(3, 24)).tolist()
    sc = make_scenario(
        horizon={"days": 3, "start_date": "2023-07-05"},
        staff={
            "mode": "interval",
            "seats": 8,
            "interval": {
                "minutes": 60,
                "by": "date",
                "call_takers": takers,
                "escalation": [1] * 24,
            },
        },
    )
    assert sc.staff.interval_by_date
    roster = build_roster(sc.staff, sc.horizon, np.random.default_rng(0), extra_days=1)
    mid_s = (np.arange(4 * 24) + 0.5) * H
    day = np.minimum(np.arange(4 * 24) // 24, 2)  # the drain day repeats the last date
    want = np.array(takers)[day, np.arange(4 * 24) % 24]
    assert on_duty(roster, CALL_TAKER, mid_s).tolist() == want.tolist()


def test_one_list_repeats_daily_and_periods_run_across_midnight() -> None:
    # Hourly counts: 1 from 00:00, 3 from 06:00, 2 from 12:00 to midnight.
    sc = interval_scenario([1] * 6 + [3] * 6 + [2] * 12, horizon={"days": 2})
    roster = build_roster(sc.staff, sc.horizon, np.random.default_rng(0), extra_days=0)
    got = sorted(
        zip(
            roster.duty_person.tolist(),
            roster.duty_start_s.tolist(),
            roster.duty_end_s.tolist(),
            strict=True,
        )
    )
    # Day -1 runs into day 0, so person 0 is on from the start to the end of day 1 in one period.
    assert got == [
        (0, 0.0, 2 * DAY_S),
        (1, 6 * H, 24 * H),
        (1, 30 * H, 48 * H),
        (2, 6 * H, 12 * H),
        (2, 30 * H, 36 * H),
    ]


def test_simulated_sessions_follow_the_curve() -> None:
    # Hourly counts 1, then 2 from 01:00 to 02:00, 1 again; one caller at 01:30 talks 10 min.
    # Person 1 logs in at 01:00 and out at 02:00; person 0 is on all day (cut at 24 h).
    sc = interval_scenario(
        [1, 2] + [1] * 22,
        seats=2,
        arrivals=trace([5400.0]),
        call_types={"call": call_type(600.0)},
        horizon={"days": 1, "end": "cut"},
    )
    sessions = simulate(sc, 0).sessions
    rows = sessions[sessions["login_at_s"] < DAY_S]
    assert_rows(rows, SESSION_COLS[:3], [(0, 0.0, DAY_S), (1, H, 2 * H)], sort=True)


def test_equal_team_shares_deal_as_plain_turns_and_unequal_ones_split_every_rank() -> None:
    counts = [6, 15, 150]
    assert deal_teams(counts, 3, (1 / 3, 1 / 3, 1 / 3)) == deal_teams(counts, 3)
    assert deal_teams(counts, 4, (0.25,) * 4) == deal_teams(counts, 4)
    dealt = deal_teams(counts, 3, (0.4, 0.4, 0.2))
    for count, members in zip(counts, dealt, strict=True):
        sizes = np.bincount(members, minlength=3)
        assert np.all(np.abs(sizes - count * np.array([0.4, 0.4, 0.2])) <= 1), (count, sizes)
    everyone = np.bincount(functools.reduce(operator.iadd, dealt, []), minlength=3)
    assert np.all(np.abs(everyone - 171 * np.array([0.4, 0.4, 0.2])) <= 1)


def test_team_shares_make_shifts_of_different_sizes() -> None:
    # 10 call-takers, 3 teams fixed on 3 shifts (no rotation, no offs, no absence): 5, 3, 2.
    sc = make_scenario(
        staff={
            "mode": "roster",
            "seats": 5,
            "shifts": [
                {"name": "a", "start": "00:00", "hours": 8},
                {"name": "b", "start": "08:00", "hours": 8},
                {"name": "c", "start": "16:00", "hours": 8},
            ],
            "ranks": {"constable": {"count": 10}},
            "call_taker_ranks": ["constable"],
            "escalation_ranks": [],
            "teams": 3,
            "rotation_days": 0,
            "weekly_offs": 0,
            "absence_rate": 0.0,
            "team_shares": [0.5, 0.3, 0.2],
            "headcount": {"call_takers": [1, 1, 1], "escalation": [0, 0, 0]},  # unused
        },
        horizon={"days": 1},
    )
    roster = build_roster(sc.staff, sc.horizon, np.random.default_rng(0), extra_days=0)
    at_s = np.array([4 * H, 12 * H, 20 * H])
    assert on_duty(roster, CALL_TAKER, at_s).tolist() == [5, 3, 2]
