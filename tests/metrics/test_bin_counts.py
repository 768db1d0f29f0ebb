"""bin_index and bin_counts count instants per bin exactly as np.histogram does."""

from __future__ import annotations

import numpy as np
import pytest

from sim.core.intervals import bin_counts, bin_index, sorted_times


def test_counts_per_code_are_histograms_of_each_code() -> None:
    rng = np.random.default_rng(7)
    edges = np.unique(np.concatenate([[12.5], np.arange(1, 40) * 30.0, [1187.0]]))
    x = rng.uniform(-50, 1250, 20_000)
    # Instants on the edges, on both ends, outside, and nowhere (-inf, NaN).
    x[:200] = rng.choice(edges, 200)
    x[200:210] = edges[-1]
    x[210:220] = edges[0]
    x[220:225] = -np.inf
    x[225:230] = np.nan
    codes = rng.integers(0, 4, x.size).astype(np.int8)
    index = bin_index(x, edges)
    by = bin_counts(index, edges.size - 1, codes, 4)
    finite = ~np.isnan(x)
    assert np.array_equal(by.sum(axis=1), np.histogram(x[finite], bins=edges)[0])
    for k in range(4):
        expected = np.histogram(x[finite & (codes == k)], bins=edges)[0]
        assert np.array_equal(by[:, k], expected), k
    assert by.dtype == np.histogram(x[finite], bins=edges)[0].dtype
    assert (index[x < edges[0]] == -1).all() and (index[x > edges[-1]] == -1).all()
    assert (index[np.isnan(x)] == -1).all()
    assert (index[x == edges[-1]] == edges.size - 2).all()  # the last bin holds its right edge


def test_empty_input_counts_zero() -> None:
    edges = np.array([0.0, 1.0, 2.0])
    by = bin_counts(bin_index(np.empty(0), edges), 2, np.empty(0, np.int8), 3)
    assert by.shape == (2, 3) and not by.any()


def _reference_index(x: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """np.histogram's bins, one instant at a time (the definition bin_index follows)."""
    n = edges.size - 1
    out = np.full(x.size, -1)
    for i, v in enumerate(x):
        if v == edges[-1]:
            out[i] = n - 1
        elif edges[0] <= v < edges[-1]:
            out[i] = np.flatnonzero(edges <= v)[-1]
    return out


@pytest.mark.parametrize("seed", range(8))
def test_ascending_instants_take_the_search_of_edges_and_give_the_same_bins(seed: int) -> None:
    # A run's arrivals are in order, so bin_index searches the edges among them instead:
    # ties on edges, both ends, zero-width bins, instants outside and infinities must land
    # where the general search puts them.
    rng = np.random.default_rng(seed)
    edges = np.sort(np.concatenate([[0.0, 0.0 if seed % 2 else 5.0], rng.choice(100, 12) * 10.0]))
    edges = np.append(edges, edges[-1] if seed % 3 == 0 else edges[-1] + 7.5)
    x = np.sort(
        np.concatenate(
            [
                np.round(rng.uniform(-30, 1100, 400) / 10) * 10,
                rng.choice(edges, 50),
                [-np.inf, np.inf, edges[-1], edges[0]],
            ]
        )
    )
    index = bin_index(x, edges)
    assert index.size > edges.size  # the ascending path, not the general one
    np.testing.assert_array_equal(index, _reference_index(x, edges))
    np.testing.assert_array_equal(index, bin_index(x[::-1], edges)[::-1])  # the general path


def test_sorted_times_is_a_sort_that_keeps_ordered_input_as_it_is() -> None:
    rng = np.random.default_rng(3)
    x = np.round(rng.uniform(0, 100, 5000))
    np.testing.assert_array_equal(sorted_times(x), np.sort(x))
    ordered = np.sort(x)
    assert sorted_times(ordered) is ordered
    with_nan = np.append(ordered, np.nan)  # NaN is not in order: sorted to the end
    np.testing.assert_array_equal(sorted_times(with_nan), np.sort(with_nan))
