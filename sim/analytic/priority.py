"""Waits by priority class in an M/M/c queue answered by priority (Cobham's formula).

Classes are answered lowest priority number first and first come first served within a class;
a call in progress is never interrupted (non-preemptive). With Poisson arrivals per class, one
exponential handle time for all classes, ``c`` agents, no abandonment and no line limit, the
mean wait of class ``k`` is exact (Cobham 1954; Kleinrock 1976, vol. 2, sec. 3.6):

    W_k = C(c, a) / (c mu (1 - s_(k-1)) (1 - s_k)),   s_k = (lam_1 + ... + lam_k) / (c mu)

where ``C(c, a)`` is Erlang C for the total load ``a = lam / mu``. The waits average, weighted by
arrival rate, to the first-come-first-served ASA: the order of answering moves waiting between
classes, it does not change how much there is. Seconds inside.
"""

from __future__ import annotations

from collections.abc import Sequence

from sim.analytic.steady import _bad, _int, _nonneg, _positive, erlang_c


def priority_asa(calls_per_s: Sequence[float], handle_s: float, agents: int) -> list[float]:
    """Mean wait (s) of each class; ``calls_per_s`` lists the classes from first answered to last.

    Raises ValueError unless the total offered load is below ``agents`` and every rate is >= 0.
    """
    rates = [_nonneg(f"calls_per_s[{i}]", x) for i, x in enumerate(calls_per_s)]
    if not rates:
        raise _bad("calls_per_s", "one or more rates", list(calls_per_s))
    handle_s = _positive("handle_s", handle_s)
    agents = _int("agents", agents, 1)
    total = sum(rates)
    a = total * handle_s
    if not a < agents:
        raise ValueError(
            f"offered load sum(calls_per_s) * handle_s must be < agents ({agents}); got {a:g} Erl"
        )
    capacity_per_s = agents / handle_s  # c mu
    base = erlang_c(agents, a) / capacity_per_s
    waits = []
    before = 0.0  # s_(k-1)
    for lam in rates:
        upto = before + lam / capacity_per_s  # s_k
        waits.append(base / ((1.0 - before) * (1.0 - upto)))
        before = upto
    return waits
