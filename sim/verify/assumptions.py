"""The assumptions every formula case shares, checked once for both kinds of case.

A queueing formula describes Poisson arrivals at a constant rate and the same ``c`` people all
day: :func:`poisson_arrivals` and :func:`fixed_staff` check those parts of a scenario and name
the key that departs from them, through the ``require`` of the caller (which words the error
for its own check: :mod:`sim.verify.exact` for the call-takers' queues,
:mod:`sim.verify.officer_queue` for the officers').
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sim.errors import described
from sim.scenario import Scenario
from sim.scenario.values import DAY_S

#: ``require(ok, key, allowed, got, scenario)`` raises a ScenarioError when not ``ok``.
Require = Callable[[bool, str, str, Any, Scenario], None]


def poisson_arrivals(sc: Scenario, require: Require) -> float:
    """A homogeneous Poisson process of first dials: its rate, per second."""
    a = sc.arrivals
    require(a.mode == "constant", "arrivals.mode", '"constant"', a.mode, sc)
    require(a.daily_cv == 0, "arrivals.daily_cv", "0", a.daily_cv, sc)
    require(set(a.day_of_week) == {1.0}, "arrivals.day_of_week", "all equal", a.day_of_week, sc)
    require(not a.surges, "arrivals.surges", "empty", described(f"<{len(a.surges)} surges>"), sc)
    return a.callers_per_day / DAY_S


def fixed_staff(sc: Scenario, require: Require) -> int:
    """The same call-takers all day, every day, each on a seat: their number."""
    st = sc.staff
    require(st.mode == "headcount", "staff.mode", '"headcount"', st.mode, sc)
    require(
        len(st.shifts) == 1 and st.shifts[0].duration_s == DAY_S,
        "staff.shifts",
        "one 24-hour shift",
        [(s.name, s.duration_s / 3600) for s in st.shifts],
        sc,
    )
    require(not st.breaks, "staff.breaks", "empty", described(f"<{len(st.breaks)} breaks>"), sc)
    c = st.headcount_call_takers[0]
    require(st.seats == c, "staff.seats", f"the headcount ({c})", st.seats, sc)
    require(sc.horizon.end == "drain", "horizon.end", '"drain"', sc.horizon.end, sc)
    return c
