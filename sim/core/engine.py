"""SimPy's environment, with a run loop for callback events.

The model schedules every state change as a :class:`Call`, the smallest
:class:`simpy.events.Event` there is: already triggered, with one callback
that advances one attempt, caller or person. :class:`Engine` is a
:class:`simpy.Environment` (same clock, same event queue, same ``schedule``,
same order of events: time, then priority, then scheduling order) whose
:meth:`Engine.run_until` does what ``Environment.run(until=...)`` does, with
``Environment.step`` inlined into one loop. Subclassing the environment and
overriding how it steps is the extension point SimPy itself uses
(``simpy.rt.RealtimeEnvironment``); inlining saves a method call, a
``try`` block and an end-of-run check per event, which is about a tenth of
the model's time.

Beyond SimPy's interface: :meth:`Engine.at` and :meth:`Engine.at_time`
schedule a callback (reusing calls that have run), and :meth:`Engine.jump`
lets a chain of steps skip the queue when nothing else is due before its
next step. ``tests/test_engine.py`` checks all of it against SimPy's own
``Environment.run``.

The clock is SimPy's ``_now`` attribute. The model reads it as ``env._now``
on its per-event path, because ``Environment.now`` is a property and costs a
call each time it is read.
"""

from __future__ import annotations

from collections.abc import Callable
from heapq import heappop, heappush
from typing import Any

import simpy
from simpy.events import NORMAL, URGENT, Event


class Call(Event):
    """A callback due at a later instant: ``callback(event)``, with ``event._value`` its subject.

    The value carries the attempt, caller or person the callback is for. A
    call has exactly one callback. :meth:`Engine.run_until` runs it and puts
    the call on the engine's spare list, from which :meth:`Engine.at` takes
    it again, so nothing may keep a call once it has run. (SimPy's own
    ``step`` can run a call too, as any other event.)
    """

    def __init__(self, callback: Callable[[Any], None], value: Any) -> None:
        self.callbacks = [callback]
        self._value = value
        self._ok = True


#: What a delay before each model callback is, for the error a bad delay raises.
DELAY_OF = {
    "_on_abandon": "the patience",
    "_on_talk_end": "the talk time",
    "_on_escalation_end": "the escalation talk time",
    "_on_acw_end": "the after-call work",
    "_on_redial": "the redial delay",
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


class _Stop(Exception):  # noqa: N818 - a signal that ends the loop, not an error
    """Raised by the end-of-run event to leave the loop."""


def _stop(event: Event) -> None:
    raise _Stop


class Engine(simpy.Environment):
    """A :class:`simpy.Environment` whose :meth:`run_until` steps callback events quickly."""

    def __init__(self, initial_time: float = 0) -> None:
        super().__init__(initial_time)
        self.spare: list[Call] = []  # calls that have run, for reuse

    def at(self, delay_s: float, callback: Callable[[Any], None], value: Any) -> None:
        """Run ``callback(event)`` in ``delay_s`` seconds, ``event._value`` being ``value``.

        The same as ``schedule(Call(callback, value), NORMAL, delay_s)``, with a
        spare call reused when there is one: a call whose callback has run is
        spare (nothing else holds it), so a run makes new event objects only
        while the number of pending calls grows.
        """
        if not delay_s >= 0.0:  # also NaN, which would break the heap's order silently
            raise bad_delay(delay_s, callback)
        spare = self.spare
        if spare:
            event = spare.pop()
            event.callbacks[0] = callback
            event._value = value
        else:
            event = Call(callback, value)
        heappush(self._queue, (self._now + delay_s, NORMAL, next(self._eid), event))

    def at_time(self, when_s: float, callback: Callable[[Any], None], value: Any) -> None:
        """Run ``callback(event)`` at the instant ``when_s`` (seconds, not before now).

        Like :meth:`at`, but the instant is kept exactly: ``now + (when_s - now)``
        can differ from ``when_s`` by a rounding error, and an instant given in
        advance (a caller's first dial) must be kept to the last bit. (The spare
        handling repeats :meth:`at`'s on purpose: both run about once per call,
        and a shared helper would cost a Python call each time.)
        """
        if not when_s >= self._now:  # also NaN
            raise ValueError(f"when_s ({when_s}) is before the clock ({self._now}) or not a number")
        spare = self.spare
        if spare:
            event = spare.pop()
            event.callbacks[0] = callback
            event._value = value
        else:
            event = Call(callback, value)
        heappush(self._queue, (when_s, NORMAL, next(self._eid), event))

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

    def run_until(self, stop_s: float) -> None:
        """Process events until the clock reaches ``stop_s`` seconds.

        Same result as ``Environment.run(until=stop_s)``: an urgent event at
        ``stop_s`` ends the run, so events due at exactly ``stop_s`` are left
        in the queue, and the clock ends at ``stop_s``. A failed event that
        nobody defused raises its exception, as in ``Environment.step``.
        """
        if stop_s <= self._now:
            raise ValueError(f"stop_s ({stop_s}) must be later than the clock ({self._now})")
        end = Event(self)
        end._ok = True
        end._value = None
        end.callbacks = [_stop]
        self.schedule(end, URGENT, stop_s - self._now)
        queue = self._queue
        spare = self.spare
        try:
            while True:  # the end event is in the queue until it ends the run
                self._now, _, _, event = heappop(queue)
                if event.__class__ is Call:  # its one callback, then it is spare
                    event.callbacks[0](event)
                    spare.append(event)
                else:  # any other event: Environment.step
                    callbacks, event.callbacks = event.callbacks, None  # type: ignore[assignment]
                    for callback in callbacks:
                        callback(event)
                    if not event._ok and not hasattr(event, "_defused"):
                        exc = type(event._value)(*event._value.args)
                        exc.__cause__ = event._value
                        raise exc
        except _Stop:
            return
