"""The package type-checks with mypy, as pyproject.toml configures it; the fact vocabulary is
declared once, and the model, the records and the results reference all use it.
"""

from __future__ import annotations

import math
import subprocess
import sys
from dataclasses import fields
from pathlib import Path

from conftest import make_scenario

from sim.core.model import CHUNK, _Model
from sim.core.records import AttemptColumns, CallerColumns, SessionColumns

ROOT = Path(__file__).resolve().parents[2]


def test_mypy() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "sim"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_model_records_every_declared_attempt_column() -> None:
    m = _Model(make_scenario(), 0)
    for f in fields(AttemptColumns):
        col = getattr(m, f.name)
        assert col.format == f.metadata["typecode"], f.name
        assert m.capacity == m.store.filled == CHUNK, f.name
        fill = f.metadata["fill"]
        assert col[0] == fill or (math.isnan(fill) and math.isnan(col[0])), f.name
        last = col[m.capacity - 1]
        assert last == fill or (math.isnan(fill) and math.isnan(last)), f.name
    m._grow()
    assert m.capacity == m.store.filled == 2 * CHUNK
    for f in fields(AttemptColumns):
        last = getattr(m, f.name)[m.capacity - 1]
        fill = f.metadata["fill"]
        assert last == fill or (math.isnan(fill) and math.isnan(last)), f.name
    rec = m.run()
    for kind, got in ((AttemptColumns, rec.attempt), (CallerColumns, rec.caller)):
        assert {f.name for f in fields(kind)} <= set(got), kind.__name__
    assert {f.name for f in fields(SessionColumns)} <= set(rec.session)


def test_every_declared_fact_is_documented() -> None:
    doc = (ROOT / "docs" / "results.md").read_text(encoding="utf-8")
    for kind in (AttemptColumns, CallerColumns, SessionColumns):
        for f in fields(kind):
            assert f"`{f.name}`" in doc, f"{kind.__name__}.{f.name} missing from docs/results.md"


def test_columns_that_grow_during_a_run_hold_the_same_records(monkeypatch) -> None:
    # Busy lines and eager redials: many more attempts than callers. With a chunk of 4 rows
    # the columns grow dozens of times mid-run; the records must not change.
    import pandas as pd
    from conftest import call_type

    import sim.core.model

    redial = {"after_busy": 0.9, "after_abandon": 0.9, "delay_after_busy": 30}
    sc = make_scenario(
        {"lines.count": 1, "arrivals.calls_per_h": 30},
        call_types={"call": call_type(200, patience_s=60, redial=redial)},
    )
    wide = sim.core.model.simulate(sc, 0)
    monkeypatch.setattr(sim.core.model, "CHUNK", 4)
    monkeypatch.setattr(sim.core.model, "RESERVE", 1)
    m = _Model(sc, 0)
    narrow = m.run()
    assert m.store.reserved > m.n_callers + 4 * 20  # it grew past its reserve
    assert m.capacity >= m.n_attempts > m.n_callers
    assert len(narrow.attempts) > 2 * len(narrow.callers)
    pd.testing.assert_frame_equal(narrow.attempts, wide.attempts)
    pd.testing.assert_frame_equal(narrow.callers, wide.callers)
