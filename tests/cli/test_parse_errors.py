"""Every command reports click's own parse errors (here an unknown option) as one ``error:``
line with exit code 2, as it does the library's errors.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from sim.cli import COMMANDS, main


@pytest.mark.parametrize("name", sorted(COMMANDS))
@pytest.mark.parametrize("args", [["--no-such-option"], ["--help-me", "x"]])
def test_a_parse_error_is_one_line_and_exit_2(name: str, args: list[str]) -> None:
    result = CliRunner().invoke(main, [name, *args])
    assert result.exit_code == 2, (name, args, result.output)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), (name, args, result.stderr)
    assert "Traceback" not in result.output and "Usage:" not in result.output
