"""Metric values for people: the one formatter every command prints with.

A value is formatted by its unit (:data:`sim.metrics.METRICS`): shares as
percentages, counts and large figures without decimals, everything else with
two. A missing value (``None`` or NaN: a metric undefined in a replication)
reads ``n/a``. Differences carry a sign and shares read in percentage points.
"""

from __future__ import annotations

import math
from typing import Any

#: Units counted in whole numbers.
COUNT_UNITS = ("callers", "attempts")


def missing(value: Any) -> bool:
    """Whether ``value`` is absent: ``None``, ``pd.NA`` or NaN."""
    if value is None:
        return True
    try:
        return math.isnan(value)
    except TypeError:
        return True  # pd.NA and other non-numbers


def format_value(value: Any, unit: str, *, share_decimals: int = 1, with_unit: bool = False) -> str:
    """One value: ``12.3%`` for a share, ``1,234`` for a count, ``5.67`` otherwise.

    ``with_unit`` appends the unit (not for shares, which carry ``%``).
    """
    if missing(value):
        return "n/a"
    if unit == "share":
        return f"{value:.{share_decimals}%}"
    text = f"{value:,.0f}" if unit in COUNT_UNITS or abs(value) >= 1000 else f"{value:,.2f}"
    return f"{text} {unit}" if with_unit else text


def format_diff(value: Any, unit: str) -> str:
    """A difference: shares in percentage points (``+1.2 pp``), everything else with a sign."""
    if missing(value):
        return "n/a"
    if unit == "share":
        return f"{value * 100:+.1f} pp"
    return f"{value:+,.0f}" if abs(value) >= 1000 else f"{value:+,.2f}"


def format_interval(lo: Any, hi: Any, unit: str, *, diff: bool = False, sep: str = " to ") -> str:
    """An interval ``lo to hi`` (``n/a`` when either end is missing); ``diff`` signs both."""
    if missing(lo) or missing(hi):
        return "n/a"
    one = format_diff if diff else format_value
    return f"{one(lo, unit)}{sep}{one(hi, unit)}"
