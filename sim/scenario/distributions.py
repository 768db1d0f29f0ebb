"""Probability distributions for durations and amounts, with one TOML syntax.

A distribution is an inline table with a ``dist`` key. Time parameters carry
their unit in the key (``mean_s``, ``mean_min`` or ``mean_h``); inside the
model every duration is in seconds. Non-time quantities (money) use the bare
names (``mean``, ``median``). Forms::

    {dist = "exponential", mean_min = 3}
    {dist = "lognormal", mean_min = 17, cv = 0.5}          # or log_sd = 0.5
    {dist = "lognormal", median_min = 8, log_sd = 1.0}
    {dist = "gamma", mean_s = 120, cv = 0.7}               # or shape = .., scale_s = ..
    {dist = "deterministic", value_s = 20}
    {dist = "uniform", low_min = 1, high_min = 5}
    {dist = "empirical", samples_s = [12, 40, 95]}        # resampled with replacement
    {dist = "mixture", components = [{weight = 0.3, dist = ...}, ...]}

A bare number is shorthand for a deterministic value in seconds (time) or in
plain units. Every sampler is vectorised: ``sample(rng, n)`` draws ``n``
values at once from a ``numpy.random.Generator``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.errors import ScenarioError, described, dotted

TIME_UNITS_S: dict[str, float] = {"s": 1.0, "min": 60.0, "h": 3600.0}
KINDS = ("exponential", "lognormal", "gamma", "deterministic", "uniform", "empirical", "mixture")

#: Largest coefficient of variation of a lognormal or gamma. Beyond it the draws no
#: longer show the stated mean: a lognormal with cv = 1e20 draws almost only values
#: near 0 (its mean lives in draws too rare to happen), a gamma's shape 1 / cv^2
#: makes most draws exactly 0.
CV_MAX = 10.0
#: Smallest cv of a gamma (its shape 1 / cv^2 must stay a usable number; use a
#: deterministic value for less spread).
GAMMA_CV_MIN = 1e-6
#: Largest log_sd of a lognormal: the same spread as cv = CV_MAX.
LOG_SD_MAX = math.sqrt(math.log1p(CV_MAX * CV_MAX))
#: Largest mean of any distribution, in seconds (time) or plain units (rupees): draws
#: and their sums stay far from float overflow.
MEAN_MAX = 1e15


def as_float(v: int | float) -> float:
    """``float(v)``, or +-inf for an integer beyond float range (``1`` and 400 zeros)."""
    try:
        return float(v)
    except OverflowError:
        return math.inf if v > 0 else -math.inf


@dataclass(frozen=True)
class Dist:
    """A parsed distribution; parameters in seconds for time quantities.

    ``kind`` is one of :data:`KINDS`; ``params`` holds the canonical
    parameters (see :func:`parse_dist`); ``parts`` the weighted components of
    a mixture.
    """

    kind: str
    params: tuple[tuple[str, float], ...] = ()
    samples: tuple[float, ...] = ()
    parts: tuple[tuple[float, Dist], ...] = ()

    def p(self, name: str) -> float:
        """Return canonical parameter ``name``."""
        return dict(self.params)[name]

    @property
    def mean(self) -> float:
        """The exact mean, in the quantity's unit (seconds for time)."""
        k = self.kind
        if k == "exponential":
            return self.p("mean")
        if k == "lognormal":
            return math.exp(self.p("mu") + self.p("sigma") ** 2 / 2)
        if k == "gamma":
            return self.p("shape") * self.p("scale")
        if k == "deterministic":
            return self.p("value")
        if k == "uniform":
            return (self.p("low") + self.p("high")) / 2
        if k == "empirical":
            return float(np.mean(self.samples))
        return sum(w * d.mean for w, d in self.parts)

    @property
    def var(self) -> float:
        """The exact variance, in the quantity's unit squared (for M/G/1 and CV-based formulas)."""
        k = self.kind
        if k == "exponential":
            return self.p("mean") ** 2
        if k == "lognormal":
            s2 = self.p("sigma") ** 2
            return math.expm1(s2) * math.exp(2 * self.p("mu") + s2)
        if k == "gamma":
            return self.p("shape") * self.p("scale") ** 2
        if k == "deterministic":
            return 0.0
        if k == "uniform":
            return (self.p("high") - self.p("low")) ** 2 / 12
        if k == "empirical":
            return float(np.var(self.samples))  # resampled with replacement: population variance
        second = sum(w * (d.var + d.mean**2) for w, d in self.parts)  # weights sum to 1
        return second - self.mean**2

    @property
    def is_zero(self) -> bool:
        """True for a deterministic zero (e.g. no after-call work)."""
        return self.kind == "deterministic" and self.p("value") == 0.0

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """Draw ``n`` independent values (float64)."""
        k = self.kind
        if k == "exponential":
            return rng.exponential(self.p("mean"), n)
        if k == "lognormal":
            return rng.lognormal(self.p("mu"), self.p("sigma"), n)
        if k == "gamma":
            return rng.gamma(self.p("shape"), self.p("scale"), n)
        if k == "deterministic":
            return np.full(n, self.p("value"))
        if k == "uniform":
            return rng.uniform(self.p("low"), self.p("high"), n)
        if k == "empirical":
            return rng.choice(np.asarray(self.samples, dtype=float), n)
        weights = np.array([w for w, _ in self.parts])
        which = rng.choice(len(self.parts), n, p=weights / weights.sum())
        out = np.empty(n)
        for i, (_, d) in enumerate(self.parts):
            mask = which == i
            out[mask] = d.sample(rng, int(mask.sum()))
        return out


def _number(spec: dict[str, Any], name: str, key: str, *, positive: bool = True) -> float:
    value = spec[name]
    where = dotted(key, name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ScenarioError(where, "a finite number", value)
    f = as_float(value)
    if not math.isfinite(f):
        raise ScenarioError(where, "a finite number", value)
    if positive and f <= 0:
        raise ScenarioError(where, "a number > 0", value)
    if f < 0:
        raise ScenarioError(where, "a number >= 0", value)
    return f


def _spread(spec: dict[str, Any], name: str, key: str, hi: float, lo: float = 0.0) -> float:
    """A cv, log_sd or shape: a number > 0 (or >= ``lo``) and at most ``hi``."""
    v = _number(spec, name, key)
    if v > hi or v < lo:
        low = f">= {lo:g}" if lo else "> 0"
        raise ScenarioError(dotted(key, name), f"a number {low} and <= {hi:.4g}", spec[name])
    return v


def _take(spec: dict[str, Any], base: str, key: str, time: bool, **kw: Any) -> float | None:
    """Find parameter ``base`` (with a unit suffix if ``time``); return it in seconds."""
    if not time:
        return _number(spec, base, key, **kw) if base in spec else None
    found = [u for u in TIME_UNITS_S if f"{base}_{u}" in spec]
    if len(found) > 1:
        names = ", ".join(f"{base}_{u}" for u in found)
        raise ScenarioError(key, f"one unit for {base!r}", described(f"<{names}>"))
    if base in spec:
        raise ScenarioError(
            dotted(key, base), f"given with a unit: {base}_s, {base}_min or {base}_h", spec[base]
        )
    if not found:
        return None
    name = f"{base}_{found[0]}"
    seconds = _number(spec, name, key, **kw) * TIME_UNITS_S[found[0]]
    if not math.isfinite(seconds):  # finite in hours, not in seconds
        raise ScenarioError(dotted(key, name), "a number that is finite in seconds", spec[name])
    return seconds


def _given_name(spec: dict[str, Any], base: str, time: bool) -> str:
    """The key under which parameter ``base`` was given (``low_min``, or ``low``)."""
    if not time:
        return base
    return next(f"{base}_{u}" for u in TIME_UNITS_S if f"{base}_{u}" in spec)


def _allowed_keys(kind: str, time: bool) -> set[str]:
    bases = {
        "exponential": ["mean"],
        "lognormal": ["mean", "median"],
        "gamma": ["mean", "scale"],
        "deterministic": ["value"],
        "uniform": ["low", "high"],
        "empirical": ["samples"],
        "mixture": [],
    }[kind]
    suffixes = [f"_{u}" for u in TIME_UNITS_S] if time else [""]
    keys = {b + s for b in bases for s in suffixes} | {"dist"}
    keys |= {
        "lognormal": {"cv", "log_sd"},
        "gamma": {"cv", "shape"},
        "mixture": {"components"},
    }.get(kind, set())
    return keys


def parse_dist(spec: Any, key: str, *, time: bool = True) -> Dist:
    """Parse a distribution table (see module doc) found at dotted ``key``.

    ``time`` says whether the quantity is a duration (unit suffixes required,
    converted to seconds). Raises :class:`ScenarioError` naming the key, also
    for parameters whose draws would not be finite or would not have the
    stated mean (see :data:`CV_MAX`, :data:`MEAN_MAX`).
    """
    dist = _parse(spec, key, time)
    unit = " s" if time else ""
    try:
        mean, sd = dist.mean, math.sqrt(max(dist.var, 0.0))
    except OverflowError:
        mean = sd = math.inf
    if not (math.isfinite(mean) and math.isfinite(sd) and mean <= MEAN_MAX):
        raise ScenarioError(
            key,
            f"a distribution with a finite mean of at most {MEAN_MAX:g}{unit} and a finite spread",
            described(f"<mean {mean:g}{unit}, standard deviation {sd:g}{unit}>"),
        )
    return dist


def _parse(spec: Any, key: str, time: bool) -> Dist:
    if isinstance(spec, int | float) and not isinstance(spec, bool):
        value = as_float(spec)
        if not math.isfinite(value) or value < 0:
            raise ScenarioError(key, "a number >= 0 or a distribution table", spec)
        return Dist("deterministic", (("value", value),))
    if not isinstance(spec, dict):
        raise ScenarioError(
            key, 'a distribution table such as {dist = "exponential", mean_min = 3}', spec
        )
    kind = spec.get("dist")
    if kind == "constant":
        kind = "deterministic"
    if kind not in KINDS:
        raise ScenarioError(dotted(key, "dist"), "one of " + ", ".join(KINDS), kind)
    allowed = _allowed_keys(kind, time) | ({"dist"})
    for name in spec:
        if name not in allowed:
            raise ScenarioError(
                dotted(key, name),
                f"one of the {kind} keys: " + ", ".join(sorted(allowed - {"dist"})),
                described("<unknown key>"),
            )

    def need(base: str, **kw: Any) -> float:
        v = _take(spec, base, key, time, **kw)
        if v is None:
            unit = f"{base}_s, {base}_min or {base}_h" if time else base
            article = "an" if kind[0] in "aeiou" else "a"
            raise ScenarioError(key, f"{article} {kind} table with {unit}", described("<missing>"))
        return v

    if kind == "exponential":
        return Dist(kind, (("mean", need("mean")),))
    if kind == "deterministic":
        return Dist(kind, (("value", need("value", positive=False)),))
    if kind == "uniform":
        low, high = need("low", positive=False), need("high")
        if high <= low:  # name the keys and values as written, not in seconds
            lk, hk = (_given_name(spec, b, time) for b in ("low", "high"))
            in_s = f" = {low:g} s" if time and lk[3:] != hk[4:] else ""  # different units
            raise ScenarioError(
                dotted(key, hk), f"greater than {lk} ({spec[lk]:g}{in_s})", spec[hk]
            )
        return Dist(kind, (("low", low), ("high", high)))
    if kind == "lognormal":
        mean, median = _take(spec, "mean", key, time), _take(spec, "median", key, time)
        cv = _spread(spec, "cv", key, CV_MAX) if "cv" in spec else None
        sd = _spread(spec, "log_sd", key, LOG_SD_MAX) if "log_sd" in spec else None
        if (mean is None) == (median is None) or (cv is None) == (sd is None):
            raise ScenarioError(
                key,
                "a lognormal with (mean or median) and (cv or log_sd)",
                described("<" + ", ".join(sorted(set(spec) - {"dist"})) + ">"),
            )
        # Exactly one of cv and log_sd, and one of mean and median (checked above).
        if sd is not None:
            sigma = sd
        else:
            assert cv is not None
            sigma = math.sqrt(math.log1p(cv * cv))
        if median is not None:
            mu = math.log(median)
        else:
            assert mean is not None
            mu = math.log(mean) - sigma * sigma / 2
        return Dist(kind, (("mu", mu), ("sigma", sigma)))
    if kind == "gamma":
        mean = _take(spec, "mean", key, time)
        scale = _take(spec, "scale", key, time)
        cv = _spread(spec, "cv", key, CV_MAX, GAMMA_CV_MIN) if "cv" in spec else None
        shape = (
            _spread(spec, "shape", key, 1 / GAMMA_CV_MIN**2, 1 / CV_MAX**2)
            if "shape" in spec
            else None
        )
        if mean is not None and cv is not None and scale is None and shape is None:
            shape = 1.0 / (cv * cv)
            return Dist(kind, (("shape", shape), ("scale", mean / shape)))
        if shape is not None and scale is not None and mean is None and cv is None:
            return Dist(kind, (("shape", shape), ("scale", scale)))
        raise ScenarioError(
            key,
            "a gamma with (mean and cv) or (shape and scale)",
            described("<" + ", ".join(sorted(set(spec) - {"dist"})) + ">"),
        )
    if kind == "empirical":
        names = [n for n in spec if n.startswith("samples")]
        if len(names) != 1:
            got = described("<" + ", ".join(names) + ">" if names else "<missing>")
            raise ScenarioError(key, "an empirical table with one samples list", got)
        raw = spec[names[0]]
        factor = TIME_UNITS_S[names[0].split("_", 1)[1]] if time else 1.0
        ok = (
            isinstance(raw, list)
            and raw
            and all(
                isinstance(x, int | float)
                and not isinstance(x, bool)
                and math.isfinite(as_float(x) * factor)
                and x >= 0
                for x in raw
            )
        )
        if not ok:
            where = dotted(key, names[0])
            raise ScenarioError(where, "a non-empty list of finite numbers >= 0", raw)
        return Dist(kind, samples=tuple(float(x) * factor for x in raw))
    comps = spec.get("components")
    if not isinstance(comps, list) or not comps:
        raise ScenarioError(
            dotted(key, "components"), "a non-empty list of {weight = w, dist = ...}", comps
        )
    parts = []
    for i, comp in enumerate(comps):
        ckey = f"{key}.components[{i}]"
        if not isinstance(comp, dict) or "weight" not in comp:
            raise ScenarioError(ckey, "a table with weight and dist", comp)
        weight = _number(comp, "weight", ckey)
        inner = {k: v for k, v in comp.items() if k != "weight"}
        parts.append((weight, parse_dist(inner, ckey, time=time)))
    # Scaled by the largest weight first, so weights near the float maximum cannot
    # sum to infinity (which would make every share 0).
    top = max(w for w, _ in parts)
    total = sum(w / top for w, _ in parts)
    return Dist(kind, parts=tuple((w / top / total, d) for w, d in parts))
