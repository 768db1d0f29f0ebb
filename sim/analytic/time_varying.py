"""Time-varying load: SIPP, lagged SIPP and the modified offered load (MOL), per interval.

Each interval is treated with the steady-state formulas of :mod:`sim.analytic.steady`, fed with
the interval's own arrival rate (SIPP), a rate shifted by a lag (lagged SIPP), or the offered load
of an infinite-server queue driven by the whole profile (MOL). Sources: L. Green, P. Kolesar &
J. Soares (2001), Oper. Res. 49(4); Z. Feldman, A. Mandelbaum, W. Massey & W. Whitt (2008), Mgmt.
Sci. 54(2).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from sim.analytic.steady import QueueMetrics, _bad, _nonneg, _positive, erlang_a_metrics


def _profile(name: str, values: ArrayLike) -> np.ndarray:
    arr = np.asarray(values, dtype=float)
    if arr.ndim != 1 or arr.size == 0 or not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise _bad(name, "a non-empty 1-D array of finite numbers >= 0", values)
    return arr


def _shifted_rates(rates: np.ndarray, interval_s: float, lag_s: float) -> np.ndarray:
    """Average of the periodic profile lam(t - lag_s) over each interval."""
    n = rates.size
    period_s = n * interval_s
    cum = np.concatenate(([0.0], np.cumsum(rates * interval_s)))

    def integral(u: np.ndarray) -> np.ndarray:  # int_0^u lam, the profile repeating
        cycles = np.floor(u / period_s)
        rest = u - cycles * period_s
        idx = np.minimum((rest // interval_s).astype(int), n - 1)
        return cycles * cum[-1] + cum[idx] + rates[idx] * (rest - idx * interval_s)

    starts = np.arange(n) * interval_s
    return (integral(starts + interval_s - lag_s) - integral(starts - lag_s)) / interval_s


def _per_interval(name: str, values: object, n: int) -> np.ndarray:
    arr = np.broadcast_to(np.asarray(values), (n,))
    if (
        not np.all(np.isfinite(arr.astype(float)))
        or np.any(arr != np.round(arr))
        or np.any(arr < 1)
    ):
        raise _bad(name, f"an integer >= 1, or {n} of them (one per interval)", values)
    return arr.astype(int)


def _interval_table(
    calls_per_s: np.ndarray,
    effective_per_s: np.ndarray,
    handle_s: float,
    agents: ArrayLike,
    interval_s: float,
    lines: ArrayLike | None,
    patience_s: float,
    within_s: float,
) -> pd.DataFrame:
    n = calls_per_s.size
    c = _per_interval("agents", agents, n)
    n_lines = None if lines is None else _per_interval("lines", lines, n)
    rows = []
    for i in range(n):
        li = None if n_lines is None else int(n_lines[i])
        if li is not None and li < c[i]:
            raise _bad(f"lines[{i}]", f"None or >= agents[{i}] ({c[i]})", li)
        load = effective_per_s[i] * handle_s
        if li is None and math.isinf(patience_s) and load >= c[i]:
            # overloaded M/M/c: no steady state; report the limit instead of failing the day
            m = QueueMetrics(
                int(c[i]),
                None,
                load,
                0.0,
                1.0,
                0.0,
                math.inf,
                0.0,
                1.0,
                math.inf,
                within_s,
                0.0,
                math.inf,
            )
            stable = False
        else:
            m = erlang_a_metrics(effective_per_s[i], handle_s, int(c[i]), li, patience_s, within_s)
            stable = True
        rows.append(
            {
                "interval": i,
                "start_s": i * interval_s,
                "calls_per_s": calls_per_s[i],
                "effective_calls_per_s": effective_per_s[i],
                "offered_erl": load,
                "agents": int(c[i]),
                "lines": li,
                "p_blocked": m.p_blocked,
                "p_wait": m.p_wait,
                "p_abandon": m.p_abandon,
                "asa_s": m.asa_s,
                "service_level": m.service_level,
                "occupancy": m.occupancy,
                "mean_queue": m.mean_queue,
                "stable": stable,
            }
        )
    table = pd.DataFrame(rows)
    table["lines"] = table["lines"].astype("Int64")
    return table


def sipp(
    calls_per_s: ArrayLike,
    handle_s: float,
    agents: ArrayLike,
    *,
    interval_s: float,
    lines: ArrayLike | None = None,
    patience_s: float = math.inf,
    within_s: float = 20.0,
    lag_s: float = 0.0,
) -> pd.DataFrame:
    """Stationary independent period-by-period metrics, one row per interval.

    Each interval is treated as its own steady state (Green, Kolesar & Soares 2001). With
    ``lag_s > 0`` (lagged SIPP; they suggest the mean handle time) interval i uses the average of
    ``lam(t - lag_s)`` over its span, the daily profile repeating. Overloaded intervals without
    abandonment or finite lines have no steady state: they are reported with ``stable=False``,
    ``p_wait=1``, ``service_level=0`` and infinite ``asa_s``/``mean_queue``.
    """
    rates = _profile("calls_per_s", calls_per_s)
    h = _positive("handle_s", handle_s)
    d = _positive("interval_s", interval_s)
    lag = _nonneg("lag_s", lag_s)
    patience = _positive("patience_s", patience_s, allow_inf=True)
    t = _nonneg("within_s", within_s, allow_inf=True)
    effective = _shifted_rates(rates, d, lag) if lag > 0 else rates
    return _interval_table(rates, effective, h, agents, d, lines, patience, t)


def modified_offered_load(
    calls_per_s: ArrayLike, handle_s: float, *, interval_s: float
) -> np.ndarray:
    """Per-interval average of the modified offered load m(t) (Feldman et al. 2008).

    m solves ``m'(t) = lam(t) - m(t) / handle_s`` (the mean number in an infinite-server system).
    For constant ``lam`` on an interval of length d, ``m(s) = lam h + (m0 - lam h) e^(-s/h)``, whose
    average is ``lam h + (m0 - lam h)(h/d)(1 - e^(-d/h))``. The start value is the periodic steady
    state (the profile repeats daily): ``m0 = m_end(from 0) / (1 - e^(-T/h))``.
    """
    rates = _profile("calls_per_s", calls_per_s)
    h = _positive("handle_s", handle_s)
    d = _positive("interval_s", interval_s)
    decay = math.exp(-d / h)
    m = 0.0
    for lam in rates:  # one period from m = 0
        m = lam * h + (m - lam * h) * decay
    m /= -math.expm1(-rates.size * d / h)
    average = np.empty_like(rates)
    keep = -math.expm1(-d / h) * h / d
    for i, lam in enumerate(rates):
        average[i] = lam * h + (m - lam * h) * keep
        m = lam * h + (m - lam * h) * decay
    return average


def mol_metrics(
    calls_per_s: ArrayLike,
    handle_s: float,
    agents: ArrayLike,
    *,
    interval_s: float,
    lines: ArrayLike | None = None,
    patience_s: float = math.inf,
    within_s: float = 20.0,
) -> pd.DataFrame:
    """Per-interval stationary metrics at the MOL offered load (Feldman et al. 2008).

    The effective arrival rate of interval i is ``m_i / handle_s``; columns as in ``sipp``.
    """
    rates = _profile("calls_per_s", calls_per_s)
    load = modified_offered_load(rates, handle_s, interval_s=interval_s)
    patience = _positive("patience_s", patience_s, allow_inf=True)
    t = _nonneg("within_s", within_s, allow_inf=True)
    h = float(handle_s)
    return _interval_table(rates, load / h, h, agents, float(interval_s), lines, patience, t)
