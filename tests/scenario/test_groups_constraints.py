"""One test per rule of skill groups (``[[staff.groups]]``), through ``helpline run``.

Same contract as test_constraints.py: exit 2, one line naming the file and the dotted key,
nothing written. docs/scenarios.md lists the rules ("Validation rules").
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from test_constraints import _run, _variant, assert_rejected

from sim.cli import main
from sim.scenario import load_scenario

ROW = "[" + ", ".join(["2"] * 48) + "]"
PEAK_MORNING = "[" + ", ".join(["6"] * 24 + ["1"] * 24) + "]"
PEAK_EVENING = "[" + ", ".join(["1"] * 24 + ["6"] * 24) + "]"
HEAD = "[staff]\nmode = 'interval'\nseats = 4\nbreaks = []\n"


def group(
    name: str = "fraud", serves: str = "['complaint']", counts: str = ROW, more: str = ""
) -> str:
    return f"[[staff.groups]]\nname = '{name}'\nserves = {serves}\ncall_takers = {counts}\n{more}"


DESK = group("desk", "['other', 'blank']")
GOOD = HEAD + group() + DESK

#: (id, TOML added after ``extends = BASELINE``, the dotted key the error must name)
BAD: list[tuple[str, str, str]] = [
    ("name-with-a-space", HEAD + group("fraud desk") + DESK, "staff.groups[0].name"),
    ("name-missing", HEAD + group().replace("name = 'fraud'\n", "") + DESK, "staff.groups[0].name"),
    ("name-twice", HEAD + group() + group(serves="['other', 'blank']"), "staff.groups[1].name"),
    ("serves-unknown-type", HEAD + group(serves="['complain']") + DESK, "staff.groups[0].serves"),
    ("serves-empty", HEAD + group(serves="[]") + DESK, "staff.groups[0].serves"),
    (
        "serves-twice",
        HEAD + group(serves="['complaint', 'complaint']") + DESK,
        "staff.groups[0].serves",
    ),
    ("serves-not-a-list", HEAD + group(serves="'complaint'") + DESK, "staff.groups[0].serves"),
    ("a-type-no-group-serves", HEAD + group() + group("desk", "['other']"), "staff.groups"),
    (
        "counts-missing",
        HEAD + group().replace(f"call_takers = {ROW}\n", "") + DESK,
        "staff.groups[0].call_takers",
    ),
    ("counts-wrong-length", HEAD + group(counts="[2, 2]") + DESK, "staff.groups[0].call_takers"),
    (
        "counts-an-empty-interval",
        HEAD + group(counts="[0" + ", 2" * 47 + "]") + DESK,
        "staff.groups[0].call_takers",
    ),
    (
        "counts-lists-differ",
        HEAD + group(counts=f"[{ROW}, {ROW}, {ROW}, {ROW}, {ROW}, {ROW}, {ROW}]") + DESK,
        "staff.groups[1].call_takers",
    ),
    (
        "by-date-too-few-dates",
        HEAD
        + "interval.by = 'date'\n"
        + group(counts=f"[{ROW}, {ROW}]")
        + group("desk", "['other', 'blank']", f"[{ROW}, {ROW}]"),
        "staff.groups[0].call_takers",
    ),
    ("unknown-key", HEAD + group(more="size = 3\n") + DESK, "staff.groups[0].size"),
    (
        "counts-beyond-float-range",
        HEAD + group(counts="[" + ", ".join(["2"] * 47 + [str(10**400)]) + "]") + DESK,
        "staff.groups",
    ),
    ("not-an-array-of-tables", HEAD + "groups = 3\n", "staff.groups"),
    ("not-in-roster-mode", "[staff]\n" + group() + DESK, "staff.groups"),
    (
        "with-interval-counts",
        HEAD + f"interval.call_takers = {ROW}\n" + group() + DESK,
        "staff.interval.call_takers",
    ),
    (
        # 6 + 1 on duty at every hour, but each group's 6 are its own people: 12, and 1 officer
        "people-built-above-the-limit",
        HEAD
        + "interval.escalation = "
        + "["
        + ", ".join(["1"] * 48)
        + "]\n"
        + group(counts=PEAK_MORNING)
        + group("desk", "['other', 'blank']", PEAK_EVENING)
        + "[limits]\npeople = 12\n",
        "staff.groups",
    ),
    ("seats-above-the-groups-together", GOOD.replace("seats = 4", "seats = 5"), "staff.seats"),
    ("with-callbacks", GOOD + "[callbacks]\nenabled = true\n", "staff.groups"),
    ("with-deferred-work", GOOD + "[deferred]\nitems_per_day = 10\n", "staff.groups"),
]


@pytest.mark.parametrize(("snippet", "key"), [pytest.param(s, k, id=i) for i, s, k in BAD])
def test_bad_group_is_rejected(tmp_path: Path, snippet: str, key: str) -> None:
    out = tmp_path / "out"
    assert_rejected(_run(_variant(tmp_path, snippet), out), out, "bad.toml", key)


def test_every_case_id_is_unique() -> None:
    ids = [i for i, _, _ in BAD]
    assert len(ids) == len(set(ids))


def test_good_groups_load_with_their_sum_as_the_interval_counts(tmp_path: Path) -> None:
    sc = load_scenario(_variant(tmp_path, GOOD, "good.toml"))
    assert [g.name for g in sc.staff.groups] == ["fraud", "desk"]
    assert sc.staff.groups[1].serves == ("other", "blank")
    assert sc.staff.interval_call_takers == ((4,) * 48,)


def test_plan_refuses_groups_before_any_work(tmp_path: Path) -> None:
    path = _variant(tmp_path, GOOD, "good.toml")
    out = tmp_path / "plan"
    result = CliRunner().invoke(main, ["plan", str(path), "--out", str(out), "--workers", "1"])
    assert_rejected(result, out, "good.toml", "staff.groups")
