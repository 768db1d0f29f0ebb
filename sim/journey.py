"""Metrics of a call's way around the queue: the language menu and callbacks.

Like :mod:`sim.attainment` and :mod:`sim.binding`, a ``METRICS`` table and a ``summary``
of one replication's records, merged into :func:`sim.metrics.summarize`. Attempt metrics
count attempts that arrive in the window [warm-up end, horizon end). A metric of an option
the scenario does not use is NaN.
"""

from __future__ import annotations

import math

import numpy as np

from sim.core.records import ABANDONED, ANSWERED, BLOCKED, CALLBACK, GAVE_UP, Records

#: name -> (unit, description)
METRICS: dict[str, tuple[str, str]] = {
    "menu_mean_s": (
        "s",
        "mean time in the language menu of attempts that got a line (to the hang-up for "
        "those who hung up in it); NaN without a menu",
    ),
    "menu_abandon_share": (
        "share",
        "attempts that hung up in the menu / attempts that got a line; NaN without a menu",
    ),
    "callbacks_offered_share": (
        "share",
        "callers' own dials offered a callback / their dials that got a line; NaN without "
        "callbacks",
    ),
    "callbacks_accepted_share": ("share", "callbacks accepted / offered"),
    "callbacks_completed_share": (
        "share",
        "accepted callbacks answered by the caller (on some try) / accepted",
    ),
    "callbacks_failed_share": (
        "share",
        "accepted callbacks never answered in callbacks.max_tries tries (the caller is lost) "
        "/ accepted",
    ),
    "callback_delay_mean_min": (
        "min",
        "mean time from accepting a callback to the answered callback, completed callbacks",
    ),
    "callback_delay_p90_min": ("min", "90th percentile of that delay, completed callbacks"),
}


def summary(rec: Records) -> dict[str, float]:
    """The journey metrics of one replication."""
    m: dict[str, float] = dict.fromkeys(METRICS, math.nan)
    a = rec.attempt
    lo, hi = rec.window_s
    arrived = a["arrived_at_s"]
    win = (arrived >= lo) & (arrived < hi)
    if rec.scenario.has_menu:
        got_line = win & (a["outcome"] != BLOCKED)
        n = int(got_line.sum())
        if n:
            menu = a["menu_s"][got_line]
            dropped = (a["outcome"][got_line] == ABANDONED) & (menu >= a["patience_s"][got_line])
            m["menu_mean_s"] = float(np.mean(menu))
            m["menu_abandon_share"] = float(np.sum(dropped)) / n
    if rec.scenario.callbacks.enabled:
        m.update(_callbacks(rec, win))
    return m


def _callbacks(rec: Records, win: np.ndarray) -> dict[str, float]:
    """Callback shares and delay; callbacks counted by the window of the accepting dial."""
    a = rec.attempt
    out = a["outcome"]
    own = win & (a["callback_try"] == 0)
    got_line = int(np.sum(own & (out != BLOCKED)))
    offered = int(np.sum(own & (a["callback_offered"] == 1)))
    accepting = own & (out == CALLBACK)
    accepted_at = np.full(rec.caller["call_type"].size, np.nan)
    accepted_at[a["caller_id"][accepting]] = a["line_released_at_s"][accepting]
    n_acc = int(accepting.sum())
    connected = (a["callback_try"] > 0) & (out == ANSWERED)
    who = a["caller_id"][connected]
    keep = ~np.isnan(accepted_at[who])  # accepted inside the window
    delay_s = a["answered_at_s"][connected][keep] - accepted_at[who][keep]
    lost = int(np.sum(rec.caller["outcome"][a["caller_id"][accepting]] == GAVE_UP))
    return {
        "callbacks_offered_share": offered / got_line if got_line else math.nan,
        "callbacks_accepted_share": n_acc / offered if offered else math.nan,
        "callbacks_completed_share": delay_s.size / n_acc if n_acc else math.nan,
        "callbacks_failed_share": lost / n_acc if n_acc else math.nan,
        "callback_delay_mean_min": float(np.mean(delay_s)) / 60 if delay_s.size else math.nan,
        "callback_delay_p90_min": (
            float(np.percentile(delay_s, 90)) / 60 if delay_s.size else math.nan
        ),
    }
