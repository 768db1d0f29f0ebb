"""A pool of staff who serve one queue: call-takers (limited by seats) or officers.

A person is OFF, STANDBY (present, no free seat), SEATED (logged in: IDLE
while in the idle queue, else BUSY) or on BREAK. Shift ends and breaks that
fall while a person is busy take effect when the work is done (the overrun is
recorded as overtime). When a seat frees, the longest-waiting standby person
takes it. Idle people are handed work longest-idle first. Sessions (log-in to
log-out) are recorded so on-duty time and occupancy come from facts, not from
counters.

Handing out work and taking it back (:meth:`Pool.take_idle`,
:meth:`Pool.free`) run once per call, so they touch as little as they can:
idle or busy is told by the idle queue, and one flag says whether a shift end
or a break fell due during the work.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable

from sim.core.records import SessionColumns, empty_columns

OFF, STANDBY, SEATED, BREAK = range(4)
IDLE, BUSY = 4, 5  # what SEATED means, as :meth:`Pool.status` reports it


class Pool:
    """State of one group of staff; the model supplies ``on_ready``.

    ``on_ready(person, now_s)`` is called when a logged-in person becomes
    free; it either hands them work (and returns True) or returns False, in
    which case the person goes idle. ``schedule(delay_s, fn, value)`` runs
    ``fn(value)`` later (the model's event loop).
    """

    def __init__(
        self,
        n_people: int,
        seats: float,
        role: int,
        schedule: Callable[[float, Callable[[int], None], int], None],
    ) -> None:
        self.role = role
        self.seats = seats
        self.schedule = schedule
        self.on_ready: Callable[[int, float], bool] = lambda p, now: False
        self.state = [OFF] * n_people
        self.on_duty = [False] * n_people
        self.leaving = [False] * n_people
        self.break_due_s = [0.0] * n_people
        self.after_work = [False] * n_people  # leaving, or a break due: see free()
        self.duty_end_at_s = [math.nan] * n_people
        self.session_start_s = [math.nan] * n_people
        self.idle: deque[int] = deque()
        # Standby queue of (person, ticket); an entry is live only while its ticket is the
        # person's current one, so someone who left standby and came back joins at the end.
        self.standby: deque[tuple[int, int]] = deque()
        self.ticket = [0] * n_people
        self.logged_in = 0
        # Facts: one row per session (log-in to log-out).
        self.sessions = SessionColumns(**empty_columns(SessionColumns, 0))
        # Facts: one row per break taken (its end NaN until it ends); the open row per person.
        self.b_person: list[int] = []
        self.b_start_s: list[float] = []
        self.b_end_s: list[float] = []
        self.break_row = [-1] * n_people
        self.now: Callable[[], float] = lambda: 0.0

    # --- seats -----------------------------------------------------------------
    def _seat_or_standby(self, p: int, now: float) -> None:
        if self.logged_in < self.seats:
            self.logged_in += 1
            self.session_start_s[p] = now
            self._ready(p, now)
        else:
            self.state[p] = STANDBY
            self.ticket[p] += 1
            self.standby.append((p, self.ticket[p]))

    def status(self, p: int) -> int:
        """``p``'s state, SEATED told apart as IDLE or BUSY (for tests and reports)."""
        if self.state[p] == SEATED:
            return IDLE if p in self.idle else BUSY
        return self.state[p]

    def _session(self, p: int, now: float, off_duty: bool) -> None:
        """Record ``p``'s session ending at ``now``; past the duty end it is overtime when
        ``p`` goes off duty (a break taken late is not).
        """
        s = self.sessions
        s.person_id.append(p)
        s.login_at_s.append(self.session_start_s[p])
        s.logout_at_s.append(now)
        end = self.duty_end_at_s[p]
        s.overtime_s.append(now - end if off_duty and now > end else 0.0)

    def _ready(self, p: int, now: float) -> None:
        self.state[p] = SEATED
        if not self.on_ready(p, now):
            self.idle.append(p)

    def _logout(self, p: int, now: float, new_state: int) -> None:
        self.logged_in -= 1
        self.state[p] = new_state
        self._session(p, now, new_state == OFF)
        standby, state, ticket = self.standby, self.state, self.ticket
        while standby and self.logged_in < self.seats:
            q, t = standby.popleft()
            if state[q] == STANDBY and ticket[q] == t:
                self.logged_in += 1
                self.session_start_s[q] = now
                self._ready(q, now)

    def _break_opens(self, p: int, now: float) -> None:
        self.break_row[p] = len(self.b_person)
        self.b_person.append(p)
        self.b_start_s.append(now)
        self.b_end_s.append(math.nan)

    def _break_closes(self, p: int, now: float) -> None:
        row = self.break_row[p]
        if row >= 0:
            self.b_end_s[row] = now
            self.break_row[p] = -1

    # --- roster events ---------------------------------------------------------
    def duty_start(self, p: int, now: float, end_s: float = math.inf) -> None:
        """``p`` comes on duty until ``end_s`` (the planned end of this duty period)."""
        self.on_duty[p] = True
        self.leaving[p] = False
        self.after_work[p] = self.break_due_s[p] > 0
        self.duty_end_at_s[p] = end_s
        if self.state[p] == OFF:
            self._seat_or_standby(p, now)
        elif self.state[p] == BREAK:  # a break running on from a duty that ended
            self._break_opens(p, now)

    def duty_end(self, p: int, now: float) -> None:
        """Person ``p``'s shift ends at ``now`` (s): idle, they leave; busy, they finish first."""
        self.on_duty[p] = False
        self.duty_end_at_s[p] = now
        st = self.state[p]
        if st == BREAK:  # leaves: no longer present, so no longer on a break
            self._break_closes(p, now)
        if st == STANDBY:
            self.state[p] = OFF  # removed lazily from the standby queue
        elif st == SEATED:
            if p in self.idle:
                self.idle.remove(p)
                self._logout(p, now, OFF)
            else:  # busy: leaves when the work is done
                self.leaving[p] = True
                self.after_work[p] = True

    def break_start(self, p: int, duration_s: float, now: float) -> None:
        """Person ``p``'s break of ``duration_s`` falls due at ``now``: taken now if idle, else
        after the call.
        """
        if not self.on_duty[p]:
            return
        st = self.state[p]
        if st == SEATED:
            if p not in self.idle:  # busy: the break starts when the work is done
                self.break_due_s[p] = duration_s
                self.after_work[p] = True
                return
            self.idle.remove(p)
            self._logout(p, now, BREAK)
        elif st == STANDBY:
            self.state[p] = BREAK
        else:
            return
        self._break_opens(p, now)
        self.schedule(duration_s, self.break_end, p)

    def break_end(self, p: int) -> None:
        """Person ``p`` is back from a break and ready for a call."""
        if self.state[p] != BREAK:
            return
        now = self.now()
        self._break_closes(p, now)
        # A break ending as the duty ends (same instant, duty end not yet processed) does
        # not log the person back in for zero time.
        if self.on_duty[p] and now < self.duty_end_at_s[p]:
            self.state[p] = OFF
            self._seat_or_standby(p, now)
        else:
            self.state[p] = OFF

    # --- work ------------------------------------------------------------------
    def take_idle(self) -> int:
        """The longest-idle person, now busy, or -1 if nobody is idle."""
        return self.idle.popleft() if self.idle else -1

    def free(self, p: int, now: float) -> None:
        """``p`` finished a piece of work: leave, take a due break, or take the next job."""
        if self.after_work[p]:
            self._after_work(p, now)
        elif not self.on_ready(p, now):
            self.idle.append(p)

    def _after_work(self, p: int, now: float) -> None:
        """A shift end or a break fell due while ``p`` was busy: it takes effect now."""
        self.after_work[p] = False
        if self.leaving[p]:
            self.leaving[p] = False
            self.break_due_s[p] = 0.0  # a break missed in a shift that has ended is dropped
            self._logout(p, now, OFF)
        else:
            duration = self.break_due_s[p]
            self.break_due_s[p] = 0.0
            self._logout(p, now, BREAK)
            self._break_opens(p, now)
            self.schedule(duration, self.break_end, p)

    def close(self, now: float) -> None:
        """Record the open sessions and breaks as ending at ``now`` (end of the run)."""
        for p in range(len(self.state)):
            self._break_closes(p, now)
        for p, st in enumerate(self.state):
            if st == SEATED:
                self._session(p, now, True)
