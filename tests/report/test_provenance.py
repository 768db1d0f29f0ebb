"""Provenance values: the scenario hash, the resolved scenario file, the commit, the stamp."""

from __future__ import annotations

import subprocess
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

import sim
from sim.report.provenance import (
    COLUMNS,
    Provenance,
    git_commit,
    provenance,
    resolved_toml,
    scenario_hash,
    stamp,
)
from sim.scenario import load_scenario, variant

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted((ROOT / "scenarios").glob("*.toml"))


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_the_resolved_file_loads_back_to_the_same_scenario_and_hash(
    path: Path, tmp_path: Path
) -> None:
    sc = load_scenario(path)
    prov = provenance(sc)
    again = tmp_path / "scenario.resolved.toml"
    again.write_text(resolved_toml(sc, prov), encoding="utf-8")
    back = load_scenario(again)
    assert replace(back, file=sc.file) == sc  # every validated value, extends chain and all
    assert scenario_hash(back) == prov.scenario_hash
    assert provenance(back).run_id == prov.run_id


def test_the_hash_ignores_comments_layout_and_key_order(tmp_path: Path) -> None:
    a = tmp_path / "a.toml"
    b = tmp_path / "b.toml"
    a.write_text('[scenario]\nname = "x"\n[lines]\ncount = 30\n[queue]\ndiscipline = "fifo"\n')
    b.write_text('# same\n[queue]\ndiscipline="fifo"\n\n[lines]\ncount=30\n[scenario]\nname="x"\n')
    base = tmp_path / "base.toml"
    base.write_text((ROOT / "scenarios" / "baseline_2023.toml").read_text(encoding="utf-8"))
    for f in (a, b):
        f.write_text(f'extends = "base.toml"\n{f.read_text()}')
    assert scenario_hash(load_scenario(a)) == scenario_hash(load_scenario(b))


def test_any_change_of_value_changes_the_hash_and_the_run_id() -> None:
    sc = load_scenario(ROOT / "scenarios" / "baseline_2023.toml")
    for changes in ({"lines.count": 31}, {"horizon.seed": 1931}, {"arrivals.daily_cv": 0.12001}):
        other = variant(sc, changes)
        assert scenario_hash(other) != scenario_hash(sc), changes
        assert provenance(other).run_id != provenance(sc).run_id, changes


def test_the_commit_is_this_checkout_or_none_outside_one(tmp_path: Path) -> None:
    head = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True
    )
    if head.returncode == 0:
        assert git_commit() is not None and git_commit().split("-")[0] == head.stdout.strip()
    assert git_commit(str(tmp_path)) is None
    sub = tmp_path / "pkg"
    sub.mkdir()
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    assert git_commit(str(sub)) is None  # inside someone else's repository: not our checkout


def test_stamp_puts_the_five_columns_first_with_one_value_each() -> None:
    prov = Provenance("run-0123456789abcdef", "x", "sha256:ab", sim.__version__, None)
    table = pd.DataFrame({"scenario": ["old", "old"], "replication": [0, 1], "v": [1.0, 2.0]})
    out = stamp(table, prov)
    assert list(out.columns) == [*COLUMNS, "replication", "v"]
    assert out["scenario"].tolist() == ["x", "x"] and out["commit"].isna().all()
    assert all(isinstance(out[c].dtype, pd.CategoricalDtype) for c in COLUMNS)
    assert list(table.columns) == ["scenario", "replication", "v"]  # the input is left alone
    assert len(stamp(table.iloc[:0], prov)) == 0
    with_seed = stamp(table, prov, seed=7)
    assert list(with_seed.columns) == [*COLUMNS, "seed", "replication", "v"]
    assert with_seed["seed"].tolist() == [7, 7]
