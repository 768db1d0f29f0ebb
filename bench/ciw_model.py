"""Contestant (c): the M/M/c+M queue of the benchmark, written in Ciw 3.x.

Ciw is an independent queueing simulator: same system as
:mod:`bench.textbook_simpy` (Poisson arrivals, exponential talk, exponential
patience, 30 agents, unlimited queue, FCFS), with reneging through Ciw's
``reneging_time_distributions``. Ciw draws from a global RNG (``ciw.seed``),
which the project's own code never does; it is tolerated here because each
contestant runs in its own process (see :mod:`bench.harness`).

Time unit inside the model: seconds.
"""

from __future__ import annotations

import ciw

from bench.harness import batch_arrays
from bench.mm30 import AGENTS, ARRIVALS_PER_S, PATIENCE_MEAN_S, TALK_MEAN_S


def run(n_arrivals: int, seed: int) -> dict:
    """Simulate from an empty system until ``n_arrivals`` calls have left it.

    Ciw stops on a count of customers, not on an exhausted arrival stream, so
    the run ends once ``n_arrivals`` calls have been answered-and-finished or have
    abandoned (``method="Finish"``); the few calls still in the system then are
    not counted.

    Args:
        n_arrivals: number of calls that leave the system, a positive integer.
        seed: passed to ``ciw.seed`` (Python's ``random`` and ``ciw.rng``).

    Returns
    -------
        ``calls``, ``answered``, ``abandoned``, ``asa_s`` (mean wait of answered
        calls, seconds), ``abandon_rate`` (abandoned / (answered + abandoned)) and
        ``batches`` (see :func:`bench.harness.batch_arrays`).
    """
    if n_arrivals < 1:
        raise ValueError(f"n_arrivals must be a positive integer; got {n_arrivals!r} instead.")
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=ARRIVALS_PER_S)],
        service_distributions=[ciw.dists.Exponential(rate=1.0 / TALK_MEAN_S)],
        number_of_servers=[AGENTS],
        reneging_time_distributions=[ciw.dists.Exponential(rate=1.0 / PATIENCE_MEAN_S)],
    )
    ciw.seed(seed)
    simulation = ciw.Simulation(network)
    simulation.simulate_until_max_customers(n_arrivals, method="Finish")

    # Records come in the order the calls left the system (the exit node's order).
    records = simulation.get_all_records(only=["service", "renege"])
    wait_s = [r.waiting_time for r in records]
    answered = [r.record_type == "service" for r in records]
    n_answered = sum(answered)
    n_abandoned = len(records) - n_answered
    answered_wait_s = sum(w for w, a in zip(wait_s, answered, strict=True) if a)
    return {
        "calls": len(records),
        "answered": n_answered,
        "abandoned": n_abandoned,
        "asa_s": answered_wait_s / n_answered if n_answered else float("nan"),
        "abandon_rate": n_abandoned / len(records),
        "batches": batch_arrays(wait_s, answered),
    }
