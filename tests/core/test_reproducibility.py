"""Reproducibility: the seed and the replication number alone decide the records.

Same seed, same tables; another seed or replication, other tables; replication
i is the same run alone, after others, with progress reporting (which runs the
clock day by day) or in worker processes; scenarios that differ only in
capacity share their callers (common random numbers); no global RNG is read or
written.
"""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from sim.core.model import simulate
from sim.core.records import Records
from sim.executors import Execution
from sim.runner import run_one, run_replications
from sim.scenario import variant
from sim.scenario.load import load_scenario
from sim.scenario.values import Scenario

BASELINE = Path(__file__).resolve().parents[2] / "scenarios" / "baseline_2023.toml"
TABLES = ("attempts", "callers", "sessions", "intervals")


@pytest.fixture(scope="module")
def busy() -> Scenario:
    """Two days of the baseline at 5,000 callers a day on 34 lines (30 seats): every random
    path is used (busy tones, abandons, redials, escalations, absences, breaks, overtime).
    """
    return variant(
        load_scenario(BASELINE),
        {
            "horizon.days": 2,
            "horizon.warmup_days": 0.5,
            "arrivals.callers_per_day": 5000,
            "lines.count": 34,
        },
    )


def assert_same_records(x: Records, y: Records) -> None:
    for name in TABLES:
        assert_frame_equal(getattr(x, name), getattr(y, name), check_exact=True, obj=name)


def test_the_busy_scenario_uses_every_random_path(busy: Scenario) -> None:
    # Guards the fixture: the comparisons below are only meaningful if these happen.
    rec = simulate(busy, 0)
    outcomes = set(rec.attempts["outcome"].astype(str))
    assert {"answered", "abandoned", "blocked"} <= outcomes
    assert (rec.attempts["attempt_no"] > 1).any()
    assert rec.attempts["escalated"].any()
    assert (rec.sessions["overtime_s"] > 0).any()


def test_same_seed_gives_identical_tables(busy: Scenario) -> None:
    assert_same_records(simulate(busy, 0), simulate(busy, 0))


def test_the_scenario_object_is_not_changed_by_a_run(busy: Scenario) -> None:
    before = repr(busy)
    simulate(busy, 1)
    assert repr(busy) == before


@pytest.mark.parametrize("change", ["seed", "replication"])
def test_another_seed_or_replication_gives_other_records(busy: Scenario, change: str) -> None:
    base = simulate(busy, 0)
    other = (
        simulate(variant(busy, {"horizon.seed": busy.horizon.seed + 1}), 0)
        if change == "seed"
        else simulate(busy, 1)
    )
    a, b = base.caller["first_dial_at_s"], other.caller["first_dial_at_s"]
    assert a.size != b.size or not np.array_equal(a, b)
    assert not base.attempts["talk_s"].head(50).equals(other.attempts["talk_s"].head(50))
    # The seed is carried in every row.
    assert set(other.attempts["seed"]) == {other.seed}
    assert set(other.attempts["replication"]) == {other.replication}


def test_progress_reporting_does_not_change_the_run(busy: Scenario) -> None:
    # With a progress callback the clock runs to each day's end in turn.
    shares: list[float] = []
    assert_same_records(simulate(busy, 0), simulate(busy, 0, progress=shares.append))
    assert shares[-1] == 1.0 and shares == sorted(shares)


def test_no_global_random_state_is_read_or_written(busy: Scenario) -> None:
    np.random.seed(1)
    random.seed(1)
    np_state, py_state = np.random.get_state(), random.getstate()
    first = simulate(busy, 0)
    after_np, after_py = np.random.get_state(), random.getstate()
    assert after_py == py_state
    assert np_state[0] == after_np[0] and np.array_equal(np_state[1], after_np[1])
    assert np_state[2:] == after_np[2:]
    np.random.seed(2)
    random.seed(2)
    assert_same_records(first, simulate(busy, 0))


def test_replication_i_is_the_same_alone_after_others_and_in_worker_processes(
    busy: Scenario,
) -> None:
    sc = variant(busy, {"horizon.days": 1, "horizon.warmup_days": 0.25})
    serial = run_replications(sc, 3, execution=Execution.serial())
    parallel = run_replications(sc, 3, execution=Execution("processes", 2))
    alone = run_one(sc, 2, TABLES)
    assert list(parallel.per_replication["replication"]) == [0, 1, 2]
    assert_frame_equal(serial.per_replication, parallel.per_replication, check_exact=True)
    for name in TABLES:
        assert_frame_equal(serial.table(name), parallel.table(name), check_exact=True, obj=name)
        stacked = serial.table(name)
        third = stacked[stacked["replication"] == 2].reset_index(drop=True)
        assert_frame_equal(third, alone.tables[name], check_exact=True, obj=name)
    # ... and the replications differ from each other.
    c = serial.callers
    firsts = [c[c["replication"] == r]["first_dial_at_s"].to_numpy() for r in (0, 1)]
    assert not np.array_equal(firsts[0][:10], firsts[1][:10])


@pytest.mark.parametrize(
    "changes",
    [
        {"lines.count": 40},
        {"staff.seats": 20, "staff.absence_rate": 0.2},
        {"queue.discipline": "priority", "call_types.other.redial.after_busy": 0.2},
    ],
    ids=["lines", "staff", "queue_and_redial"],
)
def test_scenarios_differing_in_capacity_share_their_callers(busy: Scenario, changes: dict) -> None:
    # Common random numbers: the callers (first dials, types, fraud times, losses) are the
    # same whatever the helpline does with them; only what happens to them differs.
    base, changed = simulate(busy, 1), simulate(variant(busy, changes), 1)
    same = ["first_dial_at_s", "call_type", "fraud_at_s", "loss_rs"]
    assert_frame_equal(base.callers[same], changed.callers[same], check_exact=True)
    assert not base.attempts["outcome"].equals(changed.attempts["outcome"])


def by_caller_and_attempt(rec: Records) -> pd.DataFrame:
    """The attempts table indexed by (caller, attempt number), with the delay before the
    next dial of the same caller (NaN if there is none).
    """
    at = rec.attempts.set_index(["caller_id", "attempt_no"]).sort_index()
    following = at["arrived_at_s"].groupby(level=0).shift(-1)
    return at.assign(redial_delay_s=following - at["line_released_at_s"])


@pytest.mark.parametrize(
    "changes",
    [{"queue.discipline": "priority"}, {"lines.count": 45}],
    ids=["fifo_vs_priority", "34_vs_45_lines"],
)
def test_two_variants_give_each_caller_the_same_durations(busy: Scenario, changes: dict) -> None:
    # Common random numbers per caller: wherever a caller's story agrees between two variants
    # (answered in both, waited on the same dial in both, failed the same way in both), the
    # talk, after-call work, escalation, patience and redial delay drawn are the same,
    # whichever order the helpline serves the callers in.
    base = by_caller_and_attempt(simulate(busy, 0))
    other = by_caller_and_attempt(simulate(variant(busy, changes), 0))
    both = base.merge(other, left_index=True, right_index=True, suffixes=("_a", "_b"))
    # Answered on different attempts still counts: talk is the caller's, not the attempt's.
    ans_a = base[base["outcome"] == "answered"].droplevel(1)
    ans_b = other[other["outcome"] == "answered"].droplevel(1)
    common = ans_a.index.intersection(ans_b.index)
    assert len(common) > 1000
    for col in ("talk_s", "after_call_s", "escalated"):
        pd.testing.assert_series_equal(ans_a.loc[common, col], ans_b.loc[common, col])
    escalated = common[ans_a.loc[common, "escalated"].to_numpy()]
    assert len(escalated) > 20
    pd.testing.assert_series_equal(
        ans_a.loc[escalated, "escalation_talk_s"], ans_b.loc[escalated, "escalation_talk_s"]
    )
    waited = both["patience_s_a"].notna() & both["patience_s_b"].notna()
    assert (waited & (both.index.get_level_values(1) > 1)).sum() > 20  # redials that waited
    np.testing.assert_array_equal(
        both.loc[waited, "patience_s_a"], both.loc[waited, "patience_s_b"]
    )
    redialled = (
        (both["outcome_a"] == both["outcome_b"])
        & both["redial_delay_s_a"].notna()
        & both["redial_delay_s_b"].notna()
    )
    assert redialled.sum() > 100
    np.testing.assert_allclose(
        both.loc[redialled, "redial_delay_s_a"], both.loc[redialled, "redial_delay_s_b"], rtol=1e-9
    )
