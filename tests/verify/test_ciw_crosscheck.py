"""The model against Ciw on a case with no formula: hourly arrival profile, shifts, abandonment.

The slow test runs the shipped case's replication block in both simulators and compares calls,
abandonment, ASA and service level with Welch intervals, Bonferroni-corrected over the four
(sim.verify.exact). A negative control gives Ciw two fewer morning call-takers: the same check must
then disagree, so agreement is not a matter of wide intervals.
"""

from __future__ import annotations

import random

import pytest

from sim.errors import ScenarioError
from sim.scenario import load_scenario, variant
from sim.verify import exact as v

ciw = pytest.importorskip("ciw")

HOUR_S = 3600.0


@pytest.fixture(scope="module")
def case():
    return load_scenario(v.CASES_DIR / f"{v.CIW_CASE}.toml")


def test_schedule_comes_from_the_roster(case) -> None:
    counts, ends_s = v.ciw_schedule(case)
    assert counts == [2, 6, 4]
    assert ends_s == [8 * HOUR_S, 16 * HOUR_S, 24 * HOUR_S]


def test_headcount_shifts_with_binding_seats_are_refused(case) -> None:
    """Headcount (2, 6, 4) allows at most 6 seats, so the morning cannot all log in while the
    night finishes its calls; Ciw would let them. The mapping must refuse it, naming seats.
    """
    hc = variant(
        case,
        {
            "staff.mode": "headcount",
            "staff.seats": 6,
            "staff.shifts": [
                {"name": "night", "start": "00:00", "hours": 8},
                {"name": "morning", "start": "08:00", "hours": 8},
                {"name": "evening", "start": "16:00", "hours": 8},
            ],
            "staff.headcount.call_takers": [2, 6, 4],
            "staff.headcount.escalation": [0, 0, 0],
        },
    )
    with pytest.raises(ScenarioError, match=r"staff\.seats: must be at least 10.*Ciw cross-check"):
        v.ciw_schedule(hc)


def test_shift_across_midnight_is_refused(case) -> None:
    """Ciw replaces every server at the end of its daily cycle; a night shift 20:00-08:00 keeps
    its people across midnight here, so the two would differ.
    """
    night = variant(
        case,
        {
            "staff.teams": 2,
            "staff.seats": 12,
            "staff.shifts": [
                {"name": "night", "start": "20:00", "hours": 12},
                {"name": "day", "start": "08:00", "hours": 12},
            ],
        },
    )
    with pytest.raises(ScenarioError, match=r"staff\.shifts: must be shifts that each run"):
        v.ciw_schedule(night)


def test_arrival_rates_add_up_to_the_day(case) -> None:
    net = v.ciw_network(case)
    dist = net.customer_classes["Customer"].arrival_distributions[0]
    per_day = sum(r * HOUR_S for r in dist.rates)
    assert per_day == pytest.approx(case.arrivals.callers_per_day)
    assert dist.endpoints[-1] == 24 * HOUR_S


def test_ciw_leaves_the_global_random_state_alone(case) -> None:
    short = variant(case, {"horizon.days": 1.5})
    random.seed(12345)
    expected = [random.random() for _ in range(3)]
    random.seed(12345)
    first = v.ciw_replication(short, 0)
    assert [random.random() for _ in range(3)] == expected
    assert v.ciw_replication(short, 0) == first  # same replication, same numbers
    assert v.ciw_replication(short, 1) != first


@pytest.mark.slow
def test_model_agrees_with_ciw(case) -> None:
    table = v.ciw_crosscheck(case)
    assert list(table["metric"]) == list(v.CIW_METRICS)
    bad = table[~table["agree"]]
    assert bad.empty, bad[["metric", "formula", "sim_mean", "diff_lo", "diff_hi", "p_value"]]
    assert (table["replications"] == case.horizon.replications).all()


@pytest.mark.slow
def test_negative_control_ciw_with_fewer_morning_staff_disagrees(case) -> None:
    sc = v.quick(case)
    fewer = variant(
        sc, {"staff.shifts": [s for s in sc.raw["staff"]["shifts"] if s["name"] != "morning_c"]}
    )
    assert v.ciw_schedule(fewer)[0] == [2, 4, 4]
    res = v.run_cases([(v.SIM, sc), (v.CIW, fewer)])
    table = v.decide(v.ciw_rows(sc, res[(v.SIM, sc.name)], res[(v.CIW, fewer.name)]))
    agree = dict(zip(table["metric"], table["agree"], strict=True))
    assert agree["attempts"]  # the arrivals are the same
    assert not agree["abandon_rate"] and not agree["asa_s"]
