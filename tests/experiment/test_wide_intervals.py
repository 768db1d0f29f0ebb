"""A run with too few replications says so, and how many the precision needs."""

from __future__ import annotations

import math

import pytest
from scipy import stats

from sim.experiment.precision import (
    replications_for,
    wide_interval_warning,
    wide_intervals,
)


def test_two_replications_of_a_share_spanning_0_to_100_are_flagged() -> None:
    wide = wide_intervals({"service_level": [0.2, 0.9], "asa_s": [10.0, 10.2]})
    assert [w.metric for w in wide] == ["service_level"]  # asa_s: +/-13%, informative enough
    w = wide[0]
    half = stats.t.ppf(0.975, 1) * math.sqrt(0.245) / math.sqrt(2)  # sd of (0.2, 0.9)
    assert w.half_width_rel == pytest.approx(half / 0.55)
    assert w.needed == replications_for([0.2, 0.9], 0.1)[2]
    lines = wide_interval_warning(wide, 2, "s.toml")
    assert "with 2 replications" in lines[0] and "service_level" in lines[0]
    assert f"about {w.needed} replications" in lines[1]
    assert "helpline replications s.toml --metric service_level --precision 0.1" in lines[1]


def test_one_replication_warns_that_there_is_no_interval() -> None:
    wide = wide_intervals({"service_level": [0.5]})
    assert wide[0].needed is None
    (line,) = wide_interval_warning(wide, 1, "s.toml")
    assert "no confidence interval" in line


def test_enough_replications_and_zero_means_are_quiet() -> None:
    assert wide_intervals({"blocked": [0.0, 0.0], "gone": [math.nan, math.nan]}) == []
    assert wide_interval_warning([], 20, "s.toml") == []


def test_the_advice_is_planned_for_a_key_metric_when_one_is_flagged() -> None:
    wide = wide_intervals({"all_officers_busy_share": [0.001, 0.02], "service_level": [0.3, 0.9]})
    lines = wide_interval_warning(wide, 2, "s.toml")
    assert "--metric service_level " in lines[1]


def test_a_tiny_share_known_to_a_point_is_not_flagged() -> None:
    values = {"peak_seats_bind_share": [0.0001, 0.003, 0.0]}
    assert [w.metric for w in wide_intervals(values)] == ["peak_seats_bind_share"]
    assert wide_intervals(values, shares=["peak_seats_bind_share"]) == []
