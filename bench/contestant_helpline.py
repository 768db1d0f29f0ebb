"""The project's own model as a benchmark contestant: M/M/30+M through the normal entry point.

Builds the scenario in memory (constant arrivals, one 24-hour shift of 30
call-takers, unlimited lines, exponential talk and patience, no redials),
runs :func:`sim.core.model.simulate` and builds the full per-attempt table, so the
measured cost includes keeping every attempt's record.
"""

from __future__ import annotations

import math

from sim.core.model import simulate
from sim.scenario.load import build

CALLS_PER_MIN = 28 / 6
TALK_MIN = 6.0
PATIENCE_MIN = 3.0
AGENTS = 30


def scenario_raw(n_arrivals: int, seed: int) -> dict:
    """The M/M/30+M scenario as a raw dict, sized to about ``n_arrivals`` arrivals."""
    calls_per_h = CALLS_PER_MIN * 60
    days = n_arrivals / (calls_per_h * 24)
    return {
        "scenario": {"name": "mm30_bench"},
        "horizon": {"days": days, "warmup_days": min(0.5, days / 10), "seed": seed, "end": "cut"},
        "arrivals": {"mode": "constant", "calls_per_h": calls_per_h, "daily_cv": 0.0},
        "call_types": {
            "call": {
                "share": 1.0,
                "talk": {"dist": "exponential", "mean_min": TALK_MIN},
                "patience": {"dist": "exponential", "mean_min": PATIENCE_MIN},
            }
        },
        "lines": {"count": "unlimited"},
        "staff": {
            "mode": "headcount",
            "seats": AGENTS,
            "shifts": [{"name": "all", "start": "00:00", "hours": 24}],
            "headcount": {"call_takers": [AGENTS], "escalation": [0]},
            "breaks": [],
        },
        "money": {"enabled": False},
    }


def run(n_arrivals: int, seed: int) -> dict:
    """Simulate about ``n_arrivals`` arrivals; return counts, ASA and abandon rate."""
    sc = build(scenario_raw(n_arrivals, seed))
    rec = simulate(sc, 0)
    attempts = rec.attempts  # the full per-attempt table, as a user gets it
    outcome = attempts["outcome"]  # categorical: comparisons run on its codes
    answered = (outcome == "answered").to_numpy()
    n_ans = int(answered.sum())
    n_ab = int((outcome == "abandoned").sum())
    wait_s = attempts["wait_s"].to_numpy()
    return {
        "calls": len(attempts),
        "answered": n_ans,
        "abandoned": n_ab,
        "asa_s": float(wait_s[answered].mean()) if n_ans else math.nan,
        "abandon_rate": n_ab / max(n_ans + n_ab, 1),
    }
