"""bin_mean_max gives bin_mean and bin_max of the same periods, to the bit."""

from __future__ import annotations

import numpy as np
import pytest

from sim.core.intervals import bin_max, bin_mean, bin_mean_max


@pytest.mark.parametrize("seed", range(12))
def test_the_same_numbers_as_bin_mean_and_bin_max(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(0, 3000))
    edges = np.append(np.arange(0.0, 1000.0, 37.5), 1003.0)
    # Instants on a coarse grid make many ties: ends and starts at one instant, on edges,
    # periods of length 0, and periods before, across and after the edges.
    grid = 2.5 if seed % 2 else 12.5
    start = np.round(rng.uniform(-100, 1100, n) / grid) * grid
    end = start + np.round(rng.exponential(rng.choice([5.0, 60.0, 400.0]), n) / grid) * grid
    if seed % 3 == 0:
        start, end = start[: n // 2], end[: n // 2]
    mean, top = bin_mean_max(start, end, edges)
    np.testing.assert_array_equal(mean, bin_mean(start, end, edges))
    np.testing.assert_array_equal(top, bin_max(start, end, edges))
    assert top.dtype == bin_max(start, end, edges).dtype


def test_sparse_bins_and_bins_with_only_ends() -> None:
    edges = np.array([0.0, 10.0, 20.0, 30.0, 40.0, 50.0])
    start = np.array([1.0, 2.0, 2.0, 25.0, 41.0])
    end = np.array([20.0, 20.0, 35.0, 25.0, 60.0])  # ends at an edge, a 0-length period
    mean, top = bin_mean_max(start, end, edges)
    np.testing.assert_array_equal(top, bin_max(start, end, edges))
    np.testing.assert_array_equal(mean, bin_mean(start, end, edges))
    empty = bin_mean_max(np.empty(0), np.empty(0), edges)
    np.testing.assert_array_equal(empty[1], bin_max(np.empty(0), np.empty(0), edges))
