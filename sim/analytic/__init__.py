"""Queueing formulas: steady-state Erlang B, C, A, X, exact redials, staffing and waits by
priority; time-varying SIPP and MOL.

Pure functions, no simulation and no I/O; seconds inside. ``sim.analytic.steady`` holds the
birth-death chains (Erlang B, C, A, X), ``sim.analytic.staffing`` the staffing searches,
``sim.analytic.priority`` the waits by priority class, ``sim.analytic.retrial`` the exact
retrial queue (redials), ``sim.analytic.time_varying`` the per-interval methods.
docs/analytic.md lists the formulas, conventions and sources.
"""

from sim.analytic.priority import priority_asa
from sim.analytic.retrial import RetrialMetrics, retrial_metrics
from sim.analytic.staffing import (
    MAX_AGENTS,
    agents_for_target,
    halfin_whitt_agents,
    halfin_whitt_beta,
)
from sim.analytic.steady import (
    MAX_STATES,
    TAIL_TOL,
    QueueMetrics,
    erlang_a_metrics,
    erlang_b,
    erlang_c,
    erlang_c_metrics,
    erlang_x_metrics,
    redial_attempt_rate,
)
from sim.analytic.time_varying import modified_offered_load, mol_metrics, sipp

__all__ = [
    "MAX_AGENTS",
    "MAX_STATES",
    "TAIL_TOL",
    "QueueMetrics",
    "RetrialMetrics",
    "agents_for_target",
    "erlang_a_metrics",
    "erlang_b",
    "erlang_c",
    "erlang_c_metrics",
    "erlang_x_metrics",
    "halfin_whitt_agents",
    "halfin_whitt_beta",
    "modified_offered_load",
    "mol_metrics",
    "priority_asa",
    "redial_attempt_rate",
    "retrial_metrics",
    "sipp",
]
