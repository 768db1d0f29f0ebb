"""First dials: the rate holds to the very end of the horizon, whole days or not."""

from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import make_scenario

from sim.core.arrivals import first_dials, rate_breakpoints
from sim.scenario.values import DAY_S


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
    edges, _rates = rate_breakpoints(sc.arrivals, sc.horizon, np.ones(4), sc.horizon.end_s)
    assert edges[-2:].tolist() == [36 * 3600.0, 36.5 * 3600.0]
    t = first_dials(sc.arrivals, sc.horizon, np.random.default_rng(4))
    last = int(np.sum(t >= 36 * 3600.0))
    assert _poisson_ok(last, per_day / 24 / 2)
    assert _poisson_ok(t.size, per_day * 36.5 / 24)


def test_profile_counts_follow_the_rate_slot_by_slot_and_day_by_day() -> None:
    # 280 days (40 weeks) of an hourly profile with weekday factors and no day-to-day noise:
    # the mean count of each (weekday, hour) cell is the rate, and counts are Poisson
    # (variance = mean), checked by a chi-square dispersion statistic over the cells.
    profile = [1, 1, 1, 1, 1, 2, 3, 5, 8, 10, 10, 9, 8, 8, 8, 8, 7, 6, 5, 4, 3, 2, 2, 1]
    dow = [1.2, 1.1, 1.0, 1.0, 1.0, 0.9, 0.8]
    per_day = 2400.0
    sc = make_scenario(
        {"horizon.days": 280, "horizon.warmup_days": 0},
        arrivals={
            "mode": "profile",
            "callers_per_day": per_day,
            "profile": profile,
            "day_of_week": dow,
            "daily_cv": 0,
        },
    )
    t = first_dials(sc.arrivals, sc.horizon, np.random.default_rng(11))
    counts = np.bincount((t // 3600).astype(int), minlength=280 * 24).reshape(280, 24)
    weekday = (sc.horizon.start_date.weekday() + np.arange(280)) % 7
    dow_norm = np.asarray(dow) / np.mean(dow)
    expected = per_day * dow_norm[weekday][:, None] * (np.asarray(profile) / sum(profile))
    # every (weekday, hour) cell: 40 days, mean within 4.5 standard errors of the rate
    for d in range(7):
        rows = weekday == d
        got, want = counts[rows].mean(axis=0), expected[rows].mean(axis=0)
        se = np.sqrt(want / rows.sum())
        assert np.all(np.abs(got - want) <= 4.5 * se), (d, got - want)
    # Poisson: sum of (count - mean)^2 / mean over all cells is chi-square with 6720 d.o.f.
    chi2 = float((((counts - expected) ** 2) / expected).sum())
    dof = counts.size
    assert abs(chi2 - dof) <= 4.5 * math.sqrt(2 * dof)


def test_daily_volume_is_gamma_overdispersed_with_the_given_cv() -> None:
    # With daily_cv = 0.12 each day's volume is Poisson around a mean-one gamma factor, so the
    # daily counts have variance m + (0.12 m)^2 (the negative-binomial law of the bank data).
    per_day, cv, days = 5000.0, 0.12, 600
    sc = make_scenario(
        {"horizon.days": days, "horizon.warmup_days": 0},
        arrivals={"mode": "constant", "calls_per_h": per_day / 24, "daily_cv": cv},
    )
    t = first_dials(sc.arrivals, sc.horizon, np.random.default_rng(12))
    daily = np.bincount((t // DAY_S).astype(int), minlength=days)
    var_expected = per_day + (cv * per_day) ** 2
    assert abs(daily.mean() - per_day) <= 4.5 * math.sqrt(var_expected / days)
    # the sample variance of n normal-ish values has relative sd sqrt(2 / (n - 1))
    assert abs(daily.var(ddof=1) / var_expected - 1) <= 4.5 * math.sqrt(2 / (days - 1))
