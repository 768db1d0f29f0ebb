"""SimPy's environment, with a run loop for plain callbacks.

The model schedules every state change as a plain callback: ``fn(value)`` at
an instant, with ``value`` the attempt, caller or person it is for. Such a
step is one entry of SimPy's own event queue, ``(instant_s, priority, id,
fn, value)``, with no event object at all. :class:`Engine` is a
:class:`simpy.Environment` (same clock, same queue, same order of events:
time, then priority, then scheduling order) that keeps every entry in that
form: a SimPy event (a timeout, a process) is scheduled as the entry
``(instant_s, priority, id, Engine._fire, event)``, so :meth:`Engine.step`
and :meth:`Engine.run_until` pop an entry and call ``fn(value)``, whatever it
is. Subclassing the environment and overriding how it schedules and steps is
the extension point SimPy itself uses (``simpy.rt.RealtimeEnvironment``);
``run_until`` inlines ``step`` into one loop of three operations an entry (pop,
set the clock, call), and a callback costs no event object, no list of
callbacks and no check of the event's state.

Beyond SimPy's interface: :meth:`Engine.at` and :meth:`Engine.at_time`
schedule a callback, and :meth:`Engine.jump` lets a chain of steps skip the
queue when nothing else is due before its next step. ``tests/core/test_engine.py``
checks all of it against SimPy's own ``Environment.run``. Code on the hottest
path (``sim/core/fastpath.py``) pushes its entries onto ``_queue`` itself, in
the same form and with the same ids, to save a method call.

The clock is SimPy's ``_now`` attribute. The model reads it as ``env._now``
on its per-event path, because ``Environment.now`` is a property and costs a
call each time it is read.
"""

from __future__ import annotations

from collections.abc import Callable
from heapq import heappop, heappush
from typing import Any

import simpy
from simpy.core import EmptySchedule, StopSimulation
from simpy.events import NORMAL, URGENT, Event, EventPriority

#: What a delay before each model callback is, for the error a bad delay raises.
DELAY_OF = {
    "_on_abandon": "the patience",
    "on_abandon": "the patience",
    "_on_talk_end": "the talk time",
    "on_talk_end": "the talk time",
    "_on_escalation_end": "the escalation talk time",
    "on_escalation_end": "the escalation talk time",
    "_on_acw_end": "the after-call work",
    "on_acw_end": "the after-call work",
    "_on_redial": "the redial delay",
    "on_redial": "the redial delay",
}


def bad_delay(delay_s: float, callback: Callable[[Any], None]) -> ValueError:
    """The error for a negative or NaN delay, naming the quantity it was drawn for.

    A NaN in the event queue would not fail: it would silently break the heap's
    order and give impossible tables. Drawn durations are checked when the
    scenario is loaded (sim/scenario/distributions.py); this is the last guard.
    """
    name = getattr(callback, "__name__", repr(callback))
    what = DELAY_OF.get(name, f"the delay before {name}")
    return ValueError(f"{what} drawn is {delay_s!r} s: every delay must be a number >= 0")


class Stop(Exception):  # noqa: N818 - a signal that ends the loop, not an error
    """Raised by the end-of-run entry (:func:`stop`) to leave the loop."""


def stop(value: Any) -> None:
    """The end-of-run entry's callback."""
    raise Stop


#: One entry of the queue: instant (s), priority, scheduling id, callback, its value.
Entry = tuple[float, int, int, Callable[[Any], None], Any]


class Engine(simpy.Environment):
    """A :class:`simpy.Environment` whose queue holds plain callbacks, run by :meth:`run_until`."""

    def __init__(self, initial_time: float = 0) -> None:
        super().__init__(initial_time)
        self._queue: list[Entry] = []  # type: ignore[assignment]  # SimPy's entry holds an event

    def at(self, delay_s: float, callback: Callable[[Any], None], value: Any) -> None:
        """Run ``callback(value)`` in ``delay_s`` seconds (NORMAL priority)."""
        if not delay_s >= 0.0:  # also NaN, which would break the heap's order silently
            raise bad_delay(delay_s, callback)
        heappush(self._queue, (self._now + delay_s, NORMAL, next(self._eid), callback, value))

    def at_time(self, when_s: float, callback: Callable[[Any], None], value: Any) -> None:
        """Run ``callback(value)`` at the instant ``when_s`` (seconds, not before now).

        Like :meth:`at`, but the instant is kept exactly: ``now + (when_s - now)``
        can differ from ``when_s`` by a rounding error, and an instant given in
        advance (a caller's first dial) must be kept to the last bit.
        """
        if not when_s >= self._now:  # also NaN
            raise ValueError(f"when_s ({when_s}) is before the clock ({self._now}) or not a number")
        heappush(self._queue, (when_s, NORMAL, next(self._eid), callback, value))

    def jump(self, when_s: float) -> bool:
        """Move the clock to ``when_s`` if no event is due until then; say whether it moved.

        A callback that would schedule its own next step at ``when_s`` may
        instead jump there and go on: when every scheduled event (the end of
        the run included) is due strictly later, that step is exactly what the
        loop would pop next, and the push, pop and callback are saved. Ties go
        to the queue, as they would (events already scheduled come first).
        """
        queue = self._queue
        if queue and when_s < queue[0][0] and when_s >= self._now:
            self._now = when_s
            return True
        return False

    # --- SimPy's events in the same queue ------------------------------------------------
    def schedule(self, event: Event, priority: EventPriority = NORMAL, delay: float = 0) -> None:
        """Schedule a SimPy event, as ``Environment.schedule`` does, in the callbacks' form."""
        heappush(self._queue, (self._now + delay, priority, next(self._eid), self._fire, event))

    def _fire(self, event: Event) -> None:
        """Process a SimPy event: ``Environment.step`` after its pop."""
        callbacks, event.callbacks = event.callbacks, None  # type: ignore[assignment]
        try:
            for callback in callbacks:
                callback(event)
        except StopSimulation:  # as in SimPy: the rest of the callbacks run when it resumes
            event.callbacks = callbacks[callbacks.index(callback) + 1 :]
            self.schedule(event, EventPriority(-1))
            raise
        if not event._ok and not hasattr(event, "_defused"):
            exc = type(event._value)(*event._value.args)
            exc.__cause__ = event._value
            raise exc

    def step(self) -> None:
        """Process the next entry of the queue (``Environment.step`` for this queue's form)."""
        try:
            self._now, _, _, callback, value = heappop(self._queue)
        except IndexError:
            raise EmptySchedule from None
        callback(value)

    def run_until(self, stop_s: float) -> None:
        """Process events until the clock reaches ``stop_s`` seconds.

        Same result as ``Environment.run(until=stop_s)``: an urgent entry at
        ``stop_s`` ends the run, so events due at exactly ``stop_s`` are left
        in the queue, and the clock ends at ``stop_s``. A failed event that
        nobody defused raises its exception, as in ``Environment.step``.
        """
        if stop_s <= self._now:
            raise ValueError(f"stop_s ({stop_s}) must be later than the clock ({self._now})")
        queue = self._queue
        # The end's instant as SimPy computes it (now + delay, which may differ from stop_s in
        # the last bit): the clock ends there and the pools close their sessions there.
        heappush(queue, (self._now + (stop_s - self._now), URGENT, next(self._eid), stop, None))
        try:
            while True:  # the end entry is in the queue until it ends the run
                self._now, _, _, callback, value = heappop(queue)
                callback(value)
        except Stop:
            return
