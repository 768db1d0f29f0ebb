"""Importing a chart module leaves matplotlib's backend alone; the command line picks Agg.

A notebook draws inline (ipykernel's backend); a module that called ``matplotlib.use("Agg")``
on import would switch that off for every later figure. So no module of ``sim`` chooses a
backend when imported: the commands that draw call :func:`sim.cli.common.draw_to_files`.
Each check runs in a fresh interpreter, so this process's own backend does not matter.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

SIM = Path(__file__).resolve().parents[2] / "sim"


def _imports_matplotlib(path: Path) -> bool:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import) and any(
            a.name.startswith("matplotlib") for a in node.names
        ):
            return True
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("matplotlib"):
            return True
    return False


def _module(path: Path) -> str:
    parts = path.relative_to(SIM.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _backend_after(code: str) -> str:
    script = (
        "import matplotlib\nmatplotlib.use('svg')\n" + code + "\nprint(matplotlib.get_backend())"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    )
    return done.stdout.strip().splitlines()[-1].lower()


def test_importing_the_chart_modules_keeps_the_chosen_backend() -> None:
    modules = sorted(_module(p) for p in SIM.rglob("*.py") if _imports_matplotlib(p))
    assert "sim.report.charts" in modules and "sim.calibrate.report" in modules, modules
    imports = "\n".join(f"import {m}" for m in modules)
    assert _backend_after(imports + "\nimport matplotlib.pyplot") == "svg", modules


def test_the_check_sees_a_module_that_forces_agg() -> None:
    """Not vacuous: the same check sees a backend forced at import."""
    assert _backend_after("matplotlib.use('Agg')") == "agg"


def test_the_command_line_draws_with_agg() -> None:
    assert _backend_after("from sim.cli.common import draw_to_files\ndraw_to_files()") == "agg"


def _imported(path: Path) -> tuple[set[str], set[str]]:
    """The modules ``path`` imports, and the names it imports from them (``a.b``)."""
    modules: set[str] = set()
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            modules.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
    return modules, names


def _draws(path: Path, chart_modules: set[str]) -> bool:
    modules, names = _imported(path)
    sweeps = {"sim.experiment.sweep", "sim.experiment.sweep.sweep"}  # the sweep draws its chart
    return bool((modules | names) & chart_modules or names & sweeps)


def test_every_command_that_draws_picks_agg_first() -> None:
    """A command module that imports a module drawing with matplotlib, or runs a sweep (which
    draws its chart), calls ``draw_to_files()``.
    """
    charts = {_module(p) for p in SIM.rglob("*.py") if _imports_matplotlib(p)} - {"sim.cli.common"}
    commands = [p.name for p in sorted((SIM / "cli").glob("*.py")) if _draws(p, charts)]
    assert len(commands) >= 7, commands
    missing = [n for n in commands if "draw_to_files()" not in (SIM / "cli" / n).read_text()]
    assert not missing, missing
