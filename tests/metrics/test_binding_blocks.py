"""A long run's binding sweep, done in blocks of bins, gives the numbers of one sweep.

The counts in a bin depend only on the periods overlapping it, and each bin's sums run over
the same segments in the same order, so blocks change no bit of the table or the summary.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim.binding
from sim.core.model import simulate
from sim.scenario import load_scenario, variant

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


@pytest.mark.parametrize("name", ["as_it_works_2023", "lines_45", "staff_shortage"])
def test_blocks_give_the_numbers_of_one_sweep(name, monkeypatch) -> None:
    sc = variant(load_scenario(SCENARIOS / f"{name}.toml"), {"horizon.days": 4.0})
    rec = simulate(sc, 0)
    whole, whole_summary = sim.binding.by_interval(rec), sim.binding.summary(rec)
    monkeypatch.setattr(sim.binding, "BLOCK_EVENTS", 2_000)
    periods = sim.binding._periods(rec)
    edges = np.arange(sc.horizon.warmup_s, sc.horizon.end_s + 1, 1800.0)
    assert len(sim.binding._blocks(periods, edges)) > 5  # swept in many blocks
    pd.testing.assert_frame_equal(sim.binding.by_interval(rec), whole)
    blocked = sim.binding.summary(rec)
    for k, v in whole_summary.items():
        assert blocked[k] == v or (np.isnan(v) and np.isnan(blocked[k])), k
