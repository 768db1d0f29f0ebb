"""Attempt rows handed to a sink during the run give the same records as rows kept.

With a sink the model hands each chunk of finished attempts over as the run goes and gives
their memory back (sim/core/records.py ``MappedColumns``); the records then read the rows
from the sink. Small chunks make a short run hand over dozens of times, with redials, a
language menu, callbacks, priority queues and busy lines, where attempts finish out of order
and abandoned ones wait in the queues (lazy removal).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim.core.model
from sim.core.model import _Model
from sim.metrics import summarize
from sim.runner import DERIVED_TABLES
from sim.scenario import load_scenario, variant
from sim.spill import SpillFiles

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
#: Shipped scenarios that between them turn on every part of the per-attempt path.
SHIPPED = (
    "as_it_works_2023",
    "callbacks_2025",
    "lines_45",
    "menu_2025",
    "officers_2023",
    "priority_complaints",
)


class ListSink:
    """An in-memory sink: the rows of every write, in order."""

    def __init__(self) -> None:
        self.parts: list[dict[str, np.ndarray]] = []

    def write(self, columns: Mapping[str, np.ndarray]) -> None:
        self.parts.append({k: v.copy() for k, v in columns.items()})

    def columns(self) -> dict[str, np.ndarray]:
        return {k: np.concatenate([p[k] for p in self.parts]) for k in self.parts[0]}


def assert_same_records(kept, handed) -> None:
    for name in ("attempts", "callers", "intervals", "sessions"):
        pd.testing.assert_frame_equal(getattr(handed, name), getattr(kept, name))
    for name, table in DERIVED_TABLES.items():
        pd.testing.assert_frame_equal(table(handed), table(kept), obj=name)
    a, b = summarize(kept), summarize(handed)
    assert a.keys() == b.keys()
    for k in a:
        assert a[k] == b[k] or (np.isnan(a[k]) and np.isnan(b[k])), k


@pytest.mark.parametrize("name", SHIPPED)
def test_rows_handed_over_during_the_run_give_the_same_records(name, monkeypatch) -> None:
    sc = variant(load_scenario(SCENARIOS / f"{name}.toml"), {"horizon.days": 2.0})
    kept = sim.core.model.simulate(sc, 0)
    monkeypatch.setattr(sim.core.model, "CHUNK", 256)
    sink = ListSink()
    m = _Model(sc, 0, sink)
    handed = m.run()
    assert len(sink.parts) > 5  # handed over many times, before the end
    assert m.store.kept == m.n_attempts  # every row's memory given back
    assert_same_records(kept, handed)


def test_spilled_columns_read_back_the_rows_written(monkeypatch) -> None:
    sc = variant(load_scenario(SCENARIOS / "callbacks_2025.toml"), {"horizon.days": 2.0})
    kept = sim.core.model.simulate(sc, 0)
    monkeypatch.setattr(sim.core.model, "CHUNK", 1000)
    handed = sim.core.model.simulate(sc, 0, None, SpillFiles())
    assert not isinstance(handed.attempt, dict)  # read from the files
    assert not handed.attempt["outcome"].flags.writeable
    assert_same_records(kept, handed)


def test_a_run_shorter_than_a_chunk_keeps_its_rows() -> None:
    changes = {"horizon.days": 1.0, "horizon.warmup_days": 0.0}
    sc = variant(load_scenario(SCENARIOS / "baseline_2023.toml"), changes)
    sink = ListSink()
    rec = sim.core.model.simulate(sc, 0, None, sink)
    assert not sink.parts
    assert isinstance(rec.attempt, dict)


def test_pieces_of_spilled_columns_stack_to_the_tables(monkeypatch) -> None:
    from sim.runner import table_pieces

    sc = variant(load_scenario(SCENARIOS / "lines_45.toml"), {"horizon.days": 2.0})
    kept = sim.core.model.simulate(sc, 0)
    monkeypatch.setattr(sim.core.model, "CHUNK", 1000)
    handed = sim.core.model.simulate(sc, 0, None, SpillFiles())
    for name in ("attempts", "callers"):
        pieces = list(table_pieces(handed, name, 777))
        assert len(pieces) > 3
        whole = pd.concat(pieces, ignore_index=True)
        pd.testing.assert_frame_equal(whole, getattr(kept, name))
