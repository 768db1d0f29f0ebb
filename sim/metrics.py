"""Metrics from records: one summary per replication, then means with 95% CIs.

Conventions (DOMAIN.md section 5):

* attempt metrics count attempts that *arrive* in the window [warm-up end,
  horizon end); caller metrics count callers whose *first dial* is in it;
* two service-level conventions: ``service_level`` = answered attempts with
  wait <= the threshold / answered attempts (abandoned and blocked attempts
  are not in the denominator; the abandon rate is reported beside it), and
  ``service_level_offered`` = the same / every offered attempt (answered,
  abandoned or blocked: abandoned and blocked count as misses), as WFM suites
  and pyworkforce report it; likewise ``asa_s`` (answered) and
  ``wait_mean_s`` (everyone who got a line and waited, abandoned included);
* ``abandon_rate`` = abandoned / (answered + abandoned); ``block_rate`` =
  blocked / attempts;
* reporting-delay percentiles are over registered complaints; complaint
  callers never registered are counted in ``not_registered_share`` and miss
  the golden hour in ``golden_hour_share``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim import attainment, binding, channels, journey, officers
from sim.core.intervals import overlap_s
from sim.core.records import (
    ABANDONED,
    ANSWERED,
    BLOCKED,
    GAVE_UP,
    IN_SERVICE,
    TRYING,
    WAITING,
    Records,
)
from sim.core.roster import CALL_TAKER
from sim.scenario.values import DAY_S

#: Every metric of a replication summary: name -> (unit, description).
METRICS: dict[str, tuple[str, str]] = {
    "callers": ("callers", "callers whose first dial is in the window (offered)"),
    "callers_per_day": ("callers/day", "offered callers per day of the window"),
    "attempts": ("attempts", "dials (first dials and redials) arriving in the window"),
    "answered": ("attempts", "attempts that reached a call-taker"),
    "abandoned": ("attempts", "attempts that hung up while waiting"),
    "blocked": ("attempts", "attempts that found no free line (busy tone)"),
    "in_system": ("attempts", "attempts still waiting at the end of the run"),
    "gave_up": ("callers", "callers who stopped redialling without an answer"),
    "still_trying": ("callers", "callers neither answered nor given up at the end of the run"),
    "callers_answered": ("callers", "callers answered on some attempt"),
    "callers_in_service": (
        "callers",
        "callers answered whose talk, escalation or after-call work was still under way "
        'when the run stopped (end = "cut"); part of callers_answered',
    ),
    "service_level": (
        "share",
        "answered attempts with wait <= targets.service_level_s / answered attempts",
    ),
    "service_level_offered": (
        "share",
        "answered attempts with wait <= targets.service_level_s / offered attempts "
        "(answered + abandoned in the queue + blocked)",
    ),
    "asa_s": ("s", "average speed of answer: mean wait of answered attempts"),
    "wait_mean_s": (
        "s",
        "mean wait of every attempt that got a line (answered or abandoned, to the hang-up)",
    ),
    "wait_p50_s": ("s", "median wait of answered attempts"),
    "wait_p90_s": ("s", "90th percentile wait of answered attempts"),
    "abandon_rate": (
        "share",
        "abandoned in the queue / (answered + abandoned in the queue) attempts (hang-ups in "
        "the language menu are in menu_abandon_share)",
    ),
    "block_rate": ("share", "blocked / all attempts"),
    "attempts_per_caller": ("attempts/caller", "attempts per offered caller"),
    "gave_up_rate": ("share", "callers who gave up / callers"),
    "agent_occupancy": (
        "share",
        "call-taker busy time (talk, escalation, after-call work) / logged-in time",
    ),
    "line_occupancy": (
        "share",
        "line-busy time (waiting and talking) / (lines x window); NaN with unlimited lines",
    ),
    "escalation_wait_mean_s": ("s", "mean wait for an officer of escalated attempts"),
    "overtime_h_per_day": ("h/day", "call-taker and officer time past shift end, per day"),
    "complaints": ("callers", "complaint callers in the window"),
    "registered": ("callers", "complaint callers registered"),
    "not_registered_share": (
        "share",
        "complaint callers never registered (gave up, still trying, or in service when the "
        "run stopped) / complaint callers",
    ),
    "reporting_delay_p50_min": ("min", "median fraud-to-registration delay, registered complaints"),
    "reporting_delay_p90_min": ("min", "90th percentile reporting delay, registered complaints"),
    "victim_delay_p50_min": ("min", "median fraud-to-first-dial delay, registered complaints"),
    "access_delay_mean_min": ("min", "mean first-dial-to-answer delay, registered complaints"),
    "access_delay_p90_min": ("min", "90th percentile access delay, registered complaints"),
    "handling_mean_min": ("min", "mean answer-to-registration time, registered complaints"),
    "golden_hour_share": (
        "share",
        "complaints registered within targets.golden_hour_min of the fraud / all complaint callers",
    ),
    "golden_hour_ceiling": (
        "share",
        "complaint callers whose first dial came within targets.golden_hour_min of the fraud / "
        "all complaint callers: the golden-hour share victim delay alone allows",
    ),
    "money_held_share": (
        "share",
        "money still held at registration / money lost, all complaint "
        "callers (NaN if money is disabled)",
    ),
}


METRICS.update(attainment.METRICS)
METRICS.update(binding.METRICS)
METRICS.update(journey.METRICS)
METRICS.update(channels.METRICS)
METRICS.update(officers.METRICS)

#: What ``helpline run`` prints (and ``compare`` by default): section title -> its metrics, in
#: order. Every metric of :data:`METRICS` is here or in :data:`HIDDEN` (a test checks it).
SHOWN: dict[str, tuple[str, ...]] = {
    "Demand": ("callers", "callers_per_day", "attempts", "attempts_per_caller"),
    "Access": (
        "answered",
        "abandoned",
        "blocked",
        "in_system",
        "gave_up",
        "still_trying",
        "callers_answered",
        "callers_in_service",
        "service_level",
        "service_level_offered",
        "asa_s",
        "wait_mean_s",
        "wait_p50_s",
        "wait_p90_s",
        "abandon_rate",
        "block_rate",
        "gave_up_rate",
    ),
    "Capacity": (
        "call_takers_present_mean",
        "call_takers_on_duty_mean",
        "call_takers_logged_in_mean",
        "call_takers_on_break_mean",
        "call_takers_without_seat_mean",
        "agent_occupancy",
        "line_occupancy",
        "escalation_wait_mean_s",
        "overtime_h_per_day",
    ),
    "Reporting delay (complaints)": (
        "complaints",
        "registered",
        "not_registered_share",
        "not_completed_share",
        "reporting_delay_p50_min",
        "reporting_delay_p90_min",
        "victim_delay_p50_min",
        "access_delay_mean_min",
        "access_delay_p90_min",
        "handling_mean_min",
        "golden_hour_share",
        "golden_hour_ceiling",
        "money_held_share",
    ),
    "What binds": (
        "all_lines_busy_share",
        "all_seats_taken_share",
        "all_call_takers_busy_share",
        "without_seat_share",
        "all_officers_busy_share",
        "peak_lines_bind_share",
        "peak_seats_bind_share",
        "peak_people_bind_share",
    ),
    "Menu and callbacks": (
        "menu_mean_s",
        "menu_abandon_share",
        "callbacks_offered_share",
        "callbacks_accepted_share",
        "callbacks_completed_share",
        "callbacks_failed_share",
        "callback_delay_mean_min",
        "callback_delay_p90_min",
    ),
    "Against targets": (
        "targets_met_interval_share",
        "targets_met_day_share",
        "worst_interval_met_share",
    ),
    "Deferred work (portal, social media)": (
        "deferred_items",
        "deferred_items_per_day",
        "deferred_replied",
        "deferred_unanswered",
        "deferred_within_target_share",
        "deferred_reply_p50_min",
        "deferred_reply_p90_min",
        "deferred_reply_p95_min",
        "deferred_occupancy",
    ),
    "Portal step": (
        "portal_completed_share",
        "portal_delay_p50_min",
        "portal_delay_p90_min",
    ),
    "Officers": (
        "escalations",
        "escalation_abandon_share",
        "officer_occupancy",
        "supervisor_escalations_share",
        "supervisor_occupancy",
        "supervision_share",
        "supervisors_on_duty_mean",
    ),
}

#: Metrics computed (in summary.json, the tables and ``compare --metric``) but deliberately not
#: printed by ``helpline run``: name -> why. None today: every metric has its line.
HIDDEN: dict[str, str] = {}


def shown_metrics() -> list[str]:
    """Every printed metric, section by section, in order."""
    return [m for names in SHOWN.values() for m in names]


def t_quantile(dof: float, p: float) -> float:
    """Student's t quantile with ``dof`` degrees of freedom (``scipy.stats.t.ppf``): scipy
    loads on the first call, so a run of one replication never imports it.
    """
    from scipy.special import stdtrit  # what t.ppf calls, without importing scipy.stats

    return float(stdtrit(dof, p))


def normal_quantile(p: float) -> float:
    """The standard normal quantile (``scipy.stats.norm.ppf``), scipy loaded when first asked."""
    from scipy.special import ndtri  # what norm.ppf calls

    return float(ndtri(p))


def _pct(x: np.ndarray, q: float) -> float:
    return float(np.percentile(x, q)) if x.size else math.nan


def _mean(x: np.ndarray) -> float:
    return float(np.mean(x)) if x.size else math.nan


def _ratio(num: float, den: float) -> float:
    return num / den if den else math.nan


def summarize(rec: Records, tables: Mapping[str, pd.DataFrame] | None = None) -> dict[str, float]:
    """Metrics of one replication (see :data:`METRICS`), from its records.

    ``tables`` may hold the replication's ``targets_by_interval``, ``targets_by_day`` and
    ``binding_by_interval`` tables already built, which the attainment and binding metrics
    then read instead of building them.
    """
    sc = rec.scenario
    lo, hi = rec.window_s
    days = (hi - lo) / DAY_S
    a = rec.attempt
    arrived = a["arrived_at_s"]
    win = (arrived >= lo) & (arrived < hi)
    if sc.callbacks.enabled:  # attempt metrics count the callers' own dials
        win &= rec.own_dial
    out = a["outcome"][win]
    n_ans = int(np.sum(out == ANSWERED))
    n_ab = int(np.sum(out == ABANDONED))
    # Hang-ups in the language menu never reached the queue: abandon_rate and the offered
    # service level leave them out, as a call-centre switch reports them (menu_abandon_share).
    n_ab_queue = n_ab - int(np.sum(rec.menu_abandoned[win])) if sc.has_menu else n_ab
    n_bl = int(np.sum(out == BLOCKED))
    ans = win & (a["outcome"] == ANSWERED)
    wait = rec.wait_s[ans]
    c = rec.caller
    cw = (c["first_dial_at_s"] >= lo) & (c["first_dial_at_s"] < hi)
    c_out = c["outcome"][cw]
    n_callers = int(cw.sum())
    m: dict[str, float] = {
        "callers": n_callers,
        "callers_per_day": n_callers / days,
        "attempts": int(win.sum()),
        "answered": n_ans,
        "abandoned": n_ab,
        "blocked": n_bl,
        "in_system": int(np.sum(out == WAITING)),
        "gave_up": int(np.sum(c_out == GAVE_UP)),
        "still_trying": int(np.sum(c_out == TRYING)),
        "callers_answered": int(np.sum((c_out == ANSWERED) | (c_out == IN_SERVICE))),
        "callers_in_service": int(np.sum(c_out == IN_SERVICE)),
        "service_level": _ratio(float(np.sum(wait <= sc.targets.service_level_s)), n_ans),
        "service_level_offered": _ratio(
            float(np.sum(wait <= sc.targets.service_level_s)), n_ans + n_ab_queue + n_bl
        ),
        "asa_s": _mean(wait),
        "wait_mean_s": _mean(_line_waits(rec, win)),
        "wait_p50_s": _pct(wait, 50),
        "wait_p90_s": _pct(wait, 90),
        "abandon_rate": _ratio(n_ab_queue, n_ans + n_ab_queue),
        "block_rate": _ratio(n_bl, int(win.sum())),
        "attempts_per_caller": _ratio(int(win.sum()), n_callers),
        "gave_up_rate": _ratio(int(np.sum(c_out == GAVE_UP)), n_callers),
    }
    # Occupancy: facts clipped to the window.
    stop = rec.stop_s
    _, work_start, work_end = rec.taker_work
    busy = overlap_s(work_start, work_end, lo, hi)
    s = rec.session
    taker = s["role"] == CALL_TAKER
    logged = overlap_s(s["login_at_s"][taker], s["logout_at_s"][taker], lo, hi)
    m["agent_occupancy"] = _ratio(busy, logged)
    held = a["outcome"] != BLOCKED
    line_end = np.nan_to_num(a["line_released_at_s"], nan=stop)
    line_busy = overlap_s(arrived[held], line_end[held], lo, hi)
    m["line_occupancy"] = (
        _ratio(line_busy, sc.lines * (hi - lo)) if sc.lines is not None else math.nan
    )
    esc = win & ~np.isnan(a["escalation_started_at_s"])
    m["escalation_wait_mean_s"] = _mean(
        a["escalation_started_at_s"][esc] - a["escalation_requested_at_s"][esc]
    )
    m["overtime_h_per_day"] = (
        float(np.sum(s["overtime_s"][(s["logout_at_s"] >= lo) & (s["logout_at_s"] < hi)]))
        / 3600
        / days
    )
    # Reporting delay of complaints.
    comp = cw & rec.complaint
    reg = c["registered_at_s"]
    reported = rec.reported_at_s  # golden hour and money held count to this instant
    registered = comp & ~np.isnan(reg)
    delay = reg[registered] - c["fraud_at_s"][registered]
    access = c["answered_at_s"][registered] - c["first_dial_at_s"][registered]
    n_comp = int(comp.sum())
    m.update(
        {
            "complaints": n_comp,
            "registered": int(registered.sum()),
            "not_registered_share": _ratio(n_comp - int(registered.sum()), n_comp),
            "reporting_delay_p50_min": _pct(delay, 50) / 60,
            "reporting_delay_p90_min": _pct(delay, 90) / 60,
            "victim_delay_p50_min": _pct(
                c["first_dial_at_s"][registered] - c["fraud_at_s"][registered], 50
            )
            / 60,
            "access_delay_mean_min": _mean(access) / 60,
            "access_delay_p90_min": _pct(access, 90) / 60,
            "handling_mean_min": _mean(reg[registered] - c["answered_at_s"][registered]) / 60,
            "golden_hour_share": _ratio(
                float(np.sum(reported[comp] - c["fraud_at_s"][comp] <= sc.targets.golden_hour_s)),
                n_comp,
            ),
            "golden_hour_ceiling": _ratio(
                float(
                    np.sum(
                        c["first_dial_at_s"][comp] - c["fraud_at_s"][comp]
                        <= sc.targets.golden_hour_s
                    )
                ),
                n_comp,
            ),
        }
    )
    if sc.money.enabled and n_comp:
        loss = c["loss_rs"][comp]
        m["money_held_share"] = _ratio(float(rec.held_rs[comp].sum()), float(loss.sum()))
    else:
        m["money_held_share"] = math.nan
    built = tables or {}
    m.update(attainment.summary(rec, built.get("targets_by_interval"), built.get("targets_by_day")))
    m.update(binding.summary(rec, built.get("binding_by_interval")))
    m.update(journey.summary(rec))
    m.update(channels.summary(rec))
    m.update(officers.summary(rec))
    return {k: float(m[k]) for k in METRICS}


def _line_waits(rec: Records, win: np.ndarray) -> np.ndarray:
    """Waits of the window's attempts that got a line: to the answer, or to the hang-up."""
    a = rec.attempt
    out = a["outcome"]
    end = np.where(out == ANSWERED, a["answered_at_s"], a["line_released_at_s"])
    waited = win & ((out == ANSWERED) | (out == ABANDONED))
    return end[waited] - rec.queued_at_s[waited]


@dataclass(frozen=True)
class Estimate:
    """Mean over replications and its 95% t-interval (NaN bounds with one replication)."""

    mean: float
    lo: float
    hi: float
    n: int

    @property
    def half_width(self) -> float:
        """Half the width of the confidence interval, in the metric's unit."""
        return (self.hi - self.lo) / 2


def estimate(values: np.ndarray | list[float], confidence: float = 0.95) -> Estimate:
    """Student-t confidence interval of the mean of independent replications."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    n = x.size
    if n == 0:
        return Estimate(math.nan, math.nan, math.nan, 0)
    mean = float(x.mean())
    if n < 2:
        return Estimate(mean, math.nan, math.nan, n)
    half = float(t_quantile(n - 1, 0.5 + confidence / 2) * x.std(ddof=1) / math.sqrt(n))
    return Estimate(mean, mean - half, mean + half, n)


def in_range(name: str, e: Estimate) -> Estimate:
    """``e`` with its interval cut at the range of metric ``name``: >= 0, and <= 1 for a share.

    Every metric of :data:`METRICS` lies in that range, but a t interval is
    symmetric by construction and, with few replications of a skewed metric,
    can reach below 0. Cutting never removes a value the metric can take, so
    the interval's coverage is not lowered.
    """
    if math.isnan(e.lo):
        return e
    hi = min(e.hi, 1.0) if METRICS[name][0] == "share" else e.hi
    return Estimate(e.mean, max(e.lo, 0.0), hi, e.n)


def across(per_rep: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """Summary across replications: one row per metric with mean, CI (:func:`in_range`), unit."""
    rows = []
    for name, (unit, what) in METRICS.items():
        e = in_range(name, estimate(per_rep[name].to_numpy(), confidence))
        rows.append(
            {
                "metric": name,
                "mean": e.mean,
                "ci95_lo": e.lo,
                "ci95_hi": e.hi,
                "n": e.n,
                "unit": unit,
                "description": what,
            }
        )
    return pd.DataFrame(rows)
