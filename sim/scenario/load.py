"""Read scenario TOML files: ``extends`` chains, merging, validation.

``load_scenario(path)`` returns a frozen :class:`~sim.scenario.types.Scenario`
or raises :class:`~sim.errors.ScenarioError` naming the file and key. Defaults
are the Bihar 1930 baseline of DOMAIN.md section 4; docs/scenarios.md lists
every key.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
import tomllib
from pathlib import Path
from typing import Any

from sim.errors import ScenarioError
from sim.scenario.reader import Reader
from sim.scenario.types import (
    DAY_S,
    Arrivals,
    Break,
    CallType,
    Horizon,
    Money,
    Rank,
    Redial,
    Scenario,
    Shift,
    Staff,
    Surge,
    Targets,
    team_sizes,
)

#: Share of a day's calls in each hour 00..23 (DOMAIN.md section 4, label A).
BIHAR_HOURLY_PCT = (
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
)
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


def deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """Tables merge key by key; arrays and scalars in ``over`` replace.

    A distribution table in ``over`` (one with a ``dist`` key) replaces the
    base's whole: its parameters must not mix with those of the distribution
    it replaces (a gamma inheriting a lognormal's ``log_sd``).
    """
    out = copy.deepcopy(base)
    for k, v in over.items():
        if isinstance(v, dict) and "dist" not in v and isinstance(out.get(k), dict):
            out[k] = deep_merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


def read_raw(path: str | Path, _chain: tuple[Path, ...] = ()) -> dict[str, Any]:
    """Read a TOML file and everything it ``extends``, merged, without validation."""
    p = Path(path)
    if not p.is_file():
        raise ScenarioError("file", "an existing scenario file", str(path), file=str(path))
    resolved = p.resolve()
    if resolved in _chain:  # named by the file whose extends closes the loop
        loop = " -> ".join(x.name for x in (*_chain, resolved))
        raise ScenarioError("extends", "a chain without cycles", f"<{loop}>", file=str(_chain[-1]))
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError("file", "valid TOML", f"<{exc}>", file=str(path)) from None
    except UnicodeDecodeError:
        raise ScenarioError("file", "UTF-8 text", "<undecodable bytes>", file=str(path)) from None
    parent = data.pop("extends", None)
    if parent is None:
        return data
    if not isinstance(parent, str):
        raise ScenarioError("extends", "a path to another scenario file", parent, file=str(path))
    target = p.parent / parent
    if not target.is_file():  # a parent that exists but is not valid TOML names itself
        raise ScenarioError(
            "extends",
            "a path (relative to this file's folder) to an existing scenario file",
            parent,
            file=str(path),
        )
    merged = deep_merge(read_raw(target, (*_chain, resolved)), data)
    own = data.get("scenario")
    if not (isinstance(own, dict) and "name" in own) and isinstance(merged.get("scenario"), dict):
        merged["scenario"].pop("name", None)  # a name names one file: never inherited
    return merged


def load_scenario(path: str | Path) -> Scenario:
    """Load, merge and validate a scenario file."""
    raw = read_raw(path)
    meta = raw.setdefault("scenario", {})
    if isinstance(meta, dict):  # otherwise build() reports "scenario: must be a table"
        meta.setdefault("name", Path(path).stem)
    return build(raw, file=str(path))


def apply_changes(
    raw: dict[str, Any], changes: dict[str, Any], file: str | None = None
) -> dict[str, Any]:
    """Return ``raw`` with dotted-key values set (tables created as needed)."""
    out = copy.deepcopy(raw)
    for dotted, value in changes.items():
        parts = dotted.split(".")
        node = out
        for i, part in enumerate(parts[:-1]):
            nxt = node.setdefault(part, {})
            if not isinstance(nxt, dict):
                raise ScenarioError(
                    ".".join(parts[: i + 1]), "a table to set a key in", nxt, file=file
                )
            node = nxt
        node[parts[-1]] = value
    return out


def build(raw: dict[str, Any], file: str | None = None) -> Scenario:
    """Validate a merged raw scenario into a :class:`Scenario`."""
    try:
        return _build(raw, file)
    except ScenarioError as exc:
        raise exc.in_file(file) if file else exc from None


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


def _horizon(r: Reader) -> Horizon:
    days = r.number("days", 28.0, lo=0, lo_open=True)
    warmup = r.number("warmup_days", 1.0, lo=0)
    if warmup >= days:
        raise ScenarioError(r.key("warmup_days"), f"less than horizon.days ({days:g})", warmup)
    start = r.raw("start_date", dt.date(2023, 7, 3))
    if isinstance(start, str):
        try:
            start = dt.date.fromisoformat(start)
        except ValueError:
            raise ScenarioError(r.key("start_date"), "a date YYYY-MM-DD", start) from None
    if isinstance(start, dt.datetime) or not isinstance(start, dt.date):
        raise ScenarioError(r.key("start_date"), "a date YYYY-MM-DD", start)
    seed = r.number("seed", 1930, lo=0, integer=True)
    reps = r.number("replications", 1, lo=1, integer=True)
    end = r.choice("end", ("drain", "cut"), "drain")
    r.finish()
    return Horizon(days, warmup, start, seed, reps, end)


def _trace(r: Reader, horizon: Horizon) -> Arrivals:
    """``mode = "trace"``: callers at given instants, optionally with their call types."""
    times = r.numbers("first_dial_s")
    for x in times:
        if x >= horizon.end_s:
            raise ScenarioError(
                r.key("first_dial_s"),
                f"instants in seconds >= 0 and before the horizon end ({horizon.end_s:g} s)",
                x,
            )
    types: tuple[str, ...] = ()
    if r.has("call_type"):
        types = r.strings("call_type")
        if len(types) != len(times):
            raise ScenarioError(
                r.key("call_type"),
                f"one call-type name per first dial ({len(times)} names)",
                f"<{len(types)} names>",
            )
    r.finish()
    order = sorted(range(len(times)), key=times.__getitem__)  # stable: ties keep file order
    times = tuple(times[i] for i in order)
    types = tuple(types[i] for i in order) if types else ()
    per_day = len(times) / horizon.days
    return Arrivals("trace", per_day, (1.0,), (1.0,) * 7, 0.0, (), times, types)


def _arrivals(r: Reader, horizon: Horizon) -> Arrivals:
    mode = r.choice("mode", ("profile", "constant", "trace"), "profile")
    if mode == "trace":
        return _trace(r, horizon)
    if mode == "constant":
        per_h = r.number("calls_per_h", lo=0, lo_open=True)
        profile, per_day = (1.0,), per_h * 24.0
        dow = r.numbers("day_of_week", (1.0,) * 7, length=7)
        cv = r.number("daily_cv", 0.0, lo=0)
    else:
        per_day = r.number("callers_per_day", 1500.0, lo=0, lo_open=True)
        profile = r.numbers("profile", BIHAR_HOURLY_PCT)
        if 86_400 % len(profile) or sum(profile) <= 0:
            raise ScenarioError(
                r.key("profile"),
                "weights for equal slots that divide a day "
                "(24, 48, 96, ... values) with a positive sum",
                list(profile),
            )
        dow = r.numbers("day_of_week", (1.0,) * 7, length=7)
        cv = r.number("daily_cv", 0.12, lo=0)
    if sum(dow) <= 0:
        raise ScenarioError(r.key("day_of_week"), "7 factors with a positive sum", list(dow))
    mean_dow = sum(dow) / 7.0
    surges = []
    raw_surges = r.raw("surges", [])
    if not isinstance(raw_surges, list):
        raise ScenarioError(r.key("surges"), "an array of tables [[arrivals.surges]]", raw_surges)
    for i, s in enumerate(raw_surges):
        sr = Reader(s, f"{r.key('surges')}[{i}]")
        if sr.has("start") == sr.has("start_h"):
            raise ScenarioError(
                sr.prefix,
                "a surge with exactly one of start (date-time) or "
                "start_h (hours from the horizon start)",
                s,
            )
        if sr.has("start"):
            when = sr.raw("start")
            if isinstance(when, str):
                try:
                    when = dt.datetime.fromisoformat(when)
                except ValueError:
                    when = None
            if not isinstance(when, dt.datetime):
                raise ScenarioError(
                    sr.key("start"), "a date-time YYYY-MM-DDTHH:MM:SS", sr.raw("start")
                )
            start_s = (when - dt.datetime.combine(horizon.start_date, dt.time())).total_seconds()
        else:
            start_s = sr.number("start_h", lo=0) * 3600.0
        if not 0 <= start_s < horizon.end_s:
            raise ScenarioError(
                sr.prefix,
                f"a start within the horizon (0 to {horizon.days:g} days)",
                f"<{start_s / 3600:g} h from the start>",
            )
        dur = sr.number("duration_h", lo=0, lo_open=True) * 3600.0
        mult = sr.number("multiplier", lo=0)
        sr.finish()
        surges.append(Surge(start_s, dur, mult))
    r.finish()
    return Arrivals(mode, per_day, profile, tuple(d / mean_dow for d in dow), cv, tuple(surges))


def _call_type(name: str, r: Reader) -> CallType:
    share = r.number("share", lo=0, hi=1)
    complaint = r.boolean("complaint", False)
    priority = r.number("priority", 0, integer=True)
    talk = r.dist("talk")
    acw = r.dist("after_call", 0.0)
    patience = (
        r.dist("patience", None)
        if r.has("patience") and r.table["patience"] not in ("inf", "infinite")
        else None
    )
    if patience is None:
        r.used.add("patience")
    rr = r.sub("redial", {})
    redial = Redial(
        after_busy=rr.number("after_busy", 0.0, lo=0, hi=1),
        after_abandon=rr.number("after_abandon", 0.0, lo=0, hi=1),
        decay=rr.number("decay", 1.0, lo=0, hi=1),
        max_attempts=rr.number("max_attempts", 10, lo=1, integer=True),
        delay_after_busy=rr.dist("delay_after_busy", {"dist": "exponential", "mean_min": 3}),
        delay_after_abandon=rr.dist("delay_after_abandon", {"dist": "exponential", "mean_min": 5}),
    )
    rr.finish()
    victim = r.dist("victim_delay", 0.0)
    esc_share = r.number("escalation_share", 0.0, lo=0, hi=1)
    esc_talk = r.dist("escalation_talk", {"dist": "deterministic", "value_min": 10})
    r.finish()
    from sim.distributions import Dist

    inf_patience = Dist("deterministic", (("value", math.inf),))
    return CallType(
        name,
        share,
        complaint,
        priority,
        talk,
        acw,
        patience or inf_patience,
        redial,
        victim,
        esc_share,
        esc_talk,
    )


def _staff(r: Reader, file: str | None) -> Staff:
    mode = r.choice("mode", ("roster", "headcount"), "roster")
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
            f"<no shift at {first // 60:02d}:{first % 60:02d}>",
        )
    breaks = []
    raw_breaks = r.raw("breaks", [])
    if not isinstance(raw_breaks, list):
        raise ScenarioError(r.key("breaks"), "an array of tables [[staff.breaks]]", raw_breaks)
    for i, b in enumerate(raw_breaks):
        br = Reader(b, f"{r.key('breaks')}[{i}]")
        after = br.number("after_h", lo=0) * 3600.0
        dur = br.number("duration_min", lo=0, lo_open=True) * 60.0
        groups = br.number("groups", 1, lo=1, integer=True)
        br.finish()
        shortest = min(s.duration_s for s in shifts)
        if after + groups * dur > shortest:
            raise ScenarioError(
                br.prefix,
                f"breaks that end within the shortest shift "
                f"({shortest / 3600:g} h): after_h + groups * duration_min",
                f"<ends {(after + groups * dur) / 3600:g} h into the shift>",
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
    rank_names = {x.name for x in ranks}
    takers = r.strings("call_taker_ranks", ["constable"])
    escal = r.strings("escalation_ranks", ["sub_inspector"])
    for key, names in (("call_taker_ranks", takers), ("escalation_ranks", escal)):
        for n in names:
            if n not in rank_names:
                raise ScenarioError(
                    r.key(key), "names from staff.ranks (" + ", ".join(sorted(rank_names)) + ")", n
                )
    if not takers:
        raise ScenarioError(r.key("call_taker_ranks"), "at least one name from staff.ranks", [])
    both = set(takers) & set(escal)
    if both:
        raise ScenarioError(
            r.key("escalation_ranks"), "ranks not also in call_taker_ranks", sorted(both)
        )
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
    if mode == "roster":
        if teams < n:
            raise ScenarioError(r.key("teams"), f">= the number of shifts ({n})", teams)
        counts = [x.count for x in ranks if x.name in takers]
        if min(team_sizes(ranks, teams, takers)) < 1 and not allow_gaps:
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
        most = max(hc_takers)
        if seats > most:
            raise ScenarioError(
                r.key("seats"),
                f"at most the largest call-taker headcount of a shift ({most})",
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
    )


def _check_rest(r: Reader, shifts: list[Shift], teams: int) -> None:
    """Reject a rotation that sends a team from one shift straight into the next.

    Teams rotate backwards through the shift list (see sim/roster.py): a team
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
                f"<shift {shift.name!r} runs straight into {shifts[nxt].name!r} on the next day>",
            )


def _check_officers(staff: Staff) -> None:
    """Escalated calls need an officer on every shift (every team, in a roster)."""
    if staff.mode == "headcount":
        if min(staff.headcount_escalation) < 1:
            raise ScenarioError(
                "staff.headcount.escalation",
                "at least 1 officer per shift when a call type has escalation_share > 0",
                list(staff.headcount_escalation),
            )
        return
    officers = team_sizes(staff.ranks, staff.teams, staff.escalation_ranks)
    if min(officers) < 1:
        raise ScenarioError(
            "staff.escalation_ranks",
            f"ranks with an officer in each of the {staff.teams} teams when a call type has "
            "escalation_share > 0 (one rank needs count >= staff.teams)",
            f"<officers per team {officers} from {list(staff.escalation_ranks)}>",
        )


def _build(raw: dict[str, Any], file: str | None) -> Scenario:
    top = Reader(raw, "")
    meta = top.sub("scenario", {})
    name = meta.string("name", "unnamed")
    description = meta.string("description", "")
    meta.finish()
    horizon = _horizon(top.sub("horizon", {}))
    arrivals = _arrivals(top.sub("arrivals", {}), horizon)
    ct_raw = top.raw("call_types")
    if not isinstance(ct_raw, dict) or not ct_raw:
        raise ScenarioError("call_types", "a table of named call types [call_types.NAME]", ct_raw)
    types = tuple(_call_type(n, Reader(v, f"call_types.{n}")) for n, v in ct_raw.items())
    names = [t.name for t in types]
    for n in arrivals.call_type:
        if n not in names:
            raise ScenarioError(
                "arrivals.call_type", "names from call_types (" + ", ".join(names) + ")", n
            )
    total = sum(t.share for t in types)
    if abs(total - 1.0) > 1e-6:
        raise ScenarioError(
            "call_types.*.share",
            "shares that sum to 1",
            f"<sum {total:.6g} over {', '.join(t.name for t in types)}>",
        )
    lr = top.sub("lines", {})
    count = lr.number("count", 30, lo=1, integer=True, allow_inf=True)
    lr.finish()
    lines = None if math.isinf(count) else int(count)
    qr = top.sub("queue", {})
    discipline = qr.choice("discipline", ("fifo", "priority"), "fifo")
    qr.finish()
    staff = _staff(top.sub("staff", {}), file)
    if lines is not None and lines < 1:
        raise ScenarioError("lines.count", "at least 1", lines)
    if any(t.escalation_share > 0 for t in types):
        _check_officers(staff)
    mr = top.sub("money", {})
    money = Money(
        enabled=mr.boolean("enabled", True),
        loss=mr.dist("loss_rs", {"dist": "lognormal", "median": 12000, "log_sd": 1.8}, time=False),
        held_floor=mr.number("held_floor", 0.03, lo=0, hi=1),
        held_peak=mr.number("held_peak", 0.77, lo=0, hi=1),
        held_decay_s=mr.number("held_decay_h", 1.5, lo=0, lo_open=True) * 3600.0,
    )
    if money.held_floor + money.held_peak > 1:
        raise ScenarioError(
            "money.held_peak", f"at most 1 - held_floor ({1 - money.held_floor:g})", money.held_peak
        )
    mr.finish()
    tr = top.sub("targets", {})
    targets = Targets(
        tr.number("service_level_s", 20.0, lo=0),
        tr.number("golden_hour_min", 60.0, lo=0, lo_open=True) * 60.0,
    )
    tr.finish()
    top.finish()
    assert DAY_S == 86_400.0
    return Scenario(
        name,
        description,
        horizon,
        arrivals,
        types,
        lines,
        discipline,
        staff,
        money,
        targets,
        file=file,
        raw=copy.deepcopy(raw),
    )
