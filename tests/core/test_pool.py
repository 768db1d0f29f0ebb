"""The staff pool on its own: seats, standby order, breaks while on standby."""

from __future__ import annotations

import math

from sim.core.pool import BREAK, IDLE, OFF, STANDBY, Pool


def states(pool: Pool) -> list[int]:
    return [pool.status(p) for p in range(len(pool.state))]


def make_pool(n: int, seats: int) -> tuple[Pool, list]:
    scheduled: list = []
    pool = Pool(n, seats, 0, lambda delay, fn, p: scheduled.append((delay, fn, p)))
    pool.on_ready = lambda p, now: False  # nobody waits: a seated person goes idle
    return pool, scheduled


def test_standby_is_first_come_first_seated() -> None:
    pool, _ = make_pool(3, 1)
    for p in (0, 1, 2):
        pool.duty_start(p, 0.0, math.inf)
    assert states(pool) == [IDLE, STANDBY, STANDBY]
    pool.duty_end(0, 10.0)
    assert states(pool) == [OFF, IDLE, STANDBY]
    s = pool.sessions
    assert (s.person_id.tolist(), s.login_at_s.tolist(), s.logout_at_s.tolist()) == (
        [0],
        [0.0],
        [10.0],
    )


def test_a_break_on_standby_sends_the_person_to_the_back() -> None:
    pool, scheduled = make_pool(3, 1)
    for p in (0, 1, 2):
        pool.duty_start(p, 0.0, math.inf)
    pool.break_start(1, 60.0, 10.0)
    assert pool.status(1) == BREAK
    delay, fn, p = scheduled[-1]
    assert (delay, p) == (60.0, 1)
    pool.now = lambda: 70.0
    fn(p)  # back from the break: standby again, behind person 2
    assert pool.status(1) == STANDBY
    pool.duty_end(0, 100.0)
    assert states(pool) == [OFF, STANDBY, IDLE]
    pool.duty_end(2, 200.0)
    assert states(pool) == [OFF, IDLE, OFF]
    assert pool.logged_in == 1
