"""The ``[escalation]`` table: escalation by a rule table on loss size and call type.

Off by default (no rows): every call type escalates by its own ``escalation_share`` to the
officers of ``staff.escalation_ranks``, as without the table. With ``[[escalation.rules]]``
the rows are tried in the order written and the **first matching row wins**: a call matches
a row when its type is in the row's ``call_types`` and its caller's loss is at least
``loss_rs_at_least``; it is then escalated with probability ``share`` to the pool the row's
``to`` names. A call no row matches falls back to its type's ``escalation_share`` (to the
escalation ranks). docs/scenarios.md lists the keys, their units and labels.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.errors import ScenarioError
from sim.scenario.reader import Reader
from sim.scenario.staff import check_supervisors
from sim.scenario.values import (
    TO_OFFICERS,
    TO_SUPERVISORS,
    CallType,
    Escalation,
    EscalationRule,
    Staff,
)


@dataclass(frozen=True)
class ReadEscalation:
    """The validated table and whether any row can send a call to the officers."""

    value: Escalation
    to_officers: bool


def read_escalation(
    r: Reader, types: tuple[CallType, ...], staff: Staff, money_enabled: bool
) -> ReadEscalation:
    """Validate ``[escalation]`` against the call types, the staff and ``money.enabled``."""
    names = [t.name for t in types]
    raw_rules = r.raw("rules", [])
    if not isinstance(raw_rules, list):
        raise ScenarioError(r.key("rules"), "an array of tables [[escalation.rules]]", raw_rules)
    r.finish()
    pools = {name: TO_OFFICERS for name in staff.escalation_ranks}
    pools.update({name: TO_SUPERVISORS for name in staff.supervisor_ranks})
    rules = []
    for i, row in enumerate(raw_rules):
        rr = Reader(row, f"{r.key('rules')}[{i}]")
        chosen = rr.strings("call_types", tuple(names))
        for name in chosen:
            if name not in names:
                raise ScenarioError(
                    rr.key("call_types"), "names from call_types (" + ", ".join(names) + ")", name
                )
        loss = rr.number("loss_rs_at_least", None, lo=0)
        if loss is not None and not money_enabled:
            raise ScenarioError(
                rr.key("loss_rs_at_least"),
                "absent when money.enabled = false (no loss is drawn for a caller to compare)",
                loss,
            )
        share = rr.number("share", 1.0, lo=0, hi=1)
        to = rr.string("to")
        if to not in pools:
            raise ScenarioError(
                rr.key("to"),
                "a rank of staff.escalation_ranks or staff.supervisor_ranks ("
                + ", ".join(pools)
                + ")",
                to,
            )
        rr.finish()
        rules.append(
            EscalationRule(
                tuple(k for k, n in enumerate(names) if n in chosen),
                None if loss is None else float(loss),
                float(share),
                pools[to],
            )
        )
    live = [x for x in rules if x.share > 0]
    if any(x.to == TO_SUPERVISORS for x in live):
        check_supervisors(staff)
    return ReadEscalation(Escalation(tuple(rules)), any(x.to == TO_OFFICERS for x in live))
