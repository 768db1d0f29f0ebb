"""General talk and after-call-work distributions against the exact M/G/1 queue.

With one call-taker, Poisson arrivals, no abandonment and unlimited lines, the call-taker's
work per call is S = talk + after-call work, whatever their distributions, and the mean wait is
the Pollaczek-Khinchine formula

    ASA = lam E[S^2] / (2 (1 - rho)),   rho = lam E[S],

while the call-taker is busy a share rho of the time. The queues here are drawn from one fixed
seed over every distribution a scenario can name (exponential, lognormal, gamma, deterministic,
uniform, empirical, mixture) and each must agree with the formula under the Bonferroni rule of
:mod:`sim.verify.agreement`; the exponential-talk answer (the wrong model when talk is not
exponential) is caught. The exact moments used come from
:attr:`sim.scenario.distributions.Dist.var`, itself checked against large samples first.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import queue_scenario

from sim.scenario import Scenario
from sim.scenario.distributions import Dist, parse_dist
from sim.verify.agreement import decide, one_sample
from sim.verify.exact import SIM, run_cases

DRAW_SEED = 1930
CASES = 6
REPLICATIONS = 10
CALLS_PER_REPLICATION = 25_000

SPECS = {
    "exponential": {"dist": "exponential", "mean_s": 200},
    "lognormal": {"dist": "lognormal", "mean_s": 200, "cv": 1.2},
    "gamma": {"dist": "gamma", "mean_s": 200, "cv": 0.5},
    "deterministic": {"dist": "deterministic", "value_s": 200},
    "uniform": {"dist": "uniform", "low_s": 50, "high_s": 350},
    "empirical": {"dist": "empirical", "samples_s": [30, 90, 150, 400, 800]},
    "mixture": {
        "dist": "mixture",
        "components": [
            {"weight": 0.7, "dist": "exponential", "mean_s": 120},
            {"weight": 0.3, "dist": "deterministic", "value_s": 600},
        ],
    },
}


@pytest.mark.parametrize("kind", list(SPECS))
def test_exact_moments_match_large_samples(kind: str) -> None:
    d = parse_dist(SPECS[kind], f"talk.{kind}")
    x = d.sample(np.random.default_rng(3), 2_000_000)
    assert x.mean() == pytest.approx(d.mean, rel=0.01)
    assert x.var() == pytest.approx(d.var, rel=0.03, abs=1e-9)


def _scaled(kind: str, mean_s: float, rng: np.random.Generator) -> dict:
    """The ``kind`` distribution of SPECS rescaled to mean ``mean_s`` (shape kept or redrawn)."""
    if kind == "exponential":
        return {"dist": "exponential", "mean_s": mean_s}
    if kind in ("lognormal", "gamma"):
        return {"dist": kind, "mean_s": mean_s, "cv": float(rng.uniform(0.3, 1.5))}
    if kind == "deterministic":
        return {"dist": "deterministic", "value_s": mean_s}
    if kind == "uniform":
        half = mean_s * float(rng.uniform(0.1, 0.9))
        return {"dist": "uniform", "low_s": mean_s - half, "high_s": mean_s + half}
    if kind == "empirical":
        raw = rng.exponential(1.0, 6)
        return {"dist": "empirical", "samples_s": [float(v) for v in raw * mean_s / raw.mean()]}
    return {
        "dist": "mixture",
        "components": [
            {"weight": 0.7, "dist": "exponential", "mean_s": mean_s * 0.6},
            {"weight": 0.3, "dist": "deterministic", "value_s": mean_s * (1 - 0.42) / 0.3},
        ],
    }


def draw_cases(seed: int, n: int) -> list[tuple[Scenario, Dist, Dist, float]]:
    """(scenario, talk, after-call work, arrival rate per s) for ``n`` random M/G/1 queues."""
    rng = np.random.default_rng(seed)
    kinds = list(SPECS)
    out = []
    for i in range(n):
        talk_kind = kinds[(i + 1) % len(kinds)]  # every kind but exponential in six draws
        talk_mean = float(rng.uniform(60, 400))
        talk = _scaled(talk_kind, talk_mean, rng)
        acw = (
            0.0
            if i % 3 == 0
            else _scaled(["deterministic", "exponential"][i % 2], float(rng.uniform(10, 60)), rng)
        )
        talk_d = parse_dist(talk, "talk")
        acw_d = parse_dist(acw, "after_call") if isinstance(acw, dict) else parse_dist(0.0, "a")
        rho = float(rng.uniform(0.4, 0.8))
        per_s = rho / (talk_d.mean + acw_d.mean)
        days = 0.5 + CALLS_PER_REPLICATION / (per_s * 86400) + float(rng.uniform(0, 1))
        sc = queue_scenario(
            f"mg1_{i}_{talk_kind}", calls_per_s=per_s, days=days, seed=seed + i, agents=1,
            replications=REPLICATIONS,
            call_types={"call": {"share": 1.0, "talk": talk, "after_call": acw,
                                 "patience": "inf", "complaint": False}},
        )  # fmt: skip
        out.append((sc, talk_d, acw_d, per_s))
    return out


def pollaczek_khinchine(per_s: float, talk: Dist, acw: Dist) -> tuple[float, float]:
    """(ASA s, utilisation) of an M/G/1 queue whose work per call is talk + after-call work."""
    mean = talk.mean + acw.mean
    second = talk.var + acw.var + mean**2
    rho = per_s * mean
    return per_s * second / (2 * (1 - rho)), rho


@pytest.fixture(scope="module")
def runs():
    cases = draw_cases(DRAW_SEED, CASES)
    results = run_cases([(SIM, sc) for sc, *_ in cases])
    return [(sc, talk, acw, per_s, results[(SIM, sc.name)]) for sc, talk, acw, per_s in cases]


def _rows(runs, exponential_talk: bool = False):
    rows = []
    for sc, talk, acw, per_s, summaries in runs:
        if exponential_talk:  # the wrong model: talk as if exponential with the same mean
            talk = parse_dist({"dist": "exponential", "mean_s": talk.mean}, "talk")
        asa, rho = pollaczek_khinchine(per_s, talk, acw)
        for metric, ref in (("asa_s", asa), ("agent_occupancy", rho)):
            values = [s[metric] for s in summaries]
            rows.append({"case": sc.name, "model": "M/G/1", "metric": metric,
                         **one_sample(values, ref)})  # fmt: skip
    return rows


def test_draws_cover_every_talk_distribution_but_exponential() -> None:
    kinds = {talk.kind for _, talk, _, _ in draw_cases(DRAW_SEED, CASES)}
    assert kinds == set(SPECS) - {"exponential"}


@pytest.mark.slow
def test_general_talk_and_after_call_work_agree_with_pollaczek_khinchine(runs) -> None:
    verdict = decide(_rows(runs))
    bad = verdict[~verdict["agree"]]
    assert bad.empty, bad[["case", "metric", "formula", "sim_mean", "p_value"]]
    assert math.isclose(len(verdict), 2 * CASES)


@pytest.mark.slow
def test_negative_control_exponential_talk_is_caught(runs) -> None:
    # Deterministic and low-variance talk wait far less than exponential talk would.
    verdict = decide(_rows(runs, exponential_talk=True))
    asa = verdict[verdict["metric"] == "asa_s"]
    assert (~asa["agree"]).sum() >= CASES // 2


def escalation_cases(seed: int, n: int) -> list[tuple[Scenario, float, float, float, float]]:
    """(scenario, calls/s, mean talk, mean officer talk, share escalated) for ``n`` M/G/1 queues.

    One call-taker and one officer: an escalated caller keeps the call-taker while with the
    officer, and the officer is never busy when asked (one call at a time), so the work per call
    is talk + (with the escalation share) the officer's talk, exponential both.
    """
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        talk_s, officer_s = float(rng.uniform(60, 300)), float(rng.uniform(60, 600))
        share = float(rng.uniform(0.2, 1.0))
        rho = float(rng.uniform(0.4, 0.8))
        per_s = rho / (talk_s + share * officer_s)
        days = 0.5 + CALLS_PER_REPLICATION / (per_s * 86400) + float(rng.uniform(0, 1))
        call = {
            "share": 1.0,
            "talk": {"dist": "exponential", "mean_s": talk_s},
            "after_call": 0.0,
            "patience": "inf",
            "complaint": False,
            "escalation_share": share,
            "escalation_talk": {"dist": "exponential", "mean_s": officer_s},
        }
        sc = queue_scenario(
            f"mg1_escalation_{i}", calls_per_s=per_s, days=days, seed=seed + i, agents=1,
            officers=1, replications=REPLICATIONS, call_types={"call": call},
        )  # fmt: skip
        out.append((sc, per_s, talk_s, officer_s, share))
    return out


@pytest.mark.slow
def test_escalation_holds_the_call_taker_as_in_the_m_g_1_queue() -> None:
    cases = escalation_cases(DRAW_SEED + 100, 3)
    results = run_cases([(SIM, sc) for sc, *_ in cases])
    rows, wrong = [], []
    for sc, per_s, talk_s, officer_s, share in cases:
        mean = talk_s + share * officer_s
        second = 2 * talk_s**2 + 2 * share * talk_s * officer_s + share * 2 * officer_s**2
        rho = per_s * mean
        asa = per_s * second / (2 * (1 - rho))
        summaries = results[(SIM, sc.name)]
        for metric, ref in (("asa_s", asa), ("agent_occupancy", rho)):
            values = [s[metric] for s in summaries]
            rows.append({"case": sc.name, "model": "M/G/1", "metric": metric,
                         **one_sample(values, ref)})  # fmt: skip
        # the wrong model: the call-taker freed when the officer takes over
        occupancy = [s["agent_occupancy"] for s in summaries]
        wrong.append({"case": sc.name, "model": "M/M/1", "metric": "agent_occupancy",
                      **one_sample(occupancy, per_s * talk_s)})  # fmt: skip
        assert all(s["escalation_wait_mean_s"] == 0.0 for s in summaries)
    verdict = decide(rows)
    bad = verdict[~verdict["agree"]]
    assert bad.empty, bad[["case", "metric", "formula", "sim_mean", "p_value"]]
    assert not decide(wrong)["agree"].any()
