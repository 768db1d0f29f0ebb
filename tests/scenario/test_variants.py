"""``sim.scenario.variant``: validated copies, errors naming their source, no silent undo."""

from __future__ import annotations

import dataclasses
import pickle
from pathlib import Path

import pytest

from sim.errors import ScenarioError
from sim.scenario import load_scenario, variant

BASELINE = Path(__file__).resolve().parents[2] / "scenarios" / "baseline_2023.toml"


@pytest.fixture(scope="module")
def base():
    return load_scenario(BASELINE)


def test_variant_applies_dotted_changes_and_leaves_the_original(base) -> None:
    v = variant(base, {"lines.count": 45, "horizon.days": 3})
    assert (v.lines, v.horizon.days) == (45, 3)
    assert (base.lines, base.horizon.days) == (30, 28)
    assert v.raw["lines"]["count"] == 45 and base.raw["lines"]["count"] == 30
    assert variant(base, {}) is base
    # variants of variants keep every earlier change
    vv = variant(v, {"horizon.seed": 9})
    assert (vv.lines, vv.horizon.days, vv.horizon.seed) == (45, 3, 9)


def test_errors_name_the_file_the_key_and_where_the_change_came_from(base) -> None:
    with pytest.raises(ScenarioError) as one:
        variant(base, {"lines.count": 0}, source="--set lines.count=0")
    msg = str(one.value)
    assert msg.startswith(f"{BASELINE}: lines.count: must be a whole number >= 1")
    assert msg.endswith("got 0 (from --set lines.count=0)")
    by_key = {"horizon.days": "--days", "horizon.seed": "--seed"}
    with pytest.raises(ScenarioError, match=r"horizon.seed: .*; got -1 \(from --seed\)$"):
        variant(base, {"horizon.days": 2, "horizon.seed": -1}, source=by_key)
    with pytest.raises(ScenarioError, match=r"got 0 \(from lines.count=0\)$"):
        variant(base, {"lines.count": 0})  # by default the change itself


def test_a_scenario_altered_by_replace_is_refused_not_silently_reverted(base) -> None:
    altered = dataclasses.replace(base, lines=45)
    assert not altered.raw_in_step and base.raw_in_step
    with pytest.raises(ScenarioError, match=r"scenario: must be made by load_scenario or variant"):
        variant(altered, {"horizon.days": 3})
    # the way that works keeps both changes
    both = variant(base, {"lines.count": 45, "horizon.days": 3})
    assert (both.lines, both.horizon.days) == (45, 3)


def test_a_scenario_sent_to_a_worker_stays_in_step(base) -> None:
    assert pickle.loads(pickle.dumps(base)).raw_in_step
