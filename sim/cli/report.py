"""``helpline report``: one self-contained HTML page of a run, compare or sweep folder."""

from __future__ import annotations

from pathlib import Path

import click

from sim.cli.common import OneLineCommand, fail, friendly_errors


@click.command("report", cls=OneLineCommand)
@click.argument("run_dir", metavar="RUN_DIR", type=click.Path(file_okay=False))
@click.option(
    "--out",
    "out_file",
    type=click.Path(dir_okay=False),
    help="The HTML file to write [default: RUN_DIR/report.html].",
)
@friendly_errors
def command(run_dir: str, out_file: str | None) -> None:
    """Write an HTML report of RUN_DIR, a folder written by `helpline run`, `helpline compare
    --out` or `helpline sweep --out`: figures with their confidence intervals, charts as inline
    SVG, the scenario's assumptions. Readable on a phone, printable, nothing fetched.
    """
    folder = Path(run_dir)
    if not folder.is_dir():
        fail(f"RUN_DIR: must be an output folder of helpline run, compare or sweep; got {run_dir}")
    from sim.metrics import SHOWN
    from sim.report.format import format_diff, format_value
    from sim.report.html_report import Formats, report
    from sim.report.output import staged

    sections = {title: list(names) for title, names in SHOWN.items()}
    kind, page = report(folder, sections, Formats(format_value, format_diff))
    out = Path(out_file) if out_file else folder / "report.html"
    with staged(out.parent if str(out.parent) else ".") as stage:
        (stage / out.name).write_text(page, encoding="utf-8")
    click.echo(f"Report of the {kind} in {folder}: {out} ({out.stat().st_size / 1e6:.2f} MB)")
