"""`helpline run` provenance: every table says what made it, and the folder can remake itself.

Every table and summary.json carry the run id, tool version, commit, scenario and scenario hash;
the folder keeps the merged scenario as scenario.resolved.toml, and running that file reproduces
every table bit for bit; ``--replication`` reruns some replications only, with the same rows.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import sim
from sim.cli import main
from sim.report.provenance import COLUMNS, RESOLVED_NAME, git_commit, scenario_hash
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[2]
FESTIVE = ROOT / "scenarios" / "festive_surge.toml"  # extends the baseline: a merge to resolve
TABLES = (
    "attempts",
    "callers",
    "intervals",
    "sessions",
    "targets_by_interval",
    "targets_by_day",
    "binding_by_interval",
    "replications",
    "summary",
)
SHORT = ["--days", "2", "--replications", "3", "--workers", "1"]


def run(*args: str) -> str:
    res = CliRunner().invoke(main, ["run", *args])
    assert res.exit_code == 0, res.output
    return res.output


@pytest.fixture(scope="module")
def first(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("first")
    run(str(FESTIVE), *SHORT, "--seed", "7", "--out", str(out))
    return out


def test_every_table_and_summary_json_carry_the_provenance(first: Path) -> None:
    doc = json.loads((first / "summary.json").read_text(encoding="utf-8"))
    expected = {k: doc[k] for k in COLUMNS}
    assert expected["scenario"] == "festive_surge"
    assert expected["tool_version"] == sim.__version__
    assert expected["commit"] == git_commit()
    assert expected["run_id"].startswith("run-") and len(expected["run_id"]) == 20
    resolved = load_scenario(first / RESOLVED_NAME)
    assert expected["scenario_hash"] == scenario_hash(resolved)
    assert (resolved.horizon.days, resolved.horizon.seed) == (2, 7)  # the overrides are in it
    for name in TABLES:
        table = pd.read_parquet(first / f"{name}.parquet")
        assert list(table.columns[: len(COLUMNS)]) == list(COLUMNS), name
        for col in COLUMNS:
            values = table[col].astype(object).where(table[col].notna(), None).unique().tolist()
            assert values == [expected[col]], (name, col, values)
        assert "seed" in table.columns and set(table["seed"]) == {7}, name


def test_the_resolved_scenario_reproduces_every_table_bit_for_bit(
    first: Path, tmp_path: Path
) -> None:
    run(str(first / RESOLVED_NAME), "--workers", "1", "--out", str(tmp_path))
    for name in TABLES:
        a, b = first / f"{name}.parquet", tmp_path / f"{name}.parquet"
        assert a.read_bytes() == b.read_bytes(), f"{name}.parquet differs"
    assert (first / RESOLVED_NAME).read_bytes() == (tmp_path / RESOLVED_NAME).read_bytes()
    a_doc = json.loads((first / "summary.json").read_text(encoding="utf-8"))
    b_doc = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert a_doc["run_id"] == b_doc["run_id"] and a_doc["metrics"] == b_doc["metrics"]


def test_a_changed_scenario_has_another_hash_and_run_id(first: Path, tmp_path: Path) -> None:
    run(str(first / RESOLVED_NAME), "--workers", "1", "--seed", "8", "--out", str(tmp_path))
    a = json.loads((first / "summary.json").read_text(encoding="utf-8"))
    b = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert a["scenario_hash"] != b["scenario_hash"] and a["run_id"] != b["run_id"]


@pytest.mark.parametrize(("which", "reps"), [("1", [1]), ("1..2", [1, 2])])
def test_replication_reruns_only_those_with_the_same_rows(
    first: Path, tmp_path: Path, which: str, reps: list[int]
) -> None:
    resolved = str(first / RESOLVED_NAME)
    run(resolved, "--workers", "1", "--replication", which, "--out", str(tmp_path))
    for name in ("attempts", "callers", "intervals", "sessions", "replications"):
        full = pd.read_parquet(first / f"{name}.parquet")
        part = pd.read_parquet(tmp_path / f"{name}.parquet")
        assert sorted(part["replication"].unique()) == reps, name
        expected = full[full["replication"].isin(reps)].reset_index(drop=True)
        pd.testing.assert_frame_equal(part, expected, check_categorical=False)
    doc = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert doc["replications_run"] == reps


@pytest.mark.parametrize(
    ("value", "says"),
    [("3", "0..2"), ("2..1", "I..J with I <= J"), ("x", "a replication number I"), ("-1", "0..2")],
)
def test_a_bad_replication_is_one_line_and_exit_2(tmp_path: Path, value: str, says: str) -> None:
    res = CliRunner().invoke(
        main, ["run", str(FESTIVE), *SHORT, "--replication", value, "--out", str(tmp_path)]
    )
    assert res.exit_code == 2
    lines = res.output.strip().splitlines()
    assert len(lines) == 1 and "--replication" in lines[0] and says in lines[0], res.output
    assert not list(tmp_path.iterdir())
