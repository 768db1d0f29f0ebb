"""A synthetic call log from known parameters, written as a CSV in the documented layout.

Arrivals: Poisson with a known half-hour profile (no day-to-day variation); talk lognormal;
patience exponential; each caller's wait for an agent ("offered wait") exponential and
independent of patience, so a wait ends in abandonment when patience is shorter (an event) and
in an answer otherwise (a right-censored patience). Agents are named at random.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Truth:
    days: int = 14
    callers_per_day: float = 900.0
    talk_log_mu: float = float(np.log(150.0))
    talk_log_sd: float = 0.8
    patience_mean_s: float = 300.0
    offered_wait_mean_s: float = 120.0
    start: dt.date = dt.date(2024, 1, 1)  # a Monday

    @property
    def profile(self) -> np.ndarray:
        """Share of a day's callers per half hour: closed at night, two humps."""
        h = np.arange(48) / 2 + 0.25
        w = np.where(
            (h > 7) & (h < 22), np.exp(-((h - 11) ** 2) / 8) + 0.8 * np.exp(-((h - 17) ** 2) / 6), 0
        )
        return w / w.sum()


def write_log(path: Path, truth: Truth, seed: int = 5) -> pd.DataFrame:
    """Write the log to ``path`` (CSV) and return it."""
    rng = np.random.default_rng(seed)
    rows = []
    for d in range(truth.days):
        day = pd.Timestamp(truth.start) + pd.Timedelta(days=d)
        counts = rng.poisson(truth.callers_per_day * truth.profile)
        for slot, n in enumerate(counts):
            for t in np.sort(rng.uniform(slot * 1800, (slot + 1) * 1800, n)):
                arrival = day + pd.Timedelta(seconds=float(np.round(t, 3)))
                patience = rng.exponential(truth.patience_mean_s)
                offered = rng.exponential(truth.offered_wait_mean_s) if rng.random() < 0.6 else 0.0
                if patience < offered:
                    end = arrival + pd.Timedelta(seconds=float(patience))
                    rows.append((arrival, "abandoned", end, "", "", "", "web"))
                else:
                    start = arrival + pd.Timedelta(seconds=float(offered))
                    talk = rng.lognormal(truth.talk_log_mu, truth.talk_log_sd)
                    stop = start + pd.Timedelta(seconds=float(talk))
                    agent = f"agent{rng.integers(12)}"
                    rows.append((arrival, "answered", start, start, stop, agent, "web"))
    df = pd.DataFrame(
        rows,
        columns=[
            "arrival",
            "outcome",
            "queue_end",
            "service_start",
            "service_end",
            "agent",
            "type",
        ],
    )
    fmt = "%Y-%m-%d %H:%M:%S.%f"
    for col in ("arrival", "queue_end", "service_start", "service_end"):
        df[col] = [x.strftime(fmt) if isinstance(x, pd.Timestamp) else "" for x in df[col]]
    df.to_csv(path, index=False)
    return df
