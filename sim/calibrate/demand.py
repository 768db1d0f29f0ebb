"""Demand from a log: redials found by caller id, then first dials by half hour and weekday.

A *redial* is an attempt by an identified caller whose previous attempt failed (abandoned or
blocked) and ended at most ``REDIAL_WINDOW_S`` before it; every other attempt is a *first dial*
(unidentified callers' redials cannot be seen and stay first dials). The scenario's arrivals are
the first dials (its redials come from ``call_types.NAME.redial``); the profile is the share of a
weekday's first dials in each half hour, the day-of-week factors the weekdays' mean volumes, and
``daily_cv`` the coefficient of variation of a day's volume beyond its weekday's mean and Poisson
noise: cv^2 = var(N_d / m_w) - mean(1 / m_w), with a chi-square interval.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize, stats

from sim.calibrate.fits import Z95, hessian
from sim.scenario.distributions import LOG_SD_MAX

REDIAL_WINDOW_S = 3600.0
SLOT_S = 1800.0
SLOTS = 48


def mark_redials(calls: pd.DataFrame, window_s: float = REDIAL_WINDOW_S) -> pd.DataFrame:
    """``calls`` with ``redial`` (bool) and ``gap_s`` (from the failed attempt's end) columns."""
    df = calls.copy()
    ended = df["arrived"] + pd.to_timedelta(df["wait_s"], unit="s")
    df["_end"] = ended
    known = df[df["caller"] != ""].sort_values(["caller", "arrived", "row"], kind="stable")
    prev_caller = known["caller"].shift()
    prev_failed = known["outcome"].shift().isin(["abandoned", "blocked"])
    gap = (known["arrived"] - known["_end"].shift()).dt.total_seconds()
    is_redial = (known["caller"] == prev_caller) & prev_failed & (gap >= 0) & (gap <= window_s)
    df["redial"] = False
    df["gap_s"] = np.nan
    df.loc[known.index, "redial"] = is_redial
    df.loc[known.index[is_redial.to_numpy()], "gap_s"] = gap[is_redial]
    return df.drop(columns="_end")


#: Largest log-sd a redial delay is fitted with: the scenario's bound (``LOG_SD_MAX``) less
#: what writing it to 4 decimals could add.
SPREAD_MOST = math.floor(LOG_SD_MAX * 1e4) / 1e4


@dataclass(frozen=True)
class RedialFit:
    """Share of failed identified attempts followed by a redial, and the delay's lognormal fit."""

    after: str  # "abandoned" or "blocked"
    n_failed: int
    n_redials: int
    share: float
    share_ci: tuple[float, float]
    gaps_s: np.ndarray = field(repr=False)
    log_mu: float = math.nan
    log_sd: float = math.nan
    median_ci_s: tuple[float, float] = (math.nan, math.nan)

    @property
    def median_s(self) -> float:
        """Median of the fitted lognormal, seconds."""
        return math.exp(self.log_mu)


def _wilson(k: int, n: int) -> tuple[float, float]:
    if n == 0:
        return (math.nan, math.nan)
    p = k / n
    d = 1 + Z95**2 / n
    c = (p + Z95**2 / (2 * n)) / d
    h = Z95 * math.sqrt(p * (1 - p) / n + Z95**2 / (4 * n * n)) / d
    return (c - h, c + h)


def truncated_lognormal(
    gaps_s: np.ndarray, upper_s: float
) -> tuple[float, float, tuple[float, float]]:
    """ML lognormal of delays seen only up to ``upper_s``: (mu, sigma, 95% CI of the median)."""
    x = np.maximum(np.asarray(gaps_s, dtype=float), 1.0)
    logs = np.log(x)

    def nll(t: np.ndarray) -> float:
        d = stats.lognorm(math.exp(t[1]), scale=math.exp(t[0]))
        return -float(np.sum(d.logpdf(x)) - x.size * d.logcdf(upper_s))

    start = np.array([logs.mean(), math.log(max(logs.std(), 0.1))])
    res = optimize.minimize(
        nll, start, method="Nelder-Mead", options={"xatol": 1e-6, "fatol": 1e-6}
    )
    mu, log_sd = res.x
    if math.exp(log_sd) > SPREAD_MOST:
        # Few gaps inside the window can leave the spread unbounded: the most a scenario
        # takes, with the median fitted at it (the scenario file would refuse more).
        def nll_mu(t: np.ndarray) -> float:
            return nll(np.array([t[0], math.log(SPREAD_MOST)]))

        fixed = optimize.minimize(nll_mu, np.array([mu]), method="Nelder-Mead",
                                  options={"xatol": 1e-6, "fatol": 1e-6})  # fmt: skip
        mu = float(fixed.x[0])
        se = math.sqrt(max(float(np.linalg.pinv(hessian(nll_mu, fixed.x))[0, 0]), 0.0))
        return mu, SPREAD_MOST, (math.exp(mu - Z95 * se), math.exp(mu + Z95 * se))
    cov = np.linalg.pinv(hessian(nll, res.x))
    se = math.sqrt(max(cov[0, 0], 0.0))
    return float(mu), float(math.exp(log_sd)), (math.exp(mu - Z95 * se), math.exp(mu + Z95 * se))


def fit_redials(marked: pd.DataFrame, after: str = "abandoned") -> RedialFit | None:
    """Redials of identified callers after an ``after`` attempt; None if the log has none."""
    known = marked[marked["caller"] != ""].sort_values(["caller", "arrived", "row"], kind="stable")
    failed = known["outcome"] == after
    nxt_redial = known["redial"].shift(-1, fill_value=False) & (
        known["caller"].shift(-1) == known["caller"]
    )
    n = int(failed.sum())
    if n == 0:
        return None
    hit = failed & nxt_redial
    k = int(hit.sum())
    gaps = known["gap_s"].shift(-1)[hit].to_numpy(dtype=float)
    out = RedialFit(after, n, k, k / n, _wilson(k, n), gaps)
    if k >= 5:
        mu, sd, ci = truncated_lognormal(gaps, REDIAL_WINDOW_S)
        out = RedialFit(after, n, k, k / n, _wilson(k, n), gaps, mu, sd, ci)
    return out


@dataclass(frozen=True)
class ArrivalFit:
    """First dials by weekday and half hour, volume by weekday, and day-to-day variation."""

    days: pd.Series  # first dials per date
    weekday_days: np.ndarray  # days of each weekday in the log (Monday..Sunday)
    counts: np.ndarray  # (7, 48) first dials per weekday and slot, summed over the log's days
    callers_per_day: float
    callers_per_day_ci: tuple[float, float]
    day_of_week: np.ndarray  # mean volume of each weekday / mean of the weekdays present
    daily_cv: float
    daily_cv_ci: tuple[float, float]
    raw_cv_weekdays: float  # CV of the volumes of the busiest five weekdays, as published

    @property
    def profile(self) -> np.ndarray:
        """Share of a day's first dials per slot, all days pooled."""
        total = self.counts.sum(axis=0)
        return total / total.sum()

    def weekday_profile(self, w: int) -> np.ndarray:
        """Share of the day's calls in each interval on weekday ``w`` (0 = Monday)."""
        row = self.counts[w]
        return row / row.sum() if row.sum() > 0 else self.profile

    def profile_ci(self, w: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Poisson 95% band of each slot's share (a slot's count against the day total)."""
        row = self.counts.sum(axis=0) if w is None else self.counts[w]
        total = max(row.sum(), 1)
        lo = stats.chi2.ppf(0.025, 2 * row) / 2
        hi = stats.chi2.ppf(0.975, 2 * (row + 1)) / 2
        return np.nan_to_num(lo) / total, hi / total


def _cv_hat(volume: np.ndarray, weekday: np.ndarray) -> tuple[float, tuple[float, float]]:
    """Gamma day-factor CV beyond weekday means and Poisson noise, with a chi-square interval.

    The ratios N_d / m_w have variance cv^2 + 1 / m_w; their sum of squares about 1 has
    D - (weekdays present) degrees of freedom, which gives the interval of the variance.
    """
    means = np.array([volume[weekday == w].mean() for w in weekday])
    dof = volume.size - len(set(weekday.tolist()))
    if dof <= 0:
        return 0.0, (0.0, math.nan)
    ss = float(np.sum((volume / means - 1) ** 2))
    poisson = float(np.mean(1 / means))
    var = ss / dof

    def cv(v: float) -> float:
        return math.sqrt(max(v - poisson, 0.0))

    lo = ss / stats.chi2.ppf(0.975, dof)
    hi = ss / stats.chi2.ppf(0.025, dof)
    return cv(var), (cv(lo), cv(hi))


def fit_arrivals(marked: pd.DataFrame) -> ArrivalFit:
    """Fit the first dials of a log marked by :func:`mark_redials`."""
    first = marked[~marked["redial"]]
    dates = pd.Series(sorted(set(marked["arrived"].dt.date)))
    date_of = first["arrived"].dt.date
    volume = date_of.value_counts().reindex(dates, fill_value=0)
    weekday = np.array([d.weekday() for d in volume.index])
    slot = (
        (first["arrived"] - first["arrived"].dt.normalize()).dt.total_seconds() // SLOT_S
    ).astype(int)
    wd = first["arrived"].dt.day_of_week.to_numpy()
    counts = np.zeros((7, SLOTS))
    np.add.at(counts, (wd, slot.to_numpy()), 1)
    n_of = np.array([(weekday == w).sum() for w in range(7)])
    v = volume.to_numpy(dtype=float)
    per_day = float(v.mean())
    se = float(v.std(ddof=1) / math.sqrt(v.size)) if v.size > 1 else math.nan
    mean_w = np.array([v[weekday == w].mean() if n_of[w] else math.nan for w in range(7)])
    dow = mean_w / np.nanmean(mean_w)
    dow = np.nan_to_num(dow, nan=0.0)
    cv, cv_ci = _cv_hat(v, weekday)
    busiest = np.argsort(mean_w)[::-1][:5]
    big = np.isin(weekday, busiest)
    raw = float(v[big].std(ddof=1) / v[big].mean()) if big.sum() > 1 else math.nan
    return ArrivalFit(
        volume,
        n_of,
        counts,
        per_day,
        (per_day - Z95 * se, per_day + Z95 * se),
        dow,
        cv,
        cv_ci,
        raw,
    )
