"""The language menu on hand-worked cases: constant durations, callers at given instants.

A caller who gets a line hears the menu (line held, no call-taker), then queues. Patience
runs from the dial: a caller whose patience is at most the menu time hangs up in the menu.
"""

from __future__ import annotations

import math

import numpy as np
from conftest import call_type, make_scenario, trace
from test_model_exact import assert_rows, one_day

from sim.core.model import simulate
from sim.metrics import summarize

NAN = math.nan
COLS = [
    "caller_id",
    "outcome",
    "arrived_at_s",
    "wait_s",
    "answered_at_s",
    "line_released_at_s",
    "done_at_s",
    "menu_s",
    "menu_abandoned",
]


def test_menu_holds_the_line_before_the_queue_and_patience_runs_from_the_dial() -> None:
    # Two lines, one call-taker, menu 30 s, talk 300 s. "call" patience 120 s, "quick" 20 s.
    # A 100: menu to 130, answered at once (taker idle), talk to 430.
    # B 200: menu to 230, queues; patience from the dial ends at 320: abandons after 90 s.
    # C 250: A and B hold both lines: blocked (the menu holds a line like a call does).
    # D 350: B's line is free since 320; menu to 380, queues, answered at 430 when A ends
    #        (wait 50 s; its patience would have run to 470); talk to 730.
    # E 500 ("quick"): patience 20 s <= menu 30 s: hangs up in the menu at 520, wait 0.
    types = {
        "call": call_type(300, share=0.5, patience_s=120, menu=30),
        "quick": call_type(300, share=0.5, patience_s=20, menu=30),
    }
    rec = one_day(
        first_dial_s=[100, 200, 250, 350, 500],
        types=["call", "call", "call", "call", "quick"],
        call_types=types,
        lines=2,
    )
    assert_rows(
        rec.attempts,
        COLS,
        [
            (0, "answered", 100.0, 0.0, 130.0, 430.0, 430.0, 30.0, False),
            (1, "abandoned", 200.0, 90.0, NAN, 320.0, NAN, 30.0, False),
            (2, "blocked", 250.0, 0.0, NAN, 250.0, NAN, NAN, False),
            (3, "answered", 350.0, 50.0, 430.0, 730.0, 730.0, 30.0, False),
            (4, "abandoned", 500.0, 0.0, NAN, 520.0, NAN, 20.0, True),
        ],
    )
    # Access delay (first dial -> answer) includes the menu.
    assert rec.callers["access_delay_s"].tolist()[:1] + rec.callers["access_delay_s"].tolist()[
        3:4
    ] == [30.0, 80.0]
    m = summarize(rec)
    assert m["abandoned"] == 2
    assert m["abandon_rate"] == 1 / 3  # in the queue: B; E never reached it
    assert m["service_level_offered"] == 1 / 4  # A of A, B, C, D (E was not offered to it)
    assert m["menu_abandon_share"] == 1 / 4  # of the attempts that got a line
    assert m["menu_mean_s"] == (30 + 30 + 30 + 20) / 4
    assert m["asa_s"] == 25.0  # queue waits 0 and 50: the menu is not waiting
    # Lines are held through the menu: 100-430, 200-320, 350-730, 500-520 over the day.
    iv = rec.intervals
    held_s = (iv["lines_busy_mean"] * 900.0).sum()
    assert held_s == np.float64(330 + 120 + 380 + 20)
    # The queue counts only callers past the menu: B 230-320 and D 380-430.
    assert (iv["queue_mean"] * 900.0).sum() == 90 + 50


def test_a_redial_hears_the_menu_again() -> None:
    # One line held by A (menu 60, talk 300: 100-460). B dials at 200: busy; redials 300 s
    # later (500): menu to 560, answered at once.
    redial = {"after_busy": 1.0, "delay_after_busy": 300}
    rec = one_day(
        first_dial_s=[100, 200],
        call_types={"call": call_type(300, menu=60, redial=redial)},
        lines=1,
    )
    assert rec.attempts["menu_s"].tolist()[0] == 60.0
    assert rec.attempts["answered_at_s"].tolist()[2] == 560.0
    assert rec.callers["access_delay_s"].tolist() == [60.0, 360.0]


def test_without_a_menu_key_the_tables_have_no_menu_columns() -> None:
    rec = simulate(make_scenario(arrivals=trace([100])), 0)
    assert "menu_s" not in rec.attempts.columns
    assert math.isnan(summarize(rec)["menu_mean_s"])
