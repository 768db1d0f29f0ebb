"""Conservation and consistency properties over random small scenarios (hypothesis).

Generated scenarios are small enough to run in milliseconds; the few
combinations that validation rejects are discarded. :func:`assert_consistent`
checks, on the records of one run:

* every attempt is answered, abandoned, blocked or still in the system, and its
  timestamps say which (the outcome is not just a label), in any window;
* every caller is answered, gave up or is still trying, consistently with its
  attempts (one answer at most, and it ends the caller's attempts);
* waits >= 0 and arrived <= answered <= line released <= done; the language menu is heard
  on a line before the queue, and an abandon in it or in the queue is at dial + patience;
* a dial is blocked only when every line is held, and lines held never exceed
  ``lines.count`` (also in ``intervals.lines_busy_max``);
* call-takers logged in never exceed ``staff.seats``; every call is answered
  and finished inside one session of the person who took it; nobody takes two
  calls (or two escalations) at once;
* nobody waits while a logged-in call-taker (or officer, for escalations) is
  idle;
* the metric counts of :func:`sim.metrics.summarize` add up;
* callbacks: an accepted offer frees the line as the caller would queue, tries follow it in
  order, by a call-taker on a line, and a due callback never waits while a call-taker is
  idle and a line is free;
* escalations (flat share or the rule table, to officers or supervisors, with patience for
  an officer): every escalation requested is taken by a person of its own pool, given up at
  request + patience, or still waiting when the run stops; one given up frees the line then
  and is still answered (and registered after its after-call work); nobody of a pool is idle
  while an escalation waits for it, and supervisors take none during supervision.

``test_every_escalation_is_accounted_for`` draws only scenarios where the officers' options
run (a roster with supervisors, a rule table, busy officers, impatient escalated callers), so
these states are reached in most of its examples, not by chance.

The examples are derandomised, so the suite sees the same 40 scenarios per test on
every run; set ``CONSERVATION_EXAMPLES`` (e.g. 2000) to explore more locally.
"""

from __future__ import annotations

import math
import os
from typing import Any

import numpy as np
from conftest import make_scenario, trace
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

from sim.core.model import simulate
from sim.core.records import (
    ABANDONED,
    ANSWERED,
    BLOCKED,
    CALLBACK,
    GAVE_UP,
    IN_SERVICE,
    NO_ANSWER,
    TRYING,
    WAITING,
    Records,
)
from sim.errors import ScenarioError
from sim.metrics import summarize

EXAMPLES = int(os.environ.get("CONSERVATION_EXAMPLES", "40"))
EXPLORE = "CONSERVATION_EXAMPLES" in os.environ
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not EXPLORE,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


# --- the checks --------------------------------------------------------------------------


def open_count(start: np.ndarray, end: np.ndarray, t: np.ndarray, closed: bool) -> np.ndarray:
    """How many periods [start, end] contain each instant of ``t``.

    ``closed``: count periods with start <= t <= end; otherwise start < t < end.
    """
    s, e = np.sort(start), np.sort(end)
    if closed:
        return np.searchsorted(s, t, "right") - np.searchsorted(e, t, "left")
    return np.searchsorted(s, t, "left") - np.searchsorted(e, t, "right")


def max_level(start: np.ndarray, end: np.ndarray) -> int:
    """Most periods open at once; a period ending at t is closed before one starting at t."""
    times = np.concatenate([end, start])
    steps = np.concatenate([-np.ones(end.size), np.ones(start.size)])
    order = np.lexsort((steps, times))
    return int(np.cumsum(steps[order]).max(initial=0))


def assert_attempt_rows(rec: Records) -> None:
    """Each attempt's timestamps match its outcome; waits and orderings are sane."""
    a = rec.attempt
    out = a["outcome"]
    arr, ans, rel, done = (
        a[k] for k in ("arrived_at_s", "answered_at_s", "line_released_at_s", "done_at_s")
    )
    agent = a["agent_id"]
    wait = rec.attempts["wait_s"].to_numpy()
    stop = rec.stop_s
    outcomes = {WAITING, ANSWERED, ABANDONED, BLOCKED}
    if rec.scenario.callbacks.enabled:
        outcomes |= {CALLBACK, NO_ANSWER}
    assert set(np.unique(out)) <= outcomes
    assert_callback_rows(rec)
    assert np.all(arr >= 0) and np.all(arr < stop)

    b = out == BLOCKED
    assert np.all(rel[b] == arr[b]) and np.all(wait[b] == 0)
    assert np.all(np.isnan(ans[b])) and np.all(np.isnan(done[b])) and np.all(agent[b] == -1)
    assert np.all(np.isnan(a["patience_s"][b]))

    ab = out == ABANDONED
    assert np.all(np.isnan(ans[ab])) and np.all(agent[ab] == -1) and np.all(np.isnan(done[ab]))
    # An abandon happens exactly when patience, which runs from the dial, runs out: in the
    # queue after a positive wait, or in the language menu (no queue wait).
    np.testing.assert_allclose(rel[ab], arr[ab] + a["patience_s"][ab], rtol=0, atol=1e-6)
    menu = np.nan_to_num(a["menu_s"])
    in_menu = ab & (menu >= a["patience_s"])
    assert np.all(wait[ab & ~in_menu] > 0) and np.all(wait[in_menu] == 0)
    # The menu is heard on a line, so only by attempts that got one; it ends at the queue.
    assert np.all(np.isnan(a["menu_s"][b]))
    if not rec.scenario.has_menu:
        assert np.all(np.isnan(a["menu_s"]))
    np.testing.assert_array_equal(rec.queued_at_s, arr + menu)

    w = out == WAITING
    assert np.all(np.isnan(ans[w])) and np.all(np.isnan(rel[w])) and np.all(agent[w] == -1)
    assert np.all(np.isnan(wait[w]))

    an = out == ANSWERED
    assert np.all(agent[an] >= 0)
    assert np.all(wait[an] >= 0) and np.all(ans[an] >= arr[an] + menu[an])
    finished = an & ~np.isnan(rel)
    assert np.all(rel[finished] >= ans[finished])
    # The line is held for talk, the wait for an officer (to the give-up, for an escalation
    # given up) and the escalation talk.
    esc_wait = np.nan_to_num(rec.attempts["escalation_wait_s"].to_numpy())
    held_s = a["talk_s"] + esc_wait + np.nan_to_num(a["escalation_talk_s"])
    np.testing.assert_allclose(
        rel[finished], ans[finished] + held_s[finished], rtol=1e-12, atol=1e-6
    )
    fin_done = an & ~np.isnan(done)
    assert np.all(~np.isnan(rel[fin_done]))
    np.testing.assert_allclose(
        done[fin_done], rel[fin_done] + a["after_call_s"][fin_done], rtol=1e-12, atol=1e-6
    )
    assert np.all(done[fin_done] <= stop) and np.all(rel[finished] <= stop)
    # An answered call is unfinished at the stop only if its remaining work runs past it.
    open_talk = an & np.isnan(rel) & np.isnan(a["escalation_requested_at_s"])
    assert np.all(ans[open_talk] + a["talk_s"][open_talk] >= stop)
    e_started = a["escalation_started_at_s"] + a["escalation_talk_s"]
    open_esc = an & np.isnan(rel) & ~np.isnan(e_started)
    assert np.all(e_started[open_esc] >= stop)
    open_acw = an & ~np.isnan(rel) & np.isnan(done)
    assert np.all(rel[open_acw] + a["after_call_s"][open_acw] >= stop)
    # Escalations: requested at the end of talk, started no earlier, by an officer.
    esc = ~np.isnan(a["escalation_requested_at_s"])
    assert np.all(out[esc] == ANSWERED)
    np.testing.assert_allclose(
        a["escalation_requested_at_s"][esc],
        ans[esc] + a["talk_s"][esc],
        rtol=1e-12,
        atol=1e-6,
    )
    started = esc & ~np.isnan(a["escalation_started_at_s"])
    assert np.all(a["escalation_started_at_s"][started] >= a["escalation_requested_at_s"][started])
    assert np.all(a["officer_id"][started] >= 0) and np.all(a["officer_id"][~started] == -1)
    assert_escalation_states(rec, esc, started)


def assert_escalation_states(rec: Records, esc: np.ndarray, started: np.ndarray) -> None:
    """Every escalation requested is started, given up, or still waiting at the stop; the
    routed columns say which pool and why.
    """
    a = rec.attempt
    if not rec.scenario.escalation_routed:
        assert "escalation_abandoned" not in a and "escalation_to" not in rec.attempts
        waiting = esc & ~started
        assert np.all(np.isnan(a["line_released_at_s"][waiting]))
        return
    gave_up = a["escalation_abandoned"].astype(bool)
    to = a["escalation_to"]
    assert np.all(to[esc] >= 0) and np.all(to[~esc] == -1)
    assert not np.any(gave_up & ~esc) and not np.any(gave_up & started)
    waiting = esc & ~started & ~gave_up
    assert np.all(np.isnan(a["line_released_at_s"][waiting]))
    assert int(started.sum() + gave_up.sum() + waiting.sum()) == int(esc.sum())
    # A give-up happens exactly when the drawn patience runs out: at request + patience.
    req, patience = a["escalation_requested_at_s"], a["escalation_patience_s"]
    np.testing.assert_allclose(
        a["line_released_at_s"][gave_up], req[gave_up] + patience[gave_up], rtol=0, atol=1e-6
    )
    # Patience is drawn for those who had to wait (0 gives up at once), finite for a give-up,
    # and recorded for escalations only.
    assert np.all(patience[gave_up] >= 0) and np.all(np.isfinite(patience[gave_up]))
    assert np.all(np.isnan(patience[~esc]))
    roles = rec.people["role"].to_numpy()
    expected = np.where(to == 1, 3, 1)
    np.testing.assert_array_equal(roles[a["officer_id"][started]], expected[started])


def assert_callback_rows(rec: Records) -> None:
    """Callbacks: an accepted offer ends the attempt as it joins the queue (the line frees);
    each try is the helpline's dial, by a call-taker, on a line, after the offer; a try nobody
    answered holds call-taker and line for its ring; due callbacks never wait while a
    call-taker is idle and a line is free.
    """
    a = rec.attempt
    out = a["outcome"]
    tries = a["callback_try"]
    if not rec.scenario.callbacks.enabled:
        assert np.all(tries == 0) and np.all(a["callback_offered"] == 0)
        return
    cb = out == CALLBACK
    assert np.all(tries[cb] == 0) and np.all(a["callback_offered"][cb] == 1)
    np.testing.assert_array_equal(a["line_released_at_s"][cb], rec.queued_at_s[cb])
    assert np.all(np.isnan(a["answered_at_s"][cb])) and np.all(a["agent_id"][cb] == -1)
    dialled = tries > 0
    assert np.all(np.isin(out[dialled], [ANSWERED, NO_ANSWER]))
    assert np.all(a["agent_id"][dialled] >= 0) and np.all(a["callback_offered"][dialled] == 0)
    assert np.all(tries[dialled] <= rec.scenario.callbacks.max_tries)
    np.testing.assert_array_equal(out == NO_ANSWER, dialled & (out != ANSWERED))
    ring = out == NO_ANSWER
    rel = a["line_released_at_s"][ring]
    assert np.all(np.isnan(rel) | (rel >= a["arrived_at_s"][ring]))
    ans = dialled & (out == ANSWERED)
    np.testing.assert_array_equal(a["answered_at_s"][ans], a["arrived_at_s"][ans])
    # First tries: due from the acceptance to the dial; halfway, every logged-in call-taker
    # is busy or every line is held.
    first = np.flatnonzero(tries == 1)
    accepted_at = np.full(rec.caller["call_type"].size, np.nan)
    accepted_at[a["caller_id"][cb]] = a["line_released_at_s"][cb]
    due = accepted_at[a["caller_id"][first]]
    assert np.all(due <= a["arrived_at_s"][first])
    late = due < a["arrived_at_s"][first]
    mid = (due[late] + a["arrived_at_s"][first][late]) / 2
    ses = rec.session
    taker = ses["role"] == 0
    logged = open_count(ses["login_at_s"][taker], ses["logout_at_s"][taker], mid, False)
    _, ws, we = rec.taker_work
    busy = open_count(ws, we, mid, closed=False)
    held = out != BLOCKED
    lines = rec.scenario.lines
    stop = rec.stop_s
    if lines is not None:
        n_held = open_count(
            a["arrived_at_s"][held],
            np.nan_to_num(a["line_released_at_s"][held], nan=stop),
            mid,
            closed=False,
        )
        assert np.all((busy == logged) | (n_held >= lines)), "a callback waited needlessly"
    else:
        assert np.all(busy == logged), "a callback waited needlessly"


def assert_windows_add_up(rec: Records, windows: list[tuple[float, float]]) -> None:
    """In any window of arrivals: attempts = answered + abandoned + blocked + in system
    (+ accepted callbacks and unanswered callback tries).
    """
    a = rec.attempt
    for lo, hi in windows:
        win = (a["arrived_at_s"] >= lo) & (a["arrived_at_s"] < hi)
        out = a["outcome"][win]
        kinds = (ANSWERED, ABANDONED, BLOCKED, WAITING, CALLBACK, NO_ANSWER)
        parts = [np.sum(out == k) for k in kinds]
        assert sum(parts) == win.sum()
    m = summarize(rec)
    accepted = 0
    if rec.scenario.callbacks.enabled:
        lo, hi = rec.window_s
        own = (a["arrived_at_s"] >= lo) & (a["arrived_at_s"] < hi) & (a["callback_try"] == 0)
        accepted = int(np.sum(own & (a["outcome"] == CALLBACK)))
        assert not np.any(own & (a["outcome"] == NO_ANSWER))
    assert (
        m["attempts"] == m["answered"] + m["abandoned"] + m["blocked"] + m["in_system"] + accepted
    )
    assert m["callers"] == m["callers_answered"] + m["gave_up"] + m["still_trying"]
    lo, hi = rec.window_s
    in_win = (a["arrived_at_s"] >= lo) & (a["arrived_at_s"] < hi)
    esc = in_win & ~np.isnan(a["escalation_requested_at_s"])
    assert m["escalations"] == esc.sum()
    if rec.scenario.escalation_routed and esc.any():
        gave_up = int(a["escalation_abandoned"][esc].sum())
        assert math.isclose(m["escalation_abandon_share"] * esc.sum(), gave_up)
    iv = rec.intervals
    end_s = rec.scenario.horizon.end_s
    in_h = a["arrived_at_s"] < end_s
    assert iv["attempts"].sum() == in_h.sum()
    for name, k in (("answered", ANSWERED), ("abandoned", ABANDONED), ("blocked", BLOCKED)):
        assert iv[name].sum() == np.sum(in_h & (a["outcome"] == k)), name
    assert iv["offered"].sum() == rec.caller["first_dial_at_s"].size


def assert_callers_consistent(rec: Records) -> None:
    """Caller outcomes agree with their attempts."""
    a, c = rec.attempt, rec.caller
    sc = rec.scenario
    n = c["call_type"].size
    counts = np.bincount(a["caller_id"], minlength=n)
    np.testing.assert_array_equal(counts, c["attempts"])
    if n == 0:
        return
    assert np.all(c["attempts"] >= 1)
    max_att = np.array([t.redial.max_attempts for t in sc.call_types])[c["call_type"]]
    assert np.all(c["attempts"] <= max_att + sc.callbacks.max_tries * sc.callbacks.enabled)
    # Attempts of one caller: numbered 1..k in time order, each after the previous ended.
    order = np.lexsort((a["attempt_no"], a["caller_id"]))
    cid, no = a["caller_id"][order], a["attempt_no"][order]
    arr = a["arrived_at_s"][order]
    out = a["outcome"][order]
    first = np.r_[True, cid[1:] != cid[:-1]]
    last = np.r_[cid[1:] != cid[:-1], True]
    assert np.all(no[first] == 1)
    assert np.all(no[~first] == no[np.flatnonzero(~first) - 1] + 1)
    np.testing.assert_array_equal(arr[first], c["first_dial_at_s"])
    prev_end = a["line_released_at_s"][order][np.flatnonzero(~first) - 1]
    assert np.all(arr[~first] >= prev_end)
    # Only the last attempt of a caller may be answered or in the system; an accepted callback
    # is followed only by callback tries.
    assert np.all(np.isin(out[~last], [ABANDONED, BLOCKED, CALLBACK, NO_ANSWER]))
    tries = a["callback_try"][order]
    after_cb = np.r_[False, (out[:-1] == CALLBACK) | (tries[:-1] > 0)] & ~first
    assert np.all(tries[after_cb] == np.r_[0, tries[:-1]][after_cb] + 1)
    last_out = out[last]
    ended = np.where(
        last_out == BLOCKED, arr[last], a["line_released_at_s"][order][last]
    )  # when the last failed attempt ended
    co = c["outcome"]
    answered = (co == ANSWERED) | (co == IN_SERVICE)
    np.testing.assert_array_equal(answered, last_out == ANSWERED)
    ans_at = a["answered_at_s"][order][last]
    np.testing.assert_array_equal(c["answered_at_s"][answered], ans_at[answered])
    assert np.all(np.isnan(c["answered_at_s"][~answered]))
    # In service: answered, and the answered attempt not done when the run stopped.
    done_last = a["done_at_s"][order][last]
    np.testing.assert_array_equal(co == IN_SERVICE, answered & np.isnan(done_last))
    gave = co == GAVE_UP
    assert np.all(np.isin(last_out[gave], [ABANDONED, BLOCKED, NO_ANSWER]))
    np.testing.assert_array_equal(c["gave_up_at_s"][gave], ended[gave])
    assert np.all(np.isnan(c["gave_up_at_s"][~gave]))
    # A caller whose last attempt still waits is trying; so is one with a redial pending.
    assert np.all(co[last_out == WAITING] == TRYING)
    # Registered complaints: answered callers of a complaint type, after their answer.
    complaint = np.array([t.complaint for t in sc.call_types])[c["call_type"]]
    reg = c["registered_at_s"]
    assert np.all(np.isnan(reg[~complaint | (co != ANSWERED)]))
    has_reg = ~np.isnan(reg)
    assert np.all(reg[has_reg] >= c["answered_at_s"][has_reg])
    np.testing.assert_array_equal(reg[has_reg], done_last[has_reg])


def assert_lines_respected(rec: Records) -> None:
    """Blocked only when all lines are held; never more held than there are lines."""
    lines = rec.scenario.lines
    a = rec.attempt
    out = a["outcome"]
    arr = a["arrived_at_s"]
    held = out != BLOCKED
    s, e = arr[held], np.nan_to_num(a["line_released_at_s"][held], nan=rec.stop_s)
    if lines is None:
        assert not np.any(out == BLOCKED)
        return
    assert max_level(s, e) <= lines
    assert rec.intervals["lines_busy_max"].max() <= lines
    blocked_at = arr[out == BLOCKED]
    assert np.all(open_count(s, e, blocked_at, closed=True) >= lines)
    # A dial that got a line found fewer than `lines` held by others.
    assert np.all(open_count(s, e, arr[held], closed=False) < lines)


def assert_staff_respected(rec: Records) -> None:
    """Seats, sessions and who served whom."""
    sc = rec.scenario
    ses = rec.session
    a = rec.attempt
    stop = rec.stop_s
    assert np.all(ses["logout_at_s"] >= ses["login_at_s"])
    assert np.all(ses["overtime_s"] >= 0)
    taker = ses["role"] == 0
    assert max_level(ses["login_at_s"][taker], ses["logout_at_s"][taker]) <= sc.staff.seats

    def check_work(person: np.ndarray, start: np.ndarray, end: np.ndarray, role: int) -> None:
        roles = rec.people["role"].to_numpy()
        assert np.all(roles[person] == role)
        for p in np.unique(person):
            mine = ses["person_id"] == p
            assert np.all(ses["role"][mine] == role)
            order = np.argsort(ses["login_at_s"][mine], kind="stable")
            login, logout = ses["login_at_s"][mine][order], ses["logout_at_s"][mine][order]
            assert np.all(login[1:] >= logout[:-1]), "sessions of one person overlap"
            jobs = person == p
            js, je = start[jobs], end[jobs]
            k = np.searchsorted(login, js, "right") - 1
            assert np.all(k >= 0), "work started before the person ever logged in"
            assert np.all(js <= logout[k]) and np.all(je <= logout[k]), (
                "work outside a session of the person doing it"
            )
            o = np.argsort(js, kind="stable")
            assert np.all(js[o][1:] >= je[o][:-1]), "two jobs at once"

    work_person, work_start, work_end = rec.taker_work  # unanswered callback rings too
    check_work(work_person, work_start, work_end, 0)
    esc = ~np.isnan(a["escalation_started_at_s"])
    esc_end = a["escalation_started_at_s"] + a["escalation_talk_s"]
    esc_end = np.where(esc_end > stop, stop, esc_end)
    routed = rec.scenario.escalation_routed
    to = a["escalation_to"] if routed else np.zeros(esc.size, dtype=np.int8)
    pools = ((0, 1), (1, 3))  # (escalation_to, role): officers, supervisors
    for pool, role in pools:
        mine = esc & (to == pool)
        check_work(a["officer_id"][mine], a["escalation_started_at_s"][mine], esc_end[mine], role)

    # Work conservation: halfway through any wait, every logged-in call-taker is busy.
    wait = rec.attempts["wait_s"].to_numpy()
    queued = rec.queued_at_s  # a caller in the language menu is not waiting yet
    end_wait = np.where(np.isnan(wait), stop - queued, wait)
    waited = (end_wait > 0) & (a["outcome"] != BLOCKED)
    mid = queued[waited] + end_wait[waited] / 2
    logged = open_count(ses["login_at_s"][taker], ses["logout_at_s"][taker], mid, closed=False)
    busy = open_count(work_start, work_end, mid, closed=False)
    assert np.all(busy == logged), "a caller waited while a call-taker was idle"
    requested = ~np.isnan(a["escalation_requested_at_s"])
    e_start = np.nan_to_num(a["escalation_started_at_s"], nan=stop)
    if routed:  # a wait given up ends at the give-up
        gave_up = a["escalation_abandoned"].astype(bool)
        e_start = np.where(gave_up, a["line_released_at_s"], e_start)
    for pool, role in pools:
        e_waited = requested & (e_start > a["escalation_requested_at_s"]) & (to == pool)
        mid = (a["escalation_requested_at_s"][e_waited] + e_start[e_waited]) / 2
        officer = ses["role"] == role
        logged = open_count(ses["login_at_s"][officer], ses["logout_at_s"][officer], mid, False)
        mine = esc & (to == pool)
        busy = open_count(a["escalation_started_at_s"][mine], esc_end[mine], mid, closed=False)
        assert np.all(busy == logged), "an escalation waited while an officer was idle"
    assert_supervision(rec)


def assert_supervision(rec: Records) -> None:
    """Supervisors are logged out (available for no escalation) during their supervision
    blocks, which never overlap one another or their escalations.
    """
    b = rec.breaks
    sup = b["role"] == 3
    if not rec.scenario.has_supervisors:
        assert not np.any(sup) and not np.any(rec.session["role"] == 3)
        return
    ses = rec.session
    for p in np.unique(b["person_id"][sup]):
        mine = b["person_id"] == p
        start = b["start_at_s"][mine]
        end = np.nan_to_num(b["end_at_s"][mine], nan=rec.stop_s)
        o = np.argsort(start)
        assert np.all(start[o][1:] >= end[o][:-1]), "two supervision blocks at once"
        s_mine = ses["person_id"] == p
        inside = open_count(
            ses["login_at_s"][s_mine], ses["logout_at_s"][s_mine], (start + end) / 2, False
        )
        assert np.all(inside[end > start] == 0), "logged in while supervising"


def assert_consistent(rec: Records, windows: list[tuple[float, float]]) -> None:
    """All the properties of the module docstring."""
    assert_attempt_rows(rec)
    assert_windows_add_up(rec, windows)
    assert_callers_consistent(rec)
    assert_lines_respected(rec)
    assert_staff_respected(rec)


# --- random scenarios --------------------------------------------------------------------


def duration(lo_s: float, hi_s: float) -> st.SearchStrategy[Any]:
    """A duration: a whole number of seconds (ties between events) or a random law."""
    mean = st.floats(lo_s, hi_s)
    return st.one_of(
        st.integers(int(lo_s), int(hi_s)),
        mean.map(lambda m: {"dist": "exponential", "mean_s": m}),
        st.tuples(mean, st.floats(0.2, 1.2)).map(
            lambda x: {"dist": "lognormal", "mean_s": x[0], "log_sd": x[1]}
        ),
    )


@st.composite
def call_types(draw: st.DrawFn, escalation: bool) -> dict[str, Any]:
    n = draw(st.integers(1, 3))
    weights = draw(st.lists(st.integers(1, 5), min_size=n, max_size=n))
    out = {}
    for i, w in enumerate(weights):
        ct: dict[str, Any] = {
            "share": w / sum(weights),
            "complaint": draw(st.booleans()),
            "priority": draw(st.integers(1, 3)),
            "talk": draw(duration(10, 900)),
            "after_call": draw(st.one_of(st.just(0), duration(1, 120))),
            "patience": draw(st.one_of(st.just("inf"), duration(5, 600))),
            "victim_delay": draw(st.one_of(st.just(0), duration(60, 7200))),
            "menu": draw(st.one_of(st.just(0), duration(1, 120))),
            "redial": {
                "after_busy": draw(st.floats(0, 1)),
                "after_abandon": draw(st.floats(0, 1)),
                "decay": draw(st.floats(0, 1)),
                "max_attempts": draw(st.integers(1, 5)),
                "delay_after_busy": draw(duration(1, 900)),
                "delay_after_abandon": draw(duration(1, 900)),
            },
        }
        if escalation and draw(st.booleans()):
            ct["escalation_share"] = draw(st.floats(0, 1))
            ct["escalation_talk"] = draw(duration(10, 600))
        if escalation and draw(st.booleans()):
            ct["escalation_patience"] = draw(st.one_of(st.just("inf"), duration(0, 600)))
        out[f"type{i}"] = ct
    return out


@st.composite
def staff(
    draw: st.DrawFn, escalation: bool, supervisors: bool = False, roster: bool = False
) -> dict[str, Any]:
    n = draw(st.integers(1, 3))
    gaps = draw(st.booleans())
    base_min = 1440 // n
    first_min = draw(st.integers(0, 47)) * 30
    overlap_min = draw(st.sampled_from([0, 0, 30, 60]))
    gap_min = draw(st.sampled_from([30, 60, 120])) if gaps else 0
    hours = min(base_min + overlap_min - gap_min, 1440) / 60
    starts = sorted((first_min + k * base_min) % 1440 for k in range(n))
    shifts = [
        {"name": f"s{k}", "start": f"{m // 60:02d}:{m % 60:02d}", "hours": hours}
        for k, m in enumerate(starts)
    ]
    breaks = []
    if draw(st.booleans()):
        groups = draw(st.integers(1, 3))
        dur_min = draw(st.integers(5, 40))
        room_h = hours - groups * dur_min / 60
        if room_h >= 0:
            after_h = draw(st.floats(0, room_h)) if room_h > 0 else 0.0
            breaks.append({"after_h": after_h, "duration_min": dur_min, "groups": groups})
    min_esc = 1 if escalation else 0
    out: dict[str, Any] = {
        "shifts": shifts,
        "breaks": breaks,
        "allow_uncovered_hours": gaps,
        "headcount": {
            "call_takers": draw(
                st.lists(st.integers(0 if gaps else 1, 4), min_size=n, max_size=n).filter(
                    lambda x: max(x) >= 1
                )
            ),
            "escalation": draw(st.lists(st.integers(min_esc, 2), min_size=n, max_size=n)),
        },
    }
    if not roster and draw(st.booleans()):
        out["mode"] = "headcount"
        most = max(out["headcount"]["call_takers"])
    else:
        # Every team needs a call-taker (and an officer if calls escalate).
        teams = draw(st.integers(n, n + 1))
        constables = draw(st.integers(teams, 12))
        out |= {
            "mode": "roster",
            "ranks": {
                "constable": {"count": constables},
                "sub_inspector": {"count": draw(st.integers(teams * min_esc, 5))},
                "inspector": {"count": draw(st.integers(teams if supervisors else 0, 4))},
            },
            "teams": teams,
            "rotation_days": draw(st.integers(0, 7)),
            "weekly_offs": draw(st.integers(0, 2)),
            "absence_rate": draw(st.floats(0, 0.3)),
        }
        most = constables
        if supervisors:
            out["supervisor_ranks"] = ["inspector"]
            out["supervision_share"] = draw(st.sampled_from([0.0, 0.25, 0.5, 0.9]))
    out["seats"] = draw(st.integers(1, most))
    return out


@st.composite
def horizon(draw: st.DrawFn, days: float) -> dict[str, Any]:
    """A horizon of ``days``: with or without warm-up, any seed, cut or drained."""
    return {
        "days": days,
        "warmup_days": draw(st.sampled_from([0.0, days / 4])),
        "seed": draw(st.integers(0, 2**32 - 1)),
        "end": draw(st.sampled_from(["cut", "drain"])),
    }


@st.composite
def arrivals(draw: st.DrawFn, days: float) -> dict[str, Any]:
    if draw(st.booleans()):
        return {"mode": "constant", "calls_per_h": draw(st.floats(0.5, 80))}
    out: dict[str, Any] = {
        "mode": "profile",
        "callers_per_day": draw(st.floats(10, 1500)),
        "profile": draw(st.lists(st.floats(0, 5), min_size=24, max_size=24).filter(sum)),
        "daily_cv": draw(st.floats(0, 0.3)),
    }
    if draw(st.booleans()):
        out["surges"] = [
            {
                "start_h": draw(st.floats(0, days * 24 * 0.99)),
                "duration_h": draw(st.floats(0.1, 6)),
                "multiplier": draw(st.floats(0, 3)),
            }
        ]
    return out


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[Any, int]:
    days = draw(st.sampled_from([0.25, 0.5, 1.0, 1.5]))
    escalation = draw(st.booleans())
    supervisors = escalation and draw(st.booleans())
    lines = draw(st.one_of(st.integers(1, 8), st.just("inf")))
    money = draw(st.booleans())
    raw = {
        "horizon": draw(horizon(days)),
        "arrivals": draw(arrivals(days)),
        "call_types": draw(call_types(escalation)),
        "lines": {"count": lines},
        "queue": {"discipline": draw(st.sampled_from(["fifo", "priority"]))},
        "staff": draw(staff(escalation, supervisors)),
        "money": {"enabled": money},
    }
    if escalation and draw(st.booleans()):
        rows = rule_rows(draw, list(raw["call_types"]), supervisors, money, draw(st.integers(0, 3)))
        raw["escalation"] = {"rules": rows}
    if draw(st.booleans()):
        raw["callbacks"] = {
            "enabled": True,
            "offer_at_queue": draw(st.integers(0, 3)),
            "accept_share": draw(st.floats(0, 1)),
            "priority": draw(st.sampled_from(["live_first", "callbacks_first"])),
            "answer_share": draw(st.floats(0, 1)),
            "ring": draw(duration(1, 60)),
            "retry_delay": draw(duration(1, 900)),
            "max_tries": draw(st.integers(1, 3)),
        }
    try:
        sc = make_scenario(**raw)
    except ScenarioError:
        # Combinations that validation rejects (e.g. a rotation without rest between
        # shifts) are discarded here; each rule has its own tests elsewhere.
        reject()
    return sc, draw(st.integers(0, 3))


def rule_rows(
    draw: st.DrawFn, names: list[str], supervisors: bool, money: bool, rows: int
) -> list[dict[str, Any]]:
    """``rows`` random ``[[escalation.rules]]`` rows over the call types ``names``."""
    out = []
    for _ in range(rows):
        row: dict[str, Any] = {
            "call_types": draw(st.lists(st.sampled_from(names), max_size=len(names))),
            "share": draw(st.floats(0, 1)),
            "to": draw(
                st.sampled_from(
                    ["sub_inspector", "inspector"] if supervisors else ["sub_inspector"]
                )
            ),
        }
        if money and draw(st.booleans()):
            row["loss_rs_at_least"] = draw(st.sampled_from([0, 5_000, 12_000, 100_000]))
        out.append(row)
    return out


@st.composite
def officer_scenarios(draw: st.DrawFn) -> tuple[Any, int]:
    """Scenarios where the officers' options always run: a roster with supervisors, a rule
    table, busy officers (long escalation talk, high shares) and impatient escalated callers,
    so escalations are taken, given up and left waiting, by officers and supervisors.
    """
    days = draw(st.sampled_from([0.5, 1.0]))
    types = draw(call_types(True))
    for ct in types.values():
        ct["escalation_share"] = draw(st.floats(0.3, 1))
        ct["escalation_talk"] = draw(duration(300, 2400))
        ct["escalation_patience"] = draw(st.one_of(st.just("inf"), duration(0, 900)))
    # The first row sends the larger losses of every type to the supervisors.
    to_supervisors = {
        "loss_rs_at_least": draw(st.sampled_from([0, 12_000])),
        "share": draw(st.floats(0.2, 1)),
        "to": "inspector",
    }
    more = draw(st.integers(0, 2))
    raw = {
        "horizon": draw(horizon(days)),
        "arrivals": {"mode": "constant", "calls_per_h": draw(st.floats(4, 40))},
        "call_types": types,
        "lines": {"count": draw(st.one_of(st.integers(2, 8), st.just("inf")))},
        "queue": {"discipline": draw(st.sampled_from(["fifo", "priority"]))},
        "staff": draw(staff(True, supervisors=True, roster=True)),
        "money": {
            "enabled": True,
            "loss_rs": {"dist": "lognormal", "median": 12000, "log_sd": 1.8},
        },
        "escalation": {"rules": [to_supervisors, *rule_rows(draw, list(types), True, True, more)]},
    }
    try:
        sc = make_scenario(**raw)
    except ScenarioError:
        reject()
    return sc, draw(st.integers(0, 3))


@SETTINGS
@given(officer_scenarios())
def test_every_escalation_is_accounted_for(case: tuple[Any, int]) -> None:
    sc, replication = case
    rec = simulate(sc, replication)
    assert_consistent(rec, [(0.0, math.inf), rec.window_s])


@SETTINGS
@given(scenarios(), st.data())
def test_every_call_and_caller_is_accounted_for(case: tuple[Any, int], data: st.DataObject) -> None:
    sc, replication = case
    rec = simulate(sc, replication)
    end_s = sc.horizon.end_s
    lo = data.draw(st.floats(0, end_s))
    hi = data.draw(st.floats(lo, end_s * 1.5))
    windows = [(0.0, math.inf), rec.window_s, (lo, hi)]
    assert_consistent(rec, windows)


@SETTINGS
@given(
    times=st.lists(st.floats(1, 20_000), min_size=1, max_size=40),
    talk=duration(10, 3000),
    escalation_share=st.floats(0, 1),
    after_call=st.one_of(st.just(0), duration(1, 300)),
    patience=duration(1, 60),
    seed=st.integers(0, 2**32 - 1),
)
def test_unlimited_staff_and_lines_give_zero_waits(
    times: list[float],
    talk: Any,
    escalation_share: float,
    after_call: Any,
    patience: Any,
    seed: int,
) -> None:
    # One call-taker and one officer per caller, always logged in, unlimited lines: nobody
    # waits, nobody abandons however impatient, everybody is answered on the first dial.
    n = len(times)
    sc = make_scenario(
        arrivals=trace(times),
        call_types={
            "call": {
                "share": 1.0,
                "talk": talk,
                "after_call": after_call,
                "patience": patience,
                "escalation_share": escalation_share,
                "escalation_talk": talk,
                "redial": {"after_busy": 1.0, "after_abandon": 1.0},
            }
        },
        lines={"count": "inf"},
        horizon={"seed": seed, "end": "cut"},
        staff={"seats": n, "headcount": {"call_takers": [n], "escalation": [n]}},
    )
    rec = simulate(sc, 0)
    at = rec.attempts
    assert (at["outcome"] == "answered").all()
    assert (at["wait_s"] == 0).all()
    esc = at["escalated"]
    assert (at.loc[esc, "escalation_wait_s"] == 0).all()
    assert (rec.callers["attempts"] == 1).all()
    assert (rec.callers["access_delay_s"] == 0).all()
    assert_consistent(rec, [(0.0, math.inf)])


def test_intervals_of_a_run_without_calls() -> None:
    # A valid scenario can get no callers at all (here 0.01 calls/h for a day); its
    # interval table must be all zeros, not an IndexError (``helpline run`` crashes too).
    rec = simulate(make_scenario({"arrivals.calls_per_h": 0.01}), 0)
    assert rec.caller["first_dial_at_s"].size == 0
    iv = rec.intervals
    assert (iv[["attempts", "queue_max", "lines_busy_max"]] == 0).all().all()
