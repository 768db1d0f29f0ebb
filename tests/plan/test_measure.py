"""The planner's per-interval facts (``sim.plan.measure``) count what the run's attainment counts.

ISA staffs on these counts and ``helpline run DIR/plan.toml`` judges the plan by
``sim.attainment``; both must count the same calls: the callers' own dials (a callback try is
the helpline's), abandonment without the hang-ups in the language menu, the offered service
level over answered, abandoned in the queue and blocked.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.attainment import tally
from sim.core.model import simulate
from sim.plan.measure import measure
from sim.scenario import load_scenario, variant

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


@pytest.mark.parametrize("name", ["callbacks_2025", "menu_2025", "volume_2025"])
def test_the_planners_counts_are_the_attainment_counts(name: str) -> None:
    sc = variant(load_scenario(SCENARIOS / f"{name}.toml"), {"horizon.days": 2})
    rec = simulate(sc, 0)
    edges_s = np.arange(0.0, 2 * 86400.0 + 1, 1800.0)
    counts = tally(rec, edges_s)
    m = measure([rec.attempts], edges_s, sc.targets.service_level_s, 300.0)
    assert m.answered[0] == pytest.approx(counts["answered"].to_numpy())
    assert m.within[0] == pytest.approx(counts["answered_within"].to_numpy())
    assert m.abandoned[0] == pytest.approx(counts["abandoned"].to_numpy())
    assert m.blocked[0] == pytest.approx(counts["blocked"].to_numpy())
    assert m.attempts[0] == pytest.approx(counts["attempts"].to_numpy())
    offered = counts["answered"] + counts["abandoned"] + counts["blocked"]
    want = np.where(offered > 0, counts["answered_within"] / offered.where(offered > 0), np.nan)
    np.testing.assert_allclose(m.service_level("offered")[0], want, equal_nan=True)
    if name == "callbacks_2025":  # the callback tries are there, and not counted as calls
        assert int((rec.attempts["callback_try"] > 0).sum()) > 0
    if name == "menu_2025":
        assert int(rec.attempts["menu_abandoned"].sum()) > 0
