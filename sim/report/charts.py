"""Charts of one run's results, and of theory beside them (matplotlib, no display needed).

Each function takes tables and returns a ``Figure``; the caller saves it.
Nothing here computes a metric that the records do not hold.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.report.chart_rows import handle_s
from sim.scenario.values import Scenario

if TYPE_CHECKING:
    from sim.verify.theory import Theory

_HOUR_S, _HOURS = 3600.0, 24
#: Most points of a drawn distribution curve (more are drawn as this many, evenly by rank).
CURVE_POINTS = 4000


def load_vs_capacity(attempts: pd.DataFrame, intervals: pd.DataFrame, scenario: Scenario) -> Figure:
    """Offered load by hour of day against call-takers on duty and lines, averaged over the
    window's days and replications.

    Offered load (Erlangs) = first dials per hour x mean handle time (talk, escalation and
    after-call work of answered calls) / 3600: the work the callers bring, before busy tones and
    redials multiply the dials.
    """
    rows = attempts["in_window"] & (attempts["outcome"] == "answered")
    handle = handle_s(attempts, rows)
    iv = intervals[intervals["in_window"]]
    n_days = iv["interval_start_s"].nunique() * 900 / 86_400
    n_reps = max(iv["replication"].nunique(), 1)
    mean_handle = float(handle.mean()) if len(handle) else 0.0
    iv_hour = (iv["interval_start_s"] % 86_400 // 3600).astype(int)
    first_dials = iv.groupby(iv_hour)["offered"].sum().reindex(range(24), fill_value=0)
    offered_erl = first_dials.to_numpy() * mean_handle / 3600 / n_days / n_reps
    on_duty = iv.groupby(iv_hour)["call_takers_on_duty_mean"].mean().reindex(range(24))
    busy = iv.groupby(iv_hour)["call_takers_busy_mean"].mean().reindex(range(24))
    fig, ax = plt.subplots(figsize=(9, 4.5), layout="constrained")
    hours = np.arange(24)
    label = "offered load (first dials x mean handle time)"
    ax.bar(hours, offered_erl, color="#9ecae1", label=label)
    ax.plot(hours, busy.to_numpy(), "o-", color="#3182bd", label="call-takers busy (mean)")
    ax.step(
        hours,
        on_duty.to_numpy(),
        where="mid",
        color="#e6550d",
        lw=2,
        label="call-takers logged in (mean)",
    )
    if scenario.lines is not None:
        ax.axhline(scenario.lines, color="k", ls="--", lw=1, label=f"lines ({scenario.lines})")
    ax.set_xlabel("hour of day")
    ax.set_ylabel("Erlangs / people")
    ax.set_xticks(hours)
    ax.set_title(f"{scenario.name}: offered load against capacity by hour")
    fig.legend(loc="outside lower center", ncols=4, fontsize=8, frameon=False)  # never over data
    return fig


def wait_distribution(attempts: pd.DataFrame, scenario: Scenario) -> Figure:
    """Share of answered attempts answered within t seconds (empirical CDF).

    When no answered attempt waited at all the curve would be one jump at 0, hidden on the
    axis; the chart then says so in words instead of looking blank.
    """
    rows = attempts["in_window"] & (attempts["outcome"] == "answered")
    wait = np.sort(attempts.loc[rows, "wait_s"].to_numpy())
    fig, ax = plt.subplots(figsize=(7, 4.5), layout="constrained")
    waited = int(np.sum(wait > 0))
    if waited:
        # The curve through every answered attempt, drawn through at most CURVE_POINTS of
        # them evenly by rank (a year has millions; the picture is the same).
        at = np.unique(np.linspace(0, wait.size - 1, min(wait.size, CURVE_POINTS)).astype(int))
        y = (at + 1) / wait.size
        ax.plot(np.r_[0, wait[at]], np.r_[0, y], color="#3182bd")
    else:
        what = (
            f"Nobody waited: all {wait.size:,} answered attempts\nwere answered the moment "
            "they dialled."
            if wait.size
            else "No attempt was answered in the window."
        )
        ax.text(0.5, 0.55, what, transform=ax.transAxes, ha="center", va="center", fontsize=12,
                color="#08519c")  # fmt: skip
    ax.axvline(
        scenario.targets.service_level_s,
        color="#e6550d",
        ls="--",
        label=f"service-level threshold ({scenario.targets.service_level_s:g} s)",
    )
    ax.set_xscale("symlog", linthresh=10)
    ax.set_xlim(left=0, right=max(float(wait.max()) if waited else 0.0, 100.0))
    ax.set_xlabel("wait of answered attempts (s)")
    ax.set_ylabel("share answered within")
    ax.set_ylim(0, 1.01)
    ax.set_title(f"{scenario.name}: wait distribution")
    ax.legend(loc="lower right", fontsize=8)
    return fig


def not_registered_share(callers: pd.DataFrame) -> float:
    """Complaint callers of the window never registered, as the summary's
    ``not_registered_share``: the share per replication, then the mean over replications.
    """
    c = callers.loc[callers["in_window"] & callers["complaint"], ["replication", "registered_at_s"]]
    if not len(c):
        return float("nan")
    per_rep = c["registered_at_s"].isna().groupby(c["replication"], observed=True).mean()
    return float(per_rep.mean())


def delay_stages(
    callers: pd.DataFrame, golden_hour_s: float, points: int = 400
) -> tuple[np.ndarray, list[np.ndarray], list[float]] | None:
    """Shares of the window's complaint callers who have dialled, been answered and been
    registered within t hours of the fraud, at ``points`` log-spaced t; and the three shares
    at the golden hour. None without complaint callers. Never-registered callers stay out of
    the later curves (the denominator is every complaint caller).
    """
    columns = ["fraud_at_s", "first_dial_at_s", "answered_at_s", "registered_at_s"]
    c = callers.loc[callers["in_window"] & callers["complaint"], columns]
    n = len(c)
    if not n:
        return None
    fraud = c["fraud_at_s"].to_numpy()
    reached = []
    for col in ("first_dial_at_s", "answered_at_s", "registered_at_s"):
        d = (c[col].to_numpy() - fraud) / 3600
        reached.append(np.sort(d[~np.isnan(d)]))
    lo = max(float(reached[0][0]) if reached[0].size else 1e-2, 1e-2)
    hi = max(max((float(r[-1]) for r in reached if r.size), default=1.0), lo * 10)
    t_h = np.logspace(np.log10(lo), np.log10(hi), points)
    shares = [np.searchsorted(r, t_h, side="right") / n for r in reached]
    at_gh = [float(np.searchsorted(r, golden_hour_s / 3600, side="right")) / n for r in reached]
    return t_h, shares, at_gh


def reporting_delay_distribution(callers: pd.DataFrame, scenario: Scenario) -> Figure:
    """Where the reporting delay goes: stacked shares of complaint callers by time since fraud.

    Three cumulative curves over all complaint callers of the window: the share who have
    dialled (victim delay), who have been answered (plus access delay) and whose complaint is
    registered (plus handling) within t hours of the fraud. The bands between them are the
    time each stage adds; the golden-hour line reads off how many make it at each stage.
    Callers never registered never reach the last curve (the title gives their share, the
    same definition as the summary's ``not_registered_share``).
    """
    st = delay_stages(callers, scenario.targets.golden_hour_s)
    gh_s = scenario.targets.golden_hour_s
    fig, ax = plt.subplots(figsize=(7, 4.5), layout="constrained")
    if st is not None:
        t_h, (dialled, answered, registered), at_gh = st
        bands: list[tuple[np.ndarray | float, np.ndarray | float, str, str]] = [
            (1.0, dialled, "#f0f0f0", "not yet dialled (victim delay)"),
            (dialled, answered, "#fdae6b", f"dialled, not answered (access); {at_gh[0]:.0%} "
             "dialled within the golden hour"),
            (answered, registered, "#9ecae1", f"answered, not registered (handling); "
             f"{at_gh[1]:.0%} answered within it"),
            (registered, 0.0, "#3182bd", f"registered; {at_gh[2]:.0%} within the golden hour"),
        ]  # fmt: skip
        for top, bottom, colour, label in bands:
            ax.fill_between(t_h, top, bottom, color=colour, lw=0, label=label)
    ax.axvline(gh_s / 3600, color="#e6550d", ls="--", lw=2,
               label=f"golden hour ({gh_s / 60:g} min)")  # fmt: skip
    ax.set_xscale("log")
    ax.set_ylim(0, 1.01)
    ax.set_xlabel("time since the fraud (h)")
    ax.set_ylabel("share of complaint callers")
    missing = not_registered_share(callers)
    ax.set_title(
        f"{scenario.name}: reporting delay by stage\n"
        f"({missing:.1%} of complaint callers never registered, mean over replications)",
        fontsize=10,
    )
    ax.legend(fontsize=7, loc="upper left")
    return fig


def save(fig: Figure, path: str) -> None:
    """Write a figure to ``path`` and release its memory."""
    fig.savefig(path, dpi=110)
    plt.close(fig)


def theory_chart(th: Theory) -> Figure:
    """Four panels by hour of day: load and staff; service level; ASA; abandonment and blocking.

    Formula predictions are lines (SIPP, lagged SIPP, MOL); the simulation is dots with its 95%
    interval over replications.
    """
    t, sc = th.table, th.scenario
    h = t["hour"].to_numpy()
    styles = {"sipp": ("SIPP", "#e6550d", "-"), "lagged": ("lagged SIPP", "#fdae6b", "--"),
              "mol": ("MOL", "#756bb1", "-.")}  # fmt: skip
    fig, axes = plt.subplots(2, 2, figsize=(12, 7.5), layout="constrained", sharex=True)
    ax = axes[0, 0]
    ax.bar(h, t["offered_erl"], color="#c6dbef", label=f"offered load, {th.rate} (Erl)")
    ax.plot(h, t["attempts_per_h"] * th.handle_s / _HOUR_S, "o", ms=3, color="#3182bd",
            label="simulated attempts x handle (Erl)")  # fmt: skip
    ax.step(h, t["agents_on_duty"], where="mid", color="k", lw=1.5, label="call-takers on duty")
    if sc.lines is not None:
        ax.axhline(sc.lines, color="grey", ls=":", lw=1, label=f"lines ({sc.lines})")
    ax.set_ylabel("Erlangs / people")
    ax.set_title("load and staff")
    ax.legend(fontsize=7, loc="upper left")
    within = sc.targets.service_level_s
    panels = [
        (axes[0, 1], "service_level", f"service level (answered within {within:g} s)", 100.0, "%"),
        (axes[1, 0], "asa_s", "ASA: mean wait of answered calls", 1.0, "s"),
        (axes[1, 1], "abandon_rate", "abandoned / (answered + abandoned)", 100.0, "%"),
    ]  # fmt: skip
    for ax, m, title, scale, unit in panels:
        for key, (label, colour, ls) in styles.items():
            y = t[f"{key}_{m}"].to_numpy(dtype=float) * scale
            ax.plot(h, np.where(np.isfinite(y), y, np.nan), ls, color=colour, label=label)
        sim = t[f"sim_{m}"].to_numpy(dtype=float) * scale
        lo = t[f"sim_{m}_lo"].to_numpy(dtype=float) * scale
        hi = t[f"sim_{m}_hi"].to_numpy(dtype=float) * scale
        top = 100.0 if unit == "%" else np.inf  # a share's interval is cut at 0 and 100%
        err = np.vstack([sim - np.clip(lo, 0, top), np.clip(hi, 0, top) - sim])
        ax.errorbar(h, sim, yerr=np.where(np.isfinite(err), err, 0), fmt="o", ms=3,
                    color="#3182bd", label="simulated (95% CI)")  # fmt: skip
        ax.set_title(title)
        ax.set_ylabel(unit)
        ax.set_ylim(bottom=0)
        if unit == "%":
            ax.set_ylim(top=min(ax.get_ylim()[1], 102))
    ax = axes[1, 1]
    if sc.lines is not None:
        ax.plot(h, t["mol_block_rate"] * 100, ":", color="#756bb1", label="MOL blocked")
        ax.plot(h, t["sim_block_rate"] * 100, "s", ms=3, color="#31a354", label="simulated blocked")
        ax.set_title("abandoned (and blocked) share")
        ax.relim()  # the y range was set before the blocked shares were drawn: show them all
        ax.autoscale(axis="y")
        ax.set_ylim(0, min(ax.get_ylim()[1], 102))
    for ax in axes[1]:
        ax.set_xlabel("hour of day")
        ax.set_xticks(range(0, _HOURS, 2))
    axes[0, 1].legend(fontsize=7)
    axes[1, 1].legend(fontsize=7)
    fig.suptitle(
        f"{sc.name}: steady-state formulas per hour against the simulation "
        f"({th.replications} replication(s); formulas fed with {th.rate})",
        fontsize=11,
    )
    return fig
