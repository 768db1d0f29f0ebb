"""ISA on a queue the formula describes exactly: it stays at the Erlang A staffing.

Poisson callers at a steady rate, exponential talk and patience, no redials, no escalation: the
simulated helpline is the M/M/c+M queue the formula solves, so the formula's error is only the
simulation's noise. ISA settles each half hour on the fewest agents whose mean service level
over the (same) replications meets the target; with 4 replications that mean has a standard
error of about 4 points, a third of one agent's step here, so some half hours settle one agent
off and a few two. The test pins how far: 90% of half hours within one agent of the exact
staffing, none by more than three, the week's person-hours within 3%, and the last iteration
changes at most 5% of the half hours.
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
    it = result.iterations
    assert 1 <= int((it["phase"] != "trim").sum()) <= 10  # the trim's rounds come after
    off = np.abs(result.staffing - want)
    assert off.max() <= 3 and np.mean(off <= 1) >= 0.9, np.bincount(result.staffing)
    assert abs(result.staffing.mean() / want - 1) < 0.03
    # Each iteration is reported, and the last changes few half hours.
    assert result.iterations["intervals_changed"].iloc[-1] <= 0.05 * result.staffing.size
