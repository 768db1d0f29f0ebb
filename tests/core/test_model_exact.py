"""Exact event tests: constant durations, callers at given instants, whole tables asserted.

Each test builds a tiny helpline in which every instant can be worked out by
hand (the derivation is in the comments), runs one replication and compares
the full attempt, caller and session tables with the expected rows. Person
ids in headcount mode: for each shift in order, its call-takers, then its
escalation officers. Instants are seconds from the horizon start; no caller
dials at 0 so that nobody arrives in the same instant as the first log-ins.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from conftest import call_type, make_scenario, trace
from pandas.testing import assert_frame_equal

from sim.core.model import DRAIN_DAYS, simulate
from sim.core.records import Records
from sim.errors import ScenarioError
from sim.metrics import summarize
from sim.scenario.values import DAY_S

NAN = math.nan
H = 3600.0

ATTEMPT_COLS = [
    "caller_id",
    "attempt_no",
    "outcome",
    "arrived_at_s",
    "wait_s",
    "answered_at_s",
    "agent_id",
    "line_released_at_s",
    "done_at_s",
]
CALLER_COLS = ["caller_id", "attempts", "outcome", "answered_at_s", "gave_up_at_s"]
SESSION_COLS = ["person_id", "login_at_s", "logout_at_s", "overtime_s"]


def assert_rows(df: pd.DataFrame, cols: list[str], rows: list[tuple], sort: bool = False) -> None:
    """``df[cols]`` equals ``rows`` exactly (NaN equals NaN; categoricals compared as text)."""
    got = df[cols].copy()
    for c in cols:
        if isinstance(got[c].dtype, pd.CategoricalDtype):
            got[c] = got[c].astype(str)
    if sort:
        got = got.sort_values(cols[:2], kind="stable")
    expected = pd.DataFrame(rows, columns=cols)
    assert_frame_equal(got.reset_index(drop=True), expected, check_dtype=False)


def one_day(
    *,
    first_dial_s: list[float],
    types: list[str] | None = None,
    call_types: dict | None = None,
    lines: int | str = 2,
    takers: int = 1,
    officers: int = 0,
    seats: int | None = None,
    breaks: list[dict] | None = None,
    end: str = "cut",
    **tables,
) -> Records:
    """One day with one 24-hour headcount shift (``takers`` call-takers); run replication 0."""
    sc = make_scenario(
        arrivals=trace(first_dial_s, types),
        call_types=call_types or {"call": call_type()},
        lines={"count": lines},
        horizon={"days": 1, "end": end},
        staff={
            "seats": seats or takers,
            "headcount": {"call_takers": [takers], "escalation": [officers]},
            "breaks": breaks or [],
        },
        **tables,
    )
    return simulate(sc, 0)


def logged_in_all_run(rec: Records, people: int) -> list[tuple]:
    """Session rows of people logged in from 0 to the end of a cut run."""
    return [(p, 0.0, rec.stop_s, 0.0) for p in range(people)]


# --- busy tone, abandon, redial, give up ---------------------------------------------------


def test_blocked_attempt_redials_after_the_busy_delay_and_gets_through() -> None:
    # One line. A holds it 100-400. B at 200 hears busy; redials 250 s later (450): answered.
    redial = {"after_busy": 1.0, "delay_after_busy": 250}
    rec = one_day(
        first_dial_s=[100, 200],
        call_types={"call": call_type(300, redial=redial)},
        lines=1,
    )
    assert_rows(
        rec.attempts,
        ATTEMPT_COLS,
        [
            (0, 1, "answered", 100.0, 0.0, 100.0, 0, 400.0, 400.0),
            (1, 1, "blocked", 200.0, 0.0, NAN, -1, 200.0, NAN),
            (1, 2, "answered", 450.0, 0.0, 450.0, 0, 750.0, 750.0),
        ],
    )
    assert_rows(
        rec.callers,
        CALLER_COLS,
        [(0, 1, "answered", 100.0, NAN), (1, 2, "answered", 450.0, NAN)],
    )
    assert rec.callers["access_delay_s"].tolist() == [0.0, 250.0]
    assert_rows(rec.sessions, SESSION_COLS, logged_in_all_run(rec, 1))


def test_abandon_after_patience_then_redial_answered_within_patience() -> None:
    # Two lines, one call-taker busy with A 100-400. B waits from 150, gives up after its
    # 60 s patience (210), redials 160 s later (370) and is answered at 400 after 30 s.
    redial = {"after_abandon": 1.0, "delay_after_abandon": 160}
    rec = one_day(
        first_dial_s=[100, 150],
        call_types={"call": call_type(300, patience_s=60, redial=redial)},
        lines=2,
    )
    assert_rows(
        rec.attempts,
        ATTEMPT_COLS,
        [
            (0, 1, "answered", 100.0, 0.0, 100.0, 0, 400.0, 400.0),
            (1, 1, "abandoned", 150.0, 60.0, NAN, -1, 210.0, NAN),
            (1, 2, "answered", 370.0, 30.0, 400.0, 0, 700.0, 700.0),
        ],
    )
    # Patience is drawn only for attempts that have to queue.
    np.testing.assert_array_equal(rec.attempts["patience_s"], [NAN, 60.0, 60.0])
    assert_rows(
        rec.callers,
        CALLER_COLS,
        [(0, 1, "answered", 100.0, NAN), (1, 2, "answered", 400.0, NAN)],
    )


def test_redials_stop_at_max_attempts_and_the_caller_gives_up() -> None:
    # One line held by A 100-1100. B hears busy at 200, 300 and 400; attempt 3 is the
    # last allowed, so B gives up at 400 without a fourth dial.
    redial = {"after_busy": 1.0, "decay": 1.0, "max_attempts": 3, "delay_after_busy": 100}
    rec = one_day(
        first_dial_s=[100, 200],
        call_types={"call": call_type(1000, redial=redial)},
        lines=1,
    )
    assert_rows(
        rec.attempts,
        ATTEMPT_COLS,
        [
            (0, 1, "answered", 100.0, 0.0, 100.0, 0, 1100.0, 1100.0),
            (1, 1, "blocked", 200.0, 0.0, NAN, -1, 200.0, NAN),
            (1, 2, "blocked", 300.0, 0.0, NAN, -1, 300.0, NAN),
            (1, 3, "blocked", 400.0, 0.0, NAN, -1, 400.0, NAN),
        ],
    )
    assert_rows(
        rec.callers,
        CALLER_COLS,
        [(0, 1, "answered", 100.0, NAN), (1, 3, "gave_up", NAN, 400.0)],
    )


def test_redial_probability_decays_per_attempt() -> None:
    # decay 0: P(redial) is 1 after attempt 1 and 1 * 0**1 = 0 after attempt 2.
    redial = {"after_busy": 1.0, "decay": 0.0, "max_attempts": 10, "delay_after_busy": 100}
    rec = one_day(
        first_dial_s=[100, 200],
        call_types={"call": call_type(1000, redial=redial)},
        lines=1,
    )
    assert rec.attempts["arrived_at_s"].tolist() == [100.0, 200.0, 300.0]
    assert_rows(
        rec.callers,
        CALLER_COLS,
        [(0, 1, "answered", 100.0, NAN), (1, 2, "gave_up", NAN, 300.0)],
    )


def test_without_redials_a_blocked_caller_gives_up_at_once() -> None:
    rec = one_day(first_dial_s=[100, 200], lines=1)
    assert_rows(
        rec.callers,
        CALLER_COLS,
        [(0, 1, "answered", 100.0, NAN), (1, 1, "gave_up", NAN, 200.0)],
    )


# --- escalation ----------------------------------------------------------------------------


def test_escalation_waits_for_a_busy_officer_and_keeps_the_call_taker() -> None:
    # Takers 0 and 1, officer 2. Every call escalates: talk 300, officer 200, ACW 50.
    # A 100: talk to 400, officer 400-600, line freed 600, done 650 (taker 0).
    # B 150: talk to 450, officer busy until 600, officer 600-800, done 850 (taker 1).
    # C 500: both takers busy (escalations hold them): taker 0 answers at 650; talk to 950,
    #        officer idle since 800, officer 950-1150, done 1200.
    ct = call_type(300, after_call_s=50, escalation_share=1.0, escalation_talk=200)
    rec = one_day(
        first_dial_s=[100, 150, 500],
        call_types={"call": ct},
        lines=3,
        takers=2,
        officers=1,
    )
    assert_rows(
        rec.attempts,
        ATTEMPT_COLS,
        [
            (0, 1, "answered", 100.0, 0.0, 100.0, 0, 600.0, 650.0),
            (1, 1, "answered", 150.0, 0.0, 150.0, 1, 800.0, 850.0),
            (2, 1, "answered", 500.0, 150.0, 650.0, 0, 1150.0, 1200.0),
        ],
    )
    assert_rows(
        rec.attempts,
        ["escalated", "escalation_wait_s", "officer_id", "escalation_talk_s", "after_call_s"],
        [
            (True, 0.0, 2, 200.0, 50.0),
            (True, 150.0, 2, 200.0, 50.0),
            (True, 0.0, 2, 200.0, 50.0),
        ],
    )
    assert_rows(rec.sessions, SESSION_COLS, logged_in_all_run(rec, 3), sort=True)
    assert rec.sessions.sort_values("person_id")["role"].astype(str).tolist() == [
        "call_taker",
        "call_taker",
        "escalation",
    ]


# --- shifts, overtime, breaks, seats -------------------------------------------------------


def two_shifts(takers: tuple[int, int], seats: int, first_dial_s: list[float], **ct) -> Records:
    """Shifts 00:00-12:00 and 12:00-24:00, one day, cut at the end."""
    sc = make_scenario(
        arrivals=trace(first_dial_s),
        call_types={"call": call_type(**ct)},
        horizon={"days": 1, "end": "cut"},
        staff={
            "seats": seats,
            "shifts": [
                {"name": "day", "start": "00:00", "hours": 12},
                {"name": "night", "start": "12:00", "hours": 12},
            ],
            "headcount": {"call_takers": list(takers), "escalation": [0, 0]},
        },
    )
    return simulate(sc, 0)


def test_shift_change_mid_call_gives_overtime_and_the_next_shift_logs_in_on_time() -> None:
    # Day shift: takers 0 and 1; night shift: taker 2; 2 seats. A call from 11:00 to 13:00
    # keeps taker 0 an hour past 12:00 (overtime 1 h). Taker 1 (idle) leaves at 12:00 and
    # taker 2 takes that seat at once, so a caller at 12:30 is answered at once.
    rec = two_shifts((2, 1), 2, [11 * H, 12.5 * H], talk_s=2 * H)
    assert_rows(
        rec.attempts,
        ATTEMPT_COLS,
        [
            (0, 1, "answered", 11 * H, 0.0, 11 * H, 0, 13 * H, 13 * H),
            (1, 1, "answered", 12.5 * H, 0.0, 12.5 * H, 2, 14.5 * H, 14.5 * H),
        ],
    )
    assert_rows(
        rec.sessions,
        SESSION_COLS,
        [(0, 0.0, 13 * H, 1 * H), (1, 0.0, 12 * H, 0.0), (2, 12 * H, DAY_S, 0.0)],
        sort=True,
    )


def test_shift_change_with_every_seat_taken_waits_for_the_overtime_to_end() -> None:
    # One seat: night taker 1 is on standby from 12:00 until day taker 0 finishes at 13:00;
    # the caller at 12:30 waits for that seat and is answered by taker 1 at 13:00.
    rec = two_shifts((1, 1), 1, [11 * H, 12.5 * H], talk_s=2 * H)
    assert_rows(
        rec.attempts,
        ATTEMPT_COLS,
        [
            (0, 1, "answered", 11 * H, 0.0, 11 * H, 0, 13 * H, 13 * H),
            (1, 1, "answered", 12.5 * H, 0.5 * H, 13 * H, 1, 15 * H, 15 * H),
        ],
    )
    assert_rows(
        rec.sessions,
        SESSION_COLS,
        [(0, 0.0, 13 * H, 1 * H), (1, 13 * H, DAY_S, 0.0)],
        sort=True,
    )


def test_breaks_go_by_groups_and_a_break_due_in_a_call_starts_when_it_ends() -> None:
    # Two takers, 10-minute breaks 1 h in, two groups: taker 0 due at 3600, taker 1 at 4200.
    # A 3500-3800 keeps taker 0 past 3600: its break runs 3800-4400. B 3700 goes to taker 1
    # (3700-4000), whose break is 4200-4800. C at 4300 finds both away; taker 0 is back at
    # 4400 and answers.
    rec = one_day(
        first_dial_s=[3500, 3700, 4300],
        takers=2,
        lines=3,
        breaks=[{"after_h": 1, "duration_min": 10, "groups": 2}],
    )
    assert_rows(
        rec.attempts,
        ATTEMPT_COLS,
        [
            (0, 1, "answered", 3500.0, 0.0, 3500.0, 0, 3800.0, 3800.0),
            (1, 1, "answered", 3700.0, 0.0, 3700.0, 1, 4000.0, 4000.0),
            (2, 1, "answered", 4300.0, 100.0, 4400.0, 0, 4700.0, 4700.0),
        ],
    )
    assert_rows(
        rec.sessions,
        SESSION_COLS,
        [
            (0, 0.0, 3800.0, 0.0),
            (0, 4400.0, DAY_S, 0.0),
            (1, 0.0, 4200.0, 0.0),
            (1, 4800.0, DAY_S, 0.0),
        ],
        sort=True,
    )


def test_more_people_than_seats_a_standby_person_takes_a_freed_seat() -> None:
    # Three takers, two seats: taker 2 is on standby. Breaks of 10 min, 1 h in, 3 groups
    # (due 3600, 4200, 4800). A (3000) and B (3010) keep takers 0 and 1 busy for 1000 s;
    # C (3500) waits. Taker 0 finishes at 4000 and goes on its late break (4000-4600): taker 2
    # takes the seat and answers C. Taker 1 breaks 4200-4800; taker 0 is back at 4600;
    # taker 1 is back at 4800 in the seat taker 2 leaves for its break; after that break
    # both seats are taken and taker 2 stays on standby.
    rec = one_day(
        first_dial_s=[3000, 3010, 3500],
        call_types={"call": call_type(1000)},
        takers=3,
        seats=2,
        lines=3,
        breaks=[{"after_h": 1, "duration_min": 10, "groups": 3}],
    )
    assert_rows(
        rec.attempts,
        ATTEMPT_COLS,
        [
            (0, 1, "answered", 3000.0, 0.0, 3000.0, 0, 4000.0, 4000.0),
            (1, 1, "answered", 3010.0, 0.0, 3010.0, 1, 4010.0, 4010.0),
            (2, 1, "answered", 3500.0, 500.0, 4000.0, 2, 5000.0, 5000.0),
        ],
    )
    # Taker 2 is busy with C until 5000, so its break (due 4800) runs 5000-5600.
    assert_rows(
        rec.sessions,
        SESSION_COLS,
        [
            (0, 0.0, 4000.0, 0.0),
            (0, 4600.0, DAY_S, 0.0),
            (1, 0.0, 4200.0, 0.0),
            (1, 5000.0, DAY_S, 0.0),
            (2, 4000.0, 5000.0, 0.0),
        ],
        sort=True,
    )


# --- queue discipline, after-call work, complaints -----------------------------------------


@pytest.mark.parametrize(
    ("discipline", "routine_answered_s", "urgent_answered_s"),
    [("fifo", 400.0, 700.0), ("priority", 700.0, 400.0)],
)
def test_a_higher_priority_call_jumps_the_queue(
    discipline: str, routine_answered_s: float, urgent_answered_s: float
) -> None:
    # One taker busy with routine R1 100-400. Routine R2 waits from 150, urgent U from 200.
    # FIFO serves R2 at 400 and U at 700; priority serves U first (priority 1 beats 2).
    rec = one_day(
        first_dial_s=[100, 150, 200],
        types=["routine", "routine", "urgent"],
        call_types={
            "urgent": call_type(300, share=0.5, priority=1),
            "routine": call_type(300, share=0.5, priority=2),
        },
        lines=3,
        queue={"discipline": discipline},
    )
    r, u = routine_answered_s, urgent_answered_s
    assert_rows(
        rec.attempts,
        ["caller_id", "call_type", "arrived_at_s", "wait_s", "answered_at_s", "done_at_s"],
        [
            (0, "routine", 100.0, 0.0, 100.0, 400.0),
            (1, "routine", 150.0, r - 150, r, r + 300),
            (2, "urgent", 200.0, u - 200, u, u + 300),
        ],
    )


def test_after_call_work_keeps_the_call_taker_busy_but_frees_the_line() -> None:
    # One line, one taker; talk 300, ACW 200. A: answered 100, line freed 400, done 600.
    # B at 350 finds the line taken (busy tone). C at 450 gets the freed line but waits for
    # the taker until 600.
    rec = one_day(
        first_dial_s=[100, 350, 450],
        call_types={"call": call_type(300, after_call_s=200)},
        lines=1,
    )
    assert_rows(
        rec.attempts,
        ATTEMPT_COLS,
        [
            (0, 1, "answered", 100.0, 0.0, 100.0, 0, 400.0, 600.0),
            (1, 1, "blocked", 350.0, 0.0, NAN, -1, 350.0, NAN),
            (2, 1, "answered", 450.0, 150.0, 600.0, 0, 900.0, 1100.0),
        ],
    )
    assert rec.attempts["after_call_s"].tolist()[::2] == [200.0, 200.0]
    assert rec.intervals["lines_busy_max"].max() == 1


def test_a_complaint_is_registered_when_after_call_work_ends() -> None:
    # Complaint callers were defrauded 1800 s before dialling; talk 300, ACW 120; loss Rs
    # 10,000. One line, one taker. P1 (3600): answered at once, line freed 3900, registered
    # 4020 (delay 2220 s). P2 (3700) hears busy, redials at 4000, waits for the ACW to end,
    # answered 4020, registered 4440 (delay 2540 s). E (5000), an enquiry, is never registered.
    # P3 (6000) hears busy behind E and does not redial: never registered.
    complaint = call_type(
        300,
        share=0.5,
        after_call_s=120,
        complaint=True,
        victim_delay=1800,
        redial={"after_busy": 1.0, "decay": 0.0, "delay_after_busy": 300},
    )
    rec = one_day(
        first_dial_s=[3600, 3700, 5000, 5100],
        types=["complaint", "complaint", "enquiry", "complaint"],
        call_types={"complaint": complaint, "enquiry": call_type(1200, share=0.5)},
        lines=1,
        money={"enabled": True, "loss_rs": 10_000, "held_decay_h": 1.5},
    )
    assert_rows(
        rec.attempts,
        ATTEMPT_COLS,
        [
            (0, 1, "answered", 3600.0, 0.0, 3600.0, 0, 3900.0, 4020.0),
            (1, 1, "blocked", 3700.0, 0.0, NAN, -1, 3700.0, NAN),
            (1, 2, "answered", 4000.0, 20.0, 4020.0, 0, 4320.0, 4440.0),
            (2, 1, "answered", 5000.0, 0.0, 5000.0, 0, 6200.0, 6200.0),
            (3, 1, "blocked", 5100.0, 0.0, NAN, -1, 5100.0, NAN),
            (3, 2, "blocked", 5400.0, 0.0, NAN, -1, 5400.0, NAN),
        ],
    )
    cols = [
        "caller_id",
        "call_type",
        "complaint",
        "fraud_at_s",
        "first_dial_at_s",
        "outcome",
        "registered_at_s",
        "victim_delay_s",
        "access_delay_s",
        "handling_s",
        "reporting_delay_s",
        "golden_hour",
    ]
    assert_rows(
        rec.callers,
        cols,
        [
            (0, "complaint", True, 1800.0, 3600.0, "answered", 4020.0, 1800.0, 0.0, 420.0,
             2220.0, True),
            (1, "complaint", True, 1900.0, 3700.0, "answered", 4440.0, 1800.0, 320.0, 420.0,
             2540.0, True),
            (2, "enquiry", False, 5000.0, 5000.0, "answered", NAN, 0.0, 0.0, NAN, NAN, False),
            (3, "complaint", True, 3300.0, 5100.0, "gave_up", NAN, 1800.0, NAN, NAN, NAN,
             False),
        ],
    )  # fmt: skip
    held = 10_000 * (0.03 + 0.77 * np.exp(-np.array([2220.0, 2540.0]) / 5400.0))
    np.testing.assert_allclose(rec.callers["held_rs"].to_numpy()[:2], held, rtol=1e-12)
    assert rec.callers["held_rs"].to_numpy()[3] == 0.0
    assert math.isnan(rec.callers["held_rs"].to_numpy()[2])


def test_golden_hour_counts_delays_up_to_the_threshold() -> None:
    # victim delay 3000 s + talk 600 s = 3600 s: registered exactly at the 60-minute mark.
    ct = call_type(600, complaint=True, victim_delay=3000)
    rec = one_day(first_dial_s=[5000], call_types={"complaint": ct})
    assert rec.callers["reporting_delay_s"].tolist() == [3600.0]
    assert rec.callers["golden_hour"].tolist() == [True]
    rec = one_day(
        first_dial_s=[5000], call_types={"complaint": ct}, targets={"golden_hour_min": 59}
    )
    assert rec.callers["golden_hour"].tolist() == [False]


# --- end of the horizon --------------------------------------------------------------------


def test_cut_leaves_calls_in_system_and_drain_finishes_them() -> None:
    # A at 23:50 talks 20 min; B at 23:55 waits for the only taker.
    late = [DAY_S - 600, DAY_S - 300]
    cut = one_day(first_dial_s=late, call_types={"call": call_type(1200)}, end="cut")
    assert_rows(
        cut.attempts,
        ATTEMPT_COLS,
        [
            (0, 1, "answered", DAY_S - 600, 0.0, DAY_S - 600, 0, NAN, NAN),
            (1, 1, "in_system", DAY_S - 300, NAN, NAN, -1, NAN, NAN),
        ],
    )
    assert cut.callers["outcome"].astype(str).tolist() == ["in_service", "trying"]
    assert cut.stop_s == DAY_S
    drain = one_day(first_dial_s=late, call_types={"call": call_type(1200)}, end="drain")
    assert_rows(
        drain.attempts,
        ATTEMPT_COLS,
        [
            (0, 1, "answered", DAY_S - 600, 0.0, DAY_S - 600, 0, DAY_S + 600, DAY_S + 600),
            (1, 1, "answered", DAY_S - 300, 900.0, DAY_S + 600, 0, DAY_S + 1800, DAY_S + 1800),
        ],
    )
    assert drain.stop_s == (1 + DRAIN_DAYS) * DAY_S


def test_cut_gives_callers_answered_but_not_done_their_own_state() -> None:
    # Two takers, complaints (talk 600 s, after-call work 120 s), the run cut at midnight.
    # A 22:26:40 is answered and registered (done 23:38:40). B at 23:48:20 talks until
    # 23:58:20, then after-call work runs past midnight. C at 23:55 is still talking at
    # midnight. D at 23:56:40 finds both takers busy and is still waiting.
    ct = call_type(600, after_call_s=120, complaint=True)
    first = [DAY_S - 5600, DAY_S - 700, DAY_S - 300, DAY_S - 200]
    rec = one_day(first_dial_s=first, call_types={"complaint": ct}, lines=4, takers=2)
    assert_rows(
        rec.callers,
        ["caller_id", "outcome", "answered_at_s", "registered_at_s"],
        [
            (0, "answered", DAY_S - 5600, DAY_S - 4880),
            (1, "in_service", DAY_S - 700, NAN),
            (2, "in_service", DAY_S - 300, NAN),
            (3, "trying", NAN, NAN),
        ],
    )
    m = summarize(rec)
    # The window is [12:00, 24:00): every caller counts.
    assert (m["callers"], m["callers_answered"], m["callers_in_service"]) == (4, 3, 2)
    assert (m["gave_up"], m["still_trying"], m["registered"]) == (0, 1, 1)
    assert m["not_registered_share"] == 0.75
    # With drain every answered caller is done: B and C are registered, D is answered.
    drain = one_day(
        first_dial_s=first, call_types={"complaint": ct}, lines=4, takers=2, end="drain"
    )
    assert drain.callers["outcome"].astype(str).tolist() == ["answered"] * 4
    assert summarize(drain)["callers_in_service"] == 0


# --- regressions ---------------------------------------------------------------------------


def test_a_break_missed_because_the_shift_ended_is_not_taken_next_shift() -> None:
    # Shifts 00-12 (taker 0) and 12-24 (taker 1), 1 seat, a 1-hour break 10 h into each shift.
    # Day 1: a call 09:54-12:24 keeps taker 0 through its break and past the shift end, so
    # the break is lost (overtime 0.4 h). Day 2: taker 0 answers a call 01:00-03:00 and must
    # stay logged in until its own break at 10:00, not leave at 03:00 for yesterday's break.
    sc = make_scenario(
        arrivals=trace([9.9 * H, DAY_S + 1 * H]),
        call_types={"call": call_type(2.5 * H)},
        horizon={"days": 2, "end": "cut"},
        staff={
            "seats": 1,
            "shifts": [{"start": "00:00", "hours": 12}, {"start": "12:00", "hours": 12}],
            "headcount": {"call_takers": [1, 1], "escalation": [0, 0]},
            "breaks": [{"after_h": 10, "duration_min": 60}],
        },
    )
    rec = simulate(sc, 0)
    taker0 = rec.sessions[rec.sessions["person_id"] == 0]
    assert_rows(
        taker0,
        SESSION_COLS,
        [
            (0, 0.0, 12.4 * H, 0.4 * H),
            (0, DAY_S, DAY_S + 10 * H, 0.0),
            (0, DAY_S + 11 * H, DAY_S + 12 * H, 0.0),
        ],
        sort=True,
    )


def test_a_break_ending_with_the_shift_does_not_log_the_person_back_in() -> None:
    # Break 11:00-12:00 in a 00-12 shift: the person leaves at 11:00 and is not seen again
    # that day; the caller at 12:00 is answered by the night taker, not by the day one.
    sc = make_scenario(
        arrivals=trace([12 * H]),
        call_types={"call": call_type(600)},
        horizon={"days": 1, "end": "cut"},
        staff={
            "seats": 1,
            "shifts": [{"start": "00:00", "hours": 12}, {"start": "12:00", "hours": 12}],
            "headcount": {"call_takers": [1, 1], "escalation": [0, 0]},
            "breaks": [{"after_h": 11, "duration_min": 60}],
        },
    )
    rec = simulate(sc, 0)
    assert rec.attempts["agent_id"].tolist() == [1]
    assert (rec.sessions["logout_at_s"] > rec.sessions["login_at_s"]).all()


@pytest.mark.parametrize("daily_cv", [5e-324, 1e-160, 1e-7])
def test_a_tiny_daily_cv_means_no_daily_variation(daily_cv: float) -> None:
    # Found by the conservation properties: 1 / cv**2 overflowed (ZeroDivisionError).
    arrivals = {"mode": "profile", "callers_per_day": 50, "daily_cv": daily_cv}
    tiny = simulate(make_scenario(arrivals=arrivals), 0)
    none = simulate(make_scenario(arrivals=arrivals | {"daily_cv": 0}), 0)
    assert tiny.caller["first_dial_at_s"].tolist() == none.caller["first_dial_at_s"].tolist()


def test_the_first_attempt_arrives_exactly_at_the_first_dial() -> None:
    # Found by the conservation properties: after a long gap SimPy's clock reached
    # 639.232 + (45706.695 - 639.232) = 45706.69500000001, so attempt 1 arrived an ulp
    # after the caller's first_dial_at_s (and access delays could be -1e-11).
    rec = simulate(make_scenario(arrivals=trace([639.232, 45706.695]), lines={"count": "inf"}), 0)
    first = rec.attempts.loc[rec.attempts["attempt_no"] == 1, "arrived_at_s"].to_numpy()
    np.testing.assert_array_equal(first, rec.callers["first_dial_at_s"].to_numpy())
    assert rec.callers["access_delay_s"].tolist() == [0.0, 0.0]


# --- trace arrivals: the scenario keys behind these tests ----------------------------------


def test_trace_is_sorted_on_load_with_its_call_types() -> None:
    sc = make_scenario(
        arrivals=trace([300, 100, 200, 100], ["b", "a", "b", "b"]),
        call_types={"a": call_type(share=0.5), "b": call_type(share=0.5)},
    )
    assert sc.arrivals.first_dial_s == (100.0, 100.0, 200.0, 300.0)
    assert sc.arrivals.call_type == ("a", "b", "b", "b")
    rec = simulate(sc, 0)
    assert rec.callers["first_dial_at_s"].tolist() == [100.0, 100.0, 200.0, 300.0]
    assert rec.callers["call_type"].astype(str).tolist() == ["a", "b", "b", "b"]
    assert sc.arrivals.callers_per_day == 4.0


def test_trace_without_types_draws_them_by_share() -> None:
    sc = make_scenario(
        arrivals=trace(np.linspace(10, 80_000, 400).tolist()),
        call_types={"a": call_type(60, share=0.25), "b": call_type(60, share=0.75)},
        lines={"count": "inf"},
    )
    types = simulate(sc, 0).callers["call_type"].astype(str)
    assert set(types) == {"a", "b"}
    # Binomial(400, 0.25): 100 +- 4 sd (sd 8.7) holds except with probability < 1e-4.
    assert abs((types == "a").sum() - 100) < 35


@pytest.mark.parametrize(
    ("arrivals", "match"),
    [
        ({"mode": "trace", "first_dial_s": [10, -1]}, r"arrivals\.first_dial_s: must be a list"),
        ({"mode": "trace", "first_dial_s": []}, r"arrivals\.first_dial_s: must be a list"),
        ({"mode": "trace", "first_dial_s": [10, DAY_S]}, r"before the horizon end.*got 86400"),
        ({"mode": "trace"}, r"arrivals\.first_dial_s: must be given"),
        (
            {"mode": "trace", "first_dial_s": [1, 2], "call_type": ["call"]},
            r"arrivals\.call_type: must be one call-type name per first dial \(2 names\)",
        ),
        (
            {"mode": "trace", "first_dial_s": [1], "call_type": ["cal"]},
            r"arrivals\.call_type: must be names from call_types \(call\); got 'cal'",
        ),
        (
            {"mode": "trace", "first_dial_s": [1], "calls_per_h": 3},
            r"arrivals\.calls_per_h: must be a known key",
        ),
    ],
)
def test_trace_keys_are_validated(arrivals: dict, match: str) -> None:
    with pytest.raises(ScenarioError, match=match):
        make_scenario(arrivals=arrivals)
