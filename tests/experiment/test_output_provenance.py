"""Sweep and compare folders say what made them, as ``helpline run``'s do.

Every table of each folder (every ``*.parquet`` there, so a table added later is held to it
too) starts with the provenance columns, each row those of the scenario that made it; the JSON
document carries the run id of the whole, the tool version, the commit and every scenario's
name, hash and run id.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import sim
from sim.cli import main
from sim.experiment.grid import build_points
from sim.report.provenance import (
    COLUMNS,
    RESOLVED_NAME,
    git_commit,
    group_run_id,
    provenance,
    scenario_hash,
)
from sim.scenario import load_scenario, variant

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "scenarios" / "baseline_2023.toml"
SHORT = ["--set", "horizon.days=1", "--set", "horizon.warmup_days=0.25"]
SERIAL = ["--executor", "serial", "-r", "2"]


def invoke(*args: str) -> None:
    res = CliRunner().invoke(main, list(args))
    assert res.exit_code == 0, res.output


def values(table: pd.DataFrame, col: str) -> list[object]:
    return table[col].astype(object).where(table[col].notna(), None).tolist()


def check_tables(folder: Path, expected_by_row) -> list[str]:
    """Every table's provenance columns, row by row against ``expected_by_row(table)``."""
    names = sorted(p.name for p in folder.glob("*.parquet"))
    for name in names:
        table = pd.read_parquet(folder / name)
        assert list(table.columns[: len(COLUMNS)]) == list(COLUMNS), name
        expected = expected_by_row(table)
        for col in COLUMNS:
            assert values(table, col) == [e.as_dict()[col] for e in expected], (name, col)
    return names


@pytest.fixture(scope="module")
def sweep_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sweep")
    invoke(
        "sweep", str(BASELINE), "--vary", "lines.count=20,30", *SHORT, *SERIAL, "--out", str(out)
    )
    return out


def test_every_sweep_table_carries_its_points_provenance(sweep_dir: Path) -> None:
    base = variant(load_scenario(BASELINE), {"horizon.days": 1, "horizon.warmup_days": 0.25})
    points = build_points(base, [{"lines.count": 20}, {"lines.count": 30}])
    provs = {p.index: provenance(p.scenario) for p in points}
    assert len({p.scenario_hash for p in provs.values()}) == 2  # each point its own hash
    names = check_tables(sweep_dir, lambda t: [provs[i] for i in t["point"]])
    assert names == ["runs.parquet", "summary.parquet"]
    doc = json.loads((sweep_dir / "sweep.json").read_text(encoding="utf-8"))
    assert doc["run_id"] == group_run_id(list(provs.values())) and doc["run_id"].startswith("run-")
    assert (doc["tool_version"], doc["commit"]) == (sim.__version__, git_commit())
    assert doc["scenario"] == "baseline_2023" and doc["scenario_hash"] == scenario_hash(base)
    assert doc["provenance"] == [
        {"point": i, "scenario": p.scenario, "scenario_hash": p.scenario_hash, "run_id": p.run_id}
        for i, p in provs.items()
    ]
    resolved = load_scenario(sweep_dir / RESOLVED_NAME)
    assert scenario_hash(resolved) == doc["scenario_hash"]  # the base, --set applied


def test_a_sweep_of_the_resolved_base_has_the_same_provenance(
    sweep_dir: Path, tmp_path: Path
) -> None:
    invoke(
        "sweep", str(sweep_dir / RESOLVED_NAME), "--vary", "lines.count=20,30", *SERIAL,
        "--out", str(tmp_path),
    )  # fmt: skip
    for name in ("runs.parquet", "summary.parquet"):
        a, b = pd.read_parquet(sweep_dir / name), pd.read_parquet(tmp_path / name)
        pd.testing.assert_frame_equal(a, b)


@pytest.fixture(scope="module")
def compare_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("compare")
    more = d / "lines40.toml"
    more.write_text(
        f'extends = "{BASELINE.as_posix()}"\n[scenario]\nname = "lines40"\n'
        "[horizon]\nseed = 5\n[lines]\ncount = 40\n"
    )
    out = d / "out"
    invoke("compare", str(BASELINE), str(more), str(BASELINE), *SHORT, *SERIAL, "--out", str(out))
    return out


def test_every_compare_table_carries_each_scenarios_provenance(compare_dir: Path) -> None:
    changes = {"horizon.days": 1, "horizon.warmup_days": 0.25}
    base = variant(load_scenario(BASELINE), changes)
    more = variant(load_scenario(compare_dir.parent / "lines40.toml"), changes)
    more = variant(more, {"horizon.seed": base.horizon.seed})  # the common seed is what ran
    names = ["baseline_2023", "lines40", "baseline_2023#2"]
    provs = [provenance(sc) for sc in (base, more, base)]
    by_name = {n: p.as_dict() | {"scenario": n} for n, p in zip(names, provs, strict=True)}
    doc = json.loads((compare_dir / "compare.json").read_text(encoding="utf-8"))
    assert doc["run_id"] == group_run_id(provs)
    assert (doc["tool_version"], doc["commit"]) == (sim.__version__, git_commit())
    assert [e["scenario"] for e in doc["provenance"]] == names
    assert [e["scenario_hash"] for e in doc["provenance"]] == [p.scenario_hash for p in provs]
    assert doc["provenance"][0]["run_id"] == doc["provenance"][2]["run_id"] != provs[1].run_id
    table = pd.read_parquet(compare_dir / "compare.parquet")
    assert list(table.columns[: len(COLUMNS)]) == list(COLUMNS)
    for col in COLUMNS:
        assert values(table, col) == [by_name[n][col] for n in table["scenario"]], col
    assert sorted(p.name for p in compare_dir.glob("*.parquet")) == ["compare.parquet"]


def test_a_compare_folder_keeps_each_scenario_as_run_in_order(compare_dir: Path) -> None:
    files = sorted((compare_dir / "scenarios").glob("*.toml"))
    assert [f.name for f in files] == [
        "01_baseline_2023.resolved.toml",
        "02_lines40.resolved.toml",
        "03_baseline_2023_2.resolved.toml",
    ]
    doc = json.loads((compare_dir / "compare.json").read_text(encoding="utf-8"))
    hashes = [provenance(load_scenario(f)).scenario_hash for f in files]
    assert hashes == [e["scenario_hash"] for e in doc["provenance"]]
