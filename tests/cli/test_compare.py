"""``helpline compare``: common random numbers make paired CIs narrower than unpaired ones.

The case is loaded so that lines matter: the baseline with 4,500 callers a
day on 30 lines against the same with 40 lines, over a 2-day horizon.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from sim.cli import main
from sim.executors import Execution
from sim.experiment import compare

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "scenarios" / "baseline_2023.toml"
REPS = 8


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("compare")
    busy = d / "busy30.toml"
    busy.write_text(
        f'extends = "{BASELINE.as_posix()}"\n'
        '[scenario]\nname = "busy30"\n'
        "[horizon]\ndays = 2\nwarmup_days = 0.5\n"
        "[arrivals]\ncallers_per_day = 4500\n"
    )
    more = d / "busy40.toml"
    more.write_text('extends = "busy30.toml"\n[scenario]\nname = "busy40"\n[lines]\ncount = 40\n')
    reseeded = d / "busy30_seed7.toml"
    reseeded.write_text(
        'extends = "busy30.toml"\n[scenario]\nname = "busy30_seed7"\n[horizon]\nseed = 7\n'
    )
    return {"busy30": busy, "busy40": more, "seed7": reseeded}


def _json(*args: str) -> dict:
    result = CliRunner().invoke(main, ["compare", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def _width(ci: list[float]) -> float:
    return ci[1] - ci[0]


@pytest.fixture(scope="module")
def lines_doc(files) -> dict:
    return _json(str(files["busy30"]), str(files["busy40"]), "-r", str(REPS), "--workers", "2")


def test_paired_ci_is_narrower_than_unpaired_when_only_lines_differ(lines_doc):
    doc = lines_doc
    assert doc["reference"] == "busy30" and doc["replications"] == REPS and doc["seed"] == 1930
    for metric in ("blocked", "block_rate", "answered", "line_occupancy", "agent_occupancy"):
        d = doc["metrics"][metric]["differences"]["busy40"]
        assert d["n_pairs"] == REPS
        assert _width(d["paired_ci95"]) < 0.5 * _width(d["unpaired_ci95"]), (metric, d)
    # Lines do not change who calls: the same callers arrive in every replication.
    callers = doc["metrics"]["callers"]["differences"]["busy40"]
    assert callers["diff"] == 0 and callers["paired_ci95"] == [0, 0]
    assert _width(callers["unpaired_ci95"]) > 0
    # More lines, fewer busy tones.
    assert doc["metrics"]["block_rate"]["differences"]["busy40"]["paired_ci95"][1] < 0


def test_every_scenario_gets_the_first_files_seed(files, lines_doc):
    doc = _json(str(files["busy30"]), str(files["seed7"]), "-r", "3", "--executor", "serial")
    for metric, entry in doc["metrics"].items():
        d = entry["differences"]["busy30_seed7"]
        if d["diff"] is not None:  # identical scenarios under one seed: identical numbers
            assert d["diff"] == 0 and d["paired_ci95"] == [0, 0], metric
    base = lines_doc["metrics"]["asa_s"]["scenarios"]["busy30"]
    seeded = _json(str(files["busy30"]), str(files["busy40"]), "-r", "3", "--seed", "7",
                   "--executor", "serial")  # fmt: skip
    assert seeded["seed"] == 7
    assert seeded["metrics"]["asa_s"]["scenarios"]["busy30"]["mean"] != base["mean"]


def test_text_output_is_side_by_side(files):
    result = CliRunner().invoke(
        main,
        ["compare", str(files["busy30"]), str(files["busy40"]), "-r", "3", "--executor",
         "serial", "--metric", "block_rate", "--metric", "asa_s"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    out = result.output
    assert "common seed 1930; differences are against busy30" in out
    header = next(line for line in out.splitlines() if line.startswith("metric"))
    for col in ("busy30", "busy40", "busy40 - busy30", "paired 95% CI", "unpaired 95% CI"):
        assert col in header
    rows = [line for line in out.splitlines() if line.startswith("  ")]
    assert [r.split()[0] for r in rows] == ["asa_s", "block_rate"]  # in summary order
    assert " pp*" in next(r for r in rows if r.split()[0] == "block_rate")


def test_api_table_has_documented_columns(files):
    table = compare(
        [files["busy30"], files["busy40"]], replications=2, execution=Execution("serial")
    )
    assert list(table.columns) == [
        "scenario", "reference", "metric", "unit", "mean", "ci95_lo", "ci95_hi", "n", "diff",
        "diff_ci95_lo", "diff_ci95_hi", "n_pairs", "unpaired_ci95_lo", "unpaired_ci95_hi",
        "description",
    ]  # fmt: skip
    ref = table[table["scenario"] == "busy30"]
    assert ref["diff"].isna().all() and (ref["n_pairs"] == 0).all()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ONE"], "compare needs at least two scenario files; got 1"),
        (["ONE", "missing.toml"], "missing.toml: file: must be an existing scenario file"),
        (["ONE", "ONE", "-r", "0"], "--replications: must be a whole number >= 1; got 0"),
        (
            ["ONE", "ONE", "-r", "9" * 30],  # checked against [limits] before any run
            "horizon.replications: must be a whole number at most limits.replications = 10,000 "
            "(raise it in the scenario's [limits] table); got "
            + "9" * 30
            + " (from --replications)",
        ),
        (["ONE", "ONE", "--metric", "asa"], "--metric: must be one of"),
        (["ONE", "ONE", "--set", "lines.count=0"], "lines.count: must be a whole number >= 1"),
        (
            ["ONE", "ONE", "--seed", "-1"],
            "horizon.seed: must be a whole number >= 0; got -1 (from --seed)",
        ),
    ],
)
def test_bad_input_is_one_line_exit_2(files, args, message):
    args = [str(files["busy30"]) if a == "ONE" else a for a in args]
    result = CliRunner().invoke(main, ["compare", *args])
    assert result.exit_code == 2, result.output
    assert result.output.count("\n") == 1 and result.output.startswith("error: ")
    assert message in result.output
