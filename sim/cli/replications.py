"""``helpline replications``: how many replications reach a target CI half-width."""

from __future__ import annotations

import json

import click

from sim.cli.sweep import base_scenario, executor_options, experiment_errors, fmt, plain
from sim.experiment import replications_needed
from sim.metrics import METRICS


@click.command("replications")
@click.argument("scenario_file", metavar="SCENARIO.toml")
@click.option("--metric", default="asa_s", show_default=True, help="Metric to pin down.")
@click.option(
    "--precision",
    type=float,
    default=0.05,
    show_default=True,
    help="Target 95% CI half-width relative to the mean (0.05 = +/-5%).",
)
@click.option("--pilot", type=int, default=5, show_default=True, help="Pilot replications.")
@click.option("--max", "max_reps", type=int, default=200, show_default=True, help="Upper limit.")
@click.option("--seed", type=int, help="Override horizon.seed.")
@click.option(
    "--set",
    "set_opts",
    multiple=True,
    metavar="KEY=VALUE",
    help="A fixed override of the scenario (e.g. horizon.days=7); repeatable.",
)
@executor_options
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON.")
@experiment_errors
def command(
    scenario_file: str,
    metric: str,
    precision: float,
    pilot: int,
    max_reps: int,
    seed: int | None,
    set_opts: tuple[str, ...],
    executor: str | None,
    workers: int | None,
    scheduler: str | None,
    as_json: bool,
) -> None:
    """Plan replications: run a pilot, then n = ceil((t * s / (precision * mean))^2).

    t is the Student-t quantile for n - 1 degrees of freedom, re-read as n
    changes; the answer is the smallest n that satisfies the formula.
    """
    sc = base_scenario(scenario_file, set_opts, seed)
    plan = replications_needed(
        sc,
        metric,
        precision,
        pilot=pilot,
        max_replications=max_reps,
        executor=executor,
        workers=workers,
        scheduler=scheduler,
        progress=not as_json,
    )
    if as_json:
        doc = {
            "scenario": sc.name,
            "metric": plan.metric,
            "unit": METRICS[metric][0],
            "precision": plan.precision,
            "confidence": plan.confidence,
            "pilot": plan.pilot,
            "pilot_mean": plain(plan.mean),
            "pilot_sd": plain(plan.sd),
            "pilot_half_width_rel": plain(plan.pilot_half_width_rel),
            "needed": plan.needed,
            "max": plan.max_replications,
            "within_max": plan.within_max,
            "pilot_values": [plain(v) for v in plan.values],
        }
        click.echo(json.dumps(doc, indent=2))
        return
    unit = METRICS[metric][0]
    shown_unit = "" if unit == "share" else f" {unit}"
    click.echo(
        f"Pilot of {sc.name}: {plan.pilot} replications of {sc.horizon.days:g} days, seed "
        f"{sc.horizon.seed}\n"
        f"  {metric}: mean {fmt(plan.mean, unit)}{shown_unit}, "
        f"sd {fmt(plan.sd, unit)}{shown_unit}, "
        f"95% CI half-width {plan.pilot_half_width_rel:.1%} of the mean"
    )
    target = f"+/-{plan.precision:.1%}"
    if plan.pilot_enough:
        click.echo(f"The pilot already reaches {target}: {plan.needed} replications suffice.")
    elif plan.within_max:
        click.echo(
            f"Replications needed for {target}: {plan.needed} "
            f"(the pilot's {plan.pilot} included; e.g. helpline run ... --replications "
            f"{plan.needed})"
        )
    else:
        click.echo(
            f"Replications needed for {target}: {plan.needed}, more than --max "
            f"{plan.max_replications}; loosen --precision, lengthen horizon.days, or raise --max"
        )
