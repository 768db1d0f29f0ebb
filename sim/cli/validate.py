"""``helpline validate``: the simulator against Erlang B, C, A and against Ciw.

One row per validation case and metric: the formula's value (or Ciw's mean), the simulated mean
and its 99% interval, and the verdict. Exit code 0 if every row agrees, 1 if any disagrees, 2 on
bad input. The statistics live in :mod:`sim.verify.exact`; this module only runs and formats.
"""

from __future__ import annotations

import json
import math
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import click
import pandas as pd

from sim.cli.common import OneLineCommand, execution, fail, friendly_errors, workers_option
from sim.metrics import METRICS
from sim.report.format import format_value
from sim.report.jsonvalues import json_records
from sim.verify import exact as validation

EXIT_DISAGREE = 1


def _fmt(value: float, metric: str) -> str:
    """A figure in the metric's unit, shares to two decimals of a percent (the CIs are narrow)."""
    unit = METRICS[metric][0]
    return format_value(value, unit, share_decimals=2, with_unit=unit == "s")


def render(table: pd.DataFrame, title: str) -> str:
    """The human table: one line per row of ``table`` (see sim.verify.exact.COLUMNS)."""
    head = ("case", "model", "metric", "reference", "simulated", "99% CI", "+/-%", "verdict")
    rows = [head]
    for r in table.itertuples():
        ci = f"[{_fmt(r.ci_lo, r.metric)}, {_fmt(r.ci_hi, r.metric)}]"
        rel = "" if math.isnan(r.rel_half_width) else f"{100 * r.rel_half_width:.1f}"
        rows.append(
            (
                r.case,
                r.model,
                r.metric,
                _fmt(r.formula, r.metric),
                _fmt(r.sim_mean, r.metric),
                ci,
                rel,
                "agree" if r.agree else "DISAGREE",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    right = {3, 4, 6}

    def line(row: tuple[str, ...]) -> str:
        cells = [
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        return "  ".join(cells).rstrip()

    k = len(table)
    bad = table[~table["agree"]]
    out = [title, "", line(head), *(line(row) for row in rows[1:]), ""]
    out += textwrap.wrap(
        f"{k} comparisons. A row agrees when the reference lies in the (1 - "
        f"{validation.FAMILY_ALPHA:g}/{k}) interval of simulated minus reference (Bonferroni: the "
        f"chance of any false alarm in the family is at most {validation.FAMILY_ALPHA:.0%}). "
        "Reference: the formula, or Ciw's mean over its own replications. +/-%: half-width of "
        "the 99% CI relative to the reference.",
        width=100,
    )
    if bad.empty:
        out.append(f"All {k} agree.")
    else:
        names = ", ".join(f"{r.case}/{r.metric}" for r in bad.itertuples())
        out.append(f"{len(bad)} of {k} DISAGREE: {names}")
    return "\n".join(out)


def as_document(table: pd.DataFrame, quick_mode: bool, elapsed_s: float) -> dict[str, Any]:
    """The ``--json`` document: the decision rule and every row."""
    rows = json_records(table.to_dict(orient="records"))
    return {
        "quick": quick_mode,
        "ci_level": validation.CI_LEVEL,
        "family_alpha": validation.FAMILY_ALPHA,
        "comparisons": len(table),
        "disagree": int((~table["agree"]).sum()),
        "elapsed_s": round(elapsed_s, 3),
        "rows": rows,
    }


@click.command("validate", cls=OneLineCommand)
@click.option(
    "--quick",
    "quick_mode",
    is_flag=True,
    help=f"{validation.QUICK_REPLICATIONS} replications per case and "
    f"{validation.QUICK_WINDOW_FRACTION:.0%} of each measured window (under a minute on 2 cores).",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@click.option(
    "--cases",
    "cases_dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Folder of validation scenarios [default: sim/verify/cases].",
)
@click.option("--no-ciw", is_flag=True, help="Skip the cross-check against Ciw.")
@workers_option
@friendly_errors
def command(
    quick_mode: bool, as_json: bool, cases_dir: str | None, no_ciw: bool, workers: int | None
) -> None:
    """Compare the simulator with Erlang B, C and A (and with Ciw) on sim/verify/cases.

    Exit code 1 if any comparison disagrees.
    """
    how = execution(workers=workers)
    folder = Path(cases_dir) if cases_dir else validation.CASES_DIR
    if not folder.is_dir():
        fail(f"--cases: must be an existing folder of validation scenarios; got {str(folder)!r}")
    started = time.perf_counter()
    table = validation.validate(
        quick_mode=quick_mode, cases_dir=folder, include_ciw=not no_ciw, execution=how
    )
    elapsed = time.perf_counter() - started
    if as_json:
        click.echo(json.dumps(as_document(table, quick_mode, elapsed), indent=2))
    else:
        mode = (
            f"quick: {validation.QUICK_REPLICATIONS} replications per case, "
            f"{validation.QUICK_WINDOW_FRACTION:.0%} of each window"
            if quick_mode
            else "each case's horizon and replications"
        )
        click.echo(render(table, f"Validation against queueing theory ({mode}; {elapsed:.0f} s)"))
    if not table["agree"].all():
        sys.exit(EXIT_DISAGREE)
