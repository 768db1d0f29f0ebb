"""bin_index and bin_counts count instants per bin exactly as np.histogram does."""

from __future__ import annotations

import numpy as np

from sim.core.intervals import bin_counts, bin_index


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
