"""Callbacks (virtual hold) on hand-worked cases: constant durations, callers at given instants.

Acceptance and answer shares of 0 or 1 make every decision certain. Person 0 is the one
call-taker of a 24-hour headcount shift.
"""

from __future__ import annotations

import math

import pytest
from conftest import call_type
from test_model_exact import assert_rows, one_day

from sim.metrics import summarize

NAN = math.nan
COLS = [
    "caller_id",
    "attempt_no",
    "callback_try",
    "outcome",
    "arrived_at_s",
    "wait_s",
    "answered_at_s",
    "agent_id",
    "line_released_at_s",
]


def callbacks(**keys: object) -> dict[str, object]:
    """A ``[callbacks]`` table: offered behind 1 waiting caller, always accepted, answered."""
    out: dict[str, object] = {
        "enabled": True,
        "offer_at_queue": 1,
        "accept_share": 1.0,
        "answer_share": 1.0,
    }
    out.update(keys)
    return out


@pytest.mark.parametrize("priority", ["live_first", "callbacks_first"])
def test_a_callback_frees_the_line_and_is_dialled_by_the_priority_rule(priority: str) -> None:
    # Three lines, one call-taker, talk 300 s, nobody hangs up.
    # A 100: answered at once, talk to 400.  B 150: queues (nobody ahead: no offer).
    # C 200: one caller (B) ahead: offered, accepts, hangs up at 200 (the line frees).
    # live_first: at 400 B is answered (wait 250), talk to 700; at 700 nobody waits live and
    #   the call-taker rings C back: answered at 700, talk to 1000 (callback delay 500 s).
    # callbacks_first: at 400 the due callback goes first: C at 400 to 700; B at 700 (550 s).
    rec = one_day(
        first_dial_s=[100, 150, 200],
        call_types={"call": call_type(300)},
        lines=3,
        callbacks=callbacks(priority=priority),
    )
    b_at, c_at = (400.0, 700.0) if priority == "live_first" else (700.0, 400.0)
    rows = [
        (0, 1, 0, "answered", 100.0, 0.0, 100.0, 0, 400.0),
        (1, 1, 0, "answered", 150.0, b_at - 150, b_at, 0, b_at + 300),
        (2, 1, 0, "callback", 200.0, 0.0, NAN, -1, 200.0),
        (2, 2, 1, "answered", c_at, 0.0, c_at, 0, c_at + 300),
    ]
    rows.sort(key=lambda r: r[4])
    assert_rows(rec.attempts, COLS, rows)
    assert rec.attempts["callback_offered"].tolist() == [r[3] == "callback" for r in rows]
    assert rec.callers["access_delay_s"].tolist() == [0.0, b_at - 150, c_at - 200]
    # Only B queued (150 to its answer); C's callback never queued.
    assert (rec.intervals["queue_mean"] * 900.0).sum() == pytest.approx(b_at - 150)
    assert rec.intervals["queue_max"].max() == 1
    m = summarize(rec)
    # Attempt metrics count the callers' own dials: 3 dials, 2 answered, 1 callback.
    assert (m["attempts"], m["answered"], m["abandoned"], m["blocked"]) == (3, 2, 0, 0)
    assert m["callers_answered"] == 3
    assert m["callbacks_offered_share"] == 1 / 3
    assert m["callbacks_accepted_share"] == 1.0
    assert m["callbacks_completed_share"] == 1.0
    assert m["callbacks_failed_share"] == 0.0
    assert m["callback_delay_mean_min"] == (c_at - 200) / 60


def test_an_unanswered_callback_rings_is_retried_and_then_the_caller_is_lost() -> None:
    # As above, but nobody answers a callback: each try holds the call-taker and a line for
    # the 30 s ring, the next is due 100 s later, 2 tries in all.
    # A 100-400, B queued 150, answered 400-700; C accepts at 200.
    # 700: try 1 rings to 730. 830: try 2 (the call-taker idle since 730) rings to 860;
    # the last try: C is lost (gave up at 860).
    rec = one_day(
        first_dial_s=[100, 150, 200],
        call_types={"call": call_type(300)},
        lines=3,
        callbacks=callbacks(answer_share=0.0, ring=30, retry_delay=100, max_tries=2),
    )
    assert_rows(
        rec.attempts,
        COLS,
        [
            (0, 1, 0, "answered", 100.0, 0.0, 100.0, 0, 400.0),
            (1, 1, 0, "answered", 150.0, 250.0, 400.0, 0, 700.0),
            (2, 1, 0, "callback", 200.0, 0.0, NAN, -1, 200.0),
            (2, 2, 1, "no_answer", 700.0, 0.0, NAN, 0, 730.0),
            (2, 3, 2, "no_answer", 830.0, 0.0, NAN, 0, 860.0),
        ],
    )
    assert_rows(
        rec.callers,
        ["caller_id", "attempts", "outcome", "gave_up_at_s"],
        [(0, 1, "answered", NAN), (1, 1, "answered", NAN), (2, 3, "gave_up", 860.0)],
    )
    # The rings are call-taker work: 300 + 300 + 30 + 30 s busy.
    assert (rec.intervals["call_takers_busy_mean"] * 900.0).sum() == pytest.approx(660.0)
    m = summarize(rec)
    assert m["callbacks_completed_share"] == 0.0 and m["callbacks_failed_share"] == 1.0
    assert math.isnan(m["callback_delay_mean_min"])


def test_no_offer_below_the_threshold_or_to_types_not_offered() -> None:
    # Threshold 2: C (one caller ahead) queues; "blank" is not offered even behind two.
    types = {
        "call": call_type(300, share=0.5),
        "blank": call_type(300, share=0.5),
    }
    rec = one_day(
        first_dial_s=[100, 150, 200, 250],
        types=["call", "call", "call", "blank"],
        call_types=types,
        lines=4,
        callbacks=callbacks(offer_at_queue=2, call_types=["call"]),
    )
    assert rec.attempts["outcome"].astype(str).tolist() == ["answered"] * 4
    assert not rec.attempts["callback_offered"].any()


def test_a_declined_offer_queues_as_before() -> None:
    rec = one_day(
        first_dial_s=[100, 150, 200],
        call_types={"call": call_type(300)},
        lines=3,
        callbacks=callbacks(accept_share=0.0),
    )
    assert rec.attempts["callback_offered"].tolist() == [False, False, True]
    assert rec.attempts["answered_at_s"].tolist() == [100.0, 400.0, 700.0]
    assert summarize(rec)["callbacks_accepted_share"] == 0.0
