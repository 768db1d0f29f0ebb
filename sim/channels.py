"""What the other channels' records mean: deferred-work replies and the portal step.

Deferred items (``[deferred]``, sim/core/deferred.py) count when they *arrive* in the window
[warm-up end, horizon end), as attempts do. Every item is accounted for at the end of the run:
replied within the reply target, replied after it, in progress, or still waiting
(``deferred_unanswered`` = the last two). ``deferred_within_target_share`` divides by every
item, so leaving items unanswered cannot raise it; the reply-time percentiles are over the
replied items, with ``deferred_unanswered`` beside them.

The portal step (``[portal]``, sim/core/completion.py) is judged over the window's complaint
callers, as ``not_registered_share`` is: ``not_registered_share`` + ``not_completed_share`` +
(completed / complaint callers) = 1. Without the tables every metric here is NaN.
"""

from __future__ import annotations

import math

import numpy as np

from sim.core.completion import COMPLETED, portal_outcome
from sim.core.deferred import WITHIN_TARGET, outcome
from sim.core.intervals import overlap_s
from sim.core.records import Records
from sim.core.roster import CALL_TAKER
from sim.scenario.values import DAY_S

#: Per-replication metrics of this module: name -> (unit, description).
METRICS: dict[str, tuple[str, str]] = {
    "deferred_items": ("items", "deferred items (portal, social media) arriving in the window"),
    "deferred_items_per_day": ("items/day", "deferred items per day of the window"),
    "deferred_replied": ("items", "deferred items of the window replied to by the end of the run"),
    "deferred_unanswered": (
        "items",
        "deferred items of the window still waiting or being handled when the run stopped",
    ),
    "deferred_within_target_share": (
        "share",
        "deferred items replied within deferred.reply_target_min of arriving / deferred items",
    ),
    "deferred_reply_p50_min": ("min", "median arrival-to-reply time, replied deferred items"),
    "deferred_reply_p90_min": ("min", "90th percentile reply time, replied deferred items"),
    "deferred_reply_p95_min": ("min", "95th percentile reply time, replied deferred items"),
    "deferred_occupancy": (
        "share",
        "call-taker time handling deferred items / call-taker logged-in time (agent_occupancy "
        "counts the phones only)",
    ),
    "portal_completed_share": (
        "share",
        "registered complaints completed on the portal within portal.window_h / registered "
        "complaints",
    ),
    "not_completed_share": (
        "share",
        "complaint callers registered but not completed on the portal (lapsed, or still within "
        "their window when the run stopped) / complaint callers; beside not_registered_share",
    ),
    "portal_delay_p50_min": ("min", "median registration-to-completion delay, completed"),
    "portal_delay_p90_min": ("min", "90th percentile registration-to-completion delay, completed"),
}


def _pct_min(x: np.ndarray, q: float) -> float:
    return float(np.percentile(x, q)) / 60 if x.size else math.nan


def _ratio(num: float, den: float) -> float:
    return num / den if den else math.nan


def deferred_summary(rec: Records) -> dict[str, float]:
    """The deferred-work metrics of one replication (NaN without ``[deferred]``)."""
    names = [m for m in METRICS if m.startswith("deferred_")]
    d = rec.deferred
    if not d:
        return dict.fromkeys(names, math.nan)
    lo, hi = rec.window_s
    arrived = d["arrived_at_s"]
    win = (arrived >= lo) & (arrived < hi)
    reply = (d["replied_at_s"] - arrived)[win]
    replied = reply[~np.isnan(reply)]
    n = int(win.sum())
    stop = rec.stop_s
    started = ~np.isnan(d["started_at_s"])
    busy = overlap_s(
        d["started_at_s"][started], np.nan_to_num(d["replied_at_s"], nan=stop)[started], lo, hi
    )
    s = rec.session
    taker = s["role"] == CALL_TAKER
    logged = overlap_s(s["login_at_s"][taker], s["logout_at_s"][taker], lo, hi)
    return {
        "deferred_items": n,
        "deferred_items_per_day": n / ((hi - lo) / DAY_S),
        "deferred_replied": replied.size,
        "deferred_unanswered": n - replied.size,
        "deferred_within_target_share": _ratio(
            float(np.sum(outcome(rec)[win] == WITHIN_TARGET)), n
        ),
        "deferred_reply_p50_min": _pct_min(replied, 50),
        "deferred_reply_p90_min": _pct_min(replied, 90),
        "deferred_reply_p95_min": _pct_min(replied, 95),
        "deferred_occupancy": _ratio(busy, logged),
    }


def portal_summary(rec: Records) -> dict[str, float]:
    """The portal-step metrics of one replication (NaN without ``[portal]``)."""
    names = [m for m in METRICS if m.startswith("portal_") or m == "not_completed_share"]
    sc = rec.scenario
    if not sc.portal.enabled:
        return dict.fromkeys(names, math.nan)
    lo, hi = rec.window_s
    c = rec.caller
    comp = rec.complaint & (c["first_dial_at_s"] >= lo) & (c["first_dial_at_s"] < hi)
    reg = c["registered_at_s"][comp]
    done = rec.completed_at_s[comp]
    out = portal_outcome(reg, done, sc.portal.window_s, rec.stop_s)
    completed = out == COMPLETED
    n_reg = int(np.sum(~np.isnan(reg)))
    delay = (done - reg)[completed]
    return {
        "portal_completed_share": _ratio(float(completed.sum()), n_reg),
        "not_completed_share": _ratio(float(n_reg - completed.sum()), int(comp.sum())),
        "portal_delay_p50_min": _pct_min(delay, 50),
        "portal_delay_p90_min": _pct_min(delay, 90),
    }


def summary(rec: Records) -> dict[str, float]:
    """Return the :data:`METRICS` of this module for one replication."""
    return {**deferred_summary(rec), **portal_summary(rec)}
