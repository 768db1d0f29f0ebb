"""Random streams: one seed, one ``SeedSequence`` per replication, one stream per quantity.

Streams are keyed by *name* (``"talk/complaint"``), not by creation order, so
replication ``i`` of two scenarios draws the same numbers for the same
quantity (common random numbers) even when one scenario has extra call types
or staff rules. No global RNG is ever touched.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from itertools import chain, repeat

import numpy as np

from sim.scenario.distributions import Dist


def replication_seed(seed: int, replication: int) -> np.random.SeedSequence:
    """The root ``SeedSequence`` of replication ``replication`` of run seed ``seed``."""
    return np.random.SeedSequence(entropy=seed, spawn_key=(replication,))


def stream(root: np.random.SeedSequence, name: str) -> np.random.Generator:
    """An independent generator for the quantity called ``name``."""
    key = zlib.crc32(name.encode("utf-8"))
    seq = np.random.SeedSequence(entropy=root.entropy, spawn_key=(*root.spawn_key, key))
    return np.random.Generator(np.random.PCG64(seq))


def draws(dist: Dist, rng: np.random.Generator, block: int = 4096) -> Iterator[float]:
    """Endless draws of ``dist``, sampled ``block`` at a time.

    ``next(it)`` is one builtin call on the model's per-call path, served by
    ``itertools.chain`` from a list in C, while numpy samples in bulk; the
    sequence is the same whatever the block boundaries fall on, since each
    block continues the same generator.
    """
    return chain.from_iterable(dist.sample(rng, block).tolist() for _ in repeat(None))


def uniform_draws(rng: np.random.Generator, block: int = 4096) -> Iterator[float]:
    """Endless Uniform(0, 1) draws (for Bernoulli decisions), sampled in blocks."""
    return chain.from_iterable(rng.random(block).tolist() for _ in repeat(None))
