"""Validation of the simulator: against queueing formulas, and against Ciw where none exists.

**Formula cases.** Every scenario in ``sim/verify/cases/`` except the Ciw case is an
M/M/c/N+M queue: Poisson arrivals at a constant rate, one call type with exponential talk and
exponential (or no) patience, no after-call work, redials, escalation, breaks or absence, the same
``c`` call-takers all day (one 24-hour headcount shift, ``seats = c``) and ``N`` lines or none.
:func:`queue_model` checks each of those assumptions and names the key that breaks one.
For such a queue :func:`sim.analytic.erlang_a_metrics` is exact (Erlang B when ``N = c``, C
without lines or patience, A without lines), so the simulation must reproduce its stationary
figures up to sampling error. Each case runs ``R`` replications, the fixed block ``0..R-1`` from
the scenario's seed; the replication means are independent, so a Student-t interval over them is
exact up to the normality of a mean of thousands of calls.

The metrics compared use the same denominators on both sides (see :mod:`sim.metrics` and
:mod:`sim.analytic`): ``block_rate`` = blocked / attempts (``p_blocked``), ``abandon_rate`` =
abandoned / (answered + abandoned) (``p_abandon``), ``asa_s`` = mean wait of answered
(``asa_s``), ``service_level`` = answered within ``targets.service_level_s`` / answered
(``service_level``), ``service_level_offered`` = the same / all attempts
(``service_level_offered``), ``wait_mean_s`` = mean wait of attempts that got a line, abandoned
ones to their hang-up (``wait_mean_s``), ``agent_occupancy`` = busy / logged-in time
(``occupancy``). A metric is compared only where it can differ from a trivial 0 or 1: blocking
with finite lines, abandonment with finite patience, waits where a queue can form; occupancy
always.

``horizon.end = "drain"`` is required: every call that arrives in the window is followed to its
end, so its wait is a sample of the stationary wait. With ``"cut"`` the calls still waiting at
the horizon (the longest waits) would be dropped and ASA biased low.

**The menu case.** ``erlang_b_menu.toml`` adds a language menu (``call_types.NAME.menu``)
before exponential talk, with lines = call-takers and no patience: nobody queues, each line is
held for menu + talk, and blocking is Erlang B with that holding time (insensitive to its law).

**The officers' case.** ``erlang_a_officers.toml`` escalates a constant share of the calls
of call-takers who are never the bottleneck to officers whose callers have exponential patience:
the officers are an M/M/s+M queue (:mod:`sim.verify.officer_queue`).

**Ciw cross-check.** ``ciw_shifts.toml`` has no formula: a daily arrival profile (piecewise-
constant rate), shifts with different headcounts and exponential abandonment. The same system is
simulated in Ciw (an independent simulator) and the two compared replication against
replication with Welch's two-sample interval. Ciw's ``Schedule(preemption=False)`` swaps every
server at each shift boundary and lets a busy one finish its call first, which is exactly this
model's overtime rule when everyone on duty changes at each boundary and the seats never bind;
:func:`ciw_schedule` derives the schedule from the roster and refuses a scenario where either
fails.

**Decision rule** (:mod:`sim.verify.agreement`). Each row shows the 99% interval of the
simulated mean. With K comparisons at 99% each, about K/100 would disagree by chance, so the
verdict uses Bonferroni: a row agrees when the reference value lies in the (1 - 0.01/K)
interval of the difference, which keeps the chance of any false alarm in the whole family below
1%. Seeds are never chosen: a failure is a failure.

Sources: Student-t and Welch (1947) intervals; Bonferroni correction (Dunn 1961); the formulas'
sources are in :mod:`sim.analytic`; G. Palmer, V. Knight, P. Harper & A. Hawa (2019), Ciw: an
open-source discrete event simulation library, J. Simulation 13(1).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from sim.analytic import erlang_a_metrics, erlang_b
from sim.errors import ScenarioError
from sim.executors import Execution, Job, Progress, run_jobs
from sim.runner import run_one
from sim.scenario import Scenario, load_scenario, variant
from sim.verify.agreement import CI_LEVEL as CI_LEVEL  # the statistics, re-exported for callers
from sim.verify.agreement import COLUMNS as COLUMNS
from sim.verify.agreement import FAMILY_ALPHA as FAMILY_ALPHA
from sim.verify.agreement import decide as decide
from sim.verify.agreement import one_sample as one_sample
from sim.verify.agreement import two_sample as two_sample
from sim.verify.assumptions import fixed_staff, poisson_arrivals
from sim.verify.ciw_model import (  # noqa: F401  (re-exported for callers of sim.verify.exact)
    CIW_DRAIN_S,
    ciw_available,
    ciw_network,
    ciw_replication,
    ciw_schedule,
    ciw_seed,
)
from sim.verify.officer_queue import OfficerQueue, is_officer_case, officer_queue

#: The validation scenarios, shipped inside the package: `helpline validate` works from an install.
CASES_DIR = Path(__file__).resolve().parent / "cases"
#: Name (file stem) of the scenario cross-checked against Ciw instead of a formula.
CIW_CASE = "ciw_shifts"
#: ``--quick``: replications per case, and the share of each case's measured window kept.
QUICK_REPLICATIONS = 10
QUICK_WINDOW_FRACTION = 0.2

#: Simulated metric (sim.metrics) -> field of sim.analytic.QueueMetrics with the same denominator.
FORMULA_FIELD = {
    "block_rate": "p_blocked",
    "abandon_rate": "p_abandon",
    "asa_s": "asa_s",
    "service_level": "service_level",
    "service_level_offered": "service_level_offered",
    "wait_mean_s": "wait_mean_s",
    "agent_occupancy": "occupancy",
}
#: Share metric -> summary counts whose sum over replications is its number of trials: when
#: every replication saw none (or all) of them, the exact binomial bound replaces the t interval.
TRIALS = {
    "block_rate": ("attempts",),
    "abandon_rate": ("answered", "abandoned"),
    "service_level": ("answered",),
    "service_level_offered": ("answered", "abandoned", "blocked"),
    "escalation_abandon_share": ("escalations",),
}
#: Metrics compared with Ciw.
CIW_METRICS = ("attempts", "abandon_rate", "asa_s", "service_level")


# --- the queue a scenario stands for -------------------------------------------------------------


@dataclass(frozen=True)
class QueueModel:
    """The M/M/c/N+M queue of a validation scenario (rates per second, times in seconds)."""

    calls_per_s: float
    talk_s: float
    agents: int
    lines: int | None  # None = unlimited
    patience_s: float  # inf = nobody abandons
    within_s: float  # service-level threshold
    menu_s: float = 0.0  # mean time in the language menu (line held, no call-taker)

    @property
    def kendall(self) -> str:
        """Kendall notation, e.g. ``M/M/c/c`` (``+M``: exponential patience)."""
        if self.menu_s > 0:  # the line's holding time is menu + talk: general
            return "M/G/c/c"
        if self.lines == self.agents:
            return "M/M/c/c"
        base = "M/M/c" if self.lines is None else "M/M/c/N"
        return base + ("" if math.isinf(self.patience_s) else "+M")

    @property
    def formula(self) -> str:
        """The name of the formula that is exact for this queue."""
        return {
            "M/M/c/c": "Erlang B",
            "M/M/c": "Erlang C",
            "M/M/c+M": "Erlang A",
            "M/M/c/N": "M/M/c/N chain",
            "M/M/c/N+M": "Erlang A, N lines",
            "M/G/c/c": "Erlang B, talk + menu",
        }[self.kendall]

    def metrics(self, agents: int | None = None) -> dict[str, float]:
        """Formula value of every metric in :data:`FORMULA_FIELD`.

        ``agents`` overrides the number of agents: the negative control compares a simulation
        with the formula for the wrong staffing.
        """
        c = self.agents if agents is None else agents
        if self.menu_s > 0:
            return self._menu_metrics(c)
        lines = self.lines if self.lines is None else max(self.lines, c)
        m = erlang_a_metrics(
            self.calls_per_s, self.talk_s, c, lines, self.patience_s, self.within_s
        )
        return {name: float(getattr(m, field)) for name, field in FORMULA_FIELD.items()}

    def _menu_metrics(self, c: int) -> dict[str, float]:
        """Erlang B on ``c`` lines (= agents: nobody queues) with holding time talk + menu.

        Erlang B is insensitive to the holding-time law beyond its mean, so a menu of any
        distribution before exponential talk is still exact. The call-takers are busy for
        the talk only: occupancy = carried load x talk / (talk + menu) / c.
        """
        load = self.calls_per_s * (self.talk_s + self.menu_s)
        blocked = erlang_b(c, load)
        answered = 1.0 - blocked
        return {
            "block_rate": blocked,
            "abandon_rate": 0.0,
            "asa_s": 0.0,
            "service_level": 1.0,
            "service_level_offered": answered,
            "wait_mean_s": 0.0,
            "agent_occupancy": self.calls_per_s * answered * self.talk_s / c,
        }

    def compared(self) -> tuple[str, ...]:
        """Metrics that are not trivially 0 or 1 for this queue (see the module docstring)."""
        out = []
        if self.lines is not None:
            out.append("block_rate")
        if not math.isinf(self.patience_s):
            out.append("abandon_rate")
        if self.lines is None or self.lines > self.agents:
            out += ["asa_s", "service_level", "service_level_offered", "wait_mean_s"]
        out.append("agent_occupancy")
        return tuple(out)


_FORMULA = " for a queueing-formula check"


def _require(ok: bool, key: str, allowed: str, got: Any, sc: Scenario, why: str = _FORMULA) -> None:
    if not ok:
        raise ScenarioError(key, allowed + why, got, file=sc.file)


def queue_model(sc: Scenario) -> QueueModel | OfficerQueue:
    """The M/M/c/N+M queue that ``sc`` simulates, or a ScenarioError naming what departs from it.

    A case whose one call type escalates is a case of the officers' queue
    (:mod:`sim.verify.officer_queue`): Erlang A for the officers behind call-takers who are
    never the bottleneck.
    """
    if is_officer_case(sc):
        return officer_queue(sc)
    calls_per_s = poisson_arrivals(sc, _require)
    _require(len(sc.call_types) == 1, "call_types", "one call type", len(sc.call_types), sc)
    t = sc.call_types[0]
    key = f"call_types.{t.name}"
    _require(t.talk.kind == "exponential", f"{key}.talk", "exponential", t.talk.kind, sc)
    _require(t.after_call.is_zero, f"{key}.after_call", "0", t.after_call.mean, sc)
    infinite = t.patience.kind == "deterministic" and math.isinf(t.patience.mean)
    _require(
        infinite or t.patience.kind == "exponential",
        f"{key}.patience",
        "exponential or absent",
        t.patience.kind,
        sc,
    )
    r = t.redial
    _require(
        r.after_busy == 0 and r.after_abandon == 0,
        f"{key}.redial",
        "no redials (after_busy = after_abandon = 0)",
        (r.after_busy, r.after_abandon),
        sc,
    )
    _require(t.escalation_share == 0, f"{key}.escalation_share", "0", t.escalation_share, sc)
    if not t.menu.is_zero:  # the menu case: lines = call-takers, so nobody ever queues
        _require(infinite, f"{key}.patience", "absent with a menu", t.patience.kind, sc)
    c = fixed_staff(sc, _require)
    _require(sc.lines is None or sc.lines >= c, "lines.count", f">= {c}", sc.lines, sc)
    if not t.menu.is_zero:
        _require(sc.lines == c, "lines.count", f"{c} (= call-takers) with a menu", sc.lines, sc)
    return QueueModel(
        calls_per_s=calls_per_s,
        talk_s=t.talk.mean,
        agents=c,
        lines=sc.lines,
        patience_s=t.patience.mean,
        within_s=sc.targets.service_level_s,
        menu_s=t.menu.mean,
    )


# --- cases and runs ------------------------------------------------------------------------------


def load_cases(cases_dir: str | Path = CASES_DIR) -> list[Scenario]:
    """The formula cases of ``cases_dir`` (every ``*.toml`` but the Ciw case), sorted by name."""
    files = sorted(p for p in Path(cases_dir).glob("*.toml") if p.stem != CIW_CASE)
    if not files:
        raise ScenarioError("cases", "a folder with validation scenarios", str(cases_dir))
    return [load_scenario(p) for p in files]


def quick(sc: Scenario) -> Scenario:
    """The ``--quick`` variant: :data:`QUICK_REPLICATIONS` replications and
    :data:`QUICK_WINDOW_FRACTION` of the measured window (the warm-up is kept whole).
    """
    h = sc.horizon
    days = h.warmup_days + (h.days - h.warmup_days) * QUICK_WINDOW_FRACTION
    reps = min(h.replications, QUICK_REPLICATIONS)
    return variant(sc, {"horizon.days": days, "horizon.replications": reps}, source="quick mode")


#: What a job runs: this model (``"sim"``) or Ciw (``"ciw"``).
SIM, CIW = "sim", "ciw"
#: Relative cost of a Ciw call against one of this model's (measured: Ciw is ~4x slower).
_CIW_COST = 4.0


def sim_task(sc: Scenario, replication: int, progress: Progress | None) -> dict[str, float]:
    """A job's task: this model's metrics for one replication."""
    return run_one(sc, replication, (), progress).summary


def ciw_task(sc: Scenario, replication: int, progress: Progress | None) -> dict[str, float]:
    """A job's task: Ciw's metrics for one replication of the same system."""
    return ciw_replication(sc, replication)


TASKS = {SIM: sim_task, CIW: ciw_task}


def run_cases(
    runs: Iterable[tuple[str, Scenario]], execution: Execution | None = None
) -> dict[tuple[str, str], list[dict[str, float]]]:
    """Every replication ``0..R-1`` of every ``(kind, scenario)`` in ``runs``, in one pool.

    ``kind`` is :data:`SIM` (this model) or :data:`CIW` (:func:`ciw_replication`). One pool
    for everything keeps every core busy to the end (a pool per case idles at each case's last
    replication); jobs start longest first. Results come back keyed ``(kind, scenario name)``
    in replication order, so they do not depend on the executor.
    """
    runs = list(runs)
    jobs = [
        Job(j, sc, i, TASKS[kind])
        for j, (kind, sc) in enumerate(runs)
        for i in range(sc.horizon.replications)
    ]

    def cost(job: Job) -> float:
        sc = job.scenario
        return (
            sc.arrivals.callers_per_day
            * sc.horizon.days
            * (_CIW_COST if job.task is ciw_task else 1.0)
        )

    jobs.sort(key=lambda job: -cost(job))
    out: dict[tuple[int, int], dict[str, float]] = {}
    for job, summary in run_jobs(jobs, execution or Execution(), desc="validate", unit="rep"):
        out[(job.key, job.replication)] = summary
    return {
        (kind, sc.name): [out[(j, i)] for i in range(sc.horizon.replications)]
        for j, (kind, sc) in enumerate(runs)
    }


def formula_rows(
    scenarios: Iterable[Scenario],
    summaries: dict[tuple[str, str], list[dict[str, float]]],
    wrong_agents: Callable[[int], int] | None = None,
) -> list[dict[str, Any]]:
    """Undecided rows: each formula case's compared metrics against the formula.

    ``wrong_agents`` maps the case's agents to the agents the formula is given instead; it is for
    the negative control, which shows that a wrong model is caught.
    """
    rows = []
    for sc in scenarios:
        q = queue_model(sc)
        formula = q.metrics(wrong_agents(q.agents) if wrong_agents else None)
        runs = summaries[(SIM, sc.name)]
        for metric in q.compared():
            values = [s[metric] for s in runs]
            trials = sum(int(s[k]) for s in runs for k in TRIALS.get(metric, ()))
            rows.append(
                {
                    "case": sc.name,
                    "model": f"{q.kendall} ({q.formula})",
                    "metric": metric,
                    **one_sample(values, formula[metric], trials),
                }
            )
    return rows


def ciw_rows(
    sc: Scenario, ours: list[dict[str, float]], theirs: list[dict[str, float]]
) -> list[dict[str, Any]]:
    """Undecided rows: our replications of the Ciw case against Ciw's."""
    import ciw

    return [
        {
            "case": sc.name,
            "model": f"Ciw {ciw.__version__}",
            "metric": m,
            **two_sample([s[m] for s in ours], [s[m] for s in theirs]),
        }
        for m in CIW_METRICS
    ]


def validate(
    *,
    quick_mode: bool = False,
    cases_dir: str | Path = CASES_DIR,
    include_ciw: bool = True,
    execution: Execution | None = None,
) -> pd.DataFrame:
    """Run every validation case and return one decided row per case and metric.

    ``include_ciw`` adds the Ciw cross-check (``CIW_CASE`` in ``cases_dir``) when Ciw is
    installed; ``execution`` says where the replications run (default: local processes).
    The Bonferroni family is every row returned.
    """
    scs = load_cases(cases_dir)
    ciw_sc = None
    ciw_file = Path(cases_dir) / f"{CIW_CASE}.toml"
    if include_ciw and ciw_file.is_file() and ciw_available():
        ciw_sc = load_scenario(ciw_file)
        ciw_network(ciw_sc)  # fail before any simulation if it cannot be mapped
    if quick_mode:
        scs = [quick(sc) for sc in scs]
        ciw_sc = quick(ciw_sc) if ciw_sc is not None else None
    for sc in scs:
        queue_model(sc)  # fail before any simulation
    runs = [(SIM, sc) for sc in scs]
    if ciw_sc is not None:
        runs += [(SIM, ciw_sc), (CIW, ciw_sc)]
    results = run_cases(runs, execution)
    rows = formula_rows(scs, results)
    if ciw_sc is not None:
        rows += ciw_rows(ciw_sc, results[(SIM, ciw_sc.name)], results[(CIW, ciw_sc.name)])
    return decide(rows)


def ciw_crosscheck(
    scenario: Scenario | None = None,
    *,
    quick_mode: bool = False,
    execution: Execution | None = None,
) -> pd.DataFrame:
    """The Ciw cross-check alone, decided as its own family (default: the shipped case)."""
    sc = scenario or load_scenario(CASES_DIR / f"{CIW_CASE}.toml")
    ciw_network(sc)  # fail early
    if quick_mode:
        sc = quick(sc)
    results = run_cases([(SIM, sc), (CIW, sc)], execution)
    return decide(ciw_rows(sc, results[(SIM, sc.name)], results[(CIW, sc.name)]))
