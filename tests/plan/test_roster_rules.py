"""The named roster keeps every rule, and a roster that cannot be made names the short rank.

Rules checked on the output table (one row per person per day): at most one shift a day; never
on a weekly off, and the offs paired; at least 11 h between shifts; at most N nights in a row;
nights shared fairly (the most and fewest nights of a rank differ by at most 2); every planned
shift filled; at least one inspector on duty at every half hour; enough officers on duty.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from sim.plan.roster import (
    Duty,
    RosterShortage,
    coverage_duties,
    off_days,
    on_duty_counts,
    roster_rank,
    roster_table,
)

FIXED3 = [("morning", 6.0, 8.0), ("evening", 14.0, 8.0), ("night", 22.0, 8.0)]
START = dt.date(2025, 7, 7)  # a Monday


def _plan(days: int) -> list[Duty]:
    """Constables: 14 mornings, 13 evenings, 6 nights a day (shift sizes differ)."""
    sizes = {"morning": 14, "evening": 13, "night": 6}
    return [Duty(d, n, s, h, sizes[n]) for d in range(days) for n, s, h in FIXED3]


def _table(days: int = 28, max_nights: int = 3) -> tuple[pd.DataFrame, dict]:
    duties = {
        "constable": _plan(days),
        "sub_inspector": coverage_duties(FIXED3, days, 2),
        "inspector": coverage_duties(FIXED3, days, 1),
    }
    people = {"constable": 56, "sub_inspector": 12, "inspector": 6}
    assigned = {
        rank: roster_rank(
            rank, people[rank], duties[rank], weekly_offs=2, first_weekday=0, max_nights=max_nights
        )
        for rank in people
    }
    return roster_table(assigned, people, days, START, 2), assigned


def test_one_row_per_person_per_day_and_every_shift_filled() -> None:
    table, _ = _table()
    assert len(table) == (56 + 12 + 6) * 28
    assert not table.duplicated(["person", "day"]).any()
    worked = table[table["shift"].isin(["morning", "evening", "night"])]
    counts = worked[worked["rank"] == "constable"].groupby(["day", "shift"]).size()
    assert set(counts.xs("morning", level="shift")) == {14}
    assert set(counts.xs("night", level="shift")) == {6}


def test_weekly_offs_are_kept_and_paired() -> None:
    table, _ = _table()
    for person, g in table.groupby("person"):
        number = int(g["number"].iloc[0])
        offs = off_days(number, 2)
        assert len(offs) == 2 and len({(min(offs) + 1) % 7, max(offs)} & offs) >= 1
        weekday = np.array([d.weekday() for d in g["date"]])
        on_off = g["shift"].to_numpy()[np.isin(weekday, list(offs))]
        assert set(on_off) <= {"off"}, person


def test_at_least_11_hours_between_shifts_and_few_nights_in_a_row() -> None:
    table, _ = _table(max_nights=3)
    worked = table[table["start_h"].notna()].sort_values(["person", "day"])
    for _, g in worked.groupby("person"):
        start = g["day"].to_numpy() * 24 + g["start_h"].to_numpy()
        end = start + g["hours"].to_numpy()
        assert np.all(start[1:] - end[:-1] >= 11.0)
    for _, g in table.sort_values(["person", "day"]).groupby("person"):
        run = best = 0
        for night in g["night"].to_numpy():
            run = run + 1 if night else 0
            best = max(best, run)
        assert best <= 3


def test_nights_are_shared_fairly() -> None:
    table, _ = _table()
    nights = table[table["rank"] == "constable"].groupby("person")["night"].sum()
    assert nights.max() - nights.min() <= 2, nights.describe()


def test_an_inspector_and_enough_officers_on_duty_at_every_half_hour() -> None:
    _, assigned = _table()
    assert on_duty_counts(assigned["inspector"], 28).min() >= 1
    assert on_duty_counts(assigned["sub_inspector"], 28).min() >= 2


def test_too_few_people_name_the_rank_the_count_and_the_shifts() -> None:
    with pytest.raises(RosterShortage) as err:
        roster_rank("constable", 30, _plan(14), weekly_offs=2, first_weekday=0)
    short = err.value
    assert short.rank == "constable"
    # 33 a day, 5 days a week each: 33 * 7 / 5 = 46.2, so at least 17 more are needed; the
    # count is the fewest extra people for which this roster fills every shift.
    assert short.short >= 17
    roster_rank("constable", 30 + short.short, _plan(14), weekly_offs=2, first_weekday=0)
    with pytest.raises(RosterShortage):
        roster_rank("constable", 30 + short.short - 1, _plan(14), weekly_offs=2, first_weekday=0)
    assert short.unfilled and "constable" in str(short) and str(short.short) in str(short)
