"""Who is on duty when: people, teams, shifts, rotation, weekly offs, absence, breaks.

Turns the staff part of a scenario into duty periods and breaks for named
people (times in seconds from the horizon start). The model then logs people
in and out; it knows nothing of teams or rotation.

Rotation: on day ``d`` team ``t`` works shift ``(t - d // rotation_days) mod
teams`` when that index names a shift, and rests otherwise (so 4 teams on 3
shifts gives every team a rest block). Rotating backwards (night -> evening
-> morning) leaves at least 8 h between shifts with the default pattern.
Weekly offs are staggered: person ``p`` is off on weekdays ``p mod 7`` onwards.
Teams are dealt equally, or in the proportions of ``staff.team_shares`` (shifts
of different sizes).

Interval mode gives a count of people on duty per interval of the day (per
weekday if seven lists): person ``k`` of a role is on duty in every interval
whose count exceeds ``k``, so the number on duty follows the curve exactly
(no absence, weekly offs or breaks: the counts already net them out). With skill groups
(``staff.groups``) each group's call-takers follow its own curve, the groups' people
numbered in the groups' order (one group with the curve of ``staff.interval.call_takers``
gives the same people and duty periods as no groups).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim.scenario.values import DAY_S, Horizon, Staff, deal_teams

CALL_TAKER, ESCALATION, OTHER, SUPERVISOR = 0, 1, 2, 3
#: Role names by code, as the tables write them.
ROLE_NAMES = ["call_taker", "escalation", "other", "supervisor"]
#: A supervisor's hour: each hour of a shift ends with ``supervision_share`` of it supervising.
SUPERVISION_HOUR_S = 3600.0


@dataclass(frozen=True)
class Roster:
    """People and their duty periods and breaks.

    ``people`` has one row per person: ``person_id``, ``rank``, ``woman``,
    ``team``, ``role`` (0 call-taker, 1 escalation, 2 other, 3 supervisor).
    ``duty_*`` arrays: one merged duty period per row (back-to-back periods of
    one person are joined, so nobody logs out and in at the same instant).
    ``break_*`` arrays: one break per row; a supervisor's rows are their supervision blocks
    (supervisors take no meal break: supervising is their time off calls).
    ``group_of``: with skill groups, each person's group (index into ``staff.groups``; -1 for
    anyone not a call-taker); empty without groups.
    """

    people: pd.DataFrame
    duty_person: np.ndarray
    duty_start_s: np.ndarray
    duty_end_s: np.ndarray
    break_person: np.ndarray
    break_start_s: np.ndarray
    break_duration_s: np.ndarray
    group_of: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))


def _takers_rows(staff: Staff) -> list[tuple[tuple[int, ...], ...]]:
    """Interval mode: the curves of the call-takers, one per skill group (or one in all)."""
    return [g.call_takers for g in staff.groups] or [staff.interval_call_takers]


def _people(staff: Staff) -> pd.DataFrame:
    rows = []
    if staff.mode == "roster":
        team_of = deal_teams([r.count for r in staff.ranks], staff.teams, staff.team_shares)
        for rank, teams in zip(staff.ranks, team_of, strict=True):
            role = (
                CALL_TAKER
                if rank.name in staff.call_taker_ranks
                else ESCALATION
                if rank.name in staff.escalation_ranks
                else SUPERVISOR
                if rank.name in staff.supervisor_ranks
                else OTHER
            )
            for i, team in enumerate(teams):
                rows.append((rank.name, i < rank.women, team, role))
    elif staff.mode == "interval":
        rows += [("call_taker", False, 0, CALL_TAKER)] * sum(map(_most, _takers_rows(staff)))
        rows += [("escalation", False, 0, ESCALATION)] * _most(staff.interval_escalation)
    else:
        for k, (n_ct, n_es) in enumerate(
            zip(staff.headcount_call_takers, staff.headcount_escalation, strict=True)
        ):
            rows += [("call_taker", False, k, CALL_TAKER)] * n_ct
            rows += [("escalation", False, k, ESCALATION)] * n_es
    df = pd.DataFrame(rows, columns=["rank", "woman", "team", "role"])
    df.insert(0, "person_id", np.arange(len(df)))
    return df


def _most(rows: tuple[tuple[int, ...], ...]) -> int:
    return max(max(row) for row in rows)


def _day_counts(
    staff: Staff, by_day: tuple[tuple[int, ...], ...], first_weekday: int, d: int
) -> tuple[int, ...]:
    """Counts per interval on day ``d`` of the horizon (-1 is the day before).

    By date, days before the first list and after the last (the drain) repeat the nearest
    list; by weekday, seven lists run Monday..Sunday, one list serves every day.
    """
    if len(by_day) == 1:
        return by_day[0]
    if staff.interval_by_date:
        return by_day[min(max(d, 0), len(by_day) - 1)]
    return by_day[(first_weekday + d) % 7]


def _interval_duty(
    staff: Staff, first_weekday: int, n_days: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Duty periods of interval mode, days -1 .. n_days - 1: person k of a role works
    every run of intervals whose count exceeds k (runs across midnight are one period).
    """
    p_person, p_start, p_end = [], [], []
    first = 0
    for by_day in (*_takers_rows(staff), staff.interval_escalation):
        days = [_day_counts(staff, by_day, first_weekday, d) for d in range(-1, n_days)]
        counts = np.concatenate([np.asarray(row) for row in days])
        edges_s = (np.arange(counts.size + 1) - len(days[0])) * staff.interval_s
        for k in range(_most(by_day)):
            on = np.concatenate(([False], counts > k, [False])).astype(np.int8)
            change = np.diff(on)
            starts, ends = np.flatnonzero(change == 1), np.flatnonzero(change == -1)
            p_person.append(np.full(starts.size, first + k))
            p_start.append(edges_s[starts])
            p_end.append(edges_s[ends])
        first += _most(by_day)
    return np.concatenate(p_person), np.concatenate(p_start), np.concatenate(p_end)


def _supervision(
    who: np.ndarray, shift_start_s: float, shift_s: float, share: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Supervision blocks of the supervisors ``who`` on one shift: each hour of the shift (the
    last one may be shorter) ends with ``share`` of it supervising, so a block of ``share`` x
    the hour starts at ``(1 - share)`` of the way through it. Handed to the pool as breaks
    (non-preemptive: a block due during an escalation starts when it ends).
    """
    if share <= 0:
        none = np.zeros(0)
        return none.astype(int), none, none
    # Supervising all the time: one block for the shift (abutting blocks would let the
    # person log in between them).
    hour_start = np.arange(0.0, shift_s, SUPERVISION_HOUR_S if share < 1 else shift_s)
    hour_s = np.minimum(SUPERVISION_HOUR_S if share < 1 else shift_s, shift_s - hour_start)
    start = shift_start_s + hour_start + (1.0 - share) * hour_s
    return (
        np.repeat(who, hour_start.size),
        np.tile(start, who.size),
        np.tile(share * hour_s, who.size),
    )


def build_roster(
    staff: Staff, horizon: Horizon, rng: np.random.Generator, extra_days: int = 2
) -> Roster:
    """Duty periods covering day -1 (night shifts running into day 0) to the horizon end
    plus ``extra_days`` (for draining calls in progress).
    """
    people = _people(staff)
    n = len(people)
    team = people["team"].to_numpy()
    role = people["role"].to_numpy()
    pid = np.arange(n)
    n_days = int(np.ceil(horizon.days)) + extra_days
    first_weekday = horizon.start_date.weekday()
    p_start, p_end, p_person = [], [], []
    b_person, b_start, b_dur = [], [], []
    active = role != OTHER
    if staff.mode == "interval":
        person, start, end = _interval_duty(staff, first_weekday, n_days)
        keep = end > 0
        none = np.zeros(0)
        group_of = np.zeros(0, np.int64)
        if staff.groups:
            sizes = [_most(rows) for rows in _takers_rows(staff)]
            group_of = np.full(n, -1, np.int64)
            group_of[: sum(sizes)] = np.repeat(np.arange(len(sizes)), sizes)
        return Roster(
            people,
            person[keep],
            np.maximum(start[keep], 0.0),
            end[keep],
            none.astype(int),
            none,
            none,
            group_of,
        )
    for d in range(-1, n_days):
        if staff.mode == "roster":
            rot = d // staff.rotation_days if staff.rotation_days else 0
            shift_idx = (team - rot) % staff.teams
            working = active & (shift_idx < len(staff.shifts))
            weekday = (first_weekday + d) % 7
            off = ((weekday - pid) % 7) < staff.weekly_offs
            absent = rng.random(n) < staff.absence_rate
            working &= ~off & ~absent
        else:
            shift_idx = team
            working = active.copy()
        for k, shift in enumerate(staff.shifts):
            who = pid[working & (shift_idx == k)]
            if who.size == 0:
                continue
            shift_start = d * DAY_S + shift.start_s
            p_person.append(who)
            p_start.append(np.full(who.size, shift_start))
            p_end.append(np.full(who.size, shift_start + shift.duration_s))
            sup = role[who] == SUPERVISOR
            if sup.any():  # supervisors supervise instead of taking the meal breaks
                person_s, start_s, dur_s = _supervision(
                    who[sup], shift_start, shift.duration_s, staff.supervision_share
                )
                b_person.append(person_s)
                b_start.append(start_s)
                b_dur.append(dur_s)
                who = who[~sup]
            for brk in staff.breaks:
                group = np.arange(who.size) % brk.groups
                b_person.append(who)
                b_start.append(shift_start + brk.after_s + group * brk.duration_s)
                b_dur.append(np.full(who.size, brk.duration_s))
    person = np.concatenate(p_person) if p_person else np.zeros(0, int)
    start = np.concatenate(p_start) if p_start else np.zeros(0)
    end = np.concatenate(p_end) if p_end else np.zeros(0)
    order = np.lexsort((start, person))
    person, start, end = person[order], start[order], end[order]
    # Join back-to-back (or overlapping) periods of the same person.
    if person.size:
        merged_p, merged_s, merged_e = [], [], []
        cur_p, cur_s, cur_e = person[0], start[0], end[0]
        for p, s, e in zip(person[1:].tolist(), start[1:].tolist(), end[1:].tolist(), strict=True):
            if p == cur_p and s <= cur_e:
                cur_e = max(cur_e, e)
            else:
                merged_p.append(cur_p)
                merged_s.append(cur_s)
                merged_e.append(cur_e)
                cur_p, cur_s, cur_e = p, s, e
        merged_p.append(cur_p)
        merged_s.append(cur_s)
        merged_e.append(cur_e)
        person, start, end = np.array(merged_p), np.array(merged_s), np.array(merged_e)
    keep = end > 0
    bp = np.concatenate(b_person) if b_person else np.zeros(0, int)
    bs = np.concatenate(b_start) if b_start else np.zeros(0)
    bd = np.concatenate(b_dur) if b_dur else np.zeros(0)
    bkeep = bs >= 0
    return Roster(
        people,
        person[keep],
        np.maximum(start[keep], 0.0),
        end[keep],
        bp[bkeep],
        bs[bkeep],
        bd[bkeep],
    )
