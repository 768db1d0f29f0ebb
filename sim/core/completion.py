"""The victim's portal step: completing a registered complaint on the national portal.

After the call the victim gets a link and must complete the complaint on the portal within
``portal.window_h`` (24 h, DOMAIN.md section 8), or it is not registered there; one state
reported 241 calls to 1930 but 74 completed registrations. The step happens after the call
and uses no helpline resource, so it is drawn from the records after the run, not simulated:
each registered complaint caller completes with probability ``portal.probability``, after a
``portal.delay`` from registration, and only if that delay is within the window.

Randomness: per caller (:func:`~sim.core.streams.per_caller`), streams ``portal/NAME``
(the decision, a uniform) and ``portal_delay/NAME`` (the delay), so a caller's portal story
is the same in two variants that register them, and no other stream's numbers move.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.core.streams import UNIFORM, per_caller, replication_seed
from sim.scenario.values import Scenario

if TYPE_CHECKING:
    from sim.core.records import Records

#: What became of a complaint caller on the portal (``portal`` column of callers).
COMPLETED, LAPSED, PENDING, NOT_REGISTERED = range(4)
PORTAL_OUTCOMES = ["completed", "lapsed", "pending", "not_registered"]


def completed_at(
    sc: Scenario, replication: int, call_type: np.ndarray, registered_at_s: np.ndarray
) -> np.ndarray:
    """Per caller: the instant the complaint is completed on the portal (s), NaN if never.

    ``registered_at_s`` is NaN for callers not registered (and for non-complaints). Without
    the portal step every registered complaint counts as completed at its registration.
    """
    p = sc.portal
    if not p.enabled:
        return registered_at_s
    root = replication_seed(sc.horizon.seed, replication)
    names = [t.name for t in sc.call_types]
    u = per_caller([UNIFORM] * len(names), names, call_type, root, "portal")
    delay_s = per_caller([p.delay] * len(names), names, call_type, root, "portal_delay")
    done = ~np.isnan(registered_at_s) & (u < p.probability) & (delay_s <= p.window_s)
    return np.where(done, registered_at_s + delay_s, np.nan)


def portal_outcome(
    registered_at_s: np.ndarray, completed_at_s: np.ndarray, window_s: float, stop_s: float
) -> np.ndarray:
    """Per caller: completed (at or before the run stopped), pending (its window still open
    when the run stopped), lapsed (the window closed without it) or not registered.
    """
    reg = ~np.isnan(registered_at_s)
    done = ~np.isnan(completed_at_s) & (completed_at_s <= stop_s)
    pending = reg & ~done & (registered_at_s + window_s > stop_s)
    return np.select([~reg, done, pending], [NOT_REGISTERED, COMPLETED, PENDING], LAPSED).astype(
        np.int8
    )


def table(rec: Records) -> pd.DataFrame:
    """The ``portal`` table: one row per complaint caller, what became of the portal step
    (empty without ``[portal]``).
    """
    sc = rec.scenario
    c = rec.caller
    keep = rec.complaint if sc.portal.enabled else np.zeros(rec.complaint.size, dtype=bool)
    reg = c["registered_at_s"][keep]
    done = rec.completed_at_s[keep]
    first = c["first_dial_at_s"][keep]
    lo, hi = rec.window_s
    df = pd.DataFrame(
        {
            "caller_id": np.flatnonzero(keep).astype(np.int64),
            "registered_at_s": reg,
            "completed_at_s": done,
            "completion_delay_s": done - reg,
            "portal": pd.Categorical.from_codes(
                portal_outcome(reg, done, sc.portal.window_s, rec.stop_s),
                categories=PORTAL_OUTCOMES,
            ),
            "in_window": (first >= lo) & (first < hi),
        }
    )
    return rec._tag(df)
