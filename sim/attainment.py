"""Attainment: whether the scenario's ``[targets]`` hold, interval by interval and day by day.

A plan that meets its targets *on average over the window* can still miss them in the busy
hours of most days; planners decide from those hours. This module cuts the window into
intervals of ``targets.interval_min`` (30 min by default, aligned to the clock) and into
calendar days, computes in each the figures the targets speak of, and says which targets hold.

Figures per interval or day (attempts counted where they *arrive*, complaint callers where
they *first dial*, as in :mod:`sim.metrics`):

* ``service_level`` answered within T / answered attempts, ``service_level_offered`` answered
  within T / offered attempts (answered + abandoned + blocked);
* ``abandon_rate`` abandoned in the queue / (answered + abandoned in the queue; hang-ups in
  the language menu left out), ``block_rate`` blocked / attempts;
* ``asa_s`` mean wait of answered attempts;
* ``golden_hour_share`` complaints registered within the golden hour / complaint callers.

Judging: a stated target holds when its figure is on the right side of it (``>=`` a minimum,
``<=`` a maximum). An interval with no attempts meets every attempt target, and one with no
complaint caller meets the golden-hour target: there is nothing to miss. An interval with
attempts but none answered misses the answered-convention service-level and ASA targets (its
figures are undefined because nobody got through). ``meets_targets`` is true when every
stated target holds. No target stated: nothing is judged and the shares are NaN.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from sim.core.intervals import bin_counts, bin_index
from sim.core.records import ABANDONED, ANSWERED, BLOCKED, Records
from sim.scenario.values import DAY_S, Targets

#: Per-replication metrics of this module: name -> (unit, description).
METRICS: dict[str, tuple[str, str]] = {
    "targets_met_interval_share": (
        "share",
        "intervals (targets.interval_min) of the window meeting every stated target",
    ),
    "targets_met_day_share": ("share", "days of the window meeting every stated target"),
    "worst_interval_met_share": (
        "share",
        "the interval of the day meeting the targets on the fewest days: share of days it does",
    ),
}

#: Target key -> (figure it judges, True if the target is a minimum).
TARGET_FIGURES: dict[str, tuple[str, bool]] = {
    "service_level_min": ("service_level", True),
    "abandon_rate_max": ("abandon_rate", False),
    "block_rate_max": ("block_rate", False),
    "asa_max_s": ("asa_s", False),
    "golden_hour_share_min": ("golden_hour_share", True),
}

FIGURES = (
    "service_level",
    "service_level_offered",
    "abandon_rate",
    "block_rate",
    "asa_s",
    "golden_hour_share",
)


def clock_edges(lo_s: float, hi_s: float, step_s: float) -> np.ndarray:
    """Bin edges on [lo_s, hi_s): the multiples of ``step_s`` inside, plus both ends."""
    inner = np.arange(math.floor(lo_s / step_s) + 1, math.ceil(hi_s / step_s)) * step_s
    return np.unique(np.concatenate([[lo_s], inner, [hi_s]]))


def tally(rec: Records, edges_s: np.ndarray) -> pd.DataFrame:
    """Counts per bin [edges[j], edges[j+1]): attempts by outcome, waits, complaints."""
    sc = rec.scenario
    a = rec.attempt
    arrived = a["arrived_at_s"]
    out = a["outcome"]
    wait = rec.wait_s  # in the queue: with a language menu, from the menu's end
    if sc.callbacks.enabled:  # the callers' own dials (callback tries are the helpline's)
        own = rec.own_dial
        out = np.where(own, out, -1)
        arrived = np.where(own, arrived, -np.inf)  # outside every bin
    ans = out == ANSWERED
    n = edges_s.size - 1
    # One code an attempt (0 other, 1 answered late, 2 answered within, 3 abandoned in the
    # queue, 4 blocked) and one bincount give every count, exactly as np.histogram would.
    codes = np.zeros(out.size, np.int8)
    codes[ans] = 1
    codes[ans & (wait <= sc.targets.service_level_s)] = 2
    codes[(out == ABANDONED) & ~rec.menu_abandoned] = 3  # hang-ups in the menu left out
    codes[out == BLOCKED] = 4
    by = bin_counts(bin_index(arrived, edges_s), n, codes, 5)
    c = rec.caller
    complaint = np.array([t.complaint for t in sc.call_types], dtype=bool)[c["call_type"]]
    delay = rec.reported_at_s - c["fraud_at_s"]  # to registration, or portal completion
    in_gh = complaint & (delay <= sc.targets.golden_hour_s)  # NaN (not registered) is False
    kind = complaint.astype(np.int8) + in_gh  # 0 not a complaint, 1 complaint, 2 in time
    callers = bin_counts(bin_index(c["first_dial_at_s"], edges_s), n, kind, 3)
    # The sum of waits keeps np.histogram's own order of additions (the same bits).
    wait_sum = np.histogram(arrived[ans], bins=edges_s, weights=np.nan_to_num(wait)[ans])[0]
    return pd.DataFrame(
        {
            "interval_start_s": edges_s[:-1],
            "interval_end_s": edges_s[1:],
            "attempts": by.sum(axis=1),
            "answered": by[:, 1] + by[:, 2],
            "answered_within": by[:, 2],
            "abandoned": by[:, 3],
            "blocked": by[:, 4],
            "answered_wait_s": wait_sum,
            "complaints": callers[:, 1] + callers[:, 2],
            "golden_hour": callers[:, 2],
        }
    )


def _share(num: pd.Series, den: pd.Series) -> pd.Series:
    return (num / den.where(den > 0)).astype(float)


def judge(counts: pd.DataFrame, targets: Targets) -> pd.DataFrame:
    """``counts`` (from :func:`tally`) with the figures, one ``met_<target>`` column per stated
    target and ``meets_targets`` (see the module docstring for the rules).
    """
    df = counts.copy()
    offered = df["answered"] + df["abandoned"] + df["blocked"]
    df["service_level"] = _share(df["answered_within"], df["answered"])
    df["service_level_offered"] = _share(df["answered_within"], offered)
    df["abandon_rate"] = _share(df["abandoned"], df["answered"] + df["abandoned"])
    df["block_rate"] = _share(df["blocked"], df["attempts"])
    df["asa_s"] = _share(df["answered_wait_s"], df["answered"])
    df["golden_hour_share"] = _share(df["golden_hour"], df["complaints"])
    meets = pd.Series(True, index=df.index)
    for key, (figure, is_min) in TARGET_FIGURES.items():
        bound = getattr(targets, key)
        if bound is None:
            continue
        if figure == "service_level" and targets.service_level_of == "offered":
            figure = "service_level_offered"
        value = df[figure]
        holds = value >= bound if is_min else value <= bound
        nothing = (df["complaints"] if figure == "golden_hour_share" else df["attempts"]) == 0
        met = holds | (value.isna() & nothing)
        df[f"met_{key}"] = met
        meets &= met
    df["meets_targets"] = meets if targets.stated else pd.Series(pd.NA, index=df.index)
    return df


def _tag(df: pd.DataFrame, rec: Records) -> pd.DataFrame:
    df.insert(0, "seed", np.int64(rec.seed))
    df.insert(0, "replication", np.int32(rec.replication))
    df.insert(0, "scenario", rec.scenario.name)
    return df


def by_interval(rec: Records) -> pd.DataFrame:
    """One row per interval of the window: counts, figures and whether each target holds.

    ``day`` is the day of the horizon (0 = ``start_date``) and ``interval_of_day_h`` the
    interval's clock start in hours (11.5 = 11:30).
    """
    lo, hi = rec.window_s
    df = judge(
        tally(rec, clock_edges(lo, hi, rec.scenario.targets.interval_s)), rec.scenario.targets
    )
    start = df["interval_start_s"]
    df.insert(2, "day", (start // DAY_S).astype(np.int32))
    df.insert(3, "interval_of_day_h", (start % DAY_S) / 3600.0)
    return _tag(df, rec)


def by_day(rec: Records) -> pd.DataFrame:
    """One row per calendar day of the window (a day cut by the warm-up counts its part)."""
    lo, hi = rec.window_s
    df = judge(tally(rec, clock_edges(lo, hi, DAY_S)), rec.scenario.targets)
    df.insert(2, "day", (df["interval_start_s"] // DAY_S).astype(np.int32))
    return _tag(df, rec)


def profile(intervals: pd.DataFrame) -> pd.DataFrame:
    """Attainment by interval of the day, over the days (and replications) of ``intervals``.

    One row per ``interval_of_day_h``: ``met_share`` (share of its intervals meeting every
    target; NaN with no target stated), ``intervals`` (how many were judged) and the mean of
    each figure over them.
    """
    g = intervals.groupby("interval_of_day_h", sort=True)
    met = intervals["meets_targets"].astype("float")
    out = pd.DataFrame(
        {
            "intervals": g.size(),
            "met_share": met.groupby(intervals["interval_of_day_h"]).mean(),
            **{f: g[f].mean() for f in FIGURES},
        }
    )
    return out.reset_index()


def worst(prof: pd.DataFrame) -> pd.Series | None:
    """The interval of the day with the lowest ``met_share`` (ties: the lowest service level,
    then the earliest); None when no target is stated.
    """
    judged = prof[prof["met_share"].notna()]
    if judged.empty:
        return None
    order = judged.sort_values(
        ["met_share", "service_level", "interval_of_day_h"], na_position="first"
    )
    return order.iloc[0]


def summary(
    rec: Records, intervals: pd.DataFrame | None = None, days: pd.DataFrame | None = None
) -> dict[str, float]:
    """The attainment :data:`METRICS` for one replication.

    ``intervals`` and ``days``, if given, are ``by_interval(rec)`` and ``by_day(rec)``
    already built (a run that writes them builds them once).
    """
    if not rec.scenario.targets.stated:
        return dict.fromkeys(METRICS, math.nan)
    iv = by_interval(rec) if intervals is None else intervals
    days = by_day(rec) if days is None else days
    w = worst(profile(iv))
    return {
        "targets_met_interval_share": float(iv["meets_targets"].astype(float).mean()),
        "targets_met_day_share": float(days["meets_targets"].astype(float).mean()),
        "worst_interval_met_share": math.nan if w is None else float(w["met_share"]),
    }
