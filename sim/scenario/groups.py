"""``[[staff.groups]]``: skill groups of call-takers in interval mode (routing by skill).

Each group names the call types its people answer (``serves``) and how many of them are on
duty per interval (``call_takers``, the rows of ``staff.interval.call_takers``: one list,
seven, or one per date with ``staff.interval.by = "date"``). A call is answered only by a
group that serves its type; docs/scenarios.md gives the rule of the hand-out. Read with the
``[staff]`` table (:func:`read_groups`); checked against the call types and the options that
hand calls to any call-taker once those are known (:func:`check_groups`).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from sim.errors import ScenarioError, described
from sim.scenario.reader import Reader
from sim.scenario.values import Staff, StaffGroup

_NAME = re.compile(r"[A-Za-z0-9_-]+")
Rows = tuple[tuple[int, ...], ...]


def read_groups(
    r: Reader,
    mode: str,
    n: int,
    by_date: bool,
    allow_gaps: bool,
    counts: Callable[[Reader, str, int, list[int], bool], Rows],
) -> tuple[StaffGroup, ...]:
    """``staff.groups`` of the staff table ``r`` (``()`` when absent).

    ``n`` intervals a day; ``counts(reader, key, n, default, by_date)`` reads one key's rows as
    ``staff.interval.call_takers`` is read.
    """
    key = r.key("groups")
    raw = r.raw("groups", [])
    if not isinstance(raw, list) or not all(isinstance(g, dict) for g in raw):
        raise ScenarioError(key, "an array of tables [[staff.groups]]", raw)
    if not raw:
        return ()
    if mode != "interval":
        raise ScenarioError(
            key,
            'absent unless staff.mode = "interval" (each group is a count per interval)',
            described(f"<{len(raw)} groups with staff.mode = {mode!r}>"),
        )
    interval = r.table.get("interval", {})
    if isinstance(interval, dict) and "call_takers" in interval:
        raise ScenarioError(
            r.key("interval.call_takers"),
            "absent when staff.groups is given (each group has its own call_takers)",
            interval["call_takers"],
        )
    groups: list[StaffGroup] = []
    for i, g in enumerate(raw):
        gr = Reader(g, f"{key}[{i}]")
        name = gr.string("name")
        if not _NAME.fullmatch(name):
            raise ScenarioError(gr.key("name"), "a name of letters, digits, _ or -", name)
        if name in {x.name for x in groups}:
            raise ScenarioError(gr.key("name"), "a name no other group has", name)
        serves = gr.strings("serves")
        if not serves or len(set(serves)) != len(serves):
            raise ScenarioError(gr.key("serves"), "a non-empty list of distinct call types", serves)
        gr.raw("call_takers")  # required: a missing key is named as such
        rows = counts(gr, "call_takers", n, [], by_date)
        if groups and len(rows) != len(groups[0].call_takers):
            raise ScenarioError(
                gr.key("call_takers"),
                f"as many lists as {key}[0].call_takers ({len(groups[0].call_takers)})",
                described(f"<{len(rows)} lists>"),
            )
        if not allow_gaps and min(min(row) for row in rows) < 1:
            raise ScenarioError(
                gr.key("call_takers"),
                "at least 1 in every interval (or set staff.allow_uncovered_hours = true)",
                described("<an interval with 0>"),
            )
        gr.finish()
        groups.append(StaffGroup(name, serves, rows))
    return tuple(groups)


def total(groups: tuple[StaffGroup, ...]) -> Rows:
    """Call-takers on duty per interval, all groups together (same rows as each group's)."""
    return tuple(
        tuple(sum(col) for col in zip(*rows, strict=True))
        for rows in zip(*(g.call_takers for g in groups), strict=True)
    )


def check_groups(staff: Staff, names: list[str], callbacks: bool, deferred: bool) -> None:
    """The groups against the call types: every name served is a call type and every call
    type is served; callbacks and deferred work, handed to any free call-taker, are not
    routed by skill, so they are refused with groups.
    """
    if not staff.groups:
        return
    for i, g in enumerate(staff.groups):
        for t in g.serves:
            if t not in names:
                allowed = "names from call_types (" + ", ".join(names) + ")"
                raise ScenarioError(f"staff.groups[{i}].serves", allowed, t)
    served = {t for g in staff.groups for t in g.serves}
    for t in names:
        if t not in served:
            raise ScenarioError(
                "staff.groups",
                "groups that together serve every call type",
                described(f"<no group serves {t!r}>"),
            )
    for on, what in ((callbacks, "callbacks are enabled"), (deferred, "deferred work arrives")):
        if on:
            raise ScenarioError(
                "staff.groups",
                f"absent when {what} (that work goes to any free call-taker, not by skill)",
                described(f"<{len(staff.groups)} groups>"),
            )
