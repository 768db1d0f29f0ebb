"""Variants by key: surges can be swept by index, and a variant made by --set says so."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from sim.cli import main
from sim.errors import ScenarioError
from sim.experiment.grid import build_points, variant_name
from sim.scenario import load_scenario, variant

ROOT = Path(__file__).resolve().parents[2]
SCAM_WAVE = ROOT / "scenarios" / "scam_wave.toml"


@pytest.fixture(scope="module")
def scam_wave():
    return load_scenario(SCAM_WAVE)


def test_a_surge_is_swept_by_index(scam_wave) -> None:
    points = build_points(
        scam_wave,
        [
            {"arrivals.surges.0.multiplier": m, "arrivals.surges.0.duration_h": d}
            for m, d in ((2.0, 3.0), (4.0, 6.0))
        ],
    )
    got = [
        (p.scenario.arrivals.surges[0].multiplier, p.scenario.arrivals.surges[0].duration_s)
        for p in points
    ]
    assert got == [(2.0, 3 * 3600.0), (4.0, 6 * 3600.0)]
    start = variant(scam_wave, {"arrivals.surges.0.start": "2023-07-05T15:00:00"})
    assert start.arrivals.surges[0].start_s == scam_wave.arrivals.surges[0].start_s + 2 * 3600
    assert scam_wave.arrivals.surges[0].multiplier == 3.0  # the base is left as it was


def test_a_surge_index_out_of_range_names_the_key(scam_wave) -> None:
    with pytest.raises(ScenarioError, match=r"arrivals\.surges\.1: must be an index 0 to 0"):
        variant(scam_wave, {"arrivals.surges.1.multiplier": 2.0})
    calm = variant(scam_wave, {"arrivals.surges": []})
    with pytest.raises(ScenarioError, match="which is empty"):
        variant(calm, {"arrivals.surges.0.multiplier": 2.0})


def test_sweep_cli_varies_a_surge_multiplier(tmp_path) -> None:
    result = CliRunner().invoke(
        main,
        [
            "sweep",
            str(SCAM_WAVE),
            "--vary",
            "arrivals.surges.0.multiplier=1,3",
            "-r",
            "1",
            "--set",
            "horizon.days=1.6",
            "--out",
            str(tmp_path / "sw"),
            "--executor",
            "serial",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "arrivals.surges.0.multiplier" in result.output


def test_variant_name_says_what_changed() -> None:
    assert (
        variant_name(
            "baseline_2023", {"arrivals.callers_per_day": 7000, "queue.discipline": "fifo"}
        )
        == "baseline_2023+arrivals.callers_per_day=7000+queue.discipline=fifo"
    )


def test_compare_with_set_heads_columns_with_the_variant_names(tmp_path) -> None:
    base = ROOT / "scenarios" / "baseline_2023.toml"
    lines = ROOT / "scenarios" / "lines_45.toml"
    result = CliRunner().invoke(
        main,
        [
            "compare",
            str(base),
            str(lines),
            "--set",
            "arrivals.callers_per_day=7000",
            "--set",
            "horizon.days=1.25",
            "-r",
            "2",
            "--executor",
            "serial",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    suffix = "+arrivals.callers_per_day=7000"  # horizon.days says how long, not what
    assert doc["scenarios"] == ["baseline_2023" + suffix, "lines_45" + suffix]
