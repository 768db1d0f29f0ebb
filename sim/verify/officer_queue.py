"""The officers' queue as Erlang A (M/M/s+M): the validation case for patience for an officer.

When the call-takers are never the bottleneck (enough of them that nobody waits for one,
unlimited lines, no call-taker abandonment), the end of talk of a Poisson stream of callers is
again a Poisson stream (the departures of an M/G/inf stage are Poisson at the arrival rate), and
escalating each call independently with a constant share ``p`` thins it to a Poisson stream of
rate ``p lambda``. With exponential escalation talk (mean ``1/mu``) and exponential patience for
the officer (mean ``1/theta``), the ``s`` officers are then exactly an M/M/s+M queue, whose
stationary figures :func:`sim.analytic.erlang_a_metrics` gives: the share of escalations given
up (``p_abandon``), the mean wait of those an officer takes (``asa_s``) and the officers'
occupancy. ``sim/verify/cases/erlang_a_officers.toml`` is such a scenario; ``helpline
validate`` compares its simulated ``escalation_abandon_share``, ``escalation_wait_mean_s`` and
``officer_occupancy`` with these, as :mod:`sim.verify.exact` does for the call-takers' queues.

"Never the bottleneck" is checked, not assumed: a call-taker holds a call for at most its talk,
after-call work and, escalated, the wait for an officer (at most the patience, in mean) and the
officer's talk; with that upper load the chance that a caller waits for a call-taker (Erlang C)
must be below :data:`TAKER_WAIT_MAX`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from sim.analytic import erlang_a_metrics, erlang_c
from sim.errors import ScenarioError, described
from sim.scenario import Scenario
from sim.verify.assumptions import fixed_staff, poisson_arrivals

#: Largest chance that a caller waits for a call-taker for the case to stand for Erlang A.
TAKER_WAIT_MAX = 1e-6
#: Simulated metric -> the field of sim.analytic.QueueMetrics with the same denominator.
OFFICER_FIELD = {
    "escalation_abandon_share": "p_abandon",
    "escalation_wait_mean_s": "asa_s",
    "officer_occupancy": "occupancy",
}

_WHY = " for a queueing-formula check (the officers' Erlang A)"


def _require(ok: bool, key: str, allowed: str, got: Any, sc: Scenario) -> None:
    if not ok:
        raise ScenarioError(key, allowed + _WHY, got, file=sc.file)


@dataclass(frozen=True)
class OfficerQueue:
    """The officers' M/M/s+M queue of a validation scenario (rates per second, times in s)."""

    calls_per_s: float  # escalations reaching the officers, per second
    talk_s: float  # escalation talk
    agents: int  # officers on duty
    patience_s: float  # patience for an officer; inf = nobody gives up
    within_s: float
    lines: None = None  # the officers' queue has no lines of its own

    @property
    def kendall(self) -> str:
        """Kendall notation of the officers' queue (``+M``: exponential patience)."""
        return "M/M/s" if math.isinf(self.patience_s) else "M/M/s+M"

    @property
    def formula(self) -> str:
        """The name of the formula that is exact for this queue."""
        return "Erlang C, officers" if math.isinf(self.patience_s) else "Erlang A, officers"

    def metrics(self, agents: int | None = None) -> dict[str, float]:
        """Formula value of every metric in :data:`OFFICER_FIELD` (``agents`` overrides the
        number of officers, for the negative control).
        """
        s = self.agents if agents is None else agents
        m = erlang_a_metrics(self.calls_per_s, self.talk_s, s, None, self.patience_s)
        return {name: float(getattr(m, field)) for name, field in OFFICER_FIELD.items()}

    def compared(self) -> tuple[str, ...]:
        """The metrics that are not trivially 0 for this queue."""
        out = ("escalation_abandon_share",) if not math.isinf(self.patience_s) else ()
        return (*out, "escalation_wait_mean_s", "officer_occupancy")


def is_officer_case(sc: Scenario) -> bool:
    """Whether ``sc`` is a validation case of the officers' queue (its one type escalates)."""
    return len(sc.call_types) == 1 and sc.call_types[0].escalation_share > 0


def officer_queue(sc: Scenario) -> OfficerQueue:
    """The officers' M/M/s+M queue that ``sc`` simulates, or a ScenarioError naming the key
    that departs from it.
    """
    calls_per_s = poisson_arrivals(sc, _require)
    [t] = sc.call_types
    key = f"call_types.{t.name}"
    _require(
        t.escalation_talk.kind == "exponential",
        f"{key}.escalation_talk",
        "exponential",
        t.escalation_talk.kind,
        sc,
    )
    p = t.escalation_patience
    _require(
        p.kind == "exponential" or not t.escalation_patience_finite,
        f"{key}.escalation_patience",
        'exponential or "inf"',
        p.kind,
        sc,
    )
    _require(
        t.patience.kind == "deterministic" and math.isinf(t.patience.mean),
        f"{key}.patience",
        'absent or "inf" (no caller abandons a call-taker)',
        t.patience.kind,
        sc,
    )
    _require(t.menu.is_zero, f"{key}.menu", "0", t.menu.mean, sc)
    _require(not sc.escalation.rules, "escalation.rules", "absent (a flat share)", "rules", sc)
    _require(not sc.callbacks.enabled, "callbacks.enabled", "false", True, sc)
    _require(sc.lines is None, "lines.count", '"unlimited"', sc.lines, sc)
    c = fixed_staff(sc, _require)
    share = t.escalation_share
    hold_s = t.talk.mean + t.after_call.mean + share * (p.mean + t.escalation_talk.mean)
    upper_erl = calls_per_s * (hold_s if math.isfinite(hold_s) else math.inf)
    wait = erlang_c(c, upper_erl) if upper_erl < c else 1.0
    _require(
        wait < TAKER_WAIT_MAX,
        "staff.headcount.call_takers",
        f"enough call-takers that a caller waits for one with probability < {TAKER_WAIT_MAX:g} "
        "(Erlang C at the most they can hold)",
        described(f"<{c} call-takers, {upper_erl:.3g} Erl: P(wait) {wait:.3g}>"),
        sc,
    )
    return OfficerQueue(
        calls_per_s=calls_per_s * share,
        talk_s=t.escalation_talk.mean,
        agents=sc.staff.headcount_escalation[0],
        patience_s=p.mean,
        within_s=sc.targets.service_level_s,
    )
