"""What binds: lines, seats or people, interval by interval, from the recorded periods.

Every resource is a count of open periods, exact from the facts (no sampling):

* lines held: attempts that got a line, from the dial to the line's release;
* call-takers (role call-taker) **present**: in a duty period of the roster, or working past
  its end (overtime); **on break**: a break actually taken (it starts when the work in hand
  is done); **logged in**: on a seat (a session); **without a seat**: present, not on break and
  not logged in (every seat taken); **on duty** (DOMAIN.md section 5): present and not on
  break, that is logged in or without a seat; **busy**: from the answer to the end of
  after-call work (escalation included);
* officers logged in and busy (from the start of an escalation to the end of its talk);
* with ``staff.supervisor_ranks``, supervisors on duty (a rostered duty period), supervising
  (a supervision block) and busy on escalations.

Per interval of ``targets.interval_min`` the module gives the time shares with every line
held, every seat taken, every logged-in call-taker busy, someone without a seat and every
officer busy, and three *binding* shares, each the time during which one more unit of one
resource would have served someone:

* ``lines_bind_share``: every line held (a dial gets a busy tone);
* ``seats_bind_share``: every seat taken and every seated call-taker busy while someone present
  has no seat (a seat would put that person to work);
* ``people_bind_share``: every logged-in call-taker busy with a seat free (nobody to sit in it).

:func:`verdict` names the resources binding at the peak hours (the :data:`PEAK_HOURS` busiest
hours of the day by the scenario's arrival rate): those binding at least :data:`BINDING_SHARE`
of the peak time, or "none".
"""

from __future__ import annotations

import functools
import itertools
import math

import numpy as np
import pandas as pd

from sim.attainment import clock_edges
from sim.core.arrivals import expected_callers
from sim.core.records import BLOCKED, Records
from sim.core.roster import CALL_TAKER, ESCALATION, SUPERVISOR
from sim.officers import busy_periods
from sim.scenario.values import DAY_S, Scenario

#: The busiest hours of the day by arrival rate whose binding shares decide :func:`verdict`.
PEAK_HOURS = 4
#: A resource binds at the peak when it binds at least this share of the peak time.
BINDING_SHARE = 0.5
RESOURCES = ("lines", "seats", "people")

#: Per-replication metrics of this module: name -> (unit, description).
METRICS: dict[str, tuple[str, str]] = {
    "call_takers_present_mean": (
        "people",
        "mean call-takers present: in a rostered duty period or in overtime",
    ),
    "call_takers_on_duty_mean": (
        "people",
        "mean call-takers on duty: present and not on break (logged in or without a seat)",
    ),
    "call_takers_logged_in_mean": ("people", "mean call-takers logged in on a seat"),
    "call_takers_on_break_mean": ("people", "mean call-takers on a break"),
    "call_takers_without_seat_mean": (
        "people",
        "mean call-takers on duty without a seat (every seat taken)",
    ),
    "all_lines_busy_share": ("share", "time with every line held; NaN with unlimited lines"),
    "all_seats_taken_share": ("share", "time with every seat taken by a logged-in call-taker"),
    "all_call_takers_busy_share": (
        "share",
        "time with at least one call-taker logged in and every logged-in call-taker busy",
    ),
    "without_seat_share": ("share", "time with at least one call-taker on duty without a seat"),
    "all_officers_busy_share": (
        "share",
        "time with at least one officer logged in and every logged-in officer busy",
    ),
    "peak_lines_bind_share": (
        "share",
        "peak hours: time with every line held (lines bind)",
    ),
    "peak_seats_bind_share": (
        "share",
        "peak hours: time with every seat taken and busy while someone has no seat (seats bind)",
    ),
    "peak_people_bind_share": (
        "share",
        "peak hours: time with every logged-in call-taker busy and a seat free (people bind)",
    ),
}


class _Levels:
    """Piecewise-constant counts of open periods of a few series, on one grid of instants.

    One sort of every start and end (and the bin edges) gives the segments between successive
    instants, each with every series' count and the bin it lies in; periods are clipped to the
    edges' span. The count on a segment [t, t') includes every period starting at t and none
    ending at t.
    """

    def __init__(self, series: dict[str, tuple[np.ndarray, np.ndarray]], edges_s: np.ndarray):
        # Narrow types and early deletes keep a year's sweep small (a few million events):
        # series numbers and steps as int8, counts as int32 (exact, so every share is the
        # same number as with floats), and each temporary dropped once used.
        lo, hi = edges_s[0], edges_s[-1]
        times = [edges_s] + [x for start, end in series.values() for x in (start, end)]
        t = np.concatenate(times)
        del times
        np.clip(t, lo, hi, out=t)
        order = np.argsort(t, kind="stable")
        t = t[order]
        which = [np.full(edges_s.size, -1, np.int8)]
        step = [np.zeros(edges_s.size, np.int8)]
        for j, (start, end) in enumerate(series.values()):
            which += [np.full(start.size, j, np.int8), np.full(end.size, j, np.int8)]
            step += [np.ones(start.size, np.int8), np.full(end.size, -1, np.int8)]
        col = np.concatenate(which)[order]
        delta = np.concatenate(step)[order]
        del which, step, order
        last = np.append(np.flatnonzero(np.diff(t) > 0), t.size - 1)  # last event of an instant
        at = t[last]
        del t
        self.length = np.diff(at)
        self.bin = (np.searchsorted(edges_s, at[:-1], side="right") - 1).astype(np.int32)
        self.n_bins = edges_s.size - 1
        self.level = {
            name: np.cumsum(np.where(col == j, delta, np.int8(0)), dtype=np.int32)[last][:-1]
            for j, name in enumerate(series)
        }

    def share(self, holds: np.ndarray) -> np.ndarray:
        """Per bin, the share of its time during which ``holds`` (one value per segment)."""
        time = np.bincount(self.bin, weights=self.length * holds, minlength=self.n_bins)
        return time / self._total

    @functools.cached_property
    def _total(self) -> np.ndarray:
        """Per bin, its swept time (NaN for none): every share's denominator, summed once."""
        total = np.bincount(self.bin, weights=self.length, minlength=self.n_bins)
        return np.where(total > 0, total, np.nan)

    def mean(self, name: str) -> np.ndarray:
        return self.share(self.level[name])


def _periods(rec: Records) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The [start, end) periods of every counted resource (open ends at the run's stop)."""
    stop = rec.stop_s
    a = rec.attempt
    out = a["outcome"]

    def end(x: np.ndarray) -> np.ndarray:
        return np.nan_to_num(x, nan=stop)

    held = out != BLOCKED
    s = rec.session
    taker = s["role"] == CALL_TAKER
    officer = s["role"] == ESCALATION
    ot = taker & (s["overtime_s"] > 0)
    d = rec.duty
    d_taker = d["role"] == CALL_TAKER
    b = rec.breaks
    b_taker = b["role"] == CALL_TAKER
    periods = {
        "lines": (a["arrived_at_s"][held], end(a["line_released_at_s"][held])),
        "logged_in": (s["login_at_s"][taker], s["logout_at_s"][taker]),
        "busy": rec.taker_work[1:],
        "present": (
            np.concatenate([d["on_at_s"][d_taker], s["logout_at_s"][ot] - s["overtime_s"][ot]]),
            np.concatenate([d["off_at_s"][d_taker], s["logout_at_s"][ot]]),
        ),
        "on_break": (b["start_at_s"][b_taker], end(b["end_at_s"][b_taker])),
        "officers": (s["login_at_s"][officer], s["logout_at_s"][officer]),
        "officers_busy": busy_periods(rec, ESCALATION),  # not the supervisors' escalations
    }
    if rec.scenario.has_supervisors:
        d_sup, b_sup = d["role"] == SUPERVISOR, b["role"] == SUPERVISOR
        periods["supervisors"] = (d["on_at_s"][d_sup], d["off_at_s"][d_sup])
        periods["supervising"] = (b["start_at_s"][b_sup], end(b["end_at_s"][b_sup]))
        periods["supervisors_busy"] = busy_periods(rec, SUPERVISOR)
    return periods


#: Most period ends and starts swept at once: a longer run is swept in consecutive blocks of
#: bins (the counts in a bin depend only on the periods that overlap it, so the numbers are
#: the same), which keeps a year's sweep to a few tens of MB.
BLOCK_EVENTS = 1_000_000


def _blocks(
    periods: dict[str, tuple[np.ndarray, np.ndarray]], edges_s: np.ndarray
) -> list[tuple[dict[str, tuple[np.ndarray, np.ndarray]], np.ndarray]]:
    """``periods`` and ``edges_s`` cut into consecutive blocks of bins, each with the periods
    that overlap it (a period starting before its block counts from the block's start).
    """
    events = sum(2 * start.size for start, _ in periods.values())
    n_blocks = min(max(1, -(-events // BLOCK_EVENTS)), edges_s.size - 1)
    if n_blocks == 1:
        return [(periods, edges_s)]
    cuts = np.linspace(0, edges_s.size - 1, n_blocks + 1).round().astype(int)
    out = []
    for i, j in itertools.pairwise(cuts):
        lo, hi = edges_s[i], edges_s[j]
        part = {}
        for name, (start, end) in periods.items():
            keep = (start < hi) & (end > lo)
            part[name] = (start[keep], end[keep])
        out.append((part, edges_s[i : j + 1]))
    return out


def _shares(
    sc: Scenario, periods: dict[str, tuple[np.ndarray, np.ndarray]], edges_s: np.ndarray
) -> dict[str, np.ndarray]:
    """The counted means and shares of :func:`by_interval`, per bin of ``edges_s``."""

    def group(*names: str) -> _Levels:
        return _Levels({n: periods[n] for n in names}, edges_s)

    line = group("lines")
    taker = group("logged_in", "busy", "present", "on_break")
    officer = group("officers", "officers_busy")
    lvl, off = taker.level, officer.level
    without_seat = lvl["present"] - lvl["on_break"] - lvl["logged_in"]
    seats_full = lvl["logged_in"] >= sc.staff.seats
    all_busy = (lvl["logged_in"] > 0) & (lvl["busy"] >= lvl["logged_in"])
    lines_full = (
        line.share(line.level["lines"] >= sc.lines)
        if sc.lines is not None
        else np.zeros(edges_s.size - 1)
    )
    supervisors = {}
    if sc.has_supervisors:  # the supervisors' columns only where they are on duty
        sup = group("supervisors", "supervising", "supervisors_busy")
        supervisors = {
            "supervisors_on_duty_mean": sup.mean("supervisors"),
            "supervisors_supervising_mean": sup.mean("supervising"),
            "supervisors_busy_mean": sup.mean("supervisors_busy"),
        }
    return {
        "lines_busy_mean": line.mean("lines"),
        "call_takers_present_mean": taker.mean("present"),
        "call_takers_on_break_mean": taker.mean("on_break"),
        "call_takers_logged_in_mean": taker.mean("logged_in"),
        "call_takers_without_seat_mean": taker.share(without_seat),
        "call_takers_busy_mean": taker.mean("busy"),
        "officers_logged_in_mean": officer.mean("officers"),
        "officers_busy_mean": officer.mean("officers_busy"),
        "all_lines_busy_share": lines_full,
        "all_seats_taken_share": taker.share(seats_full),
        "all_call_takers_busy_share": taker.share(all_busy),
        "without_seat_share": taker.share(without_seat > 0),
        "all_officers_busy_share": officer.share(
            (off["officers"] > 0) & (off["officers_busy"] >= off["officers"])
        ),
        "lines_bind_share": lines_full,
        "seats_bind_share": taker.share(seats_full & all_busy & (without_seat > 0)),
        "people_bind_share": taker.share(all_busy & ~seats_full),
        **supervisors,
    }


def by_interval(rec: Records, edges_s: np.ndarray | None = None) -> pd.DataFrame:
    """One row per interval of the window (``targets.interval_min``): counts and shares."""
    sc = rec.scenario
    lo, hi = rec.window_s
    if edges_s is None:
        edges_s = clock_edges(lo, hi, sc.targets.interval_s)
    parts = [_shares(sc, p, e) for p, e in _blocks(_periods(rec), edges_s)]
    columns = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    if sc.lines is None:
        columns["all_lines_busy_share"] = np.full(edges_s.size - 1, math.nan)
    df = pd.DataFrame({"interval_start_s": edges_s[:-1], "interval_end_s": edges_s[1:], **columns})
    df.insert(0, "seed", np.int64(rec.seed))
    df.insert(0, "replication", np.int32(rec.replication))
    df.insert(0, "scenario", sc.name)
    return df


def peak_hours(sc: Scenario) -> np.ndarray:
    """The :data:`PEAK_HOURS` hours of the day (0..23) with the most expected first dials over
    the window (ties: the earlier hour).
    """
    lo, hi = sc.horizon.warmup_s, sc.horizon.end_s
    edges = clock_edges(lo, hi, 3600.0)
    per_bin = expected_callers(sc.arrivals, sc.horizon, edges)
    hour = ((edges[:-1] % DAY_S) // 3600).astype(int)
    load = np.bincount(hour, weights=per_bin, minlength=24)
    return np.sort(np.argsort(-load, kind="stable")[:PEAK_HOURS])


def nests_in_hours(sc: Scenario) -> bool:
    """Whether the intervals of ``targets.interval_min`` tile each clock hour (30 min, 15, 60):
    then every interval lies in one hour, and :func:`summary` can read the interval table.
    """
    width_s = sc.targets.interval_s
    return 3600.0 % width_s == 0.0


def summary(rec: Records, table: pd.DataFrame | None = None) -> dict[str, float]:
    """The binding-resource :data:`METRICS` for one replication, over the window.

    Each metric is a time-weighted mean of :func:`by_interval`'s column, over the window or
    over the peak hours. ``table``, if given, is ``by_interval(rec)`` (the run's binding
    table, already swept): where the intervals nest in clock hours it is read instead of
    sweeping the periods again (the same means, to rounding); otherwise the periods are
    swept per clock hour.
    """
    sc = rec.scenario
    lo, hi = rec.window_s
    if not nests_in_hours(sc):
        table = by_interval(rec, clock_edges(lo, hi, 3600.0))
    elif table is None:
        table = by_interval(rec)
    length = table["interval_end_s"] - table["interval_start_s"]
    hour = ((table["interval_start_s"] % DAY_S) // 3600).astype(int)
    peak = hour.isin(peak_hours(sc))

    def mean(col: str, where: pd.Series | None = None) -> float:
        w = length if where is None else length[where]
        x = table[col] if where is None else table[col][where]
        return float(np.sum(x * w) / np.sum(w)) if np.sum(w) > 0 else math.nan

    out = {
        name: mean(name)
        for name in METRICS
        if not name.startswith("peak_") and name != "call_takers_on_duty_mean"
    }
    out["call_takers_on_duty_mean"] = (
        out["call_takers_present_mean"] - out["call_takers_on_break_mean"]
    )
    if sc.lines is None:
        out["all_lines_busy_share"] = math.nan
    for r in RESOURCES:
        out[f"peak_{r}_bind_share"] = mean(f"{r}_bind_share", peak)
    if sc.lines is None:
        out["peak_lines_bind_share"] = math.nan
    return {k: out[k] for k in METRICS}


def verdict(peak_shares: dict[str, float]) -> list[str]:
    """The resources binding at the peak hours, from ``peak_<r>_bind_share`` means (empty:
    none binds).
    """
    return [
        r
        for r in RESOURCES
        if not math.isnan(peak_shares.get(f"peak_{r}_bind_share", math.nan))
        and peak_shares[f"peak_{r}_bind_share"] >= BINDING_SHARE
    ]
