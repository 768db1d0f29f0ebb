"""Shared test helpers: small scenarios built from dicts, without files.

``make_scenario()`` validates a minimal raw scenario through the same path as
a TOML file (:func:`sim.scenario.load.build`): one day, one call type with
constant durations, a constant arrival rate, 2 lines and 2 call-takers in a
24-hour headcount shift, no breaks, no redials, no escalation. Tests change
only what they are about::

    from conftest import call_type, make_scenario, trace

    sc = make_scenario({"lines.count": 1}, arrivals=trace([0, 10]))

Keyword tables deep-merge into the minimal scenario (``staff={"seats": 3}``
keeps the other staff keys), except ``arrivals`` and ``call_types``, which
replace it (their keys depend on the mode and the type names). Dotted
``changes`` are applied last, as in :func:`sim.scenario.variant`.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from sim.scenario.load import apply_changes, build, deep_merge
from sim.scenario.values import Scenario

#: Tables that replace the minimal scenario's rather than merging into it.
REPLACED_TABLES = ("arrivals", "call_types")


def call_type(
    talk_s: float = 300.0,
    *,
    share: float = 1.0,
    after_call_s: float = 0.0,
    patience_s: float | None = None,
    priority: int = 0,
    complaint: bool = False,
    **extra: Any,
) -> dict[str, Any]:
    """A raw call-type table with constant durations in seconds.

    ``patience_s = None`` means callers never abandon. ``extra`` adds raw keys
    as written in a scenario file (``redial={...}``, ``escalation_share=1``,
    ``escalation_talk=120``, ``victim_delay=600``).
    """
    out: dict[str, Any] = {
        "share": share,
        "complaint": complaint,
        "priority": priority,
        "talk": float(talk_s),
        "after_call": float(after_call_s),
        "patience": "inf" if patience_s is None else float(patience_s),
    }
    out.update(extra)
    return out


def trace(first_dial_s: Sequence[float], types: Sequence[str] | None = None) -> dict[str, Any]:
    """A raw ``arrivals`` table with callers at exactly these instants (s)."""
    out: dict[str, Any] = {"mode": "trace", "first_dial_s": [float(x) for x in first_dial_s]}
    if types is not None:
        out["call_type"] = list(types)
    return out


def minimal_raw() -> dict[str, Any]:
    """The raw dict behind :func:`make_scenario` (a fresh copy each call)."""
    return {
        "scenario": {"name": "test"},
        "horizon": {"days": 1, "warmup_days": 0, "seed": 1, "replications": 1, "end": "drain"},
        "arrivals": {"mode": "constant", "calls_per_h": 10},
        "call_types": {"call": call_type()},
        "lines": {"count": 2},
        "queue": {"discipline": "fifo"},
        "staff": {
            "mode": "headcount",
            "seats": 2,
            "shifts": [{"name": "all_day", "start": "00:00", "hours": 24}],
            "headcount": {"call_takers": [2], "escalation": [0]},
            "breaks": [],
        },
        "money": {"enabled": False},
    }


def make_raw(changes: Mapping[str, Any] | None = None, /, **tables: Any) -> dict[str, Any]:
    """The minimal raw scenario with ``tables`` merged in and dotted ``changes`` applied."""
    raw = minimal_raw()
    for name in REPLACED_TABLES:
        if name in tables:
            raw[name] = copy.deepcopy(tables.pop(name))
    raw = deep_merge(raw, tables)
    return apply_changes(raw, dict(changes or {}))


def make_scenario(changes: Mapping[str, Any] | None = None, /, **tables: Any) -> Scenario:
    """A validated :class:`Scenario` from :func:`make_raw` (raises ``ScenarioError``)."""
    return build(make_raw(changes, **tables))


@pytest.fixture
def scenario_factory():
    """:func:`make_scenario` as a fixture, for tests that prefer not to import conftest."""
    return make_scenario


def queue_scenario(
    name: str,
    *,
    calls_per_s: float,
    days: float,
    seed: int,
    call_types: dict[str, Any],
    agents: int,
    lines: int | None = None,
    officers: int = 0,
    replications: int = 1,
    discipline: str = "fifo",
    warmup_days: float = 0.5,
) -> Scenario:
    """A stationary queue for checks against queueing theory.

    Poisson first dials at ``calls_per_s`` with no day-to-day noise, ``agents`` call-takers on
    as many seats all day (``officers`` officers beside them), ``lines`` lines (None:
    unlimited), the given raw ``call_types``; the first ``warmup_days`` are cut.
    """
    return make_scenario(
        {
            "scenario.name": name,
            "horizon.days": days,
            "horizon.warmup_days": warmup_days,
            "horizon.seed": seed,
            "horizon.replications": replications,
            "arrivals.calls_per_h": calls_per_s * 3600,
            "arrivals.daily_cv": 0,
            "lines.count": "unlimited" if lines is None else lines,
            "queue.discipline": discipline,
            "staff.seats": agents,
            "staff.headcount": {"call_takers": [agents], "escalation": [officers]},
        },
        call_types=call_types,
    )
