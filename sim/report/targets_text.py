"""The printed lines about targets and what binds: the run's "Against targets" section.

Text only, from values computed elsewhere (:mod:`sim.attainment`, :mod:`sim.binding`): which
targets are judged, the worst interval of the day with its figures, the hour-of-day profile of
attainment, and the one line naming the binding resource of the peak hours.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from sim.binding import BINDING_SHARE, RESOURCES, peak_hours, verdict
from sim.scenario.values import Scenario, Targets


def _pct(x: float) -> str:
    return "n/a" if x is None or math.isnan(x) else f"{x:.0%}"


def _clock(hours: float) -> str:
    h, m = divmod(round(hours * 60), 60)
    return f"{h % 24:02d}:{m:02d}"


def targets_phrase(t: Targets) -> str:
    """The stated targets in words, e.g. "service level >= 80% within 20 s (of answered)"."""
    parts = []
    if t.service_level_min is not None:
        parts.append(
            f"service level >= {t.service_level_min:.0%} within {t.service_level_s:g} s "
            f"(of {t.service_level_of})"
        )
    if t.abandon_rate_max is not None:
        parts.append(f"abandoned <= {t.abandon_rate_max:.0%}")
    if t.block_rate_max is not None:
        parts.append(f"blocked <= {t.block_rate_max:.0%}")
    if t.asa_max_s is not None:
        parts.append(f"ASA <= {t.asa_max_s:g} s")
    if t.golden_hour_share_min is not None:
        parts.append(f"golden hour >= {t.golden_hour_share_min:.0%}")
    return ", ".join(parts)


def worst_line(worst: pd.Series | None, t: Targets) -> str:
    """The worst interval of the day (over days and replications) and its mean figures."""
    if worst is None:
        return "Worst interval of the day: none judged"
    if worst["met_share"] == 1.0:
        return "Worst interval of the day: none, every interval meets the targets on every day"
    start = float(worst["interval_of_day_h"])
    end = start + t.interval_s / 3600.0
    asa = worst["asa_s"]
    return (
        f"Worst interval of the day: {_clock(start)}-{_clock(end)}, meets the targets on "
        f"{_pct(worst['met_share'])} of days; mean service level {_pct(worst['service_level'])} "
        f"of answered, {_pct(worst['service_level_offered'])} of offered; abandoned "
        f"{_pct(worst['abandon_rate'])}; blocked {_pct(worst['block_rate'])}; ASA "
        + ("n/a" if math.isnan(asa) else f"{asa:.0f} s")
    )


def profile_lines(profile: pd.DataFrame) -> list[str]:
    """Share of intervals meeting every target by hour of day, two rows of 12 hours."""
    hour = np.floor(profile["interval_of_day_h"].to_numpy()).astype(int)
    by_hour = (
        pd.Series(profile["met_share"].to_numpy() * profile["intervals"].to_numpy())
        .groupby(hour)
        .sum()
        / pd.Series(profile["intervals"].to_numpy()).groupby(hour).sum()
    ).reindex(range(24))
    out = ["Share of intervals meeting every target, by hour of day:"]
    for first in (0, 12):
        hours = range(first, first + 12)
        out.append(" ".join(f"{h:02d}h {_pct(by_hour[h]):>4}" for h in hours))
    return out


def binding_line(means: Mapping[str, float], sc: Scenario) -> str:
    """One line naming the resource that binds at the peak hours (lines, seats, people or
    none), with the three shares it is decided from.
    """
    peak = peak_hours(sc)
    hours = ", ".join(f"{h:02d}h" for h in peak)
    shares = ", ".join(
        f"{r} {_pct(means.get(f'peak_{r}_bind_share', math.nan))}" for r in RESOURCES
    )
    named = verdict(dict(means))
    return (
        f"Binding at the peak hours ({hours}): {' and '.join(named) if named else 'none'} "
        f"(share of the peak time each binds: {shares}; binding from {BINDING_SHARE:.0%})"
    )


def against_targets(
    sc: Scenario, means: Mapping[str, float], by_interval: pd.DataFrame | None
) -> list[str]:
    """The run's "Against targets" lines after its metric lines: what is judged, the worst
    interval of the day and the hour-of-day profile (from ``by_interval``, the stacked
    :func:`sim.attainment.by_interval` tables of every replication), and the binding line.

    Not indented: an indented line of the printout is a metric row (the report and the
    shown-metrics checks read them so).
    """
    from sim.attainment import profile, worst

    t = sc.targets
    out = []
    if not t.stated:
        out.append("No targets stated in [targets]: nothing judged.")
    else:
        out.append(f"Targets, per {t.interval_s / 60:g} min and per day: {targets_phrase(t)}")
        if by_interval is not None and len(by_interval):
            prof = profile(by_interval)
            out.append(worst_line(worst(prof), t))
            out += profile_lines(prof)
    out.append(binding_line(means, sc))
    return out


def profile_document(by_interval: pd.DataFrame) -> list[dict[str, float | None]]:
    """The hour-of-day profile of attainment as JSON rows (NaN as null), for summary.json."""
    from sim.attainment import profile

    rows = profile(by_interval).to_dict("records")
    return [
        {k: None if isinstance(v, float) and math.isnan(v) else float(v) for k, v in r.items()}
        for r in rows
    ]
