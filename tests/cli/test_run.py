"""`helpline run`: the summary, --json, the files it writes, and the results reference."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from sim.cli import main
from sim.metrics import METRICS
from sim.scenario import variant

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "scenarios" / "baseline_2023.toml"
JSON_NAMES = [
    "callers",
    "attempts",
    "answered",
    "abandoned",
    "blocked",
    "gave_up",
    "service_level",
    "asa_s",
    "wait_p90_s",
    "abandon_rate",
    "block_rate",
    "agent_occupancy",
    "line_occupancy",
    "reporting_delay_p50_min",
    "reporting_delay_p90_min",
    "access_delay_p90_min",
    "golden_hour_share",
]


@pytest.fixture(scope="module")
def baseline_json(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The README's main job, as --json, through the installed console script's module."""
    out = tmp_path_factory.mktemp("baseline")
    proc = subprocess.run(
        [sys.executable, "-m", "sim.cli", "run", str(BASELINE), "--json", "--out", str(out)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    doc["_out"] = str(out)
    return doc


def test_json_has_every_required_metric(baseline_json: dict) -> None:
    assert baseline_json["scenario"] == "baseline_2023"
    reps = baseline_json["replications"]
    assert reps == 5
    for name in JSON_NAMES:
        m = baseline_json["metrics"][name]
        assert isinstance(m["mean"], float), name
        lo, hi = m["ci95"]
        assert lo is None or lo <= m["mean"] <= hi, name


def test_baseline_matches_the_2023_consistency_check(baseline_json: dict) -> None:
    """DOMAIN.md: at 2023 volume 30 seats show almost no waiting."""
    m = baseline_json["metrics"]
    assert 1400 < m["callers"]["mean"] / 27 < 1600
    assert m["service_level"]["mean"] > 0.95
    assert m["abandon_rate"]["mean"] < 0.02
    assert 0.1 < m["golden_hour_share"]["mean"] < 0.4


def test_every_call_is_accounted_for_in_the_written_tables(baseline_json: dict) -> None:
    out = Path(baseline_json["_out"])
    attempts = pd.read_parquet(out / "attempts.parquet")
    callers = pd.read_parquet(out / "callers.parquet")
    per_rep = pd.read_parquet(out / "replications.parquet")
    assert sorted(attempts["replication"].unique()) == [0, 1, 2, 3, 4]
    for rep, a in attempts[attempts["in_window"]].groupby("replication"):
        row = per_rep[per_rep["replication"] == rep].iloc[0]
        counts = a["outcome"].value_counts()
        assert counts.sum() == row["attempts"]
        assert counts["answered"] == row["answered"]
        assert counts["abandoned"] == row["abandoned"]
        assert counts["blocked"] == row["blocked"]
    c = callers[callers["in_window"]]
    assert len(c) == per_rep["callers"].sum()
    for name in (
        "load_by_hour.png",
        "wait_distribution.png",
        "reporting_delay.png",
        "summary.json",
        "intervals.parquet",
        "sessions.parquet",
        "summary.parquet",
    ):
        assert (out / name).stat().st_size > 0, name
    assert not list(out.glob(".staging-*"))


def test_human_summary_shows_units_and_cis(tmp_path: Path) -> None:
    res = CliRunner().invoke(
        main,
        [
            "run",
            str(BASELINE),
            "--days",
            "3",
            "--replications",
            "2",
            "--workers",
            "1",
            "--out",
            str(tmp_path),
        ],
    )
    assert res.exit_code == 0, res.output
    text = res.output
    assert "Scenario baseline_2023: 2 replication(s) of 3 days" in text
    assert re.search(r"asa_s\s+[\d.,]+ s\s+\(95% CI", text)
    assert re.search(r"reporting_delay_p50_min\s+[\d.,]+ min", text)
    assert re.search(r"golden_hour_share\s+[\d.]+%", text)


def test_same_seed_same_summary_and_seed_override_changes_it(tmp_path: Path) -> None:
    args = ["run", str(BASELINE), "--days", "2", "--replications", "1", "--json", "--workers", "1"]
    a = json.loads(CliRunner().invoke(main, [*args, "--out", str(tmp_path / "a")]).output)
    b = json.loads(CliRunner().invoke(main, [*args, "--out", str(tmp_path / "b")]).output)
    c = json.loads(
        CliRunner().invoke(main, [*args, "--seed", "7", "--out", str(tmp_path / "c")]).output
    )
    assert a["metrics"] == b["metrics"]
    assert a["metrics"]["attempts"] != c["metrics"]["attempts"]


def test_results_reference_documents_every_column_and_metric() -> None:
    from sim.core.model import simulate
    from sim.scenario import load_scenario

    doc = (ROOT / "docs" / "results.md").read_text(encoding="utf-8")
    rec = simulate(variant(load_scenario(BASELINE), {"horizon.days": 1.5}), 0)
    for table in ("attempts", "callers", "intervals", "sessions"):
        for col in getattr(rec, table).columns:
            assert f"`{col}`" in doc, f"{table}.{col} missing from docs/results.md"
    from sim.runner import DERIVED_TABLES

    for table, make in DERIVED_TABLES.items():
        assert f"{table}.parquet" in doc, table
        for col in make(rec).columns:
            assert f"`{col}`" in doc, f"{table}.{col} missing from docs/results.md"
    for name in METRICS:
        assert f"`{name}`" in doc, f"metric {name} missing from docs/results.md"
