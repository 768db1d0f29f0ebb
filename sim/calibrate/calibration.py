"""Every fit of one log, in one value: what ``helpline calibrate`` writes and reports.

Call types are the log's types split by priority class where a type has more than one (``PS_p0``
for the bank's priority customers, ``PS_p1`` for the others); talk time is fitted per log type
(priority does not change the conversation), patience per call type (falling back to the log
type, then to all attempts, when a group has fewer than ``MIN_EVENTS`` abandonments), redials
on all identified callers together. The queue discipline is "priority" only when the
higher-priority class waited clearly less (ASA under half the others'); otherwise "fifo".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.calibrate import staffing
from sim.calibrate.demand import (
    ArrivalFit,
    RedialFit,
    fit_arrivals,
    fit_redials,
    mark_redials,
)
from sim.calibrate.fits import PatienceFit, TalkFit, fit_patience, fit_talk
from sim.calibrate.logs import CallLog

MIN_EVENTS = 30
SERVICE_LEVEL_S = 20.0


@dataclass(frozen=True)
class Observed:
    """The log's own summary, by the definitions in docs/calibration.md."""

    attempts: int
    answered: int
    abandoned: int
    blocked: int
    abandon_rate: float  # abandoned / (answered + abandoned)
    abandon_rate_queued: float  # abandoned with a wait > 0 / attempts that waited
    asa_s: float
    service_level: float  # answered within 20 s / answered
    talk_mean_s: float
    daily_cv: float  # of all attempts per day, the busiest five weekdays


def observed(calls: pd.DataFrame, sl_s: float = SERVICE_LEVEL_S) -> Observed:
    """The log's own summary figures: answered, abandoned, ASA and service level at ``sl_s``."""
    ans = calls["outcome"] == "answered"
    ab = calls["outcome"] == "abandoned"
    waited = calls["wait_s"] > 0
    vol = calls["arrived"].dt.date.value_counts()
    wd = np.array([d.weekday() for d in vol.index])
    means = pd.Series(vol.to_numpy()).groupby(wd).mean()
    busiest = means.sort_values(ascending=False).index[:5]
    big = vol.to_numpy()[np.isin(wd, busiest)]
    return Observed(
        len(calls),
        int(ans.sum()),
        int(ab.sum()),
        int((calls["outcome"] == "blocked").sum()),
        float(ab.sum() / max((ans | ab).sum(), 1)),
        float((ab & waited).sum() / max(waited.sum(), 1)),
        float(calls.loc[ans, "wait_s"].mean()),
        float((calls.loc[ans, "wait_s"] <= sl_s).mean()),
        float(calls.loc[calls["talk_usable"], "talk_s"].mean()),
        float(big.std(ddof=1) / big.mean()) if big.size > 1 else float("nan"),
    )


@dataclass(frozen=True)
class CallTypeFit:
    """The fitted talk time, patience and share of one call type, with the log type it came from."""

    name: str
    log_type: str
    priority: int
    first_dials: int
    share: float
    talk_from: str  # the log type whose talk fit is used
    patience: PatienceFit | None
    patience_from: str  # "NAME", "log type T" or "all attempts"


@dataclass(frozen=True)
class Calibration:
    """Everything fitted from one call log: demand, call types, staffing, observed figures."""

    log: CallLog
    marked: pd.DataFrame  # the attempts with redial marks
    observed: Observed
    arrivals: ArrivalFit
    talk: dict[str, TalkFit]  # by log type
    types: list[CallTypeFit]
    patience_all: PatienceFit | None  # all attempts together
    redial_abandon: RedialFit | None
    redial_busy: RedialFit | None
    discipline: str
    discipline_reason: str
    wrap_up_s: np.ndarray  # agents' wrap-up sample (staffing.wrap_up_sample)
    on_duty: np.ndarray  # (dates, 48) time-average agents on duty
    busy: np.ndarray  # (dates, 48) time-average agents talking
    dates: list[dt.date]
    sessions: pd.DataFrame | None = None  # the agents' stretches on duty (staffing.estimate)
    staffing_estimator: str = staffing.ESTIMATORS[0]  # which estimator gave on_duty

    @property
    def hidden_redials(self) -> float:
        """Redials of unidentified callers, which stay among the first dials: their abandons
        times the identified callers' redial share.
        """
        rd = self.redial_abandon
        if rd is None:
            return 0.0
        m = self.marked
        return rd.share * float(((m["caller"] == "") & (m["outcome"] == "abandoned")).sum())

    @property
    def callers_per_day(self) -> float:
        """First dials per day less the hidden redials (the model redials those callers)."""
        return self.arrivals.callers_per_day - self.hidden_redials / len(self.dates)

    def staffing_by_date(self) -> list[list[int]]:
        """Whole agents per half hour on every calendar day from the log's first date to its
        last (a date without calls has nobody on duty): the log's own roster, for trace arrivals.
        """
        index = {d: i for i, d in enumerate(self.dates)}
        n_days = (self.dates[-1] - self.dates[0]).days + 1
        rows = []
        for k in range(n_days):
            i = index.get(self.dates[0] + dt.timedelta(days=k))
            rows.append(staffing.whole(self.on_duty[i]).tolist() if i is not None else [0] * 48)
        return rows

    def staffing_by_weekday(self) -> list[list[int]]:
        """Whole agents per half hour for Monday..Sunday: the mean of the log's same weekdays."""
        wd = np.array([d.weekday() for d in self.dates])
        rows = []
        for w in range(7):
            here = self.on_duty[wd == w]
            rows.append(staffing.whole(here.mean(axis=0)).tolist() if here.size else [0] * 48)
        return rows


def type_names(calls: pd.DataFrame) -> pd.Series:
    """The scenario call-type name of each attempt: its log type, split by priority class
    where the type has more than one.
    """
    classes = calls.groupby("call_type")["priority"].nunique()
    multi = calls["call_type"].map(classes) > 1
    return calls["call_type"].where(
        ~multi, calls["call_type"] + "_p" + calls["priority"].astype(str)
    )


def calibrate(log: CallLog, staffing_estimator: str = staffing.ESTIMATORS[0]) -> Calibration:
    """Fit everything the scenario needs from ``log``; agents on duty by ``staffing_estimator``
    (one of :data:`sim.calibrate.staffing.ESTIMATORS`).
    """
    calls = log.calls
    marked = mark_redials(calls)
    marked["scenario_type"] = type_names(marked)
    arrivals = fit_arrivals(marked)
    talk = {
        t: fit_talk(g.loc[g["talk_usable"], "talk_s"].to_numpy())
        for t, g in calls.groupby("call_type", sort=True)
        if g["talk_usable"].sum() >= 1
    }
    pooled_talk = fit_talk(calls.loc[calls["talk_usable"], "talk_s"].to_numpy())
    talk.setdefault("*", pooled_talk)

    def patience(group: pd.DataFrame) -> PatienceFit | None:
        fit = fit_patience(group["wait_s"].to_numpy(), (group["outcome"] == "abandoned").to_numpy())
        return fit if fit is not None and fit.n_events >= MIN_EVENTS else None

    all_patience = fit_patience(
        calls["wait_s"].to_numpy(), (calls["outcome"] == "abandoned").to_numpy()
    )
    by_log_type = {t: patience(g) for t, g in marked.groupby("call_type")}
    first = marked[~marked["redial"]]
    types = []
    for name, g in marked.groupby("scenario_type", sort=True):
        log_type = str(g["call_type"].iloc[0])
        p, src = patience(g), str(name)
        if p is None and by_log_type.get(log_type) is not None:
            p, src = by_log_type[log_type], f"log type {log_type}"
        if p is None:
            p, src = all_patience, "all attempts"
        n_first = int((first["scenario_type"] == name).sum())
        types.append(
            CallTypeFit(
                str(name),
                log_type,
                int(g["priority"].iloc[0]),
                n_first,
                n_first / max(len(first), 1),
                log_type if log_type in talk else "*",
                p,
                src,
            )
        )
    ans = calls[calls["outcome"] == "answered"]
    asa = ans.groupby("priority")["wait_s"].mean()
    discipline, why = "fifo", "one priority class in the log"
    if asa.size > 1:
        top, rest = asa.iloc[0], ans.loc[ans["priority"] != asa.index[0], "wait_s"].mean()
        if top < 0.5 * rest:
            discipline = "priority"
        why = (
            f"ASA of priority {asa.index[0]} {top:.0f} s against {rest:.0f} s for the others: "
            + ("answered first" if discipline == "priority" else "no sign of priority in the queue")
        )
    dates = log.dates
    sess = staffing.estimate(calls, staffing_estimator)
    return Calibration(
        log,
        marked,
        observed(calls),
        arrivals,
        talk,
        types,
        all_patience,
        fit_redials(marked, "abandoned"),
        fit_redials(marked, "blocked"),
        discipline,
        why,
        staffing.wrap_up_sample(calls),
        staffing.on_duty(sess, dates),
        staffing.busy(calls, dates),
        dates,
        sess,
        staffing_estimator,
    )
