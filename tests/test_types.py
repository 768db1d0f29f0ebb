"""The package type-checks with mypy, as pyproject.toml configures it; the model's attempt
columns, spelled out one by one for the checker, match the ATTEMPT_COLUMNS table."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

from conftest import make_scenario

from sim.model import ATTEMPT_COLUMNS, CHUNK, _Model

ROOT = Path(__file__).resolve().parents[1]


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
        assert len(col) == CHUNK, name
        assert col[0] == fill or (math.isnan(fill) and math.isnan(col[0])), name
    m._grow()
    for name in ATTEMPT_COLUMNS:
        assert len(getattr(m, f"a_{name}")) == 2 * CHUNK, name
