"""Exact tests of the officers' rules: escalation by the rule table (loss size, call type),
supervisors on duty with their supervision time, and patience while waiting for an officer.

Constant durations, callers at given instants; every expected instant below is worked by hand
in the test's docstring or comments.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from conftest import call_type, make_scenario, trace

from sim.core.model import simulate
from sim.core.records import ANSWERED
from sim.metrics import summarize

#: 4 constables, 1 sub-inspector (person 4), 1 inspector (person 5), all on duty all day.
ROSTER: dict[str, Any] = {
    "mode": "roster",
    "seats": 4,
    "ranks": {
        "constable": {"count": 4},
        "sub_inspector": {"count": 1},
        "inspector": {"count": 1},
    },
    "call_taker_ranks": ["constable"],
    "escalation_ranks": ["sub_inspector"],
    "supervisor_ranks": ["inspector"],
    "supervision_share": 0.0,
    "teams": 1,
    "rotation_days": 0,
    "weekly_offs": 0,
    "absence_rate": 0.0,
}
SUB_INSPECTOR, INSPECTOR = 4, 5
MONEY = {"enabled": True, "loss_rs": {"dist": "deterministic", "value": 10_000}}


def officers_scenario(
    dials: list[float],
    types: list[str],
    rules: list[dict[str, Any]],
    *,
    fraud: dict[str, Any] | None = None,
    other: dict[str, Any] | None = None,
    staff: dict[str, Any] | None = None,
) -> Any:
    """Two call types, ``fraud`` (a complaint, 60 s after-call work) and ``other``, both 100 s
    talk and 300 s with an officer; every caller loses Rs 10,000.
    """
    return make_scenario(
        arrivals=trace(dials, types),
        call_types={
            "fraud": call_type(
                100,
                share=0.5,
                complaint=True,
                after_call_s=60,
                escalation_talk=300,
                **(fraud or {}),
            ),
            "other": call_type(100, share=0.5, escalation_talk=300, **(other or {})),
        },
        lines={"count": 10},
        staff={**ROSTER, **(staff or {})},
        money=MONEY,
        escalation={"rules": rules},
    )


def column(rec: Any, name: str) -> list[Any]:
    return rec.attempts[name].tolist()


def test_rules_route_by_loss_and_type_and_callers_give_up_waiting() -> None:
    """Callers at 0, 10, 20, 30 s (fraud, fraud, other, fraud); talk 100 s, so escalations are
    requested at 100, 110, 120, 130 s. Fraud with a loss of at least Rs 5,000 goes to the
    inspector, other calls to the sub-inspector; fraud callers wait at most 280 s for an officer.

    * caller 0: the inspector is idle at 100: escalation 100-400, line freed 400, registered
      at 400 + 60 = 460;
    * caller 1: waits for the inspector from 110; patience runs out at 110 + 280 = 390 before
      the inspector frees (400): the escalation is given up at 390, the line frees, after-call
      work runs to 450 and the complaint is registered at 450;
    * caller 2: the sub-inspector is idle at 120: escalation 120-420 (no after-call work);
    * caller 3: waits from 130 behind caller 1; caller 1 is gone at 390, so at 400 the inspector
      takes caller 3 (wait 270 < 280): escalation 400-700, registered at 760.
    """
    rules = [
        {"call_types": ["fraud"], "loss_rs_at_least": 5000, "to": "inspector"},
        {"call_types": ["other"], "to": "sub_inspector"},
    ]
    sc = officers_scenario(
        [0, 10, 20, 30],
        ["fraud", "fraud", "other", "fraud"],
        rules,
        fraud={"escalation_patience": 280},
    )
    rec = simulate(sc, 0)
    assert column(rec, "outcome") == ["answered"] * 4
    assert column(rec, "escalation_to") == ["supervisors", "supervisors", "officers", "supervisors"]
    assert column(rec, "officer_id") == [INSPECTOR, -1, SUB_INSPECTOR, INSPECTOR]
    np.testing.assert_array_equal(
        rec.attempt["escalation_requested_at_s"], [100.0, 110.0, 120.0, 130.0]
    )
    np.testing.assert_array_equal(
        rec.attempt["escalation_started_at_s"], [100.0, np.nan, 120.0, 400.0]
    )
    assert column(rec, "escalation_abandoned") == [False, True, False, False]
    np.testing.assert_array_equal(rec.attempts["escalation_wait_s"], [0.0, 280.0, 0.0, 270.0])
    # Patience is recorded for those who waited (the fraud callers 1 and 3).
    np.testing.assert_array_equal(rec.attempts["escalation_patience_s"], [np.nan, 280, np.nan, 280])
    np.testing.assert_array_equal(rec.attempt["line_released_at_s"], [400.0, 390.0, 420.0, 700.0])
    np.testing.assert_array_equal(rec.attempt["done_at_s"], [460.0, 450.0, 420.0, 760.0])
    # Registered, escalation or not: the call-taker took the complaint during talk.
    np.testing.assert_array_equal(rec.callers["registered_at_s"], [460.0, 450.0, np.nan, 760.0])
    np.testing.assert_array_equal(rec.callers["reporting_delay_s"], [460.0, 440.0, np.nan, 730.0])
    m = summarize(rec)
    assert m["escalations"] == 4 and m["escalation_abandon_share"] == 0.25
    assert m["supervisor_escalations_share"] == 0.75
    assert m["escalation_wait_mean_s"] == pytest.approx((0 + 0 + 270) / 3)


@pytest.mark.parametrize(
    ("threshold_rs", "fraud_to", "fraud_officer"),
    [(20_000, None, -1), (10_000, "supervisors", INSPECTOR), (5_000, "supervisors", INSPECTOR)],
)
def test_first_matching_row_wins_and_unmatched_calls_use_the_flat_share(
    threshold_rs: float, fraud_to: str | None, fraud_officer: int
) -> None:
    """Both types have the flat ``escalation_share = 1``. Row 0 sends fraud with a loss of at
    least the threshold to the inspector; row 1 matches every other fraud call with share 0
    (never escalated: the first match wins, the flat share is not consulted); no row names
    ``other``, so its flat share 1 sends it to the sub-inspector. The loss is Rs 10,000: at a
    threshold of 20,000 row 1 decides; at 10,000 ("at least") and 5,000 row 0 does.
    """
    rules = [
        {"call_types": ["fraud"], "loss_rs_at_least": threshold_rs, "to": "inspector"},
        {"call_types": ["fraud"], "share": 0.0, "to": "sub_inspector"},
    ]
    flat = {"escalation_share": 1.0}
    sc = officers_scenario([0, 10], ["fraud", "other"], rules, fraud=flat, other=flat)
    rec = simulate(sc, 0)
    to = rec.attempts["escalation_to"]
    assert (to[0] if fraud_to else None) == fraud_to and to.isna()[0] == (fraud_to is None)
    assert to[1] == "officers"
    assert column(rec, "officer_id") == [fraud_officer, SUB_INSPECTOR]
    # Not escalated: the line frees after talk (100 s); escalated: after 300 s more.
    fraud_end = 100.0 if fraud_to is None else 400.0
    np.testing.assert_array_equal(rec.attempt["line_released_at_s"], [fraud_end, 410.0])


def test_a_table_restating_the_flat_shares_escalates_the_same_calls() -> None:
    """Random talk and a 30% flat share, against the same share written as one rule row with
    the flat share 0: the rule uses each caller's own uniform draw (stream ``escalate``), so
    the same callers are escalated, at the same instants, to the same officers.
    """
    talk = {"dist": "exponential", "mean_s": 200}
    esc = {"dist": "exponential", "mean_s": 300}
    base = {
        "arrivals": {"mode": "constant", "calls_per_h": 40},
        "lines": {"count": 10},
        "staff": {"seats": 4, "headcount": {"call_takers": [4], "escalation": [2]}},
    }
    flat = make_scenario(
        call_types={"call": call_type(talk=talk, escalation_share=0.3, escalation_talk=esc)}, **base
    )
    ruled = make_scenario(
        call_types={"call": call_type(talk=talk, escalation_talk=esc)},
        escalation={"rules": [{"share": 0.3, "to": "sub_inspector"}]},
        **base,
    )
    a, b = simulate(flat, 0), simulate(ruled, 0)
    assert int(np.sum(~np.isnan(a.attempt["escalation_requested_at_s"]))) > 20
    for name in flat_columns(a):
        np.testing.assert_array_equal(a.attempt[name], b.attempt[name], err_msg=name)
    assert (b.attempts["escalation_to"].dropna() == "officers").all()


def flat_columns(rec: Any) -> list[str]:
    return [
        k
        for k in rec.attempt
        if not k.startswith(("escalation_to", "escalation_pat", "escalation_ab"))
    ]


def test_supervision_blocks_end_every_hour_and_wait_for_the_escalation_in_hand() -> None:
    """``supervision_share = 0.25``: each hour of the inspector's 24-hour shift ends with 15 min
    supervising (minutes 45-60). Caller 0 dials at 2540 s, talks 100 s and is escalated to the
    inspector at 2640 s (minute 44) for 300 s, to 2940 s. The block due at 2700 s waits for
    that escalation: 2940-3840 s. Caller 1 dials at 2850 s, is escalated at 2950 s, waits for
    the block to end and is served 3840-4140 s. The next hour's block is on time: 6300-7200 s.
    Over the day the supervisor spends exactly 24 x 900 s supervising: a share of 0.25.
    """
    rules = [{"call_types": ["fraud"], "to": "inspector"}]
    sc = officers_scenario(
        [2540, 2850], ["fraud", "fraud"], rules, staff={"supervision_share": 0.25}
    )
    rec = simulate(sc, 0)
    np.testing.assert_array_equal(rec.attempt["escalation_started_at_s"], [2640.0, 3840.0])
    assert column(rec, "officer_id") == [INSPECTOR, INSPECTOR]
    b = rec.breaks
    mine = b["person_id"] == INSPECTOR
    starts, ends = b["start_at_s"][mine], b["end_at_s"][mine]
    first = np.argsort(starts)[:3]
    np.testing.assert_array_equal(starts[first], [2940.0, 6300.0, 9900.0])
    np.testing.assert_array_equal(ends[first], [3840.0, 7200.0, 10800.0])
    sessions = rec.sessions
    assert set(sessions.loc[sessions["person_id"] == INSPECTOR, "role"]) == {"supervisor"}
    m = summarize(rec)
    assert m["supervision_share"] == pytest.approx(0.25, abs=1e-12)
    assert m["supervisors_on_duty_mean"] == pytest.approx(1.0)
    # Busy on escalations 600 s of the 64,800 s logged in for them.
    assert m["supervisor_occupancy"] == pytest.approx(600 / (86_400 - 24 * 900))


def test_patience_for_an_officer_without_a_rule_table() -> None:
    """The flat path with ``escalation_patience`` only: one officer; callers at 0 and 10 s
    (talk 100 s, escalation 300 s, patience 200 s). Caller 0 is served 100-400; caller 1 waits
    from 110 and gives up at 310 (line freed, registered at 310 + 60 = 370).
    """
    sc = make_scenario(
        arrivals=trace([0, 10]),
        call_types={
            "call": call_type(
                100,
                complaint=True,
                after_call_s=60,
                escalation_share=1.0,
                escalation_talk=300,
                escalation_patience=200,
            )
        },
        staff={"headcount": {"call_takers": [2], "escalation": [1]}},
    )
    rec = simulate(sc, 0)
    np.testing.assert_array_equal(rec.attempt["outcome"], [ANSWERED, ANSWERED])
    np.testing.assert_array_equal(rec.attempt["escalation_started_at_s"], [100.0, np.nan])
    np.testing.assert_array_equal(rec.attempt["line_released_at_s"], [400.0, 310.0])
    np.testing.assert_array_equal(rec.callers["registered_at_s"], [460.0, 370.0])
    assert column(rec, "escalation_abandoned") == [False, True]
    assert column(rec, "escalation_to") == ["officers", "officers"]


def test_zero_patience_gives_up_at_once_when_no_officer_is_free() -> None:
    """Patience 0 for the officer: caller 0 (dial 0 s) is served 100-400; caller 1 (dial 10 s)
    finds the officer busy at 110 s and gives up there, registered at 110 + 60 = 170 s; caller
    2 (dial 400 s) finds the officer free at 500 s and never waits.
    """
    sc = make_scenario(
        arrivals=trace([0, 10, 400]),
        call_types={
            "call": call_type(
                100,
                complaint=True,
                after_call_s=60,
                escalation_share=1.0,
                escalation_talk=300,
                escalation_patience=0,
            )
        },
        staff={"headcount": {"call_takers": [2], "escalation": [1]}},
    )
    rec = simulate(sc, 0)
    np.testing.assert_array_equal(rec.attempt["escalation_started_at_s"], [100.0, np.nan, 500.0])
    np.testing.assert_array_equal(rec.attempt["line_released_at_s"], [400.0, 110.0, 800.0])
    np.testing.assert_array_equal(rec.callers["registered_at_s"], [460.0, 170.0, 860.0])
    np.testing.assert_array_equal(rec.attempts["escalation_wait_s"], [0.0, 0.0, 0.0])
    assert column(rec, "escalation_abandoned") == [False, True, False]


def test_every_column_of_the_officers_scenario_is_documented() -> None:
    """The columns that only routed escalations and supervisors add (attempts, sessions, the
    binding table) are in docs/results.md, as the baseline's are (tests/cli/test_run.py).
    """
    from pathlib import Path

    from sim import binding
    from sim.scenario import load_scenario, variant

    root = Path(__file__).resolve().parents[2]
    doc = (root / "docs" / "results.md").read_text(encoding="utf-8")
    sc = variant(load_scenario(root / "scenarios" / "officers_2023.toml"), {"horizon.days": 1.5})
    rec = simulate(sc, 0)
    tables = {
        "attempts": rec.attempts,
        "sessions": rec.sessions,
        "binding_by_interval": binding.by_interval(rec),
    }
    assert {"escalation_to", "escalation_abandoned"} <= set(tables["attempts"].columns)
    assert "supervisors_supervising_mean" in tables["binding_by_interval"].columns
    assert "supervisor" in set(tables["sessions"]["role"])
    for name, table in tables.items():
        for col in table.columns:
            assert f"`{col}`" in doc, f"{name}.{col} missing from docs/results.md"
