"""`helpline run` draws its charts from the few rows and columns it keeps of the row tables
(sim.report.chart_rows), piece by piece: the pictures must be the ones the chart functions
draw from the whole tables read back from the run's files.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from tiny import TINY_TOML

import sim.cli.run
from sim.cli import main
from sim.cli.common import draw_to_files
from sim.report import parquet
from sim.scenario import load_scenario


def test_the_charts_of_a_run_are_those_of_its_whole_tables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A warm-up (rows out of the window), two replications, and pieces of 37 rows, so the
    # kept rows come from many pieces of each table.
    path = tmp_path / "tiny.toml"
    path.write_text(TINY_TOML.replace("warmup_days = 0\n", "warmup_days = 0.05\n"), "utf-8")
    monkeypatch.setattr(sim.cli.run, "ROW_GROUP_ROWS", 37)
    out = tmp_path / "run"
    args = ["run", str(path), "-r", "2", "--workers", "1", "--out", str(out)]
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 0, res.output

    def table(name: str) -> pd.DataFrame:
        return parquet.restored(name, pd.read_parquet(out / f"{name}.parquet"))

    attempts, callers, intervals = table("attempts"), table("callers"), table("intervals")
    assert (~attempts["in_window"]).any() and len(attempts) > 10 * 37
    assert attempts["replication"].nunique() == 2
    sc = load_scenario(out / "scenario.resolved.toml")
    draw_to_files()
    from sim.report import charts

    drawn = {
        "load_by_hour.png": charts.load_vs_capacity(attempts, intervals, sc),
        "wait_distribution.png": charts.wait_distribution(attempts, sc),
        "reporting_delay.png": charts.reporting_delay_distribution(callers, sc),
    }
    for name, fig in drawn.items():
        again = tmp_path / name
        charts.save(fig, str(again))
        assert again.read_bytes() == (out / name).read_bytes(), name
