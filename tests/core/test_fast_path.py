"""The fused callbacks (sim/core/fastpath.py) give the general path's records bit for bit.

Every shipped scenario that takes the fast path is run both ways and its tables compared
whole; the ones with a menu, callbacks, deferred work, routed escalations, priority classes
or skill groups must take the general path. Exact cases with constant durations pin ties
between a patience timeout and the end of a call both ways, with the lazy abandons
(unlimited lines, no redials) and without them, and long runs check the sink, the
day-by-day loop and the first-dial chain kept beside the queue.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from conftest import call_type, make_scenario, queue_scenario, trace

import sim.core.model
from sim.core.fastpath import lazy_abandons
from sim.core.model import _Model, simulate
from sim.scenario import load_scenario, variant
from sim.scenario.values import Scenario

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
TABLES = ("attempts", "callers", "intervals", "sessions")
#: Shipped scenarios with a part the fused callbacks leave to the general path.
GENERAL = {
    "as_it_works_2023": "menu, callbacks and deferred work",
    "callbacks_2025": "callbacks",
    "deferred_work": "deferred work",
    "menu_2025": "a language menu",
    "officers_2023": "escalation by a rule table",
    "priority_complaints": "priority classes",
}
SHIPPED = sorted(p.stem for p in SCENARIOS.glob("*.toml"))


def _shipped(name: str, days: float = 3.0) -> Scenario:
    return variant(load_scenario(SCENARIOS / f"{name}.toml"), {"horizon.days": days})


def assert_same_tables(sc: Scenario, **options) -> sim.core.records.Records:
    fast = simulate(sc, 0, **options)
    general = simulate(sc, 0, **options, fast_path=False)
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(fast, name), getattr(general, name), obj=name)
    return fast


@pytest.mark.parametrize("name", SHIPPED)
def test_each_shipped_scenario_takes_the_path_it_should(name: str) -> None:
    m = _Model(_shipped(name, 7.0), 0)
    assert (m.finish_fast_path is not None) == (name not in GENERAL), GENERAL.get(name)
    assert not _Model(_shipped(name, 7.0), 0, fast_path=False).finish_fast_path


@pytest.mark.parametrize("name", [n for n in SHIPPED if n not in GENERAL])
def test_fast_path_gives_the_general_paths_tables(name: str) -> None:
    rec = assert_same_tables(_shipped(name))
    if name == "lines_45":  # every way a call ends, redials and escalations were run
        a = rec.attempts
        assert {"answered", "abandoned", "blocked"} <= set(a["outcome"].astype(str))
        assert (a["attempt_no"] > 1).any() and a["officer_id"].ge(0).any()


def _ties(lines: int | str) -> Scenario:
    """Two cases of a patience timeout due at the instant the one call-taker frees up.

    Type ``acw`` (talk 30 s, after-call work 30 s): A dials at 10 and is answered (talk to
    40, work to 70, the end of work scheduled at 40); B dials at 20 with 50 s of patience,
    its timeout scheduled at 20 for 70. At 70 the timeout was scheduled first: B abandons,
    and C (dialled at 25) is answered. Type ``talk`` (talk 60 s, no work): D dials at 1010,
    its end of talk scheduled at 1010 for 1070; E dials at 1020, its timeout scheduled then
    for 1070. At 1070 the end of talk comes first: E is answered.
    """
    return make_scenario(
        {"lines.count": lines, "staff.seats": 1, "staff.headcount.call_takers": [1]},
        call_types={
            "acw": call_type(30.0, share=0.5, after_call_s=30.0, patience_s=50.0),
            "talk": call_type(60.0, share=0.5, patience_s=50.0),
        },
        arrivals=trace([10, 20, 25, 1010, 1020], ["acw", "acw", "acw", "talk", "talk"]),
    )


@pytest.mark.parametrize(("lines", "lazy"), [("unlimited", True), (3, False)])
def test_a_timeout_due_as_a_call_taker_frees_up_goes_by_the_queues_order(lines, lazy) -> None:
    sc = _ties(lines)
    m = _Model(sc, 0)
    assert m.finish_fast_path is not None and lazy_abandons(m) is lazy
    rec = assert_same_tables(sc)
    a = rec.attempts
    assert a["outcome"].astype(str).tolist() == [
        "answered",
        "abandoned",
        "answered",
        "answered",
        "answered",
    ]
    assert a["line_released_at_s"].iloc[1] == 70.0
    assert a["answered_at_s"].iloc[2] == 70.0 and a["answered_at_s"].iloc[4] == 1070.0
    assert rec.callers["outcome"].astype(str).iloc[1] == "gave_up"


def test_callers_still_queued_at_a_cut_abandon_only_if_due_before_it() -> None:
    # One call-taker busy all day with the first caller; the others queue with 2 h of
    # patience and abandon during the day, but the last one's timeout is due at the cut
    # itself (50,000 + 36,400 s), where the end of the run comes first: still in the system.
    sc = make_scenario(
        {"lines.count": "unlimited", "horizon.end": "cut", "staff.seats": 1},
        call_types={
            "long": call_type(90_000.0, share=0.5, patience_s=7200.0),
            "patient": call_type(90_000.0, share=0.5, patience_s=36_400.0),
        },
        arrivals=trace([100, 200, 300, 50_000], ["long", "long", "long", "patient"]),
        staff={"headcount": {"call_takers": [1]}},
    )
    assert lazy_abandons(_Model(sc, 0))
    rec = assert_same_tables(sc)
    assert rec.attempts["outcome"].astype(str).tolist() == [
        "answered",
        "abandoned",
        "abandoned",
        "in_system",
    ]


def _mm(seconds: float, **changes) -> Scenario:
    sc = queue_scenario(
        "mm5m",
        calls_per_s=4.6 / 300.0,
        days=seconds / 86_400.0,
        seed=3,
        agents=5,
        call_types={
            "call": {
                "share": 1.0,
                "talk": {"dist": "exponential", "mean_min": 5.0},
                "patience": {"dist": "exponential", "mean_min": 2.0},
            }
        },
        warmup_days=0.0,
    )
    return variant(sc, changes) if changes else sc


def test_long_runs_with_a_sink_and_day_by_day_give_the_same_tables(monkeypatch) -> None:
    from test_attempt_sink import ListSink

    sc = _mm(6 * 86_400.0)
    assert lazy_abandons(_Model(sc, 0))
    monkeypatch.setattr(sim.core.model, "CHUNK", 512)
    sinks = [ListSink(), ListSink()]
    fast = simulate(sc, 0, sink=sinks[0])
    general = simulate(sc, 0, sink=sinks[1], fast_path=False)
    assert len(sinks[0].parts) > 5
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(fast, name), getattr(general, name), obj=name)
    days: list[float] = []
    assert_same_tables(sc, progress=days.append)
    assert days[-1] == 1.0
    # with redials the abandons are not lazy: the same tables all the same
    with_redials = variant(sc, {"call_types.call.redial": {"after_abandon": 0.5}})
    assert not lazy_abandons(_Model(with_redials, 0))
    assert_same_tables(with_redials)


@pytest.mark.parametrize("fast_path", [True, False])
def test_a_nan_drawn_stops_the_run_naming_the_quantity(fast_path: bool) -> None:
    m = _Model(_mm(3600.0), 0, fast_path=fast_path)
    m.caller_talk_s[0] = math.nan  # the first caller is answered at once
    with pytest.raises(ValueError, match="the talk time drawn is nan"):
        m.run()


def test_skill_groups_take_the_general_path() -> None:
    # One queue and nothing else the fused steps leave out, but call-takers in skill groups:
    # the hand-out by skill is the general path's (sim/core/routing.py).
    rows = [2] * 24
    plain = {"mode": "interval", "seats": 2, "interval": {"minutes": 60, "escalation": [0] * 24}}
    one = make_scenario(staff=plain | {"interval": plain["interval"] | {"call_takers": rows}})
    grouped = make_scenario(
        staff=plain | {"groups": [{"name": "all", "serves": ["call"], "call_takers": rows}]}
    )
    assert _Model(one, 0).finish_fast_path is not None
    assert _Model(grouped, 0).finish_fast_path is None
