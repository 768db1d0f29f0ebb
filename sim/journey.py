"""Metrics of a call's way around the queue: the language menu (and, as they are added,
callbacks and officers' roles).

Like :mod:`sim.attainment` and :mod:`sim.binding`, a ``METRICS`` table and a ``summary``
of one replication's records, merged into :func:`sim.metrics.summarize`. Attempt metrics
count attempts that arrive in the window [warm-up end, horizon end). A metric of an option
the scenario does not use is NaN.
"""

from __future__ import annotations

import math

import numpy as np

from sim.core.records import ABANDONED, BLOCKED, Records

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
    return m
