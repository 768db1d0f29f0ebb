"""Kill a running sweep with SIGKILL, rerun it, and lose, duplicate or redo nothing.

The sweep runs as the real command in a subprocess (its own process group,
so the pool's workers are cleaned up too). Once a few run files exist the
command gets SIGKILL. The files left must all be whole and valid; the rerun
must compute exactly the missing runs, leave every earlier file untouched
(same inode and mtime) and produce the same table as an uninterrupted sweep.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from sim.cli import main
from sim.executors import Execution
from sim.experiment import sweep
from sim.scenario import load_scenario, variant

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "scenarios" / "baseline_2023.toml"
SETS = {"horizon.days": 2, "horizon.warmup_days": 0.5}
LINES = [25, 30, "unlimited"]
REPS = 16
TOTAL = len(LINES) * REPS
KILL_AFTER = 4  # run files on disk before the kill


def _command(out: Path, *extra: str) -> list[str]:
    return [
        sys.executable, "-c", "from sim.cli import main; main()",
        "sweep", str(BASELINE),
        "--vary", "lines.count=" + ",".join(map(str, LINES)),
        *(a for k, v in SETS.items() for a in ("--set", f"{k}={v}")),
        "-r", str(REPS), "--executor", "processes", "--workers", "2",
        "--out", str(out), *extra,
    ]  # fmt: skip


def _run_files(out: Path) -> dict[str, tuple[int, int, int]]:
    """Run file name -> (inode, mtime_ns, size)."""
    return {
        p.name: (p.stat().st_ino, p.stat().st_mtime_ns, p.stat().st_size)
        for p in (out / "runs").glob("p*-r*.json")
    }


def _kill_group(proc: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)


def test_sigkill_then_rerun_loses_and_redoes_nothing(tmp_path):
    out = tmp_path / "sweep"
    proc = subprocess.Popen(
        _command(out, "--json"),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while len(_run_files(out)) < KILL_AFTER if (out / "runs").is_dir() else True:
            assert proc.poll() is None, f"sweep ended before the kill: {proc.stderr.read()!r}"
            assert time.monotonic() < deadline, "no run files within 120 s"
            time.sleep(0.005)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        _kill_group(proc)  # the pool's orphaned workers, if any
    assert proc.returncode == -signal.SIGKILL

    before = _run_files(out)
    assert KILL_AFTER <= len(before) < TOTAL, "the kill must land mid-sweep"
    assert not (out / "runs.parquet").exists()
    for name in before:
        rec = json.loads((out / "runs" / name).read_text())  # whole, valid JSON
        assert name == f"p{rec['point']:05d}-r{rec['replication']:05d}.json"

    rerun = subprocess.run(_command(out, "--json"), cwd=ROOT, capture_output=True, text=True,
                           timeout=300)  # fmt: skip
    assert rerun.returncode == 0, rerun.stderr
    doc = json.loads(rerun.stdout)
    assert doc["runs_reused"] == len(before)
    assert doc["runs_computed"] == TOTAL - len(before)

    after = _run_files(out)
    assert len(after) == TOTAL
    assert {k: after[k] for k in before} == before  # not one finished run rewritten
    assert not list((out / "runs").glob(".*")) and not list(out.glob(".staging-*"))

    runs = pd.read_parquet(out / "runs.parquet")
    assert len(runs) == TOTAL
    assert not runs.duplicated(["point", "replication"]).any()
    assert runs[["callers", "answered", "asa_s"]].notna().all().all()
    base = variant(load_scenario(BASELINE), SETS)
    whole = sweep(base, {"lines.count": LINES}, replications=REPS, execution=Execution(workers=2))
    pd.testing.assert_frame_equal(runs, whole.runs, check_exact=True)

    # A different sweep into the same folder is refused before anything runs.
    other = CliRunner().invoke(main, [*_command(out, "--seed", "7")[3:]])
    assert other.exit_code == 2
    assert other.output.startswith(f"error: --out: {out}: holds a different sweep")
    assert _run_files(out) == after


@pytest.mark.parametrize("executor", ["serial", "processes"])
def test_rerun_of_a_finished_sweep_computes_nothing(tmp_path, executor):
    base = variant(load_scenario(BASELINE), {"horizon.days": 1, "horizon.warmup_days": 0.25})
    out = tmp_path / "sw"
    first = sweep(
        base, {"staff.seats": [28, 30]}, replications=2, execution=Execution(executor), out_dir=out
    )
    files = _run_files(out)
    again = sweep(
        base, {"staff.seats": [28, 30]}, replications=2, execution=Execution(executor), out_dir=out
    )
    assert (first.computed, first.reused, again.computed, again.reused) == (4, 0, 0, 4)
    assert _run_files(out) == files
    pd.testing.assert_frame_equal(first.runs, again.runs, check_exact=True)


def test_more_replications_later_compute_only_the_new_ones(tmp_path):
    # 2 replications a point, then 4 (only replications 2 and 3 run), then 3 (nothing runs;
    # replication 3's files stay for later), all into one folder. Changing
    # horizon.replications in the scenario instead of --replications is the same sweep.
    base = variant(load_scenario(BASELINE), {"horizon.days": 1, "horizon.warmup_days": 0.25})
    out = tmp_path / "sw"
    vary = {"staff.seats": [28, 30]}
    first = sweep(base, vary, replications=2, execution=Execution("serial"), out_dir=out)
    files = _run_files(out)
    more = sweep(
        variant(base, {"horizon.replications": 4}), vary, execution=Execution("serial"), out_dir=out
    )
    assert (first.computed, more.computed, more.reused) == (4, 4, 4)
    now = _run_files(out)
    assert {k: now[k] for k in files} == files  # the first runs were not redone or rewritten
    assert sorted(more.runs["replication"].unique()) == [0, 1, 2, 3]
    fewer = sweep(base, vary, replications=3, execution=Execution("serial"), out_dir=out)
    assert (fewer.computed, fewer.reused) == (0, 6)
    assert _run_files(out) == now
    assert json.loads((out / "manifest.json").read_text())["replications"] == 3
    saved = pd.read_parquet(out / "runs.parquet")
    assert len(saved) == 6 and saved["replication"].max() == 2
    # the same runs as a fresh sweep with 3 replications, bit for bit
    fresh = sweep(base, vary, replications=3, execution=Execution("serial"))
    pd.testing.assert_frame_equal(fewer.runs, fresh.runs, check_exact=True)
    pd.testing.assert_frame_equal(saved, fresh.runs, check_exact=True)
