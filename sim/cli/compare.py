"""``helpline compare``: scenarios side by side, differences with paired 95% CIs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import click
import pandas as pd

from sim.cli.common import (
    OneLineCommand,
    execution,
    executor_options,
    fail,
    friendly_errors,
    scenario_from,
)
from sim.experiment import compare as run_compare
from sim.experiment.sweep import check_metric
from sim.metrics import SHOWN, shown_metrics
from sim.report.format import format_diff, format_interval, format_value
from sim.report.jsonvalues import json_value
from sim.report.provenance import group_document, stamp_by


def fmt_ci(lo: float, hi: float, unit: str) -> str:
    """A difference's interval as ``[lo, hi]``, both signed."""
    text = format_interval(lo, hi, unit, diff=True, sep=", ")
    return text if text == "n/a" else f"[{text}]"


def render(table: pd.DataFrame, metrics: list[str]) -> str:
    """The side-by-side text: means per scenario, then each difference to the reference.

    A ``*`` marks a difference whose paired 95% CI excludes zero.
    """
    names: list[str] = table.attrs["scenarios"]
    ref = names[0]
    others = names[1:]
    head = ["metric", "unit", *names]
    for o in others:
        head += [f"{o} - {ref}", "paired 95% CI", "unpaired 95% CI"]
    body: list[list[str]] = []
    groups = {title: [m for m in ms if m in metrics] for title, ms in SHOWN.items()}
    listed = {m for ms in groups.values() for m in ms}
    extra = [m for m in metrics if m not in listed]
    if extra:
        groups["Other"] = extra
    by = table.set_index(["metric", "scenario"])
    for title, ms in groups.items():
        if not ms:
            continue
        body.append([title] + [""] * (len(head) - 1))
        for m in ms:
            unit = by.loc[(m, ref), "unit"]
            row = [f"  {m}", "" if unit == "share" else unit]
            row += [format_value(by.loc[(m, n), "mean"], unit) for n in names]
            for o in others:
                r = by.loc[(m, o)]
                sig = (
                    "*"
                    if not pd.isna(r["diff_ci95_lo"])
                    and (r["diff_ci95_lo"] > 0 or r["diff_ci95_hi"] < 0)
                    else " "
                )
                row += [
                    format_diff(r["diff"], unit) + sig,
                    fmt_ci(r["diff_ci95_lo"], r["diff_ci95_hi"], unit),
                    fmt_ci(r["unpaired_ci95_lo"], r["unpaired_ci95_hi"], unit),
                ]
            body.append(row)
    widths = [max(len(r[i]) for r in (head, *body)) for i in range(len(head))]
    lines = []
    for row in (head, *body):
        cells = [
            c.ljust(w) if i < 2 else c.rjust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def to_json(table: pd.DataFrame) -> dict:
    """The ``--json`` document: every metric, each scenario's mean and CI, each difference;
    first the provenance of the comparison and of each scenario (docs/results.md).
    """
    names = table.attrs["scenarios"]
    provs = table.attrs.get("provenance")
    doc: dict = {
        **(group_document([provs[n] for n in names]) if provs else {}),
        "reference": table.attrs["reference"],
        "scenarios": names,
        "seed": table.attrs["seed"],
        "replications": table.attrs["replications"],
        "metrics": {},
    }
    for m, g in table.groupby("metric", sort=False):
        entry: dict = {"unit": g["unit"].iloc[0], "scenarios": {}, "differences": {}}
        for _, r in g.iterrows():
            entry["scenarios"][r["scenario"]] = {
                "mean": json_value(r["mean"]),
                "ci95": [json_value(r["ci95_lo"]), json_value(r["ci95_hi"])],
                "n": json_value(r["n"]),
            }
            if r["scenario"] != doc["reference"]:
                entry["differences"][r["scenario"]] = {
                    "diff": json_value(r["diff"]),
                    "paired_ci95": [json_value(r["diff_ci95_lo"]), json_value(r["diff_ci95_hi"])],
                    "unpaired_ci95": [
                        json_value(r["unpaired_ci95_lo"]),
                        json_value(r["unpaired_ci95_hi"]),
                    ],
                    "n_pairs": json_value(r["n_pairs"]),
                }
        doc["metrics"][m] = entry
    return doc


def write_resolved(texts: dict[str, str], folder: Path) -> None:
    """Each scenario as run, ``NN_NAME.resolved.toml`` in the compare's order (reference first).

    ``helpline compare folder/*.toml`` (the shell sorts them) with the same replications
    reproduces the folder's tables.
    """
    folder.mkdir()
    for i, (name, text) in enumerate(texts.items(), start=1):
        safe = re.sub(r"[^A-Za-z0-9_.=-]+", "_", name)
        (folder / f"{i:02d}_{safe}.resolved.toml").write_text(text, encoding="utf-8")


@click.command("compare", cls=OneLineCommand)
@click.argument("scenario_files", nargs=-1, required=True, metavar="A.toml B.toml [...]")
@click.option("--replications", "-r", type=int, help="Per scenario [default: the first file's].")
@click.option("--seed", type=int, help="Seed for every scenario [default: the first file's].")
@click.option(
    "--set",
    "set_opts",
    multiple=True,
    metavar="KEY=VALUE",
    help="An override applied to every scenario (e.g. horizon.days=7); repeatable.",
)
@click.option(
    "--metric",
    "metric_opts",
    multiple=True,
    help="Show only these metrics (repeatable) [default: the summary of 'helpline run'].",
)
@executor_options
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    help="Also write compare.json and compare.parquet here (for helpline report).",
)
@click.option("--json", "as_json", is_flag=True, help="Print every metric as JSON.")
@friendly_errors
def command(
    scenario_files: tuple[str, ...],
    replications: int | None,
    seed: int | None,
    set_opts: tuple[str, ...],
    metric_opts: tuple[str, ...],
    executor: str | None,
    workers: int | None,
    scheduler: str | None,
    out_dir: str | None,
    as_json: bool,
) -> None:
    """Compare scenarios under common random numbers, each against the first.

    Replication i of every scenario uses the same seed and random streams, so
    the paired 95% CI of a difference is usually far narrower than the
    unpaired one (shown beside it). A * marks differences whose paired CI
    excludes zero.
    """
    if len(scenario_files) < 2:
        fail(f"compare needs at least two scenario files; got {len(scenario_files)}")
    metrics = [check_metric(m) for m in metric_opts]
    how = execution(executor=executor, workers=workers, scheduler=scheduler, progress=not as_json)
    scs = [scenario_from(f, set_opts, seed=seed, name_variant=True) for f in scenario_files]
    table = run_compare(scs, replications, execution=how)
    if out_dir:
        from sim.report.output import staged, write_json, write_table

        with staged(out_dir) as stage:
            write_json(to_json(table), stage / "compare.json")
            provs = table.attrs["provenance"]
            write_table(stamp_by(pd.DataFrame(table), "scenario", provs), stage / "compare.parquet")
            write_resolved(table.attrs["resolved_toml"], stage / "scenarios")
    if as_json:
        click.echo(json.dumps(to_json(table), indent=2))
        return
    shown = metrics or shown_metrics()
    a = table.attrs
    click.echo(
        f"{len(a['scenarios'])} scenarios, {a['replications']} replication(s) each, common seed "
        f"{a['seed']}; differences are against {a['reference']} (paired by replication)\n"
    )
    click.echo(render(table, shown))
