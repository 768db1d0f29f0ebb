"""Agents on duty per interval, and their wrap-up time, estimated from agent ids' activity.

Estimator (a log records services, not log-ins): an agent's consecutive services are merged
into *sessions* wherever the gap between a hang-up and the agent's next answer is at most
``GAP_S`` (15 min), and at most ``WRAP_MAX_S`` (2 min) if a caller was waiting at the hang-up
(an agent who leaves waiting callers unanswered longer was not available); an agent is on duty
from a session's first answer to its last hang-up. The gaps of at most ``WRAP_MAX_S`` while a
caller was waiting are the agent's wrap-up (the scenario's after-call work). The staffing of an
interval is the time-average number of agents on duty in it, rounded to a whole number for the
scenario. It undercounts agents who sat idle longer than the gap in quiet hours; docs/calibration.md
discusses the effect.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

GAP_S = 900.0
WRAP_MAX_S = 120.0
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


def sessions(calls: pd.DataFrame, gap_s: float = GAP_S) -> pd.DataFrame:
    """One row per agent session: ``agent``, ``start``, ``end`` (date-times)."""
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
