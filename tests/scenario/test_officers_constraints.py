"""One test per constraint of the officers' keys (``[escalation]``, ``staff.supervisor_ranks``,
``staff.supervision_share``, ``call_types.NAME.escalation_patience``), through ``helpline run``.

Same contract as test_constraints.py: exit 2, one line naming the file and the dotted key,
nothing written. docs/scenarios.md ("Officers' roles") lists the keys and rules.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_constraints import _run, _variant, assert_rejected

RULE = "[[escalation.rules]]\n"
GOOD_RULE = RULE + "to = 'sub_inspector'\n"
SUP = "[staff]\nsupervisor_ranks = ['inspector']\n"

#: (id, TOML added after ``extends = BASELINE``, the dotted key the error must name)
BAD: list[tuple[str, str, str]] = [
    ("escalation-unknown-key", "[escalation]\nrulez = []", "escalation.rulez"),
    ("escalation-rules-not-array", "[escalation]\nrules = 3", "escalation.rules"),
    ("rule-unknown-key", GOOD_RULE + "shar = 0.5", "escalation.rules[0].shar"),
    (
        "rule-call-types-unknown",
        GOOD_RULE + "call_types = ['fraud']",
        "escalation.rules[0].call_types",
    ),
    (
        "rule-call-types-not-list",
        GOOD_RULE + "call_types = 'complaint'",
        "escalation.rules[0].call_types",
    ),
    (
        "rule-loss-negative",
        GOOD_RULE + "loss_rs_at_least = -1",
        "escalation.rules[0].loss_rs_at_least",
    ),
    (
        "rule-loss-text",
        GOOD_RULE + "loss_rs_at_least = 'big'",
        "escalation.rules[0].loss_rs_at_least",
    ),
    (
        "rule-loss-without-money",
        "[money]\nenabled = false\n" + GOOD_RULE + "loss_rs_at_least = 50000",
        "escalation.rules[0].loss_rs_at_least",
    ),
    ("rule-share-above-1", GOOD_RULE + "share = 1.5", "escalation.rules[0].share"),
    ("rule-share-negative", GOOD_RULE + "share = -0.1", "escalation.rules[0].share"),
    ("rule-to-missing", RULE + "share = 0.5", "escalation.rules[0].to"),
    ("rule-to-unknown-rank", RULE + "to = 'constable'", "escalation.rules[0].to"),
    ("rule-to-supervisor-not-on-duty", RULE + "to = 'inspector'", "escalation.rules[0].to"),
    (
        "rule-to-supervisors-all-supervising",
        SUP + "supervision_share = 1.0\n" + RULE + "to = 'inspector'",
        "staff.supervision_share",
    ),
    (
        "rule-to-supervisors-missing-in-a-team",
        "[staff]\nsupervisor_ranks = ['inspector']\nranks.inspector = { count = 2, women = 0 }\n"
        + RULE
        + "to = 'inspector'",
        "staff.supervisor_ranks",
    ),
    (
        "rule-to-officers-missing-in-a-team",
        "[staff]\nranks.sub_inspector = { count = 2, women = 0 }\n[call_types.complaint]\n"
        "escalation_share = 0\n" + GOOD_RULE,
        "staff.escalation_ranks",
    ),
    ("supervisor-ranks-unknown", "[staff]\nsupervisor_ranks = ['dsp']", "staff.supervisor_ranks"),
    (
        "supervisor-ranks-not-list",
        "[staff]\nsupervisor_ranks = 'inspector'",
        "staff.supervisor_ranks",
    ),
    (
        "supervisor-ranks-also-escalation",
        "[staff]\nsupervisor_ranks = ['sub_inspector']",
        "staff.supervisor_ranks",
    ),
    (
        "supervisor-ranks-headcount-mode",
        "[staff]\nmode = 'headcount'\nseats = 10\nsupervisor_ranks = ['inspector']",
        "staff.supervisor_ranks",
    ),
    ("supervision-share-above-1", SUP + "supervision_share = 1.2", "staff.supervision_share"),
    ("supervision-share-negative", SUP + "supervision_share = -0.2", "staff.supervision_share"),
    (
        "escalation-patience-bad",
        "[call_types.complaint]\nescalation_patience = {dist = 'lognormal', median_min = 10}",
        "call_types.complaint.escalation_patience",
    ),
    (
        "escalation-patience-text",
        "[call_types.complaint]\nescalation_patience = 'forever'",
        "call_types.complaint.escalation_patience",
    ),
]


@pytest.mark.parametrize(("snippet", "key"), [pytest.param(s, k, id=i) for i, s, k in BAD])
def test_bad_officer_value_is_rejected(tmp_path: Path, snippet: str, key: str) -> None:
    path = _variant(tmp_path, snippet)
    assert_rejected(_run(path, tmp_path / "out"), tmp_path / "out", "bad.toml", key)
