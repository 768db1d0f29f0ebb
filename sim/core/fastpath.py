"""The model's per-call callbacks fused into a few closures, for the common case.

:class:`~sim.core.model._Model` reads top to bottom as the path of one call:
one method per step (dial, answer, join the queue, abandon, end of talk,
hang-up, after-call work, redial), each reading its state from the model's
attributes. That costs about ten Python calls and sixty attribute lookups a
call. :func:`fuse` builds the same steps as closures over local variables,
with the steps that follow each other on a call's common path written out in
one function (the dial answers at once or queues; the end of talk hangs up,
frees the call-taker and hands them the next caller; the end of after-call
work does the last two), and installs them in the model's place: the model's
roster feed and the staff pools (:class:`~sim.core.pool.Pool`) call them as
they would call the model's own methods.

Which replications take it (:func:`takes_fast_path`): one queue (FIFO, or
every call type of the same priority), no skill groups, no language menu, no callbacks, no
deferred work, and escalations, if any, by the call types' flat share (no
rule table, no patience for an officer). Everything else in such a scenario
is here too: finite lines and busy tones, finite and infinite patience,
redials, after-call work, escalations to the officers, and breaks and shift
ends due during a call (handed to the pool's own code, as
:meth:`Pool.free <sim.core.pool.Pool.free>` would).

The fused steps do what the model's methods do, in the same order: the same
facts written, the same entries pushed onto the engine's queue with the same
ids (``next(env._eid)``), the same jumps of the first-dial chain. So the
event order, every tie included, and so every record are the same bit for
bit; ``tests/core/test_fast_path.py`` runs scenarios that take this path
both ways and compares every table. A change to a step in ``model.py`` must
be made here too (docs/performance.md: what this costs).

Two entries are not pushed at all, their ids taken all the same, so every
other entry keeps its place: the first-dial chain's next entry waits beside
the queue, and :func:`run_until` runs it when the queue's order says it is
next; and where an abandon changes nothing but the caller's own facts
(:func:`lazy_abandons`), a queued caller's patience timeout is not pushed:
the caller abandons, at the timeout's instant, when a call-taker reaches
them after that instant (ties by the queue's order), or when the run ends.
"""

from __future__ import annotations

import math
from heapq import heappop, heappush
from typing import TYPE_CHECKING

from simpy.events import NORMAL, URGENT

from sim.core.engine import Entry, Stop, bad_delay, stop
from sim.core.records import ABANDONED, ANSWERED, BLOCKED, GAVE_UP, WAITING

if TYPE_CHECKING:
    from sim.core.model import _Model

INF = math.inf


def takes_fast_path(m: _Model) -> bool:
    """Whether replication ``m`` can run on the fused callbacks (see the module's docstring)."""
    sc = m.sc
    return (
        len(m.queues) == 1
        and m.routing is None
        and not sc.has_menu
        and m.desk is None
        and m.deferred is None
        and m.esc_desk is None
    )


def lazy_abandons(m: _Model) -> bool:
    """Whether an abandon in ``m`` changes nothing but the attempt's and caller's own facts.

    So with unlimited lines (a line freed blocks nobody) when no call type redials after
    abandoning: the fused callbacks then push no patience timeouts (see :func:`fuse`).
    """
    return m.lines == INF and all(r.after_abandon == 0 or r.max_attempts <= 1 for r in m.redial)


def fuse(m: _Model) -> None:
    """Install the fused callbacks in model ``m`` (which :func:`takes_fast_path`).

    The model's state that other code reads or changes during the run stays where it is
    (the queue and the pools' idle lists are shared objects; the columns are rebound
    after each chunk is filled). The counters that only these steps touch live here and
    go back to the model when the run ends (``m.finish_fast_path``).
    """
    env = m.env
    queue = env._queue
    eid = env._eid
    callers = m.callers
    caller_type = callers.call_type
    caller_attempts = callers.attempts
    caller_outcome = callers.outcome
    caller_gave_up_at_s = callers.gave_up_at_s
    first_dial_at_s = callers.first_dial_at_s
    n_callers = m.n_callers
    talk_of = m.caller_talk_s
    acw_of = m.caller_acw_s
    escalate_u = m.caller_escalate_u
    escalation_talk_of = m.caller_escalation_talk_s
    patience_of = m.caller_patience_s
    redial_patience = m.redial_patience.value
    redial_u = m.redial_u.value
    redial_busy_delay = m.redial_busy_delay.value
    redial_ab_delay = m.redial_ab_delay.value
    redial = m.redial
    esc_share = m.esc_share
    inf_patience = m.inf_patience
    zero_acw = m.zero_acw
    lines = m.lines
    waiting = m.queues[0]
    waiting_append = waiting.append
    waiting_popleft = waiting.popleft
    esc_queue = m.esc_queue
    takers, officers = m.takers, m.officers
    idle = takers.idle
    idle_popleft = idle.popleft
    idle_append = idle.append
    after_work = takers.after_work
    takers_after_work = takers._after_work
    officers_idle = officers.idle
    officers_free = officers.free

    n_attempts = m.n_attempts
    n_redials = m.n_redials
    lines_busy = m.lines_busy
    capacity = m.capacity
    # Lazy abandons: where an abandon changes nothing but the attempt's own facts (unlimited
    # lines, and no call type redials after abandoning), a queued caller's patience timeout
    # is not pushed: its id is taken all the same (timer_id), and the caller abandons when
    # a call-taker reaches them after that entry would have run (ready), or at the end.
    # About one call in four would otherwise push and pop a timeout that does nothing.
    lazy_abandon = lazy_abandons(m)
    timer_id: dict[int, int] = {}
    entry: Entry = (0.0, NORMAL, 0, stop, None)  # the queue's entry running now
    stopped_at_s = INF  # the instant of the last run_until's end entry
    # The first-dial chain's next entry, kept beside the queue instead of in it: run_until
    # runs it when it would come first by the queue's own order (instant, priority, id).
    # About half of all first dials would otherwise be pushed and popped.
    next_dial_at_s, next_dial_id, next_caller = INF, 0, -1
    # The attempt columns (rebound by grow() each time a chunk is filled).
    caller_id = m.caller_id
    call_type = m.call_type
    attempt_no = m.attempt_no
    arrived_at_s = m.arrived_at_s
    outcome = m.outcome
    patience_s = m.patience_s
    answered_at_s = m.answered_at_s
    agent_id = m.agent_id
    talk_s = m.talk_s
    line_released_at_s = m.line_released_at_s
    after_call_s = m.after_call_s
    done_at_s = m.done_at_s
    escalation_requested_at_s = m.escalation_requested_at_s
    escalation_started_at_s = m.escalation_started_at_s
    officer_id = m.officer_id
    escalation_talk_s = m.escalation_talk_s

    def grow() -> None:
        """The model's ``_grow`` (next chunk, rows to the sink), then the columns rebound."""
        nonlocal capacity, caller_id, call_type, attempt_no, arrived_at_s, outcome
        nonlocal patience_s, answered_at_s, agent_id, talk_s, line_released_at_s
        nonlocal after_call_s, done_at_s, escalation_requested_at_s
        nonlocal escalation_started_at_s, officer_id, escalation_talk_s
        m.n_attempts = n_attempts
        m._grow()
        capacity = m.capacity
        caller_id, call_type, attempt_no = m.caller_id, m.call_type, m.attempt_no
        arrived_at_s, outcome, patience_s = m.arrived_at_s, m.outcome, m.patience_s
        answered_at_s, agent_id, talk_s = m.answered_at_s, m.agent_id, m.talk_s
        line_released_at_s, after_call_s = m.line_released_at_s, m.after_call_s
        done_at_s, officer_id = m.done_at_s, m.officer_id
        escalation_requested_at_s = m.escalation_requested_at_s
        escalation_started_at_s = m.escalation_started_at_s
        escalation_talk_s = m.escalation_talk_s

    def dial(c: int, k: int, now: float) -> None:
        """``_dial``, with ``_answer`` and ``_join_queue`` written out."""
        nonlocal n_attempts, lines_busy
        t = caller_type[c]
        a = n_attempts
        if a == capacity:
            grow()
        n_attempts = a + 1
        caller_id[a] = c
        call_type[a] = t
        arrived_at_s[a] = now
        if lines_busy >= lines:
            outcome[a] = BLOCKED
            line_released_at_s[a] = now
            failed(c, t, True, now)
            return
        lines_busy += 1
        if idle:  # an idle call-taker answers at once
            outcome[a] = ANSWERED
            answered_at_s[a] = now
            agent_id[a] = idle_popleft()
            talk = talk_of[c]
            talk_s[a] = talk
            if not talk >= 0.0:
                raise bad_delay(talk, on_talk_end)
            heappush(queue, (now + talk, NORMAL, next(eid), on_talk_end, a))
            return
        if not inf_patience[t]:
            patience = patience_of[c] if k == 1 else redial_patience(c, k)
        else:
            patience = INF
        patience_s[a] = patience
        if patience != INF:
            if not patience >= 0.0:
                raise bad_delay(patience, on_abandon)
            if lazy_abandon:
                timer_id[a] = next(eid)
            else:
                heappush(queue, (now + patience, NORMAL, next(eid), on_abandon, a))
        waiting_append(a)

    def on_first_dial(c: int) -> None:
        """``_on_first_dial``: caller ``c`` dials, then every next caller due first (the
        dial written out: :func:`dial` with ``k = 1``).
        """
        nonlocal n_attempts, lines_busy, next_dial_at_s, next_dial_id, next_caller
        while True:
            now = env._now
            t = caller_type[c]
            a = n_attempts
            if a == capacity:
                grow()
            n_attempts = a + 1
            caller_id[a] = c
            call_type[a] = t
            arrived_at_s[a] = now
            if lines_busy >= lines:
                outcome[a] = BLOCKED
                line_released_at_s[a] = now
                failed(c, t, True, now)
            else:
                lines_busy += 1
                if idle:
                    outcome[a] = ANSWERED
                    answered_at_s[a] = now
                    agent_id[a] = idle_popleft()
                    talk = talk_of[c]
                    talk_s[a] = talk
                    if not talk >= 0.0:
                        raise bad_delay(talk, on_talk_end)
                    heappush(queue, (now + talk, NORMAL, next(eid), on_talk_end, a))
                else:
                    patience = patience_of[c] if not inf_patience[t] else INF
                    patience_s[a] = patience
                    if patience != INF:
                        if not patience >= 0.0:
                            raise bad_delay(patience, on_abandon)
                        if lazy_abandon:
                            timer_id[a] = next(eid)
                        else:
                            heappush(queue, (now + patience, NORMAL, next(eid), on_abandon, a))
                    waiting_append(a)
            c += 1
            if c == n_callers:
                return
            when = first_dial_at_s[c]
            if queue and when < queue[0][0] and when >= env._now:  # Engine.jump, written out
                env._now = when
            else:  # Engine.at_time, but the entry waits beside the queue (see run_until)
                if not when >= env._now:
                    raise ValueError(f"when_s ({when}) is before the clock ({env._now})")
                next_dial_at_s, next_dial_id, next_caller = when, next(eid), c
                return

    def on_redial(c: int) -> None:
        """``_on_redial``: caller ``c`` dials again."""
        nonlocal n_redials
        k = caller_attempts[c] + 1
        caller_attempts[c] = k
        n_redials += 1
        if n_attempts == capacity:
            grow()
        attempt_no[n_attempts] = k
        dial(c, k, env._now)

    def failed(c: int, t: int, blocked: bool, now: float) -> None:
        """``_failed``: after a busy tone or an abandon, redial later or give up."""
        k = caller_attempts[c]
        p = redial[t].probability(k, blocked)
        if p > 0 and redial_u(c, k) < p:
            delay = (redial_busy_delay if blocked else redial_ab_delay)(c, k)
            if not delay >= 0.0:
                raise bad_delay(delay, on_redial)
            heappush(queue, (now + delay, NORMAL, next(eid), on_redial, c))
        else:
            caller_outcome[c] = GAVE_UP
            caller_gave_up_at_s[c] = now

    def on_abandon(a: int) -> None:
        """``_on_abandon``: patience ran out (nothing, if answered meanwhile)."""
        if outcome[a] == WAITING:
            abandon(a, env._now)

    def abandon(a: int, now: float) -> None:
        nonlocal lines_busy
        outcome[a] = ABANDONED
        line_released_at_s[a] = now
        lines_busy -= 1
        failed(caller_id[a], call_type[a], False, now)

    def ready(agent: int, now: float) -> bool:
        """``_taker_ready`` with ``_answer``: the first live caller in the queue, answered.

        With lazy abandons, a caller whose patience timeout would have fired before the
        entry running now (by the queue's order) abandons first, at that instant.
        """
        while waiting:
            a = waiting_popleft()
            if outcome[a] == WAITING:
                if lazy_abandon:
                    due_id = timer_id.pop(a, -1)
                    if due_id >= 0:
                        due = arrived_at_s[a] + patience_s[a]
                        if due < now or (due == now and (NORMAL, due_id) < entry[1:3]):
                            abandon(a, due)
                            continue
                outcome[a] = ANSWERED
                answered_at_s[a] = now
                agent_id[a] = agent
                talk = talk_of[caller_id[a]]
                talk_s[a] = talk
                if not talk >= 0.0:
                    raise bad_delay(talk, on_talk_end)
                heappush(queue, (now + talk, NORMAL, next(eid), on_talk_end, a))
                return True
        return False

    def free(agent: int, now: float) -> None:
        """``Pool.free`` for the call-takers: a due break or shift end, or the next caller."""
        if after_work[agent]:
            takers_after_work(agent, now)
        elif not ready(agent, now):
            idle_append(agent)

    def hang_up(a: int, t: int, now: float) -> None:
        """``_hang_up``: the line frees; after-call work starts (or, if none, is done)."""
        nonlocal lines_busy
        lines_busy -= 1
        line_released_at_s[a] = now
        if zero_acw[t]:
            after_call_s[a] = 0.0
            done_at_s[a] = now
            free(agent_id[a], now)
        else:
            acw = acw_of[caller_id[a]]
            after_call_s[a] = acw
            if not acw >= 0.0:
                raise bad_delay(acw, on_acw_end)
            heappush(queue, (now + acw, NORMAL, next(eid), on_acw_end, a))

    def escalate(a: int, officer: int, now: float) -> None:
        """``_escalate``: an officer takes the call over (line held)."""
        escalation_started_at_s[a] = now
        officer_id[a] = officer
        talk = escalation_talk_of[caller_id[a]]
        escalation_talk_s[a] = talk
        if not talk >= 0.0:
            raise bad_delay(talk, on_escalation_end)
        heappush(queue, (now + talk, NORMAL, next(eid), on_escalation_end, a))

    def on_talk_end(a: int) -> None:
        """``_on_talk_end``: escalate with the type's share, else hang up."""
        now = env._now
        t = call_type[a]
        share = esc_share[t]
        if share and escalate_u[caller_id[a]] < share:
            escalation_requested_at_s[a] = now
            if officers_idle:
                escalate(a, officers_idle.popleft(), now)
            else:
                esc_queue.append(a)
            return
        # hang_up(a, t, now) and free(agent, now) written out
        nonlocal lines_busy
        lines_busy -= 1
        line_released_at_s[a] = now
        if not zero_acw[t]:
            acw = acw_of[caller_id[a]]
            after_call_s[a] = acw
            if not acw >= 0.0:
                raise bad_delay(acw, on_acw_end)
            heappush(queue, (now + acw, NORMAL, next(eid), on_acw_end, a))
            return
        after_call_s[a] = 0.0
        done_at_s[a] = now
        agent = agent_id[a]
        if after_work[agent]:
            takers_after_work(agent, now)
        elif not ready(agent, now):
            idle_append(agent)

    def officer_ready(officer: int, now: float) -> bool:
        """``_officer_ready``: the next escalation waiting, if any."""
        if not esc_queue:
            return False
        escalate(esc_queue.popleft(), officer, now)
        return True

    def on_escalation_end(a: int) -> None:
        """``_on_escalation_end``: the officer is free; the caller hangs up."""
        now = env._now
        officers_free(officer_id[a], now)
        hang_up(a, call_type[a], now)

    def on_acw_end(a: int) -> None:
        """``_on_acw_end``: the complaint is registered; the call-taker is free."""
        now = env._now
        done_at_s[a] = now
        free(agent_id[a], now)

    def run_until(stop_s: float) -> None:
        """``Engine.run_until``, with the first-dial chain's next entry beside the queue."""
        nonlocal next_dial_at_s, next_caller, entry, stopped_at_s
        now = env._now
        if stop_s <= now:
            raise ValueError(f"stop_s ({stop_s}) must be later than the clock ({now})")
        stopped_at_s = now + (stop_s - now)
        heappush(queue, (stopped_at_s, URGENT, next(eid), stop, None))
        try:
            while True:
                head = queue[0]
                when = next_dial_at_s
                if when < head[0] or (when == head[0] and (when, NORMAL, next_dial_id) < head[:3]):
                    env._now = when
                    c, next_dial_at_s, next_caller = next_caller, INF, -1
                    on_first_dial(c)
                    continue
                entry = heappop(queue)
                env._now = entry[0]
                entry[3](entry[4])
        except Stop:
            return

    def finish() -> None:
        """The counters back on the model, for the records; the per-caller draws let go.

        With lazy abandons, callers still queued whose timeout would have fired before the
        run's end entry abandon now, at that instant.
        """
        nonlocal talk_of, acw_of, escalate_u, escalation_talk_of, patience_of
        for a in waiting if lazy_abandon else ():
            if outcome[a] == WAITING and timer_id.pop(a, -1) >= 0:
                due = arrived_at_s[a] + patience_s[a]
                if due < stopped_at_s:
                    abandon(a, due)
        m.n_attempts, m.n_redials, m.lines_busy = n_attempts, n_redials, lines_busy
        del talk_of, acw_of, escalate_u, escalation_talk_of, patience_of

    m.on_first_dial = on_first_dial
    m.on_redial = on_redial
    m.on_abandon = on_abandon
    m.on_talk_end = on_talk_end
    m.on_escalation_end = on_escalation_end
    m.on_acw_end = on_acw_end
    takers.on_ready = ready
    officers.on_ready = officer_ready
    m.finish_fast_path = finish
    m.run_until = run_until
