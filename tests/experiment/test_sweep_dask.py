"""The same sweep gives identical tables serially, in processes and on a Dask cluster.

The cluster is real: a ``dask scheduler`` and a ``dask worker`` started as
separate processes on 127.0.0.1 with the interpreter running the tests, in
their own process group, and always stopped (terminate, then kill) when the
module's tests end, whatever happened.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from sim.executors import DaskExecutor, Execution
from sim.experiment import ExperimentError, sweep
from sim.scenario import load_scenario, variant

pytest.importorskip("distributed")

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "scenarios" / "baseline_2023.toml"
START_TIMEOUT_S = 60.0
VARY = {"lines.count": [25, "unlimited"], "arrivals.callers_per_day": [1500, 3000]}


def _spawn(args: list[str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", *args],
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, so the nanny's child goes too
        cwd=ROOT,
    )


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    for sig, wait_s in ((signal.SIGTERM, 10), (signal.SIGKILL, 10)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait_s)
            return
        except subprocess.TimeoutExpired:
            continue


@pytest.fixture(scope="module")
def scheduler(tmp_path_factory) -> Iterator[str]:
    """Address of a scheduler with one single-threaded worker, both separate processes."""
    tmp = tmp_path_factory.mktemp("dask")
    sched_file = tmp / "scheduler.json"
    procs: list[subprocess.Popen] = []
    try:
        procs.append(
            _spawn(
                [
                    "distributed.cli.dask_scheduler",
                    "--host", "127.0.0.1",
                    "--port", "0",
                    "--no-dashboard",
                    "--scheduler-file", str(sched_file),
                ],
                tmp / "scheduler.log",
            )
        )  # fmt: skip
        deadline = time.monotonic() + START_TIMEOUT_S
        while not sched_file.exists():
            if procs[0].poll() is not None or time.monotonic() > deadline:
                pytest.fail("dask scheduler did not start: " + (tmp / "scheduler.log").read_text())
            time.sleep(0.1)
        time.sleep(0.2)  # the file is written whole by the scheduler, but be safe
        address = json.loads(sched_file.read_text())["address"]
        procs.append(
            _spawn(
                [
                    "distributed.cli.dask_worker", address,
                    "--host", "127.0.0.1",
                    "--nthreads", "1",
                    "--nworkers", "1",
                    "--no-dashboard",
                    "--death-timeout", "60",
                    "--local-directory", str(tmp / "worker"),
                ],
                tmp / "worker.log",
            )
        )  # fmt: skip
        yield address
    finally:
        for p in reversed(procs):
            _stop(p)


@pytest.fixture(scope="module")
def short():
    return variant(load_scenario(BASELINE), {"horizon.days": 2, "horizon.warmup_days": 0.5})


@pytest.fixture(scope="module")
def serial(short):
    return sweep(short, VARY, replications=2, execution=Execution("serial"))


def test_processes_equal_serial(short, serial):
    par = sweep(short, VARY, replications=2, execution=Execution("processes", 2))
    pd.testing.assert_frame_equal(par.runs, serial.runs, check_exact=True)
    pd.testing.assert_frame_equal(par.summary, serial.summary, check_exact=True)


def test_dask_scheduler_equals_serial(short, serial, scheduler, tmp_path):
    out = tmp_path / "sw"
    res = sweep(
        short, VARY, replications=2, execution=Execution("dask", scheduler=scheduler), out_dir=out
    )
    pd.testing.assert_frame_equal(res.runs, serial.runs, check_exact=True)
    pd.testing.assert_frame_equal(res.summary, serial.summary, check_exact=True)
    assert json.loads((out / "sweep.json").read_text())["executor"] == "dask"


def test_dask_cli_with_scheduler_equals_serial(short, serial, scheduler, tmp_path):
    out = tmp_path / "cli"
    cmd = [
        sys.executable, "-c", "from sim.cli import main; main()", "sweep", str(BASELINE),
        "--vary", "lines.count=25,unlimited", "--vary", "arrivals.callers_per_day=1500,3000",
        "--set", "horizon.days=2", "--set", "horizon.warmup_days=0.5",
        "-r", "2", "--scheduler", scheduler, "--out", str(out), "--json",
    ]  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    runs = pd.read_parquet(out / "runs.parquet")
    # The CLI's base scenario differs only in how it was made; the numbers may not.
    pd.testing.assert_frame_equal(runs, serial.runs, check_exact=True)


def test_unreachable_scheduler_is_a_clear_error():
    ex = DaskExecutor("tcp://127.0.0.1:9", connect_timeout_s=1)
    with pytest.raises(ExperimentError, match=r"^scheduler: tcp://127.0.0.1:9: no Dask scheduler"):
        ex.__enter__()


def test_dask_local_cluster_equals_serial(short, serial):
    """``--executor dask`` without a scheduler starts (and stops) a local cluster."""
    res = sweep(short, VARY, replications=2, execution=Execution("dask", 1))
    pd.testing.assert_frame_equal(res.runs, serial.runs, check_exact=True)
