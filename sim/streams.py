"""Random streams: one seed, one ``SeedSequence`` per replication, one stream per quantity.

Streams are keyed by *name* (``"talk/complaint"``), not by creation order, so
replication ``i`` of two scenarios draws the same numbers for the same
quantity (common random numbers) even when one scenario has extra call types
or staff rules. No global RNG is ever touched.
"""

from __future__ import annotations

import zlib

import numpy as np

from sim.distributions import Dist


def replication_seed(seed: int, replication: int) -> np.random.SeedSequence:
    """The root ``SeedSequence`` of replication ``replication`` of run seed ``seed``."""
    return np.random.SeedSequence(entropy=seed, spawn_key=(replication,))


def stream(root: np.random.SeedSequence, name: str) -> np.random.Generator:
    """An independent generator for the quantity called ``name``."""
    key = zlib.crc32(name.encode("utf-8"))
    seq = np.random.SeedSequence(entropy=root.entropy, spawn_key=(*root.spawn_key, key))
    return np.random.Generator(np.random.PCG64(seq))


class Drawer:
    """Hands out draws of one distribution one at a time, sampled in blocks.

    Sampling in blocks of ``block`` values keeps numpy's per-call overhead off
    the per-call path of the model.
    """

    __slots__ = ("dist", "rng", "block", "_buf", "_i")

    def __init__(self, dist: Dist, rng: np.random.Generator, block: int = 4096) -> None:
        self.dist = dist
        self.rng = rng
        self.block = block
        self._buf: list[float] = []
        self._i = 0

    def __call__(self) -> float:
        i = self._i
        if i >= len(self._buf):
            self._buf = self.dist.sample(self.rng, self.block).tolist()
            i = 0
        self._i = i + 1
        return self._buf[i]


class Uniforms:
    """Uniform(0, 1) draws one at a time, sampled in blocks (for Bernoulli decisions)."""

    __slots__ = ("rng", "block", "_buf", "_i")

    def __init__(self, rng: np.random.Generator, block: int = 4096) -> None:
        self.rng = rng
        self.block = block
        self._buf: list[float] = []
        self._i = 0

    def __call__(self) -> float:
        i = self._i
        if i >= len(self._buf):
            self._buf = self.rng.random(self.block).tolist()
            i = 0
        self._i = i + 1
        return self._buf[i]
