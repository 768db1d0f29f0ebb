"""Skill groups from a log's agent ids (sim/calibrate/skills.py) and their staffing.

The rule on a table small enough to check by hand; the largest-remainder share-out; a log with
one call type gives one group and the records of no groups; the bank month's groups add up
to the staffing without groups and serve every call type; a backtest refuses groups.
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).parent))
from synthetic_log import Truth, write_log
from test_calibrate_bank import bank_log_path

from sim.calibrate.backtest import run_backtest
from sim.calibrate.calibration import Calibration, calibrate
from sim.calibrate.logs import read_log
from sim.calibrate.skills import apportion, skills
from sim.calibrate.writer import scenario_text
from sim.cli import main
from sim.core.model import simulate
from sim.errors import ScenarioError
from sim.scenario.load import build


def answered(counts: dict[str, dict[str, int]]) -> pd.DataFrame:
    """Answered calls: ``counts[agent][log type]`` of each."""
    rows = [(a, t) for a, by in counts.items() for t, n in by.items() for _ in range(n)]
    return pd.DataFrame(
        {"agent": [a for a, _ in rows], "call_type": [t for _, t in rows], "outcome": "answered"}
    )


def test_an_agent_serves_a_material_part_of_their_calls_or_of_the_types() -> None:
    calls = answered(
        {
            "X": {"A": 90, "B": 10, "C": 1},  # B is 10% of X's calls; C 1% of X's, 1/4 of C's
            "Y": {"A": 97, "B": 3},  # B: 3% of Y's calls, 3/63 of B's (under 5%)
            "Z": {"B": 50, "C": 3},  # C: 3/53 of Z's calls
            "W": {"A": 100, "D": 1},  # D: 1% of W's calls but all of D's
        }
    )
    got = skills(calls, 0.05)
    assert got == {
        "X": frozenset("ABC"),
        "Y": frozenset("A"),
        "Z": frozenset("BC"),
        "W": frozenset("AD"),
    }
    # At 50% only the types that are half of someone's calls or of whose calls someone took
    # half remain; C (X 1/4, Z 3/4) goes to Z.
    assert skills(calls, 0.5) == {
        "X": frozenset("A"),
        "Y": frozenset("A"),
        "Z": frozenset("BC"),
        "W": frozenset("AD"),
    }
    # At 90% B and C are nobody's 90% and nobody took 90% of either: their largest answerer,
    # Z, serves both.
    assert skills(calls, 0.9)["Z"] == frozenset("BC")


@pytest.mark.parametrize("share", [0.0, 1.0, -0.5, float("nan")])
def test_a_share_outside_zero_to_one_is_refused(share: float) -> None:
    with pytest.raises(ValueError, match="skill share"):
        skills(answered({"X": {"A": 1}}), share)


@pytest.mark.parametrize("share", ["nan", "NaN", "0", "1", "inf", "-0.1", "x"])
def test_calibrate_refuses_a_bad_skill_share_before_reading(tmp_path: Path, share: str) -> None:
    """NaN passes a range check (every comparison with it is false): it used to reach the
    writer and be reported as a bad group name in the file about to be written.
    """
    out = tmp_path / "s.toml"
    log = str(tmp_path / "no.csv")
    args = ["calibrate", log, "--format", "csv", "--skill-share", share, "--out", str(out)]
    run = CliRunner().invoke(main, args)
    assert run.exit_code == 2 and "'--skill-share'" in run.output, run.output
    assert "Traceback" not in run.output and list(tmp_path.iterdir()) == []


def test_largest_remainder_keeps_the_total_and_each_part_within_one() -> None:
    rng = np.random.default_rng(3)
    parts = rng.uniform(0, 3, size=(4, 5, 48))
    total = np.floor(parts.sum(axis=0) + 0.5).astype(int)
    got = apportion(total, parts)
    assert np.array_equal(got.sum(axis=0), total)
    assert np.all(np.abs(got - parts) < 1)


def test_one_call_type_gives_one_group_and_the_records_of_no_groups(tmp_path: Path) -> None:
    path = tmp_path / "synthetic.csv"
    write_log(path, Truth(days=3, callers_per_day=400))
    cal = calibrate(read_log(path, "csv"))
    plain = build(tomllib.loads(scenario_text(cal, "s", "trace")), file="s.toml")
    one = build(tomllib.loads(scenario_text(cal, "s", "trace", skill_share=0.05)), file="s.toml")
    assert len(one.staff.groups) == 1 and one.staff.groups[0].serves == ("web",)
    assert one.staff.interval_call_takers == plain.staff.interval_call_takers
    a, b = simulate(plain, 0), simulate(one, 0)
    for name in ("attempts", "callers", "sessions"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), obj=name)
    with pytest.raises(ScenarioError, match=r"s\.toml: staff\.groups: must be absent"):
        run_backtest(cal.log, one, "trace", 1)


@pytest.fixture(scope="module")
def cal() -> Calibration:
    return calibrate(read_log(bank_log_path()))


@pytest.mark.parametrize("mode", ["trace", "fitted"])
def test_bank_groups_share_out_the_staffing_of_one_pool(cal: Calibration, mode: str) -> None:
    plain = build(tomllib.loads(scenario_text(cal, "b", mode)), file="b.toml")
    text = scenario_text(cal, "b", mode, skill_share=0.05)
    sc = build(tomllib.loads(text), file="b.toml")
    groups = sc.staff.groups
    assert len(groups) > 5  # the bank's agents do not all serve the same types
    assert sc.staff.interval_call_takers == plain.staff.interval_call_takers
    assert {t for g in groups for t in g.serves} == {t.name for t in sc.call_types}
    assert text.count("[[staff.groups]]") == len(groups)
    assert text.count("an agent serves a log type that is at least 5% of") == len(groups)
    named = [
        line
        for line in text.splitlines()
        if line.startswith("# fitted from") and "answered calls:" in line
    ]
    agents = [a for line in named for a in line.split("agents ")[1].split(" (")[0].split(", ")]
    assert len(agents) == len(set(agents)) == cal.log.calls["agent"].replace("", np.nan).nunique()
