"""The scenario as immutable, validated values (all times in seconds).

Built only by :mod:`sim.scenario.load`; variants are made with
:func:`sim.scenario.variant`, never by mutation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim.scenario.channels import Deferred, Portal
from sim.scenario.distributions import Dist

DAY_S = 86_400.0

#: True while :func:`sim.scenario.load.build` makes a scenario from its raw tables.
_FROM_RAW: ContextVar[bool] = ContextVar("scenario_from_raw", default=False)


@contextmanager
def from_raw() -> Iterator[None]:
    """Mark the scenarios made inside as built from their ``raw`` tables (by ``build``)."""
    token = _FROM_RAW.set(True)
    try:
        yield
    finally:
        _FROM_RAW.reset(token)


@dataclass(frozen=True)
class Horizon:
    """How long to simulate and what to measure."""

    days: float
    warmup_days: float
    start_date: dt.date
    seed: int
    replications: int
    end: str  # "drain": finish calls in progress after the horizon; "cut": stop at the horizon

    @property
    def end_s(self) -> float:
        """End of the horizon, seconds from the start."""
        return self.days * DAY_S

    @property
    def warmup_s(self) -> float:
        """End of the warm-up, seconds from the start."""
        return self.warmup_days * DAY_S


@dataclass(frozen=True)
class Surge:
    """A window during which the arrival rate is multiplied."""

    start_s: float
    duration_s: float
    multiplier: float


@dataclass(frozen=True)
class LogDay:
    """One day of a log for ``"bootstrap"`` arrivals: its date, first-dial instants (s from
    that day's midnight, sorted) and, if given, each caller's call-type name.
    """

    date: dt.date
    first_dial_s: tuple[float, ...]
    call_type: tuple[str, ...] = ()


@dataclass(frozen=True)
class Arrivals:
    """First dials (callers). ``profile`` holds weights per equal slot of a day.

    In ``"trace"`` mode the first dials are given: ``first_dial_s`` holds their
    instants (seconds from the horizon start, sorted) and ``call_type``, if not
    empty, the call-type name of each caller (otherwise types are drawn by
    share). ``callers_per_day`` is then the trace's mean per day.

    ``weekday_profiles``, if not empty, holds seven profiles (Monday..Sunday) that replace
    ``profile`` on their weekdays (``profile`` is then their mean, for summaries). In
    ``"bootstrap"`` mode each simulated day replays one of ``days``, drawn at random (from
    the same weekday when ``same_weekday`` and the log has one).
    """

    mode: str  # "profile" | "constant" | "trace" | "bootstrap"
    callers_per_day: float
    profile: tuple[float, ...]
    day_of_week: tuple[float, ...]  # Monday..Sunday, normalised to mean 1
    daily_cv: float
    surges: tuple[Surge, ...] = ()
    first_dial_s: tuple[float, ...] = ()
    call_type: tuple[str, ...] = ()
    weekday_profiles: tuple[tuple[float, ...], ...] = ()
    days: tuple[LogDay, ...] = ()
    same_weekday: bool = True


@dataclass(frozen=True)
class Redial:
    """Redial behaviour of one call type after a busy tone or an abandon."""

    after_busy: float
    after_abandon: float
    decay: float
    max_attempts: int
    delay_after_busy: Dist
    delay_after_abandon: Dist

    def probability(self, attempt_no: int, blocked: bool) -> float:
        """P(redial) after failed attempt number ``attempt_no`` (1-based)."""
        if attempt_no >= self.max_attempts:
            return 0.0
        base = self.after_busy if blocked else self.after_abandon
        return base * self.decay ** (attempt_no - 1)


@dataclass(frozen=True)
class CallType:
    """One reason to call, with its durations and behaviour."""

    name: str
    share: float
    complaint: bool
    priority: int
    talk: Dist
    after_call: Dist
    patience: Dist
    redial: Redial
    victim_delay: Dist
    escalation_share: float
    escalation_talk: Dist
    #: Time in the language menu after the line is seized and before the queue (line held);
    #: a deterministic 0 (the default) means no menu. Patience runs from the dial, so a caller
    #: whose patience is shorter than the menu hangs up in it.
    menu: Dist = field(default_factory=lambda: Dist("deterministic", (("value", 0.0),)))
    #: How long a caller waits for an officer (line and call-taker held) before giving up
    #: the escalation; a deterministic infinity (the default) means they never give up.
    escalation_patience: Dist = field(
        default_factory=lambda: Dist("deterministic", (("value", float("inf")),))
    )

    @property
    def escalation_patience_finite(self) -> bool:
        """Whether callers of this type can give up waiting for an officer."""
        p = self.escalation_patience
        return not (p.kind == "deterministic" and p.mean == float("inf"))


@dataclass(frozen=True)
class Shift:
    """A shift that starts every day at ``start_s`` after midnight."""

    name: str
    start_s: float
    duration_s: float


@dataclass(frozen=True)
class Break:
    """A break ``after_s`` into each shift; people are split into ``groups`` that go in turn."""

    after_s: float
    duration_s: float
    groups: int


@dataclass(frozen=True)
class Rank:
    """One rank of the roster: its name, head count and how many of them are women."""

    name: str
    count: int
    women: int


def deal_teams(
    counts: list[int] | tuple[int, ...], teams: int, shares: tuple[float, ...] = ()
) -> list[list[int]]:
    """The team of every person, rank by rank, in roster order.

    People are dealt to teams in turn, each rank continuing where the previous
    one stopped, so a small rank (6 inspectors) spreads over all teams instead
    of piling into the first ones. With ``shares`` (one per team, summing to 1)
    the turn goes to the team furthest below its share so far (smooth weighted
    round robin), so every rank and the whole roster split in those proportions
    to within one person; equal shares deal exactly as plain turns do.
    """
    if not shares:
        out, start = [], 0
        for count in counts:
            out.append([(start + i) % teams for i in range(count)])
            start += count
        return out
    credit = [0.0] * teams
    weighted = []
    for count in counts:
        members = []
        for _ in range(count):
            for t in range(teams):
                credit[t] += shares[t]
            best = max(range(teams), key=lambda t: credit[t] - 1e-9 * t)
            credit[best] -= 1.0
            members.append(best)
        weighted.append(members)
    return weighted


def team_sizes(
    ranks: tuple[Rank, ...] | list[Rank],
    teams: int,
    names: tuple[str, ...],
    shares: tuple[float, ...] = (),
) -> list[int]:
    """People of the ranks ``names`` in each team, as :func:`deal_teams` deals them."""
    sizes = [0] * teams
    dealt = deal_teams([r.count for r in ranks], teams, shares)
    for rank, members in zip(ranks, dealt, strict=True):
        if rank.name in names:
            for t in members:
                sizes[t] += 1
    return sizes


@dataclass(frozen=True)
class StaffGroup:
    """A skill group of call-takers (interval mode): the call types its people answer, and
    how many of them are on duty per interval (rows as in ``Staff.interval_call_takers``).
    """

    name: str
    serves: tuple[str, ...]
    call_takers: tuple[tuple[int, ...], ...]


@dataclass(frozen=True)
class Staff:
    """Who is on duty when: a roster of people, a plain headcount per shift, or a count of
    people on duty per interval of the day.
    """

    mode: str  # "roster" | "headcount" | "interval"
    seats: int
    call_taker_ranks: tuple[str, ...]
    escalation_ranks: tuple[str, ...]
    ranks: tuple[Rank, ...]
    teams: int
    shifts: tuple[Shift, ...]
    rotation_days: int
    weekly_offs: int
    absence_rate: float
    breaks: tuple[Break, ...]
    headcount_call_takers: tuple[int, ...]
    headcount_escalation: tuple[int, ...]
    allow_uncovered_hours: bool
    team_shares: tuple[float, ...] = ()  # roster: each team's share of every rank; () = equal
    interval_s: float = 1800.0  # interval mode: length of one count's interval
    # interval mode: people on duty per interval of the day, one row (every day) or seven
    # (Monday..Sunday), or with interval_by_date one row per day of the horizon; call-takers
    # and officers
    interval_call_takers: tuple[tuple[int, ...], ...] = ()
    interval_escalation: tuple[tuple[int, ...], ...] = ()
    interval_by_date: bool = False
    #: roster: ranks on duty as shift supervisors (inspectors); () = not on duty (the default)
    supervisor_ranks: tuple[str, ...] = ()
    #: share of a supervisor's on-duty time spent supervising, not available for escalations
    supervision_share: float = 0.0
    #: interval mode: skill groups (routing by skill); () = one group serving every call type.
    #: With groups, ``interval_call_takers`` is their sum per interval.
    groups: tuple[StaffGroup, ...] = ()


@dataclass(frozen=True)
class Money:
    """Loss per complaint and the share of it still held after a reporting delay."""

    enabled: bool
    loss: Dist
    held_floor: float
    held_peak: float
    held_decay_s: float

    def held_share(self, delay_s: Any) -> Any:
        """f(d) = floor + peak * exp(-d / decay) (DOMAIN.md section 3)."""
        return self.held_floor + self.held_peak * np.exp(-np.asarray(delay_s) / self.held_decay_s)


#: The officer pools an escalation can go to: the escalation ranks' officers, or the
#: supervisors (staff.supervisor_ranks).
TO_OFFICERS, TO_SUPERVISORS = 0, 1


@dataclass(frozen=True)
class EscalationRule:
    """One row of ``[[escalation.rules]]``: calls of the types ``call_types`` (indices) whose
    caller's loss is at least ``loss_rs_at_least`` (None: any loss) are escalated with
    probability ``share`` to the pool ``to`` (:data:`TO_OFFICERS` or :data:`TO_SUPERVISORS`).
    """

    call_types: tuple[int, ...]
    loss_rs_at_least: float | None
    share: float
    to: int


@dataclass(frozen=True)
class Escalation:
    """Escalation by a rule table (``[escalation]``): the first matching row decides; a call
    no row matches falls back to its type's ``escalation_share`` (to the officers). No rows
    (the default): every call escalates by its type's share, as without the table.
    """

    rules: tuple[EscalationRule, ...] = ()


#: Which work a free call-taker takes first: a caller waiting live, or a due callback.
CALLBACK_PRIORITIES = ("live_first", "callbacks_first")


@dataclass(frozen=True)
class Callbacks:
    """Callbacks ("virtual hold"): offered to a caller who would queue behind at least
    ``offer_at_queue`` others; accepted with ``accept_share`` (the caller hangs up, the line
    frees); dialled by a free call-taker on a free line (``priority`` against live callers),
    answered with ``answer_share``; an unanswered try keeps the call-taker ``ring`` long and is
    tried again ``retry_delay`` later, up to ``max_tries`` tries, after which the caller is
    lost (gave up). ``offered_types`` holds the indices of the call types offered one.
    """

    enabled: bool = False
    offer_at_queue: int = 10
    accept_share: float = 0.5
    offered_types: tuple[int, ...] = ()
    priority: str = "live_first"
    answer_share: float = 0.8
    ring: Dist = field(default_factory=lambda: Dist("deterministic", (("value", 30.0),)))
    retry_delay: Dist = field(default_factory=lambda: Dist("deterministic", (("value", 600.0),)))
    max_tries: int = 3


#: Service-level conventions: answered within T over answered attempts, or over every offered
#: attempt (answered, abandoned and blocked; abandoned and blocked count as misses).
SERVICE_LEVEL_CONVENTIONS = ("answered", "offered")


@dataclass(frozen=True)
class Targets:
    """Thresholds the metrics use, and the targets the run is judged against.

    ``service_level_s`` and ``golden_hour_s`` define the metrics; every ``*_min`` / ``*_max``
    is an optional target (None: not stated) checked per interval of ``interval_s`` and per
    day by :mod:`sim.attainment`. ``service_level_of`` says which service-level convention the
    ``service_level_min`` target is stated in (:data:`SERVICE_LEVEL_CONVENTIONS`).
    """

    service_level_s: float
    golden_hour_s: float
    service_level_min: float | None = None
    service_level_of: str = "answered"
    abandon_rate_max: float | None = None
    block_rate_max: float | None = None
    asa_max_s: float | None = None
    golden_hour_share_min: float | None = None
    interval_s: float = 1800.0

    @property
    def stated(self) -> bool:
        """Whether any target is stated (otherwise attainment is not judged)."""
        return any(
            v is not None
            for v in (
                self.service_level_min,
                self.abandon_rate_max,
                self.block_rate_max,
                self.asa_max_s,
                self.golden_hour_share_min,
            )
        )


@dataclass(frozen=True)
class Scenario:
    """One helpline and its demand, validated. See docs/scenarios.md."""

    name: str
    description: str
    horizon: Horizon
    arrivals: Arrivals
    call_types: tuple[CallType, ...]
    lines: int | None  # None = unlimited
    queue_discipline: str  # "fifo" | "priority"
    staff: Staff
    money: Money
    targets: Targets
    file: str | None = None
    callbacks: Callbacks = field(default_factory=Callbacks)
    deferred: Deferred = field(default_factory=Deferred)  # portal, social media in idle time
    portal: Portal = field(default_factory=Portal)  # the victim's portal step (off)
    escalation: Escalation = field(default_factory=Escalation)  # rule table (off)
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    #: Whether the values are what ``raw`` validates to: True when ``build`` made the scenario,
    #: False after ``dataclasses.replace`` or direct construction; ``variant`` refuses those.
    raw_in_step: bool = field(init=False, default=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "raw_in_step", _FROM_RAW.get())

    @property
    def has_menu(self) -> bool:
        """Whether any call type spends time in the language menu (off: the model and the
        tables are those of a helpline without one, to the bit).
        """
        return any(not t.menu.is_zero for t in self.call_types)

    @property
    def has_supervisors(self) -> bool:
        """Whether supervisors (staff.supervisor_ranks) are on duty."""
        return bool(self.staff.supervisor_ranks)

    @property
    def escalation_routed(self) -> bool:
        """Whether escalations follow the rule table or can be given up while waiting for an
        officer (off: the model and its tables are those of the flat escalation share, to the
        bit).
        """
        return bool(self.escalation.rules) or any(
            t.escalation_patience_finite for t in self.call_types
        )
