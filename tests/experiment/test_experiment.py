"""Experiments: point parsing and validation, sweep tables, the run store, statistics.

Sweeps here use the baseline with a 2-day horizon (a few hundredths of a
second per run) and the serial executor; executor equivalence is in
test_sweep_dask.py and kill-and-resume in test_sweep_resume.py.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from scipy import stats

from sim.cli import main
from sim.errors import ScenarioError
from sim.executors import DaskExecutor, Execution
from sim.experiment import ExperimentError, sweep
from sim.experiment.compare import paired_difference, welch_difference
from sim.experiment.grid import (
    build_points,
    grid,
    key_column,
    parse_literal,
    split_top_level,
    toml_literal,
)
from sim.experiment.precision import MOST_NEEDED, replications_for
from sim.experiment.store import RunStore, definition, run_name
from sim.metrics import METRICS, estimate
from sim.report.provenance import COLUMNS
from sim.scenario import load_scenario, variant

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "scenarios" / "baseline_2023.toml"


@pytest.fixture(scope="module")
def short():
    """The baseline month cut to 2 days (half a day of warm-up)."""
    return variant(load_scenario(BASELINE), {"horizon.days": 2, "horizon.warmup_days": 0.5})


# --- values and points ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("30", 30),
        ("2.5", 2.5),
        ('"unlimited"', "unlimited"),
        ("unlimited", "unlimited"),
        ("inf", math.inf),
        ("true", True),
        ("[1, 2.5]", [1, 2.5]),
        ("2023-10-15", dt.date(2023, 10, 15)),
        ('{ dist = "exponential", mean_min = 3 }', {"dist": "exponential", "mean_min": 3}),
    ],
)
def test_values_are_toml_literals(text, value):
    assert parse_literal(text, "--vary k") == value
    assert parse_literal(toml_literal(value), "--vary k") == value


@pytest.mark.parametrize("text", ["", "  ", "3 4", "$x", "[1,"])
def test_bad_literal_names_option_and_value(text):
    with pytest.raises(ExperimentError, match=r"^--vary k: "):
        parse_literal(text, "--vary k")


def test_split_respects_brackets_and_quotes():
    assert split_top_level('1,[2, 3],"a,b",{x = 1, y = 2}') == [
        "1",
        "[2, 3]",
        '"a,b"',
        "{x = 1, y = 2}",
    ]


def test_grid_order():
    pts = grid({"lines.count": [30, 45, "unlimited"], "arrivals.callers_per_day": [1500, 3000]})
    assert len(pts) == 6
    assert pts[0] == {"lines.count": 30, "arrivals.callers_per_day": 1500}
    assert pts[1] == {"lines.count": 30, "arrivals.callers_per_day": 3000}  # last key fastest
    assert grid({}) == [{}]
    with pytest.raises(ExperimentError, match=r"^vary: lines.count has no values"):
        grid({"lines.count": []})


def test_bad_point_is_a_scenario_error_naming_the_point(short):
    with pytest.raises(
        ScenarioError, match=r"lines.count: must be .*; got 0 \(from sweep point 1: lines.count=0\)"
    ):
        build_points(short, [{"lines.count": 30}, {"lines.count": 0}])
    with pytest.raises(
        ScenarioError, match=r"lines.cont: must be a known key \(allowed here: count"
    ):
        build_points(short, [{"lines.cont": 30}])
    with pytest.raises(ScenarioError, match=r"queue.discipline: must be one of"):
        build_points(short, [{"queue.discipline": "lifo"}])


def test_key_columns_have_one_type():
    assert key_column([30, 45]).dtype == "int64"
    assert key_column([30, 2.5]).dtype == "float64"
    assert key_column([True, False]).dtype == bool
    mixed = key_column([30, "unlimited", [1, 2]])
    assert mixed.dtype == "string"
    assert list(mixed) == ["30", "unlimited", "[1, 2]"]


# --- sweep ------------------------------------------------------------------------------


def test_sweep_tables(short, tmp_path):
    res = sweep(
        short,
        vary={"lines.count": [30, "unlimited"], "arrivals.callers_per_day": [1500, 3000]},
        replications=2,
        execution=Execution("serial"),
        out_dir=tmp_path / "sw",
        metric="block_rate",
    )
    runs = res.runs
    keys = ["lines.count", "arrivals.callers_per_day"]
    assert list(runs.columns) == [
        *COLUMNS,  # the provenance of the point's scenario
        "point",
        *keys,
        "replication",
        "seed",
        *METRICS,
    ]
    assert len(runs) == 8 and res.computed == 8 and res.reused == 0
    assert list(runs["point"]) == [0, 0, 1, 1, 2, 2, 3, 3]
    assert list(runs["replication"]) == [0, 1] * 4
    assert (runs["seed"] == short.horizon.seed).all()
    assert list(runs["lines.count"]) == ["30"] * 4 + ["unlimited"] * 4
    assert runs["arrivals.callers_per_day"].dtype == "int64"
    # Common random numbers: the same callers arrive whatever the number of lines.
    by = runs.set_index(["arrivals.callers_per_day", "replication", "lines.count"])["callers"]
    assert (by.xs("30", level=2) == by.xs("unlimited", level=2)).all()
    # Unlimited lines never block.
    assert (runs.loc[runs["lines.count"] == "unlimited", "blocked"] == 0).all()
    s = res.summary
    assert len(s) == 4 * len(METRICS)
    assert list(s.columns[:9]) == [*COLUMNS, "point", *keys, "metric"]  # provenance first
    one = s[(s["point"] == 1) & (s["metric"] == "callers")].iloc[0]
    assert one["mean"] == runs.loc[runs["point"] == 1, "callers"].mean()
    assert one["n"] == 2
    out = tmp_path / "sw"
    for name in (
        "manifest.json",
        "runs.parquet",
        "summary.parquet",
        "sweep.json",
        "block_rate.png",
    ):
        assert (out / name).stat().st_size > 0
    assert len(list((out / "runs").glob("p*-r*.json"))) == 8
    pd.testing.assert_frame_equal(pd.read_parquet(out / "runs.parquet"), runs)
    doc = json.loads((out / "sweep.json").read_text())
    assert doc["runs_computed"] == 8 and doc["runs_reused"] == 0 and doc["keys"] == keys


def test_sweep_in_memory_equals_on_disk_and_points_list(short, tmp_path):
    points = pd.DataFrame({"staff.seats": [30, 25]})
    a = sweep(short, points=points, replications=2, execution=Execution("serial"))
    b = sweep(
        short,
        vary={"staff.seats": [30, 25]},
        replications=2,
        execution=Execution("serial"),
        out_dir=tmp_path / "b",
    )
    assert a.out_dir is None
    pd.testing.assert_frame_equal(a.runs, b.runs, check_exact=True)
    pd.testing.assert_frame_equal(a.summary, b.summary, check_exact=True)


def test_sweep_argument_errors(short):
    with pytest.raises(ExperimentError, match=r"^vary: give either vary or points"):
        sweep(short, vary={"lines.count": [1]}, points=[{"lines.count": 1}])
    with pytest.raises(ExperimentError, match=r"^replications: must be a whole number >= 1; got 0"):
        sweep(short, vary={"lines.count": [1]}, replications=0)
    with pytest.raises(ExperimentError, match=r"^metric: must be one of callers, .*; got 'asa'"):
        sweep(short, vary={"lines.count": [1]}, metric="asa")
    with pytest.raises(ExperimentError, match=r"^executor: must be one of serial, processes, dask"):
        sweep(short, vary={"lines.count": [1]}, execution=Execution("threads"))


# --- the run store ----------------------------------------------------------------------


def test_store_refuses_a_different_sweep(short, tmp_path):
    out = tmp_path / "sw"
    sweep(
        short,
        vary={"lines.count": [30]},
        replications=1,
        execution=Execution("serial"),
        out_dir=out,
    )
    with pytest.raises(ExperimentError, match=r"holds a different sweep \(differs in keys"):
        sweep(
            short,
            vary={"staff.seats": [30]},
            replications=1,
            execution=Execution("serial"),
            out_dir=out,
        )
    with pytest.raises(ExperimentError, match=r"differs in the scenario's content"):
        sweep(
            variant(short, {"horizon.seed": 7}),
            vary={"lines.count": [30]},
            replications=1,
            execution=Execution("serial"),
            out_dir=out,
        )
    with pytest.raises(ExperimentError, match=r"differs in points"):
        sweep(
            short,
            vary={"lines.count": [31]},
            replications=1,
            execution=Execution("serial"),
            out_dir=out,
        )
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    with pytest.raises(ExperimentError, match=r"not empty and not a sweep folder .*notes.txt"):
        sweep(
            short,
            vary={"lines.count": [30]},
            replications=1,
            execution=Execution("serial"),
            out_dir=other,
        )


def test_store_lock_refuses_a_second_writer(short, tmp_path):
    pts = build_points(short, [{"lines.count": 30}])
    man = definition(short, pts, 1)
    with (
        RunStore(tmp_path, man, pts),
        pytest.raises(ExperimentError, match="another sweep is writing into this folder"),
        RunStore(tmp_path, man, pts),
    ):
        pass
    with RunStore(tmp_path, man, pts):  # released
        pass


def test_damaged_run_file_is_set_aside_and_redone(short, tmp_path):
    out = tmp_path / "sw"
    first = sweep(
        short,
        vary={"lines.count": [30]},
        replications=2,
        execution=Execution("serial"),
        out_dir=out,
    )
    bad = out / "runs" / run_name(0, 1)
    bad.write_text('{"point": 0, "replic')
    (out / "runs" / ".p00000-r00000.json.999.tmp").write_text("partial")
    again = sweep(
        short,
        vary={"lines.count": [30]},
        replications=2,
        execution=Execution("serial"),
        out_dir=out,
    )
    assert (again.computed, again.reused) == (1, 1)
    assert (out / "runs" / (bad.name + ".damaged")).exists()
    assert not list((out / "runs").glob(".*.tmp"))
    pd.testing.assert_frame_equal(first.runs, again.runs, check_exact=True)


# --- executors --------------------------------------------------------------------------


def test_executor_argument_errors(monkeypatch):
    with pytest.raises(ExperimentError, match=r"^scheduler: tcp://x:1 needs executor dask"):
        Execution("processes", scheduler="tcp://x:1")
    with pytest.raises(ExperimentError, match=r"^workers: must be a whole number >= 1; got 0"):
        Execution("processes", workers=0)
    assert Execution(None, scheduler="tcp://x:1").make().name == "dask"
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if not installed
    with pytest.raises(ExperimentError, match=r"needs the 'distributed' package.*\[dask\]"):
        DaskExecutor("tcp://127.0.0.1:1").__enter__()


# --- statistics -------------------------------------------------------------------------


def test_replications_for_is_the_smallest_n_meeting_the_formula():
    values = [9.0, 10.0, 11.0, 10.5, 9.5]
    mean, sd, n = replications_for(values, 0.02)
    assert mean == pytest.approx(10.0) and sd == pytest.approx(np.std(values, ddof=1))

    def ok(k: int) -> bool:
        return k >= (stats.t.ppf(0.975, k - 1) * sd / (0.02 * mean)) ** 2

    assert ok(n) and not ok(n - 1)
    # sd = 0.79, target half-width 0.2: z alone would say ceil((1.96 * 0.79 / 0.2)^2) = 61.
    assert n == 63
    assert replications_for([10.0, 10.0, 10.0], 0.05)[2] == 2
    with pytest.raises(ExperimentError, match=r"asa_s: the pilot mean is 0"):
        replications_for([0.0, 0.0], 0.05, name="asa_s")
    with pytest.raises(ExperimentError, match=r"defined in 1 pilot replication"):
        replications_for([1.0, math.nan], 0.05)


def test_replications_for_a_precision_or_mean_too_small_to_compute_is_the_most_reported():
    # (1.96 * sd / (1e-300 * mean))^2 overflows a float; 1e-320 * mean underflows to 0
    for precision in (1e-300, 1e-320):
        assert replications_for([9.0, 11.0], precision)[2] == MOST_NEEDED
    assert replications_for([1e-300, 3e-300], 0.01)[2] < MOST_NEEDED  # relative: still exact
    n = replications_for([9.0, 11.0], 1e-6)[2]  # large, but below the cap: computed
    assert 10**10 < n < MOST_NEEDED


def test_difference_intervals_match_scipy():
    rng = np.random.default_rng(5)
    a = rng.normal(10, 2, 12)
    b = a + rng.normal(1, 0.3, 12)
    w = welch_difference(a, b)
    ci = stats.ttest_ind(b, a, equal_var=False).confidence_interval()
    assert (w.lo, w.hi) == pytest.approx((ci.low, ci.high))
    p = paired_difference(a, b)
    ci = stats.ttest_rel(b, a).confidence_interval()
    assert (p.lo, p.hi) == pytest.approx((ci.low, ci.high))
    assert p.hi - p.lo < w.hi - w.lo
    nan_a = a.copy()
    nan_a[0] = np.nan
    assert paired_difference(nan_a, b).n == 11


# --- command line -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--vary", "lines.count=0,30"], r"lines.count: must be .* \(from sweep point 0: lines"),
        (["--vary", "lines.cont=30"], r"lines.cont: must be a known key"),
        (["--vary", "lines.count=30", "--metric", "nope"], r"--metric: must be one of"),
        (["--vary", "lines.count=3,$"], r"--vary lines.count: '\$' is not a TOML literal"),
        (
            ["--vary", "lines.count=3", "--set", "horizon.days=0"],
            r"baseline_2023.toml: horizon.days: must be .* \(from --set horizon.days=0\)",
        ),
        (
            ["--vary", "lines.count=3", "--scheduler", "tcp://h:1", "--executor", "serial"],
            r"--scheduler: tcp://h:1 needs executor dask",
        ),
        ([], r"nothing to sweep"),
        (
            ["--vary", "lines.count=3", "-r", "20000"],
            r"baseline_2023.toml: horizon.replications: must be a whole number at most "
            r"limits.replications = 10,000 .*; got 20000 \(from --replications\)",
        ),
    ],
)
def test_sweep_cli_rejects_bad_input_before_running(tmp_path, args, message):
    out = tmp_path / "sw"
    result = CliRunner().invoke(main, ["sweep", str(BASELINE), "--out", str(out), *args])
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert re.search(message, lines[0]), lines[0]
    assert not out.exists() or not list((out / "runs").glob("*.json"))


def test_sweep_cli_prints_points_and_resumes(tmp_path):
    out = tmp_path / "sw"
    args = [
        "sweep",
        str(BASELINE),
        "--vary",
        "lines.count=25,30",
        "--set",
        "horizon.days=2",
        "-r",
        "2",
        "--executor",
        "serial",
        "--out",
        str(out),
        "--metric",
        "block_rate",
    ]
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 0, first.output
    assert "2 point(s) x 2 replication(s) = 4 runs (4 computed now, 0 reused)" in first.output
    assert "block_rate (share)" in first.output
    again = CliRunner().invoke(main, [*args, "--json"])
    doc = json.loads(again.output)
    assert doc["runs_computed"] == 0 and doc["runs_reused"] == 4
    assert [p["lines.count"] for p in doc["summary"]] == [25, 30]


def test_replications_cli(tmp_path):
    args = [
        "replications",
        str(BASELINE),
        "--metric",
        "golden_hour_share",
        "--precision",
        "0.05",
        "--pilot",
        "3",
        "--set",
        "horizon.days=2",
        "--executor",
        "serial",
        "--json",
    ]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert len(doc["pilot_values"]) == 3
    assert doc["needed"] == replications_for(doc["pilot_values"], 0.05)[2]
    bad = CliRunner().invoke(main, [*args[:-1], "--pilot", "1"])
    assert bad.exit_code == 2 and "--pilot: must be a whole number >= 2; got 1" in bad.output
    # More than the scenario's limits.replications (10,000): refused before the pilot runs
    limit = "horizon.replications: must be a whole number at most limits.replications = 10,000"
    for extra, origin in (
        (["--pilot", "20000", "--max", "20000"], "got 20000 (from --pilot)"),
        (["--max", "20000", "--run"], "got 20000 (from --max)"),
    ):
        bad = CliRunner().invoke(main, [*args[:-1], *extra])
        assert bad.exit_code == 2 and limit in bad.output and origin in bad.output, bad.output


def test_summary_intervals_stay_in_each_metric_range() -> None:
    # Three replications of a skewed wait and of a share close to 1: the plain t interval
    # would reach below 0 and above 1; the summary cuts it at the range's ends.
    import math

    from sim.metrics import METRICS, across, estimate

    per_rep = pd.DataFrame({m: [0.5, 0.5, 0.5] for m in METRICS})
    per_rep["escalation_wait_mean_s"] = [0.0, 0.0, 30.0]
    per_rep["service_level"] = [0.99, 1.0, 1.0]
    rows = across(per_rep).set_index("metric")
    raw = estimate(per_rep["escalation_wait_mean_s"].to_numpy())
    assert raw.lo < 0 and rows.loc["escalation_wait_mean_s", "ci95_lo"] == 0.0
    assert rows.loc["escalation_wait_mean_s", "ci95_hi"] == raw.hi
    raw = estimate(per_rep["service_level"].to_numpy())
    assert raw.hi > 1 and rows.loc["service_level", "ci95_hi"] == 1.0
    assert rows.loc["service_level", "ci95_lo"] == raw.lo
    one = across(per_rep.iloc[:1]).set_index("metric")
    assert math.isnan(one.loc["service_level", "ci95_lo"])


def test_replications_run_reaches_the_precision_with_the_same_runs_as_one_batch():
    # --run: pilot, plan, run the rest, re-plan; the replications are 0..n-1 of the seed, so
    # the estimate is that of one batch of n replications, and the target holds at the end.
    from sim.experiment import replicate_to_precision
    from sim.runner import run_replications

    sc = variant(load_scenario(BASELINE), {"horizon.days": 2, "horizon.warmup_days": 0.5})
    res = replicate_to_precision(
        sc, "golden_hour_share", 0.03, pilot=3, execution=Execution("serial")
    )
    assert res.reached and res.half_width_rel <= 0.03
    assert res.steps[0] == 3 and res.steps[-1] == res.replications > 3
    runs = run_replications(sc, res.replications, execution=Execution.serial(), tables=())
    batch = list(runs.per_replication["golden_hour_share"])
    assert list(res.values) == batch
    e = estimate(batch)
    assert (res.mean, res.ci_lo, res.ci_hi) == pytest.approx((e.mean, e.lo, e.hi))
    # a precision out of reach stops at --max and says so
    capped = replicate_to_precision(
        sc, "golden_hour_share", 0.001, pilot=3, max_replications=6, execution=Execution("serial")
    )
    assert not capped.reached and capped.replications == 6 and capped.steps == (3, 6)


def test_replications_cli_run(tmp_path):
    args = [
        "replications", str(BASELINE), "--metric", "golden_hour_share", "--precision", "0.001",
        "--pilot", "3", "--max", "5", "--set", "horizon.days=2", "--executor", "serial", "--run",
    ]  # fmt: skip
    text = CliRunner().invoke(main, args)
    assert text.exit_code == 0, text.output
    assert "5 replications of 2 days" in text.output and "(run in steps: 3 -> 5)" in text.output
    assert "Target +/-0.1%: not reached at --max 5" in text.output
    doc = json.loads(CliRunner().invoke(main, [*args, "--json"]).output)
    assert doc["replications"] == 5 and doc["reached"] is False and len(doc["values"]) == 5
    assert doc["ci95"][0] <= doc["mean"] <= doc["ci95"][1]
