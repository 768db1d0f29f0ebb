"""Constraint tests of the menu, callback and officer keys, through ``helpline run``.

Each bad value stops the run with exit code 2 and one line ``error: FILE: KEY: must be
ALLOWED; got VALUE`` naming the file and the dotted key, nothing written (the rules of
tests/scenario/test_constraints.py, whose helpers these cases use).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_constraints import _run, _variant, assert_rejected

CT = "[call_types.complaint]\n"

#: (id, TOML added after ``extends = BASELINE``, the dotted key the error must name)
BAD: list[tuple[str, str, str]] = [
    ("menu-negative", CT + "menu = -5", "call_types.complaint.menu"),
    ("menu-word", CT + "menu = 'long'", "call_types.complaint.menu"),
    (
        "menu-no-unit",
        CT + "menu = {dist = 'exponential', mean = 30}",
        "call_types.complaint.menu.mean",
    ),
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
