"""Answering by priority against Cobham's exact waits for a non-preemptive priority M/M/c.

Queues drawn from one fixed seed: 2 or 3 call types with different priorities, Poisson arrivals,
one exponential talk time for all, c call-takers, no abandonment, unlimited lines. Each type's
mean wait over 10 replications must agree with :func:`sim.analytic.priority_asa` under the
Bonferroni rule of :mod:`sim.verify.agreement`; against the first-come-first-served ASA (the wrong
model) the first and last types must disagree.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import queue_scenario

from sim.analytic import erlang_c_metrics, priority_asa
from sim.core.model import simulate
from sim.scenario import Scenario
from sim.verify.agreement import decide, one_sample

DRAW_SEED = 1954  # Cobham's year
CASES = 3
REPLICATIONS = 10
CALLS_PER_REPLICATION = 30_000


def draw_cases(seed: int, n: int) -> list[tuple[Scenario, list[float], float, int]]:
    """(scenario, per-type calls/s in answering order, talk s, agents) for ``n`` random queues."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        c = int(rng.integers(2, 21))
        k = int(rng.integers(2, 4))
        talk_s = float(rng.uniform(60, 600))
        load = float(rng.uniform(0.6, 0.9))
        shares = rng.dirichlet(np.ones(k))
        per_s = load * c / talk_s
        days = 0.5 + CALLS_PER_REPLICATION / (per_s * 86400) + float(rng.uniform(0, 1))
        types = {
            f"class{j}": {
                "share": float(shares[j]),
                "priority": j,
                "talk": {"dist": "exponential", "mean_s": talk_s},
                "after_call": 0.0,
                "patience": "inf",
                "complaint": False,
            }
            for j in range(k)
        }
        sc = queue_scenario(
            f"priority_{i}", calls_per_s=per_s, days=days, seed=seed + i, call_types=types,
            agents=c, discipline="priority",
        )  # fmt: skip
        out.append((sc, [float(per_s * s) for s in shares], talk_s, c))
    return out


def waits_by_type(sc: Scenario, replication: int) -> dict[str, float]:
    """Mean wait (s) of answered attempts per call type, first dials inside the window."""
    a = simulate(sc, replication).attempts
    lo, hi = sc.horizon.warmup_s, sc.horizon.end_s
    inside = a[(a["arrived_at_s"] >= lo) & (a["arrived_at_s"] < hi) & (a["outcome"] == "answered")]
    assert len(inside) == int(((a["arrived_at_s"] >= lo) & (a["arrived_at_s"] < hi)).sum())
    return inside.groupby("call_type", observed=True)["wait_s"].mean().to_dict()


@pytest.fixture(scope="module")
def runs():
    out = []
    for sc, rates, talk_s, c in draw_cases(DRAW_SEED, CASES):
        per_rep = [waits_by_type(sc, r) for r in range(REPLICATIONS)]
        out.append((sc, rates, talk_s, c, per_rep))
    return out


def _rows(runs, formula):
    rows = []
    for sc, rates, talk_s, c, per_rep in runs:
        expected = formula(rates, talk_s, c)
        for j, t in enumerate(sc.call_types):
            values = [w[t.name] for w in per_rep]
            rows.append({"case": sc.name, "model": "M/M/c priority", "metric": f"asa_s/{t.name}",
                         **one_sample(values, expected[j])})  # fmt: skip
    return rows


def test_cobham_waits_average_to_the_fifo_asa() -> None:
    rates, talk_s, c = [0.01, 0.02, 0.03], 100.0, 8
    waits = priority_asa(rates, talk_s, c)
    assert waits == sorted(waits)
    fifo = erlang_c_metrics(sum(rates), talk_s, c).asa_s
    assert np.dot(rates, waits) / sum(rates) == pytest.approx(fifo, rel=1e-12)
    assert priority_asa([0.06], talk_s, c) == pytest.approx([fifo], rel=1e-12)
    with pytest.raises(ValueError, match="must be < agents"):
        priority_asa([0.05, 0.05], talk_s, c)
    with pytest.raises(ValueError, match=r"calls_per_s\[1\] must be finite and >= 0; got -0.01"):
        priority_asa([0.01, -0.01], talk_s, c)


@pytest.mark.slow
def test_priority_waits_agree_with_cobham(runs) -> None:
    verdict = decide(_rows(runs, priority_asa))
    assert len(verdict) >= 2 * CASES
    bad = verdict[~verdict["agree"]]
    assert bad.empty, bad[["case", "metric", "formula", "sim_mean", "p_value"]]


@pytest.mark.slow
def test_negative_control_fifo_waits_are_caught(runs) -> None:
    def fifo(rates, talk_s, c):
        return [erlang_c_metrics(sum(rates), talk_s, c).asa_s] * len(rates)

    verdict = decide(_rows(runs, fifo))
    first = verdict[verdict["metric"] == "asa_s/class0"]
    assert not first["agree"].any()
