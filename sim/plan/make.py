"""``helpline plan`` without the command line: requirement, shift plan, roster, verification.

One week is planned (the scenario's first seven days after one warm-up day), in intervals of
``staff.interval.minutes``-independent 30 minutes by default; the result is one value holding
every table, so the command only prints and writes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.errors import ScenarioError
from sim.plan.check import StaffingCheck, staffing_check
from sim.plan.demand import Demand, demand
from sim.plan.isa import IsaResult, isa, staffed_scenario
from sim.plan.requirements import METHODS, fewest_lines, requirement_table
from sim.plan.roster import (
    Duty,
    RosterShortage,
    coverage_duties,
    duties_from_plan,
    roster_rank,
    roster_table,
)
from sim.plan.runs import Simulator
from sim.plan.shifts import (
    ShiftPlan,
    Template,
    check_templates,
    columns,
    cover,
    people_needed,
    template_set,
)
from sim.plan.targets import PlanTargets, plan_targets
from sim.scenario.values import DAY_S, Scenario

PLAN_DAYS = 7
INTERVAL_S = 1800.0


@dataclass
class Plan:
    """A whole staffing plan: requirements, shifts, roster and its scenario, ready to write and
    verify.
    """

    scenario: Scenario
    targets: PlanTargets
    demand: Demand
    method: str
    shifts: str
    requirements: pd.DataFrame  # one row per interval and method
    takers: np.ndarray  # the chosen method's call-takers per interval
    officers: np.ndarray
    isa: IsaResult | None
    shift_plan: ShiftPlan
    officer_plan: ShiftPlan
    templates: list[Template]
    lines: int
    seats: int
    needed: dict[str, int]  # rank or resource -> needed
    have: dict[str, int]
    roster: pd.DataFrame | None
    shortages: list[RosterShortage]
    sipp_plan: ShiftPlan
    check: StaffingCheck | None = None  # the requirement simulated (``check=True``)


def _ranks(sc: Scenario, names: tuple[str, ...]) -> int:
    return sum(r.count for r in sc.staff.ranks if r.name in names)


def _duties(plan: ShiftPlan, templates: list[Template], weeks: int, absence: float) -> list[Duty]:
    table = plan.table(templates, INTERVAL_S)
    return duties_from_plan(table, weeks, absence)


def make_plan(
    sc: Scenario,
    *,
    method: str = "isa",
    shifts: str = "flex8",
    weeks: int = 4,
    replications: int = 5,
    workers: int | None = None,
    target_overrides: dict[str, object] | None = None,
    max_nights: int = 3,
    report: Callable[[dict[str, Any]], None] | None = None,
    templates: list[Template] | None = None,
    check: bool = False,
) -> Plan:
    """Plan ``sc``: every table of ``helpline plan`` but the verification (see :mod:`verify`)."""
    if method not in METHODS:
        raise ValueError(f"--method must be one of {', '.join(METHODS)}; got {method!r}")
    if sc.staff.supervisor_ranks:  # the plan's interval staffing has no inspectors' role yet
        raise ScenarioError(
            "staff.supervisor_ranks",
            "empty to plan (the plan staffs call-takers and sub-inspectors per interval; "
            "supervisors on duty are not planned)",
            list(sc.staff.supervisor_ranks),
            sc.file,
        )
    t = plan_targets(sc, target_overrides)
    option = "--template" if templates else "--shifts"
    templates = templates or template_set(shifts)
    check_templates(templates, INTERVAL_S, option)
    d = demand(sc, INTERVAL_S, DAY_S, PLAN_DAYS)
    tables = [requirement_table(d, t, m) for m in ("sipp", "lagged-sipp", "mol")]
    result = None
    mol = tables[2]
    with Simulator(d, t.service_level_s, workers) as simulator:
        if method == "isa":
            result = isa(
                sc,
                d,
                t,
                mol["call_takers"].to_numpy(),
                mol["officers"].to_numpy(),
                replications=replications,
                report=report,
                simulator=simulator,
            )
            row = mol.copy()
            row["method"] = "isa"
            row["call_takers"] = result.staffing
            row["staffed_calls_per_h"] = (
                result.measures.offered_erl.mean(axis=0) / d.handle_s * 3600
            )
            tables.append(row)
        req = pd.concat(tables, ignore_index=True)
        chosen = req[req["method"] == method]
        takers = chosen["call_takers"].to_numpy()
        officers = chosen["officers"].to_numpy()
        cols = columns(templates, takers.size, INTERVAL_S)
        shift_plan = cover(takers, cols)
        officer_plan = cover(np.maximum(officers, 1), cols)
        sipp_plan = cover(req[req["method"] == "sipp"]["call_takers"].to_numpy(), cols)
        checked = None
        if check:
            known, known_fewer = {}, {}
            if result is not None and result.converged and result.replications == replications:
                known[method] = result.measures  # the very scenario and replications
                f = result.fewer  # and ISA's last "one fewer" runs, if all of this staffing
                if f is not None and (f.carried is None or not f.carried.any()):
                    known_fewer[method] = f
            sipp = req[req["method"] == "sipp"]["call_takers"].to_numpy()
            checked = staffing_check(
                sc,
                d,
                t,
                {method: takers, "sipp": sipp} if method != "sipp" else {"sipp": sipp},
                officers,
                simulator,
                replications,
                known=known,
                known_fewer=known_fewer,
                fewer_for=(method,),
            )
        # Lines: simulate the plan's coverage with unlimited lines and read the line load.
        probe = staffed_scenario(
            sc, d, shift_plan.coverage, officer_plan.coverage, replications=replications
        )
        m = simulator.measures([probe], replications)[0]
    line_load = m.lines_erl.mean(axis=0)
    lines = max(fewest_lines(x, t.block_rate_max) for x in line_load.tolist())
    seats = int(shift_plan.coverage.max())
    st = sc.staff
    absence, offs = st.absence_rate, st.weekly_offs
    person_days = {
        "call_takers": sum(int(n) for n in shift_plan.people),
        "officers": sum(int(n) for n in officer_plan.people),
    }
    needed = {
        "call_takers": people_needed(person_days["call_takers"], PLAN_DAYS, offs, absence),
        "officers": people_needed(person_days["officers"], PLAN_DAYS, offs, absence),
        "seats": seats,
        "lines": lines,
    }
    have = {
        "call_takers": _ranks(sc, st.call_taker_ranks),
        "officers": _ranks(sc, st.escalation_ranks),
        "seats": st.seats,
        "lines": sc.lines if sc.lines is not None else 10**9,
    }
    supervisors = tuple(
        r.name for r in st.ranks if r.name not in st.call_taker_ranks + st.escalation_ranks
    )
    # Roster, rank by rank.
    days = weeks * PLAN_DAYS
    first_weekday = (sc.horizon.start_date.weekday() + 1) % 7
    assigned: dict[str, list] = {}
    people: dict[str, int] = {}
    shortages: list[RosterShortage] = []
    groups = [
        (
            ", ".join(st.call_taker_ranks),
            have["call_takers"],
            _duties(shift_plan, templates, weeks, absence),
        ),
        (
            ", ".join(st.escalation_ranks),
            have["officers"],
            _duties(officer_plan, templates, weeks, absence),
        ),
    ]
    if supervisors:
        blocks = [
            (x.name, x.start_h, x.hours)
            for x in template_set("12h" if shifts == "12h" else "fixed3")
        ]
        groups.append(
            (", ".join(supervisors), _ranks(sc, supervisors), coverage_duties(blocks, days))
        )
    for rank, n, duties in groups:
        if not duties:
            continue
        people[rank] = n
        try:
            assigned[rank] = roster_rank(
                rank,
                n,
                duties,
                weekly_offs=offs,
                first_weekday=first_weekday,
                max_nights=max_nights,
            )
        except RosterShortage as short:
            shortages.append(short)
    needed.update({f"short:{s.rank}": s.short for s in shortages})
    start_date = sc.horizon.start_date + dt.timedelta(days=1)
    roster = None if shortages else roster_table(assigned, people, days, start_date, offs)
    return Plan(
        sc,
        t,
        d,
        method,
        shifts,
        req,
        takers,
        officers,
        result,
        shift_plan,
        officer_plan,
        templates,
        lines,
        seats,
        needed,
        have,
        roster,
        shortages,
        sipp_plan,
        checked,
    )
