"""``helpline run`` against the targets: what is judged, the worst interval, what binds, and a
warning when there are too few replications to say anything.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from sim.cli import main

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"
NEW_METRICS = (
    "service_level",
    "service_level_offered",
    "asa_s",
    "wait_mean_s",
    "targets_met_interval_share",
    "targets_met_day_share",
    "worst_interval_met_share",
    "call_takers_present_mean",
    "call_takers_on_duty_mean",
    "call_takers_logged_in_mean",
    "call_takers_on_break_mean",
    "call_takers_without_seat_mean",
    "all_lines_busy_share",
    "all_seats_taken_share",
    "peak_lines_bind_share",
    "peak_seats_bind_share",
    "peak_people_bind_share",
    "golden_hour_share",
    "golden_hour_ceiling",
)


def run(name: str, tmp_path: Path, *extra: str) -> str:
    result = CliRunner().invoke(
        main,
        [
            "run",
            str(SCENARIOS / f"{name}.toml"),
            "--days",
            "4",
            "-r",
            "2",
            "--workers",
            "1",
            "--out",
            str(tmp_path / name),
            *extra,
        ],
    )
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def volume_2025(tmp_path_factory) -> str:
    return run("volume_2025", tmp_path_factory.mktemp("v"))


def test_volume_2025_names_lines_and_seats_as_binding(volume_2025) -> None:
    line = next(x for x in volume_2025.splitlines() if "Binding at the peak hours" in x)
    assert "): lines and seats (" in line, line
    assert "Against targets" in volume_2025
    assert "Worst interval of the day:" in volume_2025
    assert "by hour of day" in volume_2025


def test_baseline_2023_binds_nowhere(tmp_path) -> None:
    out = run("baseline_2023", tmp_path)
    line = next(x for x in out.splitlines() if "Binding at the peak hours" in x)
    assert "): none (" in line, line


def test_two_replications_warn_and_say_how_many_are_needed(volume_2025) -> None:
    assert "Warning: with 2 replications the 95% CIs of" in volume_2025
    assert "helpline replications" in volume_2025


def test_json_has_the_new_metrics_and_the_files_the_tables(tmp_path) -> None:
    out = tmp_path / "j"
    result = CliRunner().invoke(
        main,
        ["run", str(SCENARIOS / "volume_2025.toml"), "--days", "3", "-r", "1", "--json",
         "--workers", "1", "--out", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    for name in NEW_METRICS:
        assert name in doc["metrics"], name
    prof = doc["attainment_profile"]
    assert len(prof) == 48 and {"interval_of_day_h", "met_share", "service_level"} <= set(prof[0])
    m = doc["metrics"]
    assert m["service_level_offered"]["mean"] < m["service_level"]["mean"]
    assert m["golden_hour_ceiling"]["mean"] > m["golden_hour_share"]["mean"]
    assert m["call_takers_present_mean"]["mean"] > m["call_takers_logged_in_mean"]["mean"]
    iv = pd.read_parquet(out / "targets_by_interval.parquet")
    assert len(iv) == 2 * 48 and {"meets_targets", "met_service_level_min"} <= set(iv.columns)
    assert len(pd.read_parquet(out / "targets_by_day.parquet")) == 2
    assert "seats_bind_share" in pd.read_parquet(out / "binding_by_interval.parquet").columns
