"""The load a scenario offers, per planning interval: callers, work per call, patience.

Rates come from the arrival definition itself (profile x weekday x surges, the gamma day factor
at its mean of 1) averaged exactly over each interval. Per call: the mean time a call-taker is
held (talk, the officer's part of escalated calls, after-call work), the mean time a line is held
(talk and escalation, no after-call work), the mean patience, and the officers' load. All from
the exact means of the scenario's distributions; seconds throughout.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.core.arrivals import rate_breakpoints
from sim.scenario.values import DAY_S, Scenario


@dataclass(frozen=True)
class Demand:
    """Offered load of one planning horizon, one entry per interval from ``start_s``."""

    interval_s: float
    start_s: float
    weekday: np.ndarray  # 0 = Monday, per interval
    slot: np.ndarray  # interval of the day, 0..intervals per day - 1
    calls_per_s: np.ndarray  # first dials (no redials), per interval
    handle_s: float  # call-taker time per answered call
    line_hold_s: float  # line time per answered call, beyond the wait
    patience_s: float
    escalations_per_call: float
    officer_handle_s: float

    @property
    def per_day(self) -> int:
        """Number of planning intervals in a day."""
        return int(round(DAY_S / self.interval_s))


def demand(sc: Scenario, interval_s: float, start_s: float, days: int) -> Demand:
    """The demand of ``days`` whole days from ``start_s`` (a multiple of a day)."""
    if sc.arrivals.mode == "trace":
        raise ValueError('arrivals.mode must be "profile" or "constant" to plan; got "trace"')
    end_s = start_s + days * DAY_S
    edges, rates = rate_breakpoints(sc.arrivals, sc.horizon, np.ones(days + 2), end_s)
    cum = np.concatenate(([0.0], np.cumsum(rates * np.diff(edges))))
    bounds = start_s + np.arange(round(days * DAY_S / interval_s) + 1) * interval_s
    counts = np.diff(np.interp(bounds, edges, cum))
    n = counts.size
    per_day = int(round(DAY_S / interval_s))
    first = (sc.horizon.start_date.weekday() + int(start_s // DAY_S)) % 7
    shares = np.array([t.share for t in sc.call_types])
    talk = np.array([t.talk.mean for t in sc.call_types])
    acw = np.array([t.after_call.mean for t in sc.call_types])
    esc = np.array([t.escalation_share for t in sc.call_types])
    esc_talk = np.array([t.escalation_talk.mean for t in sc.call_types])
    patience = np.array([t.patience.mean for t in sc.call_types])
    escalations = float(shares @ esc)
    return Demand(
        interval_s=interval_s,
        start_s=start_s,
        weekday=(first + np.arange(n) // per_day) % 7,
        slot=np.arange(n) % per_day,
        calls_per_s=counts / interval_s,
        handle_s=float(shares @ (talk + esc * esc_talk + acw)),
        line_hold_s=float(shares @ (talk + esc * esc_talk)),
        patience_s=float(shares @ patience),
        escalations_per_call=escalations,
        officer_handle_s=float(shares @ (esc * esc_talk)) / escalations if escalations else 0.0,
    )
