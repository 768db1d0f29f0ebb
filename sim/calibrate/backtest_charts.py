"""Backtest charts: one per metric over the day, the log against the simulated mean and band."""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from sim.calibrate.backtest import METRICS

TITLES = {
    "answered": "answered attempts per hour of day (all days)",
    "abandon_rate": "abandonment by hour of day",
    "asa_s": "ASA (s) by hour of day",
    "service_level": "service level (answered within 20 s) by hour of day",
}


def metric_chart(by_hour: pd.DataFrame, metric: str, coverage: float, arrivals: str) -> Figure:
    """Observed (black dots) against the simulated mean (line) and 95% band (shaded)."""
    d = by_hour[by_hour["metric"] == metric].sort_values("hour")
    fig, ax = plt.subplots(figsize=(8.5, 4), layout="constrained")
    ax.fill_between(
        d["hour"],
        d["band_lo"],
        d["band_hi"],
        color="#9ecae1",
        alpha=0.7,
        label="simulated 95% band",
    )
    ax.plot(d["hour"], d["simulated"], "-", color="#3182bd", label="simulated mean")
    ax.plot(d["hour"], d["observed"], "o", color="black", ms=4, label="log")
    unit = METRICS[metric][0]
    if unit == "share":
        ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    ax.set_xticks(range(0, 24, 2))
    ax.set_xlim(-0.5, 23.5)
    ax.set_xlabel("hour of day")
    ax.set_title(f"{TITLES[metric]}: {arrivals} arrivals; hours of the log in band {coverage:.0%}")
    ax.legend(fontsize=8)
    return fig


def save(fig: Figure, path: str) -> None:
    """Write a figure to ``path`` and release its memory."""
    fig.savefig(path, dpi=100)
    plt.close(fig)
