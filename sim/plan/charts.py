"""The plan's charts: requirement by method, shift-plan coverage, simulated attainment."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def _hours(df: pd.DataFrame, per_day: int) -> np.ndarray:
    return df["interval"].to_numpy() * 24.0 / per_day


def _day_ticks(ax: Axes, weekdays: np.ndarray, per_day: int) -> None:
    n_days = weekdays.size // per_day
    ax.set_xticks(np.arange(n_days) * 24 + 12)
    ax.set_xticklabels([WEEKDAYS[int(weekdays[k * per_day])] for k in range(n_days)])
    for k in range(1, n_days):
        ax.axvline(k * 24, color="0.85", lw=0.8, zorder=0)
    ax.set_xlim(0, n_days * 24)


def requirement_by_method(req: pd.DataFrame, per_day: int) -> Figure:
    """Call-takers required per interval by each method (SIPP, ISA), over the horizon."""
    fig, ax = plt.subplots(figsize=(11, 4))
    for method, g in req.groupby("method", sort=False):
        ax.step(_hours(g, per_day), g["call_takers"], where="post", label=str(method), lw=1.2)
    g = req[req["method"] == req["method"].iloc[0]]
    _day_ticks(ax, g["weekday"].to_numpy(), per_day)
    ax.set_ylabel("call-takers on duty")
    ax.set_title("Requirement per half hour, by method")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=4, frameon=False)
    fig.tight_layout()
    return fig


def coverage(
    req: np.ndarray, on_duty: np.ndarray, weekdays: np.ndarray, per_day: int, title: str
) -> Figure:
    """The requirement against the people the shifts put on duty, per interval."""
    fig, ax = plt.subplots(figsize=(11, 4))
    x = np.arange(req.size) * 24.0 / per_day
    ax.fill_between(x, on_duty, step="post", alpha=0.3, label="on duty (shift plan)")
    ax.step(x, req, where="post", color="k", lw=1.0, label="requirement")
    _day_ticks(ax, weekdays, per_day)
    ax.set_ylabel("call-takers")
    ax.set_title(title)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=2, frameon=False)
    fig.tight_layout()
    return fig


def attainment(intervals: pd.DataFrame, target: float | None, per_day: int) -> Figure:
    """Simulated service level per interval for each plan, with its CI and the target."""
    fig, ax = plt.subplots(figsize=(11, 4))
    for label, g in intervals.groupby("plan", sort=False):
        x = _hours(g, per_day) + 12.0 / per_day
        line = ax.plot(x, g["service_level"] * 100, lw=1.0, label=str(label))[0]
        ax.fill_between(
            x,
            g["service_level_ci95_lo"] * 100,
            g["service_level_ci95_hi"] * 100,
            color=line.get_color(),
            alpha=0.2,
            lw=0,
        )
    if target is not None:
        ax.axhline(target * 100, color="k", ls="--", lw=1.0, label=f"target {target:.0%}")
        ax.axhspan((target - 0.03) * 100, target * 100, color="0.9", zorder=0)
    g = intervals[intervals["plan"] == intervals["plan"].iloc[0]]
    _day_ticks(ax, g["weekday"].to_numpy(), per_day)
    ax.set_ylabel("service level per half hour (%)")
    ax.set_ylim(0, 101)
    ax.set_title("Simulated service level per half hour (mean, 95% CI over replications)")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=4, frameon=False)
    fig.tight_layout()
    return fig


def staffing_check(table: pd.DataFrame, target: float | None, per_day: int) -> Figure:
    """Each method's requirement simulated per half hour (mean, 95% CI), and for the
    over-served half hours of the checked method the service level with one fewer.
    """
    fig, (ax, ax2) = plt.subplots(
        2, 1, figsize=(11, 6.5), sharex=True, gridspec_kw={"height_ratios": [3, 1.3]}
    )
    for label, g in table.groupby("method", sort=False):
        x = _hours(g, per_day) + 12.0 / per_day
        line = ax.plot(x, g["service_level"] * 100, lw=1.0, label=f"{label} requirement")[0]
        ax.fill_between(
            x,
            g["service_level_ci95_lo"] * 100,
            g["service_level_ci95_hi"] * 100,
            color=line.get_color(),
            alpha=0.2,
            lw=0,
        )
        ax2.step(_hours(g, per_day), g["call_takers"], where="post", lw=1.0, label=str(label))
        over = g[g["fewer_misses"].notna()]
        if len(over):
            ax.scatter(
                _hours(over, per_day) + 12.0 / per_day,
                over["fewer_service_level"] * 100,
                marker="v",
                s=14,
                color=line.get_color(),
                label=f"{label}: one fewer where over by 5+ points",
                zorder=3,
            )
    if target is not None:
        ax.axhline(target * 100, color="k", ls="--", lw=1.0, label=f"target {target:.0%}")
        ax.axhspan((target - 0.03) * 100, target * 100, color="0.9", zorder=0)
    g = table[table["method"] == table["method"].iloc[0]]
    _day_ticks(ax2, g["weekday"].to_numpy(), per_day)
    ax.set_ylabel("service level per half hour (%)")
    ax.set_ylim(0, 101)
    ax.set_title("Requirement simulated as it stands (unlimited lines and seats): mean and 95% CI")
    ax.legend(loc="lower left", ncol=3, fontsize=8, frameon=True)
    ax2.set_ylabel("call-takers")
    ax2.legend(loc="upper right", ncol=2, fontsize=8, frameon=False)
    fig.tight_layout()
    return fig


def save(fig: Figure, path: str) -> None:
    """Write a figure to ``path`` and release its memory."""
    fig.savefig(path, dpi=110)
    plt.close(fig)
