"""Facts recorded by one replication: their vocabulary, declared once, and the tidy tables.

The vocabulary is three column declarations (like Ciw's ``data_record.py``):
:class:`AttemptColumns` (one row per dial), :class:`CallerColumns` (one row per
caller) and :class:`SessionColumns` (one row per log-in). Each field is one
fact under the name the records, the tables and docs/results.md give it, with
the array typecode the model stores it in and its value until the fact is
known. The model fills these columns as facts happen and hands them over as
one :class:`Facts` value; :class:`Records` turns them into numpy views and
derives the tables and the caller facts read from the answered attempt.
Instants are ``*_at_s`` (seconds from the horizon start, which is midnight of
``start_date``); durations are ``*_s``. Every table row carries ``scenario``,
``replication`` and ``seed``.
"""

from __future__ import annotations

import math
import mmap
from array import array
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, fields
from functools import cached_property
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import pandas as pd

from sim.core.completion import completed_at
from sim.core.intervals import bin_counts, bin_index, bin_mean, bin_mean_max
from sim.core.roster import CALL_TAKER, ROLE_NAMES, Roster

if TYPE_CHECKING:
    from sim.scenario.values import Scenario

# attempt outcomes; CALLBACK: the caller accepted a callback offer and hung up; NO_ANSWER: a
# callback try nobody answered (both only when callbacks are enabled)
WAITING, ANSWERED, ABANDONED, BLOCKED, CALLBACK, NO_ANSWER = 0, 1, 2, 3, 4, 5
ATTEMPT_OUTCOMES = ["in_system", "answered", "abandoned", "blocked", "callback", "no_answer"]
# caller outcomes; IN_SERVICE: answered, but talk, escalation or after-call work was still
# under way when the run stopped (end = "cut"), so a complaint is not registered
TRYING, GAVE_UP, IN_SERVICE = 0, 2, 3  # ANSWERED = 1 shared with attempts
CALLER_OUTCOMES = ["trying", "answered", "gave_up", "in_service"]

INTERVAL_S = 900.0


def _fact(typecode: str, fill: float = math.nan) -> Any:
    """Declare a column: its ``array`` typecode while recorded, and its value until known."""
    return field(metadata={"typecode": typecode, "fill": fill})


@dataclass(eq=False)
class AttemptColumns:
    """The attempt vocabulary: one row per dial, a typed column per fact.

    The model extends this class, so its callbacks write a fact with one
    attribute lookup (``self.talk_s[a] = talk``) under the records' own name.
    """

    caller_id: array[int] = _fact("q", -1)
    attempt_no: array[int] = _fact("i", 1)  # the first dial's number; a redial writes its own
    call_type: array[int] = _fact("h", -1)
    outcome: array[int] = _fact("b", WAITING)
    arrived_at_s: array[float] = _fact("d")
    patience_s: array[float] = _fact("d")
    answered_at_s: array[float] = _fact("d")
    agent_id: array[int] = _fact("i", -1)
    talk_s: array[float] = _fact("d")
    escalation_requested_at_s: array[float] = _fact("d")
    escalation_started_at_s: array[float] = _fact("d")
    officer_id: array[int] = _fact("i", -1)
    escalation_talk_s: array[float] = _fact("d")
    line_released_at_s: array[float] = _fact("d")
    after_call_s: array[float] = _fact("d")
    done_at_s: array[float] = _fact("d")
    menu_s: array[float] = _fact("d")  # time in the language menu (NaN: no menu, or blocked)
    callback_try: array[int] = _fact("b", 0)  # 0: the caller's own dial; n: callback try n
    callback_offered: array[int] = _fact("b", 0)  # 1: offered a callback (accepted or not)


@dataclass(eq=False)
class CallerColumns:
    """The caller vocabulary the model records: drawn before the run, or set when they give up.

    A caller's answer and registration instants are not recorded twice: they are
    read from their answered attempt (:meth:`Records.from_facts`).
    """

    call_type: array[int] = _fact("h", -1)
    fraud_at_s: array[float] = _fact("d")
    first_dial_at_s: array[float] = _fact("d")
    loss_rs: array[float] = _fact("d")
    attempts: array[int] = _fact("i", 1)  # every caller dials once; redials add
    outcome: array[int] = _fact("b", TRYING)  # set here only when they give up
    gave_up_at_s: array[float] = _fact("d")


@dataclass(eq=False)
class SessionColumns:
    """The session vocabulary: one row per log-in of a call-taker or officer."""

    person_id: array[int] = _fact("i", -1)
    login_at_s: array[float] = _fact("d")
    logout_at_s: array[float] = _fact("d")
    overtime_s: array[float] = _fact("d")


def empty_columns(kind: type, rows: int, names: tuple[str, ...] = ()) -> dict[str, array[Any]]:
    """Columns of declaration ``kind`` (those in ``names``, or all): ``rows`` rows of their
    value-until-known.
    """
    return {
        f.name: array(f.metadata["typecode"], [f.metadata["fill"]]) * rows
        for f in fields(kind)
        if not names or f.name in names
    }


def typed(kind: type, name: str, values: np.ndarray) -> array[Any]:
    """Column ``name`` of ``kind`` from numpy ``values``, in the declared typecode."""
    code = next(f.metadata["typecode"] for f in fields(kind) if f.name == name)
    return array(code, np.ascontiguousarray(values, dtype=np.dtype(code)).tobytes())


def as_numpy(
    columns: AttemptColumns | CallerColumns | SessionColumns | Mapping[str, np.ndarray],
    rows: int | None = None,
) -> Mapping[str, np.ndarray]:
    """The declared columns of ``columns`` as numpy views (no copy) of their first ``rows``.

    Columns already handed out of the model (an :class:`AttemptSink`'s mapping) are
    returned as they are.
    """
    if isinstance(columns, Mapping):
        return columns
    out = {}
    for f in fields(columns):
        col = getattr(columns, f.name)
        code = col.typecode if isinstance(col, array) else col.format
        out[f.name] = np.frombuffer(col, dtype=np.dtype(code))[:rows]
    return out


class JoinedColumns(Mapping[str, np.ndarray]):
    """The columns of ``base`` (a sink's, read when asked for) and ``extra`` (in memory) as
    one mapping; :meth:`part` gives rows of both (through ``base.part`` where it has one).
    """

    def __init__(self, base: Mapping[str, np.ndarray], extra: Mapping[str, np.ndarray]):
        self.base, self.extra = base, extra

    def __getitem__(self, name: str) -> np.ndarray:
        return self.extra[name] if name in self.extra else self.base[name]

    def __iter__(self) -> Iterator[str]:
        yield from self.base
        yield from (k for k in self.extra if k not in self.base)

    def __len__(self) -> int:
        return len(set(self.base) | set(self.extra))

    def part(self, start: int, stop: int) -> dict[str, np.ndarray]:
        """Rows ``[start, stop)`` of every column."""
        take = getattr(self.base, "part", None)
        rows = take(start, stop) if take else {k: v[start:stop] for k, v in self.base.items()}
        rows.update({k: v[start:stop] for k, v in self.extra.items()})
        return rows


class AttemptSink(Protocol):
    """Where a run hands its finished attempt rows as it goes (the runner injects one).

    :meth:`write` gets consecutive rows in order, one numpy array per declared column (views
    valid only during the call: copy what is kept); :meth:`columns` gives back every row
    written, by column name, once the run is over. The model does not know where they go.
    """

    def write(self, columns: Mapping[str, np.ndarray]) -> None:
        """Take the next rows, in order."""

    def columns(self) -> Mapping[str, np.ndarray]:
        """Every row written, one array per column."""


def _anonymous_map(nbytes: int) -> mmap.mmap:
    """``nbytes`` of private anonymous memory: pages are used only once written, and given
    back to the system by ``MADV_DONTNEED`` (a shared mapping would keep them).
    """
    if hasattr(mmap, "MAP_PRIVATE") and hasattr(mmap, "MAP_ANONYMOUS"):
        return mmap.mmap(-1, nbytes, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
    return mmap.mmap(-1, nbytes)


class MappedColumns:
    """The columns of one declaration in anonymous memory maps, filled a chunk at a time.

    Each column is a ``memoryview`` cast to its typecode: a scalar read or write costs what an
    ``array.array`` one does, but the memory behind it is reserved, not used, until rows are
    filled with their value-until-known (:meth:`fill`), and rows handed out of the run can
    give theirs back (:meth:`release`). Row numbers never change: growing past the reserve
    maps a larger region and copies the rows still held.
    """

    def __init__(self, kind: type, reserve_rows: int) -> None:
        self.specs = [
            (f.name, np.dtype(f.metadata["typecode"]), f.metadata["fill"]) for f in fields(kind)
        ]
        self.filled = 0  # rows [0, filled) hold a value (or were released)
        self.kept = 0  # rows below this were released: their memory is given back
        self.maps: dict[str, mmap.mmap] = {}
        self.views: dict[str, memoryview] = {}
        self._map(max(reserve_rows, 1))

    def _map(self, rows: int) -> None:
        old = self.maps
        self.maps = {}
        for name, dtype, _ in self.specs:
            mm = _anonymous_map(rows * dtype.itemsize)
            if name in old:  # the rows still held, at the same offsets
                lo, hi = self._page_floor(self.kept * dtype.itemsize), self.filled * dtype.itemsize
                mm[lo:hi] = old[name][lo:hi]
            self.maps[name] = mm
        self.views = {}  # dropped before the old maps go
        self.reserved = rows
        self.views = {n: memoryview(self.maps[n]).cast(d.char) for n, d, _ in self.specs}

    @staticmethod
    def _page_floor(nbytes: int) -> int:
        return nbytes - nbytes % mmap.PAGESIZE

    def fill(self, stop: int) -> None:
        """Rows ``[filled, stop)`` set to their value-until-known (mapping more if needed)."""
        if stop <= self.filled:
            return
        if stop > self.reserved:
            self._map(max(stop, 2 * self.reserved))
        for name, dtype, fill in self.specs:
            part = np.frombuffer(
                self.maps[name], dtype, stop - self.filled, self.filled * dtype.itemsize
            )
            part[:] = fill
            del part
        self.filled = stop

    def numpy(self, start: int, stop: int) -> dict[str, np.ndarray]:
        """Rows ``[start, stop)`` of every column as numpy views (valid until the next fill)."""
        return {
            name: np.frombuffer(self.maps[name], dtype, stop - start, start * dtype.itemsize)
            for name, dtype, _ in self.specs
        }

    def release(self, stop: int) -> None:
        """Give back the memory of rows below ``stop`` (whole pages; the rows read as zero)."""
        if not hasattr(mmap.mmap, "madvise") or not hasattr(mmap, "MADV_DONTNEED"):
            self.kept = stop
            return
        for name, dtype, _ in self.specs:
            lo = self._page_floor(self.kept * dtype.itemsize)
            hi = self._page_floor(stop * dtype.itemsize)
            if hi > lo:
                self.maps[name].madvise(mmap.MADV_DONTNEED, lo, hi - lo)
        self.kept = stop


@dataclass(frozen=True)
class Facts:
    """What one replication recorded, as the model hands it to :class:`Records`.

    ``attempts`` holds ``n_attempts`` rows of facts (the columns are allocated
    ahead, so they may be longer); ``sessions`` has one value per staff pool;
    ``breaks`` the breaks taken (``person_id``, ``start_at_s``, ``end_at_s``).
    ``stop_s`` is the instant the run stopped (the horizon end, or later when
    calls in progress drain).
    """

    attempts: AttemptColumns | Mapping[str, np.ndarray]  # a sink's columns: n_attempts rows
    n_attempts: int
    callers: CallerColumns
    sessions: tuple[SessionColumns, ...]
    breaks: dict[str, np.ndarray]
    roster: Roster
    stop_s: float
    deferred: dict[str, np.ndarray] = field(default_factory=dict)  # sim/core/deferred.py
    # Routed escalations' attempt columns (sim/core/escalation.py), n_attempts rows each.
    escalation: dict[str, np.ndarray] = field(default_factory=dict)


@dataclass
class Records:
    """Columns of one replication (numpy arrays, named as declared above), and their tables."""

    scenario: Scenario
    replication: int
    stop_s: float
    # The attempt columns: numpy views of the model's columns, or (after a long run that
    # handed its rows to a sink) the sink's columns, read when asked for.
    attempt: Mapping[str, np.ndarray]
    caller: Mapping[str, np.ndarray]  # likewise
    session: dict[str, np.ndarray]
    people: pd.DataFrame
    # Presence facts (sim/binding.py): the roster's duty periods and the breaks taken, each
    # with the person's role; columns person_id, role and on_at_s / off_at_s (duty) or
    # start_at_s / end_at_s (breaks).
    duty: dict[str, np.ndarray] = field(default_factory=dict)
    breaks: dict[str, np.ndarray] = field(default_factory=dict)
    # Deferred items (sim/core/deferred.py), one array per fact; empty without [deferred].
    deferred: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def seed(self) -> int:
        """The seed of the replication these records come from."""
        return self.scenario.horizon.seed

    @property
    def window_s(self) -> tuple[float, float]:
        """[warm-up end, horizon end): metrics count callers and attempts that start inside."""
        h = self.scenario.horizon
        return h.warmup_s, h.end_s

    @classmethod
    def from_facts(cls, scenario: Scenario, replication: int, facts: Facts) -> Records:
        """The records of ``facts``: numpy views of the columns, and the caller facts derived.

        A caller stops dialling once answered, so at most one attempt per caller
        is answered: it gives the caller's answer time, and its end of after-call
        work the registration time when the call type registers a complaint. A
        caller whose answered attempt was not done when the run stopped is
        IN_SERVICE.
        """
        attempt = as_numpy(facts.attempts, facts.n_attempts)
        if facts.escalation:
            if isinstance(attempt, dict):
                attempt.update(facts.escalation)
            else:  # a sink's columns, and the escalation desk's in memory
                attempt = JoinedColumns(attempt, facts.escalation)
        caller = dict(as_numpy(facts.callers))
        answered = np.flatnonzero(attempt["outcome"] == ANSWERED)
        who = attempt["caller_id"][answered]
        n_callers = caller["call_type"].size
        caller["outcome"] = outcome = caller["outcome"].copy()
        outcome[who] = ANSWERED
        outcome[who[np.isnan(attempt["done_at_s"][answered])]] = IN_SERVICE
        answered_at = np.full(n_callers, np.nan)
        answered_at[who] = attempt["answered_at_s"][answered]
        complaint = np.array([t.complaint for t in scenario.call_types], dtype=bool)
        registers = complaint[attempt["call_type"][answered]]
        registered_at = np.full(n_callers, np.nan)
        registered_at[who[registers]] = attempt["done_at_s"][answered[registers]]
        caller["answered_at_s"] = answered_at
        caller["registered_at_s"] = registered_at
        parts = [dict(as_numpy(s)) for s in facts.sessions]
        session = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
        role = facts.roster.people["role"].to_numpy()
        session["role"] = role[session["person_id"]].astype(np.int8)
        roster = facts.roster
        duty: dict[str, np.ndarray] = {
            "person_id": np.asarray(roster.duty_person, dtype=np.int32),
            "on_at_s": np.asarray(roster.duty_start_s, dtype=np.float64),
            "off_at_s": np.asarray(roster.duty_end_s, dtype=np.float64),
        }
        duty["role"] = role[duty["person_id"]].astype(np.int8)
        breaks = dict(facts.breaks)
        breaks["role"] = role[breaks["person_id"]].astype(np.int8)
        return cls(
            scenario,
            replication,
            facts.stop_s,
            attempt,
            caller,
            session,
            roster.people,
            duty,
            breaks,
            facts.deferred,
        )

    def forget(self) -> None:
        """Let go of every derived column and table kept so far (each is built again when
        asked for): after the summary, a long run's tables are built piece by piece and
        need none of the whole-run ones.
        """
        for name in [n for n, v in vars(type(self)).items() if isinstance(v, cached_property)]:
            self.__dict__.pop(name, None)

    @cached_property
    def queued_at_s(self) -> np.ndarray:
        """Each attempt's instant of joining the queue, s: the dial, or with a language menu
        the menu's end (dial + ``menu_s``; for a caller who hung up in the menu, the hang-up).
        """
        a = self.attempt
        if not self.scenario.has_menu:
            return a["arrived_at_s"]
        return a["arrived_at_s"] + np.nan_to_num(a["menu_s"])

    @cached_property
    def wait_s(self) -> np.ndarray:
        """Each attempt's wait in the queue for a call-taker, s (the menu not included).

        Answered: answer - queued; abandoned: hang-up - queued (0 for a caller who hung
        up in the menu); blocked: 0; still waiting at the end (in system): NaN. With
        callbacks: accepted a callback: hang-up - queued (0: the offer comes on joining the
        queue); a callback try (answered or not): 0.
        """
        a = self.attempt
        out = a["outcome"]
        queued = self.queued_at_s
        # Each difference computed only where it applies (a year's three full-length
        # differences and nested selections cost several times more, for the same values).
        wait = np.where(out == BLOCKED, 0.0, np.nan)
        np.subtract(a["answered_at_s"], queued, out=wait, where=out == ANSWERED)
        np.subtract(a["line_released_at_s"], queued, out=wait, where=out == ABANDONED)
        if self.scenario.callbacks.enabled:
            wait = np.where(out == CALLBACK, a["line_released_at_s"] - queued, wait)
            wait = np.where(a["callback_try"] > 0, 0.0, wait)
        return wait

    @cached_property
    def menu_abandoned(self) -> np.ndarray:
        """Which attempts hung up in the language menu (patience, from the dial, ran out
        before the menu ended); all False without a menu.
        """
        a = self.attempt
        if not self.scenario.has_menu:
            return np.zeros(a["outcome"].size, dtype=bool)
        return (a["outcome"] == ABANDONED) & (a["menu_s"] >= a["patience_s"])

    @cached_property
    def own_dial(self) -> np.ndarray:
        """Which attempts are the callers' own dials (not a callback try by the helpline):
        the attempts that attempt metrics count (all of them without callbacks).
        """
        return self.attempt["callback_try"] == 0

    @cached_property
    def taker_work(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Call-takers' work periods: (person, start, end), s, open ends at the stop.

        Answered calls from the answer to the end of after-call work; with callbacks also
        the rings of callback tries nobody answered (dial to giving up).
        """
        a = self.attempt
        stop = self.stop_s
        ans = a["outcome"] == ANSWERED
        person = a["agent_id"][ans]
        start = a["answered_at_s"][ans]
        end = np.nan_to_num(a["done_at_s"][ans], nan=stop)
        if self.scenario.callbacks.enabled:
            ring = a["outcome"] == NO_ANSWER
            person = np.concatenate([person, a["agent_id"][ring]])
            start = np.concatenate([start, a["arrived_at_s"][ring]])
            end = np.concatenate([end, np.nan_to_num(a["line_released_at_s"][ring], nan=stop)])
        return person, start, end

    @cached_property
    def complaint(self) -> np.ndarray:
        """Per caller: whether their call type is a financial-fraud complaint."""
        types = self.scenario.call_types
        return np.array([t.complaint for t in types], dtype=bool)[self.caller["call_type"]]

    @cached_property
    def completed_at_s(self) -> np.ndarray:
        """Per caller: the complaint completed on the portal (s), NaN if never
        (sim/core/completion.py); the registration instant without ``[portal]``.
        """
        c = self.caller
        return completed_at(self.scenario, self.replication, c["call_type"], c["registered_at_s"])

    @cached_property
    def reported_at_s(self) -> np.ndarray:
        """Per caller: where the golden hour and money held count the reporting delay to,
        registration or, with ``portal.report_at = "completion"``, portal completion.
        """
        if self.scenario.portal.enabled and self.scenario.portal.report_at == "completion":
            return self.completed_at_s
        return self.caller["registered_at_s"]

    @cached_property
    def held_rs(self) -> np.ndarray:
        """Per caller: money still held at registration, Rs (DOMAIN.md section 3).

        ``loss_rs x f(reporting delay)`` for a registered complaint, 0 for a
        complaint never registered, NaN for a caller who is not a complaint.
        """
        c = self.caller
        reg = self.reported_at_s
        delay = reg - c["fraud_at_s"]
        held = np.where(
            np.isnan(reg), 0.0, c["loss_rs"] * self.scenario.money.held_share(np.nan_to_num(delay))
        )
        return np.where(self.complaint, held, np.nan)

    # --- tables ------------------------------------------------------------------------
    def _tag(self, df: pd.DataFrame) -> pd.DataFrame:
        df.insert(0, "seed", np.int64(self.seed))
        df.insert(0, "replication", np.int32(self.replication))
        df.insert(
            0,
            "scenario",
            pd.Categorical.from_codes(np.zeros(len(df), np.int8), [self.scenario.name]),
        )
        return df

    def _type_cat(self, codes: np.ndarray) -> pd.Categorical:
        names = [t.name for t in self.scenario.call_types]
        return pd.Categorical.from_codes(codes, categories=names)

    @property
    def _outcomes(self) -> list[str]:
        """The attempt outcomes this scenario can have (callbacks add two)."""
        return ATTEMPT_OUTCOMES if self.scenario.callbacks.enabled else ATTEMPT_OUTCOMES[:4]

    @cached_property
    def attempts(self) -> pd.DataFrame:
        """One row per dial (attempt)."""
        a = self.attempt
        lo, hi = self.window_s
        df = pd.DataFrame(
            {
                "attempt_id": np.arange(a["caller_id"].size, dtype=np.int64),
                "caller_id": a["caller_id"],
                "attempt_no": a["attempt_no"],
                "call_type": self._type_cat(a["call_type"]),
                "outcome": pd.Categorical.from_codes(a["outcome"], categories=self._outcomes),
                "arrived_at_s": a["arrived_at_s"],
                "wait_s": self.wait_s,
                "patience_s": a["patience_s"],
                "answered_at_s": a["answered_at_s"],
                "agent_id": a["agent_id"],
                "talk_s": a["talk_s"],
                "escalated": ~np.isnan(a["escalation_requested_at_s"]),
                "escalation_wait_s": a["escalation_started_at_s"] - a["escalation_requested_at_s"],
                "officer_id": a["officer_id"],
                "escalation_talk_s": a["escalation_talk_s"],
                "line_released_at_s": a["line_released_at_s"],
                "after_call_s": a["after_call_s"],
                "done_at_s": a["done_at_s"],
                "in_window": (a["arrived_at_s"] >= lo) & (a["arrived_at_s"] < hi),
            },
            copy=False,  # views of the recorded columns: the table costs no second copy
        )
        if self.scenario.callbacks.enabled:  # the callbacks' columns only where they exist
            df["callback_try"] = a["callback_try"]
            df["callback_offered"] = a["callback_offered"].astype(bool)
        if self.scenario.has_menu:  # the menu's columns only where there is a menu
            df["menu_s"] = a["menu_s"]
            df["menu_abandoned"] = self.menu_abandoned
        if self.scenario.escalation_routed:  # rule table or officer patience
            gave_up = a["escalation_abandoned"].astype(bool)
            df["escalation_to"] = pd.Categorical.from_codes(
                a["escalation_to"], categories=["officers", "supervisors"]
            )
            df["escalation_patience_s"] = a["escalation_patience_s"]
            df["escalation_abandoned"] = gave_up
            df["escalation_wait_s"] = np.where(
                gave_up,
                a["line_released_at_s"] - a["escalation_requested_at_s"],
                df["escalation_wait_s"],
            )
        return self._tag(df)

    @cached_property
    def callers(self) -> pd.DataFrame:
        """One row per caller (one person, one reason to call), with reporting-delay parts."""
        c = self.caller
        sc = self.scenario
        lo, hi = self.window_s
        complaint = self.complaint
        reg = c["registered_at_s"]
        delay = reg - c["fraud_at_s"]
        df = pd.DataFrame(
            {
                "caller_id": np.arange(c["call_type"].size, dtype=np.int64),
                "call_type": self._type_cat(c["call_type"]),
                "complaint": complaint,
                "fraud_at_s": c["fraud_at_s"],
                "first_dial_at_s": c["first_dial_at_s"],
                "attempts": c["attempts"],
                "outcome": pd.Categorical.from_codes(c["outcome"], categories=CALLER_OUTCOMES),
                "answered_at_s": c["answered_at_s"],
                "registered_at_s": np.where(complaint, reg, np.nan),
                "gave_up_at_s": c["gave_up_at_s"],
                "victim_delay_s": c["first_dial_at_s"] - c["fraud_at_s"],
                "access_delay_s": c["answered_at_s"] - c["first_dial_at_s"],
                "handling_s": np.where(complaint, reg - c["answered_at_s"], np.nan),
                "reporting_delay_s": np.where(complaint, delay, np.nan),
                "golden_hour": complaint
                & (self.reported_at_s - c["fraud_at_s"] <= sc.targets.golden_hour_s),
                "loss_rs": np.where(complaint, c["loss_rs"], np.nan),
                "held_rs": self.held_rs,
                "in_window": (c["first_dial_at_s"] >= lo) & (c["first_dial_at_s"] < hi),
            },
            copy=False,  # the columns as they are: no second copy stacked into blocks
        )
        return self._tag(df)

    @cached_property
    def sessions(self) -> pd.DataFrame:
        """One row per log-in session of a call-taker or officer."""
        s = self.session
        people = self.people.set_index("person_id")
        df = pd.DataFrame(
            {
                "person_id": s["person_id"],
                "role": pd.Categorical.from_codes(s["role"], ROLE_NAMES),
                "rank": people["rank"].to_numpy()[s["person_id"]],
                "login_at_s": s["login_at_s"],
                "logout_at_s": s["logout_at_s"],
                "overtime_s": s["overtime_s"],
            }
        )
        return self._tag(df)

    @cached_property
    def intervals(self) -> pd.DataFrame:
        """One row per 15-minute interval of the horizon (warm-up included, flagged)."""
        a = self.attempt
        sc = self.scenario
        end_s = sc.horizon.end_s
        # The last interval ends at the horizon, shorter when the horizon is not a whole
        # number of intervals: never past it, where it would count redials after the end.
        edges = np.append(np.arange(0.0, end_s, INTERVAL_S), end_s)
        arrived = a["arrived_at_s"]
        out = a["outcome"]
        stop = self.stop_s

        # Attempts by outcome per interval, one pass (the counts np.histogram gives).
        by = bin_counts(bin_index(arrived, edges), edges.size - 1, out, len(ATTEMPT_OUTCOMES))
        first = self.caller["first_dial_at_s"]
        waited = out != BLOCKED
        queued = self.queued_at_s
        q_end = np.where(
            out == ANSWERED,
            a["answered_at_s"],
            np.where(out == ABANDONED, a["line_released_at_s"], stop),
        )
        in_queue = waited
        if sc.has_menu:  # still in the menu at the stop: not queued yet
            q_end = np.maximum(q_end, queued)
        if sc.callbacks.enabled:  # an accepted offer never queues; nor does a callback try
            in_queue = waited & (out != CALLBACK) & (a["callback_try"] == 0)
        line_end = np.nan_to_num(a["line_released_at_s"], nan=stop)
        _, work_start, work_end = self.taker_work
        s = self.session
        taker = s["role"] == CALL_TAKER
        queue = bin_mean_max(queued[in_queue], q_end[in_queue], edges)  # one sort a side
        lines = bin_mean_max(arrived[waited], line_end[waited], edges)
        df = pd.DataFrame(
            {
                "interval_start_s": edges[:-1],
                "offered": np.bincount(bin_index(first, edges) + 1, minlength=edges.size)[1:],
                "attempts": by.sum(axis=1),
                "answered": by[:, ANSWERED],
                "abandoned": by[:, ABANDONED],
                "blocked": by[:, BLOCKED],
                "queue_mean": queue[0],
                "queue_max": queue[1].astype(np.int32),
                "lines_busy_mean": lines[0],
                "lines_busy_max": lines[1].astype(np.int32),
                "call_takers_on_duty_mean": bin_mean(
                    s["login_at_s"][taker], s["logout_at_s"][taker], edges
                ),
                "call_takers_busy_mean": bin_mean(work_start, work_end, edges),
                "in_window": (edges[:-1] >= sc.horizon.warmup_s),
            }
        )
        return self._tag(df)
