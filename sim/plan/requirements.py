"""Fewest call-takers (and officers, and lines) per interval by the steady-state methods.

Each interval gets the fewest agents whose Erlang A metrics (exponential patience of the
scenario's mean; unlimited lines while staff are planned) meet every target, fed with:

* **SIPP**: the interval's own arrival rate (Green, Kolesar & Soares 2001);
* **lagged SIPP**: the rate one mean handle time earlier (Green, Kolesar & Soares 2001);
* **MOL**: the modified offered load, the mean number in an infinite-server system driven by
  the whole profile, divided by the handle time (Jennings, Mandelbaum, Massey & Whitt 1996;
  Feldman, Mandelbaum, Massey & Whitt 2008).

Officers take the escalations (a share of answered calls) and are sized the same way with no
abandonment (the caller is held). Lines: the fewest with Erlang B blocking at most the target
on the line load (waits and talk; insensitive to the holding-time distribution).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from sim.analytic.steady import QueueMetrics, erlang_a_metrics, erlang_b
from sim.analytic.time_varying import _shifted_rates, modified_offered_load
from sim.plan.demand import Demand
from sim.plan.targets import PlanTargets

METHODS = ("sipp", "lagged-sipp", "mol", "isa")


def service_level(m: QueueMetrics, convention: str) -> float:
    """Share answered within T, over answered attempts or over all offered ones."""
    if convention == "answered":
        return m.service_level
    answered = (1.0 - m.p_blocked) * (1.0 - m.p_abandon)
    return m.service_level * answered


def meets(m: QueueMetrics, t: PlanTargets, sl_min: float | None = None) -> bool:
    """Every target of ``t`` holds (``sl_min`` overrides the service-level goal)."""
    goal = t.service_level_min if sl_min is None else sl_min
    return (
        (goal is None or service_level(m, t.service_level_of) >= goal - 1e-12)
        and (t.abandon_rate_max is None or m.p_abandon <= t.abandon_rate_max)
        and (t.asa_max_s is None or m.asa_s <= t.asa_max_s)
    )


def fewest_agents(
    calls_per_s: float,
    handle_s: float,
    patience_s: float,
    t: PlanTargets,
    sl_min: float | None = None,
    cap: int = 5000,
) -> int:
    """The fewest agents (at least 1) meeting the targets at a steady load (bisection)."""
    if calls_per_s <= 0:
        return 1

    def ok(c: int) -> bool:
        load = calls_per_s * handle_s
        if math.isinf(patience_s) and load >= c:
            return False
        return meets(
            erlang_a_metrics(calls_per_s, handle_s, c, None, patience_s, t.service_level_s),
            t,
            sl_min,
        )

    load = calls_per_s * handle_s
    c = max(1, math.ceil(load + math.sqrt(load)))  # square-root staffing: near the answer
    if ok(c):
        while c > 1 and ok(c - 1):
            c -= 1
        return c
    while not ok(c):
        c += 1
        if c > cap:
            raise ValueError(f"no staffing up to {cap} meets the targets; got load {load:g}")
    return c


def fewest_lines(line_load_erl: float, block_rate_max: float, at_least: int = 1) -> int:
    """The fewest lines whose Erlang B blocking is at most ``block_rate_max``."""
    n = max(1, at_least)
    while erlang_b(n, line_load_erl) > block_rate_max:
        n += 1
    return n


def effective_rates(d: Demand, method: str) -> np.ndarray:
    """The arrival rate each interval is staffed for, by a steady-state ``method``."""
    rates = d.calls_per_s
    if method == "sipp":
        return rates
    if method == "lagged-sipp":
        # Both treat the planned week as one repeating period (Sunday night runs into Monday).
        return _shifted_rates(rates, d.interval_s, d.handle_s)
    if method == "mol":
        return modified_offered_load(rates, d.handle_s, interval_s=d.interval_s) / d.handle_s
    raise ValueError(f"method must be one of sipp, lagged-sipp, mol; got {method!r}")


def staffing(
    d: Demand, t: PlanTargets, rates: np.ndarray, sl_min: np.ndarray | None = None
) -> np.ndarray:
    """Call-takers per interval for arrival rates ``rates`` (calls/s)."""
    out = np.empty(rates.size, dtype=int)
    for i, lam in enumerate(rates.tolist()):
        goal = None if sl_min is None else float(sl_min[i])
        out[i] = fewest_agents(lam, d.handle_s, d.patience_s, t, goal)
    return out


def officers(d: Demand, t: PlanTargets, rates: np.ndarray) -> np.ndarray:
    """Officers per interval for the escalations of ``rates`` (no abandonment while held)."""
    if d.escalations_per_call <= 0:
        return np.zeros(rates.size, dtype=int)
    esc = rates * d.escalations_per_call
    return np.array(
        [fewest_agents(lam, d.officer_handle_s, math.inf, t) for lam in esc.tolist()], dtype=int
    )


def lines(d: Demand, t: PlanTargets, rates: np.ndarray) -> np.ndarray:
    """Lines per interval for the block-rate target on the line load of ``rates``."""
    return np.array(
        [fewest_lines(lam * d.line_hold_s, t.block_rate_max) for lam in rates.tolist()], dtype=int
    )


def requirement_table(d: Demand, t: PlanTargets, method: str) -> pd.DataFrame:
    """One row per interval: the rate staffed for, call-takers, officers and lines."""
    rates = effective_rates(d, method)
    return pd.DataFrame(
        {
            "interval": np.arange(rates.size),
            "weekday": d.weekday,
            "slot": d.slot,
            "start_s": d.start_s + np.arange(rates.size) * d.interval_s,
            "calls_per_h": d.calls_per_s * 3600.0,
            "staffed_calls_per_h": rates * 3600.0,
            "call_takers": staffing(d, t, rates),
            "officers": officers(d, t, rates),
            "lines": lines(d, t, rates),
            "method": method,
        }
    )
