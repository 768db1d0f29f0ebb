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


def _ascending(x: np.ndarray) -> bool:
    """Whether ``x`` never decreases (False where it holds a NaN): a run's arrivals, queue
    joins and most ends are already in order, which the searches and sorts below exploit.
    """
    return x.size < 2 or bool(np.all(x[1:] >= x[:-1]))


def sorted_times(x: np.ndarray) -> np.ndarray:
    """``x`` as floats in ascending order: ``x`` itself when already so, else a stable sort,
    which is several times faster than quicksort on the nearly ordered instants of a run
    and gives the same values.
    """
    x = np.asarray(x, dtype=float)
    return x if _ascending(x) else np.sort(x, kind="stable")


def bin_index(x: np.ndarray, edges_s: np.ndarray) -> np.ndarray:
    """The bin of each instant ``x`` among ``edges_s`` as ``np.histogram`` bins it: bin ``j``
    holds ``edges[j] <= x < edges[j + 1]``, the last bin its right edge too; -1 outside
    (NaN included).

    For ascending ``x`` (a run's arrivals) the edges are searched among the instants,
    not every instant among the edges: the same bins, a few times faster on a year.
    """
    n = edges_s.size - 1
    x = np.asarray(x)
    if x.size > n and _ascending(x):
        pos = np.searchsorted(x, edges_s, side="left")
        pos[-1] = np.searchsorted(x, edges_s[-1], side="right")
        index = np.full(x.size, -1, dtype=np.intp)
        index[pos[0] : pos[-1]] = np.repeat(np.arange(n), np.diff(pos))
        return index
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
    s = sorted_times(start_s)
    area = _integral(s, np.cumsum(s), edges_s)
    del s  # one side's sorted copy at a time (a year's periods are a few million)
    e = sorted_times(end_s)
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


def bin_mean_max(
    start_s: np.ndarray, end_s: np.ndarray, edges_s: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`bin_mean` and :func:`bin_max` of the same periods from one sort of each side.

    The same numbers as the two functions (the mean is computed by the same steps; the max
    is a count, read from the sorted starts and ends by search instead of one stable sort
    of every event), at about half the cost for a year's lines and queue.
    """
    s = sorted_times(start_s)
    e = sorted_times(end_s)
    area = _integral(s, np.cumsum(s), edges_s) - _integral(e, np.cumsum(e), edges_s)
    mean = np.diff(area) / np.diff(edges_s)
    if s.size == 0:
        return mean, np.zeros(edges_s.size - 1)
    return mean, _max_sorted(s, e, edges_s)


def _max_sorted(s: np.ndarray, e: np.ndarray, edges_s: np.ndarray) -> np.ndarray:
    """:func:`bin_max` of periods with sorted starts ``s`` and sorted ends ``e``.

    Events at one instant are taken ends first. The largest count within a bin is the count
    at its start (after every event up to its left edge), after one of its starts, or after
    its first event when that is an end (later ends only lower the count).
    """
    left = edges_s[:-1]
    out = (np.searchsorted(s, left, side="right") - np.searchsorted(e, left, side="right")).astype(
        float
    )
    # The count after the i-th start (0-based): i + 1 starts, less the ends up to its instant.
    after_start = np.arange(1, s.size + 1) - np.searchsorted(e, s, side="right")
    fs = np.searchsorted(s, edges_s, side="left")  # bin j's starts: fs[j] .. fs[j + 1]
    fe = np.searchsorted(e, edges_s, side="left")
    has_s = fs[1:] > fs[:-1]
    if has_s.any():
        top = np.maximum.reduceat(after_start[: fs[-1]], fs[:-1][has_s])
        out[has_s] = np.maximum(out[has_s], top)
    has_e = np.flatnonzero(fe[1:] > fe[:-1])
    if has_e.size:
        k = fe[has_e]  # the bin's first end
        t = e[k]
        first_start = np.where(has_s[has_e], s[np.minimum(fs[has_e], s.size - 1)], np.inf)
        end_first = t <= first_start  # at one instant the end comes first
        k, t, bins = k[end_first], t[end_first], has_e[end_first]
        after_end = np.searchsorted(s, t, side="left") - (k + 1)
        out[bins] = np.maximum(out[bins], after_end)
    return out


def overlap_s(start_s: np.ndarray, end_s: np.ndarray, lo_s: float, hi_s: float) -> float:
    """Total length of the periods inside [lo_s, hi_s)."""
    # np.minimum(np.maximum(...)) is np.clip's arithmetic without its overhead on a year.
    s = np.minimum(np.maximum(start_s, lo_s), hi_s)
    e = np.minimum(np.maximum(end_s, lo_s), hi_s)
    return float(np.sum(np.maximum(e - s, 0.0)))
