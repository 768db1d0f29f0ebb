"""Smoke test of the one-year benchmark (`python -m bench.year --quick`): no timing asserted."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_quick_year_benchmark_reports_the_command_beside_the_simulation() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench.year", "--quick", "--json", "scenarios/volume_2025.toml"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    (row,) = json.loads(done.stdout)
    assert row["scenario"] == "volume_2025" and row["days"] == 7 and row["rounds"] == 1
    assert row["attempts"] >= row["callers"] > 0
    # the whole command holds the simulation, so it costs more than it, time and memory
    assert row["cmd_cpu_s"] > row["sim_cpu_s"] > 0
    assert row["cmd_peak_rss_mb"] > 0 and row["sim_peak_rss_mb"] > 0
    assert row["output_files"] >= 10 and row["output_mb"] > 0
    assert row["one_day_baseline_s"] > 0
    # the command's own simulation, timed inside it: a part of the whole command's time
    assert 0 < row["cmd_sim_wall_s"] < row["cmd_wall_s"]
    assert row["own_wall_ratio"] == row["rounds_own_wall_ratio"][0] > 1
    assert row["command_cores"] == 1 and row["load_before"] >= 0 and row["load_after"] >= 0
