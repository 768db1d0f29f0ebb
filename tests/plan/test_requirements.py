"""Requirements per interval reduce to the steady-state staffing where the load is steady,
and the targets are read and refused as documented.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import call_type, make_scenario

from sim.analytic.staffing import agents_for_target
from sim.analytic.steady import erlang_b
from sim.errors import ScenarioError
from sim.plan.demand import demand
from sim.plan.requirements import fewest_agents, fewest_lines, requirement_table
from sim.plan.targets import plan_targets
from sim.scenario.values import DAY_S


def _steady():
    return make_scenario(
        arrivals={"mode": "constant", "calls_per_h": 120},
        call_types={"call": call_type(240.0, after_call_s=60.0, patience_s=300.0)},
        horizon={"days": 9},
    )


def test_every_method_gives_the_erlang_a_staffing_under_a_steady_load() -> None:
    sc = _steady()
    t = plan_targets(sc, {"service_level_min": 0.8})
    d = demand(sc, 1800.0, DAY_S, 7)
    assert d.handle_s == 300.0 and np.allclose(d.calls_per_s, 120 / 3600)
    want = agents_for_target(
        120 / 3600, 300.0, patience_s=300.0, within_s=20.0, target_service_level=0.8
    )
    for method in ("sipp", "lagged-sipp", "mol"):
        table = requirement_table(d, t, method)
        assert set(table["call_takers"]) == {want}, method


def test_fewest_agents_is_the_fewest() -> None:
    t = plan_targets(_steady(), {"service_level_min": 0.9, "abandon_rate_max": 0.02})
    for lam in (0.001, 0.02, 0.2):
        c = fewest_agents(lam, 300.0, 300.0, t)
        assert c == agents_for_target(
            lam, 300.0, patience_s=300.0, target_service_level=0.9, target_abandon=0.02
        )


def test_fewest_lines_meets_the_block_rate_and_one_fewer_does_not() -> None:
    for load in (0.5, 12.0, 40.0):
        n = fewest_lines(load, 0.01)
        assert erlang_b(n, load) <= 0.01 < (erlang_b(n - 1, load) if n > 1 else math.inf)


def test_no_stated_target_plans_for_80_20_and_says_so() -> None:
    t = plan_targets(_steady())
    assert t.defaulted and t.service_level_min == 0.8 and t.service_level_s == 20.0


@pytest.mark.parametrize(
    ("given", "key"),
    [
        ({"service_level_min": 1.2}, "targets.service_level_min"),
        ({"abandon_rate_max": -0.1}, "targets.abandon_rate_max"),
        ({"block_rate_max": 2}, "targets.block_rate_max"),
        ({"asa_max_s": -5}, "targets.asa_max_s"),
        ({"service_level_of": "both"}, "targets.service_level_of"),
    ],
)
def test_bad_targets_name_the_key_and_the_option(given: dict, key: str) -> None:
    with pytest.raises(ScenarioError) as err:
        plan_targets(_steady(), given)
    assert err.value.key == key and err.value.origin is not None
