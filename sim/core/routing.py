"""Routing by skill: call-takers in groups, each call type answered only by the groups serving it.

Only when the scenario has skill groups (``staff.groups``, interval mode). The rules:

- a caller who dials (or leaves the menu) is answered at once by the call-taker idle longest
  among the groups that serve the call's type, if any is idle; otherwise the call waits in its
  type's queue (FIFO);
- a call-taker who frees up takes, among the waiting calls of the types their group serves,
  the one of the highest priority class (``queue.discipline = "priority"``; with "fifo" every
  type is one class), then the one that joined the queue first; if none waits they go idle.

With one group serving every type these are the model's own rules (one FIFO queue, or one per
priority class, and the longest-idle call-taker), and the records are the same to the bit.
:class:`SkillRouting` installs itself on the model: the call-takers' idle list becomes a
:class:`GroupIdle`, the queues one per call type, and the queue entry and the hand-out its own.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

from sim.core.records import WAITING

if TYPE_CHECKING:
    from sim.core.model import _Model


class GroupIdle:
    """Idle call-takers by group, longest idle first in each; the pool's ``idle`` list.

    It answers what :class:`~sim.core.pool.Pool` asks of a deque (``append``, ``remove``,
    ``popleft``, ``in``, ``len``) and :meth:`take_for` the longest idle of some groups.
    """

    def __init__(self, group_of: list[int], n_groups: int) -> None:
        self.group_of = group_of
        self.lists: list[deque[int]] = [deque() for _ in range(n_groups)]
        self.since = [0] * len(group_of)  # order of going idle (a counter, not a clock)
        self.count = 0
        self.n = 0

    def append(self, p: int) -> None:
        """``p`` goes idle (last in their group's order)."""
        self.lists[self.group_of[p]].append(p)
        self.since[p] = self.count
        self.count += 1
        self.n += 1

    def remove(self, p: int) -> None:
        """``p`` leaves the idle list (a shift end or a break while idle)."""
        self.lists[self.group_of[p]].remove(p)
        self.n -= 1

    def __contains__(self, p: object) -> bool:
        return isinstance(p, int) and p in self.lists[self.group_of[p]]

    def __len__(self) -> int:
        return self.n

    def take_for(self, groups: list[int]) -> int:
        """The longest idle of ``groups``, now taken, or -1 if none of them is idle."""
        best, best_since = -1, -1
        for g in groups:
            q = self.lists[g]
            if q and (best < 0 or self.since[q[0]] < best_since):
                best, best_since = g, self.since[q[0]]
        if best < 0:
            return -1
        self.n -= 1
        return self.lists[best].popleft()

    def popleft(self) -> int:
        """The longest idle of all groups (the pool's own hand-out)."""
        p = self.take_for(list(range(len(self.lists))))
        if p < 0:
            raise IndexError("no idle call-taker")
        return p


class SkillRouting:
    """The hand-out by skill of model ``m`` (see the module's docstring)."""

    def __init__(self, m: _Model) -> None:
        sc = m.sc
        self.m = m
        names = [t.name for t in sc.call_types]
        groups = sc.staff.groups
        #: per call type, the groups that serve it; per group, the types it serves
        self.groups_of = [[g for g, x in enumerate(groups) if n in x.serves] for n in names]
        self.types_of = [sorted(names.index(n) for n in x.serves) for x in groups]
        group_of = m.roster.group_of.tolist()
        self.group_of = group_of
        self.idle = GroupIdle(group_of, len(groups))
        m.takers.idle = self.idle  # type: ignore[assignment]
        self.type_class = list(m.type_queue)  # priority class of each type (0: all, FIFO)
        m.queues = [deque() for _ in names]
        self.queues = m.queues
        self.ticket: dict[int, int] = {}  # attempt -> order of joining the queue
        self.joined = 0
        m.takers.on_ready = self.ready
        m._join_queue = self.join  # type: ignore[method-assign]
        m.take_idle = self.take_for

    def take_for(self, t: int) -> int:
        """The call-taker who answers a type-``t`` call at once, or -1 (the call waits)."""
        return self.idle.take_for(self.groups_of[t])

    def join(self, a: int, t: int, patience_s: float) -> None:
        """Attempt ``a`` waits in its type's queue, hanging up after ``patience_s``."""
        m = self.m
        if patience_s != float("inf"):
            m.env.at(patience_s, m.on_abandon, a)
        self.ticket[a] = self.joined
        self.joined += 1
        self.queues[t].append(a)

    def ready(self, agent: int, now: float) -> bool:
        """Hand free ``agent`` the call they may serve: highest class, then first joined."""
        m = self.m
        outcome, ticket, queues, cls = m.outcome, self.ticket, self.queues, self.type_class
        best, best_key = -1, (0, 0)
        for t in self.types_of[self.group_of[agent]]:
            q = queues[t]
            while q and outcome[q[0]] != WAITING:  # abandoned: dropped as reached
                del ticket[q.popleft()]
            if q:
                key = (cls[t], ticket[q[0]])
                if best < 0 or key < best_key:
                    best, best_key = t, key
        if best < 0:
            return False
        a = queues[best].popleft()
        del ticket[a]
        m._answer(a, m.caller_id[a], m.call_type[a], agent, now)
        return True
