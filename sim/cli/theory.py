"""``helpline theory``: SIPP, lagged SIPP and MOL per hour of day beside the simulation.

Prints one line per hour (service level, ASA, abandonment and blocking as each formula predicts
them and as simulated), then the reasons they differ; writes ``theory_by_hour.png`` and
``theory_by_hour.csv`` to the output folder. The numbers come from :mod:`sim.verify.theory`.
"""

from __future__ import annotations

import json
import math
import textwrap
from pathlib import Path
from typing import Any

import click
import pandas as pd

from sim.cli.common import (
    OneLineCommand,
    draw_to_files,
    execution,
    friendly_errors,
    scenario_from,
    workers_option,
)
from sim.report import charts as plots
from sim.report.jsonvalues import json_records, json_value
from sim.report.output import staged
from sim.verify.theory import HOURS, METHODS, RATES, Theory, theory

#: Printed metrics: column stem, header, scale, format.
SHOWN = (
    ("service_level", "service level %", 100.0),
    ("asa_s", "ASA s", 1.0),
    ("abandon_rate", "abandoned %", 100.0),
    ("block_rate", "blocked %", 100.0),
)


def _cell(value: Any, scale: float) -> str:
    """At most 5 characters, about 3 significant digits."""
    if value is None or pd.isna(value):
        return "-"
    x = float(value) * scale
    if math.isinf(x):
        return "inf"
    if abs(x) >= 99.95:
        return f"{x:.0f}"
    return f"{x:.1f}" if abs(x) >= 9.995 else f"{x:.2f}"


def render(th: Theory) -> str:
    """The printed table (one line per hour) and the notes."""
    t, sc = th.table, th.scenario
    shown = [s for s in SHOWN if s[0] != "block_rate" or sc.lines is not None]
    names = ("SIPP", "lag", "MOL", "sim")
    w = 5
    top = f"{'':>4} {'calls':>6} {'att.':>6} {'staff':>5}"
    sub = f"{'hour':>4} {'/h':>6} {'/h':>6} {'':>5}"
    for _, header, _ in shown:
        span = 4 * (w + 1) - 1
        top += " | " + header.center(span)
        sub += " | " + " ".join(n.rjust(w) for n in names)
    lines = [top, sub, "-" * len(sub)]
    for r in t.itertuples():
        row = f"{r.hour:>4} {r.callers_per_h:>6.0f} {r.attempts_per_h:>6.0f} {r.agents:>5d}"
        for stem, _, scale in shown:
            cells = [_cell(getattr(r, f"{m}_{stem}"), scale) for m in METHODS]
            cells.append(_cell(getattr(r, f"sim_{stem}"), scale))
            row += " | " + " ".join(c.rjust(w) for c in cells)
        lines.append(row)
    patience = "none" if math.isinf(th.patience_s) else f"{th.patience_s:.0f} s"
    head = (
        f"Scenario {sc.name}: formulas per hour of day against {th.replications} simulated "
        f"replication(s) of {sc.horizon.days:g} days.\n"
        f"Formula inputs: arrival rate = {th.rate}"
        + (" (scenario first dials)" if th.rate == "callers" else " (simulated, with redials)")
        + f"; handle {th.handle_s:.0f} s (mix mean incl. escalation and after-call work); "
        f"patience {patience} (mix mean, taken as exponential); staff = call-takers on duty in "
        f"the simulation, rounded; lines "
        + ("unlimited" if sc.lines is None else str(sc.lines))
        + "."
    )
    out = [*textwrap.wrap(head, 100), "", *lines, ""]
    if th.notes:
        out.append("Why they differ:")
        for note in th.notes:
            out += textwrap.wrap(note, 100, initial_indent="- ", subsequent_indent="  ")
    return "\n".join(out)


def as_document(th: Theory, out_dir: Path) -> dict[str, Any]:
    """The ``--json`` document: inputs, one object per hour, the notes and the files written."""
    rows = json_records(th.table.to_dict("records"))
    return {
        "scenario": th.scenario.name,
        "replications": th.replications,
        "rate": th.rate,
        "handle_s": th.handle_s,
        "patience_s": json_value(th.patience_s),
        "lines": th.scenario.lines,
        "within_s": th.scenario.targets.service_level_s,
        "hours": rows,
        "notes": th.notes,
        "files": [str(out_dir / "theory_by_hour.png"), str(out_dir / "theory_by_hour.csv")],
    }


@click.command("theory", cls=OneLineCommand)
@click.argument("scenario_file", metavar="SCENARIO.toml")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    help="Folder for theory_by_hour.png and .csv [default: out/<scenario name>].",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@click.option(
    "--rate",
    type=click.Choice(RATES),
    default="callers",
    show_default=True,
    help="Arrival rate fed to the formulas: the scenario's first dials, or the simulated "
    "attempts (redials included).",
)
@click.option("--days", type=float, help="Override horizon.days.")
@click.option("--replications", "-r", type=int, help="Override horizon.replications.")
@click.option("--seed", type=int, help="Override horizon.seed.")
@workers_option
@friendly_errors
def command(
    scenario_file: str,
    out_dir: str | None,
    as_json: bool,
    rate: str,
    days: float | None,
    replications: int | None,
    seed: int | None,
    workers: int | None,
) -> None:
    """Hour by hour: SIPP, lagged SIPP and MOL for SCENARIO.toml beside its simulation."""
    how = execution(workers=workers)
    sc = scenario_from(scenario_file, days=days, replications=replications, seed=seed)
    out = Path(out_dir) if out_dir else Path("out") / sc.name
    th = theory(sc, rate=rate, execution=how)
    assert len(th.table) == HOURS
    draw_to_files()
    with staged(out) as stage:
        th.table.to_csv(stage / "theory_by_hour.csv", index=False)
        plots.save(plots.theory_chart(th), str(stage / "theory_by_hour.png"))
    if as_json:
        click.echo(json.dumps(as_document(th, out), indent=2))
        return
    click.echo(render(th))
    click.echo(f"\nChart and table in {out}/ (theory_by_hour.png, theory_by_hour.csv)")
