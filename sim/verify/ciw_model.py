"""Ciw, an independent simulator, set up to run the same system as a scenario.

Used by :mod:`sim.verify.exact` to cross-check the model where no formula exists. Ciw is a test
dependency, imported lazily. Ciw's ``Schedule(preemption=False)`` swaps every server at each
shift boundary and lets a busy one finish its call first, which is exactly this model's overtime
rule when everyone on duty changes at each boundary and the seats never bind;
:func:`ciw_schedule` derives the schedule from the roster and refuses a scenario where either
fails. Source: G. Palmer, V. Knight, P. Harper & A. Hawa (2019), Ciw: an open-source discrete
event simulation library, J. Simulation 13(1).
"""

from __future__ import annotations

import random
from typing import Any

import numpy as np

from sim.core.streams import replication_seed, stream
from sim.errors import ScenarioError, described
from sim.scenario import Scenario
from sim.scenario.values import DAY_S

_CIW = " for the Ciw cross-check"


def _require(ok: bool, key: str, allowed: str, got: Any, sc: Scenario, why: str = _CIW) -> None:
    """Raise a ScenarioError naming the scenario's file and key unless ``ok``."""
    if not ok:
        raise ScenarioError(key, allowed + why, got, file=sc.file)


#: How long Ciw runs past the horizon with no new arrivals, so every call in the window ends
#: (the model's ``end = "drain"``).
CIW_DRAIN_S = 2 * DAY_S


def ciw_available() -> bool:
    """True when the Ciw package can be imported (it is a test dependency, not a core one)."""
    try:
        import ciw  # noqa: F401
    except ImportError:
        return False
    return True


def ciw_schedule(sc: Scenario) -> tuple[list[int], list[float]]:
    """Call-takers on duty per segment of the day and the segments' end times (s), for Ciw.

    Read from the model's own roster (day 1, so nothing is clipped at the horizon start). The
    mapping to ``ciw.Schedule(preemption=False)`` is exact only when (1) every duty period runs
    from one boundary of the schedule to the next, so at each boundary everyone on duty changes
    (Ciw replaces all servers at every boundary, midnight included); (2) the seats never bind,
    even when a shift's busy people finish their calls while the next shift logs in; and (3) the
    roster is the same every day (no rotation, weekly offs, absence or breaks). Raises a
    ScenarioError naming the key otherwise.
    """
    from sim.core.roster import CALL_TAKER, build_roster

    st = sc.staff
    _require(
        not st.breaks, "staff.breaks", "empty", described(f"<{len(st.breaks)} breaks>"), sc, _CIW
    )
    if st.mode == "roster":
        _require(st.absence_rate == 0, "staff.absence_rate", "0", st.absence_rate, sc, _CIW)
        _require(st.weekly_offs == 0, "staff.weekly_offs", "0", st.weekly_offs, sc, _CIW)
        _require(st.rotation_days == 0, "staff.rotation_days", "0", st.rotation_days, sc, _CIW)
    roster = build_roster(st, sc.horizon, np.random.default_rng(0), extra_days=2)
    taker = roster.people["role"].to_numpy()[roster.duty_person] == CALL_TAKER
    start, end = roster.duty_start_s[taker], roster.duty_end_s[taker]
    day1 = (end > DAY_S) & (start < 2 * DAY_S)  # periods that touch day 1
    start, end = start[day1], end[day1]
    cuts = np.unique(np.concatenate([[0.0], np.mod(start, DAY_S), np.mod(end, DAY_S)]))
    bounds = np.concatenate([cuts + k * DAY_S for k in range(4)])  # absolute, days 0..3
    first = np.searchsorted(bounds, start, side="left")
    last = np.searchsorted(bounds, end, side="left")
    one_segment = (  # starts and ends on a boundary, with no boundary in between
        np.isclose(bounds[np.minimum(first, bounds.size - 1)], start)
        & np.isclose(bounds[np.minimum(last, bounds.size - 1)], end)
        & (last - first == 1)
    )
    _require(
        bool(one_segment.all()),
        "staff.shifts",
        "shifts that each run from one change of staff to the next, with a change at midnight "
        "(Ciw replaces every server at each change)",
        [(s.name, s.start_s / 3600, s.duration_s / 3600) for s in st.shifts],
        sc,
        _CIW,
    )
    ends_s = [*cuts[1:].tolist(), DAY_S]
    counts = [
        int(np.sum((start <= DAY_S + lo) & (end >= DAY_S + hi)))
        for lo, hi in zip(cuts.tolist(), ends_s, strict=True)
    ]
    peak = max(counts[i] + counts[i - 1] for i in range(len(counts)))
    _require(
        st.seats >= peak,
        "staff.seats",
        f"at least {peak}, the people of two consecutive shifts (so seats never bind "
        "while a shift finishes its calls)",
        st.seats,
        sc,
        _CIW,
    )
    return counts, ends_s


def ciw_network(sc: Scenario) -> Any:
    """The scenario as a Ciw network: one node, Poisson arrivals piecewise constant by slot,
    exponential talk and patience, servers on a daily ``Schedule`` (see :func:`ciw_schedule`).
    """
    import ciw

    a = sc.arrivals
    _require(a.mode == "profile", "arrivals.mode", '"profile"', a.mode, sc, _CIW)
    _require(a.daily_cv == 0, "arrivals.daily_cv", "0", a.daily_cv, sc, _CIW)
    _require(
        set(a.day_of_week) == {1.0}, "arrivals.day_of_week", "all equal", a.day_of_week, sc, _CIW
    )
    _require(
        not a.surges, "arrivals.surges", "empty", described(f"<{len(a.surges)} surges>"), sc, _CIW
    )
    _require(len(sc.call_types) == 1, "call_types", "one call type", len(sc.call_types), sc, _CIW)
    t = sc.call_types[0]
    key = f"call_types.{t.name}"
    _require(t.talk.kind == "exponential", f"{key}.talk", "exponential", t.talk.kind, sc, _CIW)
    kind = t.patience.kind
    _require(kind == "exponential", f"{key}.patience", "exponential", kind, sc, _CIW)
    _require(t.after_call.is_zero, f"{key}.after_call", "0", t.after_call.mean, sc, _CIW)
    _require(
        t.redial.after_busy == 0 and t.redial.after_abandon == 0 and t.escalation_share == 0,
        key,
        "no redials and no escalation",
        described("<redials or escalation>"),
        sc,
        _CIW,
    )
    _require(sc.lines is None, "lines.count", '"unlimited"', sc.lines, sc, _CIW)
    _require(sc.horizon.end == "drain", "horizon.end", '"drain"', sc.horizon.end, sc, _CIW)
    counts, ends_s = ciw_schedule(sc)
    weights = np.asarray(a.profile, dtype=float)
    slot_s = DAY_S / weights.size
    rates = (a.callers_per_day * weights / weights.sum() / slot_s).tolist()
    return ciw.create_network(
        arrival_distributions=[
            ciw.dists.PoissonIntervals(
                rates=rates,
                endpoints=[slot_s * (i + 1) for i in range(weights.size)],
                max_sample_date=sc.horizon.end_s,
            )
        ],
        service_distributions=[ciw.dists.Exponential(rate=1.0 / t.talk.mean)],
        number_of_servers=[
            ciw.Schedule(numbers_of_servers=counts, shift_end_dates=ends_s, preemption=False)
        ],
        reneging_time_distributions=[ciw.dists.Exponential(rate=1.0 / t.patience.mean)],
    )


def ciw_seed(sc: Scenario, replication: int) -> int:
    """Ciw's seed for a replication: drawn from the replication's own ``ciw`` stream."""
    return int(stream(replication_seed(sc.horizon.seed, replication), "ciw").integers(2**32))


def ciw_replication(sc: Scenario, replication: int) -> dict[str, float]:
    """One replication in Ciw: ``attempts``, ``abandon_rate``, ``asa_s``, ``service_level`` of
    the calls arriving in the window, with this project's denominators.

    Ciw draws from Python's global ``random`` and ``ciw.rng``; both are restored afterwards so
    the caller's global state is untouched.
    """
    import ciw

    saved_random, saved_rng = random.getstate(), ciw.rng
    try:
        ciw.seed(ciw_seed(sc, replication))
        sim = ciw.Simulation(ciw_network(sc))
        sim.simulate_until_max_time(sc.horizon.end_s + CIW_DRAIN_S)
        records = sim.get_all_records(only=["service", "renege"])
    finally:
        random.setstate(saved_random)
        ciw.rng = saved_rng
    lo, hi = sc.horizon.warmup_s, sc.horizon.end_s
    arrived = np.array([r.arrival_date for r in records])
    wait = np.array([r.waiting_time for r in records])
    served = np.array([r.record_type == "service" for r in records])
    win = (arrived >= lo) & (arrived < hi)
    n_served = int(np.sum(win & served))
    n_reneged = int(np.sum(win & ~served))
    w = wait[win & served]
    return {
        "attempts": float(win.sum()),
        "abandon_rate": n_reneged / (n_served + n_reneged),
        "asa_s": float(w.mean()),
        "service_level": float(np.mean(w <= sc.targets.service_level_s)),
    }
