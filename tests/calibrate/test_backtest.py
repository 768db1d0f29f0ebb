"""``helpline backtest``: each log day simulated with its staffing, compared hour by hour.

A small synthetic log end to end through the command line (fast); the bank month against the
acceptance figures (slow).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).parent))
from synthetic_log import Truth, write_log
from test_calibrate_bank import bank_log_path

from sim.calibrate.backtest import METRICS, metrics_of, run_backtest
from sim.calibrate.calibration import calibrate
from sim.calibrate.logs import read_log
from sim.calibrate.writer import scenario_text
from sim.cli import main
from sim.scenario.load import build


def test_backtest_command_writes_every_metric_with_coverage(tmp_path: Path) -> None:
    log = tmp_path / "small.csv"
    write_log(log, Truth(days=2, callers_per_day=300))
    scenario = tmp_path / "small.toml"
    run = CliRunner().invoke(
        main, ["calibrate", str(log), "--format", "csv", "--out", str(scenario)]
    )
    assert run.exit_code == 0, run.output
    for arrivals in ("trace", "bootstrap", "fitted"):
        out = tmp_path / arrivals
        res = CliRunner().invoke(
            main,
            [
                "backtest",
                str(log),
                str(scenario),
                "--format",
                "csv",
                "--arrivals",
                arrivals,
                "-r",
                "3",
                "--out",
                str(out),
            ],
        )
        assert res.exit_code == 0, res.output
        overall = pd.read_csv(out / "backtest_overall.csv")
        assert overall["metric"].tolist() == list(METRICS)
        assert overall["coverage"].between(0, 1).all()
        assert (overall["band_lo"] <= overall["band_hi"]).all()
        doc = json.loads((out / "backtest.json").read_text())
        assert doc["arrivals"] == arrivals and len(doc["metrics"]) == 4
        for m in METRICS:
            assert (out / f"backtest_{m}.png").stat().st_size > 0
        assert "coverage" in res.output
    observed = overall.set_index("metric")["observed"]
    calls = read_log(log, "csv").calls
    assert observed["answered"] == (calls["outcome"] == "answered").sum()


def test_trace_arrivals_replay_the_logs_attempts_exactly(tmp_path: Path) -> None:
    """With trace arrivals every simulated day holds exactly the log's attempts (no redials)."""
    path = tmp_path / "small.csv"
    write_log(path, Truth(days=2, callers_per_day=200))
    log = read_log(path, "csv")
    sc = build(tomllib_loads(scenario_text(calibrate(log), "s", "fitted")), file="s.toml")
    bt = run_backtest(log, sc, "trace", replications=2)
    per_rep = bt.simulated.groupby(level="replication").sum()
    attempts = per_rep["answered"] + per_rep["abandoned"]
    assert (attempts == len(log.calls)).all()
    by_type = bt.simulated_by_type
    assert by_type is not None
    assert (by_type.groupby(level="replication").sum() == per_rep).all().all()
    t = bt.by_type().set_index("metric")
    assert (t["call_type"] == "web").all() and (t["attempts"] == len(log.calls)).all()
    abandoned = (log.calls["outcome"] == "abandoned").mean()
    assert t.loc["abandon_rate", "observed"] == pytest.approx(abandoned)
    overall = bt.overall().set_index("metric")
    assert t.loc["abandon_rate", "simulated"] == pytest.approx(
        overall.loc["abandon_rate", "simulated"]
    )


def tomllib_loads(text: str) -> dict[str, object]:
    import tomllib

    return tomllib.loads(text)


def test_metrics_of_sums() -> None:
    sums = pd.DataFrame(
        {
            "answered": [4, 0],
            "abandoned": [1, 0],
            "wait_answered_s": [40.0, 0.0],
            "within_sl": [3, 0],
        }
    )
    m = metrics_of(sums)
    assert m.loc[0].tolist() == [4.0, 0.2, 10.0, 0.75]
    assert (
        m.loc[1, "answered"] == 0
        and m.loc[1, ["abandon_rate", "asa_s", "service_level"]].isna().all()
    )


@pytest.mark.slow
def test_bank_backtest_with_trace_arrivals_meets_the_acceptance(tmp_path: Path) -> None:
    """Acceptance: overall abandonment within 2 points and ASA within 15%; coverage for every
    metric.
    """
    log = read_log(bank_log_path())
    sc = build(tomllib_loads(scenario_text(calibrate(log), "bank", "fitted")), file="bank.toml")
    bt = run_backtest(log, sc, "trace", replications=5)
    o = bt.overall().set_index("metric")
    assert abs(o.loc["abandon_rate", "error"]) <= 0.02, o
    assert abs(o.loc["asa_s", "error"]) <= 0.15, o
    assert o["coverage"].notna().all() and list(o.index) == list(METRICS)
