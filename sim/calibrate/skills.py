"""Skill groups of agents, estimated from the log's agent ids, and each group's staffing.

Rule (docs/calibration.md): agent ``a`` serves log type ``T`` when ``T`` is at least
``SKILL_SHARE`` (5%) of ``a``'s own answered calls, or ``a`` answered at least ``SKILL_SHARE``
of ``T``'s answered calls (so a small type, which is a material part of nobody's work, is
served by the agents who carried it); a type that neither clause gives to anyone goes to the
agent who answered most of it. A group is the agents with the same set of types; it serves
every call type of the scenario whose log type is in the set (priority classes alike).

Staffing per group: the agents' stretches on duty (:func:`sim.calibrate.staffing.estimate`,
the same estimator as the total) averaged per interval per group, then the whole total of all
agents
(:func:`sim.calibrate.staffing.whole`, as without groups) shared out among the groups by
largest remainder, so the groups add up to the staffing a scenario without groups gets and
only the routing differs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.calibrate import staffing

SKILL_SHARE = 0.05


@dataclass(frozen=True)
class SkillGroup:
    """Agents with one set of log types, and their time-average number on duty."""

    name: str
    log_types: tuple[str, ...]
    agents: tuple[str, ...]
    answered: int  # calls the group's agents answered in the log
    on_duty: np.ndarray  # (dates, intervals) time-average agents on duty


def skills(calls: pd.DataFrame, share: float = SKILL_SHARE) -> dict[str, frozenset[str]]:
    """The log types each named agent serves, by the rule of the module's docstring.

    Raises ValueError unless 0 < ``share`` < 1.
    """
    if not 0 < share < 1:  # NaN too
        raise ValueError(f"skill share must be > 0 and < 1; got {share}")
    ans = calls[(calls["outcome"] == "answered") & (calls["agent"] != "")]
    n = pd.crosstab(ans["agent"], ans["call_type"])
    of_agent = n.div(n.sum(axis=1), axis=0)
    of_type = n.div(n.sum(axis=0), axis=1)
    serves = (of_agent >= share) | (of_type >= share)
    for t in n.columns:
        if not serves[t].any():
            serves.loc[n[t].idxmax(), t] = True
    return {str(a): frozenset(str(t) for t in n.columns[serves.loc[a].to_numpy()]) for a in n.index}


def apportion(total: np.ndarray, parts: np.ndarray) -> np.ndarray:
    """Whole counts per part (axis 0) summing to ``total`` in every cell: floors, then the
    rest to the largest remainders (ties to the earlier part).
    """
    low = np.floor(parts).astype(int)
    rest = total - low.sum(axis=0)
    order = np.argsort(-(parts - low), axis=0, kind="stable")
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.arange(parts.shape[0])[:, None, None], axis=0)
    return low + (rank < rest[None]).astype(int)


def skill_groups(
    calls: pd.DataFrame,
    sess: pd.DataFrame,
    dates: list[dt.date],
    share: float = SKILL_SHARE,
) -> list[SkillGroup]:
    """The groups of agents with the same skills, largest (by calls answered) first."""
    sk = skills(calls, share)
    ans = calls[(calls["outcome"] == "answered") & (calls["agent"] != "")]
    per_agent = ans["agent"].value_counts()
    by_set: dict[frozenset[str], list[str]] = {}
    for agent, types in sk.items():
        by_set.setdefault(types, []).append(agent)
    groups = []
    for types, agents in by_set.items():
        mine = sess[sess["agent"].isin(agents)]
        groups.append(
            SkillGroup(
                "-".join(sorted(types)),
                tuple(sorted(types)),
                tuple(sorted(agents)),
                int(per_agent[agents].sum()),
                staffing.on_duty(mine, dates),
            )
        )
    groups.sort(key=lambda g: (-g.answered, g.name))
    return groups


def whole_by_group(groups: list[SkillGroup], on_duty_total: np.ndarray) -> list[np.ndarray]:
    """Whole agents per group and interval, adding up to the whole total
    (:func:`~sim.calibrate.staffing.whole` of ``on_duty_total``).
    """
    parts = np.stack([g.on_duty for g in groups])
    shares = apportion(staffing.whole(on_duty_total), parts)
    return [shares[i] for i in range(len(groups))]


def rows_by_date(
    groups: list[SkillGroup], dates: list[dt.date], on_duty_total: np.ndarray
) -> list[list[list[int]]]:
    """Per group, whole agents per interval on every calendar day from the first log date to
    the last (a date without calls has nobody), adding up to the total's rows.
    """
    shares = whole_by_group(groups, on_duty_total)
    index = {d: i for i, d in enumerate(dates)}
    n_days = (dates[-1] - dates[0]).days + 1
    out = []
    for w in shares:
        rows = []
        for k in range(n_days):
            i = index.get(dates[0] + dt.timedelta(days=k))
            rows.append(w[i].tolist() if i is not None else [0] * w.shape[1])
        out.append(rows)
    return out


def rows_by_weekday(
    groups: list[SkillGroup], dates: list[dt.date], on_duty_total: np.ndarray
) -> list[list[list[int]]]:
    """Per group, whole agents per interval for Monday..Sunday: the log's same weekdays
    averaged, the whole total of the mean shared out as :func:`whole_by_group` does.
    """
    wd = np.array([d.weekday() for d in dates])
    n = on_duty_total.shape[1]
    out: list[list[list[int]]] = [[] for _ in groups]
    for w in range(7):
        here = wd == w
        if not here.any():
            for rows in out:
                rows.append([0] * n)
            continue
        parts = np.stack([g.on_duty[here].mean(axis=0) for g in groups])[:, None, :]
        total = staffing.whole(on_duty_total[here].mean(axis=0))[None, :]
        shares = apportion(total, parts)
        for rows, s in zip(out, shares, strict=True):
            rows.append(s[0].tolist())
    return out
