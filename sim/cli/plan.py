"""``helpline plan``: staff per half hour for the targets, a shift plan, a roster, the proof.

Writes into ``--out``: ``requirements`` (per interval and method), ``shift_plan`` and
``officer_plan`` (people starting each shift), ``roster`` (one row per person per day; Parquet
and CSV), ``isa_iterations``, ``verification_intervals`` and ``verification_days`` (the plan and
the SIPP plan simulated), ``plan.toml`` (``helpline run DIR/plan.toml`` gives the same figures),
``plan.json`` and three charts; prints one screen.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
import pandas as pd

from sim.cli.common import OneLineCommand, draw_to_files, fail, friendly_errors
from sim.errors import ScenarioError
from sim.scenario import load_scenario

if TYPE_CHECKING:
    from sim.plan.isa import IsaResult
    from sim.plan.make import Plan
    from sim.plan.verify import Verification


#: Longest roster ``--weeks`` asks for: a year.
MOST_WEEKS = 52


def isa_lines(isa: IsaResult) -> list[str]:
    """The screen's ISA lines: converged or not, the half hours each iteration and trim round
    changed, and, when ISA did not settle, what to do about it.

    With few replications a half hour's simulated service level moves by several points from
    one staffing to the next, so the staffing can keep moving by one agent here and there; the
    plan is then the last iteration's, and more replications per simulation steady it.
    """
    from sim.plan.isa import ISA_PHASES

    it = isa.iterations
    trims = it[it["phase"] == "trim"]
    lone = it[it["phase"] == "alone"]
    it = it[it["phase"].isin(ISA_PHASES)]
    lines = [
        f"ISA: {'converged' if isa.converged else 'NOT converged'} after {len(it)} "
        f"iteration(s) (half hours changed: "
        f"{', '.join(str(x) for x in it['intervals_changed'])})"
        + (
            f"; trimmed in {len(trims)} round(s) (half hours changed: "
            f"{', '.join(str(x) for x in trims['intervals_changed'])})"
            if len(trims)
            else ""
        )
        + (
            f"; {int(lone['intervals_lowered'].sum())} verdict(s) of one fewer made again "
            f"alone, {int(lone['intervals_short'].sum())} then missing, "
            f"{int(lone['intervals_changed'].sum())} lowered as their lone runs held"
            if len(lone)
            else ""
        )
    ]
    if not isa.converged:
        lines.append(
            f"  the plan is the last iteration's: with {isa.replications} replications per "
            f"simulation the noise kept it moving; more replications (-r {2 * isa.replications}) "
            "steady it "
            "(docs/planning.md)"
        )
    return lines


def progress_line(row: dict[str, Any]) -> str:
    """The line printed (to stderr) as each row of ISA's iterations table is made."""
    if row["phase"] == "alone":
        return (
            f"ISA, one fewer tested alone: {row['intervals_lowered']} half hour(s), "
            f"{row['intervals_short']} then missing, {row['intervals_fewer_meets']} left "
            "where one fewer meets"
            + ("; the most over-served of them lowered" if row["kept"] else "")
        )
    head = (
        f"ISA trim round {row['iteration']}: {row['intervals_lowered']} lowered, "
        + ("kept" if row["kept"] else "not kept")
        if row["phase"] == "trim"
        else f"ISA iteration {row['iteration']}: {row['intervals_changed']} intervals changed"
    )
    return f"{head}, service level min {row['service_level_min']:.1%}"


def _screen(plan: Plan, ver: Verification, sipp_ver: Verification) -> str:
    t = plan.targets
    lines = [
        f"Plan for {plan.scenario.name}: method {plan.method}, shifts {plan.shifts}, "
        f"one week in half hours",
        "Targets: "
        + (
            f"service level {t.service_level_min:.0%} within {t.service_level_s:g} s "
            f"({t.service_level_of})"
            if t.service_level_min is not None
            else ""
        )
        + (f", abandonment <= {t.abandon_rate_max:.0%}" if t.abandon_rate_max is not None else "")
        + (f", ASA <= {t.asa_max_s:g} s" if t.asa_max_s is not None else "")
        + f", block rate <= {t.block_rate_max:.0%}"
        + (" (service level assumed: the scenario states none)" if t.defaulted else ""),
    ]
    if plan.isa is not None:
        lines.extend(isa_lines(plan.isa))
    sp = plan.shift_plan
    lines.append(
        f"Shift plan: {sp.person_hours:,.0f} person-hours on duty a week, solver {sp.status}, "
        f"gap {sp.gap:.2%}"
    )
    table = sp.table(plan.templates, 1800.0)
    daily = table.groupby(["template", "day"], sort=False)["people"].sum()
    by = daily.groupby(level=0, sort=False).agg(["mean", "max"])
    lines.append("\n  shift          on duty a day (mean, most)")
    for name, r in by.iterrows():
        lines.append(f"  {name:<14} {r['mean']:>10.1f} {int(r['max']):>5}")
    lines.append("\n  needed against the scenario")
    binding = []
    for key, label in (
        ("call_takers", "call-takers (people)"),
        ("officers", "officers (people)"),
        ("seats", "seats"),
        ("lines", "lines"),
    ):
        need, have = plan.needed[key], plan.have[key]
        have_s = "unlimited" if have >= 10**9 else f"{have}"
        flag = "  <- binds" if need > have else ""
        if need > have:
            binding.append(label.split(" ")[0])
        lines.append(f"  {label:<22} need {need:>5}   have {have_s:>9}{flag}")
    for s in plan.shortages:
        lines.append(f"  ROSTER NOT MADE: {s}")
    lines.append(
        "Binding: " + (", ".join(binding) if binding else "nothing (the scenario has enough)")
    )
    if t.service_level_min is not None:
        for label, v in (("plan", ver), ("SIPP plan", sipp_ver)):
            iv = v.intervals
            below = int((iv["service_level"] < t.service_level_min - 0.03).sum())
            mean = v.summary.set_index("metric").loc["service_level", "mean"]
            lines.append(
                f"Simulated {label}: service level {mean:.1%}; "
                f"{below} of {len(iv)} half hours more than 3 points below target"
            )
    if plan.check is not None and t.service_level_min is not None:
        from sim.plan.check import FRESH_SEED_OFFSET, summary

        lines.append(
            f"Requirement simulated as it stands ({plan.check.replications} replications, "
            "unlimited lines and seats):"
        )
        figures = summary(plan.check, t)
        for method, f in figures.items():
            text = (
                f"  {method:<5} {f['person_hours']:,.0f} person-hours: "
                f"{f['below_3_points']} of {f['intervals']} half hours more than 3 points "
                f"below target (lowest {f['lowest_service_level']:.1%}); "
                f"{f['over_5_points']} more than 5 points above"
            )
            if f["over_5_points_checked"]:
                here = f["over_5_points_fewer_misses_here"]
                later = f["over_5_points_fewer_misses_later"]
                near = f["over_5_points_fewer_misses"] - here - later
                text += (
                    f", of which {f['over_5_points_fewer_misses']} of "
                    f"{f['over_5_points_checked']} miss with one call-taker fewer "
                    f"({here} there, {near} in the next 1.5 h"
                    + (f", {later} further on" if later else "")
                    + ")"
                )

            lines.append(text)
        lines.append(
            f"  on fresh draws (seed {plan.scenario.horizon.seed + FRESH_SEED_OFFSET}, "
            f"{plan.check.replications} replications), half hours more than 3 points below: "
            + ", ".join(
                f"{m} {f['fresh_below_3_points']} (lowest {f['fresh_lowest_service_level']:.1%})"
                for m, f in figures.items()
            )
        )
    return "\n".join(lines)


@click.command("plan", cls=OneLineCommand)
@click.argument("scenario_file", metavar="SCENARIO.toml")
@click.option(
    "--method",
    type=click.Choice(["isa", "mol", "lagged-sipp", "sipp"]),
    default="isa",
    show_default=True,
    help="How the requirement per interval is found.",
)
@click.option(
    "--shifts",
    type=click.Choice(["fixed3", "flex8", "12h"]),
    default="flex8",
    show_default=True,
    help="Shift templates the plan chooses from.",
)
@click.option(
    "--template",
    "template_texts",
    multiple=True,
    metavar="HH:MM+H",
    help="A shift template (start and hours; repeat it), instead of --shifts.",
)
@click.option(
    "--weeks", type=int, default=4, show_default=True, help="Roster horizon in weeks (1 to 52)."
)
@click.option(
    "--replications",
    "-r",
    type=int,
    default=20,
    show_default=True,
    help="Replications per simulation (ISA iterations and the verification); with fewer, "
    "ISA may not settle.",
)
@click.option("--service-level-min", type=float, help="Override targets.service_level_min.")
@click.option("--abandon-rate-max", type=float, help="Override targets.abandon_rate_max.")
@click.option("--block-rate-max", type=float, help="Override targets.block_rate_max.")
@click.option(
    "--max-nights",
    type=int,
    default=3,
    show_default=True,
    help="Most night shifts in a row in the roster.",
)
@click.option(
    "--check",
    is_flag=True,
    help="Also simulate the requirement itself (unlimited lines and seats) beside SIPP's, "
    "and each half hour over the target by more than 5 points with one call-taker fewer.",
)
@click.option("--workers", type=int, default=None, help="Processes [default: all cores].")
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False),
    help="Folder for the tables, plan.toml and charts.",
)
@friendly_errors
def command(
    scenario_file: str,
    method: str,
    shifts: str,
    template_texts: tuple[str, ...],
    weeks: int,
    replications: int,
    service_level_min: float | None,
    abandon_rate_max: float | None,
    block_rate_max: float | None,
    max_nights: int,
    check: bool,
    workers: int | None,
    out_dir: str,
) -> None:
    """Plan staff, shifts, roster, seats and lines for SCENARIO.toml's targets, and prove it."""
    from sim.experiment.sweep import check_replications
    from sim.plan.files import plan_toml
    from sim.plan.isa import ISA_PHASES
    from sim.plan.make import make_plan
    from sim.plan.shifts import parse_template
    from sim.plan.verify import verify

    if not 1 <= weeks <= MOST_WEEKS:  # the roster is built day by day over them
        fail(f"--weeks: must be a whole number from 1 to {MOST_WEEKS}; got {weeks}")
    for name, value, lo in (
        ("--replications", replications, 2),
        ("--max-nights", max_nights, 1),
    ):
        if value < lo:
            fail(f"{name}: must be a whole number >= {lo}; got {value}")
    if workers is not None and workers < 1:
        fail(f"--workers: must be a whole number >= 1; got {workers}")
    templates = [parse_template(x) for x in template_texts]
    if templates:
        shifts = "custom"
    sc = load_scenario(scenario_file)
    # Each simulation runs the replications: within the scenario's [limits], as its own are
    check_replications(replications, sc, option="--replications")
    if sc.staff.groups:  # the requirement, the shifts and the roster are for one pool
        fail(
            f"{scenario_file}: staff.groups: must be absent for helpline plan (it staffs one "
            f"pool of call-takers); got {len(sc.staff.groups)} groups"
        )
    given: dict[str, object] = {
        k: v
        for k, v in (
            ("service_level_min", service_level_min),
            ("abandon_rate_max", abandon_rate_max),
            ("block_rate_max", block_rate_max),
        )
        if v is not None
    }
    if sc.arrivals.mode == "trace":
        raise ScenarioError("arrivals.mode", '"profile" or "constant" to plan', "trace", sc.file)
    plan = make_plan(
        sc,
        method=method,
        shifts=shifts,
        weeks=weeks,
        replications=replications,
        workers=workers,
        target_overrides=given,
        max_nights=max_nights,
        templates=templates or None,
        check=check,
        report=lambda row: click.echo(progress_line(row), err=True),
    )
    draw_to_files()
    from sim.plan import charts
    from sim.report.output import staged, write_json, write_table

    out = Path(out_dir)
    with staged(out) as stage:
        text = plan_toml(
            scenario_file,
            f"{sc.name}_plan",
            plan.demand,
            plan.shift_plan.coverage,
            plan.officer_plan.coverage,
            plan.lines,
            replications,
            f"{method} requirement, {shifts} shifts, {plan.shift_plan.person_hours:,.0f} "
            "person-hours a week",
        )
        (stage / "plan.toml").write_text(text, encoding="utf-8")
        # Load it from where it will live, so the run of DIR/plan.toml is this very scenario.
        staged_sc = load_scenario(stage / "plan.toml")
        ver = verify(staged_sc, plan.demand, plan.targets, method, workers)
        sipp_text = plan_toml(
            scenario_file,
            f"{sc.name}_sipp_plan",
            plan.demand,
            plan.sipp_plan.coverage,
            plan.officer_plan.coverage,
            plan.lines,
            replications,
            f"sipp requirement, {shifts} shifts",
        )
        (stage / "sipp_plan.toml").write_text(sipp_text, encoding="utf-8")
        sipp_ver = verify(
            load_scenario(stage / "sipp_plan.toml"), plan.demand, plan.targets, "sipp", workers
        )
        tables = {
            "requirements": plan.requirements,
            "shift_plan": plan.shift_plan.table(plan.templates, 1800.0),
            "officer_plan": plan.officer_plan.table(plan.templates, 1800.0),
            "verification_intervals": pd.concat(
                [ver.intervals, sipp_ver.intervals], ignore_index=True
            ),
            "verification_days": pd.concat([ver.days, sipp_ver.days], ignore_index=True),
            "verification_summary": ver.summary,
        }
        if plan.isa is not None:
            tables["isa_iterations"] = plan.isa.iterations
        if plan.check is not None:
            tables["staffing_check"] = plan.check.table
        if plan.roster is not None:
            tables["roster"] = plan.roster
        if plan.shortages:
            tables["shortages"] = pd.DataFrame(
                [(s.rank, s.short, d, n, k) for s in plan.shortages for d, n, k in s.unfilled],
                columns=["rank", "short", "day", "shift", "unfilled"],
            )
        for name, df in tables.items():
            write_table(df, stage / f"{name}.parquet")
            df.to_csv(stage / f"{name}.csv", index=False)
        summary = ver.summary.set_index("metric")
        write_json(
            {
                "scenario": sc.name,
                "method": method,
                "shifts": shifts,
                "person_hours_per_week": plan.shift_plan.person_hours,
                "solver_status": plan.shift_plan.status,
                "solver_gap": plan.shift_plan.gap,
                "isa_converged": None if plan.isa is None else plan.isa.converged,
                "isa_iterations": None
                if plan.isa is None
                else int(plan.isa.iterations["phase"].isin(ISA_PHASES).sum()),
                "isa_trim_rounds": None
                if plan.isa is None
                else int((plan.isa.iterations["phase"] == "trim").sum()),
                "needed": plan.needed,
                "have": {k: (None if v >= 10**9 else v) for k, v in plan.have.items()},
                "roster_made": plan.roster is not None,
                "verification": {
                    m: float(summary.loc[m, "mean"])
                    for m in ("service_level", "abandon_rate", "block_rate")
                },
            },
            stage / "plan.json",
        )
        per_day = plan.demand.per_day
        charts.save(
            charts.requirement_by_method(plan.requirements, per_day),
            str(stage / "requirement_by_method.png"),
        )
        charts.save(
            charts.coverage(
                plan.takers,
                plan.shift_plan.coverage,
                plan.demand.weekday,
                per_day,
                f"{method} requirement and the {shifts} shift plan",
            ),
            str(stage / "plan_coverage.png"),
        )
        charts.save(
            charts.attainment(
                tables["verification_intervals"], plan.targets.service_level_min, per_day
            ),
            str(stage / "attainment_by_interval.png"),
        )
        if plan.check is not None:
            charts.save(
                charts.staffing_check(plan.check.table, plan.targets.service_level_min, per_day),
                str(stage / "staffing_check.png"),
            )
    click.echo(_screen(plan, ver, sipp_ver))
    click.echo(f"\nTables, plan.toml and charts in {out}/")
