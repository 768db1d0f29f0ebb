"""Smoke test of the M/M/30+M speed benchmark: it runs and reports, nothing timed.

The benchmark's figures depend on the machine, so this test asserts no speed;
it checks that ``python -m bench.mm30 --quick --json`` exits 0 and that the
textbook SimPy and Ciw contestants report a positive throughput.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_quick_benchmark_reports_reference_contestants() -> None:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), env.get("PYTHONPATH", "")) if p)
    done = subprocess.run(
        [sys.executable, "-m", "bench.mm30", "--quick", "--json"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    contestants = report["contestants"]
    for key, name in (("b", "textbook SimPy"), ("c", "Ciw")):
        assert contestants[key]["name"] == name
        assert contestants[key]["calls_per_s"] > 0
        assert contestants[key]["runs"][0]["calls"] > 0
        for metric in ("abandon_rate", "asa_s"):
            assert contestants[key]["checks"][metric]["sim"] > 0
