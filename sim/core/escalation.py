"""Escalations by the rule table, to officers or shift supervisors, with patience.

Only when the scenario routes escalations (:attr:`Scenario.escalation_routed`: an
``[[escalation.rules]]`` table, or an ``escalation_patience`` on a call type); otherwise the
model's own flat-share path runs and nothing here costs a thing.

* **Where a call goes** is decided per caller before the run, vectorised
  (:func:`escalation_targets`): the first rule row whose call types hold the caller's type and
  whose ``loss_rs_at_least`` the caller's loss reaches decides, with the caller's own uniform
  draw (stream ``escalate``) against the row's share; a caller no row matches falls back to
  the type's ``escalation_share``, to the officers. The same uniform is the flat path's, so a
  table that restates the flat shares escalates the very same calls.
* **Waiting for an officer**: at the end of talk the escalation goes to the longest-idle
  person of its pool, or waits in that pool's FIFO queue with the line and the call-taker
  held. With a finite ``escalation_patience`` (drawn per caller, stream
  ``escalation_patience``) a caller still waiting when it runs out gives the escalation up:
  the call ends there (line freed), the call-taker does the after-call work, and the
  complaint is registered at its end, as any answered complaint is (the call-taker took it
  during talk). So registration, reporting delay and the golden hour count the call, only
  the officer's part is lost; the attempt stays ``answered``.

Facts kept here (one value per escalated attempt, merged into the attempt columns after the
run): ``escalation_to`` (0 officers, 1 supervisors), ``escalation_patience_s`` (for those who
waited) and ``escalation_abandoned``.
"""

from __future__ import annotations

import math
from array import array
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from sim.core.pool import Pool
from sim.core.streams import per_caller
from sim.scenario.values import TO_OFFICERS, TO_SUPERVISORS, Scenario

if TYPE_CHECKING:
    from sim.core.model import _Model


def escalation_targets(
    sc: Scenario, call_type: np.ndarray, loss_rs: np.ndarray, u: np.ndarray
) -> np.ndarray:
    """Per caller: the pool their answered call is escalated to (0 officers, 1 supervisors),
    or -1 for none. First matching row wins; no row matches: the type's ``escalation_share``.

    ``loss_rs`` is NaN where money is not modelled (a row with a loss condition is then
    refused when the scenario is loaded); ``u`` the caller's uniform draw.
    """
    n = call_type.size
    out = np.full(n, -1, dtype=np.int8)
    if not n:
        return out
    decided = np.zeros(n, dtype=bool)
    for rule in sc.escalation.rules:
        match = ~decided & np.isin(call_type, rule.call_types)
        if rule.loss_rs_at_least is not None:
            match &= loss_rs >= rule.loss_rs_at_least
        out[match & (u < rule.share)] = rule.to
        decided |= match
    flat = np.array([t.escalation_share for t in sc.call_types])[call_type]
    out[~decided & (u < flat)] = TO_OFFICERS
    return out


class EscalationDesk:
    """The routed escalations of one replication: targets, queues per pool, patience.

    Wraps the model's end of talk and end of escalation and the officers' (and supervisors')
    hand-out; the escalation itself (:meth:`_Model._escalate`) and the hang-up are the model's.
    """

    def __init__(self, model: _Model, root: np.random.SeedSequence) -> None:
        self.m = model
        sc = model.sc
        cols = model.callers
        call_type = np.frombuffer(cols.call_type, dtype=np.int16)
        n = call_type.size
        u = (
            np.frombuffer(model.caller_escalate_u, dtype=np.float64)
            if len(model.caller_escalate_u)
            else np.ones(n)
        )
        loss = np.frombuffer(cols.loss_rs, dtype=np.float64)
        self.to = array("b", escalation_targets(sc, call_type, loss, u).tobytes())
        types = sc.call_types
        self.patience: array[float] | None = None
        if any(t.escalation_patience_finite for t in types):
            names = [t.name for t in types]
            dists = [t.escalation_patience for t in types]
            drawn = per_caller(dists, names, call_type, root, "escalation_patience")
            self.patience = array("d", np.asarray(drawn, dtype=np.float64).tobytes())
        self.pools: tuple[Pool | None, Pool | None] = (model.officers, model.supervisors)
        self.queues: tuple[deque[int], deque[int]] = (deque(), deque())
        self.escalated_to: dict[int, int] = {}  # attempt -> pool
        self.patience_of: dict[int, float] = {}  # attempt -> patience, for those who waited
        self.abandoned: set[int] = set()  # attempts whose caller gave the escalation up
        model.on_talk_end = self._on_talk_end
        model.on_escalation_end = self._on_escalation_end
        model.officers.on_ready = self._ready(TO_OFFICERS)
        if model.supervisors is not None:
            model.supervisors.on_ready = self._ready(TO_SUPERVISORS)
        self.on_give_up = self._on_give_up

    def _on_talk_end(self, a: int) -> None:
        """Talk is over: hang up, or ask the rule's pool for an officer (waiting if none)."""
        m = self.m
        c = m.caller_id[a]
        to = self.to[c]
        if to < 0:
            m._hang_up(a, m.call_type[a])
            return
        now = m.env._now
        m.escalation_requested_at_s[a] = now
        self.escalated_to[a] = to
        pool = self.pools[to]
        assert pool is not None  # the scenario's validation puts people in every pool used
        person = pool.take_idle()
        if person >= 0:
            m._escalate(a, person, now)
            return
        self.queues[to].append(a)
        if self.patience is not None:
            patience = self.patience[c]
            if patience != math.inf:
                self.patience_of[a] = patience
                m.env.at(patience, self.on_give_up, a)

    def _on_give_up(self, a: int) -> None:
        """The caller's patience for an officer ran out: unless served, the call ends here
        (left in the queue, skipped when it reaches the head).
        """
        m = self.m
        if not math.isnan(m.escalation_started_at_s[a]):
            return
        self.abandoned.add(a)
        m._hang_up(a, m.call_type[a])

    def _ready(self, to: int) -> Callable[[int, float], bool]:
        """The hand-out of pool ``to``: the first escalation in its queue still waiting."""
        queue, abandoned, m = self.queues[to], self.abandoned, self.m

        def ready(person: int, now: float) -> bool:
            while queue:
                a = queue.popleft()
                if a not in abandoned:
                    m._escalate(a, person, now)
                    return True
            return False

        return ready

    def _on_escalation_end(self, a: int) -> None:
        m = self.m
        pool = self.pools[self.escalated_to[a]]
        assert pool is not None
        pool.free(m.officer_id[a], m.env._now)
        m._hang_up(a, m.call_type[a])

    def facts(self, n_attempts: int) -> dict[str, np.ndarray]:
        """The desk's attempt columns, ``n_attempts`` rows (-1 / NaN / 0 where not escalated)."""
        to = np.full(n_attempts, -1, dtype=np.int8)
        patience = np.full(n_attempts, np.nan)
        abandoned = np.zeros(n_attempts, dtype=np.int8)
        if self.escalated_to:
            rows = np.fromiter(self.escalated_to, dtype=np.int64)
            to[rows] = np.fromiter(self.escalated_to.values(), dtype=np.int8)
        if self.patience_of:
            rows = np.fromiter(self.patience_of, dtype=np.int64)
            patience[rows] = np.fromiter(self.patience_of.values(), dtype=np.float64)
        if self.abandoned:
            abandoned[np.fromiter(self.abandoned, dtype=np.int64)] = 1
        return {
            "escalation_to": to,
            "escalation_patience_s": patience,
            "escalation_abandoned": abandoned,
        }
