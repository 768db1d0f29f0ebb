"""Deferred work in call-takers' idle time: portal and social-media complaints (blending).

Items arrive by their own process (``[deferred]``: a daily volume over a profile of the day,
or given instants) and wait in one FIFO queue. A call-taker takes the oldest item only when

* they are logged in and free, and no phone call is waiting (calls always come first: the
  model's own hand-out runs first and this one only when it found no call), and
* at least ``keep_free`` *other* call-takers stay idle, so a ringing call still finds
  someone at once.

When an item arrives, the longest-idle call-taker takes it if more than ``keep_free`` are
idle; otherwise it waits for the next call-taker who frees up under the rule above.

Handling is **non-preemptive**: a call-taker on an item finishes it before answering a call
(the reply is being written; breaking off and resuming would add set-up time the model does
not know). Calls that ring meanwhile wait for another call-taker, which is the effect on the
phones the ``keep_free`` rule limits. Shift ends and breaks falling during an item take effect
when it is done, as after a call (:meth:`~sim.core.pool.Pool.free`). An item arriving at
the instant staff log in is queued first and taken by the log-in under the same rule.

Randomness: the instants from stream ``deferred/arrivals``, each item's handling time from
``deferred/handle`` (one draw per item, in item order), so no other quantity's numbers move.
The facts (arrival, start, call-taker, handling, reply instants) go to the records as
``Records.deferred``; :func:`table` makes the ``deferred`` table of them.
"""

from __future__ import annotations

from array import array
from collections import deque
from dataclasses import dataclass, fields

import numpy as np
import pandas as pd

from sim.core.arrivals import first_dials
from sim.core.engine import Engine
from sim.core.pool import Pool
from sim.core.records import Records, _fact, empty_columns, typed
from sim.core.streams import stream
from sim.scenario.values import Arrivals, Scenario

#: What became of an item by the end of the run (the ``outcome`` column).
WITHIN_TARGET, AFTER_TARGET, IN_PROGRESS, WAITING = range(4)
ITEM_OUTCOMES = ["within_target", "after_target", "in_progress", "waiting"]


@dataclass(eq=False)
class DeferredColumns:
    """The deferred-item vocabulary: one row per item, a typed column per fact."""

    arrived_at_s: array[float] = _fact("d")
    handle_s: array[float] = _fact("d")
    started_at_s: array[float] = _fact("d")
    agent_id: array[int] = _fact("i", -1)
    replied_at_s: array[float] = _fact("d")


def item_instants(sc: Scenario, root: np.random.SeedSequence) -> np.ndarray:
    """Arrival instants (s, sorted) of every deferred item on [0, horizon end)."""
    d = sc.deferred
    if d.arrival_s:
        return np.asarray(d.arrival_s, dtype=float)
    flat = Arrivals("profile", d.items_per_day, d.profile, (1.0,) * 7, 0.0)
    return first_dials(flat, sc.horizon, stream(root, "deferred/arrivals"))


class DeferredWork:
    """The deferred items of one replication, their queue, and the hand-out rule.

    Built by the model when the scenario has deferred work (:meth:`attach`); it wraps the
    call-takers' ``on_ready`` so that a call-taker whom no call needs may take an item.
    """

    def __init__(
        self, sc: Scenario, root: np.random.SeedSequence, env: Engine, takers: Pool
    ) -> None:
        arrived = item_instants(sc, root)
        n = arrived.size
        handle = sc.deferred.handle.sample(stream(root, "deferred/handle"), n)
        self.n = n
        self.cols = DeferredColumns(
            arrived_at_s=typed(DeferredColumns, "arrived_at_s", arrived),
            handle_s=typed(DeferredColumns, "handle_s", handle),
            **empty_columns(DeferredColumns, n, ("started_at_s", "agent_id", "replied_at_s")),
        )
        self.keep_free = sc.deferred.keep_free
        self.queue: deque[int] = deque()
        self.env = env
        self.takers = takers
        calls_first = takers.on_ready

        def on_ready(agent: int, now: float) -> bool:
            return calls_first(agent, now) or self.offer(agent, now)

        takers.on_ready = on_ready
        if n:
            env.at_time(self.cols.arrived_at_s[0], self._on_arrival, 0)

    @classmethod
    def attach(
        cls, sc: Scenario, root: np.random.SeedSequence, env: Engine, takers: Pool
    ) -> DeferredWork | None:
        """The deferred work of ``sc`` hooked to ``takers``, or None when it has none."""
        return cls(sc, root, env, takers) if sc.deferred.enabled else None

    def _on_arrival(self, i: int) -> None:
        """Item ``i`` arrives (and every next one due at the same instant)."""
        arrived = self.cols.arrived_at_s
        now = self.env._now
        while True:
            self.queue.append(i)
            if len(self.takers.idle) > self.keep_free:
                self._begin(self.queue.popleft(), self.takers.take_idle(), now)
            i += 1
            if i == self.n:
                return
            if arrived[i] > now:
                self.env.at_time(arrived[i], self._on_arrival, i)
                return

    def offer(self, agent: int, now: float) -> bool:
        """A free call-taker no call needs takes the oldest item, if ``keep_free`` others
        stay idle (False: they go idle).
        """
        if not self.queue or len(self.takers.idle) < self.keep_free:
            return False
        self._begin(self.queue.popleft(), agent, now)
        return True

    def _begin(self, i: int, agent: int, now: float) -> None:
        self.cols.started_at_s[i] = now
        self.cols.agent_id[i] = agent
        self.env.at(self.cols.handle_s[i], self._on_done, i)

    def _on_done(self, i: int) -> None:
        """The reply is sent: the call-taker is free for calls (or the next item)."""
        now = self.env._now
        self.cols.replied_at_s[i] = now
        self.takers.free(self.cols.agent_id[i], now)

    def facts(self) -> dict[str, np.ndarray]:
        """The recorded columns as numpy arrays (no copy), under their declared names."""
        return {
            f.name: np.frombuffer(getattr(self.cols, f.name), dtype=f.metadata["typecode"])
            for f in fields(DeferredColumns)
        }


def outcome(rec: Records) -> np.ndarray:
    """Per item: within or after its reply target, still in progress, or waiting at the end."""
    d = rec.deferred
    if not d:
        return np.zeros(0, dtype=np.int8)
    reply = d["replied_at_s"] - d["arrived_at_s"]
    target = rec.scenario.deferred.reply_target_s
    return np.select(
        [reply <= target, ~np.isnan(reply), ~np.isnan(d["started_at_s"])],
        [WITHIN_TARGET, AFTER_TARGET, IN_PROGRESS],
        WAITING,
    ).astype(np.int8)


def table(rec: Records) -> pd.DataFrame:
    """The ``deferred`` table: one row per deferred item (empty when the scenario has none)."""
    d = rec.deferred or {f.name: np.zeros(0) for f in fields(DeferredColumns)}
    lo, hi = rec.window_s
    arrived = d["arrived_at_s"]
    df = pd.DataFrame(
        {
            "item_id": np.arange(arrived.size, dtype=np.int64),
            "arrived_at_s": arrived,
            "handle_s": d["handle_s"],
            "started_at_s": d["started_at_s"],
            "agent_id": d["agent_id"].astype(np.int32),
            "replied_at_s": d["replied_at_s"],
            "wait_s": d["started_at_s"] - arrived,
            "reply_s": d["replied_at_s"] - arrived,
            "outcome": pd.Categorical.from_codes(outcome(rec), categories=ITEM_OUTCOMES),
            "in_window": (arrived >= lo) & (arrived < hi),
        }
    )
    return rec._tag(df)
