"""The scenario file a calibration writes: the project's own syntax, a source on every fitted key.

Arrivals three ways (docs/calibration.md): ``fitted`` (profile mode: callers per day, a profile
per weekday, day-of-week factors, daily CV; redials from ``[call_types.NAME.redial]``), ``trace``
(every attempt of the log at its own instant) and ``bootstrap`` (the log's days, resampled). The
last two replay attempts, redials included, so they switch the model's redials off.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np
import pandas as pd

from sim.calibrate import skills, staffing
from sim.calibrate.calibration import SERVICE_LEVEL_S, Calibration
from sim.calibrate.demand import SPREAD_MOST, ArrivalFit, RedialFit
from sim.calibrate.fits import EMPIRICAL_POINTS, Fit
from sim.calibrate.staffing import WRAP_MAX_S, WRAP_POINTS
from sim.calibrate.toml_text import Document, Exact

ARRIVAL_MODES = ("fitted", "trace", "bootstrap")


#: Call-type shares are written in millionths, summing to exactly this.
SHARE_UNITS = 1_000_000


def _at_most(fit: RedialFit) -> str:
    """A note when a redial delay's spread is at the most a scenario takes."""
    if fit.log_sd < SPREAD_MOST:
        return ""
    return "; log_sd at the most a scenario takes (the gaps within 1 h do not bound it)"


def _ci(lo: float, hi: float, fmt: str = ".4g") -> str:
    return f"95% CI {lo:{fmt}} to {hi:{fmt}}"


def _fit_note(fit: Fit) -> str:
    parts = [f"{k} {v:.4g} ({_ci(*fit.ci[k])})" for k, v in fit.params.items()]
    return "; ".join(parts) + f"; mean {fit.mean_s:.4g} s ({_ci(*fit.mean_ci_s)})"


def seconds_of(times: pd.Series, start: dt.date) -> np.ndarray:
    """Seconds of date-times from midnight of ``start``."""
    return ((times - pd.Timestamp(start)).dt.total_seconds()).to_numpy()


def arrivals_raw(
    marked: pd.DataFrame,
    mode: str,
    dates: list[dt.date],
    fit: ArrivalFit | None = None,
    with_types: bool = True,
) -> dict[str, Any]:
    """The raw ``[arrivals]`` table of ``mode``: ``fitted`` from ``fit``; ``trace`` the
    attempts of ``dates`` (instants from the first date's midnight); ``bootstrap`` every day
    of ``marked``. ``with_types`` names each caller's call type (``scenario_type``).
    """
    if mode == "fitted":
        assert fit is not None
        a = fit
        return {
            "mode": "profile",
            "callers_per_day": float(a.callers_per_day),
            "profile": [[round(float(x), 6) for x in a.weekday_profile(w)] for w in range(7)],
            "day_of_week": [round(float(x), 5) for x in a.day_of_week],
            "daily_cv": round(float(a.daily_cv), 5),
        }
    day_of = marked["arrived"].dt.date
    if mode == "trace":
        chosen = marked[day_of.isin(dates)]
        out: dict[str, Any] = {
            "mode": "trace",
            "first_dial_s": [round(float(x), 3) for x in seconds_of(chosen["arrived"], dates[0])],
        }
        if with_types:
            out["call_type"] = chosen["scenario_type"].astype(str).tolist()
        return out
    days = []
    for d, g in marked.groupby(day_of, sort=True):
        day: dict[str, Any] = {
            "date": d,
            "first_dial_s": [round(float(x), 3) for x in seconds_of(g["arrived"], d)],
        }
        if with_types:
            day["call_type"] = g["scenario_type"].astype(str).tolist()
        days.append(day)
    return {"mode": "bootstrap", "same_weekday": True, "days": days}


def staff_raw(rows: list[list[int]], by_date: bool = False) -> dict[str, Any]:
    """``[staff]`` in interval mode from whole agents per half hour: one or seven lists
    (weekdays), or with ``by_date`` one list per date of the horizon.
    """
    most = max(max(r) for r in rows)
    if most == 0:  # nobody on duty at all: one seat, one agent in the first interval
        rows = [[1, *r[1:]] for r in rows]
        most = 1
    return {
        "mode": "interval",
        "seats": max(most, 1),
        "allow_uncovered_hours": True,
        "interval": {
            "minutes": 30,
            **({"by": "date"} if by_date else {}),
            "call_takers": rows if len(rows) > 1 else rows[0],
            "escalation": [[0] * len(r) for r in rows] if len(rows) > 1 else [0] * len(rows[0]),
        },
    }


def scenario_text(
    cal: Calibration,
    name: str,
    mode: str = "fitted",
    replications: int = 10,
    skill_share: float | None = None,
) -> str:
    """The whole scenario file for ``cal``; with ``skill_share``, call-takers in skill groups
    estimated from the agent ids by that share (:mod:`sim.calibrate.skills`).
    """
    log, a, obs = cal.log, cal.arrivals, cal.observed
    src = f"fitted from {log.name}"
    n_days = (cal.dates[-1] - cal.dates[0]).days + 1
    first = int((~cal.marked["redial"]).sum())
    doc = Document()
    doc.comment(
        f"Scenario calibrated from the call log {log.name} ({log.format} format) by "
        f"`helpline calibrate`.\n{obs.attempts:,} attempts ({first:,} first dials) on "
        f"{len(cal.dates)} days, "
        f"{cal.dates[0]} to {cal.dates[-1]}; {log.ignored} rows were not attempts.\n"
        f"The log's own figures: abandonment {obs.abandon_rate:.1%} of attempts, ASA "
        f"{obs.asa_s:.1f} s, "
        f"{obs.service_level:.1%} answered within {SERVICE_LEVEL_S:g} s, mean talk "
        f"{obs.talk_mean_s:.1f} s.\n"
        "Methods and their limits: docs/calibration.md."
    )
    doc.table("scenario")
    doc.key("name", name)
    doc.key("description", f"Calibrated from {log.name} ({mode} arrivals)")
    doc.table("horizon")
    doc.key("days", n_days, f"the log's days, {cal.dates[0]} to {cal.dates[-1]}")
    doc.key("warmup_days", 0, "the log starts from a quiet night, so nothing is cut")
    doc.key("start_date", cal.dates[0])
    doc.key("replications", replications)
    doc.key("end", "drain")

    doc.table("arrivals", f"Arrivals: {mode} (docs/calibration.md, 'Arrivals three ways').")
    raw = arrivals_raw(cal.marked, mode, cal.dates, cal.arrivals)
    if mode == "fitted":
        doc.key("mode", "profile")
        doc.key(
            "callers_per_day",
            round(cal.callers_per_day, 2),
            f"{src}: first dials per day, n = {first} over {len(cal.dates)} days, "
            + _ci(*a.callers_per_day_ci, ".1f")
            + f", less {cal.hidden_redials:.0f} redials of unidentified callers (estimated)",
        )
        doc.key(
            "profile",
            raw["profile"],
            f"{src}: share of each weekday's first dials per half hour from 00:00, Monday..Sunday "
            f"({', '.join(str(int(n)) for n in a.counts.sum(axis=1))} first dials); "
            "Poisson 95% bands in the calibration report",
        )
        doc.key(
            "day_of_week",
            raw["day_of_week"],
            f"{src}: mean first dials of each weekday / mean of all "
            f"({a.weekday_days.tolist()} days)",
        )
        doc.key(
            "daily_cv",
            raw["daily_cv"],
            f"{src}: day-to-day CV beyond weekday and Poisson, n = {len(cal.dates)} days, "
            + _ci(*a.daily_cv_ci, ".3f")
            + f" (raw CV of the five busiest weekdays' volumes {a.raw_cv_weekdays:.3f})",
        )
    elif mode == "trace":
        doc.key("mode", "trace", "every attempt of the log, redials included, at its own instant")
        doc.key("first_dial_s", raw["first_dial_s"])
        doc.key("call_type", raw["call_type"])
    else:
        doc.key("mode", "bootstrap", "each simulated day replays a log day of the same weekday")
        doc.key("same_weekday", True)
        for day in raw["days"]:
            doc.array_table("arrivals.days")
            doc.key("date", day["date"])
            doc.key("first_dial_s", day["first_dial_s"])
            doc.key("call_type", day["call_type"])

    rd = cal.redial_abandon
    # Millionths by largest remainder, written in full: rounded one by one (to 5 significant
    # digits), seven shares missed 1 by more than the loader allows (1e-6): no file to load.
    millionths = skills.apportion(
        np.array([[SHARE_UNITS]]),
        np.array([t.share * SHARE_UNITS for t in cal.types])[:, None, None],
    )[:, 0, 0]
    for t, units in zip(cal.types, millionths, strict=True):
        doc.table(f"call_types.{t.name}", f"log type {t.log_type}, priority class {t.priority}")
        share = Exact(int(units) / SHARE_UNITS)  # in full: the shares must sum to 1 in the file
        doc.key("share", share, f"{src}: {t.first_dials} of {first} first dials")
        doc.key("priority", t.priority, "as in the log (lower is answered first)")
        talk = cal.talk[t.talk_from]
        chosen = talk.chosen
        if chosen == "empirical":
            note = f"{src}: empirical, {talk.reason}"
        else:
            fit = talk.fits[chosen]
            note = (
                f"{src}: {chosen} by ML, n = {talk.n} talk times of type {t.talk_from}, "
                f"KS {fit.ks:.3f}; {_fit_note(fit)}; log mean {talk.sample_mean_s:.4g} s; "
                f"chosen: {talk.reason}"
            )
        doc.key("talk", talk.scenario_dist(), note)
        wrap = cal.wrap_up_s
        points = staffing.after_call_samples_s(wrap)
        if points is not None:
            doc.key(
                "after_call",
                {"dist": "empirical", "samples_s": points},
                f"{src}: agents' wrap-up, the gap from a hang-up to the agent's next answer while "
                f"a caller waited, up to {WRAP_MAX_S:g} s; n = {wrap.size}, mean "
                f"{wrap.mean():.1f} s, "
                f"empirical ({WRAP_POINTS} quantiles; all call types together)",
            )
        else:
            doc.key("after_call", 0, f"too few wrap-up gaps in the log ({wrap.size})")
        if t.patience is None:
            doc.key("patience", "inf", "too few abandonments in the log to fit patience")
        else:
            p = t.patience
            fit = p.fits[p.chosen]
            cap = float(cal.log.calls["wait_s"].max())
            doc.key(
                "patience",
                p.scenario_dist(cap),
                f"{src} ({t.patience_from}): {p.n_events} abandonments (events), {p.n_censored} "
                f"answers after a wait (censored); hang-up at once {p.p_zero:.3f} "
                f"({_ci(*p.p_zero_ci, '.3f')}); positive part {p.chosen} by censored ML "
                f"(AIC {fit.aic:.0f} against "
                + ", ".join(f"{f.family} {f.aic:.0f}" for f in p.fits.values() if f is not fit)
                + f"): {_fit_note(fit)}; written as {EMPIRICAL_POINTS} quantiles of the fit cut "
                f"at the longest wait in the log, {cap:.0f} s (longer patience is not identified)",
            )
        doc.table(f"call_types.{t.name}.redial")
        if mode != "fitted":
            doc.key("after_abandon", 0.0, "the replayed attempts already hold the log's redials")
        elif rd is not None:
            doc.key(
                "after_abandon",
                round(rd.share, 4),
                f"{src}: identified callers who called again within 1 h of abandoning, "
                f"{rd.n_redials} of {rd.n_failed}, " + _ci(*rd.share_ci, ".3f"),
            )
            doc.key("decay", 1.0, "not fitted: one share for every attempt")
            if not math.isnan(rd.log_mu):
                doc.key(
                    "delay_after_abandon",
                    {
                        "dist": "lognormal",
                        "median_s": round(rd.median_s, 1),
                        "log_sd": round(rd.log_sd, 4),
                    },
                    f"{src}: hang-up to redial, n = {rd.n_redials} gaps up to 1 h, lognormal by ML "
                    f"truncated at 1 h; median {_ci(*rd.median_ci_s, '.0f')} s" + _at_most(rd),
                )
        rb = cal.redial_busy
        if mode == "fitted" and rb is not None and not math.isnan(rb.log_mu):
            doc.key("after_busy", round(rb.share, 4), f"{src}: {rb.n_redials} of {rb.n_failed}")
            doc.key(
                "delay_after_busy",
                {
                    "dist": "lognormal",
                    "median_s": round(rb.median_s, 1),
                    "log_sd": round(rb.log_sd, 4),
                },
                f"{src}: busy tone to redial, n = {rb.n_redials}" + _at_most(rb),
            )

    doc.table("lines")
    doc.key("count", math.inf, "the log records no busy tones: lines never bound")
    doc.table("queue")
    doc.key("discipline", cal.discipline, f"{src}: {cal.discipline_reason}")
    by_date = mode == "trace"
    staff = staff_raw(cal.staffing_by_date() if by_date else cal.staffing_by_weekday(), by_date)
    which = (
        "on each date of the log (trace arrivals replay the log's own days)"
        if by_date
        else "Monday..Sunday, the mean of the log's same weekdays rounded"
    )
    doc.table(
        "staff",
        f"{src}: agents on duty per half hour, {which}; estimator: "
        f"{staffing.describe(cal.staffing_estimator)} (docs/calibration.md)",
    )
    doc.key("mode", "interval")
    doc.key("seats", staff["seats"], "the most agents on duty at once")
    doc.key("allow_uncovered_hours", True, "the centre is closed at night")
    doc.table("staff.interval")
    doc.key("minutes", 30)
    if by_date:
        doc.key("by", "date", f"one list per date from {cal.dates[0]}")
    if skill_share is None:
        doc.key("call_takers", staff["interval"]["call_takers"])
    doc.key("escalation", staff["interval"]["escalation"], "the log has no escalation")
    if skill_share is not None:
        _groups(doc, cal, skill_share, by_date, src)
    doc.table("money")
    doc.key("enabled", False, "a call log holds no fraud losses")
    doc.table("targets")
    doc.key("service_level_s", SERVICE_LEVEL_S)
    return doc.text()


def _groups(doc: Document, cal: Calibration, share: float, by_date: bool, src: str) -> None:
    """``[[staff.groups]]``: the agents' skill groups and each one's share of the staffing."""
    calls = cal.log.calls
    sess = (
        cal.sessions
        if cal.sessions is not None
        else staffing.estimate(calls, cal.staffing_estimator)
    )
    groups = skills.skill_groups(calls, sess, cal.dates, share)
    how = skills.rows_by_date if by_date else skills.rows_by_weekday
    rows = how(groups, cal.dates, cal.on_duty)
    ans = calls[(calls["outcome"] == "answered") & (calls["agent"] != "")]
    for g, g_rows in zip(groups, rows, strict=True):
        mine = ans[ans["agent"].isin(g.agents)]["call_type"].value_counts(normalize=True)
        mix = ", ".join(f"{t} {mine.get(t, 0.0):.0%}" for t in g.log_types)
        doc.array_table("staff.groups")
        doc.comment(
            f"{src}: agents {', '.join(g.agents)} ({g.answered} answered calls: {mix}); an "
            f"agent serves a log type that is at least {share:.0%} of their answered calls, "
            f"or of whose answered calls they took at least {share:.0%} (docs/calibration.md)"
        )
        doc.key("name", g.name)
        doc.key(
            "serves",
            [t.name for t in cal.types if t.log_type in g.log_types],
            "every call type of these log types",
        )
        doc.key(
            "call_takers",
            g_rows,
            "the group's time-average agents on duty per half hour, the whole total of all "
            "agents shared out by largest remainder",
        )
