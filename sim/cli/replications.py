"""``helpline replications``: how many replications reach a target CI half-width (and, with
``--run``, run them).
"""

from __future__ import annotations

import json

import click

from sim.cli.common import (
    OneLineCommand,
    execution,
    executor_options,
    friendly_errors,
    scenario_from,
)
from sim.errors import ScenarioError
from sim.executors import Execution
from sim.experiment import replicate_to_precision, replications_needed
from sim.experiment.precision import MOST_NEEDED
from sim.experiment.sweep import check_replications
from sim.metrics import METRICS
from sim.report.format import format_interval, format_value
from sim.report.jsonvalues import json_value
from sim.scenario import Scenario


@click.command("replications", cls=OneLineCommand)
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
@click.option(
    "--run",
    "run_them",
    is_flag=True,
    help="Go on: run replications until the precision (or --max) is reached, re-planning as "
    "they come in, and report the estimate.",
)
@executor_options
@click.option("--json", "as_json", is_flag=True, help="Print the plan (and the run) as JSON.")
@friendly_errors
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
    run_them: bool,
    as_json: bool,
) -> None:
    """Plan replications: run a pilot, then n = ceil((t * s / (precision * mean))^2).

    t is the Student-t quantile for n - 1 degrees of freedom, re-read as n
    changes; the answer is the smallest n that satisfies the formula.
    """
    sc = scenario_from(scenario_file, set_opts, seed=seed)
    how = execution(executor=executor, workers=workers, scheduler=scheduler, progress=not as_json)
    if run_them:
        _run(sc, metric, precision, pilot, max_reps, how, as_json)
        return
    plan = replications_needed(
        sc,
        metric,
        precision,
        pilot=pilot,
        max_replications=max_reps,
        execution=how,
    )
    if as_json:
        doc = {
            "scenario": sc.name,
            "metric": plan.metric,
            "unit": METRICS[metric][0],
            "precision": plan.precision,
            "confidence": plan.confidence,
            "pilot": plan.pilot,
            "pilot_mean": json_value(plan.mean),
            "pilot_sd": json_value(plan.sd),
            "pilot_half_width_rel": json_value(plan.pilot_half_width_rel),
            "needed": plan.needed,
            "max": plan.max_replications,
            "within_max": plan.within_max,
            "pilot_values": [json_value(v) for v in plan.values],
        }
        click.echo(json.dumps(doc, indent=2))
        return
    unit = METRICS[metric][0]
    shown_unit = "" if unit == "share" else f" {unit}"
    click.echo(
        f"Pilot of {sc.name}: {plan.pilot} replications of {sc.horizon.days:g} days, seed "
        f"{sc.horizon.seed}\n"
        f"  {metric}: mean {format_value(plan.mean, unit)}{shown_unit}, "
        f"sd {format_value(plan.sd, unit)}{shown_unit}, "
        f"95% CI half-width {plan.pilot_half_width_rel:.1%} of the mean"
    )
    target = f"+/-{plan.precision:.1%}"
    if plan.pilot_enough:
        click.echo(f"The pilot already reaches {target}: {plan.needed} replications suffice.")
    elif plan.within_max:
        try:  # the advice must run: the count within the scenario's [limits]
            check_replications(plan.needed, sc)
            how_to = f"e.g. helpline run ... --replications {plan.needed}"
        except ScenarioError:
            how_to = "more than the scenario's limits.replications: raise it in [limits] first"
        click.echo(
            f"Replications needed for {target}: {plan.needed} "
            f"(the pilot's {plan.pilot} included; {how_to})"
        )
    else:
        at_least = "at least " if plan.needed >= MOST_NEEDED else ""
        click.echo(
            f"Replications needed for {target}: {at_least}{plan.needed:,}, more than --max "
            f"{plan.max_replications}; loosen --precision, lengthen horizon.days, or raise --max"
        )


def _run(
    sc: Scenario,
    metric: str,
    precision: float,
    pilot: int,
    max_reps: int,
    how: Execution,
    as_json: bool,
) -> None:
    """``--run``: replicate to the precision and report the estimate reached."""
    res = replicate_to_precision(
        sc,
        metric,
        precision,
        pilot=pilot,
        max_replications=max_reps,
        execution=how,
    )
    unit = METRICS[metric][0]
    if as_json:
        doc = {
            "scenario": sc.name,
            "metric": metric,
            "unit": unit,
            "precision": res.precision,
            "confidence": res.confidence,
            "replications": res.replications,
            "steps": list(res.steps),
            "mean": json_value(res.mean),
            "ci95": [json_value(res.ci_lo), json_value(res.ci_hi)],
            "half_width_rel": json_value(res.half_width_rel),
            "reached": res.reached,
            "max": res.max_replications,
            "values": [json_value(v) for v in res.values],
        }
        click.echo(json.dumps(doc, indent=2))
        return
    shown_unit = "" if unit == "share" else f" {unit}"
    steps = " -> ".join(str(n) for n in res.steps)
    verdict = (
        "reached"
        if res.reached
        else f"not reached at --max {res.max_replications}; loosen --precision, lengthen "
        "horizon.days, or raise --max"
    )
    click.echo(
        f"{sc.name}: {res.replications} replications of {sc.horizon.days:g} days, seed "
        f"{sc.horizon.seed} (run in steps: {steps})\n"
        f"  {metric}: mean {format_value(res.mean, unit)}{shown_unit}, 95% CI "
        f"{format_interval(res.ci_lo, res.ci_hi, unit)}{shown_unit} "
        f"(+/-{res.half_width_rel:.1%} of the mean)\n"
        f"Target +/-{res.precision:.1%}: {verdict}"
    )
