"""The ``[staff]`` table: roster or headcount, seats, shifts, breaks, ranks, and their rules.

Validated here, before any simulation: shift coverage, seats against people,
teams against shifts and people, rest between rotating shifts, officers on
every team when calls escalate.
"""

from __future__ import annotations

import math
from typing import Any

from sim.errors import ScenarioError, described
from sim.scenario.groups import read_groups, total
from sim.scenario.limits import Limits
from sim.scenario.reader import Reader
from sim.scenario.values import DAY_S, Break, Rank, Shift, Staff, team_sizes

DEFAULT_RANKS = {
    "inspector": {"count": 6, "women": 1},
    "sub_inspector": {"count": 15, "women": 8},
    "constable": {"count": 150, "women": 62},
}
DEFAULT_SHIFTS = [
    {"name": "morning", "start": "06:00", "hours": 8},
    {"name": "evening", "start": "14:00", "hours": 8},
    {"name": "night", "start": "22:00", "hours": 8},
]


def _clock_s(r: Reader, name: str, default: Any) -> float:
    v = r.raw(name, default)
    try:
        hh, mm = str(v).split(":")
        h, m = int(hh), int(mm)
        if not (0 <= h <= 23 and 0 <= m <= 59):
            raise ValueError
    except ValueError:
        raise ScenarioError(r.key(name), 'a time of day "HH:MM" (00:00 to 23:59)', v) from None
    return h * 3600.0 + m * 60.0


def read_staff(r: Reader, file: str | None, limits: Limits | None = None) -> Staff:
    """Read the ``[staff]`` table: mode, seats, ranks, shifts and breaks, within ``limits``."""
    limits = limits or Limits()
    mode = r.choice("mode", ("roster", "headcount", "interval"), "roster")
    seats = r.number("seats", 30, lo=1, integer=True)
    shifts = []
    raw_shifts = r.raw("shifts", DEFAULT_SHIFTS)
    if not isinstance(raw_shifts, list) or not raw_shifts:
        raise ScenarioError(
            r.key("shifts"), "a non-empty array of tables [[staff.shifts]]", raw_shifts
        )
    for i, s in enumerate(raw_shifts):
        sr = Reader(s, f"{r.key('shifts')}[{i}]")
        name = sr.string("name", f"shift{i + 1}")
        start = _clock_s(sr, "start", None)
        hours = sr.number("hours", lo=0, lo_open=True, hi=24)
        sr.finish()
        shifts.append(Shift(name, start, hours * 3600.0))
    allow_gaps = r.boolean("allow_uncovered_hours", False)
    covered = [False] * 1440
    for s in shifts:
        m0 = int(s.start_s // 60)
        for m in range(m0, m0 + int(math.ceil(s.duration_s / 60))):
            covered[m % 1440] = True
    if not allow_gaps and not all(covered):
        first = covered.index(False)
        raise ScenarioError(
            r.key("shifts"),
            "shifts that cover all 24 hours (or set staff.allow_uncovered_hours = true)",
            described(f"<no shift at {first // 60:02d}:{first % 60:02d}>"),
        )
    breaks = []
    raw_breaks = r.raw("breaks", [])
    if not isinstance(raw_breaks, list):
        raise ScenarioError(r.key("breaks"), "an array of tables [[staff.breaks]]", raw_breaks)
    for i, b in enumerate(raw_breaks):
        br = Reader(b, f"{r.key('breaks')}[{i}]")
        after = br.seconds("after_h", 3600.0, lo=0)
        dur = br.seconds("duration_min", 60.0, lo=0, lo_open=True)
        groups = br.number("groups", 1, lo=1, integer=True)
        br.finish()
        shortest = min(s.duration_s for s in shifts)
        if after + groups * dur > shortest:
            raise ScenarioError(
                br.prefix,
                f"breaks that end within the shortest shift "
                f"({shortest / 3600:g} h): after_h + groups * duration_min",
                described(f"<ends {(after + groups * dur) / 3600:g} h into the shift>"),
            )
        breaks.append(Break(after, dur, groups))
    ranks_raw = r.raw("ranks", DEFAULT_RANKS)
    rk = Reader(ranks_raw, r.key("ranks"))
    ranks = []
    for name in list(ranks_raw):
        one = rk.sub(name)
        count = one.number("count", lo=0, integer=True)
        women = one.number("women", 0, lo=0, integer=True)
        one.finish()
        if women > count:
            raise ScenarioError(one.key("women"), f"at most count ({count})", women)
        ranks.append(Rank(name, count, women))
    if mode == "roster" and ranks:  # checked before anything is built per person
        largest = max(ranks, key=lambda x: x.count)
        everyone = sum(x.count for x in ranks)
        limits.check(
            "people",
            rk.key(f"{largest.name}.count") if "." not in largest.name else rk.prefix,
            everyone,
            "counts whose sum over all ranks is",
        )
    rank_names = {x.name for x in ranks}
    takers = r.strings("call_taker_ranks", ["constable"])
    escal = r.strings("escalation_ranks", ["sub_inspector"])
    for key, names in (("call_taker_ranks", takers), ("escalation_ranks", escal)):
        for name in names:
            if name not in rank_names:
                raise ScenarioError(
                    r.key(key),
                    "names from staff.ranks (" + ", ".join(sorted(rank_names)) + ")",
                    name,
                )
    if not takers:
        raise ScenarioError(r.key("call_taker_ranks"), "at least one name from staff.ranks", [])
    both = set(takers) & set(escal)
    if both:
        raise ScenarioError(
            r.key("escalation_ranks"), "ranks not also in call_taker_ranks", sorted(both)
        )
    supervisors, supervision = _supervisors(r, mode, rank_names, takers + escal)
    teams = r.number("teams", 3, lo=1, integer=True)
    rotation = r.number("rotation_days", 7, lo=0, integer=True)
    weekly_offs = r.number("weekly_offs", 1, lo=0, hi=6, integer=True)
    absence = r.number("absence_rate", 0.10, lo=0, hi=1)
    if absence >= 1:
        raise ScenarioError(r.key("absence_rate"), "a number >= 0 and < 1", absence)
    n = len(shifts)
    hc = r.sub("headcount", {})
    hc_takers = hc.numbers("call_takers", (44,) * n, length=n, integer=True)
    hc_escal = hc.numbers("escalation", (5,) * n, length=n, integer=True)
    hc.finish()
    if mode == "headcount":
        limits.check("people", hc.prefix, sum(hc_takers) + sum(hc_escal), "headcounts summing to")
    shares = _team_shares(r, teams)
    interval_s, by_takers, by_escal, by_date = _read_interval(r, allow_gaps)
    groups = read_groups(r, mode, len(by_takers[0]), by_date, allow_gaps, _counts_by_day)
    if groups:
        by_takers = total(groups)
    if mode == "interval":
        # the people built: each group's own most on duty (a group's people serve only it)
        takers_built = (
            sum(max(map(max, g.call_takers)) for g in groups)
            if groups
            else max(map(max, by_takers))
        )
        limits.check(
            "people",
            r.key("groups" if groups else "interval"),
            takers_built + max(map(max, by_escal)),
            "people (each group's most on duty, summed, and escalation's most)"
            if groups
            else "counts summing to",
        )
        if breaks:
            raise ScenarioError(
                r.key("breaks"),
                "empty in interval mode (the counts are the people on duty, breaks already out)",
                raw_breaks,
            )
        most = max(max(row) for row in by_takers)
        if seats > most:
            raise ScenarioError(
                r.key("seats"),
                "at most the most call-takers on duty at once in "
                f"{'staff.groups together' if groups else 'staff.interval'} ({most})",
                seats,
            )
    elif mode == "roster":
        if teams < n:
            raise ScenarioError(r.key("teams"), f">= the number of shifts ({n})", teams)
        everyone = sum(x.count for x in ranks)
        if teams > everyone:  # checked before dealing people into teams
            raise ScenarioError(
                r.key("teams"), f"at most the {everyone} people in staff.ranks", teams
            )
        counts = [x.count for x in ranks if x.name in takers]
        if min(team_sizes(ranks, teams, takers, shares)) < 1 and not allow_gaps:
            raise ScenarioError(
                r.key("teams"),
                f"at most the {sum(counts)} people in call-taking ranks, so every team has a "
                "call-taker "
                "(or set staff.allow_uncovered_hours = true)",
                teams,
            )
        if rotation:
            _check_rest(r, shifts, teams)
        people = sum(counts)
        if seats > people:
            raise ScenarioError(
                r.key("seats"), f"at most the {people} people in call-taking ranks", seats
            )
    else:
        most = sum(hc_takers)  # overlapping shifts can have everyone on duty at once
        if seats > most:
            raise ScenarioError(
                r.key("seats"),
                f"at most the call-takers of all shifts together ({most})",
                seats,
            )
        if min(hc_takers) < 1 and not allow_gaps:
            raise ScenarioError(
                r.key("headcount.call_takers"),
                "at least 1 per shift (or set staff.allow_uncovered_hours = true)",
                list(hc_takers),
            )
    r.finish()
    return Staff(
        mode,
        seats,
        takers,
        escal,
        tuple(ranks),
        teams,
        tuple(shifts),
        rotation,
        weekly_offs,
        absence,
        tuple(breaks),
        hc_takers,
        hc_escal,
        allow_gaps,
        shares,
        interval_s,
        by_takers,
        by_escal,
        by_date,
        supervisors,
        supervision,
        groups,
    )


def _supervisors(
    r: Reader, mode: str, rank_names: set[str], others: tuple[str, ...]
) -> tuple[tuple[str, ...], float]:
    """``staff.supervisor_ranks`` (roster mode: ranks on duty as shift supervisors) and
    ``staff.supervision_share`` (the share of their on-duty time spent supervising).
    """
    names = r.strings("supervisor_ranks", [])
    for name in names:
        if name not in rank_names:
            raise ScenarioError(
                r.key("supervisor_ranks"),
                "names from staff.ranks (" + ", ".join(sorted(rank_names)) + ")",
                name,
            )
    taken = sorted(set(names) & set(others))
    if taken:
        raise ScenarioError(
            r.key("supervisor_ranks"),
            "ranks not also in call_taker_ranks or escalation_ranks",
            taken,
        )
    if names and mode != "roster":
        raise ScenarioError(
            r.key("supervisor_ranks"),
            'empty unless staff.mode = "roster" (supervisors are people of a rank)',
            list(names),
        )
    share = r.number("supervision_share", 0.5, lo=0, hi=1)
    return names, share


def _team_shares(r: Reader, teams: int) -> tuple[float, ...]:
    """``staff.team_shares``: each team's share of the people (roster mode); () if not given."""
    if not r.has("team_shares"):
        r.raw("team_shares", None)
        return ()
    shares = r.numbers("team_shares", length=teams)
    if min(shares) <= 0:
        raise ScenarioError(
            r.key("team_shares"), f"a list of {teams} numbers > 0 (one per team)", list(shares)
        )
    if abs(sum(shares) - 1.0) > 1e-6:
        raise ScenarioError(
            r.key("team_shares"), "shares that sum to 1", described(f"<sum {sum(shares):.6g}>")
        )
    return shares


def _read_interval(
    r: Reader, allow_gaps: bool
) -> tuple[float, tuple[tuple[int, ...], ...], tuple[tuple[int, ...], ...], bool]:
    """``[staff.interval]``: people on duty per interval of the day (interval mode).

    ``call_takers`` and ``escalation`` are one list of counts per interval (every day
    the same) or seven such lists (Monday..Sunday); with ``by = "date"``, one list per
    day of the horizon from ``horizon.start_date`` (a log's own dates, for replaying it).
    Returns the interval in seconds, both as tuples of rows, and whether rows are dates.
    Read in every mode, so a typo is caught wherever it is.
    """
    ir = r.sub("interval", {})
    minutes = ir.number("minutes", 30, lo=1, hi=1440, integer=True)
    if 1440 % minutes:
        raise ScenarioError(
            ir.key("minutes"), "a whole number of minutes that divides 1440", minutes
        )
    by_date = ir.choice("by", ("weekday", "date"), "weekday") == "date"
    n = 1440 // minutes
    takers = _counts_by_day(ir, "call_takers", n, [44] * n, by_date)
    escal = _counts_by_day(ir, "escalation", n, [5] * n, by_date)
    ir.finish()
    if not allow_gaps and min(min(row) for row in takers) < 1:
        raise ScenarioError(
            ir.key("call_takers"),
            "at least 1 in every interval (or set staff.allow_uncovered_hours = true)",
            described("<an interval with 0>"),
        )
    return minutes * 60.0, takers, escal, by_date


def _whole_count(x: object) -> bool:
    """Whether ``x`` is a whole number >= 0 (an int, or a float with no fraction). An int
    too large for a float is whole too: the people limit refuses it later, by name.
    """
    if isinstance(x, bool):
        return False
    if isinstance(x, int):
        return x >= 0
    return isinstance(x, float) and math.isfinite(x) and x >= 0 and x.is_integer()


def _counts_by_day(
    ir: Reader, name: str, n: int, default: list[int], by_date: bool = False
) -> tuple[tuple[int, ...], ...]:
    """One list of ``n`` whole counts >= 0, or seven of them (Monday..Sunday), or with
    ``by_date`` one per day of the horizon (the count is checked against the horizon later).
    """
    v = ir.raw(name, default)
    rows = v if isinstance(v, list) and v and all(isinstance(x, list) for x in v) else [v]
    if by_date:
        allowed = f"lists of {n} whole numbers >= 0 (one per interval), one list per date"
    else:
        allowed = f"a list of {n} whole numbers >= 0 (one per interval), or seven such lists"
    if not by_date and len(rows) not in (1, 7):
        raise ScenarioError(
            ir.key(name), allowed + " (Monday..Sunday)", described(f"<{len(rows)} lists>")
        )
    out = []
    for row in rows:
        ok = isinstance(row, list) and len(row) == n and all(_whole_count(x) for x in row)
        if not ok:
            raise ScenarioError(ir.key(name), allowed, row)
        out.append(tuple(int(x) for x in row))
    return tuple(out)


def _check_rest(r: Reader, shifts: list[Shift], teams: int) -> None:
    """Reject a rotation that sends a team from one shift straight into the next.

    Teams rotate backwards through the shift list (see sim/core/roster.py): a team
    on shift k moves to shift k-1 the next day. If shift k-1 of the next day
    starts when (or before) shift k ends, people would work a double shift.
    """
    n = len(shifts)
    for k, shift in enumerate(shifts):
        nxt = (k - 1) % teams
        if nxt >= n or nxt == k:  # resting, or the same shift again (no rotation)
            continue
        rest_s = DAY_S + shifts[nxt].start_s - (shift.start_s + shift.duration_s)
        if rest_s <= 0:
            raise ScenarioError(
                r.key("shifts"),
                "an order in which rotating teams get rest between shifts (teams move from "
                "each shift to the one listed before it; list the night shift first, or set "
                "staff.rotation_days = 0)",
                described(
                    f"<shift {shift.name!r} runs straight into {shifts[nxt].name!r} "
                    "on the next day>"
                ),
            )


def check_dates(staff: Staff, days: float) -> None:
    """With ``staff.interval.by = "date"``, one list per day of the horizon (``days``)."""
    if staff.mode != "interval" or not staff.interval_by_date:
        return
    want = math.ceil(days)
    named = [
        ("staff.interval.call_takers", staff.interval_call_takers),
        ("staff.interval.escalation", staff.interval_escalation),
    ]
    if staff.groups:  # the groups' rows, not their sum, are what the file says
        named[0:1] = [
            (f"staff.groups[{i}].call_takers", g.call_takers) for i, g in enumerate(staff.groups)
        ]
    for key, rows in named:
        if len(rows) not in (1, want):
            raise ScenarioError(
                key,
                f"one list per date of the horizon ({want} for horizon.days = {days:g}), or one "
                "list for every date",
                described(f"<{len(rows)} lists>"),
            )


def check_supervisors(staff: Staff) -> None:
    """Escalations routed to supervisors need one in every team, and some of their time."""
    sizes = team_sizes(staff.ranks, staff.teams, staff.supervisor_ranks, staff.team_shares)
    if not staff.supervisor_ranks or min(sizes) < 1:
        raise ScenarioError(
            "staff.supervisor_ranks",
            f"ranks with a supervisor in each of the {staff.teams} teams when an escalation "
            "rule sends calls to them",
            described(f"<supervisors per team {sizes} from {list(staff.supervisor_ranks)}>"),
        )
    if staff.supervision_share >= 1:
        raise ScenarioError(
            "staff.supervision_share",
            "less than 1 when an escalation rule sends calls to supervisors",
            staff.supervision_share,
        )


def check_officers(staff: Staff) -> None:
    """Escalated calls need an officer on every shift (every team, in a roster; every
    interval in interval mode).
    """
    if staff.mode == "interval":
        if min(min(row) for row in staff.interval_escalation) < 1:
            raise ScenarioError(
                "staff.interval.escalation",
                "at least 1 officer in every interval when a call type has escalation_share > 0",
                described("<an interval with 0>"),
            )
        return
    if staff.mode == "headcount":
        if min(staff.headcount_escalation) < 1:
            raise ScenarioError(
                "staff.headcount.escalation",
                "at least 1 officer per shift when a call type has escalation_share > 0",
                list(staff.headcount_escalation),
            )
        return
    officers = team_sizes(staff.ranks, staff.teams, staff.escalation_ranks, staff.team_shares)
    if min(officers) < 1:
        raise ScenarioError(
            "staff.escalation_ranks",
            f"ranks with an officer in each of the {staff.teams} teams when a call type has "
            "escalation_share > 0 (one rank needs count >= staff.teams)",
            described(f"<officers per team {officers} from {list(staff.escalation_ranks)}>"),
        )
