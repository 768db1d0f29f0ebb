"""First dials: a non-homogeneous Poisson process, optionally gamma-mixed by day.

The rate is piecewise constant: callers per day x day-of-week factor x daily
random factor x intraday profile x surge multipliers. Counts per piece are
Poisson and times uniform within a piece, which samples the process exactly.
The profile may differ by weekday. ``"trace"`` arrivals are given instants;
``"bootstrap"`` arrivals replay, on each simulated day, one of a log's days
drawn at random (of the same weekday when asked and the log has one).
"""

from __future__ import annotations

import numpy as np

from sim.scenario.values import DAY_S, Arrivals, Horizon


def rate_breakpoints(
    arrivals: Arrivals, horizon: Horizon, day_factor: np.ndarray, end_s: float
) -> tuple[np.ndarray, np.ndarray]:
    """Piece edges (s) and rates (callers/s) of the arrival rate on [0, end_s).

    ``day_factor`` holds one multiplier per simulated day (the gamma mix).
    """
    n_slots = len(arrivals.profile)
    slot_s = DAY_S / n_slots
    n_days = int(np.ceil(end_s / DAY_S))
    edges = np.arange(n_days * n_slots + 1, dtype=float) * slot_s
    weekdays = (horizon.start_date.weekday() + np.arange(n_days)) % 7
    rows = arrivals.weekday_profiles or (arrivals.profile,)
    weights = np.asarray(rows, dtype=float)
    per_slot = weights / weights.sum(axis=1, keepdims=True)
    day_slots = per_slot[weekdays] if len(rows) == 7 else np.tile(per_slot, (n_days, 1))
    dow = np.asarray(arrivals.day_of_week)[weekdays]
    day_rate = arrivals.callers_per_day * dow * day_factor[:n_days]
    rates = (day_rate[:, None] * day_slots).ravel() / slot_s
    cuts = [s.start_s for s in arrivals.surges] + [
        s.start_s + s.duration_s for s in arrivals.surges
    ]
    if cuts:
        new_edges = np.unique(np.concatenate([edges, np.clip(cuts, 0, edges[-1])]))
        rates = rates[np.searchsorted(edges, new_edges[:-1], side="right") - 1]
        edges = new_edges
        mids = (edges[:-1] + edges[1:]) / 2
        for s in arrivals.surges:
            inside = (mids >= s.start_s) & (mids < s.start_s + s.duration_s)
            rates = np.where(inside, rates * s.multiplier, rates)
    # Keep every piece that starts before the end; the last one is cut at the end, so a
    # horizon of 2.5 days or one that ends mid-slot gets its callers up to the very end.
    n_pieces = int(np.searchsorted(edges, end_s, side="left"))
    edges = edges[: n_pieces + 1].copy()
    edges[-1] = end_s
    return edges, rates[:n_pieces]


def expected_callers(arrivals: Arrivals, horizon: Horizon, edges_s: np.ndarray) -> np.ndarray:
    """Expected first dials in each bin [edges[j], edges[j+1]) of the horizon.

    The integral of the rate :func:`first_dials` samples, with every factor it uses (profile,
    day of week, surges) and the daily gamma factor at its mean, 1: the one definition of the
    arrival rate that formulas fed from the scenario must use. Nothing arrives after the
    horizon end. A ``"trace"`` scenario gives its first dials per bin; a ``"bootstrap"`` one
    the mean of the log days each simulated day may replay.
    """
    edges_s = np.asarray(edges_s, dtype=float)
    if arrivals.mode == "trace":
        return np.histogram(np.asarray(arrivals.first_dial_s, dtype=float), bins=edges_s)[0] * 1.0
    if arrivals.mode == "bootstrap":  # each day: the mean of the log days it may replay
        times: list[float] = []
        weights: list[float] = []
        for d, pool in enumerate(_day_pools(arrivals, horizon)):
            for i in pool:
                day = arrivals.days[i].first_dial_s
                times += [d * DAY_S + t for t in day]
                weights += [1.0 / len(pool)] * len(day)
        t = np.asarray(times, dtype=float)
        w = np.asarray(weights, dtype=float)
        keep = t < horizon.end_s
        return np.histogram(t[keep], bins=edges_s, weights=w[keep])[0]
    end_s = horizon.end_s
    n_days = int(np.ceil(end_s / DAY_S))
    e, rates = rate_breakpoints(arrivals, horizon, np.ones(n_days), end_s)
    cum = np.concatenate(([0.0], np.cumsum(rates * np.diff(e))))
    return np.diff(np.interp(np.clip(edges_s, 0.0, end_s), e, cum))


def daily_factors(arrivals: Arrivals, n_days: int, rng: np.random.Generator) -> np.ndarray:
    """Mean-one gamma multipliers per day with coefficient of variation ``daily_cv``."""
    cv = arrivals.daily_cv
    if cv < 1e-6:  # no variation to speak of; 1 / cv**2 would overflow for tiny cv
        return np.ones(n_days)
    shape = 1.0 / (cv * cv)
    return rng.gamma(shape, 1.0 / shape, n_days)


def _day_pools(arrivals: Arrivals, horizon: Horizon) -> list[list[int]]:
    """For each simulated day, the log days it may replay (indices into ``arrivals.days``)."""
    n_days = int(np.ceil(horizon.end_s / DAY_S))
    every = list(range(len(arrivals.days)))
    pools = []
    for d in range(n_days):
        weekday = (horizon.start_date.weekday() + d) % 7
        pool = every
        if arrivals.same_weekday:
            pool = [i for i in every if arrivals.days[i].date.weekday() == weekday] or every
        pools.append(pool)
    return pools


def bootstrap_days(arrivals: Arrivals, horizon: Horizon, rng: np.random.Generator) -> list[int]:
    """The log day replayed on each simulated day (indices into ``arrivals.days``)."""
    return [pool[int(rng.integers(len(pool)))] for pool in _day_pools(arrivals, horizon)]


def dials(
    arrivals: Arrivals, horizon: Horizon, rng: np.random.Generator
) -> tuple[np.ndarray, tuple[str, ...]]:
    """First-dial instants (s, sorted) and, where the arrivals name them, callers' call types.

    The types are empty when they are to be drawn by share.
    """
    if arrivals.mode == "trace":
        return np.asarray(arrivals.first_dial_s, dtype=float), arrivals.call_type
    if arrivals.mode == "bootstrap":
        times: list[float] = []
        types: list[str] = []
        for d, i in enumerate(bootstrap_days(arrivals, horizon, rng)):
            day = arrivals.days[i]
            times += [d * DAY_S + t for t in day.first_dial_s]
            types += day.call_type
        t = np.asarray(times, dtype=float)
        keep = t < horizon.end_s
        return t[keep], tuple(x for x, k in zip(types, keep, strict=False) if k)
    return first_dials(arrivals, horizon, rng), ()


def first_dials(arrivals: Arrivals, horizon: Horizon, rng: np.random.Generator) -> np.ndarray:
    """Sorted first-dial instants (s) of all callers on [0, horizon end).

    A ``"trace"`` scenario gives them outright (``rng`` is then not used).
    """
    if arrivals.mode in ("trace", "bootstrap"):
        return dials(arrivals, horizon, rng)[0]
    end_s = horizon.end_s
    n_days = int(np.ceil(end_s / DAY_S))
    factor = daily_factors(arrivals, n_days, rng)
    edges, rates = rate_breakpoints(arrivals, horizon, factor, end_s)
    lengths = np.diff(edges)
    counts = rng.poisson(rates * lengths)
    starts = np.repeat(edges[:-1], counts)
    times = starts + rng.random(counts.sum()) * np.repeat(lengths, counts)
    times.sort()  # equal floats are indistinguishable, so any sort gives the same array
    return times[times < end_s]
