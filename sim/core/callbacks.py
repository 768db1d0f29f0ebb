"""Callbacks ("virtual hold"): the desk that offers them, keeps them and dials them back.

A caller about to queue behind at least ``callbacks.offer_at_queue`` live callers (of an
offered call type) is offered a callback and accepts with ``accept_share``: the attempt ends
as ``callback``, the caller hangs up and the line frees. Due callbacks wait in one FIFO list.
A call-taker who comes free takes a live caller first and a due callback only when nobody
waits (``priority = "live_first"``), or the other way round (``"callbacks_first"``); a
callback also needs a free line (it is a call on the same trunks). Each try is a new attempt
row (``callback_try`` = 1, 2, ...), dialled at once: answered with ``answer_share`` (talk
starts, and the rest of the call is an ordinary answered call), or ``no_answer``: the
call-taker and the line are held for the ring time, and the callback is due again
``retry_delay`` later, up to ``max_tries`` tries; after the last the caller is lost (gave up).

The desk is built only when callbacks are enabled, and then wraps the model's queue entry,
its call-takers' hand-out and its line releases: without callbacks the model pays nothing.
It is built right after the staff pools, so a later wrapper of the hand-out (deferred work in
idle time) sees a call-taker only when neither a live caller nor a due callback needs them.
Every decision is drawn per caller and attempt number (:class:`~sim.core.streams.PerAttempt`),
so a variant with callbacks gives each caller the same talk, patience and redials as without.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

import numpy as np

from sim.core.records import CALLBACK, GAVE_UP, NO_ANSWER, WAITING
from sim.core.streams import UNIFORM, PerAttempt

if TYPE_CHECKING:
    from sim.core.model import _Model


class CallbackDesk:
    """The callbacks of one replication; wires itself into ``model`` when built."""

    def __init__(self, model: _Model, root: np.random.SeedSequence) -> None:
        self.m = model
        cb = self.cb = model.sc.callbacks
        types = model.sc.call_types
        n = len(types)
        names = [t.name for t in types]
        call_type = np.frombuffer(model.callers.call_type, dtype=np.int16)

        def each_attempt(dist: object, label: str) -> PerAttempt:
            return PerAttempt([dist] * n, names, call_type, root, label)  # type: ignore[list-item]

        self.offered = [i in cb.offered_types for i in range(n)]
        self.accept_u = each_attempt(UNIFORM, "callback_accept")
        self.answer_u = each_attempt(UNIFORM, "callback_answer")
        self.ring = each_attempt(cb.ring, "callback_ring")
        self.retry = each_attempt(cb.retry_delay, "callback_retry")
        self.pending: deque[tuple[int, int]] = deque()  # due: (caller, try number)
        self.on_ring_end = self._on_ring_end
        self.on_retry_due = self._on_retry_due
        # The model's own steps, then the desk in their place (the model binds
        # ``on_abandon`` to :meth:`on_abandon` itself, after building the desk).
        self.base_join = model._join_queue
        self.base_ready = model.takers.on_ready
        self.base_abandon = model._on_abandon
        self.base_hang_up = model._hang_up
        model._join_queue = self.join_queue  # type: ignore[method-assign]
        model._hang_up = self.hang_up  # type: ignore[method-assign]
        model.takers.on_ready = self.taker_ready

    # --- the offer ------------------------------------------------------------------------
    def waiting(self) -> int:
        """Live callers in the queues now (abandoned ones stay in them until they reach the
        head: see ``_taker_ready``).
        """
        outcome = self.m.outcome
        return sum(1 for q in self.m.queues for a in q if outcome[a] == WAITING)

    def join_queue(self, a: int, t: int, patience_s: float) -> None:
        """Offer a callback to attempt ``a`` before it queues; queue it if not accepted."""
        m = self.m
        if self.offered[t] and self.waiting() >= self.cb.offer_at_queue:
            c = m.caller_id[a]
            m.callback_offered[a] = 1
            if self.accept_u.value(c, m.callers.attempts[c]) < self.cb.accept_share:
                m.outcome[a] = CALLBACK
                m.line_released_at_s[a] = m.env._now
                m.lines_busy -= 1  # nobody is idle (the caller was about to queue)
                self.pending.append((c, 1))
                return
        self.base_join(a, t, patience_s)

    # --- who dials, when -----------------------------------------------------------------
    def taker_ready(self, agent: int, now: float) -> bool:
        """A free call-taker: a live caller or a due callback, by ``callbacks.priority``."""
        m = self.m
        if self.cb.priority == "callbacks_first":
            if self.pending and m.lines_busy < m.lines:
                self.dial_back(agent, now)
                return True
            return self.base_ready(agent, now)
        if self.base_ready(agent, now):
            return True
        if self.pending and m.lines_busy < m.lines:
            self.dial_back(agent, now)
            return True
        return False

    def dial_idle(self) -> None:
        """Due callbacks to idle call-takers while lines are free (after a line frees, or a
        callback falls due).
        """
        m = self.m
        while self.pending and m.lines_busy < m.lines:
            agent = m.takers.take_idle()
            if agent < 0:
                return
            self.dial_back(agent, m.env._now)

    def hang_up(self, a: int, t: int) -> None:
        """The model's hang-up, then due callbacks onto the freed line."""
        self.base_hang_up(a, t)
        if self.pending:
            self.dial_idle()

    def on_abandon(self, a: int) -> None:
        """The model's abandon, then due callbacks onto the freed line."""
        self.base_abandon(a)
        if self.pending:
            self.dial_idle()

    # --- a try ---------------------------------------------------------------------------
    def dial_back(self, agent: int, now: float) -> None:
        """``agent`` dials the first due callback on a free line: a new attempt row."""
        m = self.m
        c, n = self.pending.popleft()
        attempts = m.callers.attempts
        k = attempts[c] + 1
        attempts[c] = k
        m.n_redials += 1
        if m.n_attempts == m.capacity:
            m._grow()
        a = m.n_attempts
        m.n_attempts = a + 1
        t = m.callers.call_type[c]
        m.caller_id[a] = c
        m.call_type[a] = t
        m.arrived_at_s[a] = now
        m.attempt_no[a] = k
        m.callback_try[a] = n
        m.lines_busy += 1
        if self.answer_u.value(c, k) < self.cb.answer_share:
            m._answer(a, c, t, agent, now)
            return
        m.outcome[a] = NO_ANSWER
        m.agent_id[a] = agent
        m.env.at(self.ring.value(c, k), self.on_ring_end, a)

    def _on_ring_end(self, a: int) -> None:
        """Nobody answered: line and call-taker free; try again later, or the caller is lost."""
        m = self.m
        now = m.env._now
        m.line_released_at_s[a] = now
        m.lines_busy -= 1
        c = m.caller_id[a]
        n = m.callback_try[a]
        if n < self.cb.max_tries:
            m.env.at(self.retry.value(c, m.callers.attempts[c]), self.on_retry_due, (c, n + 1))
        else:
            m.callers.outcome[c] = GAVE_UP
            m.callers.gave_up_at_s[c] = now
        m.takers.free(m.agent_id[a], now)
        if self.pending:
            self.dial_idle()

    def _on_retry_due(self, due: tuple[int, int]) -> None:
        self.pending.append(due)
        self.dial_idle()
