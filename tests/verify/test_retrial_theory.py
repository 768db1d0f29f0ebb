"""Redials against the exact retrial queue (sim.analytic.retrial).

Queues drawn from one fixed seed (c 1-30, load 0.7-1.6 per call-taker): c call-takers, N lines,
exponential talk, exponential or no patience, and callers who redial after a busy tone or an
abandon with fixed probabilities, after an exponential delay. That is the classical retrial
queue, whose stationary figures :func:`sim.analytic.retrial.retrial_metrics` computes exactly
from its Markov chain. Block rate, abandonment, attempts per caller, the share who give up and
occupancy must agree under the Bonferroni rule of :mod:`sim.verify.agreement`; the answer without
redials (Erlang A) and Erlang X's Poisson approximation are shown to be different models.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import queue_scenario

from sim.analytic import erlang_a_metrics
from sim.analytic.retrial import retrial_metrics
from sim.scenario import Scenario
from sim.verify.agreement import decide, one_sample
from sim.verify.exact import SIM, run_cases

DRAW_SEED = 1997  # Falin & Templeton
CASES = 5
REPLICATIONS = 10
CALLS_PER_REPLICATION = 25_000
METRICS = ("block_rate", "abandon_rate", "attempts_per_caller", "gave_up_rate", "agent_occupancy")


def draw_cases(seed: int, n: int) -> list[tuple[Scenario, dict]]:
    """(scenario, the retrial_metrics arguments it stands for) for ``n`` random queues."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        c = int(rng.integers(1, 31))
        lines = c + int(rng.integers(0, 6))
        talk_s = float(rng.uniform(60, 400))
        patience_s = math.inf if i % 3 == 0 else float(rng.uniform(60, 600))
        load = float(rng.uniform(0.7, 1.6))
        pb, pa = float(rng.uniform(0.3, 0.9)), float(rng.uniform(0.2, 0.8))
        delay_s = float(rng.uniform(60, 900))
        per_s = load * c / talk_s
        days = 0.5 + CALLS_PER_REPLICATION / (per_s * 86400) + float(rng.uniform(0, 1))
        redial = {
            "after_busy": pb,
            "after_abandon": pa,
            "decay": 1.0,
            "max_attempts": 1_000_000,  # never reached: the probability of redialling is fixed
            "delay_after_busy": {"dist": "exponential", "mean_s": delay_s},
            "delay_after_abandon": {"dist": "exponential", "mean_s": delay_s},
        }
        patience = (
            "inf" if math.isinf(patience_s) else {"dist": "exponential", "mean_s": patience_s}
        )
        call = {
            "share": 1.0,
            "talk": {"dist": "exponential", "mean_s": talk_s},
            "after_call": 0.0,
            "patience": patience,
            "complaint": False,
            "redial": redial,
        }
        sc = queue_scenario(
            f"retrial_{i}", calls_per_s=per_s, days=days, seed=seed + i, agents=c, lines=lines,
            replications=REPLICATIONS, call_types={"call": call},
        )  # fmt: skip
        args = {
            "calls_per_s": per_s,
            "handle_s": talk_s,
            "agents": c,
            "lines": lines,
            "patience_s": patience_s,
            "redial_after_busy": pb,
            "redial_after_abandon": pa,
            "redial_delay_s": delay_s,
        }
        out.append((sc, args))
    return out


def exact(args: dict) -> dict[str, float]:
    r = retrial_metrics(**args)
    return {
        "block_rate": r.p_blocked,
        "abandon_rate": r.p_abandon,
        "attempts_per_caller": r.attempts_per_caller,
        "gave_up_rate": r.gave_up_rate,
        "agent_occupancy": r.occupancy,
    }


@pytest.fixture(scope="module")
def runs():
    cases = draw_cases(DRAW_SEED, CASES)
    results = run_cases([(SIM, sc) for sc, _ in cases])
    return [(sc, args, results[(SIM, sc.name)]) for sc, args in cases]


def _rows(runs, formula):
    rows = []
    for sc, args, summaries in runs:
        ref = formula(args)
        for metric in METRICS:
            if metric == "abandon_rate" and math.isinf(args["patience_s"]):
                continue
            values = [s[metric] for s in summaries]
            rows.append({"case": sc.name, "model": "retrial M/M/c/N+M", "metric": metric,
                         **one_sample(values, ref[metric])})  # fmt: skip
    return rows


def test_chain_reduces_to_erlang_a_without_redials_and_conserves_callers() -> None:
    args = {"calls_per_s": 0.05, "handle_s": 180.0, "agents": 8, "lines": 10, "patience_s": 120.0}
    plain = retrial_metrics(**args)
    e = erlang_a_metrics(0.05, 180.0, 8, 10, 120.0)
    assert plain.p_blocked == pytest.approx(e.p_blocked, rel=1e-12)
    assert plain.p_abandon == pytest.approx(e.p_abandon, rel=1e-12)
    assert plain.occupancy == pytest.approx(e.occupancy, rel=1e-12)
    assert plain.attempts_per_caller == 1.0
    r = retrial_metrics(**args, redial_after_busy=0.8, redial_after_abandon=0.6, redial_delay_s=300)
    answered_per_caller = r.occupancy * 8 / 180.0 / 0.05
    assert answered_per_caller + r.gave_up_rate == pytest.approx(1.0, rel=1e-9)  # all end
    assert r.attempts_per_caller > 1 and r.p_blocked > plain.p_blocked
    # Heavy load: the empty centre is so rare (below 1e-30) that a solve anchored on it would
    # be ill-conditioned; the chain still conserves callers and orders the figures sensibly.
    heavy = {"calls_per_s": 500 / 3600, "handle_s": 300.0, "agents": 30, "lines": 35}
    figures = [
        retrial_metrics(**heavy, patience_s=120.0, redial_after_busy=p, redial_after_abandon=p)
        for p in (0.0, 0.5, 0.8)
    ]
    for f in figures:
        assert f.occupancy * 30 / 300.0 / (500 / 3600) + f.gave_up_rate == pytest.approx(1.0)
    assert [f.p_blocked for f in figures] == sorted(f.p_blocked for f in figures)
    assert figures[0].p_blocked == pytest.approx(
        erlang_a_metrics(500 / 3600, 300.0, 30, 35, 120.0).p_blocked
    )
    assert figures[2].attempts_per_caller > 2 and figures[2].occupancy > 0.99
    with pytest.raises(ValueError, match="lines must be an integer >= 8; got 7"):
        retrial_metrics(0.05, 180.0, 8, 7)
    with pytest.raises(ValueError, match="lines must be an integer >= 8; got None"):
        retrial_metrics(0.05, 180.0, 8, None)
    with pytest.raises(ValueError, match="below 1"):
        retrial_metrics(0.05, 180.0, 8, 10, redial_after_busy=1.0)


@pytest.mark.slow
def test_redials_agree_with_the_exact_retrial_queue(runs) -> None:
    verdict = decide(_rows(runs, exact))
    assert len(verdict) >= 4 * CASES
    bad = verdict[~verdict["agree"]]
    assert bad.empty, bad[["case", "metric", "formula", "sim_mean", "p_value"]]


@pytest.mark.slow
def test_negative_control_erlang_a_without_redials_is_caught(runs) -> None:
    def no_redials(args: dict) -> dict[str, float]:
        return exact({**args, "redial_after_busy": 0.0, "redial_after_abandon": 0.0})

    verdict = decide(_rows(runs, no_redials))
    per_caller = verdict[verdict["metric"] == "attempts_per_caller"]
    assert not per_caller["agree"].any()
