"""Time-weighted counts from lists of [start, end) periods, per fixed bin; counts of
instants per bin.

Used for queue length, lines busy and staff on duty or busy: each is the
number of periods covering an instant, and its bin mean and max are computed
exactly from the periods (no sampling), vectorised. :func:`bin_index` and
:func:`bin_counts` count instants per bin as ``np.histogram`` does, but one search
of the edges serves every count of a table.
"""

from __future__ import annotations

import numpy as np


def bin_index(x: np.ndarray, edges_s: np.ndarray) -> np.ndarray:
    """The bin of each instant ``x`` among ``edges_s`` as ``np.histogram`` bins it: bin ``j``
    holds ``edges[j] <= x < edges[j + 1]``, the last bin its right edge too; -1 outside
    (NaN included).
    """
    n = edges_s.size - 1
    index = np.searchsorted(edges_s, x, side="right") - 1
    index[x == edges_s[-1]] = n - 1
    index[index >= n] = -1
    return index


def bin_counts(index: np.ndarray, n_bins: int, codes: np.ndarray, n_codes: int) -> np.ndarray:
    """Counts per bin and code: ``out[j, k]`` = how many rows with ``index == j`` (a
    :func:`bin_index`; -1 counts nowhere) have ``codes == k`` (0 <= k < ``n_codes``).

    One pass over the rows gives every count of a table that splits rows by a few codes;
    each count is the one ``np.histogram`` gives of the rows with that code.
    """
    inside = index >= 0
    key = index[inside] * n_codes + codes[inside]
    return np.bincount(key, minlength=n_bins * n_codes).reshape(n_bins, n_codes)


def _integral(sorted_times: np.ndarray, cum: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Sum over i of max(0, t - x_i) for sorted x (``cum`` = cumsum of x)."""
    if sorted_times.size == 0:
        return np.zeros(np.shape(t))
    k = np.searchsorted(sorted_times, t, side="right")
    total = np.where(k > 0, cum[np.maximum(k - 1, 0)], 0.0)
    return k * t - total


def bin_mean(start_s: np.ndarray, end_s: np.ndarray, edges_s: np.ndarray) -> np.ndarray:
    """Time-average number of periods open in each bin [edges[j], edges[j+1])."""
    s = np.sort(np.asarray(start_s, dtype=float))
    area = _integral(s, np.cumsum(s), edges_s)
    del s  # one side's sorted copy at a time (a year's periods are a few million)
    e = np.sort(np.asarray(end_s, dtype=float))
    area = area - _integral(e, np.cumsum(e), edges_s)
    return np.diff(area) / np.diff(edges_s)


def bin_max(start_s: np.ndarray, end_s: np.ndarray, edges_s: np.ndarray) -> np.ndarray:
    """Largest number of periods open at once within each bin (ends count before starts)."""
    start_s = np.asarray(start_s, dtype=float)
    end_s = np.asarray(end_s, dtype=float)
    if start_s.size == 0:
        return np.zeros(edges_s.size - 1)
    # Ends first, then a stable sort by time: at equal times -1 before +1. Steps in int8 and
    # the level in int32 (exact counts), so a year's sweep holds few bytes an event.
    times = np.concatenate([end_s, start_s])
    order = np.argsort(times, kind="stable")
    times = times[order]
    level = np.cumsum(np.where(order < end_s.size, np.int8(-1), np.int8(1)), dtype=np.int32)
    del order
    k = np.searchsorted(times, edges_s[:-1], side="right") - 1
    out = np.where(k >= 0, level[np.maximum(k, 0)], 0.0)
    # The events of bin j are the sorted positions [first[j], first[j + 1]).
    first = np.searchsorted(times, edges_s, side="left")
    full = first[1:] > first[:-1]
    if full.any():
        top = np.maximum.reduceat(level[: first[-1]], first[:-1][full])
        out[full] = np.maximum(out[full], top)
    return out


def overlap_s(start_s: np.ndarray, end_s: np.ndarray, lo_s: float, hi_s: float) -> float:
    """Total length of the periods inside [lo_s, hi_s)."""
    s = np.clip(start_s, lo_s, hi_s)
    e = np.clip(end_s, lo_s, hi_s)
    return float(np.sum(np.maximum(e - s, 0.0)))
