"""Random streams: one seed, one ``SeedSequence`` per replication, one stream per quantity.

Streams are keyed by *name* (``"talk/complaint"``), not by creation order, so
replication ``i`` of two scenarios draws the same numbers for the same
quantity (common random numbers) even when one scenario has extra call types
or staff rules. The durations and decisions of a caller are drawn per caller
(:func:`per_caller`) or per caller and attempt number (:class:`PerAttempt`),
not in the order the model uses them, so two variants that serve callers in
another order still give each caller the same values. No global RNG is ever
touched.
"""

from __future__ import annotations

import zlib
from array import array
from collections import deque
from collections.abc import Sequence

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


#: Uniform(0, 1), for a Bernoulli decision drawn per caller (``u < p``).
UNIFORM = Dist("uniform", (("low", 0.0), ("high", 1.0)))


def per_caller(
    dists: Sequence[Dist],
    type_names: Sequence[str],
    call_type: np.ndarray,
    root: np.random.SeedSequence,
    label: str,
) -> np.ndarray:
    """One draw of a quantity per caller: caller ``c`` of type ``t`` gets ``dists[t]``'s draw.

    The callers of type ``t`` take, in caller order, the draws of stream
    ``label/NAME`` (``NAME`` the type's name). A caller's value depends on who
    called, not on when the model asks for it, so two variants of a scenario
    (FIFO or priority, 30 or 45 lines) give each caller the same talk time,
    after-call work and patience: common random numbers per caller.
    """
    out = np.empty(call_type.size)
    for i, (dist, name) in enumerate(zip(dists, type_names, strict=True)):
        mask = call_type == i
        out[mask] = dist.sample(stream(root, f"{label}/{name}"), int(mask.sum()))
    return out


class PerAttempt:
    """Draws of one quantity per caller and attempt number, whatever order they are asked in.

    ``value(c, k)`` is caller ``c``'s draw for their attempt number ``k``
    (``dists[t]`` for the caller's type ``t``). Callers are taken in blocks of
    ``2**block_bits`` consecutive callers; for attempt number ``k`` the callers
    of type ``t`` in block 0, then block 1, ... take in order the draws of
    stream ``label/NAME/k``. A value so depends on (caller, attempt) only: two
    variants give a caller the same patience and redial delays on each dial,
    whichever other callers redial in between. Blocks are drawn in order when
    first needed (callers are numbered by first dial, so needs move forward in
    time); the last ``keep`` blocks of each attempt number are kept, and an
    older one asked for again is drawn again, identically, from the stream's
    start.
    """

    def __init__(
        self,
        dists: Sequence[Dist],
        type_names: Sequence[str],
        call_type: np.ndarray,
        root: np.random.SeedSequence,
        label: str,
        block_bits: int = 12,
        keep: int = 16,
    ) -> None:
        self.dists = dists
        self.type_names = type_names
        self.call_type = call_type
        self.root = root
        self.label = label
        self.shift = block_bits
        self.mask = (1 << block_bits) - 1
        self.keep = keep
        self.blocks: dict[tuple[int, int], array[float]] = {}
        # Per attempt number: the type streams, the next block they draw, the blocks kept.
        self.chains: dict[int, tuple[list[np.random.Generator], list[int], deque[int]]] = {}

    def value(self, c: int, k: int) -> float:
        """Caller ``c``'s draw for attempt number ``k`` (1 = the first dial)."""
        values = self.blocks.get((c >> self.shift, k))
        if values is None:
            values = self._draw(c >> self.shift, k)
        return values[c & self.mask]

    def _draw(self, block: int, k: int) -> array[float]:
        chain = self.chains.get(k)
        if chain is None or chain[1][0] > block:  # first use, or a dropped block: from the start
            for b in chain[2] if chain else ():
                del self.blocks[(b, k)]
            gens = [stream(self.root, f"{self.label}/{name}/{k}") for name in self.type_names]
            chain = self.chains[k] = (gens, [0], deque())
        gens, next_block, kept = chain
        while next_block[0] <= block:
            b = next_block[0]
            types = self.call_type[b << self.shift : (b + 1) << self.shift]
            out = np.empty(types.size)
            for i, gen in enumerate(gens):
                mask = types == i
                count = int(mask.sum())
                if count:
                    out[mask] = self.dists[i].sample(gen, count)
            self.blocks[(b, k)] = array("d", out.tobytes())
            kept.append(b)
            if len(kept) > self.keep:
                del self.blocks[(kept.popleft(), k)]
            next_block[0] = b + 1
        return self.blocks[(block, k)]
