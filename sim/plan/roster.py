"""A roster for named people: who works which planned shift on which day, over whole weeks.

Built day by day, night shifts first and then the others earliest first, by a greedy rule
that keeps every roster rule: a person works at most one shift a day, never on their weekly
offs (paired rest days, staggered so each weekday loses the same number of people), with at
least ``min_rest_h`` hours between the end of one shift and the start of the next, and at most
``max_nights`` night shifts in a row. Nights go in blocks (who worked last night carries on);
a new block, like a day shift, goes to those with the fewest nights (or shifts) so far, then
the longest rested, so nights and work are shared fairly. Each rank is rostered to its own
demand: constables to the call-taker plan (raised by the absence rate, so the expected number
present is the plan), sub-inspectors to the officers' plan, inspectors to at least one on duty
at every instant. The horizon is whole weeks and repeats: rules are checked within it.

If the people of a rank are too few, the roster is not returned: :class:`RosterShortage` names
the rank, how many more people it needs (the fewest extra that make this rule feasible), and the
shifts it could not fill.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

#: A shift is a night shift if it covers this hour of the night (hours after midnight).
NIGHT_HOUR = 3.0


@dataclass(frozen=True)
class Duty:
    """``count`` people of one rank on a shift from ``start_h`` for ``hours`` on ``day``."""

    day: int
    name: str
    start_h: float
    hours: float
    count: int

    @property
    def start_abs_h(self) -> float:
        """Start of the shift in hours from the start of the horizon."""
        return self.day * 24.0 + self.start_h

    @property
    def end_abs_h(self) -> float:
        """End of the shift in hours from the start of the horizon."""
        return self.start_abs_h + self.hours

    @property
    def night(self) -> bool:
        """Whether the shift covers the night hour the rest rules count."""
        s, e = self.start_h, self.start_h + self.hours
        return any(s <= NIGHT_HOUR + 24 * k < e for k in (0, 1))


@dataclass
class RosterShortage(Exception):  # noqa: N818 - a finding for the planner, named for it
    """A rank lacks people for its shifts: ``short`` more are needed; ``unfilled`` lists
    (day, shift, people missing).
    """

    rank: str
    short: int
    unfilled: list[tuple[int, str, int]] = field(default_factory=list)

    def __str__(self) -> str:
        shifts = sorted({name for _, name, _ in self.unfilled})
        return (
            f"{self.rank}: {self.short} too few to roster the plan "
            f"(unfilled: {', '.join(shifts)}; first on day {self.unfilled[0][0]})"
        )


def off_days(person: int, weekly_offs: int) -> set[int]:
    """Weekdays ``person`` rests: ``weekly_offs`` days in a row (paired), staggered by person."""
    first = person % 7
    return {(first + k) % 7 for k in range(weekly_offs)}


def _assign(
    n_people: int,
    duties: list[Duty],
    weekly_offs: int,
    first_weekday: int,
    min_rest_h: float,
    max_nights: int,
) -> tuple[list[tuple[int, Duty]], list[tuple[int, str, int]]]:
    last_end = [-math.inf] * n_people
    last_day = [-1] * n_people
    nights_in_row = [0] * n_people
    last_night_day = [-10] * n_people
    nights = [0] * n_people
    worked = [0] * n_people
    offs = [off_days(p, weekly_offs) for p in range(n_people)]
    out: list[tuple[int, Duty]] = []
    unfilled: list[tuple[int, str, int]] = []
    # Day by day; within a day the night shifts first: only people who work no other shift that
    # day can take them (a day shift ends too close to the night), so they are the scarce ones.
    for duty in sorted(duties, key=lambda x: (x.day, not x.night, x.start_abs_h, x.name)):
        weekday = (first_weekday + duty.day) % 7
        free = []
        for p in range(n_people):
            if last_day[p] == duty.day or weekday in offs[p]:
                continue
            if duty.start_abs_h - last_end[p] < min_rest_h:
                continue
            run = nights_in_row[p] if last_night_day[p] == duty.day - 1 else 0
            if duty.night and run >= max_nights:
                continue
            free.append(p)
        # Nights go in blocks: who worked last night carries on (they could not take a day
        # shift today anyway); a new block goes to those with the fewest nights so far.
        if duty.night:
            yesterday = duty.day - 1

            def night_order(
                p: int, yesterday: int = yesterday
            ) -> tuple[bool, int, int, float, int]:
                return (last_night_day[p] != yesterday, nights[p], worked[p], last_end[p], p)

            free.sort(key=night_order)
        else:
            free.sort(key=lambda p: (worked[p], -nights[p], last_end[p], p))
        chosen = free[: duty.count]
        if len(chosen) < duty.count:
            unfilled.append((duty.day, duty.name, duty.count - len(chosen)))
        for p in chosen:
            out.append((p, duty))
            last_end[p] = duty.end_abs_h
            last_day[p] = duty.day
            worked[p] += 1
            if duty.night:
                run = nights_in_row[p] if last_night_day[p] == duty.day - 1 else 0
                nights_in_row[p] = run + 1
                last_night_day[p] = duty.day
                nights[p] += 1
    return out, unfilled


def roster_rank(
    rank: str,
    n_people: int,
    duties: list[Duty],
    *,
    weekly_offs: int,
    first_weekday: int,
    min_rest_h: float = 11.0,
    max_nights: int = 3,
) -> list[tuple[int, Duty]]:
    """Assign ``n_people`` of ``rank`` to ``duties``; raise :class:`RosterShortage` if short."""
    out, unfilled = _assign(n_people, duties, weekly_offs, first_weekday, min_rest_h, max_nights)
    if not unfilled:
        return out
    extra = 1
    while _assign(n_people + extra, duties, weekly_offs, first_weekday, min_rest_h, max_nights)[1]:
        extra *= 2
        if extra > 100_000:
            break
    lo, hi = extra // 2, extra
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if _assign(n_people + mid, duties, weekly_offs, first_weekday, min_rest_h, max_nights)[1]:
            lo = mid
        else:
            hi = mid
    raise RosterShortage(rank, hi, unfilled)


def roster_table(
    assignments: dict[str, list[tuple[int, Duty]]],
    people: dict[str, int],
    days: int,
    start_date: dt.date,
    weekly_offs: int,
) -> pd.DataFrame:
    """One row per person per day: the shift worked, or ``off`` (weekly off) or ``free``."""
    rows = []
    first_weekday = start_date.weekday()
    for rank, n in people.items():
        by = {(p, d.day): d for p, d in assignments.get(rank, [])}
        for p in range(n):
            offs = off_days(p, weekly_offs)
            for day in range(days):
                duty = by.get((p, day))
                date = start_date + dt.timedelta(days=day)
                if duty is None:
                    what = "off" if (first_weekday + day) % 7 in offs else "free"
                    rows.append(
                        (f"{rank}_{p + 1:03d}", rank, p, day, date, what, math.nan, math.nan, False)
                    )
                else:
                    rows.append(
                        (
                            f"{rank}_{p + 1:03d}",
                            rank,
                            p,
                            day,
                            date,
                            duty.name,
                            duty.start_h,
                            duty.hours,
                            duty.night,
                        )
                    )
    return pd.DataFrame(
        rows,
        columns=["person", "rank", "number", "day", "date", "shift", "start_h", "hours", "night"],
    )


def duties_from_plan(
    plan_rows: pd.DataFrame, weeks: int, absence: float, per_day: int = 7
) -> list[Duty]:
    """The plan's shifts (a table of day, template, start_h, hours, people) repeated for
    ``weeks``, with each count raised by the absence rate.
    """
    out = []
    shifts = plan_rows.groupby(["day", "template", "start_h", "hours"], sort=False)["people"].sum()
    for day, on_day in shifts.groupby(level="day", sort=False):
        counts = _raised(on_day.to_numpy(), absence)
        for w in range(weeks):
            for ((_, name, start_h, hours), _people), count in zip(
                on_day.items(), counts.tolist(), strict=True
            ):
                out.append(
                    Duty(w * per_day + int(day), str(name), float(start_h), float(hours), count)
                )
    return out


def _raised(people: np.ndarray, absence: float) -> np.ndarray:
    """Each shift's people raised by the absence rate so the day's total is
    ceil(total / (1 - absence)), the extra people going to the largest remainders (rounding
    each shift up on its own would double a shift of one).
    """
    want = people / (1.0 - absence)
    total = int(math.ceil(want.sum() - 1e-9))
    out = np.floor(want + 1e-9).astype(int)
    order = np.argsort(-(want - out), kind="stable")
    out[order[: total - int(out.sum())]] += 1
    return np.maximum(out, people.astype(int))


def coverage_duties(
    templates: list[tuple[str, float, float]], days: int, count: int = 1
) -> list[Duty]:
    """``count`` on every one of the ``templates`` (name, start_h, hours), every day."""
    return [Duty(d, name, s, h, count) for d in range(days) for name, s, h in templates]


def on_duty_counts(rows: list[tuple[int, Duty]], days: int, step_h: float = 0.5) -> np.ndarray:
    """People on duty at the start of every ``step_h`` of the horizon (shifts wrap the week)."""
    n = int(round(days * 24 / step_h))
    out = np.zeros(n, dtype=int)
    for _, d in rows:
        first = int(round(d.start_abs_h / step_h))
        idx = (first + np.arange(int(round(d.hours / step_h)))) % n
        out[idx] += 1
    return out
