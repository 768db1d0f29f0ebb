"""Erlang B/C/A/X, staffing and time-varying formulas against independent references.

References are computed here by other means: exact rational arithmetic (Erlang B/C), the Poisson
distribution in logs (large c), a dense linear solve of the CTMC generator and a matrix
exponential for the tagged caller's wait (Erlang A), and an ODE solver (MOL).
"""

from __future__ import annotations

import math
import warnings
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import integrate, linalg, special, stats

from sim import analytic as an

# --- exact references -----------------------------------------------------------------------


def exact_b(c: int, a: Fraction) -> Fraction:
    """Erlang B as an exact fraction: (a^c / c!) / sum_k a^k / k!."""
    terms = [a**k / math.factorial(k) for k in range(c + 1)]
    return terms[-1] / sum(terms)


def exact_c(c: int, a: Fraction) -> Fraction:
    """Erlang C as an exact fraction: c B / (c - a (1 - B))."""
    b = exact_b(c, a)
    return c * b / (c - a * (1 - b))


LOADS = [Fraction(1, 10), Fraction(1, 2), Fraction(1), Fraction(5), Fraction(8), Fraction(19, 2)]


@pytest.mark.parametrize("c", [1, 2, 3, 5, 10, 20, 50])
@pytest.mark.parametrize("a", [*LOADS, Fraction(30), Fraction(45)])
def test_erlang_b_matches_exact_fractions(c: int, a: Fraction) -> None:
    assert an.erlang_b(c, float(a)) == pytest.approx(float(exact_b(c, a)), rel=1e-12, abs=1e-300)


@pytest.mark.parametrize("c", [1, 2, 3, 5, 10, 20, 50])
@pytest.mark.parametrize("a", [*LOADS, Fraction(30), Fraction(45)])
def test_erlang_c_matches_exact_fractions(c: int, a: Fraction) -> None:
    expected = 1.0 if a >= c else float(exact_c(c, a))
    assert an.erlang_c(c, float(a)) == pytest.approx(expected, rel=1e-12, abs=1e-300)


def test_textbook_values() -> None:
    # standard Erlang B tables: B(10, 5) = 0.01838, B(5, 2) = 0.03670 (checked exactly above)
    assert an.erlang_b(10, 5.0) == pytest.approx(0.018384570336648, abs=1e-14)
    assert an.erlang_b(5, 2.0) == pytest.approx(0.036697247706422, abs=1e-14)
    assert an.erlang_b(1, 1.0) == 0.5
    assert an.erlang_b(0, 3.0) == 1.0
    # M/M/2 at 1 Erl: P(wait) = 2 rho^2 / (1 + rho) = 1/3 with rho = 1/2
    assert an.erlang_c(2, 1.0) == pytest.approx(1 / 3, abs=1e-15)
    # Erlang C table: C(10 agents, 8 Erl) = 0.4092
    assert an.erlang_c(10, 8.0) == pytest.approx(0.409180150796443, abs=1e-14)
    assert an.erlang_c(10, 10.0) == 1.0
    assert an.erlang_b(3, 0.0) == 0.0 and an.erlang_c(3, 0.0) == 0.0


# --- large numbers of agents --------------------------------------------------------------------


@pytest.mark.parametrize("c", [2000, 5000])
@pytest.mark.parametrize("ratio", [0.01, 0.9, 0.99, 1.0, 1.01, 1.1, 10.0])
def test_large_agents_finite_and_in_range(c: int, ratio: float) -> None:
    a = ratio * c
    handle_s = 300.0
    with warnings.catch_warnings(), np.errstate(divide="raise", over="raise", invalid="raise"):
        warnings.simplefilter("error")
        b = an.erlang_b(c, a)
        cc = an.erlang_c(c, a)
        results = [
            an.erlang_a_metrics(a / handle_s, handle_s, c, patience_s=120.0),
            an.erlang_a_metrics(a / handle_s, handle_s, c, lines=c + 100, patience_s=120.0),
            an.erlang_a_metrics(a / handle_s, handle_s, c, lines=c + 100),
            an.erlang_a_metrics(a / handle_s, handle_s, c, lines=c),
        ]
        if a < c:
            results.append(an.erlang_c_metrics(a / handle_s, handle_s, c))
    # independent reference: B = P(X = c) / P(X <= c) for X ~ Poisson(a), in logs
    log_pmf = stats.poisson.logpmf(np.arange(c + 1), a)
    ref = math.exp(log_pmf[-1] - special.logsumexp(log_pmf))
    assert b == pytest.approx(ref, rel=1e-9)
    assert 0.0 <= b <= 1.0 and 0.0 <= cc <= 1.0
    assert results[3].p_blocked == pytest.approx(b, rel=1e-9)
    for m in results:
        for name in ("p_blocked", "p_wait", "p_abandon", "service_level", "occupancy"):
            value = getattr(m, name)
            assert math.isfinite(value) and -1e-12 <= value <= 1 + 1e-12, (name, value)
        assert math.isfinite(m.asa_s) and m.asa_s >= 0
        assert math.isfinite(m.mean_queue) and m.mean_queue >= 0


# --- Erlang A: limits and brute force -----------------------------------------------------------


def test_erlang_a_infinite_patience_is_erlang_c() -> None:
    lam, h, c = 8 / 300, 300.0, 10
    exact = an.erlang_c_metrics(lam, h, c, within_s=15.0)
    assert an.erlang_a_metrics(lam, h, c, within_s=15.0) == exact
    for via in (
        an.erlang_a_metrics(lam, h, c, lines=c + 600, within_s=15.0),
        an.erlang_a_metrics(lam, h, c, patience_s=1e14, within_s=15.0),
    ):
        for name in ("p_wait", "asa_s", "service_level", "occupancy", "mean_queue"):
            assert getattr(via, name) == pytest.approx(getattr(exact, name), rel=1e-8), name
    assert exact.service_level == pytest.approx(
        1 - exact.p_wait * math.exp(-(c / h - lam) * 15.0), rel=1e-15
    )


@pytest.mark.parametrize("patience_s", [math.inf, 30.0, 600.0])
def test_erlang_a_with_lines_equal_agents_is_erlang_b(patience_s: float) -> None:
    for c, a in [(1, 0.5), (10, 8.0), (30, 45.0)]:
        m = an.erlang_a_metrics(a / 200, 200.0, c, lines=c, patience_s=patience_s)
        assert m.p_blocked == pytest.approx(an.erlang_b(c, a), rel=1e-12)
        assert (m.p_wait, m.p_abandon, m.asa_s, m.service_level) == (0.0, 0.0, 0.0, 1.0)
        assert m.occupancy == pytest.approx(a * (1 - m.p_blocked) / c, rel=1e-12)


def test_unlimited_lines_truncation_matches_a_long_finite_chain() -> None:
    for lam, c, patience in [(0.05, 10, 60.0), (0.2, 30, 300.0), (0.01, 2, 1000.0)]:
        open_ = an.erlang_a_metrics(lam, 180.0, c, patience_s=patience)
        closed = an.erlang_a_metrics(lam, 180.0, c, lines=c + 5000, patience_s=patience)
        for name in ("p_wait", "p_abandon", "asa_s", "service_level", "occupancy", "mean_queue"):
            assert getattr(open_, name) == pytest.approx(getattr(closed, name), rel=1e-12), name


def brute_force(lam: float, h: float, c: int, n_lines: int, patience_s: float, t: float) -> dict:
    """Metrics from the generator matrix: dense solve, and expm for the tagged caller's wait."""
    mu, theta = 1 / h, (0.0 if math.isinf(patience_s) else 1 / patience_s)
    size = n_lines + 1
    q = np.zeros((size, size))
    for n in range(size):
        if n < n_lines:
            q[n, n + 1] = lam
        if n > 0:
            q[n, n - 1] = min(n, c) * mu + max(n - c, 0) * theta
        q[n, n] = -q[n].sum()
    system = np.vstack([q.T, np.ones(size)])
    rhs = np.zeros(size + 1)
    rhs[-1] = 1.0
    pi = np.linalg.lstsq(system, rhs, rcond=None)[0]
    admitted = pi[:-1].sum()
    n = np.arange(size)
    lq = (np.maximum(n - c, 0) * pi).sum()
    # tagged caller at queue position k = 1..K: sub-generator over positions, exit to "served"
    k_max = n_lines - c
    out = {
        "p_blocked": pi[-1],
        "p_wait": pi[c:-1].sum() / admitted,
        "p_abandon": theta * lq / (lam * admitted),
        "occupancy": (np.minimum(n, c) * pi).sum() / c,
        "mean_queue": lq,
    }
    no_wait = pi[:c].sum() / admitted
    if k_max == 0:
        return out | {"asa_s": 0.0, "service_level": 1.0, "p_served": 1.0}
    sub = np.zeros((k_max, k_max))
    to_served = np.zeros(k_max)
    for k in range(1, k_max + 1):
        up = c * mu + (k - 1) * theta
        if k == 1:
            to_served[0] = up
        else:
            sub[k - 1, k - 2] = up
        sub[k - 1, k - 1] = -(up + theta)
    init = pi[c:-1] / admitted
    inv = np.linalg.inv(-sub)
    served = no_wait + init @ inv @ to_served
    wait_served = init @ inv @ inv @ to_served  # E[W; served]
    within = init @ inv @ (np.eye(k_max) - linalg.expm(sub * t)) @ to_served
    return out | {
        "asa_s": wait_served / served,
        "service_level": (no_wait + within) / served,
        "p_served": served,
    }


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    c=st.integers(1, 5),
    extra=st.integers(0, 10),
    load=st.floats(0.05, 12.0),
    handle_s=st.floats(10.0, 1000.0),
    patience_ratio=st.one_of(st.just(math.inf), st.floats(0.01, 50.0)),
    within_s=st.floats(0.0, 200.0),
)
def test_erlang_a_matches_brute_force_ctmc(c, extra, load, handle_s, patience_ratio, within_s):
    patience_s = patience_ratio * handle_s
    lam = load / handle_s
    n_lines = c + extra
    m = an.erlang_a_metrics(lam, handle_s, c, n_lines, patience_s, within_s)
    ref = brute_force(lam, handle_s, c, n_lines, patience_s, within_s)
    for name in ("p_blocked", "p_wait", "p_abandon", "occupancy", "mean_queue", "service_level"):
        # the dense solve is only accurate to ~1e-12 absolute on the small probabilities
        assert getattr(m, name) == pytest.approx(ref[name], rel=1e-7, abs=1e-10), name
    assert m.asa_s == pytest.approx(ref["asa_s"], rel=1e-7, abs=1e-8)
    assert 1 - m.p_abandon == pytest.approx(ref["p_served"], rel=1e-9)


# --- monotonicity -------------------------------------------------------------------------------

MONOTONE = dict(
    load=st.floats(0.1, 40.0),
    handle_s=st.floats(30.0, 900.0),
    c=st.integers(1, 45),
    extra=st.one_of(st.none(), st.integers(0, 30)),
    patience_ratio=st.one_of(st.just(math.inf), st.floats(0.05, 20.0)),
)


def _metrics(load, handle_s, c, extra, patience_ratio):
    lines = None if extra is None else c + extra
    patience_s = patience_ratio * handle_s
    if lines is None and math.isinf(patience_s) and load >= c:
        return None
    return an.erlang_a_metrics(load / handle_s, handle_s, c, lines, patience_s)


@settings(max_examples=150, deadline=None)
@given(**MONOTONE)
def test_more_agents_never_hurt(load, handle_s, c, extra, patience_ratio):
    fewer = _metrics(load, handle_s, c, extra, patience_ratio)
    more = _metrics(load, handle_s, c + 1, extra, patience_ratio)
    if fewer is None:
        return
    tol = 1e-12
    assert more.p_blocked <= fewer.p_blocked + tol
    assert more.p_wait <= fewer.p_wait + tol
    assert more.p_abandon <= fewer.p_abandon + tol
    assert more.asa_s <= fewer.asa_s * (1 + 1e-12) + tol
    assert more.service_level >= fewer.service_level - tol


@settings(max_examples=150, deadline=None)
@given(**MONOTONE, growth=st.floats(1.001, 2.0))
def test_more_load_never_helps(load, handle_s, c, extra, patience_ratio, growth):
    light = _metrics(load, handle_s, c, extra, patience_ratio)
    heavy = _metrics(load * growth, handle_s, c, extra, patience_ratio)
    if heavy is None:
        return
    tol = 1e-12
    assert heavy.p_blocked >= light.p_blocked - tol
    assert heavy.p_wait >= light.p_wait - tol
    assert heavy.p_abandon >= light.p_abandon - tol
    assert heavy.asa_s >= light.asa_s * (1 - 1e-12) - tol


# --- Erlang X -----------------------------------------------------------------------------------


def test_erlang_x_without_redials_is_erlang_a() -> None:
    args = (0.03, 300.0, 10, 14, 90.0)
    assert an.erlang_x_metrics(*args, 0.0, 0.0) == an.erlang_a_metrics(*args)


@pytest.mark.parametrize(("r_b", "r_a"), [(0.5, 0.0), (0.0, 0.7), (0.6, 0.6), (1.0, 1.0)])
def test_erlang_x_solves_its_fixed_point(r_b: float, r_a: float) -> None:
    fresh, h, c, lines, patience = 0.03, 300.0, 10, 12, 60.0
    m = an.erlang_x_metrics(fresh, h, c, lines, patience, r_b, r_a)
    total = m.offered_erl / h
    lost = m.p_blocked * r_b + m.p_abandon * (1 - m.p_blocked) * r_a
    assert total == pytest.approx(fresh + total * lost, rel=1e-9)
    assert total > fresh
    assert m.p_blocked > an.erlang_a_metrics(fresh, h, c, lines, patience).p_blocked


# --- staffing -----------------------------------------------------------------------------------

TARGETS = [
    dict(target_service_level=0.8),
    dict(target_service_level=0.95, within_s=10.0),
    dict(target_asa_s=15.0),
    dict(target_abandon=0.03, patience_s=120.0),
    dict(target_service_level=0.8, target_abandon=0.01, patience_s=60.0, lines=None),
    dict(target_service_level=0.9, patience_s=200.0, lines=60),
    dict(target_service_level=0.9, redial_prob_busy=0.5, redial_prob_abandon=0.5, patience_s=90.0),
]


def _meets(m: an.QueueMetrics, kw: dict) -> bool:
    return (
        m.service_level >= kw.get("target_service_level", 0)
        and m.asa_s <= kw.get("target_asa_s", math.inf)
        and m.p_abandon <= kw.get("target_abandon", 1)
    )


@pytest.mark.parametrize("kw", TARGETS)
@pytest.mark.parametrize("calls_per_h", [20.0, 300.0, 1000.0])
def test_agents_for_target_is_the_minimum(kw: dict, calls_per_h: float) -> None:
    lam, h = calls_per_h / 3600, 280.0
    n = an.agents_for_target(lam, h, **kw)
    metric_kw = {k: kw[k] for k in ("lines", "patience_s", "within_s") if k in kw}
    r_b, r_a = kw.get("redial_prob_busy", 0.0), kw.get("redial_prob_abandon", 0.0)

    def at(c: int) -> an.QueueMetrics:
        return an.erlang_x_metrics(
            lam, h, c, metric_kw.get("lines"), metric_kw.get("patience_s", math.inf), r_b, r_a,
            metric_kw.get("within_s", 20.0),
        )  # fmt: skip

    assert _meets(at(n), kw)
    stable_floor = math.floor(lam * h) + 1 if "patience_s" not in kw and not kw.get("lines") else 1
    if n > stable_floor:
        assert not _meets(at(n - 1), kw)


def test_agents_for_target_large_centre_is_quick_and_minimal() -> None:
    lam, h = 2000 * 1.0 / 300, 300.0  # 2,000 Erl
    n = an.agents_for_target(lam, h, target_service_level=0.8, patience_s=180.0)
    assert an.erlang_a_metrics(lam, h, n, patience_s=180.0).service_level >= 0.8
    assert an.erlang_a_metrics(lam, h, n - 1, patience_s=180.0).service_level < 0.8


def test_agents_for_target_errors() -> None:
    with pytest.raises(ValueError, match="target_service_level, target_asa_s or target_abandon"):
        an.agents_for_target(0.1, 100.0)
    with pytest.raises(ValueError, match=r"max_agents .* got 12"):
        an.agents_for_target(0.1, 100.0, target_service_level=0.8, max_agents=12)
    with pytest.raises(ValueError, match=r"max_agents .* got 3"):
        an.agents_for_target(0.1, 100.0, target_service_level=0.8, patience_s=60.0, max_agents=3)


# --- Halfin-Whitt -------------------------------------------------------------------------------


@pytest.mark.parametrize("alpha", [1e-300, 1e-6, 0.05, 0.2, 0.5, 0.9, 1 - 1e-9])
def test_halfin_whitt_beta_solves_the_equation(alpha: float) -> None:
    beta = an.halfin_whitt_beta(alpha)
    assert beta > 0
    log_ratio = math.log(beta) + stats.norm.logcdf(beta) - stats.norm.logpdf(beta)
    assert -math.log1p(math.exp(log_ratio)) == pytest.approx(math.log(alpha), rel=1e-9)


def test_halfin_whitt_agents_and_limit() -> None:
    assert an.halfin_whitt_agents(100.0, 1.0) == 110
    assert an.halfin_whitt_agents(100.0, 0.5) == 105
    assert an.halfin_whitt_agents(0.0, 1.0) == 1
    beta = an.halfin_whitt_beta(0.2)
    r = 2000.0
    assert an.erlang_c(an.halfin_whitt_agents(r, beta), r) == pytest.approx(0.2, abs=0.02)


# --- SIPP and MOL -------------------------------------------------------------------------------


def test_constant_rate_mol_is_lam_times_handle() -> None:
    load = an.modified_offered_load(np.full(48, 0.02), 400.0, interval_s=1800.0)
    assert load.shape == (48,)
    np.testing.assert_allclose(load, 0.02 * 400.0, rtol=1e-12)


def test_mol_matches_an_ode_solution_over_a_periodic_day() -> None:
    rates = 0.01 + 0.04 * np.sin(np.linspace(0, np.pi, 24)) ** 2
    interval_s, h = 3600.0, 5400.0

    def rhs(t, m):
        return rates[int(t // interval_s) % rates.size] - m / h

    days = 6  # start empty; the periodic state is reached to ~exp(-6*24*3600/5400)
    ts = np.linspace(0, days * 86400.0, days * 24 * 200 + 1)
    sol = integrate.solve_ivp(
        rhs, (0, ts[-1]), [0.0], t_eval=ts, max_step=60.0, rtol=1e-10, atol=1e-12
    )
    last_day = sol.y[0][-(24 * 200 + 1) :]
    ode_avg = [
        integrate.trapezoid(last_day[i * 200 : (i + 1) * 200 + 1], dx=18.0) / interval_s
        for i in range(24)
    ]
    np.testing.assert_allclose(
        an.modified_offered_load(rates, h, interval_s=interval_s), ode_avg, rtol=1e-5
    )


def test_mol_lags_the_arrival_peak() -> None:
    rates = 0.01 + 0.04 * np.sin(np.linspace(0, np.pi, 24)) ** 2
    load = an.modified_offered_load(rates, 5400.0, interval_s=3600.0)
    assert np.argmax(load) > np.argmax(rates)
    assert load.sum() == pytest.approx(rates.sum() * 5400.0, rel=1e-12)  # mass is conserved


def test_sipp_rows_are_stationary_metrics_and_lag_shifts() -> None:
    rates = np.array([0.01, 0.03, 0.05, 0.02])
    agents = [4, 10, 16, 8]
    table = an.sipp(rates, 300.0, agents, interval_s=900.0, patience_s=120.0)
    assert isinstance(table, pd.DataFrame) and len(table) == 4
    assert list(table["start_s"]) == [0.0, 900.0, 1800.0, 2700.0]
    for i, row in table.iterrows():
        m = an.erlang_a_metrics(rates[i], 300.0, agents[i], patience_s=120.0)
        assert row["service_level"] == m.service_level and row["asa_s"] == m.asa_s
        assert row["offered_erl"] == pytest.approx(rates[i] * 300.0)
    lagged = an.sipp(rates, 300.0, agents, interval_s=900.0, patience_s=120.0, lag_s=900.0)
    np.testing.assert_allclose(lagged["effective_calls_per_s"], np.roll(rates, 1), rtol=1e-12)
    half = an.sipp(rates, 300.0, 20, interval_s=900.0, lag_s=450.0)
    np.testing.assert_allclose(
        half["effective_calls_per_s"], (rates + np.roll(rates, 1)) / 2, rtol=1e-12
    )
    assert half["lines"].isna().all() and (half["agents"] == 20).all()


def test_sipp_reports_overloaded_intervals_without_failing() -> None:
    table = an.sipp([0.01, 0.1], 300.0, 10, interval_s=900.0)
    assert list(table["stable"]) == [True, False]
    assert table.loc[1, "p_wait"] == 1.0 and math.isinf(table.loc[1, "asa_s"])


def test_mol_metrics_use_the_mol_load() -> None:
    rates = [0.01, 0.05, 0.02]
    table = an.mol_metrics(rates, 600.0, [8, 40, 20], interval_s=1800.0, lines=[10, 45, 25])
    load = an.modified_offered_load(rates, 600.0, interval_s=1800.0)
    np.testing.assert_allclose(table["offered_erl"], load, rtol=1e-12)
    m = an.erlang_a_metrics(load[1] / 600.0, 600.0, 40, 45)
    assert table.loc[1, "p_blocked"] == pytest.approx(m.p_blocked, rel=1e-12)
    assert list(table["lines"]) == [10, 45, 25]


# --- input validation: every constraint names the parameter, the rule and the value ----------

BAD = [
    (lambda: an.erlang_b(-1, 1.0), "servers must be an integer >= 0; got -1"),
    (lambda: an.erlang_b(2.5, 1.0), "servers must be an integer >= 0; got 2.5"),
    (lambda: an.erlang_b(3, -1.0), "load_erl must be finite and >= 0; got -1.0"),
    (lambda: an.erlang_c(0, 1.0), "servers must be an integer >= 1; got 0"),
    (lambda: an.erlang_c(2, math.nan), "load_erl must be finite and >= 0; got nan"),
    (lambda: an.erlang_c_metrics(-0.1, 1.0, 2), "calls_per_s must be finite and >= 0; got -0.1"),
    (lambda: an.erlang_c_metrics(0.1, 0.0, 2), "handle_s must be finite and > 0; got 0.0"),
    (lambda: an.erlang_c_metrics(0.1, 30.0, 2), r"must be < agents \(2\) .* got 3 Erl"),
    (lambda: an.erlang_a_metrics(0.1, 1.0, 0), "agents must be an integer >= 1; got 0"),
    (lambda: an.erlang_a_metrics(0.1, 1.0, 3, lines=2), r"lines must be .*>= agents \(3\); got 2"),
    (lambda: an.erlang_a_metrics(0.1, 1.0, 3, patience_s=-5), "patience_s must be > 0 .*got -5"),
    (lambda: an.erlang_a_metrics(0.1, 1.0, 3, within_s=-1), "within_s must be >= 0; got -1"),
    (lambda: an.erlang_x_metrics(0.1, 1.0, 3, 5, 9.0, 1.5, 0), "redial_prob_busy .* got 1.5"),
    (lambda: an.erlang_x_metrics(0.1, 1.0, 3, 5, 9.0, 0, -1), "redial_prob_abandon .* got -1"),
    (lambda: an.halfin_whitt_beta(1.0), r"target_p_wait must be in \(0, 1\); got 1.0"),
    (lambda: an.halfin_whitt_agents(-1.0, 1.0), "load_erl must be finite and >= 0; got -1.0"),
    (lambda: an.agents_for_target(0.1, 1.0, target_service_level=2), "target_service_level"),
    (lambda: an.modified_offered_load([0.1, -1], 1.0, interval_s=9), "calls_per_s must be"),
    (lambda: an.modified_offered_load([0.1], 1.0, interval_s=0), "interval_s must be"),
    (lambda: an.sipp([0.1], 1.0, 0, interval_s=9), "agents must be an integer >= 1"),
    (lambda: an.sipp([0.1], 1.0, 2, interval_s=9, lag_s=-1), "lag_s must be"),
    (lambda: an.sipp([0.1], 1.0, 2, interval_s=9, lines=1), r"lines\[0\] must be"),
]


@pytest.mark.parametrize(("call", "message"), BAD)
def test_bad_input_names_the_parameter(call, message) -> None:
    with pytest.raises(ValueError, match=message):
        call()
