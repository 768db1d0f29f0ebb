"""First dials: the rate holds to the very end of the horizon, whole days or not."""

from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import make_scenario

from sim.arrivals import first_dials, rate_breakpoints
from sim.scenario.types import DAY_S


def _poisson_ok(count: int, expected: float) -> bool:
    """``count`` within 4.5 standard deviations of a Poisson mean ``expected``."""
    return abs(count - expected) <= 4.5 * math.sqrt(expected)


@pytest.mark.parametrize("days", [0.3, 1.0, 1.0001, 2.5, 6.9])
def test_constant_rate_runs_to_the_end_of_a_fractional_horizon(days: float) -> None:
    per_h = 1000.0
    sc = make_scenario({"horizon.days": days, "arrivals.calls_per_h": per_h})
    edges, rates = rate_breakpoints(sc.arrivals, sc.horizon, np.ones(8), sc.horizon.end_s)
    assert edges[0] == 0.0 and edges[-1] == sc.horizon.end_s
    assert np.allclose(rates * 3600, per_h)
    t = first_dials(sc.arrivals, sc.horizon, np.random.default_rng(3))
    assert t.max() < sc.horizon.end_s
    assert _poisson_ok(t.size, per_h * 24 * days)
    # the last part of the horizon (after the last whole day) has its share of callers
    tail_s = sc.horizon.end_s - math.floor(days) * DAY_S
    if tail_s > 3600:
        tail = int(np.sum(t >= math.floor(days) * DAY_S))
        assert _poisson_ok(tail, per_h * tail_s / 3600)


def test_profile_horizon_ending_mid_slot_keeps_the_partial_slot() -> None:
    # 24 hourly slots, the horizon ends at 36.5 h: the half hour from 36 h to 36.5 h is kept.
    per_day = 24_000.0
    sc = make_scenario(
        {"horizon.days": 36.5 / 24},
        arrivals={
            "mode": "profile",
            "callers_per_day": per_day,
            "profile": [1.0] * 24,
            "daily_cv": 0,
        },
    )
    edges, rates = rate_breakpoints(sc.arrivals, sc.horizon, np.ones(4), sc.horizon.end_s)
    assert edges[-2:].tolist() == [36 * 3600.0, 36.5 * 3600.0]
    t = first_dials(sc.arrivals, sc.horizon, np.random.default_rng(4))
    last = int(np.sum(t >= 36 * 3600.0))
    assert _poisson_ok(last, per_day / 24 / 2)
    assert _poisson_ok(t.size, per_day * 36.5 / 24)
