"""``helpline run``: simulate a scenario, print a summary, write tables and charts."""

from __future__ import annotations

import json
import time
from pathlib import Path

import click
import pandas as pd
from tqdm import tqdm

from sim.cli.common import fail, friendly_errors, overrides
from sim.errors import ScenarioError
from sim.experiment.precision import wide_interval_warning, wide_intervals
from sim.metrics import METRICS
from sim.report.output import staged, summary_json, write_json, write_table
from sim.report.targets_text import against_targets, profile_document
from sim.runner import DERIVED_TABLES, TABLES, per_replication, run_replications, summary_table
from sim.scenario import load_scenario

SECTIONS = {
    "Demand": ["callers", "callers_per_day", "attempts", "attempts_per_caller"],
    "Access": [
        "answered",
        "abandoned",
        "blocked",
        "gave_up",
        "still_trying",
        "service_level",
        "service_level_offered",
        "asa_s",
        "wait_mean_s",
        "wait_p90_s",
        "abandon_rate",
        "block_rate",
        "gave_up_rate",
    ],
    "Capacity": [
        "call_takers_present_mean",
        "call_takers_on_duty_mean",
        "call_takers_logged_in_mean",
        "call_takers_on_break_mean",
        "call_takers_without_seat_mean",
        "agent_occupancy",
        "line_occupancy",
        "escalation_wait_mean_s",
        "overtime_h_per_day",
    ],
    "Reporting delay (complaints)": [
        "complaints",
        "registered",
        "not_registered_share",
        "reporting_delay_p50_min",
        "reporting_delay_p90_min",
        "victim_delay_p50_min",
        "access_delay_mean_min",
        "access_delay_p90_min",
        "handling_mean_min",
        "golden_hour_share",
        "golden_hour_ceiling",
        "money_held_share",
    ],
    "What binds": [
        "all_lines_busy_share",
        "all_seats_taken_share",
        "all_call_takers_busy_share",
        "without_seat_share",
        "all_officers_busy_share",
        "peak_lines_bind_share",
        "peak_seats_bind_share",
        "peak_people_bind_share",
    ],
    "Against targets": [
        "targets_met_interval_share",
        "targets_met_day_share",
        "worst_interval_met_share",
    ],
}


def _fmt(value: float, unit: str) -> str:
    if pd.isna(value):
        return "n/a"
    if unit == "share":
        return f"{value:.1%}"
    if unit in ("callers", "attempts") or abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:,.2f}"


def render_summary(
    summary: pd.DataFrame, name: str, replications: int, days: float, warmup: float
) -> str:
    """The human summary: one line per metric, value, 95% CI when R > 1, unit."""
    rows = summary.set_index("metric")
    lines = [
        f"Scenario {name}: {replications} replication(s) of {days:g} days "
        f"(first {warmup:g} day(s) cut as warm-up)"
    ]
    for title, names in SECTIONS.items():
        lines.append(f"\n{title}")
        for m in names:
            r = rows.loc[m]
            unit = METRICS[m][0]
            shown_unit = "" if unit == "share" else unit
            ci = ""
            if replications > 1 and not pd.isna(r.ci95_lo):
                ci = f"  (95% CI {_fmt(r.ci95_lo, unit)} to {_fmt(r.ci95_hi, unit)})"
            lines.append(f"  {m:<26} {_fmt(r['mean'], unit):>12} {shown_unit:<12}{ci}")
    return "\n".join(lines)


@click.command("run")
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
    "--workers",
    type=int,
    default=None,
    help="Processes for replications [default: all cores; 1 = serial].",
)
@click.option("--json", "as_json", is_flag=True, help="Print only the summary as JSON.")
@friendly_errors
def command(
    scenario_file: str,
    days: float | None,
    replications: int | None,
    seed: int | None,
    out_dir: str | None,
    workers: int | None,
    as_json: bool,
) -> None:
    """Simulate SCENARIO.toml and report wait times and reporting delay."""
    sc = load_scenario(scenario_file)
    changes = overrides(horizon__days=days, horizon__replications=replications, horizon__seed=seed)
    if changes:
        try:
            sc = sc.with_changes(changes)
        except ScenarioError as exc:  # the value came from the command line, not the file
            option = f"--{exc.key.split('.')[-1]}" if exc.key in changes else None
            raise ScenarioError(exc.key, exc.allowed, exc.got, exc.file, option) from None
    if workers is not None and workers < 1:
        fail(f"--workers: must be a whole number >= 1; got {workers}")
    reps = sc.horizon.replications
    out = Path(out_dir) if out_dir else Path("out") / sc.name
    started = time.perf_counter()
    with tqdm(
        total=reps, desc=f"{sc.name}", unit="rep", delay=2.0, leave=False, disable=None
    ) as bar:
        results = run_replications(
            sc,
            reps,
            workers=workers,
            tables=(*TABLES, *DERIVED_TABLES),
            progress=lambda k: bar.update(round(k - bar.n, 6)),
        )
    elapsed = time.perf_counter() - started
    per_rep = per_replication(results, sc)
    summary = summary_table(results, sc)
    doc = summary_json(sc.name, reps, summary)
    by_interval = pd.concat([r.tables["targets_by_interval"] for r in results], ignore_index=True)
    doc["attainment_profile"] = profile_document(by_interval) if sc.targets.stated else []
    # matplotlib loads here, not before a bad scenario is reported
    from sim.report import charts as plots

    with staged(out) as stage:
        for name in (*TABLES, *DERIVED_TABLES):
            write_table(
                pd.concat([r.tables[name] for r in results], ignore_index=True),
                stage / f"{name}.parquet",
            )
        write_table(per_rep, stage / "replications.parquet")
        write_table(summary, stage / "summary.parquet")
        write_json(
            {
                **doc,
                "scenario_file": str(scenario_file),
                "seed": sc.horizon.seed,
                "days": sc.horizon.days,
                "warmup_days": sc.horizon.warmup_days,
                "elapsed_s": round(elapsed, 3),
            },
            stage / "summary.json",
        )
        attempts = pd.concat([r.tables["attempts"] for r in results], ignore_index=True)
        callers = pd.concat([r.tables["callers"] for r in results], ignore_index=True)
        intervals = pd.concat([r.tables["intervals"] for r in results], ignore_index=True)
        plots.save(plots.load_vs_capacity(attempts, intervals, sc), str(stage / "load_by_hour.png"))
        plots.save(plots.wait_distribution(attempts, sc), str(stage / "wait_distribution.png"))
        plots.save(
            plots.reporting_delay_distribution(callers, sc), str(stage / "reporting_delay.png")
        )
    if as_json:
        click.echo(json.dumps(doc, indent=2))
        return
    click.echo(render_summary(summary, sc.name, reps, sc.horizon.days, sc.horizon.warmup_days))
    means = dict(zip(summary["metric"], summary["mean"], strict=True))
    click.echo("\n" + "\n".join(against_targets(sc, means, by_interval)))
    shown = [m for names in SECTIONS.values() for m in names]
    shares = [m for m in shown if METRICS[m][0] == "share"]
    wide = wide_intervals({m: per_rep[m].to_numpy() for m in shown}, shares=shares)
    warning = wide_interval_warning(wide, reps, str(scenario_file))
    if warning:
        click.echo("\n" + "\n".join(warning))
    click.echo(f"\nTables, summary.json and charts in {out}/ ({elapsed:.1f} s)")
