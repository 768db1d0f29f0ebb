"""Kill tests: SIGKILL at random moments leaves no mixed output folder and a resumable sweep.

``helpline run`` is killed 20 times at random moments, alternating two seeds into one folder:
after each kill the folder is absent or exactly one complete run's (never files of two runs),
and leftovers are only hidden staging siblings that the next run removes. A sweep is killed 10
times (its workers with it) and resumed at once: the resume is not refused by a lock, its
workers are gone, and its table equals an uninterrupted sweep's. The kill moments are random
(seed printed; ``HELPLINE_KILL_SEED`` replays them).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from tiny import TINY_TOML

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


def kill_seed() -> int:
    seed = int(os.environ.get("HELPLINE_KILL_SEED") or int.from_bytes(os.urandom(4), "big"))
    print(f"kill seed {seed} (replay with HELPLINE_KILL_SEED={seed})")  # noqa: T201
    return seed


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "sim.cli", *args]


def start(*args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        command(*args), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )


def contents(out: Path) -> dict[str, str]:
    """Digest of every file in ``out``; summary.json without its timing."""
    digests = {}
    for p in sorted(out.iterdir()):
        data = p.read_bytes()
        if p.name == "summary.json":
            doc = json.loads(data)
            doc.pop("elapsed_s")
            data = json.dumps(doc, sort_keys=True).encode()
        if p.suffix != ".png":  # charts: whole files, not byte-identical across runs
            digests[p.name] = hashlib.sha256(data).hexdigest()
    return digests


def children(pid: int) -> list[int]:
    """Process ids of the children of ``pid`` (Linux /proc)."""
    out: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            out += [int(x) for x in (task / "children").read_text().split()]
    return out


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(") ")[-1][0]
    except OSError:
        return False
    return state != "Z"


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.toml"
    path.write_text(TINY_TOML, encoding="utf-8")
    return path


def test_killed_runs_leave_one_whole_folder(tiny: Path, tmp_path: Path) -> None:
    rng = random.Random(kill_seed())
    refs = {}
    for seed in ("1", "2"):  # the two complete folders a kill may leave
        ref = tmp_path / f"ref{seed}"
        t0 = time.monotonic()
        subprocess.run(
            command("run", str(tiny), "--out", str(ref), "--workers", "1", "--seed", seed),
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        full_s = time.monotonic() - t0
        refs[seed] = contents(ref)
    out = tmp_path / "out"
    for k in range(20):
        seed = "12"[k % 2]
        proc = start("run", str(tiny), "--out", str(out), "--workers", "1", "--seed", seed)
        time.sleep(rng.uniform(0.3, 1.1) * full_s)  # most kills land late: tables and charts
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        if out.exists():
            assert contents(out) in refs.values(), f"kill {k}: a folder mixing two runs"
        strays = [p.name for p in tmp_path.iterdir() if p.name.startswith(".out.")]
        assert all(n == ".out.lock" or n.startswith(".out.staging-") for n in strays), strays
    done = subprocess.run(
        command("run", str(tiny), "--out", str(out), "--workers", "1", "--seed", "1"),
        cwd=ROOT,
        capture_output=True,
    )
    assert done.returncode == 0, done.stderr
    assert contents(out) == refs["1"]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out.")] == [".out.lock"]


SWEEP = ("--vary", "lines.count=2,3,4", "--replications", "3", "--workers", "2")


def test_killed_sweeps_resume_at_once_and_equal_an_uninterrupted_one(
    tiny: Path, tmp_path: Path
) -> None:
    rng = random.Random(kill_seed())
    ref = tmp_path / "ref"
    t0 = time.monotonic()
    subprocess.run(
        command("sweep", str(tiny), "--out", str(ref), *SWEEP),
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    full_s = time.monotonic() - t0
    expected = pd.read_parquet(ref / "runs.parquet")
    for k in range(10):
        out = tmp_path / f"sweep{k}"
        proc = start("sweep", str(tiny), "--out", str(out), *SWEEP)
        deadline = time.monotonic() + rng.uniform(0.4, 0.95) * full_s
        workers: set[int] = set()
        while time.monotonic() < deadline and proc.poll() is None:
            workers.update(children(proc.pid))
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        gone = time.monotonic() + 5.0
        while any(alive(w) for w in workers) and time.monotonic() < gone:
            time.sleep(0.05)
        assert not any(alive(w) for w in workers), f"kill {k}: workers outlived the sweep"
        resumed = subprocess.run(
            command("sweep", str(tiny), "--out", str(out), *SWEEP),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert resumed.returncode == 0, f"kill {k}: {resumed.stderr[-2000:]}"
        got = pd.read_parquet(out / "runs.parquet")
        pd.testing.assert_frame_equal(got, expected)
