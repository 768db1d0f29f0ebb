"""Contestant (b): the textbook SimPy model of an M/M/c+M queue.

Written the way a typical SimPy tutorial writes a call centre: one generator
process per call, the agents as one ``simpy.Resource``, and reneging as a race
``yield req | env.timeout(patience)``. Waits are appended to Python lists and
summarised once at the end. It is a speed and memory reference for the
benchmark in :mod:`bench.mm30`, not part of the simulator.

Time unit inside the model: seconds.
"""

from __future__ import annotations

from collections.abc import Generator

import numpy as np
import simpy

from bench.harness import batch_arrays
from bench.mm30 import AGENTS, ARRIVALS_PER_S, PATIENCE_MEAN_S, TALK_MEAN_S


def run(n_arrivals: int, seed: int) -> dict:
    """Simulate ``n_arrivals`` calls from an empty system until every call has left.

    Args:
        n_arrivals: number of calls generated (arrivals), a positive integer.
        seed: root of the ``numpy.random.SeedSequence``; one child stream each for
            inter-arrival times, talk times and patience.

    Returns
    -------
        ``calls`` (arrivals), ``answered``, ``abandoned``, ``asa_s`` (mean wait of
        answered calls, seconds), ``abandon_rate`` (abandoned / (answered +
        abandoned)) and ``batches`` (per-batch ``abandon_rate`` and ``asa_s`` lists
        for a batch-means confidence interval, see :func:`bench.harness.batch_arrays`).
    """
    if n_arrivals < 1:
        raise ValueError(f"n_arrivals must be a positive integer; got {n_arrivals!r} instead.")
    arrival_rng, talk_rng, patience_rng = (
        np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(3)
    )
    env = simpy.Environment()
    agents = simpy.Resource(env, capacity=AGENTS)
    wait_s: list[float] = []
    answered: list[bool] = []

    def call(env: simpy.Environment) -> Generator[simpy.Event, object, None]:
        arrived_at_s = env.now
        patience_s = patience_rng.exponential(PATIENCE_MEAN_S)
        with agents.request() as req:
            result = yield req | env.timeout(patience_s)
            wait_s.append(env.now - arrived_at_s)
            if req in result:
                answered.append(True)
                yield env.timeout(talk_rng.exponential(TALK_MEAN_S))
            else:
                answered.append(False)

    def source(env: simpy.Environment) -> Generator[simpy.Event, object, None]:
        for _ in range(n_arrivals):
            env.process(call(env))
            yield env.timeout(arrival_rng.exponential(1.0 / ARRIVALS_PER_S))

    env.process(source(env))
    env.run()

    n_answered = sum(answered)
    n_abandoned = len(answered) - n_answered
    answered_wait_s = [w for w, a in zip(wait_s, answered, strict=True) if a]
    return {
        "calls": n_arrivals,
        "answered": n_answered,
        "abandoned": n_abandoned,
        "asa_s": sum(answered_wait_s) / n_answered if n_answered else float("nan"),
        "abandon_rate": n_abandoned / len(answered),
        "batches": batch_arrays(wait_s, answered),
    }
