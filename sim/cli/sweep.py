"""``helpline sweep``: a grid of scenario variants x replications, resumable, on any executor."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
import pandas as pd

from sim.cli.common import (
    OneLineCommand,
    draw_to_files,
    execution,
    executor_options,
    fail,
    friendly_errors,
    scenario_from,
)
from sim.cli.options import parse_vary, read_points_csv
from sim.experiment import sweep as run_sweep
from sim.experiment.grid import label
from sim.experiment.store import RUNS
from sim.experiment.sweep import DEFAULT_METRIC, check_metric
from sim.metrics import METRICS
from sim.report.format import format_interval, format_value
from sim.report.jsonvalues import json_value


def render_points(summary: pd.DataFrame, keys: list[str], metric: str) -> str:
    """One line per point: the varied values, the metric's mean and 95% CI."""
    unit = METRICS[metric][0]
    rows = summary[summary["metric"] == metric].sort_values("point")
    head = ["point", *keys, f"{metric} ({unit})", "95% CI"]
    body = [
        [
            str(r["point"]),
            *(label(r[k]) for k in keys),
            format_value(r["mean"], unit),
            format_interval(r["ci95_lo"], r["ci95_hi"], unit),
        ]
        for _, r in rows.iterrows()
    ]
    widths = [max(len(x) for x in col) for col in zip(head, *body, strict=True)]
    return "\n".join(
        "  ".join(
            cell.rjust(w) if i else cell.ljust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        )
        for row in (head, *body)
    )


@click.command("sweep", cls=OneLineCommand)
@click.argument("scenario_file", metavar="SCENARIO.toml")
@click.option(
    "--vary",
    "vary_opts",
    multiple=True,
    metavar="KEY=V1,V2,...",
    help="A scenario key and its values (TOML literals); repeat for a full grid.",
)
@click.option(
    "--points",
    "points_file",
    type=click.Path(dir_okay=False),
    help="CSV of points instead of --vary: a header of keys, one point per row.",
)
@click.option(
    "--set",
    "set_opts",
    multiple=True,
    metavar="KEY=VALUE",
    help="A fixed override of the base scenario (e.g. horizon.days=7); repeatable.",
)
@click.option("--replications", "-r", type=int, help="Per point [default: horizon.replications].")
@click.option("--seed", type=int, help="Override horizon.seed (the same for every point).")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    help="Sweep folder; rerunning into it resumes [default: out/sweep-<scenario name>].",
)
@executor_options
@click.option(
    "--metric",
    default=DEFAULT_METRIC,
    show_default=True,
    help="Metric shown and charted against the varied keys.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@friendly_errors
def command(
    scenario_file: str,
    vary_opts: tuple[str, ...],
    points_file: str | None,
    set_opts: tuple[str, ...],
    replications: int | None,
    seed: int | None,
    out_dir: str | None,
    executor: str | None,
    workers: int | None,
    scheduler: str | None,
    metric: str,
    as_json: bool,
) -> None:
    r"""Run SCENARIO.toml at every point of a grid, each for R replications.

    Every finished run is saved in the --out folder as it finishes: rerun the
    same command to resume after an interruption, or with a larger
    --replications to add replications to a finished sweep.

    \b
    Example:
      helpline sweep scenarios/baseline_2023.toml \\
        --vary lines.count=30,45,unlimited --vary arrivals.callers_per_day=1500,3000 \\
        --replications 10 --out out/lines --metric block_rate
    """
    check_metric(metric)
    if vary_opts and points_file:
        fail("give either --vary or --points, not both")
    if not vary_opts and not points_file:
        fail("nothing to sweep: give --vary KEY=V1,V2,... or --points FILE")
    vary = parse_vary(vary_opts) if vary_opts else None
    points = read_points_csv(points_file) if points_file else None
    base = scenario_from(scenario_file, set_opts, seed=seed)
    how = execution(executor=executor, workers=workers, scheduler=scheduler, progress=not as_json)
    out = Path(out_dir) if out_dir else Path("out") / f"sweep-{base.name}"
    draw_to_files()
    try:
        res = run_sweep(
            base,
            vary,
            points=points,
            replications=replications,
            execution=how,
            out_dir=out,
            metric=metric,
        )
    except KeyboardInterrupt:
        done = len(list((out / RUNS).glob("p*-r*.json"))) if (out / RUNS).is_dir() else 0
        click.echo(
            f"\ninterrupted: {done} finished runs are saved in {out / RUNS}/; "
            "rerun the same command to resume",
            err=True,
        )
        sys.exit(130)
    doc = json.loads((out / "sweep.json").read_text(encoding="utf-8"))
    if as_json:
        rows = res.summary[res.summary["metric"] == metric]
        doc["summary"] = [
            {
                "point": int(r["point"]),
                **{k: json_value(r[k]) for k in res.keys},
                "mean": json_value(r["mean"]),
                "ci95": [json_value(r["ci95_lo"]), json_value(r["ci95_hi"])],
            }
            for _, r in rows.iterrows()
        ]
        doc["metric"] = metric
        click.echo(json.dumps(doc, indent=2))
        return
    n_points = doc["points"]
    click.echo(
        f"Sweep of {base.name}: {n_points} point(s) x {doc['replications']} replication(s) = "
        f"{doc['runs_total']} runs ({res.computed} computed now, {res.reused} reused) "
        f"on {doc['executor']} in {res.elapsed_s:.1f} s\n"
    )
    click.echo(render_points(res.summary, res.keys, metric))
    click.echo(
        f"\nruns.parquet, summary.parquet, {metric}.png and sweep.json in {out}/ "
        f"(one file per run in {out / RUNS}/)"
    )
