"""The shift program against brute force, and what template sets cost.

A small cyclic day (8 intervals) and templates of 3 intervals with a one-interval break placed
in a window: every plan with up to a few people per column is enumerated, and the integer
program's optimum must equal the cheapest covering one.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from sim.errors import ScenarioError
from sim.plan.shifts import (
    Column,
    Template,
    check_templates,
    columns,
    cover,
    people_needed,
    template_set,
)


def _brute(requirement: np.ndarray, cols) -> float:  # type: ignore[no-untyped-def]
    a = np.zeros((requirement.size, len(cols)), dtype=int)
    for j, c in enumerate(cols):
        a[c.cover, j] = 1
    cost = np.array([c.hours for c in cols])
    best = np.inf
    for x in itertools.product(range(int(requirement.max()) + 1), repeat=len(cols)):
        xv = np.array(x)
        if np.all(a @ xv >= requirement):
            best = min(best, float(cost @ xv))
    return best


@pytest.mark.parametrize(
    "requirement",
    [[1, 2, 2, 1, 0, 1, 2, 1], [2, 0, 1, 2, 2, 0, 1, 1], [1, 1, 1, 1, 1, 1, 1, 1]],
)
def test_program_optimum_equals_brute_force(requirement: list[int]) -> None:
    r = np.array(requirement)
    # An 8-interval cycle: shifts of 3 intervals starting at 0, 3 and 5 (wrapping), and one of
    # 5 intervals from 1 with a one-interval break at offset 1, 2 or 3 (three columns).
    cols = [Column(k, 0, (), np.arange(s, s + 3) % 8, 3.0) for k, s in enumerate((0, 3, 5))]
    for b in (1, 2, 3):
        on = [1 + i for i in range(5) if i != b]
        cols.append(Column(3, 0, (b,), np.array(on) % 8, 5.0))
    plan = cover(r, cols)
    assert plan.status == "optimal" and plan.gap == 0.0
    assert np.all(plan.coverage >= r)
    assert plan.person_hours == _brute(r, cols)


def _week_requirement() -> np.ndarray:
    """Two days of half hours shaped like the 2023 profile (peak 16 on duty, night 2); the
    program wraps them as its cycle (a week in the command; two days keep the test fast).
    """
    hourly = np.array(
        [
            1.3,
            0.9,
            0.6,
            0.5,
            0.5,
            0.8,
            1.4,
            2.7,
            4.3,
            5.9,
            7.1,
            7.5,
            7.3,
            7.1,
            7.1,
            7.0,
            6.8,
            6.5,
            6.0,
            5.4,
            4.6,
            3.8,
            2.8,
            1.9,
        ]
    )
    day = np.maximum(2, np.round(np.repeat(hourly, 2) * 2.2)).astype(int)
    return np.tile(day, 2)


def test_flexible_starts_need_fewer_person_hours_than_three_fixed_shifts() -> None:
    r = _week_requirement()
    hours = {}
    for name in ("fixed3", "flex8", "12h"):
        plan = cover(r, columns(template_set(name), r.size, 1800.0))
        assert plan.status == "optimal"
        assert np.all(plan.coverage >= r)
        hours[name] = plan.person_hours
    assert hours["flex8"] < hours["fixed3"]
    assert hours["flex8"] < hours["12h"]


def test_breaks_are_placed_off_the_peak() -> None:
    # Flat 4 people, but 8 at 10:00-11:00: fixed shifts with a break window 3-5 h in (09:00 to
    # 11:00 for the morning shift) must not put a break in the peak hour.
    day = np.full(48, 4)
    day[20:22] = 8
    r = np.tile(day, 7)
    plan = cover(r, columns(template_set("fixed3"), r.size, 1800.0))
    table = plan.table(template_set("fixed3"), 1800.0)
    morning = table[table["template"] == "morning"]
    assert not morning["breaks_at_h"].isin(["10.00", "10.50"]).any(), morning


def test_people_needed_allows_for_weekly_offs_and_absence() -> None:
    # 60 person-days in a week; each person works 6 days and is present 90% of them: 11.1 -> 12.
    assert people_needed(60, 7, 1, 0.10) == 12
    assert people_needed(54, 7, 1, 0.0) == 9


@pytest.mark.parametrize(
    ("templates", "needle"),
    [
        ([Template("long", 0.0, 25.0)], "at most 24"),
        ([Template("day", 6.0, 8.0)], "cover every hour"),
        ([Template("odd", 6.25, 8.0), Template("x", 0.0, 24.0)], "30-minute grid"),
    ],
)
def test_bad_templates_are_refused_naming_the_option(templates, needle) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ScenarioError, match=needle) as err:
        check_templates(templates, 1800.0, "--template")
    assert err.value.key == "--template"
