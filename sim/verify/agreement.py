"""Does a simulated metric agree with a reference? Intervals, exact bounds, family verdicts.

A *row* compares one metric of one case: the replication values of the
simulation against a formula value (:func:`one_sample`, a Student-t interval)
or against another simulator's replications (:func:`two_sample`, Welch's
interval). :func:`decide` gives a family of rows its verdicts: with K rows, a
row agrees when the reference lies in the (1 - alpha/K) interval of the
difference (Bonferroni), so a correct model fails anywhere in the family with
probability at most alpha, however the rows depend on each other. A share that
no replication ever saw (or that every one saw in full) is judged by its exact
binomial (Clopper-Pearson) bound instead, since its t interval has no width.

:mod:`sim.verify.exact` uses this against queueing formulas and Ciw; it is
written for any reference: a real call log's figures serve as well.

Sources: Student-t and Welch (1947) intervals; Bonferroni correction (Dunn
1961); Clopper & Pearson (1934), Biometrika 26(4).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

#: Confidence of the interval shown for each simulated mean.
CI_LEVEL = 0.99
#: Family-wise false-alarm probability of the agree/disagree verdicts (Bonferroni).
FAMILY_ALPHA = 0.01

COLUMNS = [
    "case", "model", "metric", "formula", "sim_mean", "ci_lo", "ci_hi", "half_width",
    "rel_half_width", "diff_lo", "diff_hi", "p_value", "agree", "replications",
    "reference_ci_lo", "reference_ci_hi",
]  # fmt: skip


def _mean_ci(x: np.ndarray, level: float) -> tuple[float, float, float]:
    """Mean and t interval of independent replication values (NaN bounds with n < 2)."""
    n = x.size
    mean = float(x.mean())
    if n < 2:
        return mean, math.nan, math.nan
    half = float(stats.t.ppf(0.5 + level / 2, n - 1) * x.std(ddof=1) / math.sqrt(n))
    return mean, mean - half, mean + half


def one_sample(values: Iterable[float], reference: float, trials: int = 0) -> dict[str, Any]:
    """Replication values against a formula value: mean, 99% CI and the t test's inputs.

    ``trials`` is the number of events behind a share metric over all replications (see
    :data:`TRIALS`); :func:`decide` uses it when every replication gave 0 or 1.
    """
    x = np.asarray(list(values), dtype=float)
    mean, lo, hi = _mean_ci(x, CI_LEVEL)
    n = x.size
    se = float(x.std(ddof=1) / math.sqrt(n)) if n > 1 else math.nan
    return {
        "formula": float(reference),
        "sim_mean": mean,
        "ci_lo": lo,
        "ci_hi": hi,
        "replications": n,
        "reference_ci_lo": math.nan,
        "reference_ci_hi": math.nan,
        "_diff": mean - reference,
        "_se": se,
        "_df": n - 1,
        "_trials": trials,
    }


def two_sample(values: Iterable[float], reference_values: Iterable[float]) -> dict[str, Any]:
    """Our replications against another simulator's (Welch 1947: unequal variances)."""
    x = np.asarray(list(values), dtype=float)
    y = np.asarray(list(reference_values), dtype=float)
    mean, lo, hi = _mean_ci(x, CI_LEVEL)
    ref, ref_lo, ref_hi = _mean_ci(y, CI_LEVEL)
    vx, vy = x.var(ddof=1) / x.size, y.var(ddof=1) / y.size
    se = math.sqrt(vx + vy)
    df = (vx + vy) ** 2 / (vx**2 / (x.size - 1) + vy**2 / (y.size - 1)) if se > 0 else math.inf
    return {
        "formula": ref,
        "sim_mean": mean,
        "ci_lo": lo,
        "ci_hi": hi,
        "replications": x.size,
        "reference_ci_lo": ref_lo,
        "reference_ci_hi": ref_hi,
        "_diff": mean - ref,
        "_se": se,
        "_df": df,
        "_trials": 0,
    }


def decide(rows: list[dict[str, Any]], family_alpha: float = FAMILY_ALPHA) -> pd.DataFrame:
    """Verdicts for a family of comparisons, Bonferroni-corrected (module docstring).

    Each row gets ``diff_lo``/``diff_hi``, the (1 - family_alpha/K) interval of simulated minus
    reference, its two-sided ``p_value``, and ``agree`` = the interval holds 0 (equivalently
    ``p_value > family_alpha / K``). A row whose replications all gave the same value has no
    spread. If that value is a share of 0 or 1 over a known number of trials N (no call
    blocked in any replication, say), the exact binomial (Clopper-Pearson) interval of the
    share replaces the t interval: the formula's p agrees when seeing none of N events is not
    too unlikely, (1 - p)^N > alpha / 2. Otherwise it agrees only if the difference is 0.
    """
    k = len(rows)
    level = 1.0 - family_alpha / k if k else 1.0
    out = []
    for r in rows:
        r = dict(r)
        d, se, df = r.pop("_diff"), r.pop("_se"), r.pop("_df")
        trials, share = r.pop("_trials"), r["sim_mean"]
        if se > 0 and math.isfinite(se):
            q = float(stats.t.ppf(0.5 + level / 2, df))
            r["diff_lo"], r["diff_hi"] = d - q * se, d + q * se
            r["p_value"] = float(2 * stats.t.sf(abs(d) / se, df))
        elif trials > 0 and share in (0.0, 1.0):
            alpha, p = 1.0 - level, r["formula"]
            bound = (alpha / 2) ** (1.0 / trials)  # Clopper-Pearson for 0 (or N) of N
            lo, hi = (0.0, 1.0 - bound) if share == 0.0 else (bound, 1.0)
            r["diff_lo"], r["diff_hi"] = lo - p, hi - p
            r["p_value"] = min(1.0, 2 * (1.0 - p if share == 0.0 else p) ** trials)
        else:
            r["diff_lo"] = r["diff_hi"] = d
            r["p_value"] = 1.0 if d == 0 else 0.0
        r["agree"] = bool(r["diff_lo"] <= 0.0 <= r["diff_hi"])
        r["half_width"] = (r["ci_hi"] - r["ci_lo"]) / 2
        ref = abs(r["formula"])
        r["rel_half_width"] = r["half_width"] / ref if ref > 0 else math.nan
        out.append(r)
    return pd.DataFrame(out, columns=COLUMNS)
