"""The time `helpline run` prints covers the command, also when its process was started
long before it became the command (a shell's exec).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tiny import TINY_TOML

SLEEP_S = 6


def test_a_process_that_became_the_command_late_counts_from_the_command(tmp_path: Path) -> None:
    # bash runs the sleep as a child, then execs Python in its own process: that process
    # started SLEEP_S before the command did.
    path = tmp_path / "tiny.toml"
    path.write_text(TINY_TOML, encoding="utf-8")
    command = (
        f"sleep {SLEEP_S} && exec '{sys.executable}' -m sim.cli run '{path}' "
        f"--out '{tmp_path / 'out'}' --workers 1 --no-charts"
    )
    res = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    found = re.search(r"\((\d+\.\d) s in all; simulating (\d+\.\d) s\)", res.stdout)
    assert found, res.stdout
    total_s, simulating_s = float(found.group(1)), float(found.group(2))
    assert simulating_s <= total_s < SLEEP_S, res.stdout
