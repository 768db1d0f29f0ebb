"""Arrivals from a log: ``"bootstrap"`` replays resampled log days; profiles may differ by weekday.

Exact checks of what each simulated day replays, reproducibility by seed, the rate of seven
weekday profiles, and one constraint test per new rule (docs/scenarios.md).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest
from conftest import call_type, make_scenario

from sim.core.arrivals import bootstrap_days, dials, expected_callers, rate_breakpoints
from sim.core.model import simulate
from sim.errors import ScenarioError
from sim.scenario.values import DAY_S

MONDAY, TUESDAY = dt.date(2024, 1, 1), dt.date(2024, 1, 2)


def _boot(**extra: Any) -> dict[str, Any]:
    days = [
        {"date": MONDAY, "first_dial_s": [100.0, 50.0], "call_type": ["b", "a"]},
        {"date": TUESDAY, "first_dial_s": [7.0], "call_type": ["b"]},
        {"date": dt.date(2024, 1, 8), "first_dial_s": [30.0, 40.0, 90.0], "call_type": ["a"] * 3},
    ]
    return {"mode": "bootstrap", "days": days, **extra}


def _types() -> dict[str, Any]:
    return {"a": call_type(60, share=0.5), "b": call_type(60, share=0.5)}


def _scenario(days: float = 4, **arrivals: Any) -> Any:
    return make_scenario(
        {"horizon.days": days, "horizon.start_date": "2024-01-15"},  # a Monday
        arrivals=_boot(**arrivals),
        call_types=_types(),
    )


def test_each_day_replays_a_log_day_of_its_weekday() -> None:
    sc = _scenario()
    rng = np.random.default_rng(1)
    picks = bootstrap_days(sc.arrivals, sc.horizon, np.random.default_rng(1))
    times, types = dials(sc.arrivals, sc.horizon, rng)
    assert picks[0] in (0, 2) and picks[1] == 1  # Mondays: days 0 or 2; Tuesday: day 1
    assert picks[2] in (0, 1, 2) and picks[3] in (0, 1, 2)  # no Wednesday or Thursday in the log
    expected_t: list[float] = []
    expected_types: list[str] = []
    for d, i in enumerate(picks):
        day = sc.arrivals.days[i]
        expected_t += [d * DAY_S + t for t in day.first_dial_s]
        expected_types += day.call_type
    assert times.tolist() == expected_t and list(types) == expected_types
    assert sc.arrivals.days[0].first_dial_s == (50.0, 100.0)  # sorted, types with them
    assert sc.arrivals.days[0].call_type == ("a", "b")


def test_any_weekday_when_asked_and_the_model_uses_the_named_types() -> None:
    sc = _scenario(same_weekday=False)
    seen = set()
    for seed in range(30):
        seen.update(bootstrap_days(sc.arrivals, sc.horizon, np.random.default_rng(seed)))
    assert seen == {0, 1, 2}
    rec = simulate(_scenario(), 0)
    att = rec.attempts
    assert len(att) > 0 and set(att["call_type"].astype(str)) <= {"a", "b"}
    again = simulate(_scenario(), 0).attempts
    assert att["arrived_at_s"].tolist() == again["arrived_at_s"].tolist()  # same seed, same days


def test_seven_weekday_profiles_set_each_days_rate() -> None:
    mon = [0.0] * 23 + [1.0]  # Monday: everything in the last hour
    other = [1.0] * 24
    sc = make_scenario(
        {"horizon.days": 2, "horizon.start_date": "2024-01-01"},
        arrivals={
            "mode": "profile",
            "callers_per_day": 240,
            "daily_cv": 0,
            "profile": [mon] + [other] * 6,
        },
    )
    _edges, rates = rate_breakpoints(sc.arrivals, sc.horizon, np.ones(2), sc.horizon.end_s)
    per_h = rates * 3600
    assert np.allclose(per_h[:23], 0) and per_h[23] == pytest.approx(240)
    assert np.allclose(per_h[24:48], 10)
    assert sc.arrivals.profile[0] == pytest.approx(6 / 7 / 24)  # the mean profile, for summaries


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"days": []}, "arrivals.days"),
        ({"days": [{"date": "2024-13-01", "first_dial_s": [1.0]}]}, "arrivals.days[0].date"),
        ({"days": [{"date": MONDAY, "first_dial_s": [86_400.0]}]}, "arrivals.days[0].first_dial_s"),
        (
            {"days": [{"date": MONDAY, "first_dial_s": [1.0, 2.0], "call_type": ["a"]}]},
            "arrivals.days[0].call_type",
        ),
        (
            {"days": [{"date": MONDAY, "first_dial_s": [1.0], "call_type": ["z"]}]},
            "arrivals.days[0].call_type",
        ),
        (
            {
                "days": [
                    {"date": MONDAY, "first_dial_s": [1.0], "call_type": ["a"]},
                    {"date": TUESDAY, "first_dial_s": [2.0]},
                ]
            },
            "arrivals.days",
        ),
        ({"days": [{"date": MONDAY, "first_dial_s": [1.0], "when": 3}]}, "arrivals.days[0].when"),
        ({"same_weekday": "yes"}, "arrivals.same_weekday"),
    ],
)
def test_bootstrap_constraints(change: dict[str, Any], key: str) -> None:
    arrivals = {**_boot(), **change}
    with pytest.raises(ScenarioError) as err:
        make_scenario({"horizon.days": 2}, arrivals=arrivals, call_types=_types())
    assert err.value.key == key, err.value


@pytest.mark.parametrize(
    "profile",
    [
        [[1.0] * 24] * 5,  # five lists
        [[1.0] * 24] * 6 + [[1.0] * 48],  # lengths differ
        [[1.0] * 24] * 6 + [[0.0] * 24],  # a weekday with no calls at all
        [[1.0] * 24] * 6 + [[1.0] * 23 + [-1.0]],
    ],
)
def test_weekday_profile_constraints(profile: list[list[float]]) -> None:
    with pytest.raises(ScenarioError) as err:
        make_scenario(arrivals={"mode": "profile", "profile": profile})
    assert err.value.key == "arrivals.profile"


def test_expected_callers_of_bootstrap_is_the_mean_of_the_candidate_days() -> None:
    sc = _scenario(days=2)
    edges = np.array([0.0, 60.0, DAY_S, DAY_S + 60.0, 2 * DAY_S])
    got = expected_callers(sc.arrivals, sc.horizon, edges)
    # Monday: log days 0 (50, 100 s) and 2 (30, 40, 90 s), each with weight 1/2; Tuesday: day 1
    assert got.tolist() == [1.5, 1.0, 1.0, 0.0]
