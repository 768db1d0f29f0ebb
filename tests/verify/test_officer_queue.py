"""The officers' queue against Erlang A (M/M/s+M): the shipped case, its assumptions, the check.

With call-takers never the bottleneck, a constant escalation share of Poisson calls reaches the
officers as a Poisson stream, so exponential escalation talk and exponential patience for the
officer make the officers an M/M/s+M queue (sim/verify/officer_queue.py).
"""

from __future__ import annotations

import pytest

from sim.analytic import erlang_a_metrics
from sim.errors import ScenarioError
from sim.scenario import load_scenario, variant
from sim.verify import exact as v
from sim.verify.officer_queue import officer_queue

CASE = v.CASES_DIR / "erlang_a_officers.toml"


@pytest.fixture(scope="module")
def case():
    return load_scenario(CASE)


def test_the_case_is_erlang_a_for_the_escalations_it_thins_out(case) -> None:
    q = v.queue_model(case)
    assert q.kendall == "M/M/s+M" and q.formula == "Erlang A, officers"
    assert q.calls_per_s == pytest.approx(120 * 0.25 / 3600) and q.agents == 4
    assert (q.talk_s, q.patience_s) == (420.0, 300.0)
    m = q.metrics()
    ref = erlang_a_metrics(30 / 3600, 420, 4, None, 300)
    assert m["escalation_abandon_share"] == pytest.approx(ref.p_abandon, rel=1e-12)
    assert m["escalation_abandon_share"] == pytest.approx(0.1644, abs=1e-4)
    assert m["escalation_wait_mean_s"] == pytest.approx(38.73, abs=0.01)
    assert m["officer_occupancy"] == pytest.approx(0.7311, abs=1e-4)
    assert q.compared() == (
        "escalation_abandon_share",
        "escalation_wait_mean_s",
        "officer_occupancy",
    )


@pytest.mark.parametrize(
    ("change", "key"),
    [
        (
            {"call_types.call.patience": {"dist": "exponential", "mean_s": 600}},
            "call_types.call.patience",
        ),
        ({"lines.count": 60}, "lines.count"),
        ({"staff.headcount.call_takers": [12], "staff.seats": 12}, "staff.headcount.call_takers"),
        ({"call_types.call.escalation_talk": 420}, "call_types.call.escalation_talk"),
        (
            {"call_types.call.escalation_patience": {"dist": "lognormal", "mean_s": 300, "cv": 1}},
            "call_types.call.escalation_patience",
        ),
        ({"escalation.rules": [{"share": 0.25, "to": "sub_inspector"}]}, "escalation.rules"),
        ({"arrivals.daily_cv": 0.1}, "arrivals.daily_cv"),
        ({"horizon.end": "cut"}, "horizon.end"),
    ],
)
def test_officer_queue_names_what_departs_from_erlang_a(case, change, key) -> None:
    with pytest.raises(ScenarioError, match=rf"{key}: must be .*officers' Erlang A"):
        officer_queue(variant(case, change))


@pytest.mark.slow
def test_simulated_officers_agree_with_erlang_a_and_a_wrong_count_is_caught(case) -> None:
    """The quick validation of the case (10 replications, a fifth of the window): every metric
    agrees with Erlang A within the Bonferroni interval; against the formula for 3 or 5
    officers instead of 4 the same simulations disagree.
    """
    sc = v.quick(case)
    results = v.run_cases([(v.SIM, sc)])
    table = v.decide(v.formula_rows([sc], results))
    assert table["agree"].all(), table[["metric", "formula", "sim_mean", "diff_lo", "diff_hi"]]
    assert len(table) == 3 and (table["replications"] == v.QUICK_REPLICATIONS).all()
    for wrong in (3, 5):
        bad = v.decide(v.formula_rows([sc], results, lambda c, w=wrong: w))
        assert not bad["agree"].all(), wrong
    # The call-takers were never the bottleneck: nobody waited for one.
    assert all(r["asa_s"] == 0 for r in results[(v.SIM, sc.name)])
