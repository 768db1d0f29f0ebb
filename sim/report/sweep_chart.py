"""The sweep chart: one metric's mean and 95% CI against the varied keys.

The first varied key is the x axis (numeric if all its values are numbers,
else one category per value in sweep order); every combination of the other
keys is one line. Nothing is computed here that the summary table lacks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.metrics import METRICS

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def sweep_chart(summary: pd.DataFrame, keys: list[str], metric: str, title: str = "") -> Figure:
    """Mean of ``metric`` per point with its 95% CI as error bars."""
    import matplotlib.pyplot as plt  # here: importing sim.experiment need not load matplotlib

    rows = summary[summary["metric"] == metric].sort_values("point")
    unit = METRICS[metric][0]
    fig, ax = plt.subplots(figsize=(8, 4.5), layout="constrained")
    if not keys:
        xs = np.zeros(len(rows))
        groups = [("", rows)]
        ax.set_xticks([0], ["base scenario"])
    else:
        x_key = keys[0]
        numeric = pd.api.types.is_numeric_dtype(rows[x_key]) and not pd.api.types.is_bool_dtype(
            rows[x_key]
        )
        if not numeric:
            cats = list(dict.fromkeys(rows[x_key].astype(str)))
            ax.set_xticks(range(len(cats)), cats)
        rest = keys[1:]
        groups = list(rows.groupby(rest, sort=False)) if rest else [("", rows)]
        ax.set_xlabel(x_key)
    for name, g in groups:
        if keys:
            xs = (
                g[keys[0]].to_numpy(dtype=float)
                if numeric
                else np.array([cats.index(str(v)) for v in g[keys[0]]], dtype=float)
            )
        mean = g["mean"].to_numpy(dtype=float)
        lo = mean - g["ci95_lo"].to_numpy(dtype=float)
        hi = g["ci95_hi"].to_numpy(dtype=float) - mean
        yerr = None if np.all(np.isnan(lo)) else np.vstack([np.nan_to_num(lo), np.nan_to_num(hi)])
        if len(keys) > 1:
            parts = name if isinstance(name, tuple) else (name,)
            lab = ", ".join(f"{k}={v}" for k, v in zip(keys[1:], parts, strict=True))
        else:
            lab = None
        ax.errorbar(xs, mean, yerr=yerr, marker="o", capsize=3, label=lab)
    ax.set_ylabel(f"{metric} ({unit})")
    ax.set_title(title or f"{metric}: mean and 95% CI over replications")
    ax.grid(alpha=0.3)
    if len(keys) > 1:
        ax.legend(fontsize="small")
    return fig


def save(fig: Figure, path: str) -> None:
    """Write a chart as PNG and free its memory."""
    import matplotlib.pyplot as plt

    fig.savefig(path, dpi=110)
    plt.close(fig)
