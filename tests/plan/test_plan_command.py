"""``helpline plan`` end to end on a small helpline: files, the screen, bad input, and the
plan's scenario file reproducing the verification figures bit for bit through ``helpline run``.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from sim.cli import main
from sim.cli.plan import isa_lines, progress_line
from sim.plan.isa import IsaResult

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "scenarios" / "baseline_2023.toml"


def _small(folder: Path) -> Path:
    """300 callers a day on the baseline (a tenth of the staff is plenty)."""
    path = folder / "small.toml"
    path.write_text(
        f'extends = "{BASELINE.as_posix()}"\n'
        + textwrap.dedent(
            """
            [scenario]
            name = "small"
            [arrivals]
            callers_per_day = 300
            """
        )
    )
    return path


def _plan(*args: str) -> object:
    return CliRunner().invoke(main, ["plan", *args])


def _one_line_error(result, needle: str) -> None:  # type: ignore[no-untyped-def]
    assert result.exit_code == 2, (result.exit_code, result.output, result.exception)
    err = result.stderr
    assert err.count("\n") == 1 and err.startswith("error: "), err
    assert needle in err, err
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("options", "needle"),
    [
        (["--service-level-min", "1.5"], "targets.service_level_min"),
        (["--abandon-rate-max", "-0.1"], "targets.abandon_rate_max"),
        (["--template", "06:00+25"], "--template"),
        (["--template", "06:00+8", "--template", "14:00+8"], "--template"),
        (["--template", "6am"], "--template"),
        (["--weeks", "0"], "--weeks"),
        (
            ["--weeks", "9" * 30],
            "--weeks: must be a whole number from 1 to 52",
        ),  # no endless roster
        (["--replications", "20000"], "limits.replications = 10,000"),
        (["--no-such-option"], "No such option '--no-such-option'"),
    ],
)
def test_bad_targets_and_templates_exit_2_with_one_line(
    tmp_path: Path, options: list[str], needle: str
) -> None:
    out = tmp_path / "out"
    result = _plan(str(_small(tmp_path)), "--method", "mol", "--out", str(out), *options)
    _one_line_error(result, needle)
    assert not out.exists() or not any(out.rglob("*"))


def test_supervisors_on_duty_are_refused_at_once_naming_the_key(tmp_path: Path) -> None:
    """Inspectors' role is not planned: say so before any simulation, not minutes in."""
    out = tmp_path / "out"
    result = _plan(str(ROOT / "scenarios" / "officers_2023.toml"), "--out", str(out))
    _one_line_error(result, "staff.supervisor_ranks: must be empty to plan")
    assert not out.exists()


def test_plan_writes_its_tables_and_plan_toml_reproduces_the_verification(tmp_path: Path) -> None:
    out = tmp_path / "plan"
    result = _plan(
        str(_small(tmp_path)),
        "--method",
        "mol",
        "--shifts",
        "fixed3",
        "--weeks",
        "1",
        "-r",
        "2",
        "--workers",
        "1",
        "--out",
        str(out),
    )
    assert result.exit_code == 0, (result.output, result.exception)
    screen = result.stdout
    assert "needed against the scenario" in screen and "Binding:" in screen
    assert "solver optimal" in screen
    for name in (
        "requirements",
        "shift_plan",
        "roster",
        "verification_intervals",
        "verification_days",
    ):
        assert (out / f"{name}.parquet").exists() and (out / f"{name}.csv").exists(), name
    for chart in ("requirement_by_method", "plan_coverage", "attainment_by_interval"):
        assert (out / f"{chart}.png").stat().st_size > 10_000
    roster = pd.read_parquet(out / "roster.parquet")
    assert len(roster) == 171 * 7 and not roster.duplicated(["person", "day"]).any()
    plan = json.loads((out / "plan.json").read_text())
    assert plan["solver_status"] == "optimal" and plan["roster_made"]

    run_out = tmp_path / "run"
    ran = CliRunner().invoke(
        main, ["run", str(out / "plan.toml"), "--out", str(run_out), "--workers", "2"]
    )
    assert ran.exit_code == 0, (ran.output, ran.exception)
    got = json.loads((run_out / "summary.json").read_text())["metrics"]
    want = pd.read_parquet(out / "verification_summary.parquet").set_index("metric")
    for metric, row in want.iterrows():
        value = got[metric]["mean"]
        if pd.isna(row["mean"]):
            assert value is None, metric
        else:
            assert value == row["mean"], metric  # bit for bit: the same runs, the same numbers


def test_check_simulates_the_requirement_and_one_fewer_where_over_served(tmp_path: Path) -> None:
    out = tmp_path / "plan"
    result = _plan(
        str(_small(tmp_path)),
        "--method",
        "mol",
        "--shifts",
        "fixed3",
        "--weeks",
        "1",
        "-r",
        "2",
        "--workers",
        "1",
        "--check",
        "--out",
        str(out),
    )
    assert result.exit_code == 0, (result.output, result.exception)
    assert "Requirement simulated as it stands (2 replications" in result.stdout
    table = pd.read_parquet(out / "staffing_check.parquet")
    assert set(table["method"]) == {"mol", "sipp"}
    assert len(table) == 2 * 336
    mol = table[table["method"] == "mol"]
    over = mol[mol["over_served"]]
    # Every over-served half hour of the checked method was lowered by one and judged.
    assert len(over) and over["fewer_misses"].notna().all()
    assert (over["fewer_service_level"] <= over["service_level"] + 1e-9).mean() > 0.8
    assert table[table["method"] == "sipp"]["fewer_misses"].isna().all()
    # Each requirement again on fresh draws (seed + 1): other days, other figures.
    assert "on fresh draws (seed " in result.stdout
    assert table["fresh_service_level"].notna().mean() > 0.9
    assert not np.allclose(table["fresh_service_level"].fillna(0), table["service_level"].fillna(0))
    assert (out / "staffing_check.png").stat().st_size > 10_000


def _isa(converged: bool, changed: list[int], phases: list[str]) -> IsaResult:
    iterations = pd.DataFrame({"intervals_changed": changed, "phase": phases})
    return IsaResult(None, converged, iterations, None, 5)  # type: ignore[arg-type]


def test_isa_lines_say_converged_and_trim_rounds_apart() -> None:
    lines = isa_lines(_isa(True, [9, 3, 0, 2], ["approach", "settle", "settle", "trim"]))
    assert lines == [
        "ISA: converged after 3 iteration(s) (half hours changed: 9, 3, 0); "
        "trimmed in 1 round(s) (half hours changed: 2)"
    ]


def test_isa_lines_say_what_to_do_when_isa_did_not_settle() -> None:
    lines = isa_lines(_isa(False, [9, 4, 1], ["approach", "settle", "settle"]))
    assert lines[0].startswith("ISA: NOT converged after 3 iteration(s)")
    assert "with 5 replications" in lines[1] and "-r 10" in lines[1]


def test_isa_lines_and_progress_say_what_the_lone_tests_found() -> None:
    iterations = pd.DataFrame(
        {
            "intervals_changed": [9, 0, 2, 1],
            "phase": ["approach", "settle", "trim", "alone"],
            "intervals_lowered": [0, 0, 2, 3],
            "intervals_short": [0, 0, 0, 2],
        }
    )
    lines = isa_lines(IsaResult(None, True, iterations, None, 5))  # type: ignore[arg-type]
    assert lines == [
        "ISA: converged after 2 iteration(s) (half hours changed: 9, 0); "
        "trimmed in 1 round(s) (half hours changed: 2); "
        "3 verdict(s) of one fewer made again alone, 2 then missing, 1 lowered as their "
        "lone runs held"
    ]
    row = {"iteration": 4, "service_level_min": 0.795, "intervals_changed": 1}
    assert progress_line({**row, "phase": "settle"}) == (
        "ISA iteration 4: 1 intervals changed, service level min 79.5%"
    )
    assert progress_line({**row, "phase": "trim", "intervals_lowered": 3, "kept": False}) == (
        "ISA trim round 4: 3 lowered, not kept, service level min 79.5%"
    )
    alone = {"phase": "alone", "intervals_lowered": 3, "intervals_short": 2, "kept": False}
    assert progress_line({**alone, "intervals_fewer_meets": 1}) == (
        "ISA, one fewer tested alone: 3 half hour(s), 2 then missing, 1 left where one fewer meets"
    )
    assert progress_line({**alone, "intervals_fewer_meets": 1, "kept": True}).endswith(
        "1 left where one fewer meets; the most over-served of them lowered"
    )
