"""The engine is SimPy's environment with a faster loop: same order of events, same clock."""

from __future__ import annotations

import random

import pytest
import simpy

from sim.core.engine import Engine


def _trace_with(env: simpy.Environment, schedule, run) -> list[tuple[float, str]]:
    """Schedule the same mix of events on ``env``, run it with ``run`` and return what ran when.

    ``schedule(env, delay, fn)`` schedules ``fn()`` after ``delay``: a plain SimPy event on
    SimPy's environment, a callback (:meth:`Engine.at`) on the engine.
    """
    seen: list[tuple[float, str]] = []
    rng = random.Random(7)
    for i in range(300):
        delay = float(rng.choice([0, 1, 1, 2.5, 5, 10, 10, 20]))  # many ties on purpose
        schedule(env, delay, lambda name=f"call{i}": seen.append((env.now, name)))

    def proc(env: simpy.Environment):
        for k in range(5):
            yield env.timeout(2.5)
            seen.append((env.now, f"proc{k}"))

    env.process(proc(env))
    run(env)
    return seen


def _simpy_event(env: simpy.Environment, delay: float, fn) -> None:
    ev = simpy.Event(env)
    ev._ok, ev._value = True, None
    ev.callbacks.append(lambda _: fn())
    env.schedule(ev, simpy.events.NORMAL, delay)


def _callback(env: Engine, delay: float, fn) -> None:
    env.at(delay, lambda _: fn(), None)


def test_run_until_matches_simpy_run_event_for_event() -> None:
    expected = _trace_with(simpy.Environment(), _simpy_event, lambda e: e.run(until=10))
    got = _trace_with(Engine(), _callback, lambda e: e.run_until(10))
    assert got == expected
    assert len(got) > 100
    # events due at exactly the end are left for later, as in SimPy
    assert all(t < 10 for t, _ in got)
    # SimPy's own loop (Environment.run, through Engine.step) runs the engine's queue alike
    assert _trace_with(Engine(), _callback, lambda e: e.run(until=10)) == expected
    # and SimPy events scheduled on the engine take their place in the same order
    assert _trace_with(Engine(), _simpy_event, lambda e: e.run_until(10)) == expected


def test_run_until_leaves_the_clock_at_the_end_and_can_go_on() -> None:
    env = Engine()
    seen: list[float] = []
    env.at(5.0, lambda _: seen.append(env.now), None)
    env.at(15.0, lambda _: seen.append(env.now), None)
    env.run_until(10.0)
    assert env.now == 10.0 and seen == [5.0]
    env.run_until(20.0)
    assert seen == [5.0, 15.0] and env.now == 20.0
    with pytest.raises(ValueError, match="must be later than the clock"):
        env.run_until(20.0)


def test_a_failed_event_raises_as_in_simpy() -> None:
    env = Engine()

    def proc(env: simpy.Environment):
        yield env.timeout(1)
        raise RuntimeError("boom")

    env.process(proc(env))
    with pytest.raises(RuntimeError, match="boom"):
        env.run_until(5)


def test_a_callback_gets_its_value() -> None:
    env = Engine()
    values: list[int] = []
    for i in range(3):
        env.at(1.0 + i, values.append, i)
    env.run_until(10)
    assert values == [0, 1, 2]
    assert len(env._queue) == 0


def test_at_time_keeps_the_instant_to_the_last_bit() -> None:
    env = Engine()
    now, when = 134364.2441124012, 847433.7369372327  # now + (when - now) is not when
    assert now + (when - now) != when
    env.run_until(now)
    seen: list[float] = []
    env.at_time(when, lambda _: seen.append(env.now), None)
    env.run_until(1e6)
    assert seen == [when]
    with pytest.raises(ValueError, match="is before the clock"):
        env.at_time(1.0, lambda _: None, None)


def test_jump_only_when_nothing_is_due_until_then() -> None:
    env = Engine()
    log: list[tuple[float, str]] = []

    def chain(_: None) -> None:
        # Three steps at 1, 2 and 3: jump where the queue would pop us next.
        for when in (2.0, 3.0):
            log.append((env.now, "chain"))
            if not env.jump(when):
                env.at_time(when, chain_rest, when)
                return
        log.append((env.now, "chain"))

    def chain_rest(when: float) -> None:
        log.append((env.now, "chain"))
        if when < 3.0:
            env.at_time(3.0, chain_rest, 3.0)

    env.at_time(1.0, chain, None)
    env.at_time(2.0, lambda _: log.append((env.now, "other")), None)  # a tie at 2
    env.run_until(10)
    # the other event was scheduled first, so it runs first at 2 (no jump over a tie)
    assert log == [(1.0, "chain"), (2.0, "other"), (2.0, "chain"), (3.0, "chain")]
    assert not env.jump(20.0)  # the end of the next run is not in the queue: nothing moves
    assert env.now == 10.0


def test_jump_never_passes_the_end_of_the_run() -> None:
    env = Engine()
    moved: list[bool] = []
    env.at_time(1.0, lambda _: moved.append(env.jump(6.0)), None)
    env.run_until(5.0)
    assert moved == [False] and env.now == 5.0


def test_jump_moves_the_clock_when_the_way_is_clear() -> None:
    env = Engine()
    seen: list[tuple[float, bool]] = []

    def step(_: None) -> None:
        seen.append((env.now, env.jump(3.0)))
        seen.append((env.now, env.jump(2.0)))  # never backwards

    env.at_time(1.0, step, None)
    env.at_time(4.0, lambda _: seen.append((env.now, True)), None)
    env.run_until(10.0)
    assert seen == [(1.0, True), (3.0, False), (4.0, True)]
