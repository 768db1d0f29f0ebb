"""What steady-state formulas predict for a scenario, hour by hour, next to what it simulates.

A planner staffing by formula treats each hour of the day as its own steady state. This module
feeds the scenario's demand and the staff the simulation puts on duty into three such
approximations and sets them beside the simulated hour:

* **SIPP** (stationary independent period by period): each hour an Erlang A queue with that
  hour's arrival rate (Green, Kolesar & Soares 2001);
* **lagged SIPP**: the same with the arrival rate shifted by one mean handle time, because the
  calls in service now arrived earlier (Green, Kolesar & Soares 2001);
* **MOL** (modified offered load): the load an infinite-server system would carry, which lags
  and smooths the arrival rate, ``m'(t) = lam(t) - m(t) / handle`` (Feldman, Mandelbaum, Massey
  & Whitt 2008).

Inputs, per hour of day (h = 0..23):

* arrival rate: by default the scenario's **first dials** (callers): the arrival process's own
  expected rate (:func:`sim.core.arrivals.expected_callers`: profile, day of week, dated surges,
  the daily gamma factor at its mean 1), averaged over the window's days hour by hour, so a
  surge day's afternoon is fed to the formulas as the simulation draws it. With
  ``rate="attempts"`` the simulation's measured attempts per hour are used instead: first dials
  plus redials;
* handle time: the call-type mix's mean call-taker time, talk + escalation share x escalation
  talk + after-call work (``sum share x mean``);
* patience: the mix's mean patience (exponential in the formulas; infinite if any type never
  abandons);
* agents: call-takers logged in during the hour in the simulation (the ``intervals`` table's
  ``call_takers_on_duty_mean``, averaged over the window's days and the replications), rounded
  to a whole number, at least 1 and at most the lines;
* lines: the scenario's ``lines.count``.

The simulated figures per hour count the attempts that *arrive* in that hour of the window, with
the same denominators as :mod:`sim.metrics`; each replication pools its days and the table shows
the mean over replications with a 95% t interval. :func:`notes` lists, from the scenario and the
results, the reasons the two differ (redials, after-call work on finite lines, shift changes and
breaks, time-varying load, lines, non-exponential times, several call types, skill
groups).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim.analytic import mol_metrics, sipp
from sim.attainment import clock_edges
from sim.core.arrivals import expected_callers
from sim.core.model import simulate
from sim.executors import Execution, Job, Progress, run_jobs
from sim.metrics import estimate
from sim.scenario.values import DAY_S, Scenario

HOUR_S = 3600.0
HOURS = 24
#: Formula columns of sim.analytic's interval tables -> this module's metric names.
METRIC_FROM_ANALYTIC = {
    "service_level": "service_level",
    "asa_s": "asa_s",
    "p_abandon": "abandon_rate",
    "p_blocked": "block_rate",
    "occupancy": "occupancy",
}
#: The approximations, as column prefixes.
METHODS = ("sipp", "lagged", "mol")
RATES = ("callers", "attempts")


@dataclass
class Theory:
    """The hourly comparison of one scenario (see the module docstring).

    ``table`` has one row per hour of day: ``hour``, ``callers_per_h`` (scenario),
    ``sim_callers_per_h`` and ``attempts_per_h`` (simulated first dials and all dials),
    ``formula_calls_per_h`` (the rate fed to the formulas), ``offered_erl``,
    ``agents_on_duty`` (simulated mean), ``agents`` (whole number used), ``lines``, then for
    each metric in service_level, asa_s, abandon_rate, block_rate and occupancy the columns
    ``sipp_<m>``, ``lagged_<m>``, ``mol_<m>`` and ``sim_<m>`` with ``sim_<m>_lo`` and
    ``sim_<m>_hi`` (95% over replications).
    """

    scenario: Scenario
    rate: str
    handle_s: float
    patience_s: float
    replications: int
    table: pd.DataFrame
    notes: list[str] = field(default_factory=list)


# --- inputs from the scenario --------------------------------------------------------------------


def hourly_callers_per_s(sc: Scenario) -> np.ndarray:
    """Mean first-dial rate (callers/s) in each hour of the day over the window.

    The expected first dials of every clock hour of the window, from the same function that
    defines the rate the simulation samples (:func:`~sim.core.arrivals.expected_callers`, with
    surges, weekdays and the profile at any slot size), pooled by hour of day: the expected
    callers in that hour over the window's days / the time. Trace arrivals: the trace's own
    callers. An hour of the day the window never covers gets 0.
    """
    h = sc.horizon
    edges = clock_edges(h.warmup_s, h.end_s, HOUR_S)
    expected = expected_callers(sc.arrivals, h, edges)
    hour = (edges[:-1] % DAY_S // HOUR_S).astype(int)
    time_s = np.bincount(hour, weights=np.diff(edges), minlength=HOURS)
    callers = np.bincount(hour, weights=expected, minlength=HOURS)
    return np.divide(callers, time_s, out=np.zeros(HOURS), where=time_s > 0)


def mean_handle_s(sc: Scenario) -> float:
    """Mean call-taker time per answered call over the mix: talk + escalation + after-call work."""
    return float(
        sum(
            t.share
            * (t.talk.mean + t.escalation_share * t.escalation_talk.mean + t.after_call.mean)
            for t in sc.call_types
        )
    )


def mean_patience_s(sc: Scenario) -> float:
    """The mix's mean patience (s); infinite if any call type with a share never abandons."""
    return float(sum(t.share * t.patience.mean for t in sc.call_types if t.share > 0))


# --- the simulated hours -------------------------------------------------------------------------


def hourly_facts(sc: Scenario, replication: int, progress: Progress | None = None) -> pd.DataFrame:
    """Counts and sums per hour of day for one replication's window (24 rows).

    Columns: ``hour``, ``callers``, ``attempts``, ``answered``, ``answered_within``, ``wait_s``
    (total wait of answered), ``abandoned``, ``blocked``, ``on_duty`` and ``busy`` (mean
    call-takers logged in and busy), ``days`` (length of the window in days).
    """
    rec = simulate(sc, replication, progress)
    a = rec.attempts
    a = a[a["in_window"]]
    hour = (a["arrived_at_s"].to_numpy() % DAY_S // HOUR_S).astype(int)
    outcome = a["outcome"].to_numpy()
    answered = outcome == "answered"
    wait = a["wait_s"].to_numpy()

    def per_hour(mask: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        w = None if weights is None else weights[mask]
        return np.bincount(hour[mask], weights=w, minlength=HOURS)

    c = rec.callers
    c = c[c["in_window"]]
    c_hour = (c["first_dial_at_s"].to_numpy() % DAY_S // HOUR_S).astype(int)
    iv = rec.intervals
    iv = iv[iv["in_window"]]
    iv_hour = (iv["interval_start_s"].to_numpy() % DAY_S // HOUR_S).astype(int)
    on_duty = iv.groupby(iv_hour)["call_takers_on_duty_mean"].mean().reindex(range(HOURS))
    busy = iv.groupby(iv_hour)["call_takers_busy_mean"].mean().reindex(range(HOURS))
    lo, hi = rec.window_s
    return pd.DataFrame(
        {
            "replication": replication,
            "hour": np.arange(HOURS),
            "callers": np.bincount(c_hour, minlength=HOURS),
            "attempts": np.bincount(hour, minlength=HOURS),
            "answered": per_hour(answered),
            "answered_within": per_hour(answered & (wait <= sc.targets.service_level_s)),
            "wait_s": per_hour(answered, np.nan_to_num(wait)),
            "abandoned": per_hour(outcome == "abandoned"),
            "blocked": per_hour(outcome == "blocked"),
            "on_duty": on_duty.to_numpy(),
            "busy": busy.to_numpy(),
            "days": (hi - lo) / DAY_S,
        }
    )


def simulate_hours(sc: Scenario, execution: Execution | None = None) -> pd.DataFrame:
    """:func:`hourly_facts` of replications ``0..R-1`` (default: in local processes), stacked."""
    jobs = [Job(r, sc, r, hourly_facts) for r in range(sc.horizon.replications)]
    parts: dict[int, pd.DataFrame] = {}
    for job, part in run_jobs(jobs, execution or Execution(), desc=sc.name, unit="rep"):
        parts[job.key] = part
    return pd.concat([parts[r] for r in sorted(parts)], ignore_index=True)


def _ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    return (num / den.where(den > 0)).astype(float)


def summarize_hours(facts: pd.DataFrame) -> pd.DataFrame:
    """Per hour of day: mean over replications (and 95% CI) of each simulated metric."""
    f = facts.copy()
    f["service_level"] = _ratio(f["answered_within"], f["answered"])
    f["asa_s"] = _ratio(f["wait_s"], f["answered"])
    f["abandon_rate"] = _ratio(f["abandoned"], f["answered"] + f["abandoned"])
    f["block_rate"] = _ratio(f["blocked"], f["attempts"])
    f["occupancy"] = _ratio(f["busy"], f["on_duty"])
    f["callers_per_h"] = f["callers"] / f["days"]
    f["attempts_per_h"] = f["attempts"] / f["days"]
    rows = []
    for hour, g in f.groupby("hour"):
        row: dict[str, float] = {"hour": int(hour)}
        for col in ("callers_per_h", "attempts_per_h", "on_duty", "busy"):
            row[col] = float(g[col].mean())
        for m in METRIC_FROM_ANALYTIC.values():
            e = estimate(g[m].to_numpy(), 0.95)
            row[f"sim_{m}"], row[f"sim_{m}_lo"], row[f"sim_{m}_hi"] = e.mean, e.lo, e.hi
        rows.append(row)
    return pd.DataFrame(rows)


# --- the comparison ------------------------------------------------------------------------------


def _formula_columns(prefix: str, table: pd.DataFrame) -> dict[str, np.ndarray]:
    return {f"{prefix}_{ours}": table[col].to_numpy() for col, ours in METRIC_FROM_ANALYTIC.items()}


def theory(
    sc: Scenario,
    *,
    rate: str = "callers",
    facts: pd.DataFrame | None = None,
    execution: Execution | None = None,
) -> Theory:
    """SIPP, lagged SIPP and MOL per hour of day for ``sc``, beside its simulation.

    ``rate`` chooses the arrival rate fed to the formulas: ``"callers"`` (the scenario's first
    dials) or ``"attempts"`` (the simulation's attempts, redials included). ``facts`` reuses
    :func:`simulate_hours` output instead of simulating again; ``execution`` says where the
    replications run.
    """
    if rate not in RATES:
        raise ValueError(f"rate must be one of {', '.join(RATES)}; got {rate!r}")
    if facts is None:
        facts = simulate_hours(sc, execution)
    sim = summarize_hours(facts)
    handle_s = mean_handle_s(sc)
    patience_s = mean_patience_s(sc)
    callers_per_h = hourly_callers_per_s(sc) * HOUR_S
    formula_per_h = callers_per_h if rate == "callers" else sim["attempts_per_h"].to_numpy()
    on_duty = np.nan_to_num(sim["on_duty"].to_numpy())
    cap = sc.lines if sc.lines is not None else math.inf
    agents = np.clip(np.rint(on_duty), 1, cap).astype(int)
    common = {
        "handle_s": handle_s,
        "agents": agents,
        "interval_s": HOUR_S,
        "lines": sc.lines,
        "patience_s": patience_s,
        "within_s": sc.targets.service_level_s,
    }
    rates_per_s = formula_per_h / HOUR_S
    plain = sipp(rates_per_s, **common)
    lagged = sipp(rates_per_s, **common, lag_s=handle_s)
    mol = mol_metrics(rates_per_s, **common)
    table = pd.DataFrame(
        {
            "hour": np.arange(HOURS),
            "callers_per_h": callers_per_h,
            "sim_callers_per_h": sim["callers_per_h"].to_numpy(),
            "attempts_per_h": sim["attempts_per_h"].to_numpy(),
            "formula_calls_per_h": formula_per_h,
            "offered_erl": formula_per_h * handle_s / HOUR_S,
            "agents_on_duty": on_duty,
            "agents": agents,
            "lines": sc.lines if sc.lines is not None else pd.NA,
            **_formula_columns("sipp", plain),
            **_formula_columns("lagged", lagged),
            **_formula_columns("mol", mol),
        }
    )
    for m in METRIC_FROM_ANALYTIC.values():
        for suffix in ("", "_lo", "_hi"):
            table[f"sim_{m}{suffix}"] = sim[f"sim_{m}{suffix}"].to_numpy()
    table["lines"] = table["lines"].astype("Int64")
    out = Theory(sc, rate, handle_s, patience_s, int(facts["replication"].nunique()), table)
    out.notes = notes(out)
    return out


def notes(th: Theory) -> list[str]:
    """Why the formulas and the simulation differ for this scenario, from its facts.

    A note appears only when the scenario or the results show its cause.
    """
    sc, t = th.scenario, th.table
    out = []
    callers = float(t["sim_callers_per_h"].sum())
    attempts = float(t["attempts_per_h"].sum())
    if callers > 0 and attempts > 1.02 * callers:
        extra = attempts / callers - 1
        if th.rate == "callers":
            out.append(
                f"Redials: the simulation sees {extra:.0%} more attempts than first dials; "
                "the formulas, fed with first dials only, understate the load (try --rate "
                "attempts)."
            )
        else:
            out.append(
                f"Redials: attempts include {extra:.0%} redials, which return in bursts after "
                "busy hours rather than as the formulas' independent Poisson arrivals."
            )
    acw = sum(c.share * c.after_call.mean for c in sc.call_types)
    if acw > 0 and sc.lines is not None:
        out.append(
            f"After-call work ({acw:.0f} s per call on average) keeps a call-taker busy but frees "
            "the line, so in the simulation callers can hold a line and wait even when lines "
            "equal call-takers; the formulas hold line and call-taker together for the whole "
            "handle time: no queue at all when lines = call-takers, and line use and blocking "
            "overstated."
        )
    frac = np.abs(t["agents_on_duty"] - np.rint(t["agents_on_duty"]))
    changes = t["hour"][(frac > 0.1) | (t["agents_on_duty"].diff().abs() >= 1)].tolist()
    if changes:
        out.append(
            "Staff on duty changes within or between hours "
            f"({', '.join(f'{h:02d}' for h in changes)}h: shift changes, breaks, absence); each "
            "formula hour assumes the rounded headcount all hour and a queue already in steady "
            "state."
        )
    gap = (t["mol_service_level"] - t["sipp_service_level"]).abs()
    if (gap > 0.05).any():
        hours = t["hour"][gap > 0.05].tolist()
        out.append(
            "Time-varying load: SIPP and MOL differ by more than 5 points of service level at "
            f"{', '.join(f'{h:02d}' for h in hours)}h, where the load changes faster than calls "
            "end; MOL carries the lag."
        )
    blocked = t["sim_block_rate"].fillna(0)
    if sc.lines is not None and (blocked > 0.01).any():
        hours = t["hour"][blocked > 0.01].tolist()
        out.append(
            f"Lines: {sc.lines} lines block more than 1% of attempts at "
            f"{', '.join(f'{h:02d}' for h in hours)}h; blocked callers redial, so the load the "
            "formulas see is not the load offered."
        )
    shapes = {c.talk.kind for c in sc.call_types} | {c.patience.kind for c in sc.call_types}
    if shapes - {"exponential", "deterministic"} or len(sc.call_types) > 1:
        out.append(
            "Distributions: the formulas take exponential handle and patience times with the "
            "mix's means; here talk and patience are "
            + ", ".join(sorted(shapes))
            + f" over {len(sc.call_types)} call type(s), so waits and abandonment differ even "
            "in a steady hour."
        )
    if sc.queue_discipline == "priority":
        out.append("Priorities: the formulas pool all call types in one FIFO queue.")
    if len(sc.staff.groups) > 1:
        names = ", ".join(g.name for g in sc.staff.groups)
        out.append(
            f"Skill groups: the formulas take every call-taker on duty as one pool answering "
            f"every call type; here {len(sc.staff.groups)} groups ({names}) each answer only "
            "the types they serve, so a call can wait while another group's call-taker is idle "
            "and the formulas understate waits and abandonment (routing by skill, "
            "docs/scenarios.md)."
        )
    err = (t["sim_service_level"] - t["sipp_service_level"]).abs()
    if err.notna().any() and err.max() > 0.02:
        worst = int(t["hour"][err.idxmax()])
        out.append(
            f"Largest SIPP service-level error: {100 * err.max():.0f} points at {worst:02d}h "
            f"(SIPP {t['sipp_service_level'][worst]:.0%}, simulated "
            f"{t['sim_service_level'][worst]:.0%})."
        )
    return out
