"""Constraint tests of the menu and callback keys (and the seed's bound), through ``helpline run``.

Each bad value stops the run with exit code 2 and one line ``error: FILE: KEY: must be
ALLOWED; got VALUE`` naming the file and the dotted key, nothing written (the rules of
tests/scenario/test_constraints.py, whose helpers these cases use).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_constraints import _run, _variant, assert_rejected

CT = "[call_types.complaint]\n"
CB = "[callbacks]\nenabled = true\n"

#: (id, TOML added after ``extends = BASELINE``, the dotted key the error must name)
BAD: list[tuple[str, str, str]] = [
    ("menu-negative", CT + "menu = -5", "call_types.complaint.menu"),
    ("menu-word", CT + "menu = 'long'", "call_types.complaint.menu"),
    (
        "menu-no-unit",
        CT + "menu = {dist = 'exponential', mean = 30}",
        "call_types.complaint.menu.mean",
    ),
    ("seed-above-int64", "[horizon]\nseed = 9223372036854775808", "horizon.seed"),
    ("callbacks-unknown-key", "[callbacks]\noffer = 3", "callbacks.offer"),
    ("callbacks-enabled-word", "[callbacks]\nenabled = 'yes'", "callbacks.enabled"),
    ("callbacks-threshold-negative", CB + "offer_at_queue = -1", "callbacks.offer_at_queue"),
    ("callbacks-threshold-fraction", CB + "offer_at_queue = 1.5", "callbacks.offer_at_queue"),
    ("callbacks-accept-above-1", CB + "accept_share = 1.5", "callbacks.accept_share"),
    ("callbacks-unknown-type", CB + "call_types = ['nobody']", "callbacks.call_types"),
    ("callbacks-type-not-list", CB + "call_types = 'complaint'", "callbacks.call_types"),
    ("callbacks-priority", CB + "priority = 'vip'", "callbacks.priority"),
    ("callbacks-answer-negative", CB + "answer_share = -0.1", "callbacks.answer_share"),
    ("callbacks-ring-negative", CB + "ring = -5", "callbacks.ring"),
    ("callbacks-ring-zero", CB + "ring = 0\nanswer_share = 0.5", "callbacks.ring"),
    ("callbacks-retry-zero", CB + "retry_delay = 0\nmax_tries = 2", "callbacks.retry_delay"),
    ("callbacks-tries-zero", CB + "max_tries = 0", "callbacks.max_tries"),
    ("callbacks-tries-huge", CB + "max_tries = 1000", "callbacks.max_tries"),
]


@pytest.mark.parametrize(("snippet", "key"), [pytest.param(s, k, id=i) for i, s, k in BAD])
def test_bad_journey_value_is_rejected_with_file_and_key(
    tmp_path: Path, snippet: str, key: str
) -> None:
    path = _variant(tmp_path, snippet)
    m = assert_rejected(_run(path, tmp_path / "out"), tmp_path / "out", "bad.toml", key)
    assert m["allowed"] and m["got"]


def test_every_case_id_is_unique() -> None:
    ids = [i for i, _, _ in BAD]
    assert len(ids) == len(set(ids))
