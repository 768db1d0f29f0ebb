"""What binds, and the present / logged-in / on-break counts, pinned on cases worked by hand.

Case A (seats and lines bind): one day cut at midnight, hourly intervals, two call-takers
present all day for one seat, one line, both on a 30-min break at 01:00. Person 0 takes the
seat at 00:00, person 1 waits without one. At 01:00 both go on break (person 1 takes the
freed seat for no time first); at 01:30 person 0 sits down again and person 1 has no seat.
At 02:00 a caller is answered and talks 30 min; a second dials at 02:05 and finds the line
held (busy tone).

Case B (people bind, officers): two call-takers on two seats, two lines, one officer; person 0
is on a one-hour break from 00:30 (person 1 and the officer go later). A caller at 00:40 talks
10 min with person 1 and is escalated for 10 min (the call-taker held): person 1 is busy
00:40-01:00 while person 0's seat is free, the officer busy 00:50-01:00.
"""

from __future__ import annotations

import pytest
from conftest import call_type, make_scenario, trace

from sim import binding
from sim.core.model import simulate
from sim.metrics import summarize

H = 3600.0


def case_a():
    sc = make_scenario(
        arrivals=trace([2 * H, 2 * H + 300]),
        call_types={"call": call_type(1800)},
        horizon={"days": 1, "warmup_days": 0, "end": "cut"},
        lines={"count": 1},
        staff={
            "seats": 1,
            "headcount": {"call_takers": [2], "escalation": [0]},
            "breaks": [{"after_h": 1, "duration_min": 30, "groups": 1}],
        },
        targets={"interval_min": 60},
    )
    return simulate(sc, 0)


def case_b():
    sc = make_scenario(
        arrivals=trace([2400.0]),
        call_types={"call": call_type(600, escalation_share=1, escalation_talk=600)},
        horizon={"days": 1, "warmup_days": 0, "end": "cut"},
        lines={"count": 2},
        staff={
            "seats": 2,
            "headcount": {"call_takers": [2], "escalation": [1]},
            "breaks": [{"after_h": 0.5, "duration_min": 60, "groups": 3}],
        },
        targets={"interval_min": 60},
    )
    return simulate(sc, 0)


def test_case_a_per_interval() -> None:
    iv = binding.by_interval(case_a())
    assert len(iv) == 24
    cols = [
        "call_takers_present_mean",
        "call_takers_on_break_mean",
        "call_takers_logged_in_mean",
        "call_takers_without_seat_mean",
        "call_takers_busy_mean",
        "lines_busy_mean",
        "all_lines_busy_share",
        "all_seats_taken_share",
        "all_call_takers_busy_share",
        "without_seat_share",
        "lines_bind_share",
        "seats_bind_share",
        "people_bind_share",
    ]
    got = iv[cols].iloc[:4].to_numpy().tolist()
    assert got == [
        [2.0, 0.0, 1.0, 1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.0, 0.0],
        [2.0, 1.0, 0.5, 0.5, 0.0, 0.0, 0.0, 0.5, 0.0, 0.5, 0.0, 0.0, 0.0],
        [2.0, 0.0, 1.0, 1.0, 0.5, 0.5, 0.5, 1.0, 0.5, 1.0, 0.5, 0.5, 0.0],
        [2.0, 0.0, 1.0, 1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.0, 0.0],
    ]


def test_case_a_summary() -> None:
    m = summarize(case_a())
    expect = {
        "call_takers_present_mean": 2.0,
        "call_takers_on_break_mean": 1 / 24,  # two people, 30 min each
        "call_takers_on_duty_mean": 2 - 1 / 24,
        "call_takers_logged_in_mean": 47 / 48,  # the seat is empty 01:00-01:30
        "call_takers_without_seat_mean": 47 / 48,
        "all_lines_busy_share": 1 / 48,
        "all_seats_taken_share": 47 / 48,
        "all_call_takers_busy_share": 1 / 48,
        "without_seat_share": 47 / 48,
        "all_officers_busy_share": 0.0,
        # peak hours of a trace: its busiest hour (02) and then the earliest: 00, 01, 03
        "peak_lines_bind_share": 0.5 / 4,
        "peak_seats_bind_share": 0.5 / 4,
        "peak_people_bind_share": 0.0,
    }
    assert {k: m[k] for k in expect} == pytest.approx(expect)
    assert m["blocked"] == 1
    assert binding.verdict(m) == []  # 12.5% of the peak time is below the binding share (50%)


def test_case_b_people_and_officers() -> None:
    rec = case_b()
    first = binding.by_interval(rec).iloc[0]
    assert first["call_takers_on_break_mean"] == 0.5
    assert first["call_takers_logged_in_mean"] == 1.5
    assert first["call_takers_busy_mean"] == pytest.approx(1 / 3)
    assert first["all_call_takers_busy_share"] == pytest.approx(1 / 3)
    assert first["people_bind_share"] == pytest.approx(1 / 3)
    assert first["seats_bind_share"] == 0.0
    assert first["officers_logged_in_mean"] == 1.0
    assert first["officers_busy_mean"] == pytest.approx(1 / 6)
    assert first["all_officers_busy_share"] == pytest.approx(1 / 6)
    m = summarize(rec)
    assert m["peak_people_bind_share"] == pytest.approx(1 / 12)
    assert binding.verdict({**m, "peak_people_bind_share": 0.6}) == ["people"]


def test_unlimited_lines_never_bind() -> None:
    rec = simulate(
        make_scenario(
            {"lines.count": "unlimited"},
            arrivals=trace([600.0]),
            horizon={"days": 1, "warmup_days": 0, "end": "cut"},
        ),
        0,
    )
    m = summarize(rec)
    assert m["all_lines_busy_share"] != m["all_lines_busy_share"]  # NaN
    assert "lines" not in binding.verdict(m)


def test_a_break_falling_during_a_call_starts_when_the_call_ends() -> None:
    # One call-taker; break due at 01:00 for 30 min, but a call runs 00:50-01:10: the break is
    # taken 01:10-01:40, and the call-taker is logged in again from 01:40.
    sc = make_scenario(
        arrivals=trace([3000.0]),
        call_types={"call": call_type(1200)},
        horizon={"days": 1, "warmup_days": 0, "end": "cut"},
        lines={"count": 1},
        staff={
            "seats": 1,
            "headcount": {"call_takers": [1], "escalation": [0]},
            "breaks": [{"after_h": 1, "duration_min": 30, "groups": 1}],
        },
        targets={"interval_min": 60},
    )
    rec = simulate(sc, 0)
    assert rec.breaks["start_at_s"].tolist() == [4200.0]
    assert rec.breaks["end_at_s"].tolist() == [6000.0]
    hour = binding.by_interval(rec).iloc[1]
    assert hour["call_takers_on_break_mean"] == 0.5
    assert hour["call_takers_logged_in_mean"] == 0.5
    assert hour["call_takers_present_mean"] == 1.0
    assert hour["call_takers_without_seat_mean"] == 0.0
