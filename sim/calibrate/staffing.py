"""Agents on duty per interval, and their wrap-up time, estimated from agent ids' activity.

A log records services, not log-ins, so time on duty is estimated; two estimators
(docs/calibration.md, "Staffing"):

``idle-gap`` (the default): an agent's consecutive services are merged into *sessions* wherever
the gap between a hang-up and the agent's next answer is at most ``GAP_S`` (15 min), and at most
``WRAP_MAX_S`` (2 min) if a caller was waiting at the hang-up (an agent who leaves waiting
callers unanswered longer was not available); an agent is on duty from a session's first answer
to its last hang-up. It undercounts agents who sat idle longer than the gap in quiet hours.

``work-conserving``: the largest time on duty consistent with the model's own rule that an idle
agent answers a waiting call at once. Per agent and date, on duty from the first answer to the
last hang-up, except the instants of an idle gap later than the longest after-call time the
scenario draws at which some caller waited. It has no threshold of its own; it counts every
break taken while nobody waited, so it overcounts.

The gaps of at most ``WRAP_MAX_S`` while a caller was waiting are the agent's wrap-up (the
scenario's after-call work). The staffing of an interval is the time-average number of agents
on duty in it, rounded to a whole number for the scenario.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

GAP_S = 900.0
WRAP_MAX_S = 120.0
MIN_WRAP_UPS = 30  # fewer wrap-up gaps than this: no after-call work in the scenario
WRAP_POINTS = 100  # quantiles of the wrap-up sample written as the after-call distribution
#: The staffing estimators, the default first.
ESTIMATORS = ("idle-gap", "work-conserving")
INTERVAL_S = 1800.0
DAY_S = 86_400.0


def waiting_at(calls: pd.DataFrame, instants: np.ndarray) -> np.ndarray:
    """Callers waiting (arrived, not yet answered or hung up) at each of ``instants``."""
    waited = calls["wait_s"].to_numpy() > 0
    arrived = np.sort(calls["arrived"].to_numpy()[waited])
    left = calls["arrived"] + pd.to_timedelta(calls["wait_s"], unit="s")
    left_sorted = np.sort(left.to_numpy()[waited])
    return np.searchsorted(arrived, instants, side="right") - np.searchsorted(
        left_sorted, instants, side="right"
    )


def _gaps(calls: pd.DataFrame) -> pd.DataFrame:
    """Per answered call of a named agent: the gap to the agent's next answer (s, NaN for the
    last), and the callers waiting at its hang-up.
    """
    served = calls[(calls["outcome"] == "answered") & (calls["agent"] != "")]
    served = served.sort_values(["agent", "service_start"], kind="stable")
    run_end = served.groupby("agent")["service_end"].cummax()
    nxt = served.groupby("agent")["service_start"].shift(-1)
    out = pd.DataFrame(
        {
            "agent": served["agent"],
            "start": served["service_start"],
            "end": run_end,
            "gap_s": (nxt - run_end).dt.total_seconds(),
        }
    )
    out["waiting"] = waiting_at(calls, run_end.to_numpy())
    return out


def wrap_up_sample(calls: pd.DataFrame) -> np.ndarray:
    """Gaps (s) between an agent's hang-up and next answer, up to ``WRAP_MAX_S``, while a
    caller was waiting: the agents' wrap-up time.
    """
    g = _gaps(calls)
    keep = (g["waiting"] > 0) & (g["gap_s"] >= 0) & (g["gap_s"] <= WRAP_MAX_S)
    return g.loc[keep, "gap_s"].to_numpy(dtype=float)


def after_call_samples_s(wrap_s: np.ndarray) -> list[float] | None:
    """The after-call distribution the scenario gets from the wrap-up sample: its
    ``WRAP_POINTS`` quantiles (s, to 0.1 s), or None (no after-call work) for a thin sample.
    """
    if wrap_s.size < MIN_WRAP_UPS:
        return None
    q = np.quantile(wrap_s, (np.arange(WRAP_POINTS) + 0.5) / WRAP_POINTS)
    return [round(float(x), 1) for x in q]


def describe(estimator: str) -> str:
    """One line saying what the staffing ``estimator`` counts as on duty."""
    if estimator == "work-conserving":
        return (
            "work-conserving, an agent is on duty from the first answer to the last hang-up of "
            "each date, except while a caller waited during the agent's idle time past the "
            "longest after-call time"
        )
    return (
        f"idle-gap, an agent is on duty from the first answer to the last hang-up of each run "
        f"of services with gaps up to {GAP_S / 60:g} min, or up to {WRAP_MAX_S:g} s while "
        "callers waited"
    )


def estimate(calls: pd.DataFrame, estimator: str = ESTIMATORS[0]) -> pd.DataFrame:
    """The agents' stretches on duty by ``estimator`` (one of ``ESTIMATORS``): one row each,
    ``agent``, ``start``, ``end`` (date-times).
    """
    if estimator == "idle-gap":
        return sessions(calls)
    if estimator == "work-conserving":
        points = after_call_samples_s(wrap_up_sample(calls))
        return work_conserving_sessions(calls, max(points) if points else 0.0)
    choices = ", ".join(ESTIMATORS)
    raise ValueError(f"staffing estimator must be one of {choices}; got {estimator!r}")


def sessions(calls: pd.DataFrame, gap_s: float = GAP_S) -> pd.DataFrame:
    """One row per agent session by the idle-gap rule: ``agent``, ``start``, ``end``."""
    gaps = _gaps(calls)
    rows = []
    for agent, g in gaps.groupby("agent", sort=True):
        s = g["start"].to_numpy()
        run_end = g["end"].to_numpy()
        gap = g["gap_s"].to_numpy()[:-1]
        away = (gap > gap_s) | ((g["waiting"].to_numpy()[:-1] > 0) & (gap > WRAP_MAX_S))
        new = np.concatenate(([True], away))
        ids = np.cumsum(new) - 1
        for k in range(ids[-1] + 1):
            m = ids == k
            rows.append((agent, s[m].min(), run_end[m].max()))
    return pd.DataFrame(rows, columns=["agent", "start", "end"])


def waiting_spans(calls: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The instants at which at least one caller waited, as sorted disjoint spans
    ``[start, end)`` (two arrays of datetime64[ns]): the union of every attempt's wait.
    """
    waited = calls["wait_s"].to_numpy() > 0
    a = calls["arrived"].to_numpy()[waited]
    b = (calls["arrived"] + pd.to_timedelta(calls["wait_s"], unit="s")).to_numpy()[waited]
    if a.size == 0:
        return a, b
    order = np.argsort(a, kind="stable")
    a, b = a[order], b[order]
    reach = np.maximum.accumulate(b)
    new = np.concatenate(([True], a[1:] > reach[:-1]))
    first = np.flatnonzero(new)
    last = np.concatenate((first[1:], [a.size])) - 1
    return a[first], reach[last]


def work_conserving_sessions(calls: pd.DataFrame, after_call_max_s: float) -> pd.DataFrame:
    """Agents' time on duty: the largest that is consistent with work conservation.

    Per agent and date (of the answer): on duty from the first answer to the last hang-up,
    except, in each idle gap from a hang-up ``e`` (the latest of the agent's hang-ups so far)
    to the agent's next answer, the instants later than ``e + after_call_max_s`` at which some
    caller was waiting (:func:`waiting_spans`): an on-duty agent past its after-call work
    answers a waiting call at once, so an agent idle then was not on duty; an idle instant
    when nobody waited is consistent with being on duty, and counted. One row per stretch on
    duty: ``agent``, ``start``, ``end``.
    """
    ws, we = waiting_spans(calls)
    served = calls[(calls["outcome"] == "answered") & (calls["agent"] != "")]
    served = served.assign(day=served["service_start"].dt.normalize())
    served = served.sort_values(["agent", "service_start"], kind="stable")
    keep = np.timedelta64(int(round(after_call_max_s * 1e9)), "ns")
    rows = []
    for (agent, _), g in served.groupby(["agent", "day"], sort=True):
        start = g["service_start"].to_numpy()
        run_end = np.maximum.accumulate(g["service_end"].to_numpy())
        lo, hi = run_end[:-1] + keep, start[1:]  # idle, past any after-call work
        cut_from, cut_to = [], []
        for a, b in zip(lo[lo < hi], hi[lo < hi], strict=True):
            k0 = np.searchsorted(we, a, side="right")
            k1 = np.searchsorted(ws, b, side="left")
            for k in range(k0, k1):
                cut_from.append(max(ws[k], a))
                cut_to.append(min(we[k], b))
        edges_from = [start[0], *cut_to]
        edges_to = [*cut_from, run_end[-1]]
        for s, e in zip(edges_from, edges_to, strict=True):
            if e > s:
                rows.append((agent, s, e))
    return pd.DataFrame(rows, columns=["agent", "start", "end"])


def on_duty(sess: pd.DataFrame, dates: list[dt.date], interval_s: float = INTERVAL_S) -> np.ndarray:
    """Time-average agents on duty, shape (len(dates), intervals per day)."""
    n = int(DAY_S // interval_s)
    out = np.zeros((len(dates), n))
    if sess.empty:
        return out
    origin = np.datetime64(dates[0], "ns")
    s = (sess["start"].to_numpy() - origin) / np.timedelta64(1, "s")
    e = (sess["end"].to_numpy() - origin) / np.timedelta64(1, "s")
    for i, d in enumerate(dates):
        day0 = (np.datetime64(d, "ns") - origin) / np.timedelta64(1, "s")
        lo = day0 + np.arange(n) * interval_s
        hi = lo + interval_s
        overlap = np.minimum(e[:, None], hi[None, :]) - np.maximum(s[:, None], lo[None, :])
        out[i] = np.clip(overlap, 0, None).sum(axis=0) / interval_s
    return out


def busy(calls: pd.DataFrame, dates: list[dt.date], interval_s: float = INTERVAL_S) -> np.ndarray:
    """Time-average agents busy talking (the offered load carried), same shape as on_duty."""
    served = calls[(calls["outcome"] == "answered") & (calls["agent"] != "")]
    sess = pd.DataFrame({"start": served["service_start"], "end": served["service_end"]})
    return on_duty(sess, dates, interval_s)


def whole(counts: np.ndarray) -> np.ndarray:
    """Whole agents per interval: the time average rounded half up; a day (row) with some
    activity that rounds to nobody at all keeps one agent wherever anyone was on duty.
    """
    c = np.atleast_2d(np.asarray(counts, dtype=float))
    out = np.floor(c + 0.5).astype(int)
    empty = (out.max(axis=1) == 0) & (c.max(axis=1) > 0)
    out[empty] = (c[empty] > 0).astype(int)
    return out.reshape(np.shape(counts))
