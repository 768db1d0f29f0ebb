"""The package type-checks with mypy, as pyproject.toml configures it; the model's attempt
columns, spelled out one by one for the checker, match the ATTEMPT_COLUMNS table."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

from conftest import make_scenario

from sim.core.model import ATTEMPT_COLUMNS, CHUNK, _Model

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


def test_attempt_columns_match_table() -> None:
    m = _Model(make_scenario(), 0)
    declared = {k for k in vars(m) if k.startswith("a_")}
    assert declared == {f"a_{name}" for name in ATTEMPT_COLUMNS}
    for name, (code, fill) in ATTEMPT_COLUMNS.items():
        col = getattr(m, f"a_{name}")
        assert col.typecode == code, name
        assert len(col) == m.capacity == m.n_callers + CHUNK, name
        assert col[0] == fill or (math.isnan(fill) and math.isnan(col[0])), name
    m._grow()
    for name in ATTEMPT_COLUMNS:
        assert len(getattr(m, f"a_{name}")) == m.capacity == m.n_callers + 2 * CHUNK, name


def test_columns_that_grow_during_a_run_hold_the_same_records(monkeypatch) -> None:  # noqa: ANN001
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
    m = _Model(sc, 0)
    narrow = m.run()
    assert m.capacity > m.n_callers + 4 * 20  # it grew, many times
    assert len(narrow.attempts) > 2 * len(narrow.callers)
    pd.testing.assert_frame_equal(narrow.attempts, wide.attempts)
    pd.testing.assert_frame_equal(narrow.callers, wide.callers)
