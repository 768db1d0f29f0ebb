"""Distribution fits with their uncertainty: talk times (complete data) and patience (censored).

Talk: lognormal and gamma by maximum likelihood (``scipy.stats.<dist>.fit`` with the location at
0), each with the Kolmogorov-Smirnov distance to the sample as its goodness of fit; the family
with the smaller distance whose mean is within 2% of the sample mean is chosen, else the
empirical distribution (sample quantiles). Patience: Kaplan-Meier (``scipy.stats.ecdf`` on
``CensoredData``) from waits that ended in abandonment (events) and in service (right-censored),
and censored maximum likelihood for the exponential and the lognormal (``fit`` on the same
``CensoredData``), the smaller AIC chosen. Confidence intervals of parameters come from the
observed information (a numerical Hessian of the log-likelihood), of means by the delta method.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from scipy import stats

Z95 = 1.959963984540054
MEAN_TOLERANCE = 0.02  # a talk fit must reproduce the sample mean within 2%
EMPIRICAL_POINTS = 200  # quantiles written for an empirical distribution
MIN_DISTINCT = 10  # fewer distinct talk times than this: the empirical distribution


@dataclass(frozen=True)
class Fit:
    """One fitted family: parameters (s for times), their 95% intervals, fit figures.

    ``params`` names: lognormal ``log_mu``, ``log_sd``; gamma ``shape``, ``scale_s``;
    exponential ``mean_s``. ``mean_s`` is the fitted mean with its interval ``mean_ci_s``.
    """

    family: str
    params: dict[str, float]
    ci: dict[str, tuple[float, float]]
    mean_s: float
    mean_ci_s: tuple[float, float]
    loglik: float
    ks: float = math.nan  # Kolmogorov-Smirnov distance to the sample (complete data only)

    @property
    def aic(self) -> float:
        """Akaike's information criterion of the fit (lower is better)."""
        return 2 * len(self.params) - 2 * self.loglik

    def frozen(self) -> stats.rv_continuous:
        """The fitted distribution as a frozen scipy distribution, in seconds."""
        if self.family == "lognormal":
            return stats.lognorm(self.params["log_sd"], scale=math.exp(self.params["log_mu"]))
        if self.family == "gamma":
            return stats.gamma(self.params["shape"], scale=self.params["scale_s"])
        return stats.expon(scale=self.params["mean_s"])

    def scenario_dist(self) -> dict[str, object]:
        """The scenario syntax of this fit (docs/scenarios.md section 3)."""
        p = self.params
        if self.family == "lognormal":
            return {
                "dist": "lognormal",
                "median_s": _r(math.exp(p["log_mu"])),
                "log_sd": _r(p["log_sd"]),
            }
        if self.family == "gamma":
            return {"dist": "gamma", "shape": _r(p["shape"]), "scale_s": _r(p["scale_s"])}
        return {"dist": "exponential", "mean_s": _r(p["mean_s"])}


def _r(x: float) -> float:
    return float(f"{x:.5g}")


@dataclass(frozen=True)
class TalkFit:
    """Talk-time fits of one call type and the choice among them."""

    n: int
    sample_mean_s: float
    fits: dict[str, Fit]
    chosen: str  # "lognormal", "gamma" or "empirical"
    reason: str
    samples_s: tuple[float, ...] = ()  # the empirical quantiles when chosen == "empirical"

    def scenario_dist(self) -> dict[str, object]:
        """The chosen fit as a scenario file's distribution table."""
        if self.chosen == "empirical":
            return {"dist": "empirical", "samples_s": list(self.samples_s)}
        return self.fits[self.chosen].scenario_dist()


def hessian(fn: Callable[[np.ndarray], float], x: np.ndarray) -> np.ndarray:
    """Central-difference Hessian of the scalar function ``fn`` at ``x``."""
    k = x.size
    h = 1e-4 * np.maximum(np.abs(x), 1e-2)
    out = np.zeros((k, k))
    for i in range(k):
        for j in range(i, k):
            ei, ej = np.eye(k)[i] * h[i], np.eye(k)[j] * h[j]
            v = (fn(x + ei + ej) - fn(x + ei - ej) - fn(x - ei + ej) + fn(x - ei - ej)) / (
                4 * h[i] * h[j]
            )
            out[i, j] = out[j, i] = v
    return out


def _loglik(family: str, theta: np.ndarray, events: np.ndarray, censored: np.ndarray) -> float:
    """Log-likelihood with ``theta`` on the log scale of positive parameters (lognormal mu raw)."""
    if family == "lognormal":
        d = stats.lognorm(math.exp(theta[1]), scale=math.exp(theta[0]))
    elif family == "gamma":
        d = stats.gamma(math.exp(theta[0]), scale=math.exp(theta[1]))
    else:
        d = stats.expon(scale=math.exp(theta[0]))
    ll = float(np.sum(d.logpdf(events)))
    if censored.size:
        ll += float(np.sum(d.logsf(censored)))
    return ll


def _theta(family: str, params: dict[str, float]) -> np.ndarray:
    if family == "lognormal":
        return np.array([params["log_mu"], math.log(params["log_sd"])])
    if family == "gamma":
        return np.array([math.log(params["shape"]), math.log(params["scale_s"])])
    return np.array([math.log(params["mean_s"])])


def _mean(family: str, theta: np.ndarray) -> float:
    if family == "lognormal":
        return math.exp(theta[0] + math.exp(theta[1]) ** 2 / 2)
    if family == "gamma":
        return math.exp(theta[0] + theta[1])
    return math.exp(theta[0])


def _with_ci(
    family: str, params: dict[str, float], events: np.ndarray, censored: np.ndarray
) -> Fit:
    """Wald intervals on the log scale from the observed information."""
    theta = _theta(family, params)
    ll = _loglik(family, theta, events, censored)
    hess = hessian(lambda t: _loglik(family, t, events, censored), theta)
    try:
        cov = np.linalg.inv(-hess)
    except np.linalg.LinAlgError:
        cov = np.full_like(hess, np.nan)
    se = np.sqrt(np.clip(np.diag(cov), 0, None))
    names = list(params)
    ci = {}
    for i, name in enumerate(names):
        lo, hi = theta[i] - Z95 * se[i], theta[i] + Z95 * se[i]
        ci[name] = (lo, hi) if (family == "lognormal" and i == 0) else (math.exp(lo), math.exp(hi))
    # delta method for the mean, on the log scale
    grad = np.zeros(theta.size)
    for i in range(theta.size):
        step = np.zeros(theta.size)
        step[i] = 1e-5
        grad[i] = (
            math.log(_mean(family, theta + step)) - math.log(_mean(family, theta - step))
        ) / 2e-5
    mean = _mean(family, theta)
    sd_log_mean = math.sqrt(max(float(grad @ cov @ grad), 0.0))
    mean_ci = (mean * math.exp(-Z95 * sd_log_mean), mean * math.exp(Z95 * sd_log_mean))
    return Fit(family, params, ci, mean, mean_ci, ll)


def fit_complete(sample_s: np.ndarray, family: str) -> Fit:
    """Maximum-likelihood fit of ``family`` (lognormal or gamma) to positive durations."""
    x = np.asarray(sample_s, dtype=float)
    if family == "lognormal":
        logs = np.log(x)
        params = {"log_mu": float(logs.mean()), "log_sd": float(logs.std())}
        frozen = stats.lognorm(params["log_sd"], scale=math.exp(params["log_mu"]))
    else:
        shape, _, scale = stats.gamma.fit(x, floc=0)
        params = {"shape": float(shape), "scale_s": float(scale)}
        frozen = stats.gamma(shape, scale=scale)
    fit = _with_ci(family, params, x, np.zeros(0))
    ks = float(stats.kstest(x, frozen.cdf).statistic)
    return Fit(fit.family, fit.params, fit.ci, fit.mean_s, fit.mean_ci_s, fit.loglik, ks)


def fit_talk(sample_s: np.ndarray) -> TalkFit:
    """Lognormal and gamma by ML; the better (KS) that keeps the mean within 2%, else empirical."""
    x = np.asarray(sample_s, dtype=float)
    mean = float(x.mean())
    if np.unique(x).size < MIN_DISTINCT:
        return TalkFit(
            x.size,
            mean,
            {},
            "empirical",
            f"too few distinct talk times ({np.unique(x).size}) to fit a family",
            tuple(float(f"{v:.4g}") for v in x),
        )
    fits = {f: fit_complete(x, f) for f in ("lognormal", "gamma")}
    ok = [f for f in fits.values() if abs(f.mean_s / mean - 1) <= MEAN_TOLERANCE]
    if ok:
        best = min(ok, key=lambda f: f.ks)
        other = next(f for f in fits.values() if f is not best)
        why = f"smaller KS distance ({best.ks:.3f} against {other.family} {other.ks:.3f})"
        if other not in ok:
            why = (
                f"{other.family} misses the mean by {other.mean_s / mean - 1:+.1%}; "
                f"{best.family} KS {best.ks:.3f}"
            )
        return TalkFit(x.size, mean, fits, best.family, why)
    q = np.quantile(x, (np.arange(EMPIRICAL_POINTS) + 0.5) / EMPIRICAL_POINTS)
    samples = tuple(float(f"{v:.4g}") for v in q)
    return TalkFit(
        x.size,
        mean,
        fits,
        "empirical",
        "neither family reproduces the mean within 2%: "
        + ", ".join(f"{f.family} {f.mean_s / mean - 1:+.1%}" for f in fits.values()),
        samples,
    )


# --- patience: censored data ----------------------------------------------------------------


@dataclass(frozen=True)
class PatienceFit:
    """Patience from waits: abandonments are events, answers right-censor.

    Only callers who had to wait are at risk: an answer at wait 0 tells nothing about patience,
    so it is left out; an abandonment at wait 0 (the caller hung up as the wait began) is the
    point mass ``p_zero`` at 0, and the parametric fits describe the positive part.
    """

    n_events: int
    n_censored: int
    p_zero: float
    p_zero_ci: tuple[float, float]
    km_t_s: np.ndarray = field(repr=False)
    km_s: np.ndarray = field(repr=False)
    km_lo: np.ndarray = field(repr=False)
    km_hi: np.ndarray = field(repr=False)
    fits: dict[str, Fit] = field(default_factory=dict)
    chosen: str = "exponential"

    def scenario_dist(self, cap_s: float = math.inf) -> dict[str, object]:
        """The scenario syntax: the chosen fit, cut at ``cap_s`` if given.

        Patience longer than the longest wait in the log is not identified by it, and a heavy
        fitted tail would keep callers waiting for hours when nobody is on duty; with a cap the
        positive part is written as the fit's quantiles clipped at the cap (empirical).
        """
        fit = self.fits[self.chosen]
        body = fit.scenario_dist()
        if math.isfinite(cap_s):
            levels = (np.arange(EMPIRICAL_POINTS) + 0.5) / EMPIRICAL_POINTS
            q = np.minimum(fit.frozen().ppf(levels), cap_s)
            body = {"dist": "empirical", "samples_s": [float(f"{v:.4g}") for v in q]}
        if self.p_zero <= 0:
            return body
        zero = {"weight": _r(self.p_zero), "dist": "deterministic", "value_s": 0}
        return {"dist": "mixture", "components": [zero, {"weight": _r(1 - self.p_zero), **body}]}


def kaplan_meier(
    events_s: np.ndarray, censored_s: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Survival S(t) at the event times with its 95% band (Greenwood, log-log), from scipy."""
    data = stats.CensoredData(uncensored=events_s, right=censored_s)
    res = stats.ecdf(data)
    with warnings.catch_warnings():  # the log-log band is undefined where S = 1 or 0: NaN there
        warnings.simplefilter("ignore", RuntimeWarning)
        band = res.sf.confidence_interval(0.95, method="log-log")
    low = np.nan_to_num(band.low.probabilities, nan=0.0)
    high = np.nan_to_num(band.high.probabilities, nan=1.0)
    return res.sf.quantiles, res.sf.probabilities, low, high


def fit_censored(events_s: np.ndarray, censored_s: np.ndarray, family: str) -> Fit:
    """Censored maximum likelihood (``scipy.stats.<dist>.fit`` on ``CensoredData``), loc 0."""
    data = stats.CensoredData(uncensored=events_s, right=censored_s)
    if family == "exponential":
        mean = (events_s.sum() + censored_s.sum()) / max(events_s.size, 1)  # the closed form
        params = {"mean_s": float(mean)}
    else:
        shape, _, scale = stats.lognorm.fit(data, floc=0)
        params = {"log_mu": float(math.log(scale)), "log_sd": float(shape)}
    return _with_ci(family, params, events_s, censored_s)


def fit_patience(
    wait_s: np.ndarray, abandoned: np.ndarray, min_events: int = 5
) -> PatienceFit | None:
    """Patience of one group of attempts (``abandoned`` True = event); None if too few events."""
    w = np.asarray(wait_s, dtype=float)
    ab = np.asarray(abandoned, dtype=bool)
    at_risk = ab | (w > 0)
    w, ab = w[at_risk], ab[at_risk]
    zero = ab & (w <= 0)
    n = w.size
    if n == 0:
        return None
    p0 = zero.sum() / n
    se0 = math.sqrt(max(p0 * (1 - p0), 1e-12) / n)
    events, censored = w[ab & ~zero], w[~ab]
    if events.size < min_events:
        return None
    t, s, lo, hi = kaplan_meier(w[ab], censored)
    fits = {f: fit_censored(events, censored, f) for f in ("exponential", "lognormal")}
    chosen = min(fits.values(), key=lambda f: f.aic).family
    return PatienceFit(
        int(ab.sum()),
        int(censored.size),
        float(p0),
        (max(p0 - Z95 * se0, 0.0), min(p0 + Z95 * se0, 1.0)),
        t,
        s,
        lo,
        hi,
        fits,
        chosen,
    )
