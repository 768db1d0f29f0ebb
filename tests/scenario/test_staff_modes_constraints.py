"""One test per rule of interval staffing and team shares, through ``helpline run``.

Same contract as test_constraints.py: exit 2, one line naming the file and the dotted key,
nothing written. docs/scenarios.md lists the rules ("Validation rules").
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_constraints import _run, _variant, assert_rejected

INTERVAL = "[staff]\nmode = 'interval'\nseats = 3\nbreaks = []\n"
ROW = "[" + ", ".join(["3"] * 48) + "]"

#: (id, TOML added after ``extends = BASELINE``, the dotted key the error must name)
BAD: list[tuple[str, str, str]] = [
    ("minutes-not-dividing-a-day", INTERVAL + "interval.minutes = 7", "staff.interval.minutes"),
    ("minutes-zero", INTERVAL + "interval.minutes = 0", "staff.interval.minutes"),
    (
        "counts-wrong-length",
        INTERVAL + "interval.call_takers = [3, 3]",
        "staff.interval.call_takers",
    ),
    (
        "counts-fraction",
        INTERVAL + "interval.call_takers = [" + ", ".join(["2.5"] * 48) + "]",
        "staff.interval.call_takers",
    ),
    (
        "counts-negative",
        INTERVAL + "interval.call_takers = [" + ", ".join(["-1"] * 48) + "]",
        "staff.interval.call_takers",
    ),
    (
        "counts-two-weekdays",
        INTERVAL + f"interval.call_takers = [{ROW}, {ROW}]",
        "staff.interval.call_takers",
    ),
    (
        "counts-an-empty-interval",
        INTERVAL + "interval.call_takers = [0, " + ", ".join(["3"] * 47) + "]",
        "staff.interval.call_takers",
    ),
    (
        "escalation-an-empty-interval",
        INTERVAL + "interval.escalation = [0, " + ", ".join(["3"] * 47) + "]",
        "staff.interval.escalation",
    ),
    (
        # an int too large for a float is a whole number: refused by the people limit, by name
        "counts-beyond-float-range",
        INTERVAL + "interval.call_takers = [" + ", ".join(["3"] * 47 + [str(10**400)]) + "]",
        "staff.interval",
    ),
    ("seats-above-the-most-on-duty", INTERVAL.replace("seats = 3", "seats = 45"), "staff.seats"),
    ("breaks-in-interval-mode", INTERVAL.replace("breaks = []\n", ""), "staff.breaks"),
    ("unknown-interval-key", INTERVAL + "interval.count = 3", "staff.interval.count"),
    ("by-unknown", INTERVAL + "interval.by = 'month'", "staff.interval.by"),
    (
        "by-date-too-few-dates",
        INTERVAL + f"interval.by = 'date'\ninterval.call_takers = [{ROW}, {ROW}]",
        "staff.interval.call_takers",
    ),
    ("team-shares-wrong-length", "[staff]\nteam_shares = [0.5, 0.5]", "staff.team_shares"),
    ("team-shares-zero", "[staff]\nteam_shares = [0.5, 0.5, 0]", "staff.team_shares"),
    ("team-shares-not-summing-to-1", "[staff]\nteam_shares = [0.5, 0.3, 0.3]", "staff.team_shares"),
]


@pytest.mark.parametrize(("snippet", "key"), [pytest.param(s, k, id=i) for i, s, k in BAD])
def test_bad_staff_mode_value_is_rejected(tmp_path: Path, snippet: str, key: str) -> None:
    out = tmp_path / "out"
    assert_rejected(_run(_variant(tmp_path, snippet), out), out, "bad.toml", key)
