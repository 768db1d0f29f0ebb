"""``helpline calibrate``: fit a scenario to a call log and report every fit against the log.

Writes the scenario file (``--out``; every fitted key carries a comment with its source and
interval) and a calibration report beside it (``--report``, default ``<out stem>_calibration/``):
``report.txt`` and the charts of :mod:`sim.calibrate.report`. A bad log stops with one line
naming the row and the column, exit code 2, and nothing written.
"""

from __future__ import annotations

import math
import tomllib
from pathlib import Path

import click

from sim.cli.common import OneLineCommand, draw_to_files, fail, friendly_errors
from sim.cli.log_options import log_options, read_log_or_fail, staffing_option
from sim.report.output import staged
from sim.scenario.load import build


def _share(ctx: click.Context, param: click.Parameter, value: float | None) -> float | None:
    """``--skill-share``: the range check lets NaN through (every comparison with it is
    false), and a NaN share would give groups of nobody's types.
    """
    if value is not None and math.isnan(value):
        raise click.BadParameter(f"{value} is not in the range 0<x<1.")
    return value


@click.command("calibrate", cls=OneLineCommand)
@click.argument("log_file", metavar="LOG")
@click.option(
    "--out",
    "out_file",
    required=True,
    type=click.Path(dir_okay=False),
    help="Scenario file to write.",
)
@click.option(
    "--arrivals",
    type=click.Choice(("fitted", "trace", "bootstrap")),
    default="fitted",
    show_default=True,
    help="Arrivals in the scenario: the fitted profile, the log's instants, or its days resampled.",
)
@click.option(
    "--report",
    "report_dir",
    type=click.Path(file_okay=False),
    help="Folder for report.txt and charts [default: <out stem>_calibration].",
)
@click.option(
    "--skill-share",
    type=click.FloatRange(0, 1, min_open=True, max_open=True),
    default=None,
    callback=_share,
    help="Write call-takers in skill groups estimated from the agent ids: an agent serves a "
    "log type that is at least this share of their answered calls, or of whose answered calls "
    "they took at least this share (docs/calibration.md). Default: one pool.",
)
@staffing_option
@log_options
@friendly_errors
def command(
    log_file: str,
    fmt: str,
    mapping: tuple[str, ...],
    time_zone: str | None,
    out_file: str,
    arrivals: str,
    report_dir: str | None,
    skill_share: float | None,
    staffing_estimator: str,
) -> None:
    """Fit a scenario to the call log LOG and write it with a calibration report."""
    from sim.calibrate.calibration import calibrate
    from sim.calibrate.writer import scenario_text

    log = read_log_or_fail(log_file, fmt, mapping, time_zone)
    if not log.calls["talk_usable"].any():
        fail(
            f"{log_file}: must hold at least one answered call with an agent and a talk time "
            f"> 0; got none of {len(log.calls)} attempts"
        )
    out = Path(out_file)
    cal = calibrate(log, staffing_estimator)
    text = scenario_text(cal, out.stem, arrivals, skill_share=skill_share)
    build(tomllib.loads(text), file=str(out))  # what we write must load
    draw_to_files()
    from sim.calibrate import report

    folder = Path(report_dir) if report_dir else out.with_name(out.stem + "_calibration")
    summary = report.text(cal)
    with staged(folder) as stage:
        (stage / "report.txt").write_text(summary, encoding="utf-8")
        for name, chart in report.CHARTS.items():
            report.save(chart(cal), str(stage / name))
    with staged(out.parent if str(out.parent) else ".") as stage:
        (stage / out.name).write_text(text, encoding="utf-8")
    click.echo(summary)
    click.echo(f"Scenario {out}; report and charts in {folder}/")
