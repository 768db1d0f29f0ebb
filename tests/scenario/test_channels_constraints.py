"""One test per constraint of the ``[deferred]`` and ``[portal]`` tables, through ``helpline run``.

Same contract as test_constraints.py: exit 2, one line naming the file and the dotted key,
nothing written. docs/scenarios.md lists the keys and rules.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_constraints import _run, _variant, assert_rejected

D = "[deferred]\n"
P = "[portal]\n"

#: (id, TOML added after ``extends = BASELINE``, the dotted key the error must name)
BAD: list[tuple[str, str, str]] = [
    ("deferred-unknown-key", D + "items_per_dya = 10", "deferred.items_per_dya"),
    ("deferred-negative-volume", D + "items_per_day = -1", "deferred.items_per_day"),
    ("deferred-volume-text", D + "items_per_day = 'many'", "deferred.items_per_day"),
    ("deferred-profile-7-slots", D + "profile = [1, 1, 1, 1, 1, 1, 1]", "deferred.profile"),
    ("deferred-profile-zero", D + "profile = [0, 0, 0, 0]", "deferred.profile"),
    ("deferred-profile-negative", D + "profile = [1, -1, 1, 1]", "deferred.profile"),
    (
        "deferred-profile-beyond-float-range",
        D + f"profile = [1, {10**400}, 1, 1]",
        "deferred.profile",
    ),
    ("deferred-handle-bad", D + "handle = {dist = 'lognormal', mean_min = 5}", "deferred.handle"),
    ("deferred-target-zero", D + "reply_target_min = 0", "deferred.reply_target_min"),
    ("deferred-keep-free-negative", D + "keep_free = -1", "deferred.keep_free"),
    ("deferred-keep-free-fraction", D + "keep_free = 1.5", "deferred.keep_free"),
    ("deferred-trace-negative", D + "arrival_s = [-5.0]", "deferred.arrival_s"),
    ("deferred-trace-past-horizon", D + "arrival_s = [1e9]", "deferred.arrival_s"),
    (
        "deferred-trace-with-volume",
        D + "arrival_s = [5.0]\nitems_per_day = 10",
        "deferred.arrival_s",
    ),
    ("portal-unknown-key", P + "enabeld = true", "portal.enabeld"),
    ("portal-enabled-text", P + "enabled = 'yes'", "portal.enabled"),
    ("portal-probability-above-1", P + "probability = 1.5", "portal.probability"),
    ("portal-delay-bad", P + "delay = {dist = 'gamma', mean_h = 2}", "portal.delay"),
    ("portal-window-zero", P + "window_h = 0", "portal.window_h"),
    ("portal-report-at-unknown", P + "report_at = 'call'", "portal.report_at"),
]


@pytest.mark.parametrize(("snippet", "key"), [pytest.param(s, k, id=i) for i, s, k in BAD])
def test_bad_channel_value_is_rejected(tmp_path: Path, snippet: str, key: str) -> None:
    path = _variant(tmp_path, snippet)
    assert_rejected(_run(path, tmp_path / "out"), tmp_path / "out", "bad.toml", key)
