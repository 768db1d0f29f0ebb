"""The timeline of one simulated day, tile by tile, for the replay page and the video.

Everything here is read from one replication's facts (:class:`~sim.core.records.Records`:
attempts, callers, sessions) and the roster the model ran with, so the replay shows exactly
what was simulated. The model does not number lines, so calls are put on lines here in
arrival order, each on the lowest free line (never more lines at once than the model held).
Times inside are seconds from the horizon start; the timeline's are seconds from the window
start, rounded to whole seconds (the page shows clock minutes and seconds).
"""

from __future__ import annotations

import datetime as dt
import heapq
import math
from dataclasses import dataclass

import numpy as np

from sim.core.model import DRAIN_DAYS
from sim.core.records import ABANDONED, ANSWERED, BLOCKED, NO_ANSWER, Records
from sim.core.roster import CALL_TAKER, Roster, build_roster
from sim.core.streams import replication_seed, stream
from sim.scenario.values import DAY_S, Scenario

#: Line tile states.
LINE_STATES = ("free", "waiting", "talking")
#: Call-taker tile states, in painting order: a later state wins where two overlap.
TAKER_STATES = ("off", "present_no_seat", "break", "free", "after_call", "with_officer", "talking")
OFF, NO_SEAT, BREAK, FREE, ACW, OFFICER, TALKING = range(len(TAKER_STATES))
#: Wallboard service-level target share when the scenario has none (80% within the threshold,
#: the call-centre convention); amber within AMBER_PP points below it, red further below.
DEFAULT_SL_TARGET = 0.80
AMBER_PP = 0.10


@dataclass(frozen=True)
class Window:
    """The stretch of the horizon a replay shows: [start_s, end_s) from the horizon start."""

    start_s: float
    end_s: float
    day: int


def roster_of(sc: Scenario, replication: int) -> Roster:
    """The roster replication ``replication`` ran with (same stream, same days as the model)."""
    root = replication_seed(sc.horizon.seed, replication)
    return build_roster(sc.staff, sc.horizon, stream(root, "roster"), extra_days=DRAIN_DAYS + 1)


def worst_day(rec: Records) -> int:
    """The day of the window (after warm-up) with the most failed attempts (busy tones and
    abandons), ties broken by the later-found larger queue: the day a trainer wants to show.
    """
    sc = rec.scenario
    a = rec.attempt
    first = int(sc.horizon.warmup_s // DAY_S)
    last = max(int(math.ceil(sc.horizon.end_s / DAY_S)), first + 1)
    day = (a["arrived_at_s"] // DAY_S).astype(np.int64)
    failed = (a["outcome"] == BLOCKED) | (a["outcome"] == ABANDONED)
    counts = np.bincount(day[failed], minlength=last)[first:last]
    waits = np.zeros(last - first)
    ans = a["outcome"] == ANSWERED
    wait = a["answered_at_s"][ans] - a["arrived_at_s"][ans]
    np.maximum.at(waits, np.clip(day[ans] - first, 0, last - first - 1), wait)
    order = np.lexsort((waits, counts))
    return first + int(order[-1])


def window_of(rec: Records, day: int | None, from_s: float | None, to_s: float | None) -> Window:
    """The replay window: day ``day`` (None: the worst day), from ``from_s`` to ``to_s`` seconds
    after that day's midnight (default the whole day), cut to the horizon.
    """
    d = worst_day(rec) if day is None else day
    start = d * DAY_S + (from_s or 0.0)
    end = d * DAY_S + (to_s if to_s is not None else DAY_S)
    return Window(start, min(end, rec.scenario.horizon.end_s), d)


def assign_lines(arrived_s: np.ndarray, released_s: np.ndarray) -> np.ndarray:
    """Line number of each call holding a line over [arrived, released): lowest free first.

    Calls are taken in arrival order; a line released at the instant another call arrives is
    free for it (the model frees before it seizes at one instant). The count of lines used
    equals the most calls held at once, so it never exceeds what the model allowed.
    """
    order = np.argsort(arrived_s, kind="stable")
    line = np.empty(arrived_s.size, dtype=np.int32)
    free: list[int] = []
    busy: list[tuple[float, int]] = []
    used = 0
    for i in order.tolist():
        t = arrived_s[i]
        while busy and busy[0][0] <= t:
            heapq.heappush(free, heapq.heappop(busy)[1])
        if free:
            k = heapq.heappop(free)
        else:
            k = used
            used += 1
        line[i] = k
        heapq.heappush(busy, (float(released_s[i]), k))
    return line


def _changes(
    segments: list[tuple[float, float, int]], lo: float, hi: float, base: int
) -> list[int]:
    """Paint ``(start, end, state)`` segments over [lo, hi) (later states win over lower
    codes) and return the state changes as a flat list ``[t0, s0, t1, s1, ...]``, times in
    whole seconds from ``lo``; the first entry is the state at ``lo``.
    """
    cuts = [lo, hi]
    for s, e, _ in segments:
        if e > lo and s < hi:
            cuts += [max(s, lo), min(e, hi)]
    edges = np.unique(np.asarray(cuts))
    state = np.full(edges.size - 1, base, dtype=np.int16)
    for s, e, code in segments:
        if e <= lo or s >= hi:
            continue
        i, j = np.searchsorted(edges, [max(s, lo), min(e, hi)])
        state[i:j] = np.maximum(state[i:j], code)
    keep = np.r_[True, state[1:] != state[:-1]] if state.size else np.zeros(0, bool)
    out: list[int] = []
    for t, code in zip(edges[:-1][keep].tolist(), state[keep].tolist(), strict=True):
        out += [round(t - lo), int(code)]
    return out


def _line_tiles(rec: Records, w: Window, stop_s: float) -> list[list[int]]:
    a = rec.attempt
    held = a["outcome"] != BLOCKED
    arrived = a["arrived_at_s"][held]
    released = np.nan_to_num(a["line_released_at_s"][held], nan=stop_s)
    answered = np.nan_to_num(a["answered_at_s"][held], nan=np.inf)
    # a callback try is the helpline's own call: its line is in use from the dial, ringing or not
    answered = np.where(a["callback_try"][held] > 0, arrived, answered)
    line = assign_lines(arrived, released)
    n_lines = rec.scenario.lines if rec.scenario.lines is not None else 0
    n_lines = max(n_lines, int(line.max()) + 1 if line.size else 0)
    per_line: list[list[tuple[float, float, int]]] = [[] for _ in range(n_lines)]
    show = (released > w.start_s) & (arrived < w.end_s)
    for k, s, ans, e in zip(
        line[show].tolist(),
        arrived[show].tolist(),
        answered[show].tolist(),
        released[show].tolist(),
        strict=True,
    ):
        per_line[k].append((s, min(ans, e), 1))
        if ans < e:
            per_line[k].append((ans, e, 2))
    return [_changes(segs, w.start_s, w.end_s, 0) for segs in per_line]


def _breaks(
    roster: Roster, sessions: dict[str, np.ndarray], duty: dict[int, list[tuple[float, float]]]
) -> dict[int, list[tuple[float, float]]]:
    """When each break was taken: at the log-out that followed its due time when the person
    was seated (work first, as :class:`~sim.core.pool.Pool` does), at once when present with
    no seat; dropped when the shift ended first; cut at the end of duty.
    """
    out: dict[int, list[tuple[float, float]]] = {}
    by_person: dict[int, list[tuple[float, float]]] = {}
    for p, s, e in zip(
        sessions["person_id"].tolist(),
        sessions["login_at_s"].tolist(),
        sessions["logout_at_s"].tolist(),
        strict=True,
    ):
        by_person.setdefault(p, []).append((s, e))
    for p, due, d in zip(
        roster.break_person.tolist(),
        roster.break_start_s.tolist(),
        roster.break_duration_s.tolist(),
        strict=True,
    ):
        period = next(((s, e) for s, e in duty.get(p, []) if s <= due < e), None)
        if period is None:
            continue
        seated = next(((s, e) for s, e in by_person.get(p, []) if s <= due < e), None)
        start = seated[1] if seated else due
        if start >= period[1]:
            continue
        out.setdefault(p, []).append((start, min(start + d, period[1])))
    return out


def _clock_gap_s(a_s: float, b_s: float) -> float:
    """Seconds between two times of day, the short way round midnight."""
    return abs((a_s - b_s + DAY_S / 2) % DAY_S - DAY_S / 2)


def _taker_tiles(rec: Records, roster: Roster, w: Window) -> dict:
    """One tile per call-taker on duty at some point of the window: state changes, overtime
    periods and the shift they belong to.
    """
    people = roster.people
    role = people["role"].to_numpy()
    duty: dict[int, list[tuple[float, float]]] = {}
    for p, s, e in zip(
        roster.duty_person.tolist(),
        roster.duty_start_s.tolist(),
        roster.duty_end_s.tolist(),
        strict=True,
    ):
        if role[p] == CALL_TAKER:
            duty.setdefault(p, []).append((s, e))
    s = rec.session
    taker = s["role"] == CALL_TAKER
    sessions = {k: v[taker] for k, v in s.items()}
    breaks = _breaks(roster, sessions, duty)
    segs: dict[int, list[tuple[float, float, int]]] = {}
    overtime: dict[int, list[tuple[float, float]]] = {}
    for p, periods in duty.items():
        segs[p] = [(a, b, NO_SEAT) for a, b in periods]
    for p, periods in breaks.items():
        segs.setdefault(p, []).extend((a, b, BREAK) for a, b in periods)
    for p, a0, b0, ot in zip(
        sessions["person_id"].tolist(),
        sessions["login_at_s"].tolist(),
        sessions["logout_at_s"].tolist(),
        sessions["overtime_s"].tolist(),
        strict=True,
    ):
        segs.setdefault(p, []).append((a0, b0, FREE))
        if ot > 0:
            overtime.setdefault(p, []).append((b0 - ot, b0))
    a = rec.attempt
    ans = np.flatnonzero(a["outcome"] == ANSWERED)
    stop = rec.stop_s
    talk_end = a["answered_at_s"][ans] + a["talk_s"][ans]
    released = np.nan_to_num(a["line_released_at_s"][ans], nan=stop)
    done = np.nan_to_num(a["done_at_s"][ans], nan=stop)
    near = (done > w.start_s) & (a["answered_at_s"][ans] < w.end_s)
    for i, te, rel, dn in zip(
        ans[near].tolist(), talk_end[near].tolist(), released[near].tolist(), done[near].tolist(),
        strict=True,
    ):  # fmt: skip
        p = int(a["agent_id"][i])
        lst = segs.setdefault(p, [])
        lst.append((float(a["answered_at_s"][i]), min(te, rel), TALKING))
        if te < rel:  # escalated: waiting for and talking with an officer, line held
            lst.append((te, rel, OFFICER))
        if rel < dn:
            lst.append((rel, dn, ACW))
    # a callback try nobody answered: the call-taker was ringing from the dial to giving up
    rung = np.flatnonzero(a["outcome"] == NO_ANSWER)
    for i in rung.tolist():
        s0, e0 = float(a["arrived_at_s"][i]), float(a["line_released_at_s"][i])
        if e0 > w.start_s and s0 < w.end_s:
            segs.setdefault(int(a["agent_id"][i]), []).append((s0, e0, TALKING))
    # On the page: everyone on duty, or still logged in (overtime), at some point of the window.
    spans: dict[int, list[tuple[float, float]]] = {p: list(v) for p, v in duty.items()}
    for p, a0, b0 in zip(
        sessions["person_id"].tolist(),
        sessions["login_at_s"].tolist(),
        sessions["logout_at_s"].tolist(),
        strict=True,
    ):
        spans.setdefault(p, []).append((a0, b0))
    shown = sorted(
        (min(x for x, y in v if y > w.start_s and x < w.end_s), p)
        for p, v in spans.items()
        if any(y > w.start_s and x < w.end_s for x, y in v)
    )
    shifts = rec.scenario.staff.shifts
    tiles = []
    for first_s, p in shown:
        clock = first_s % DAY_S
        shift = min(shifts, key=lambda sh: _clock_gap_s(clock, sh.start_s))
        ot = [
            [round(max(x, w.start_s) - w.start_s), round(min(y, w.end_s) - w.start_s)]
            for x, y in overtime.get(p, [])
            if y > w.start_s and x < w.end_s
        ]
        tiles.append(
            {
                "person": int(p),
                "rank": str(people["rank"].iloc[p]),
                "shift": shift.name if shifts else "",
                "changes": _changes(segs.get(p, []), w.start_s, w.end_s, OFF),
                "overtime": ot,
            }
        )
    return {"states": list(TAKER_STATES), "tiles": tiles}


def _calls(rec: Records, w: Window, stop_s: float) -> dict:
    """Attempts touching the window, as columns of whole seconds from the window start (-1 for
    an instant that never came): enough for the queue, the waiting callers and the wallboard.
    """
    a = rec.attempt
    out = a["outcome"]
    q_end = np.where(
        out == ANSWERED,
        a["answered_at_s"],
        np.where(
            out == BLOCKED, a["arrived_at_s"], np.nan_to_num(a["line_released_at_s"], nan=stop_s)
        ),
    )
    # the callers' own dials: a callback try is the helpline calling out (on the tiles), not a
    # caller waiting, and the wallboard counts what the metrics count
    own = a["callback_try"] == 0
    keep = (a["arrived_at_s"] < w.end_s) & (q_end >= w.start_s) & own
    order = np.argsort(a["arrived_at_s"][keep], kind="stable")

    def rel(x: np.ndarray) -> list[int]:
        y = x[keep][order] - w.start_s
        return np.where(np.isnan(y), -1, np.round(y)).astype(np.int64).tolist()

    return {
        "arrived": rel(a["arrived_at_s"]),
        "answered": rel(a["answered_at_s"]),
        "queue_end": rel(q_end),
        "outcome": out[keep][order].astype(int).tolist(),
        "type": a["call_type"][keep][order].astype(int).tolist(),
        "attempt_no": a["attempt_no"][keep][order].astype(int).tolist(),
    }


def _series(rec: Records, w: Window, stop_s: float, step_s: float = 60.0) -> dict:
    """Per minute: callers waiting and lines held; per 15 minutes: busy tones (for the strip)."""
    a = rec.attempt
    out = a["outcome"]
    held = out != BLOCKED
    arrived = a["arrived_at_s"]
    q_end = np.where(
        out == ANSWERED, a["answered_at_s"], np.nan_to_num(a["line_released_at_s"], nan=stop_s)
    )
    line_end = np.nan_to_num(a["line_released_at_s"], nan=stop_s)
    t = np.arange(w.start_s, w.end_s, step_s)

    def alive(s: np.ndarray, e: np.ndarray) -> list[int]:
        s, e = np.sort(s), np.sort(e)
        return (np.searchsorted(s, t, side="right") - np.searchsorted(e, t, side="right")).tolist()

    edges = np.arange(w.start_s, w.end_s + 1, 900.0)
    busy = np.histogram(arrived[out == BLOCKED], bins=edges)[0] if edges.size > 1 else np.zeros(0)
    waiting = held & (a["callback_try"] == 0)  # a callback try rings out: nobody waits
    return {
        "step_s": step_s,
        "queue": alive(arrived[waiting], q_end[waiting]),
        "lines": alive(arrived[held], line_end[held]),
        "busy_per_15min": [int(x) for x in busy],
    }


def _marks(sc: Scenario, w: Window) -> list[dict]:
    """Shift starts and surges inside the window, for the timeline."""
    marks = []
    for d in range(int(w.start_s // DAY_S) - 1, int(w.end_s // DAY_S) + 1):
        for sh in sc.staff.shifts:
            t = d * DAY_S + sh.start_s
            if w.start_s <= t < w.end_s:
                at = round(t - w.start_s)
                marks.append({"kind": "shift", "at": at, "label": f"{sh.name} shift"})
    for s in sc.arrivals.surges:
        lo, hi = max(s.start_s, w.start_s), min(s.start_s + s.duration_s, w.end_s)
        if hi > lo:
            marks.append(
                {
                    "kind": "surge",
                    "at": round(lo - w.start_s),
                    "until": round(hi - w.start_s),
                    "label": f"surge x{s.multiplier:g}",
                }
            )
    return sorted(marks, key=lambda m: m["at"])


def timeline(rec: Records, roster: Roster, w: Window) -> dict:
    """Everything the replay page and the video draw, as plain JSON-ready values."""
    sc = rec.scenario
    date = sc.horizon.start_date + dt.timedelta(days=w.day)
    stated = sc.targets.service_level_min  # the [targets] service-level target, if stated
    target = stated if stated is not None else DEFAULT_SL_TARGET
    return {
        "meta": {
            "scenario": sc.name,
            "description": sc.description,
            "replication": rec.replication,
            "seed": sc.horizon.seed,
            "date": date.isoformat(),
            "weekday": date.strftime("%A"),
            "day": w.day,
            "clock_start_s": round(w.start_s - w.day * DAY_S),
            "duration_s": round(w.end_s - w.start_s),
            "lines": sc.lines,
            "seats": sc.staff.seats,
            "service_level_s": sc.targets.service_level_s,
            "service_level_target": target,
            "amber_pp": AMBER_PP,
            "call_types": [t.name for t in sc.call_types],
        },
        "lines": _line_tiles(rec, w, rec.stop_s),
        "takers": _taker_tiles(rec, roster, w),
        "calls": _calls(rec, w, rec.stop_s),
        "series": _series(rec, w, rec.stop_s),
        "marks": _marks(sc, w),
    }
