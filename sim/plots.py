"""Charts of one run's results (matplotlib, no display needed).

Each function takes tables and returns a ``Figure``; the caller saves it.
Nothing here computes a metric that the records do not hold.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from sim.scenario.types import Scenario  # noqa: E402


def load_vs_capacity(attempts: pd.DataFrame, intervals: pd.DataFrame, scenario: Scenario) -> Figure:
    """Offered load by hour of day against call-takers on duty and lines, averaged over the
    window's days and replications.

    Offered load (Erlangs) = first dials per hour x mean handle time (talk, escalation and
    after-call work of answered calls) / 3600: the work the callers bring, before busy tones and
    redials multiply the dials."""
    a = attempts[attempts["in_window"]]
    iv = intervals[intervals["in_window"]]
    n_days = iv["interval_start_s"].nunique() * 900 / 86_400
    n_reps = max(iv["replication"].nunique(), 1)
    answered = a[a["outcome"] == "answered"]
    handle = (
        answered["talk_s"].fillna(0)
        + answered["escalation_talk_s"].fillna(0)
        + answered["after_call_s"].fillna(0)
    )
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
    """Share of answered attempts answered within t seconds (empirical CDF)."""
    a = attempts[attempts["in_window"] & (attempts["outcome"] == "answered")]
    wait = np.sort(a["wait_s"].to_numpy())
    fig, ax = plt.subplots(figsize=(7, 4.5), layout="constrained")
    if wait.size:
        y = np.arange(1, wait.size + 1) / wait.size
        ax.plot(np.r_[0, wait], np.r_[0, y], color="#3182bd")
    ax.axvline(
        scenario.targets.service_level_s,
        color="#e6550d",
        ls="--",
        label=f"service-level threshold ({scenario.targets.service_level_s:g} s)",
    )
    ax.set_xscale("symlog", linthresh=10)
    ax.set_xlim(left=0)
    ax.set_xlabel("wait of answered attempts (s)")
    ax.set_ylabel("share answered within")
    ax.set_ylim(0, 1.01)
    ax.set_title(f"{scenario.name}: wait distribution")
    ax.legend(loc="lower right", fontsize=8)
    return fig


def reporting_delay_distribution(callers: pd.DataFrame, scenario: Scenario) -> Figure:
    """Reporting delay of registered complaints (hours, log scale) with the golden-hour line."""
    c = callers[callers["in_window"] & callers["complaint"]]
    delay_h = c["reporting_delay_s"].dropna().to_numpy() / 3600
    missing = float(c["registered_at_s"].isna().mean()) if len(c) else 0.0
    fig, ax = plt.subplots(figsize=(7, 4.5), layout="constrained")
    if delay_h.size:
        lo = max(delay_h.min(), 1e-2)
        bins = np.logspace(np.log10(lo), np.log10(max(delay_h.max(), lo * 10)), 60)
        ax.hist(delay_h, bins=bins.tolist(), color="#9ecae1")
    gh = scenario.targets.golden_hour_s / 3600
    ax.axvline(gh, color="#e6550d", ls="--", lw=2, label=f"golden hour ({gh * 60:g} min)")
    ax.set_xscale("log")
    ax.set_xlabel("reporting delay: fraud to registration (h)")
    ax.set_ylabel("registered complaints")
    ax.set_title(
        f"{scenario.name}: reporting delay ({missing:.1%} of complaint callers never registered)"
    )
    ax.legend(fontsize=8)
    return fig


def save(fig: Figure, path: str) -> None:
    fig.savefig(path, dpi=110)
    plt.close(fig)
