"""The helpline as a SimPy discrete-event model: one replication, scenario in, records out.

Callback style on SimPy's own event loop: every state change is a plain
timeout whose callback advances one attempt, which costs a few events per
call instead of a generator process per call (about 7x faster, same
semantics). The path of one attempt:

1. dial: a free line is seized, or the attempt is *blocked* (busy tone);
2. wait on the line for a free call-taker (queue: FIFO or by priority), or
   *abandon* when patience runs out;
3. *answered*: talk (line held); with the type's probability an escalation to
   an officer on duty (line held, waiting for one if all are busy);
4. hang-up frees the line; after-call work keeps the call-taker busy; its end
   registers a complaint;
5. blocked and abandoned callers redial with their type's probability after
   a redial delay, or give up.

Nothing here reads files, prints or plots: :func:`simulate` takes a scenario
and a replication number and returns :class:`~sim.core.records.Records`.
"""

from __future__ import annotations

import math
from array import array
from collections import deque
from collections.abc import Callable, Mapping

import numpy as np

from sim.core.arrivals import dials
from sim.core.callbacks import CallbackDesk
from sim.core.deferred import DeferredWork
from sim.core.engine import Engine
from sim.core.escalation import EscalationDesk
from sim.core.fastpath import fuse, takes_fast_path
from sim.core.pool import Pool
from sim.core.records import (
    ABANDONED,
    ANSWERED,
    BLOCKED,
    GAVE_UP,
    WAITING,
    AttemptColumns,
    AttemptSink,
    CallerColumns,
    Facts,
    MappedColumns,
    Records,
    empty_columns,
    typed,
)
from sim.core.roster import CALL_TAKER, ESCALATION, SUPERVISOR, Roster, build_roster
from sim.core.routing import SkillRouting
from sim.core.streams import UNIFORM, PerAttempt, per_caller, replication_seed, stream
from sim.scenario.distributions import Dist
from sim.scenario.values import DAY_S, Scenario

DRAIN_DAYS = 2  # how long calls in progress may drain after the horizon (end = "drain")
CHUNK = 1 << 16  # attempt columns are filled (and handed to a sink) this many rows at a time
RESERVE = 4  # attempt rows reserved per first dial and chunk of redials (see _attempt_columns)
#: A finished attempt goes to the sink only once its patience timeout, if any, is this long past
#: (the timeout reads the attempt's outcome when it fires; its instant is the dial plus the
#: patience up to a rounding error).
TIMER_MARGIN_S = 1.0

# Roster feed: what happens to a person at an instant, in the order of equal instants:
# ends before starts before breaks.
DUTY_END, DUTY_START, BREAK_START = 0, 1, 2
#: One roster event: (instant_s, kind, person, value); value is the duty end for a start,
#: the duration for a break.
RosterEvent = tuple[float, int, int, float]


def callers(sc: Scenario, root: np.random.SeedSequence) -> CallerColumns:
    """Every caller of the replication, drawn before the run (vectorised).

    First dials (callers are numbered in their order), call types, victim delay
    (so the fraud instant) and, when money is modelled, the loss.
    """
    types = sc.call_types
    first_s, named_types = dials(sc.arrivals, sc.horizon, stream(root, "arrivals"))
    n = first_s.size
    if named_types:  # a trace or a replayed log day names each caller's type
        index = {t.name: i for i, t in enumerate(types)}
        call_type = np.array([index[x] for x in named_types], dtype=np.int64)
    else:
        shares = np.array([t.share for t in types])
        call_type = stream(root, "types").choice(len(types), n, p=shares / shares.sum())
    names = [t.name for t in types]
    victim_s = per_caller([t.victim_delay for t in types], names, call_type, root, "victim_delay")
    loss_rs = np.full(n, np.nan)
    if sc.money.enabled:
        loss_rs = sc.money.loss.sample(stream(root, "money"), n)
    # Typed arrays: 8 bytes a value (2 for the type) instead of a Python object each, and
    # fast scalar reads on the per-call path.
    return CallerColumns(
        call_type=typed(CallerColumns, "call_type", call_type),
        fraud_at_s=typed(CallerColumns, "fraud_at_s", first_s - victim_s),
        first_dial_at_s=typed(CallerColumns, "first_dial_at_s", first_s),
        loss_rs=typed(CallerColumns, "loss_rs", loss_rs),
        **empty_columns(CallerColumns, n, ("attempts", "outcome", "gave_up_at_s")),
    )


def roster_feed(roster: Roster) -> list[RosterEvent]:
    """The roster's duty periods and breaks as one sorted list of events for the pools."""
    events: list[RosterEvent] = []
    for p, s, e in zip(
        roster.duty_person.tolist(),
        roster.duty_start_s.tolist(),
        roster.duty_end_s.tolist(),
        strict=True,
    ):
        events.append((s, DUTY_START, p, e))
        events.append((e, DUTY_END, p, 0.0))
    for p, s, d in zip(
        roster.break_person.tolist(),
        roster.break_start_s.tolist(),
        roster.break_duration_s.tolist(),
        strict=True,
    ):
        events.append((s, BREAK_START, p, d))
    events.sort()
    return events


class _Model(AttemptColumns):
    """State and callbacks of one replication (private; use :func:`simulate`).

    The model is its own attempt columns (it extends
    :class:`~sim.core.records.AttemptColumns`): a callback records a fact as
    ``self.talk_s[a] = talk``, one attribute lookup, under the records' name.
    """

    def __init__(
        self,
        scenario: Scenario,
        replication: int,
        sink: AttemptSink | None = None,
        fast_path: bool = True,
    ) -> None:
        self.sc = scenario
        self.replication = replication
        self.sink = sink
        root = replication_seed(scenario.horizon.seed, replication)
        self.env = Engine()
        self.callers = callers(scenario, root)
        self.n_callers = len(self.callers.call_type)
        self._attempt_columns(self.n_callers + CHUNK)
        self._draws(root)
        self._per_type()
        self._staff(root)
        # Who answers a call of type t at once: the longest-idle call-taker, or with skill
        # groups the longest idle of the groups serving t (sim/core/routing.py, which also
        # takes over the queues and the call-takers' hand-out).
        self.take_idle: Callable[[int], int] = self._take_idle_any
        self.routing = SkillRouting(self) if scenario.staff.groups else None
        # Callbacks wrap the call-takers' hand-out first (live callers, then due callbacks),
        # so whatever wraps it after them (deferred work) comes after both.
        self.desk = CallbackDesk(self, root) if scenario.callbacks.enabled else None
        self.deferred = DeferredWork.attach(scenario, root, self.env, self.takers)
        # Each callback bound once: reading ``self._on_talk_end`` builds a new bound-method
        # object every time, and the model hands the engine a callback about twice per call
        # (about 5% of the run time). ``on_x`` is the bound ``_on_x``.
        self.on_roster = self._on_roster
        self.on_first_dial = self._on_first_dial
        self.on_redial = self._on_redial
        self.on_abandon = self.desk.on_abandon if self.desk else self._on_abandon
        self.on_talk_end = self._on_talk_end
        self.on_escalation_end = self._on_escalation_end
        self.on_acw_end = self._on_acw_end
        # Options switched on once here, so the common path pays nothing for them: the
        # menu replaces the dial (a method bound on the instance shadows the class's).
        if scenario.has_menu:
            self.on_menu_end = self._on_menu_end
            self._dial = self._dial_to_menu  # type: ignore[method-assign]
        # Escalation by the rule table, or with patience for the officer: the desk takes over
        # the end of talk, the officers' hand-out and the end of escalations.
        self.esc_desk = EscalationDesk(self, root) if scenario.escalation_routed else None
        # The common case (one queue, none of the options above) runs on the same steps fused
        # into closures (sim/core/fastpath.py): the same records, about 1.8x as fast.
        self.finish_fast_path: Callable[[], None] | None = None
        self.run_until: Callable[[float], None] = self.env.run_until
        if fast_path and takes_fast_path(self):
            fuse(self)

    def _attempt_columns(self, rows: int) -> None:
        """Reserve the attempt columns: one row per dial, filled as facts happen.

        Room for ``rows`` rows is reserved (every first dial and a chunk of redials), but
        rows are filled with their value-until-known a chunk at a time (:meth:`_grow`), so a
        run holds memory only for the rows it reached, and with a sink only for those not yet
        handed to it. ``capacity`` is the number of rows filled: a new attempt checks it.
        """
        # Address space is reserved generously (untouched pages cost nothing): growing past
        # the reserve copies the rows held.
        self.store = MappedColumns(AttemptColumns, RESERVE * rows)
        self.store.fill(min(rows, CHUNK))
        self._bind_columns()
        self.n_attempts = 0
        self.n_redials = 0
        self.written = 0  # rows handed to the sink

    def _bind_columns(self) -> None:
        for name, col in self.store.views.items():
            setattr(self, name, col)
        self.capacity = self.store.filled

    def _grow(self) -> None:
        """Fill the next chunk of rows; with a sink, first hand it the finished rows."""
        if self.sink is not None:
            self._hand_over(self._finished(self.written, self.n_attempts))
        self.store.fill(self.capacity + CHUNK)
        self._bind_columns()

    def _finished(self, start: int, stop: int) -> int:
        """The end of the rows from ``start`` on (before ``stop``) that nothing will change
        or read again: the line released, after-call work done if answered, no patience
        timeout still to fire.
        """
        v = self.store.numpy(start, stop)
        timer_s = v["arrived_at_s"] + v["patience_s"]  # NaN: never queued
        done = (
            ~np.isnan(v["line_released_at_s"])
            & ((v["outcome"] != ANSWERED) | ~np.isnan(v["done_at_s"]))
            & ~(np.isfinite(timer_s) & (timer_s >= self.env._now - TIMER_MARGIN_S))
        )
        first_open = np.flatnonzero(~done)
        del v
        return start + int(first_open[0]) if first_open.size else stop

    def _hand_over(self, stop: int) -> None:
        """Rows ``[written, stop)`` to the sink, their memory given back.

        Those rows are finished (:meth:`_finished`), so what still names one is an
        abandoned attempt left in a queue (lazy removal): dropped from the queues first,
        as the call-taker reaching it would skip it.
        """
        start = self.written
        if stop <= start:
            return
        for q in self.queues:
            if q and min(q) < stop:
                kept = [a for a in q if a >= stop]
                q.clear()
                q.extend(kept)
        assert self.sink is not None
        self.sink.write(self.store.numpy(start, stop))
        self.store.release(stop)
        self.written = stop

    def _draws(self, root: np.random.SeedSequence) -> None:
        """Each caller's own durations and decisions, drawn per caller, not in order of use.

        Talk, after-call work, the escalation decision and talk, and the
        first dial's patience are drawn for every caller before the run
        (:func:`~sim.core.streams.per_caller`); patience on a redial, the
        decision to redial and the redial delay per caller and attempt number
        (:class:`~sim.core.streams.PerAttempt`). So two variants of a scenario
        give a caller the same values wherever the caller's story agrees
        (common random numbers). Quantities no call type uses are not drawn.
        """
        types = self.sc.call_types
        names = [t.name for t in types]
        call_type = np.frombuffer(self.callers.call_type, dtype=np.int16)
        none: array[float] = array("d")

        def each_caller(dists: list[Dist], label: str, used: bool = True) -> array[float]:
            if not used:
                return none
            return array("d", per_caller(dists, names, call_type, root, label).tobytes())

        def each_attempt(dists: list[Dist], label: str) -> PerAttempt:
            return PerAttempt(dists, names, call_type, root, label)

        escalates = any(t.escalation_share > 0 for t in types) or any(
            rule.share > 0 for rule in self.sc.escalation.rules
        )
        self.caller_talk_s = each_caller([t.talk for t in types], "talk")
        self.caller_acw_s = each_caller(
            [t.after_call for t in types],
            "after_call",
            not all(t.after_call.is_zero for t in types),
        )
        self.caller_escalate_u = each_caller([UNIFORM] * len(types), "escalate", escalates)
        self.caller_escalation_talk_s = each_caller(
            [t.escalation_talk for t in types], "escalation_talk", escalates
        )
        self.caller_patience_s = each_caller([t.patience for t in types], "patience")
        self.redial_patience = each_attempt([t.patience for t in types], "patience")
        self.redial_u = each_attempt([UNIFORM] * len(types), "redial")
        self.redial_busy_delay = each_attempt(
            [t.redial.delay_after_busy for t in types], "redial_delay_busy"
        )
        self.redial_ab_delay = each_attempt(
            [t.redial.delay_after_abandon for t in types], "redial_delay_abandon"
        )
        if self.sc.has_menu:  # per caller and attempt: a redial hears the menu again
            self.menu_time = each_attempt([t.menu for t in types], "menu")

    def _per_type(self) -> None:
        """Per call type: the behaviour read on every call, and the queues."""
        sc = self.sc
        types = sc.call_types
        self.esc_share = [t.escalation_share for t in types]
        self.inf_patience = [
            t.patience.kind == "deterministic" and math.isinf(t.patience.mean) for t in types
        ]
        self.zero_acw = [t.after_call.is_zero for t in types]
        self.redial = [t.redial for t in types]
        prios = sorted({t.priority for t in types})
        if sc.queue_discipline == "priority":
            self.type_queue = [prios.index(t.priority) for t in types]
        else:
            self.type_queue = [0] * len(types)
        self.queues: list[deque[int]] = [deque() for _ in range(max(self.type_queue) + 1)]
        self.esc_queue: deque[int] = deque()
        self.lines = sc.lines if sc.lines is not None else math.inf
        self.lines_busy = 0

    def _staff(self, root: np.random.SeedSequence) -> None:
        """The roster, the two staff pools, and the feed of roster events that drives them."""
        sc, env = self.sc, self.env
        self.roster = build_roster(
            sc.staff, sc.horizon, stream(root, "roster"), extra_days=DRAIN_DAYS + 1
        )
        n_people = len(self.roster.people)
        self.takers = Pool(n_people, sc.staff.seats, CALL_TAKER, self.at)
        self.officers = Pool(n_people, math.inf, ESCALATION, self.at)
        self.takers.on_ready = self._taker_ready
        self.officers.on_ready = self._officer_ready
        self.takers.now = self.officers.now = lambda: env._now
        # Shift supervisors (staff.supervisor_ranks): a pool of their own, idle unless the
        # escalation rules send calls to them (sim/core/escalation.py).
        self.supervisors = (
            Pool(n_people, math.inf, SUPERVISOR, self.at) if sc.has_supervisors else None
        )
        self.pools = [self.takers, self.officers]
        if self.supervisors is not None:
            self.supervisors.now = self.takers.now
            self.pools.append(self.supervisors)
        #: The pool of each role (indexed by role code; "other" people are never on duty).
        self.pool_of = [self.takers, self.officers, self.officers, self.supervisors]
        self.role = self.roster.people["role"].tolist()
        self.roster_events = roster_feed(self.roster)
        self.roster_i = 0

    # --- the event loop ---------------------------------------------------------------------
    def at(self, delay_s: float, fn, value: int) -> None:
        """Run ``fn(value)`` after ``delay_s`` seconds (for the staff pools)."""
        self.env.at(delay_s, fn, value)

    def run(self, progress: Callable[[float], None] | None = None) -> Records:
        env = self.env
        end_s = self.sc.horizon.end_s
        # Roster first: at equal instants staff log in before a caller dials.
        if self.roster_events:
            env.at_time(self.roster_events[0][0], self.on_roster, None)
        if self.n_callers:
            env.at_time(self.callers.first_dial_at_s[0], self.on_first_dial, 0)
        stop_s = end_s if self.sc.horizon.end == "cut" else end_s + DRAIN_DAYS * DAY_S
        run_until = self.run_until
        if progress is None:
            run_until(stop_s)
        else:  # run day by day, reporting the share of simulated time done
            for day_end_s in np.arange(DAY_S, stop_s, DAY_S):
                run_until(float(day_end_s))
                progress(float(day_end_s) / stop_s)
            run_until(stop_s)
            progress(1.0)
        if self.finish_fast_path is not None:
            self.finish_fast_path()
        pools = self.pools
        for pool in pools:
            pool.close(env._now)
        # The per-caller draws are spent: let them go before the records derive their columns.
        for name in [n for n in vars(self) if n.startswith("caller_") and n.endswith(("_s", "_u"))]:
            delattr(self, name)
        attempts: AttemptColumns | Mapping[str, np.ndarray] = self  # the model is its columns
        if self.sink is not None and self.written:  # a long run: every row to the sink
            self._hand_over(self.n_attempts)
            attempts = self.sink.columns()
        facts = Facts(
            attempts=attempts,
            n_attempts=self.n_attempts,
            callers=self.callers,
            sessions=tuple(p.sessions for p in pools),
            breaks={
                "person_id": np.concatenate([np.asarray(p.b_person, np.int32) for p in pools]),
                "start_at_s": np.concatenate([np.asarray(p.b_start_s, np.float64) for p in pools]),
                "end_at_s": np.concatenate([np.asarray(p.b_end_s, np.float64) for p in pools]),
            },
            roster=self.roster,
            stop_s=stop_s,
            deferred=self.deferred.facts() if self.deferred else {},
            escalation=self.esc_desk.facts(self.n_attempts) if self.esc_desk else {},
        )
        return Records.from_facts(self.sc, self.replication, facts)

    def _on_roster(self, _none: None) -> None:
        now = self.env._now
        events, i = self.roster_events, self.roster_i
        while i < len(events) and events[i][0] <= now:
            _, kind, p, detail = events[i]
            pool = self.pool_of[self.role[p]]
            assert pool is not None
            if kind == DUTY_START:
                pool.duty_start(p, now, detail)
            elif kind == DUTY_END:
                pool.duty_end(p, now)
            else:
                pool.break_start(p, detail, now)
            i += 1
        self.roster_i = i
        if i < len(events):
            self.env.at_time(events[i][0], self.on_roster, None)

    def _on_first_dial(self, c: int) -> None:
        """Caller ``c`` dials for the first time, then every next caller due first.

        Callers are numbered in order of their first dial, so one chain brings
        them all: after caller ``c`` dials, caller ``c + 1`` dials at once if
        nothing else is due before (``Engine.jump``), else the chain waits in
        the event queue.
        """
        env = self.env
        first_s = self.callers.first_dial_at_s
        n = self.n_callers
        while True:
            self._dial(c, 1, env._now)
            c += 1
            if c == n:
                return
            if not env.jump(first_s[c]):
                env.at_time(first_s[c], self.on_first_dial, c)
                return

    def _on_redial(self, c: int) -> None:
        """Caller ``c`` dials again (attempt numbers start at 1 for the first dial)."""
        attempts = self.callers.attempts
        k = attempts[c] + 1
        attempts[c] = k
        self.n_redials += 1
        if self.n_attempts == self.capacity:
            self._grow()
        self.attempt_no[self.n_attempts] = k  # the row _dial fills
        self._dial(c, k, self.env._now)

    def _dial(self, c: int, k: int, now: float) -> None:
        """Caller ``c`` dials: a new attempt, their number ``k`` (``callers.attempts[c]``)."""
        t = self.callers.call_type[c]
        a = self.n_attempts
        if a == self.capacity:
            self._grow()
        self.n_attempts = a + 1
        self.caller_id[a] = c
        self.call_type[a] = t
        self.arrived_at_s[a] = now
        if self.lines_busy >= self.lines:
            self.outcome[a] = BLOCKED
            self.line_released_at_s[a] = now
            self._failed(c, t, True, now)
            return
        self.lines_busy += 1
        # Outcome stays WAITING until answered or abandoned.
        # Idle call-takers exist only when nobody waits (whom they may serve), so an idle
        # one answers at once.
        agent = self.take_idle(t)
        if agent >= 0:
            self._answer(a, c, t, agent, now)
            return
        if not self.inf_patience[t]:
            patience = self.caller_patience_s[c] if k == 1 else self.redial_patience.value(c, k)
        else:
            patience = math.inf
        self.patience_s[a] = patience
        self._join_queue(a, t, patience)

    def _join_queue(self, a: int, t: int, patience_s: float) -> None:
        """Attempt ``a`` (type ``t``) waits for a call-taker, hanging up after ``patience_s``
        (:class:`~sim.core.callbacks.CallbackDesk` may offer a callback first).
        """
        if patience_s != math.inf:
            self.env.at(patience_s, self.on_abandon, a)
        self.queues[self.type_queue[t]].append(a)

    def _dial_to_menu(self, c: int, k: int, now: float) -> None:
        """:meth:`_dial` with a language menu: the line is seized, the menu plays, then the
        caller queues (or is answered).

        Patience runs from the dial (the caller waits for a person, menu or hold music
        alike): a caller whose patience is at most the menu time hangs up in the menu at
        dial + patience, and ``menu_s`` is then the time heard; otherwise the rest of the
        patience runs in the queue from the menu's end.
        """
        t = self.callers.call_type[c]
        a = self.n_attempts
        if a == self.capacity:
            self._grow()
        self.n_attempts = a + 1
        self.caller_id[a] = c
        self.call_type[a] = t
        self.arrived_at_s[a] = now
        if self.lines_busy >= self.lines:
            self.outcome[a] = BLOCKED
            self.line_released_at_s[a] = now
            self._failed(c, t, True, now)
            return
        self.lines_busy += 1
        menu = self.menu_time.value(c, k)
        if self.inf_patience[t]:
            patience = math.inf
        else:
            patience = self.caller_patience_s[c] if k == 1 else self.redial_patience.value(c, k)
        self.patience_s[a] = patience
        if patience <= menu:  # hangs up in the menu
            self.menu_s[a] = patience
            self.env.at(patience, self.on_abandon, a)
            return
        self.menu_s[a] = menu
        self.env.at(menu, self.on_menu_end, a)

    def _on_menu_end(self, a: int) -> None:
        """The menu is over: answered by an idle call-taker, or into the queue with the rest
        of the caller's patience.
        """
        now = self.env._now
        t = self.call_type[a]
        agent = self.take_idle(t)
        if agent >= 0:
            self._answer(a, self.caller_id[a], t, agent, now)
            return
        self._join_queue(a, t, self.patience_s[a] - self.menu_s[a])

    def _answer(self, a: int, c: int, t: int, agent: int, now: float) -> None:
        """``agent`` answers attempt ``a`` (caller ``c``, type ``t``): talk starts, the line
        stays held.

        The caller's own answer time and outcome are read from this attempt
        after the run (:meth:`Records.from_facts`): a caller stops dialling once
        answered, so at most one attempt per caller is answered.
        """
        self.outcome[a] = ANSWERED
        self.answered_at_s[a] = now
        self.agent_id[a] = agent
        talk = self.caller_talk_s[c]
        self.talk_s[a] = talk
        self.env.at(talk, self.on_talk_end, a)

    def _take_idle_any(self, t: int) -> int:
        """The longest-idle call-taker (any serves type ``t``), now busy, or -1."""
        return self.takers.take_idle()

    def _taker_ready(self, agent: int, now: float) -> bool:
        """Hand a free call-taker the first live attempt in the queue (False: nobody waits).

        Abandoned attempts stay in the queue until they reach its head (lazy removal).
        """
        outcome = self.outcome
        for q in self.queues:
            while q:
                a = q.popleft()
                if outcome[a] == WAITING:
                    self._answer(a, self.caller_id[a], self.call_type[a], agent, now)
                    return True
        return False

    def _on_abandon(self, a: int) -> None:
        if self.outcome[a] != WAITING:  # answered before patience ran out
            return
        now = self.env._now
        self.outcome[a] = ABANDONED
        self.line_released_at_s[a] = now
        self.lines_busy -= 1
        self._failed(self.caller_id[a], self.call_type[a], False, now)

    def _failed(self, c: int, t: int, blocked: bool, now: float) -> None:
        """After a busy tone or an abandon: redial later, or give up."""
        cols = self.callers
        k = cols.attempts[c]
        p = self.redial[t].probability(k, blocked)
        if p > 0 and self.redial_u.value(c, k) < p:
            delay = (self.redial_busy_delay if blocked else self.redial_ab_delay).value(c, k)
            self.env.at(delay, self.on_redial, c)
        else:
            cols.outcome[c] = GAVE_UP
            cols.gave_up_at_s[c] = now

    def _on_talk_end(self, a: int) -> None:
        t = self.call_type[a]
        share = self.esc_share[t]
        if share and self.caller_escalate_u[self.caller_id[a]] < share:
            now = self.env._now
            self.escalation_requested_at_s[a] = now
            officer = self.officers.take_idle()
            if officer >= 0:
                self._escalate(a, officer, now)
            else:
                self.esc_queue.append(a)
            return
        self._hang_up(a, t)

    def _escalate(self, a: int, officer: int, now: float) -> None:
        self.escalation_started_at_s[a] = now
        self.officer_id[a] = officer
        talk = self.caller_escalation_talk_s[self.caller_id[a]]
        self.escalation_talk_s[a] = talk
        self.env.at(talk, self.on_escalation_end, a)

    def _officer_ready(self, officer: int, now: float) -> bool:
        if not self.esc_queue:
            return False
        self._escalate(self.esc_queue.popleft(), officer, now)
        return True

    def _on_escalation_end(self, a: int) -> None:
        self.officers.free(self.officer_id[a], self.env._now)
        self._hang_up(a, self.call_type[a])

    def _hang_up(self, a: int, t: int) -> None:
        """The caller hangs up: the line frees; after-call work starts (or, if none, is done)."""
        now = self.env._now
        self.lines_busy -= 1
        self.line_released_at_s[a] = now
        if self.zero_acw[t]:
            self.after_call_s[a] = 0.0
            self.done_at_s[a] = now
            self.takers.free(self.agent_id[a], now)
        else:
            acw = self.caller_acw_s[self.caller_id[a]]
            self.after_call_s[a] = acw
            self.env.at(acw, self.on_acw_end, a)

    def _on_acw_end(self, a: int) -> None:
        """After-call work ends: the call-taker is free.

        A complaint, if the call type registers one, is registered now: the
        caller's registration time is this attempt's ``done_at_s``, read after
        the run (:meth:`Records.from_facts`).
        """
        now = self.env._now
        self.done_at_s[a] = now
        self.takers.free(self.agent_id[a], now)


def simulate(
    scenario: Scenario,
    replication: int = 0,
    progress: Callable[[float], None] | None = None,
    sink: AttemptSink | None = None,
    *,
    fast_path: bool = True,
) -> Records:
    """Run replication ``replication`` of ``scenario`` and return its records.

    Replication ``i`` draws from ``SeedSequence(scenario.horizon.seed,
    spawn_key=(i,))``: the same scenario, seed and replication always give
    identical records, whatever runs beside it. ``progress(share_done)``, if
    given, is called after every simulated day (it does not change results).

    ``sink``, if given, takes the attempt rows of a long run as they are finished, a chunk
    at a time, so the run does not hold them all (:class:`~sim.core.records.AttemptSink`);
    the records then read them back from it. A run of fewer than :data:`CHUNK` attempts
    keeps them. The records are the same either way.

    ``fast_path=False`` runs the model's general steps even where the fused ones
    (:mod:`sim.core.fastpath`) would run: the same records, slower (for tests and benchmarks).
    """
    return _Model(scenario, replication, sink, fast_path).run(progress)
