"""Read scenario TOML files: ``extends`` chains, merging, validation.

``load_scenario(path)`` returns a frozen :class:`~sim.scenario.values.Scenario`
or raises :class:`~sim.errors.ScenarioError` naming the file and key. Defaults
are the Bihar 1930 baseline of DOMAIN.md section 4; docs/scenarios.md lists
every key.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
from pathlib import Path
from typing import Any

from sim.errors import ScenarioError, described, dotted
from sim.scenario.callbacks import read_callbacks
from sim.scenario.channels import read_deferred, read_portal
from sim.scenario.distributions import Dist, as_float
from sim.scenario.escalation import read_escalation
from sim.scenario.files import apply_changes, check_depth, deep_merge, read_raw
from sim.scenario.groups import check_groups
from sim.scenario.limits import Limits, read_limits
from sim.scenario.reader import Reader
from sim.scenario.staff import check_dates, check_officers, read_staff
from sim.scenario.values import (
    DAY_S,
    SERVICE_LEVEL_CONVENTIONS,
    Arrivals,
    CallType,
    Horizon,
    LogDay,
    Money,
    Redial,
    Scenario,
    Surge,
    Targets,
    from_raw,
)

__all__ = ["apply_changes", "build", "deep_merge", "load_scenario", "read_raw"]

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


def load_scenario(path: str | Path) -> Scenario:
    """Load, merge and validate a scenario file."""
    raw = read_raw(path)
    meta = raw.setdefault("scenario", {})
    if isinstance(meta, dict):  # otherwise build() reports "scenario: must be a table"
        meta.setdefault("name", Path(path).stem)
    return build(raw, file=str(path))


def build(raw: dict[str, Any], file: str | None = None) -> Scenario:
    """Validate a merged raw scenario into a :class:`Scenario`."""
    try:
        check_depth(raw)
        with from_raw():
            return _build(raw, file)
    except ScenarioError as exc:
        raise exc.in_file(file) if file else exc from None


#: Largest ``horizon.seed``: the tables store the seed as a 64-bit signed integer.
SEED_MAX = 2**63 - 1
#: Most weights in ``arrivals.profile``: one a minute.
PROFILE_MAX = 1440
#: Largest ``daily_cv``: the day factors are gamma with shape 1 / cv^2, and beyond this
#: most days would have almost no callers and a few nearly all of them.
DAILY_CV_MAX = 10.0


def _horizon(r: Reader, limits: Limits) -> Horizon:
    days = r.number("days", 28.0, lo=0, lo_open=True)
    limits.check("days", r.key("days"), days)
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
    if seed > SEED_MAX:  # every table row carries it as a 64-bit integer
        raise ScenarioError(r.key("seed"), f"a whole number from 0 to {SEED_MAX} (2^63 - 1)", seed)
    reps = r.number("replications", 1, lo=1, integer=True)
    limits.check("replications", r.key("replications"), reps, "a whole number")
    end = r.choice("end", ("drain", "cut"), "drain")
    r.finish()
    return Horizon(days, warmup, start, seed, reps, end)


def _sorted_dials(r: Reader, times: tuple[float, ...]) -> tuple[tuple[float, ...], tuple[str, ...]]:
    """``first_dial_s`` in time order with its optional ``call_type`` names (one per dial).

    The sort is stable, so dials at the same instant keep the file's order.
    """
    types: tuple[str, ...] = ()
    if r.has("call_type"):
        types = r.strings("call_type")
        if len(types) != len(times):
            raise ScenarioError(
                r.key("call_type"),
                f"one call-type name per first dial ({len(times)} names)",
                described(f"<{len(types)} names>"),
            )
    r.finish()
    order = sorted(range(len(times)), key=times.__getitem__)
    return tuple(times[i] for i in order), tuple(types[i] for i in order) if types else ()


def _trace(r: Reader, horizon: Horizon, limits: Limits) -> Arrivals:
    """``mode = "trace"``: callers at given instants, optionally with their call types."""
    times = r.numbers("first_dial_s")
    limits.check("callers", r.key("first_dial_s"), len(times), "a list of first dials")
    for x in times:
        if x >= horizon.end_s:
            raise ScenarioError(
                r.key("first_dial_s"),
                f"instants in seconds >= 0 and before the horizon end ({horizon.end_s:g} s)",
                x,
            )
    times, types = _sorted_dials(r, times)
    per_day = len(times) / horizon.days
    return Arrivals("trace", per_day, (1.0,), (1.0,) * 7, 0.0, (), times, types)


def _expected_callers(
    per_day: float,
    days: float,
    profile: tuple[float, ...],
    dow: tuple[float, ...],
    surges: list[Surge],
) -> float:
    """An upper bound on the expected first dials of one replication (for the limit).

    Every day at its busiest weekday, plus each surge's extra callers at the
    day's busiest slot.
    """
    busiest_day = max(dow) / (sum(dow) / 7.0)
    peak_per_s = per_day * busiest_day * max(profile) / (sum(profile) / len(profile)) / 86_400.0
    extra = sum(max(s.multiplier - 1.0, 0.0) * s.duration_s * peak_per_s for s in surges)
    return per_day * days * busiest_day + extra


def _bootstrap(r: Reader, horizon: Horizon) -> Arrivals:
    """``mode = "bootstrap"``: each simulated day replays one of the given log days."""
    same = r.boolean("same_weekday", True)
    raw_days = r.raw("days")
    if not isinstance(raw_days, list) or not raw_days:
        raise ScenarioError(
            r.key("days"), "a non-empty array of tables [[arrivals.days]]", raw_days
        )
    days = []
    for i, d in enumerate(raw_days):
        dr = Reader(d, f"{r.key('days')}[{i}]")
        date = dr.raw("date")
        if isinstance(date, str):
            try:
                date = dt.date.fromisoformat(date)
            except ValueError:
                date = None
        if isinstance(date, dt.datetime) or not isinstance(date, dt.date):
            raise ScenarioError(dr.key("date"), "a date YYYY-MM-DD", dr.raw("date"))
        times = dr.numbers("first_dial_s", min_length=0)
        if any(x >= DAY_S for x in times):
            raise ScenarioError(
                dr.key("first_dial_s"),
                "instants in seconds from the day's midnight, < 86400",
                max(times),
            )
        days.append(LogDay(date, *_sorted_dials(dr, times)))
    if len({bool(d.call_type) for d in days}) > 1:
        raise ScenarioError(
            r.key("days"), "call_type on every day or on none", described("<on some days only>")
        )
    r.finish()
    per_day = sum(len(d.first_dial_s) for d in days) / len(days)
    return Arrivals(
        "bootstrap", per_day, (1.0,), (1.0,) * 7, 0.0, (), days=tuple(days), same_weekday=same
    )


def _profiles(r: Reader) -> tuple[tuple[float, ...], tuple[tuple[float, ...], ...]]:
    """``arrivals.profile``: one list of slot weights, or seven (Monday..Sunday).

    Returns the profile (the mean of the seven normalised ones when seven are given) and the
    seven weekday profiles (empty when one is given).
    """
    v = r.raw("profile", list(BIHAR_HOURLY_PCT))
    rows = v if isinstance(v, list) and v and all(isinstance(x, list) for x in v) else [v]
    allowed = (
        "weights for equal slots that divide a day (24, 48, 96, ... values) with a positive "
        "sum, or seven such lists of one length (Monday..Sunday)"
    )
    if len(rows) not in (1, 7):
        raise ScenarioError(r.key("profile"), allowed, described(f"<{len(rows)} lists>"))
    if len(rows[0]) > PROFILE_MAX if isinstance(rows[0], list | tuple) else False:
        raise ScenarioError(
            r.key("profile"),
            f"at most {PROFILE_MAX} weights (one a minute)",
            described(f"<{len(rows[0])} weights>"),
        )
    out = []
    for row in rows:
        ok = isinstance(row, list | tuple) and len(row) > 0 and 86_400 % len(row) == 0
        ok = ok and all(
            isinstance(x, int | float)
            and not isinstance(x, bool)
            and math.isfinite(as_float(x))
            and x >= 0
            for x in row
        )
        if not ok or sum(row) <= 0 or len(row) != len(rows[0]):
            raise ScenarioError(r.key("profile"), allowed, row if isinstance(row, list) else v)
        out.append(tuple(float(x) for x in row))
    if len(out) == 1:
        return out[0], ()
    mean = [sum(p[k] / sum(p) for p in out) / 7 for k in range(len(out[0]))]
    return tuple(mean), tuple(out)


def _arrivals(r: Reader, horizon: Horizon, limits: Limits) -> Arrivals:
    mode = r.choice("mode", ("profile", "constant", "trace", "bootstrap"), "profile")
    if mode == "trace":
        return _trace(r, horizon, limits)
    if mode == "bootstrap":
        return _bootstrap(r, horizon)
    weekday_profiles: tuple[tuple[float, ...], ...] = ()
    profile: tuple[float, ...]
    if mode == "constant":
        rate_key = r.key("calls_per_h")
        per_h = r.number("calls_per_h", lo=0, lo_open=True)
        profile, per_day = (1.0,), per_h * 24.0
        dow = r.numbers("day_of_week", (1.0,) * 7, length=7)
        cv = r.number("daily_cv", 0.0, lo=0, hi=DAILY_CV_MAX)
    else:
        rate_key = r.key("callers_per_day")
        per_day = r.number("callers_per_day", 1500.0, lo=0, lo_open=True)
        profile, weekday_profiles = _profiles(r)
        dow = r.numbers("day_of_week", (1.0,) * 7, length=7)
        cv = r.number("daily_cv", 0.12, lo=0, hi=DAILY_CV_MAX)
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
            if not isinstance(when, dt.datetime) or when.tzinfo is not None:
                raise ScenarioError(
                    sr.key("start"),
                    "a local date-time YYYY-MM-DDTHH:MM:SS without a UTC offset "
                    "(the helpline's own clock, as horizon.start_date)",
                    sr.raw("start"),
                )
            start_s = (when - dt.datetime.combine(horizon.start_date, dt.time())).total_seconds()
        else:
            start_s = sr.seconds("start_h", 3600.0, lo=0)
        if not 0 <= start_s < horizon.end_s:
            raise ScenarioError(
                sr.prefix,
                f"a start within the horizon (0 to {horizon.days:g} days)",
                described(f"<{start_s / 3600:g} h from the start>"),
            )
        dur = sr.seconds("duration_h", 3600.0, lo=0, lo_open=True)
        mult = sr.number("multiplier", lo=0)
        sr.finish()
        surges.append(Surge(start_s, dur, mult))
    r.finish()
    expected = _expected_callers(per_day, horizon.days, profile, dow, surges)
    if expected > limits.callers:
        raise ScenarioError(
            rate_key,
            f"a rate giving at most limits.callers = {limits.callers:,} expected first dials "
            "per replication (raise it in the scenario's [limits] table)",
            described(
                f"<{expected:.4g} expected over {horizon.days:g} days at the busiest weekday, "
                "surges included>"
            ),
        )
    return Arrivals(
        mode,
        per_day,
        profile,
        tuple(d / mean_dow for d in dow),
        cv,
        tuple(surges),
        weekday_profiles=weekday_profiles,
    )


def _redial(rr: Reader, limits: Limits) -> Redial:
    """``[call_types.NAME.redial]``; a redial that can happen must take time."""
    redial = Redial(
        after_busy=rr.number("after_busy", 0.0, lo=0, hi=1),
        after_abandon=rr.number("after_abandon", 0.0, lo=0, hi=1),
        decay=rr.number("decay", 1.0, lo=0, hi=1),
        max_attempts=rr.number("max_attempts", 10, lo=1, integer=True),
        delay_after_busy=rr.dist("delay_after_busy", {"dist": "exponential", "mean_min": 3}),
        delay_after_abandon=rr.dist("delay_after_abandon", {"dist": "exponential", "mean_min": 5}),
    )
    rr.finish()
    limits.check(
        "attempts_per_caller", rr.key("max_attempts"), redial.max_attempts, "a whole number"
    )
    for when, p, delay in (
        ("busy", redial.after_busy, redial.delay_after_busy),
        ("abandon", redial.after_abandon, redial.delay_after_abandon),
    ):
        if p > 0 and delay.mean <= 0:  # every redial at the same instant: the clock stands still
            raise ScenarioError(
                rr.key(f"delay_after_{when}"),
                f"a delay with a mean > 0 when after_{when} > 0 (a redial takes time)",
                described("<always 0 s>"),
            )
    return redial


def _call_type(name: str, r: Reader, limits: Limits) -> CallType:
    share = r.number("share", lo=0, hi=1)
    complaint = r.boolean("complaint", False)
    priority = r.number("priority", 0, integer=True)
    talk = r.dist("talk")
    acw = r.dist("after_call", 0.0)
    patience = _patience(r, "patience")
    redial = _redial(r.sub("redial", {}), limits)
    victim = r.dist("victim_delay", 0.0)
    esc_share = r.number("escalation_share", 0.0, lo=0, hi=1)
    esc_talk = r.dist("escalation_talk", {"dist": "deterministic", "value_min": 10})
    menu = r.dist("menu", 0.0)
    esc_patience = _patience(r, "escalation_patience")
    r.finish()
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
        menu,
        esc_patience or inf_patience,
    )


def _patience(r: Reader, name: str) -> Dist | None:
    """A patience distribution, or None for ``"inf"`` / ``"infinite"`` / absent (never)."""
    if r.has(name) and r.table[name] not in ("inf", "infinite"):
        return r.dist(name, None)
    r.used.add(name)
    return None


#: Interval lengths (min) attainment may be judged over.
TARGET_INTERVALS_MIN = (15, 30, 60)


def _targets(r: Reader) -> Targets:
    """``[targets]``: the metrics' thresholds and the optional targets (docs/scenarios.md)."""
    interval_min = r.number("interval_min", 30, integer=True)
    if interval_min not in TARGET_INTERVALS_MIN:
        raise ScenarioError(
            r.key("interval_min"),
            "one of " + ", ".join(str(m) for m in TARGET_INTERVALS_MIN) + " (minutes)",
            interval_min,
        )
    out = Targets(
        service_level_s=r.number("service_level_s", 20.0, lo=0),
        golden_hour_s=r.seconds("golden_hour_min", 60.0, 60.0, lo=0, lo_open=True),
        service_level_min=r.number("service_level_min", None, lo=0, hi=1),
        service_level_of=r.choice("service_level_of", SERVICE_LEVEL_CONVENTIONS, "answered"),
        abandon_rate_max=r.number("abandon_rate_max", None, lo=0, hi=1),
        block_rate_max=r.number("block_rate_max", None, lo=0, hi=1),
        asa_max_s=r.number("asa_max_s", None, lo=0),
        golden_hour_share_min=r.number("golden_hour_share_min", None, lo=0, hi=1),
        interval_s=interval_min * 60.0,
    )
    r.finish()
    return out


def _build(raw: dict[str, Any], file: str | None) -> Scenario:
    top = Reader(raw, "")
    meta = top.sub("scenario", {})
    name = meta.string("name", "unnamed")
    if not name.strip():  # the name labels reports and names the default folder out/<name>/
        raise ScenarioError("scenario.name", "a non-empty string", name)
    description = meta.string("description", "")
    meta.finish()
    limits = read_limits(top.sub("limits", {}))
    horizon = _horizon(top.sub("horizon", {}), limits)
    arrivals = _arrivals(top.sub("arrivals", {}), horizon, limits)
    ct_raw = top.raw("call_types")
    if not isinstance(ct_raw, dict) or not ct_raw:
        raise ScenarioError("call_types", "a table of named call types [call_types.NAME]", ct_raw)
    types = tuple(
        _call_type(n, Reader(v, dotted("call_types", n)), limits) for n, v in ct_raw.items()
    )
    names = [t.name for t in types]
    named = [("arrivals.call_type", arrivals.call_type)] + [
        (f"arrivals.days[{i}].call_type", d.call_type) for i, d in enumerate(arrivals.days)
    ]
    for key, given in named:
        for n in sorted(set(given) - set(names)):
            raise ScenarioError(key, "names from call_types (" + ", ".join(names) + ")", n)
    total = sum(t.share for t in types)
    if abs(total - 1.0) > 1e-6:
        raise ScenarioError(
            "call_types.*.share",
            "shares that sum to 1",
            described(f"<sum {total:.6g} over {', '.join(t.name for t in types)}>"),
        )
    lr = top.sub("lines", {})
    count = lr.number("count", 30, lo=1, integer=True, allow_inf=True)
    lr.finish()
    lines = None if math.isinf(count) else int(count)
    qr = top.sub("queue", {})
    discipline = qr.choice("discipline", ("fifo", "priority"), "fifo")
    qr.finish()
    staff = read_staff(top.sub("staff", {}), file, limits)
    check_dates(staff, horizon.days)
    people = (
        sum(x.count for x in staff.ranks)
        if staff.mode == "roster"
        else sum(staff.headcount_call_takers) + sum(staff.headcount_escalation)
    )
    if people * horizon.days > limits.person_days:  # the roster's duty periods
        raise ScenarioError(
            "horizon.days",
            f"days x people at most limits.person_days = {limits.person_days:,} "
            "(raise it in the scenario's [limits] table)",
            described(f"<{horizon.days:g} days x {people:,} people>"),
        )
    if lines is not None and lines < 1:
        raise ScenarioError("lines.count", "at least 1", lines)
    mr = top.sub("money", {})
    money = Money(
        enabled=mr.boolean("enabled", True),
        loss=mr.dist("loss_rs", {"dist": "lognormal", "median": 12000, "log_sd": 1.8}, time=False),
        held_floor=mr.number("held_floor", 0.03, lo=0, hi=1),
        held_peak=mr.number("held_peak", 0.77, lo=0, hi=1),
        held_decay_s=mr.seconds("held_decay_h", 3600.0, 1.5, lo=0, lo_open=True),
    )
    if money.held_floor + money.held_peak > 1:
        raise ScenarioError(
            "money.held_peak", f"at most 1 - held_floor ({1 - money.held_floor:g})", money.held_peak
        )
    mr.finish()
    escalation = read_escalation(top.sub("escalation", {}), types, staff, money.enabled)
    if any(t.escalation_share > 0 for t in types) or escalation.to_officers:
        check_officers(staff)
    targets = _targets(top.sub("targets", {}))
    callbacks = read_callbacks(top.sub("callbacks", {}), names)
    deferred = read_deferred(top.sub("deferred", {}), horizon.end_s, arrivals.profile)
    portal = read_portal(top.sub("portal", {}))
    check_groups(staff, names, callbacks.enabled, deferred.enabled)
    top.finish()
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
        deferred=deferred,
        portal=portal,
        raw=copy.deepcopy(raw),
        callbacks=callbacks,
        escalation=escalation.value,
    )
