"""``helpline run``: simulate a scenario, print a summary, write tables and charts.

The runner does the work and returns :class:`sim.runner.Results`; this module
parses the options, prints the metrics :data:`sim.metrics.SHOWN` declares and
writes the files.
"""

from __future__ import annotations

import json
from pathlib import Path

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
from sim.errors import ExperimentError
from sim.experiment.precision import wide_interval_warning, wide_intervals
from sim.metrics import METRICS, SHOWN, shown_metrics
from sim.report.format import format_interval, format_value
from sim.report.output import (
    output_lock,
    replaced_folder,
    summary_json,
    write_json,
    write_table,
)
from sim.report.provenance import RESOLVED_NAME, provenance, resolved_toml, stamp
from sim.report.targets_text import against_targets, profile_document
from sim.runner import ALL_TABLES, Results, run_replications


def replication_range(text: str) -> list[int]:
    """``--replication``: ``"I"`` or ``"I..J"`` (both included) as a list of numbers."""
    parts = text.strip().split("..")
    try:
        if len(parts) > 2:
            raise ValueError
        first, last = int(parts[0]), int(parts[-1])
    except ValueError:
        raise ExperimentError(
            f"must be a replication number I or a range I..J (both included); got {text!r}",
            "only",
        ) from None
    if first > last:
        raise ExperimentError(f"must be I or I..J with I <= J; got {text!r}", "only")
    return list(range(first, last + 1))


def render_summary(
    summary: pd.DataFrame, name: str, replications: int, days: float, warmup: float
) -> str:
    """The human summary: one line per shown metric, value, 95% CI when R > 1, unit.

    A section none of whose metrics has a value (an option the scenario leaves off) is left
    out rather than printed as a column of n/a.
    """
    rows = summary.set_index("metric")
    lines = [
        f"Scenario {name}: {replications} replication(s) of {days:g} days "
        f"(first {warmup:g} day(s) cut as warm-up)"
    ]
    for title, names in SHOWN.items():
        if all(pd.isna(rows.loc[m, "mean"]) for m in names):
            continue  # a part the scenario leaves off (deferred work, the portal step)
        lines.append(f"\n{title}")
        for m in names:
            r = rows.loc[m]
            unit = METRICS[m][0]
            shown_unit = "" if unit == "share" else unit
            ci = ""
            if replications > 1 and not pd.isna(r.ci95_lo):
                ci = f"  (95% CI {format_interval(r.ci95_lo, r.ci95_hi, unit)})"
            lines.append(f"  {m:<26} {format_value(r['mean'], unit):>12} {shown_unit:<12}{ci}")
    return "\n".join(lines)


def summary_document(results: Results, extra: dict[str, object] | None = None) -> dict:
    """summary.json (and ``--json``): every metric's mean and CI, and the attainment profile."""
    sc = results.scenario
    doc = {
        **provenance(sc).as_dict(),
        **summary_json(sc.name, results.replications, results.summary, extra),
    }
    stated = sc.targets.stated
    doc["attainment_profile"] = (
        profile_document(results.table("targets_by_interval")) if stated else []
    )
    return doc


def write_results(results: Results, out: Path, extra: dict[str, object]) -> None:
    """Tables, summary.json and the charts into ``out``, all appearing at once.

    Call it holding :func:`~sim.report.output.output_lock`: the folder is built beside
    ``out`` and swapped in whole (:func:`~sim.report.output.replaced_folder`).
    """
    draw_to_files()
    from sim.report import charts as plots  # matplotlib loads here, after the run

    sc = results.scenario
    prov = provenance(sc)
    with replaced_folder(out) as stage:
        for name, table in results.tables.items():
            write_table(stamp(table, prov), stage / f"{name}.parquet")
        write_table(stamp(results.per_replication, prov), stage / "replications.parquet")
        write_table(stamp(results.summary, prov, seed=sc.horizon.seed), stage / "summary.parquet")
        write_json(summary_document(results, extra), stage / "summary.json")
        (stage / RESOLVED_NAME).write_text(resolved_toml(sc, prov), encoding="utf-8")
        attempts, callers = results.attempts, results.callers
        plots.save(
            plots.load_vs_capacity(attempts, results.intervals, sc), str(stage / "load_by_hour.png")
        )
        plots.save(plots.wait_distribution(attempts, sc), str(stage / "wait_distribution.png"))
        plots.save(
            plots.reporting_delay_distribution(callers, sc), str(stage / "reporting_delay.png")
        )


@click.command("run", cls=OneLineCommand)
@click.argument("scenario_file", metavar="SCENARIO.toml")
@click.option("--days", type=float, help="Override horizon.days.")
@click.option("--replications", "-r", type=int, help="Override horizon.replications.")
@click.option("--seed", type=int, help="Override horizon.seed.")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    help="Folder for tables, summary.json and charts [default: out/<scenario name>].",
)
@click.option(
    "--replication",
    "only",
    metavar="I or I..J",
    help="Run only replication I, or I to J (both included); their rows equal a full run's.",
)
@workers_option
@click.option("--json", "as_json", is_flag=True, help="Print only the summary as JSON.")
@friendly_errors
def command(
    scenario_file: str,
    days: float | None,
    replications: int | None,
    seed: int | None,
    out_dir: str | None,
    only: str | None,
    workers: int | None,
    as_json: bool,
) -> None:
    """Simulate SCENARIO.toml and report wait times and reporting delay."""
    sc = scenario_from(scenario_file, days=days, replications=replications, seed=seed)
    how = execution(workers=workers)
    out = Path(out_dir) if out_dir else Path("out") / sc.name
    with output_lock(out):  # one run at a time into a folder; it appears whole or not at all
        numbers = None if only is None else replication_range(only)
        results = run_replications(sc, execution=how, tables=ALL_TABLES, only=numbers)
        h = sc.horizon
        extra = {
            "scenario_file": str(scenario_file),
            "seed": h.seed,
            "days": h.days,
            "warmup_days": h.warmup_days,
            "replications_run": results.per_replication["replication"].tolist(),
            "elapsed_s": results.elapsed_s,
        }
        write_results(results, out, extra)
    if as_json:
        click.echo(json.dumps(summary_document(results), indent=2))
        return
    reps = results.replications
    click.echo(render_summary(results.summary, sc.name, reps, h.days, h.warmup_days))
    means = dict(zip(results.summary["metric"], results.summary["mean"], strict=True))
    by_interval = results.table("targets_by_interval")
    click.echo("\n" + "\n".join(against_targets(sc, means, by_interval)))
    shown = shown_metrics()
    shares = [m for m in shown if METRICS[m][0] == "share"]
    per_rep = results.per_replication
    wide = wide_intervals({m: per_rep[m].to_numpy() for m in shown}, shares=shares)
    warning = wide_interval_warning(wide, reps, str(scenario_file))
    if warning:
        click.echo("\n" + "\n".join(warning))
    click.echo(f"\nTables, summary.json and charts in {out}/ ({results.elapsed_s:.1f} s)")
