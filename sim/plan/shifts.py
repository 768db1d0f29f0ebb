"""Shift plans: how many people start each shift template so every interval is covered.

A template is a start time, a length and meal breaks, each break placed by the plan at one of
the half hours of its window; every (template, day, break placement) is an integer variable, the
number of people on duty who work it. Each variable covers the intervals of its shift except its
breaks, so the plan puts breaks where the requirement allows: off the peak. The integer program

    minimise  sum_j hours_j x_j   subject to  A x >= requirement,  x >= 0 integer

(A[i, j] = 1 if variable j is on duty in interval i; the week wraps, so Sunday's night shift
covers Monday morning) is solved by HiGHS through ``scipy.optimize.milp``; its status and MIP gap
are reported. Absence and weekly offs do not change who must be on duty; they decide how many
people must be rostered for it (:func:`people_needed`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, milp

from sim.scenario.values import DAY_S

#: Longest shift a template may have.
MAX_SHIFT_H = 24.0


@dataclass(frozen=True)
class Template:
    """A shift starting at ``start_h`` (hours after midnight) every day, ``hours`` long, with
    meal breaks of ``break_min`` minutes, each starting within a window of hours into the shift.
    """

    name: str
    start_h: float
    hours: float
    break_min: float = 30.0
    break_windows_h: tuple[tuple[float, float], ...] = ()


def template_set(name: str) -> list[Template]:
    """The named template sets of ``helpline plan --shifts``."""
    meal8 = ((3.0, 5.0),)
    if name == "fixed3":
        return [
            Template("morning", 6.0, 8.0, 30.0, meal8),
            Template("evening", 14.0, 8.0, 30.0, meal8),
            Template("night", 22.0, 8.0, 30.0, meal8),
        ]
    if name == "flex8":
        return [
            Template(f"8h_{int(h):02d}{'30' if h % 1 else '00'}", h, 8.0, 30.0, meal8)
            for h in np.arange(0.0, 24.0, 0.5).tolist()
        ]
    if name == "12h":
        meal12 = ((3.5, 5.5), (7.5, 9.5))
        return [
            Template("day", 8.0, 12.0, 30.0, meal12),
            Template("night", 20.0, 12.0, 30.0, meal12),
        ]
    raise ValueError(f"--shifts must be one of fixed3, flex8, 12h; got {name!r}")


def parse_template(text: str, option: str = "--template") -> Template:
    """``HH:MM+H`` (start and length in hours), with one 30-minute meal break placed in the
    middle quarter of the shift (for a shift over 5 h).
    """
    from sim.errors import ScenarioError

    try:
        clock, hours_text = text.split("+")
        hh, mm = clock.split(":")
        start_h = int(hh) + int(mm) / 60
        hours = float(hours_text)
        if not (0 <= int(hh) <= 23 and 0 <= int(mm) <= 59) or not math.isfinite(hours):
            raise ValueError
    except ValueError:
        raise ScenarioError(
            option, 'a shift "HH:MM+H" (start, then hours), e.g. "06:00+8"', text
        ) from None
    windows = ((round(hours * 0.375 * 2) / 2, round(hours * 0.625 * 2) / 2),) if hours > 5 else ()
    return Template(f"{clock}+{hours_text}", start_h, hours, 30.0, windows)


def check_templates(templates: list[Template], interval_s: float, option: str) -> None:
    """Reject a template longer than a day, off the interval grid, or a day with an uncovered
    interval (no template covers it, so no plan could).
    """
    from sim.errors import ScenarioError

    step_h = interval_s / 3600.0
    per_day = int(round(DAY_S / interval_s))
    covered = np.zeros(per_day, bool)
    for t in templates:
        if not (0 < t.hours <= MAX_SHIFT_H):
            raise ScenarioError(
                option,
                f"templates of more than 0 and at most {MAX_SHIFT_H:g} h",
                f"<{t.name}: {t.hours:g} h>",
            )
        for v in (t.start_h, t.hours, *(x for w in t.break_windows_h for x in w)):
            if abs(v / step_h - round(v / step_h)) > 1e-9:
                raise ScenarioError(
                    option, f"templates on the {step_h * 60:g}-minute grid", f"<{t.name}: {v:g} h>"
                )
        first = int(round(t.start_h / step_h))
        covered[(first + np.arange(int(round(t.hours / step_h)))) % per_day] = True
    if not covered.all():
        gap = int(np.flatnonzero(~covered)[0])
        raise ScenarioError(
            option,
            "templates that cover every hour of the day",
            f"<no template at {gap * step_h:05.2f} h>".replace(".", ":", 0),
        )


@dataclass(frozen=True)
class Column:
    """One variable of the program: people working ``template`` from ``day``'s start, with
    breaks starting at ``breaks`` (interval offsets into the shift).
    """

    template: int
    day: int
    breaks: tuple[int, ...]
    cover: np.ndarray  # interval indices on duty (into the week)
    hours: float


def columns(templates: list[Template], n_intervals: int, interval_s: float) -> list[Column]:
    """Every (template, day, break placement) over a cyclic horizon of ``n_intervals``."""
    step_h = interval_s / 3600.0
    per_day = int(round(DAY_S / interval_s))
    days = n_intervals // per_day
    out = []
    for k, t in enumerate(templates):
        length = int(round(t.hours / step_h))
        brk = max(1, int(round(t.break_min / 60.0 / step_h))) if t.break_windows_h else 0
        options: list[tuple[int, ...]] = [()]
        for lo_h, hi_h in t.break_windows_h:
            starts = range(int(round(lo_h / step_h)), int(round(hi_h / step_h)) + 1)
            options = [(*o, s) for o in options for s in starts if not o or s >= o[-1] + brk]
        first = int(round(t.start_h / step_h))
        for day in range(days):
            for option in options:
                on = np.ones(length, bool)
                for s in option:
                    on[s : s + brk] = False
                idx = (day * per_day + first + np.flatnonzero(on)) % n_intervals
                out.append(Column(k, day, option, idx, t.hours))
    return out


@dataclass(frozen=True)
class ShiftPlan:
    """The shift IP's answer: people per shift column, coverage per interval, solver status."""

    columns: list[Column]
    people: np.ndarray  # on duty per column
    coverage: np.ndarray  # on duty per interval
    person_hours: float  # on-duty hours in the horizon
    status: str
    gap: float

    def table(self, templates: list[Template], interval_s: float) -> pd.DataFrame:
        """People per shift template and start, one row each, with hours and days."""
        step_h = interval_s / 3600.0
        rows = []
        for c, n in zip(self.columns, self.people.tolist(), strict=True):
            if n <= 0:
                continue
            t = templates[c.template]
            rows.append(
                {
                    "day": c.day,
                    "template": t.name,
                    "start_h": t.start_h,
                    "hours": t.hours,
                    "breaks_at_h": ", ".join(
                        f"{(t.start_h + s * step_h) % 24:05.2f}" for s in c.breaks
                    ),
                    "people": int(n),
                }
            )
        return pd.DataFrame(
            rows, columns=["day", "template", "start_h", "hours", "breaks_at_h", "people"]
        )


#: The shift program's time limit: a base and a share per variable (a week of flexible
#: 8-hour starts, 1,680 variables, gets 114 s; the three fixed shifts, 105, get 35 s).
TIME_LIMIT_BASE_S, TIME_LIMIT_PER_COLUMN_S = 30.0, 0.05


def cover(
    requirement: np.ndarray, cols: list[Column], time_limit_s: float | None = None
) -> ShiftPlan:
    """The fewest person-hours covering ``requirement`` (people per interval) with ``cols``.

    Costs are whole multiples of ``unit`` hours (one shift, when all shifts are as long), so
    the optimum is at least the LP bound rounded up to a unit, and a plan within one unit of
    HiGHS's dual bound is proved optimal. HiGHS searches for the optimum until the time limit
    (scaled with the program's size: :data:`TIME_LIMIT_BASE_S`): ``status`` says ``optimal``
    when the plan is proved optimal, and otherwise, at the time limit, ``within one shift of
    optimal`` (the plan costs the optimum or one unit more) or ``feasible`` with its message.
    """
    r = np.asarray(requirement, dtype=float)
    a = np.zeros((r.size, len(cols)))
    for j, c in enumerate(cols):
        a[c.cover, j] = 1.0
    cost = np.array([c.hours for c in cols])
    unit = float(np.gcd.reduce(np.round(cost * 2).astype(int))) / 2
    constraint = LinearConstraint(a, lb=r, ub=np.inf)
    lp = milp(cost, constraints=constraint, bounds=Bounds(0, np.inf))
    if lp.x is None:
        raise ValueError(f"the shift program found no plan: {lp.message}")
    least = max(unit, math.ceil(float(lp.fun) / unit - 1e-9) * unit)
    if time_limit_s is None:
        time_limit_s = TIME_LIMIT_BASE_S + TIME_LIMIT_PER_COLUMN_S * len(cols)
    res = milp(
        cost,
        constraints=constraint,
        integrality=np.ones(len(cols)),
        bounds=Bounds(0, np.inf),
        # no early stop at one unit from the bound: proving the optimum usually takes HiGHS
        # seconds, and the plan it then finds is often one shift cheaper than the first plan
        # within one unit (docs/planning.md); the time limit still bounds the search
        options={"time_limit": time_limit_s, "mip_rel_gap": 0.0},
    )
    if res.x is None:
        raise ValueError(f"the shift program found no plan: {res.message}")
    x = np.round(res.x).astype(int)
    value = float(cost @ x)
    bound = max(least, float(getattr(res, "mip_dual_bound", value) or value))
    bound = math.ceil(bound / unit - 1e-9) * unit  # no plan costs less than a whole unit more
    if value <= bound + 1e-9:
        status = "optimal"
    elif value <= bound + unit + 1e-9:
        status = f"within one shift of optimal ({unit:g} person-hours)"
    else:
        status = f"feasible ({res.message})"
    gap = max(0.0, (value - bound) / value)
    return ShiftPlan(cols, x, (a @ x).astype(int), value, status, gap)


def people_needed(on_duty_days: float, days: int, weekly_offs: int, absence: float) -> int:
    """People to roster so that ``on_duty_days`` person-days in ``days`` are worked, each
    person working ``7 - weekly_offs`` days a week and absent a share ``absence`` of them.
    """
    per_person = days * (7 - weekly_offs) / 7 * (1 - absence)
    return int(math.ceil(on_duty_days / per_person - 1e-9))
