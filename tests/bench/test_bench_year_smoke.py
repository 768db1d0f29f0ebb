"""Smoke test of the one-year benchmark (`python -m bench.year --quick`): no timing asserted."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_quick_year_benchmark_reports_both_scenarios() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench.year", "--quick", "--json"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    rows = {r["scenario"]: r for r in json.loads(done.stdout)}
    assert set(rows) == {"volume_2025", "baseline_2023"}
    for r in rows.values():
        assert r["days"] == 7
        assert r["attempts"] >= r["callers"] > 0
        assert r["peak_rss_mb"] > 0
    # 2025 volume on the 2023 set-up redials far more per caller than 2023 does.
    ratio_2025 = rows["volume_2025"]["attempts"] / rows["volume_2025"]["callers"]
    ratio_2023 = rows["baseline_2023"]["attempts"] / rows["baseline_2023"]["callers"]
    assert ratio_2025 > ratio_2023
