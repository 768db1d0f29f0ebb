"""`helpline run`'s files: --no-attempts, --no-charts, row groups per replication, the same
tables as the runner's, and the printed time.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from pandas.testing import assert_frame_equal
from tiny import TINY_TOML

from sim.cli import main
from sim.executors import Execution
from sim.report import parquet
from sim.report.provenance import provenance, stamp
from sim.runner import ALL_TABLES, run_replications
from sim.scenario import load_scenario

PNGS = {"load_by_hour.png", "wait_distribution.png", "reporting_delay.png"}


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.toml"
    path.write_text(TINY_TOML, encoding="utf-8")
    return path


def run(tiny: Path, out: Path, *options: str) -> str:
    args = ["run", str(tiny), "--out", str(out), "--workers", "1", *options]
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 0, res.output
    return res.output


def test_no_attempts_and_no_charts_skip_their_files_only(tiny: Path, tmp_path: Path) -> None:
    out = run(tiny, tmp_path / "full")
    full = {p.name for p in (tmp_path / "full").iterdir()}
    assert full >= PNGS and "attempts.parquet" in full
    assert re.search(r"charts in .*\(\d+\.\d s in all; simulating \d+\.\d s\)", out)
    out = run(tiny, tmp_path / "lean", "--no-attempts", "--no-charts")
    lean = {p.name for p in (tmp_path / "lean").iterdir()}
    assert lean == full - PNGS - {"attempts.parquet"}
    assert "Tables and summary.json in" in out
    run(tiny, tmp_path / "no_attempts", "--no-attempts")  # charts drawn without the table
    assert {p.name for p in (tmp_path / "no_attempts").iterdir()} >= PNGS
    callers = pd.read_parquet(tmp_path / "lean" / "callers.parquet")
    assert_frame_equal(callers, pd.read_parquet(tmp_path / "full" / "callers.parquet"))
    # the file leaves out the reporting-delay parts, exact differences of its columns
    assert not set(parquet.LEFT_OUT["callers"]) & set(callers.columns)


def test_files_hold_the_runners_tables_a_row_group_never_mixing_replications(
    tiny: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parquet, "ROW_GROUP_ROWS", 40)  # a replication spans several groups
    monkeypatch.setattr("sim.cli.run.ROW_GROUP_ROWS", 40)
    run(tiny, tmp_path / "out", "--replications", "3")
    expected = run_replications(
        load_scenario(tiny), 3, execution=Execution.serial(), tables=ALL_TABLES
    )
    prov = provenance(load_scenario(tiny))
    for name in ALL_TABLES:
        path = tmp_path / "out" / f"{name}.parquet"
        got = parquet.restored(name, pd.read_parquet(path))  # the columns left out put back
        # The table as pandas' own writer stores it (one file, default settings), read back.
        stamp(expected.table(name), prov).to_parquet(tmp_path / "want.parquet", index=False)
        want = pd.read_parquet(tmp_path / "want.parquet")
        ids = ["run_id", "scenario_hash"]  # of the run's scenario, which has 3 replications
        assert_frame_equal(
            got.drop(columns=ids), want.drop(columns=ids), check_exact=True, obj=name
        )
        meta = pq.ParquetFile(path).metadata
        reps = []
        for g in range(meta.num_row_groups):
            stats = meta.row_group(g).column(meta.schema.names.index("replication")).statistics
            assert stats.min == stats.max, f"{name}: row group {g} mixes replications"
            assert meta.row_group(g).num_rows <= 40
            reps.append(stats.min)
        assert reps == sorted(reps), name
        assert set(reps) == set(got["replication"]), name  # an empty table has no row groups
    attempts = pq.ParquetFile(tmp_path / "out" / "attempts.parquet").metadata
    assert attempts.num_row_groups > 3  # replications of more than 40 attempts were split


def test_report_of_a_run_without_attempts_leaves_out_only_the_heat_map(
    tiny: Path, tmp_path: Path
) -> None:
    run(tiny, tmp_path / "lean", "--no-attempts", "--no-charts")
    res = CliRunner().invoke(main, ["report", str(tmp_path / "lean")])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "lean" / "report.html").stat().st_size > 0
