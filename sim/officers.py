"""Metrics of the officers: escalations, the wait for an officer, occupancy, supervision.

Like :mod:`sim.journey`, a ``METRICS`` table and a ``summary`` of one replication's records,
merged into :func:`sim.metrics.summarize`. Escalations count attempts that arrive in the
window [warm-up end, horizon end); time shares clip the people's periods to the window. A
metric of an option the scenario does not use is NaN (the supervisors' without
``staff.supervisor_ranks``; the share given up without routed escalations, where nobody can
give up).
"""

from __future__ import annotations

import math

import numpy as np

from sim.core.intervals import overlap_s
from sim.core.records import Records
from sim.core.roster import ESCALATION, SUPERVISOR

#: name -> (unit, description)
METRICS: dict[str, tuple[str, str]] = {
    "escalations": ("attempts", "answered attempts passed on to an officer or supervisor"),
    "escalation_abandon_share": (
        "share",
        "escalations whose caller gave up waiting for the officer / escalations; NaN without "
        "escalation rules or escalation_patience",
    ),
    "officer_occupancy": (
        "share",
        "officers' (staff.escalation_ranks) escalation talk / their logged-in time",
    ),
    "supervisor_escalations_share": (
        "share",
        "escalations sent to supervisors / escalations; NaN without staff.supervisor_ranks",
    ),
    "supervisor_occupancy": (
        "share",
        "supervisors' escalation talk / their time logged in for escalations (on duty, not "
        "supervising); NaN without supervisors",
    ),
    "supervision_share": (
        "share",
        "supervisors' time supervising / their time on duty (supervising or logged in); NaN "
        "without supervisors",
    ),
    "supervisors_on_duty_mean": (
        "people",
        "mean supervisors in a rostered duty period; NaN without supervisors",
    ),
}


def busy_periods(rec: Records, role: int) -> tuple[np.ndarray, np.ndarray]:
    """Escalation talk of the people of ``role``: (start, end) in s, open ends at the stop."""
    a = rec.attempt
    started = ~np.isnan(a["escalation_started_at_s"])
    roles = rec.people["role"].to_numpy()
    mine = np.zeros_like(started)
    mine[started] = roles[a["officer_id"][started]] == role
    start = a["escalation_started_at_s"][mine]
    return start, np.minimum(start + a["escalation_talk_s"][mine], rec.stop_s)


def _share(num: float, den: float) -> float:
    return num / den if den > 0 else math.nan


def summary(rec: Records) -> dict[str, float]:
    """The officer metrics of one replication."""
    m: dict[str, float] = dict.fromkeys(METRICS, math.nan)
    sc = rec.scenario
    a = rec.attempt
    lo, hi = rec.window_s
    arrived = a["arrived_at_s"]
    esc = (arrived >= lo) & (arrived < hi) & ~np.isnan(a["escalation_requested_at_s"])
    n_esc = int(esc.sum())
    m["escalations"] = n_esc
    if sc.escalation_routed:
        m["escalation_abandon_share"] = _share(float(a["escalation_abandoned"][esc].sum()), n_esc)
    s = rec.session

    def occupancy(role: int) -> tuple[float, float]:
        start, end = busy_periods(rec, role)
        mine = s["role"] == role
        logged = overlap_s(s["login_at_s"][mine], s["logout_at_s"][mine], lo, hi)
        return overlap_s(start, end, lo, hi), logged

    busy, logged = occupancy(ESCALATION)
    m["officer_occupancy"] = _share(busy, logged)
    if not sc.has_supervisors:
        return m
    if sc.escalation_routed:
        to_sup = a["escalation_to"][esc] == 1
        m["supervisor_escalations_share"] = _share(float(to_sup.sum()), n_esc)
    else:
        m["supervisor_escalations_share"] = 0.0 if n_esc else math.nan
    busy, logged = occupancy(SUPERVISOR)
    m["supervisor_occupancy"] = _share(busy, logged)
    b = rec.breaks
    sup = b["role"] == SUPERVISOR
    supervising = overlap_s(
        b["start_at_s"][sup], np.nan_to_num(b["end_at_s"][sup], nan=rec.stop_s), lo, hi
    )
    m["supervision_share"] = _share(supervising, supervising + logged)
    d = rec.duty
    on = d["role"] == SUPERVISOR
    m["supervisors_on_duty_mean"] = overlap_s(d["on_at_s"][on], d["off_at_s"][on], lo, hi) / (
        hi - lo
    )
    return m
