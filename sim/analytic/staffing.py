"""Staffing: the fewest agents meeting service targets, and the square-root staffing rule.

:func:`agents_for_target` searches the exact formulas of :mod:`sim.analytic.steady` (Erlang C,
A with lines, or X with redials); :func:`halfin_whitt_agents` and :func:`halfin_whitt_beta`
give the quality-and-efficiency-driven rule c = a + beta sqrt(a) (Halfin & Whitt 1981).
Seconds inside; docs/analytic.md lists the conventions.
"""

from __future__ import annotations

import math

from scipy import optimize, special, stats

from sim.analytic.steady import (
    _bad,
    _int,
    _nonneg,
    _positive,
    _prob,
    _real,
    erlang_a_metrics,
    erlang_x_metrics,
)

#: Most agents (and lines) the formulas are asked about: Erlang B's recursion is linear in
#: the agents, and a helpline of more than this is not a staffing question.
MAX_AGENTS = 100_000


def agents_for_target(
    calls_per_s: float,
    handle_s: float,
    *,
    lines: int | None = None,
    patience_s: float = math.inf,
    within_s: float = 20.0,
    target_service_level: float | None = None,
    target_asa_s: float | None = None,
    target_abandon: float | None = None,
    max_agents: int = MAX_AGENTS,
    redial_prob_busy: float = 0.0,
    redial_prob_abandon: float = 0.0,
) -> int:
    """The fewest agents meeting every given target (``service_level >= target_service_level``,
    ``asa_s <= target_asa_s``, ``p_abandon <= target_abandon``).

    All three improve as agents are added, so an exponential search brackets the answer and a
    bisection finds it. With finite ``lines`` agents cannot exceed ``lines``. Redial probabilities
    switch to Erlang X. Raises ValueError if no target is given or none up to the cap meets them.
    """
    lam = _nonneg("calls_per_s", calls_per_s)
    h = _positive("handle_s", handle_s)
    cap = _int("max_agents", max_agents, 1)
    sl = (
        None
        if target_service_level is None
        else _prob("target_service_level", target_service_level)
    )
    asa = None if target_asa_s is None else _nonneg("target_asa_s", target_asa_s, allow_inf=True)
    ab = None if target_abandon is None else _prob("target_abandon", target_abandon)
    if sl is None and asa is None and ab is None:
        raise ValueError(
            "target_service_level, target_asa_s or target_abandon must be given; got none"
        )
    if lines is not None:
        cap = min(cap, _int("lines", lines, 1))
    patience = _positive("patience_s", patience_s, allow_inf=True)
    redials = (
        _prob("redial_prob_busy", redial_prob_busy) > 0
        or _prob("redial_prob_abandon", redial_prob_abandon) > 0
    )
    unstable_without_queue_limit = lines is None and math.isinf(patience)
    low = int(math.floor(lam * h)) + 1 if unstable_without_queue_limit else 1

    def meets(c: int) -> bool:
        if redials:
            m = erlang_x_metrics(
                lam, h, c, lines, patience_s, redial_prob_busy, redial_prob_abandon, within_s
            )
        else:
            m = erlang_a_metrics(lam, h, c, lines, patience_s, within_s)
        return (
            (sl is None or m.service_level >= sl)
            and (asa is None or m.asa_s <= asa)
            and (ab is None or m.p_abandon <= ab)
        )

    def unmet() -> ValueError:
        return ValueError(
            f"max_agents (or lines) must allow enough agents to meet the targets; got {cap}"
        )

    if low > cap:
        raise unmet()
    if meets(low):
        return low
    failing, step = low, 1
    while True:  # exponential search: `failing` misses the targets
        trial = min(low + step, cap)
        if meets(trial):
            break
        if trial == cap:
            raise unmet()
        failing, step = trial, 2 * step
    while trial - failing > 1:  # bisection: `failing` misses, `trial` meets
        mid = (failing + trial) // 2
        if meets(mid):
            trial = mid
        else:
            failing = mid
    return trial


def halfin_whitt_agents(load_erl: float, beta: float) -> int:
    """Square-root staffing ``ceil(R + beta sqrt(R))`` (Halfin & Whitt 1981), at least 1."""
    r = _nonneg("load_erl", load_erl)
    b = _real("beta", beta)
    if not math.isfinite(b):
        raise _bad("beta", "a finite number", beta)
    x = r + b * math.sqrt(r)
    return max(1, math.ceil(x - 1e-9 * max(1.0, abs(x))))  # guard against round-off above an int


def halfin_whitt_beta(target_p_wait: float) -> float:
    """The beta with ``P(wait) = [1 + beta Phi(beta) / phi(beta)]^-1`` (Halfin & Whitt 1981).

    Solved in logs, ``log(1/alpha - 1) = log beta + log Phi(beta) - log phi(beta)``, which is
    increasing in beta > 0 and stays finite where ``phi`` underflows.
    """
    alpha = _real("target_p_wait", target_p_wait)
    if not (0 < alpha < 1):
        raise _bad("target_p_wait", "in (0, 1)", target_p_wait)
    goal = math.log1p(-alpha) - math.log(alpha)

    def gap(b: float) -> float:
        return math.log(b) + special.log_ndtr(b) - stats.norm.logpdf(b) - goal

    lo, hi = 1e-300, 1.0
    while gap(hi) < 0:
        hi *= 2.0
    return float(optimize.brentq(gap, lo, hi, xtol=1e-300, rtol=1e-14))
