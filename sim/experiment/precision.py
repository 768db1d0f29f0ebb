"""How many replications give a metric's 95% CI a target relative half-width.

From a pilot of ``k`` replications with mean ``m`` and standard deviation
``s``, the half-width with ``n`` replications is about ``t(n-1) s / sqrt(n)``.
The plan is the smallest ``n >= 2`` with

    n >= (t(n-1) * s / (precision * |m|))**2,

the fixed point of iterating ``n = ceil((t * s / (precision * m))^2)`` with
``t`` re-read for ``n - 1`` degrees of freedom each time (Law, *Simulation
Modeling and Analysis*, the "approximate number of replications" method).

:func:`replicate_to_precision` goes on to run them: it adds the planned
replications, re-plans from all of them, and stops when the interval is as
narrow as asked or ``max_replications`` is reached (Law's sequential
procedure; the replications are always ``0..n-1`` of the seed, so the result
is the same as one run of ``n`` replications).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sim.errors import ExperimentError
from sim.executors import Execution
from sim.experiment.sweep import as_scenario, check_metric, check_replications
from sim.metrics import estimate, normal_quantile, t_quantile
from sim.runner import run_summaries
from sim.scenario.values import Scenario


@dataclass(frozen=True)
class ReplicationPlan:
    """The pilot's figures and the replications needed.

    ``needed`` counts all replications (the pilot's included: they are
    replications 0..pilot-1 of the same seed); ``within_max`` says whether it
    is at most ``max_replications``.
    """

    metric: str
    precision: float
    confidence: float
    pilot: int
    mean: float
    sd: float
    pilot_half_width_rel: float
    needed: int
    max_replications: int
    values: tuple[float, ...]

    @property
    def within_max(self) -> bool:
        """Whether the replications needed fit within the allowed maximum."""
        return self.needed <= self.max_replications

    @property
    def pilot_enough(self) -> bool:
        """Whether the pilot already reaches the precision."""
        return self.needed <= self.pilot


#: Replications :func:`replications_for` reports at most: a plan needing more is reported as
#: needing this many (far beyond any ``--max``), not as a number too large to compute.
MOST_NEEDED = 10**12


def replications_for(
    values: Sequence[float], precision: float, confidence: float = 0.95, name: str = "the metric"
) -> tuple[float, float, int]:
    """(mean, sd, n needed) for a relative half-width ``precision`` from pilot ``values``."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    if x.size < 2:
        raise ExperimentError(
            f"{name} is defined in {x.size} pilot replication(s); need at least 2 "
            "(raise --pilot or lengthen the horizon)"
        )
    mean, sd = float(x.mean()), float(x.std(ddof=1))
    if mean == 0:
        raise ExperimentError(
            f"{name}: the pilot mean is 0, so a relative precision is undefined; "
            "choose another metric or a busier scenario"
        )
    q = 0.5 + confidence / 2
    target = precision * abs(mean)
    # t(n-1) > z, so the normal approximation is a lower bound; walk up from it. Beyond
    # MOST_NEEDED (a tiny precision or mean) the answer is that many: no run comes near it.
    root = normal_quantile(q) * sd / target if target > 0 else math.inf
    if not root * root < MOST_NEEDED:  # NaN and inf included (a product overflows to inf)
        return mean, sd, MOST_NEEDED
    n = max(2, math.ceil(root * root))
    while n < (t_quantile(n - 1, q) * sd / target) ** 2:
        n += 1
    return mean, sd, n


def replications_needed(
    scenario: Scenario | str | Path,
    metric: str,
    precision: float,
    *,
    pilot: int = 5,
    max_replications: int = 200,
    confidence: float = 0.95,
    execution: Execution | None = None,
) -> ReplicationPlan:
    """Run ``pilot`` replications and plan how many reach ``precision`` (e.g. 0.05 = 5%).

    ``execution`` says where the pilot runs (default: local processes).
    """
    check_metric(metric)
    if not (isinstance(precision, int | float) and 0 < precision < 1):
        raise ExperimentError(f"must be a number > 0 and < 1; got {precision!r}", "precision")
    if isinstance(pilot, bool) or not isinstance(pilot, int) or pilot < 2:
        raise ExperimentError(f"must be a whole number >= 2; got {pilot!r}", "pilot")
    if max_replications < pilot:
        raise ExperimentError(
            f"must be at least the pilot ({pilot}); got {max_replications}", "max_replications"
        )
    sc = as_scenario(scenario)
    check_replications(pilot, sc, option="--pilot")  # within the scenario's [limits]
    results = run_summaries([sc], pilot, execution or Execution(), desc="pilot")
    values = tuple(results[(0, r)].summary[metric] for r in range(pilot))
    mean, sd, needed = replications_for(values, precision, confidence, metric)
    n_ok = int(np.sum(~np.isnan(values)))
    half = t_quantile(n_ok - 1, 0.5 + confidence / 2) * sd / math.sqrt(n_ok)
    return ReplicationPlan(
        metric,
        float(precision),
        confidence,
        pilot,
        mean,
        sd,
        float(half / abs(mean)),
        needed,
        max_replications,
        values,
    )


@dataclass(frozen=True)
class PrecisionRun:
    """What :func:`replicate_to_precision` reached.

    ``replications`` were run (``0..n-1``); ``mean`` and ``ci_lo``/``ci_hi``
    are the metric's estimate over them; ``reached`` says whether the
    relative half-width is at most ``precision``; ``steps`` lists the
    replications run after each step, the pilot first.
    """

    metric: str
    precision: float
    confidence: float
    replications: int
    mean: float
    ci_lo: float
    ci_hi: float
    half_width_rel: float
    reached: bool
    max_replications: int
    steps: tuple[int, ...]
    values: tuple[float, ...]


def replicate_to_precision(
    scenario: Scenario | str | Path,
    metric: str,
    precision: float,
    *,
    pilot: int = 5,
    max_replications: int = 200,
    confidence: float = 0.95,
    execution: Execution | None = None,
) -> PrecisionRun:
    """Run replications until ``metric``'s CI half-width is ``precision`` of its mean (or the max).

    Starts with the plan of :func:`replications_needed` and runs the missing
    replications; as the plan rests on the pilot's standard deviation, it is
    redone from all replications so far until the target or
    ``max_replications`` is reached.
    """
    sc = as_scenario(scenario)
    check_replications(max_replications, sc, option="--max")  # it may run that many
    plan = replications_needed(
        sc,
        metric,
        precision,
        pilot=pilot,
        max_replications=max_replications,
        confidence=confidence,
        execution=execution,
    )
    values = list(plan.values)
    steps = [len(values)]
    needed = plan.needed
    while True:
        est = estimate(values, confidence)
        half_rel = (est.hi - est.lo) / 2 / abs(est.mean) if est.mean else math.inf
        done = len(values)
        if half_rel <= precision or done >= max_replications:
            break
        target = min(max(needed, done + 1), max_replications)
        results = run_summaries(
            [sc], target, execution or Execution(), first=done, desc=f"to {target}"
        )
        values += [results[(0, r)].summary[metric] for r in range(done, target)]
        steps.append(len(values))
        _, _, needed = replications_for(values, precision, confidence, metric)
    return PrecisionRun(
        metric,
        float(precision),
        confidence,
        len(values),
        est.mean,
        est.lo,
        est.hi,
        half_rel,
        half_rel <= precision,
        max_replications,
        tuple(steps),
        tuple(values),
    )


#: A CI whose half-width exceeds this share of the mean says next to nothing about the metric.
UNINFORMATIVE_HALF_WIDTH = 0.5
#: Metrics a planner reads first: the replications advised are planned for these when flagged.
KEY_METRICS = (
    "service_level",
    "service_level_offered",
    "asa_s",
    "abandon_rate",
    "block_rate",
    "golden_hour_share",
    "targets_met_interval_share",
    "targets_met_day_share",
)
#: A share's interval narrower than this (absolute, +/-) is informative whatever its mean.
SHARE_NOISE = 0.02
#: The relative half-width a warning about wide intervals plans replications for.
ADVISED_PRECISION = 0.1


@dataclass(frozen=True)
class WideInterval:
    """A metric whose 95% CI over ``replications`` is too wide to say anything, and the
    replications a relative half-width of ``precision`` needs (None: not computable).
    """

    metric: str
    replications: int
    half_width_rel: float
    precision: float
    needed: int | None


def wide_intervals(
    per_rep: dict[str, Sequence[float]],
    *,
    confidence: float = 0.95,
    precision: float = ADVISED_PRECISION,
    shares: Sequence[str] = (),
) -> list[WideInterval]:
    """The metrics of ``per_rep`` (name -> one value per replication) whose CI is uninformative.

    A metric is flagged when it has fewer than 2 defined replications (no interval at all) or
    when its t half-width exceeds :data:`UNINFORMATIVE_HALF_WIDTH` of its mean (with 2
    replications a share can show "0% to 100%"); ``needed`` is :func:`replications_for` at
    ``precision``. Metrics with mean 0 or no defined value are left out (no relative width),
    and so are the ``shares`` whose interval is narrower than :data:`SHARE_NOISE` in absolute
    terms (a share of 0.1% +/- 0.1% is precise enough to act on).
    """
    out = []
    q = 0.5 + confidence / 2
    for name, values in per_rep.items():
        x = np.asarray(values, dtype=float)
        x = x[~np.isnan(x)]
        if x.size == 0 or float(x.mean()) == 0:
            continue
        if x.size < 2:
            out.append(WideInterval(name, int(x.size), math.inf, precision, None))
            continue
        sd = float(x.std(ddof=1))
        half = float(t_quantile(x.size - 1, q) * sd / math.sqrt(x.size))
        rel = half / abs(float(x.mean()))
        if rel > UNINFORMATIVE_HALF_WIDTH and not (name in shares and half < SHARE_NOISE):
            needed = replications_for(x, precision, confidence, name)[2]
            out.append(WideInterval(name, int(x.size), rel, precision, needed))
    return out


def wide_interval_warning(
    wide: Sequence[WideInterval], replications: int, scenario_file: str
) -> list[str]:
    """Lines warning about :func:`wide_intervals` results of a run of ``replications``
    (empty when there are none).
    """
    how = f"helpline replications {scenario_file} --metric NAME --precision 0.1"
    if replications < 2:
        return [
            "Warning: 1 replication gives no confidence interval; run at least 2 "
            f"(-r N), and see `{how}` for how many a useful interval needs."
        ]
    if not wide:
        return []
    names = ", ".join(w.metric for w in wide[:6]) + (", ..." if len(wide) > 6 else "")
    out = [
        f"Warning: with {replications} replications the 95% CIs of {len(wide)} metric(s) "
        f"({names}) are wider than +/-{UNINFORMATIVE_HALF_WIDTH:.0%} of the mean: too few "
        "replications to say much."
    ]
    planned = [w for w in wide if w.needed is not None]
    key = [w for w in planned if w.metric in KEY_METRICS]
    if planned:
        worst = max(key or planned, key=lambda w: w.needed or 0)
        out.append(
            f"A +/-{worst.precision:.0%} interval needs about {worst.needed} replications for "
            f"{worst.metric} (`{how.replace('NAME', worst.metric)}`; -r N runs N)."
        )
    return out
