"""``helpline backtest``: simulate a log's days with its staffing and compare with the log.

Prints observed against simulated (mean and 95% band over replications) for answered attempts,
abandonment, ASA and service level, with the error and the per-hour coverage; writes
``backtest_overall.csv``, ``backtest_by_hour.csv``, ``backtest_hours.csv`` (every date and hour),
``backtest.json`` and one chart per metric to ``--out``. Methods: docs/calibration.md.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from sim.cli.common import OneLineCommand, draw_to_files, fail, friendly_errors
from sim.cli.log_options import log_options, read_log_or_fail, staffing_option
from sim.report.output import staged, write_json
from sim.scenario import load_scenario


@click.command("backtest", cls=OneLineCommand)
@click.argument("log_file", metavar="LOG")
@click.argument("scenario_file", metavar="SCENARIO.toml")
@click.option(
    "--arrivals",
    type=click.Choice(("trace", "fitted", "bootstrap")),
    default="trace",
    show_default=True,
    help="The log's own instants, the scenario's arrivals, or the log's days resampled.",
)
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False),
    help="Folder for the tables and charts.",
)
@click.option(
    "--replications",
    "-r",
    type=int,
    default=20,
    show_default=True,
    help="Replications of each day.",
)
@click.option(
    "--workers",
    type=int,
    default=1,
    show_default=True,
    help="Processes for each day's replications.",
)
@staffing_option
@log_options
@friendly_errors
def command(
    log_file: str,
    scenario_file: str,
    arrivals: str,
    out_dir: str,
    replications: int,
    fmt: str,
    mapping: tuple[str, ...],
    time_zone: str | None,
    workers: int,
    staffing_estimator: str,
) -> None:
    """Simulate the days of LOG with SCENARIO.toml and the log's staffing; compare."""
    if replications < 2:
        fail(f"--replications: must be a whole number >= 2 (a band needs two); got {replications}")
    if workers < 1:
        fail(f"--workers: must be a whole number >= 1; got {workers}")
    sc = load_scenario(scenario_file)
    log = read_log_or_fail(log_file, fmt, mapping, time_zone)
    if log.calls.empty:
        fail(f"{log_file}: must hold at least one attempt; got none")
    draw_to_files()
    from sim.calibrate import backtest_charts as charts
    from sim.calibrate.backtest import METRICS, render, run_backtest

    bt = run_backtest(log, sc, arrivals, replications, workers, staffing_estimator)
    overall, by_hour, cells = bt.overall(), bt.by_hour(), bt.cells()
    coverage = bt.coverage()
    text = render(bt, log.name, sc.name)
    with staged(Path(out_dir)) as stage:
        overall.to_csv(stage / "backtest_overall.csv", index=False)
        by_hour.to_csv(stage / "backtest_by_hour.csv", index=False)
        cells.to_csv(stage / "backtest_hours.csv", index=False)
        bt.by_type().to_csv(stage / "backtest_by_type.csv", index=False)
        (stage / "backtest.txt").write_text(text, encoding="utf-8")
        doc = {
            "log": str(log_file),
            "scenario": sc.name,
            "arrivals": arrivals,
            "replications": replications,
            "metrics": json.loads(overall.to_json(orient="records")),
        }
        write_json(doc, stage / "backtest.json")
        for m in METRICS:
            charts.save(
                charts.metric_chart(by_hour, m, coverage[m], arrivals),
                str(stage / f"backtest_{m}.png"),
            )
    click.echo(text)
    click.echo(f"Tables and charts in {out_dir}/")
