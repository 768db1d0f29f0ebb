"""The portal step (sim/core/completion.py): exact cases, conservation, streams left alone.

Complaint callers at given instants with constant durations: talk 300 s and no after-call
work, so a caller dialling at t with a free call-taker is registered at t + 300.
"""

from __future__ import annotations

import math

import numpy as np
from conftest import call_type, make_scenario, trace
from pandas.testing import assert_frame_equal

from sim.core import completion
from sim.core.model import simulate
from sim.metrics import summarize

H = 3600.0


def _scenario(portal: dict | None, calls_s: list[float], victim_s: float = 0.0) -> object:
    tables: dict = {
        "arrivals": trace(calls_s),
        "call_types": {"c": call_type(300.0, complaint=True, victim_delay=victim_s)},
        "money": {"enabled": True, "loss_rs": 1000, "held_floor": 0.0, "held_peak": 1.0},
    }
    if portal is not None:
        tables["portal"] = portal
    return make_scenario({"targets.golden_hour_min": 60}, **tables)


def test_completion_after_a_constant_delay_moves_golden_hour_and_money() -> None:
    """Callers at 100 and 200 with no victim delay register at 400 and 500 (reporting delay
    300 s, inside the golden hour). Completion 1 h later: 3,900 s after the fraud, so with
    report_at = "completion" both miss the golden hour, and money held is
    1000 x exp(-3900 / 5400) each instead of 1000 x exp(-300 / 5400).
    """
    portal = {"enabled": True, "probability": 1.0, "delay": {"dist": "constant", "value_h": 1}}
    at_reg = simulate(_scenario({**portal, "report_at": "registration"}, [100.0, 200.0]), 0)
    at_done = simulate(_scenario({**portal, "report_at": "completion"}, [100.0, 200.0]), 0)
    p = completion.table(at_done)
    assert p["completed_at_s"].tolist() == [400.0 + H, 500.0 + H]
    assert p["completion_delay_s"].tolist() == [H, H]
    assert p["portal"].astype(str).tolist() == ["completed", "completed"]
    assert at_reg.callers["golden_hour"].tolist() == [True, True]
    assert at_done.callers["golden_hour"].tolist() == [False, False]
    assert np.allclose(at_reg.callers["held_rs"], 1000 * math.exp(-300 / 5400))
    assert np.allclose(at_done.callers["held_rs"], 1000 * math.exp(-3900 / 5400))
    m_reg, m_done = summarize(at_reg), summarize(at_done)
    assert (m_reg["golden_hour_share"], m_done["golden_hour_share"]) == (1.0, 0.0)
    for m in (m_reg, m_done):
        assert m["portal_completed_share"] == 1.0 and m["not_completed_share"] == 0.0
        assert m["portal_delay_p50_min"] == 60.0


def test_a_delay_past_the_window_lapses() -> None:
    """A 25-hour delay is past the 24-hour window: not completed, so with report_at =
    "completion" no money is held and the golden hour is missed.
    """
    portal = {
        "enabled": True,
        "probability": 1.0,
        "delay": {"dist": "constant", "value_h": 25},
        "report_at": "completion",
    }
    rec = simulate(_scenario(portal, [100.0]), 0)
    assert completion.table(rec)["portal"].astype(str).tolist() == ["lapsed"]
    assert rec.callers["held_rs"].tolist() == [0.0]
    m = summarize(rec)
    assert m["portal_completed_share"] == 0.0 and m["not_completed_share"] == 1.0
    assert m["golden_hour_share"] == 0.0 and m["money_held_share"] == 0.0


def test_every_complaint_caller_is_accounted_for() -> None:
    """Conservation over many callers, some lost: not registered + not completed + completed
    = complaint callers; the completed share is near the probability times the share of
    delays within the window; outcomes cover every complaint caller.
    """
    portal = {"enabled": True, "probability": 0.4, "delay": {"dist": "exponential", "mean_h": 12}}
    sc = make_scenario(
        {"horizon.days": 3, "horizon.warmup_days": 0.5, "lines.count": 3},
        arrivals={"mode": "constant", "calls_per_h": 30},
        call_types={"c": call_type(300.0, complaint=True, patience_s=60.0)},
        portal=portal,
    )
    rec = simulate(sc, 2)
    p = completion.table(rec)
    assert len(p) == int(rec.complaint.sum())
    counts = p["portal"].value_counts()
    assert counts.sum() == len(p) and counts["not_registered"] > 0 and counts["lapsed"] > 0
    m = summarize(rec)
    completed = (p["in_window"] & (p["portal"] == "completed")).sum()
    total = m["not_registered_share"] + m["not_completed_share"] + completed / m["complaints"]
    assert math.isclose(total, 1.0)
    # 0.4 x P(exponential mean 12 h <= 24 h) = 0.4 x (1 - e^-2) = 0.346; 3 sd of a binomial
    n_reg = m["registered"]
    expected = 0.4 * (1 - math.exp(-2))
    assert abs(m["portal_completed_share"] - expected) < 3 * math.sqrt(expected / n_reg)


def test_the_portal_step_moves_no_other_number() -> None:
    """With report_at = "registration" the attempts and callers tables equal those of the
    run without the step, bit for bit (its streams are its own), and without it every
    portal metric is NaN.
    """
    calls = {"mode": "constant", "calls_per_h": 20}
    base = {"horizon.days": 1}
    ct = {"c": call_type(300.0, complaint=True)}
    off = simulate(make_scenario(base, arrivals=calls, call_types=ct), 0)
    on = simulate(make_scenario(base, arrivals=calls, call_types=ct, portal={"enabled": True}), 0)
    for name in ("attempts", "callers"):
        assert_frame_equal(getattr(off, name), getattr(on, name))
    assert completion.table(off).empty
    assert all(
        math.isnan(summarize(off)[k]) for k in ("portal_completed_share", "not_completed_share")
    )


def test_a_window_still_open_when_the_run_stops_is_pending() -> None:
    """With end = "cut" at 86,400 s a caller at 80,000 s registers at 80,300 and would complete
    2 h later, at 87,500, after the stop, with the window open: pending, not completed.
    """
    portal = {"enabled": True, "probability": 1.0, "delay": {"dist": "constant", "value_h": 2}}
    sc = make_scenario(
        {"horizon.end": "cut"},
        arrivals=trace([80_000.0]),
        call_types={"c": call_type(300.0, complaint=True)},
        portal=portal,
    )
    rec = simulate(sc, 0)
    p = completion.table(rec)
    assert p["portal"].astype(str).tolist() == ["pending"]
    assert p["registered_at_s"].tolist() == [80_300.0]
    m = summarize(rec)
    assert m["portal_completed_share"] == 0.0 and m["not_completed_share"] == 1.0
