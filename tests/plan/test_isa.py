"""ISA on a queue the formula describes exactly: it stays at the Erlang A staffing.

Poisson callers at a steady rate, exponential talk and patience, no redials, no escalation: the
simulated helpline is the M/M/c+M queue the formula solves, so the formula's error is only the
simulation's noise, which the algorithm must not chase far. With 4 replications of a 6-Erlang
queue the noise still moves a few half hours by one agent in each iteration (the staffing does
not settle completely within 10 iterations: docs/planning.md), so the test pins how far it may
wander: nearly every half hour within one agent of the exact staffing, none by more than three,
and the week's person-hours within 5%.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import make_scenario

from sim.analytic.staffing import agents_for_target
from sim.plan.demand import demand
from sim.plan.isa import isa
from sim.plan.requirements import requirement_table
from sim.plan.targets import plan_targets
from sim.scenario.values import DAY_S


@pytest.mark.slow
def test_isa_keeps_the_exact_staffing_of_a_stationary_erlang_a_queue() -> None:
    sc = make_scenario(
        arrivals={"mode": "constant", "calls_per_h": 90, "daily_cv": 0},
        call_types={
            "call": {
                "share": 1.0,
                "talk": {"dist": "exponential", "mean_s": 240},
                "after_call": 0,
                "patience": {"dist": "exponential", "mean_s": 300},
            }
        },
        horizon={"days": 8, "seed": 11},
    )
    t = plan_targets(sc, {"service_level_min": 0.8})
    d = demand(sc, 1800.0, DAY_S, 7)
    mol = requirement_table(d, t, "mol")
    want = agents_for_target(90 / 3600, 240.0, patience_s=300.0, target_service_level=0.8)
    assert set(mol["call_takers"]) == {want}
    result = isa(
        sc,
        d,
        t,
        mol["call_takers"].to_numpy(),
        mol["officers"].to_numpy(),
        replications=4,
        workers=1,
    )
    assert 1 <= len(result.iterations) <= 10
    off = np.abs(result.staffing - want)
    assert off.max() <= 3 and np.mean(off <= 1) >= 0.95, np.bincount(result.staffing)
    assert abs(result.staffing.mean() / want - 1) < 0.05
    # Each iteration is reported, and the last changes few half hours.
    assert result.iterations["intervals_changed"].iloc[-1] <= 0.15 * result.staffing.size
