"""``helpline replications`` advises a count the scenario's ``[limits]`` let run, or says to
raise the limit first (tiny.toml allows 3 replications).
"""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner
from tiny import TINY_TOML

from sim.cli import main


def test_the_advised_count_runs_or_the_limit_is_named(tmp_path: Path) -> None:
    path = tmp_path / "tiny.toml"
    path.write_text(TINY_TOML, encoding="utf-8")
    args = ["replications", str(path), "--pilot", "2", "--precision", "0.05", "--workers", "1"]
    capped = CliRunner().invoke(main, args)
    assert capped.exit_code == 0, capped.output
    assert "more than the scenario's limits.replications: raise it in [limits] first" in (
        capped.output
    )
    raised = CliRunner().invoke(main, [*args, "--set", "limits.replications=10000"])
    assert raised.exit_code == 0, raised.output
    needed = re.search(r"Replications needed for \S+: (\d+) ", raised.output)
    assert needed, raised.output
    assert f"e.g. helpline run ... --replications {needed.group(1)})" in raised.output
