"""Deferred work (sim/core/deferred.py): exact hand-worked cases, conservation, the K rule.

Headcount mode, one 24-hour shift: person ids 0 and 1 are the call-takers, both logged in
at 0. Items and calls at given instants, constant durations, so every instant is worked
out by hand in the comments.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from conftest import call_type, make_scenario, trace
from pandas.testing import assert_frame_equal

from sim.core.deferred import ITEM_OUTCOMES, table
from sim.core.model import simulate
from sim.metrics import summarize


def _rows(rec: object, cols: list[str]) -> list[tuple]:
    df = table(rec)[cols].copy()  # type: ignore[arg-type]
    if "outcome" in cols:
        df["outcome"] = df["outcome"].astype(str)
    return list(df.itertuples(index=False, name=None))


def _scenario(items_s: list[float], calls_s: list[float], **deferred: object) -> object:
    return make_scenario(
        {"horizon.end": "drain"},
        arrivals=trace(calls_s),
        call_types={"call": call_type(300.0)},
        deferred={"arrival_s": items_s, "handle": 600.0, **deferred},
    )


def test_keep_free_holds_one_call_taker_back_for_the_call() -> None:
    """K = 1, two call-takers, items at 10, 50, 60 (600 s each), a call at 100 (300 s).

    10: item 0 arrives, 2 idle > K: the longest-idle (person 0) takes it; 1 idle.
    50, 60: items 1, 2 arrive with 1 idle, not more than K: they wait.
    100: the call rings and person 1, kept free, answers at once; talk ends at 400;
    no call waits, but no other call-taker is idle (0 < K): person 1 goes idle.
    610: person 0 sends reply 0; person 1 idle (1 >= K): person 0 takes item 1 until 1210,
    then item 2 until 1810. Reply times 600, 1160, 1750 s; target 20 min = 1200 s.
    """
    sc = _scenario([10.0, 50.0, 60.0], [100.0], keep_free=1, reply_target_min=20)
    rec = simulate(sc, 0)
    cols = ["arrived_at_s", "started_at_s", "agent_id", "replied_at_s", "reply_s", "outcome"]
    assert _rows(rec, cols) == [
        (10.0, 10.0, 0, 610.0, 600.0, "within_target"),
        (50.0, 610.0, 0, 1210.0, 1160.0, "within_target"),
        (60.0, 1210.0, 0, 1810.0, 1750.0, "after_target"),
    ]
    a = rec.attempts
    assert a["answered_at_s"].tolist() == [100.0] and a["agent_id"].tolist() == [1]
    m = summarize(rec)
    assert m["deferred_items"] == 3 and m["deferred_replied"] == 3
    assert m["deferred_within_target_share"] == 2 / 3
    assert m["deferred_reply_p50_min"] == 1160.0 / 60
    # occupancy: 1800 s of items over 2 x 86,400 s logged in
    assert math.isclose(m["deferred_occupancy"], 1800.0 / (2 * 86_400.0))


def test_items_do_not_preempt_and_calls_come_first() -> None:
    """K = 0, one call-taker: item 0 at 10 (600 s) is taken at once; the call at 100 waits
    (non-preemptive); item 1 arrives at 200 and waits too. At 610 the call, not item 1, is
    answered (calls first): wait 510 s, talk to 910; then item 1 runs 910-1510.
    """
    sc = make_scenario(
        {"staff.seats": 1, "staff.headcount.call_takers": [1], "lines.count": 2},
        arrivals=trace([100.0]),
        call_types={"call": call_type(300.0)},
        deferred={"arrival_s": [10.0, 200.0], "handle": 600.0, "keep_free": 0},
    )
    rec = simulate(sc, 0)
    assert _rows(rec, ["started_at_s", "replied_at_s"]) == [(10.0, 610.0), (910.0, 1510.0)]
    assert rec.attempts["answered_at_s"].tolist() == [610.0]
    assert rec.attempts["wait_s"].tolist() == [510.0]


def test_items_left_at_the_end_are_in_progress_or_waiting() -> None:
    """End = "cut" at 1 day, one call-taker, K = 0, no calls: item 0 at 86,000 s runs past
    the cut (in progress), item 1 at 86,100 s never starts (waiting); neither counts as
    replied, both as unanswered.
    """
    sc = make_scenario(
        {"staff.seats": 1, "staff.headcount.call_takers": [1], "horizon.end": "cut"},
        arrivals=trace([10.0]),
        call_types={"call": call_type(5.0)},
        deferred={"arrival_s": [86_000.0, 86_100.0], "handle": 600.0, "keep_free": 0},
    )
    rec = simulate(sc, 0)
    assert _rows(rec, ["outcome"]) == [("in_progress",), ("waiting",)]
    m = summarize(rec)
    assert (m["deferred_items"], m["deferred_replied"], m["deferred_unanswered"]) == (2, 0, 2)
    assert m["deferred_within_target_share"] == 0.0 and math.isnan(m["deferred_reply_p50_min"])


def _random(keep_free: int, end: str = "cut") -> object:
    return make_scenario(
        {"horizon.end": end, "horizon.days": 2, "horizon.warmup_days": 0.5},
        arrivals={"mode": "constant", "calls_per_h": 12},
        call_types={"call": call_type(300.0, patience_s=120.0)},
        deferred={
            "items_per_day": 300,
            "handle": {"dist": "exponential", "mean_min": 6},
            "keep_free": keep_free,
        },
    )


def test_every_item_is_accounted_for() -> None:
    """Conservation: items = within target + after target + in progress + waiting, in the
    table and in the metrics; replies never start before arrival or end before start.
    """
    rec = simulate(_random(keep_free=1), 3)
    df = table(rec)
    assert set(df["outcome"].astype(str)) <= set(ITEM_OUTCOMES)
    assert len(df) > 300 and df["outcome"].value_counts().sum() == len(df)
    assert (df["started_at_s"].dropna() >= df["arrived_at_s"][df["started_at_s"].notna()]).all()
    started = df.dropna(subset=["replied_at_s"])
    assert np.allclose(started["replied_at_s"] - started["started_at_s"], started["handle_s"])
    m = summarize(rec)
    win = df[df["in_window"]]
    assert m["deferred_items"] == len(win)
    assert m["deferred_replied"] + m["deferred_unanswered"] == len(win)
    assert m["deferred_replied"] == win["replied_at_s"].notna().sum()


def test_keeping_every_call_taker_free_leaves_the_phones_untouched() -> None:
    """K = 2 with two call-takers: no item can ever start (at least K others must stay idle),
    so every item waits, and the phones' tables equal those of the run without deferred
    work, bit for bit: the deferred streams move no other number.
    """
    with_items = simulate(_random(keep_free=2), 1)
    assert (table(with_items)["outcome"] == "waiting").all()
    raw_off = make_scenario(
        {"horizon.end": "cut", "horizon.days": 2, "horizon.warmup_days": 0.5},
        arrivals={"mode": "constant", "calls_per_h": 12},
        call_types={"call": call_type(300.0, patience_s=120.0)},
    )
    without = simulate(raw_off, 1)
    for name in ("attempts", "callers", "sessions"):
        assert_frame_equal(getattr(with_items, name), getattr(without, name))
    assert without.deferred == {} and table(without).empty
    assert math.isnan(summarize(without)["deferred_within_target_share"])


def test_items_take_phone_capacity_when_nobody_is_kept_free() -> None:
    """Same seed, K = 0 against K = 1: holding a call-taker back lowers the answered calls'
    mean wait (a property, not a figure: the deferred work is what the phones share with).
    """
    waits = {}
    for k in (0, 1):
        rec = simulate(_random(keep_free=k, end="drain"), 0)
        waits[k] = pd.Series(rec.wait_s[rec.attempt["outcome"] == 1]).mean()
    assert waits[1] < waits[0]
