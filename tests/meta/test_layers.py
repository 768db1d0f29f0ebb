"""The layering is a test: each folder of ``sim/`` imports only from the layers below it.

The model core knows nothing of files, the command line, charts or experiments; the formulas
know nothing of the model; the scenario layer knows nothing of the model. The imports are read
from the source (every ``import`` and ``from ... import``, at any depth, lazy ones included), so a
function-level import cannot slip past.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SIM = Path(__file__).resolve().parents[2] / "sim"

#: Layer (a folder or module of ``sim``) -> imports it must never make (module prefixes).
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "core": (
        "sim.cli",
        "sim.report",
        "sim.experiment",
        "sim.verify",
        "sim.runner",
        "sim.executors",
        "sim.metrics",
        "sim.plan",
        "sim.calibrate",
        "matplotlib",
        "pyarrow",
        "click",
        "tqdm",
    ),
    "scenario": (
        "sim.core",
        "sim.cli",
        "sim.report",
        "sim.experiment",
        "sim.verify",
        "sim.runner",
        "sim.metrics",
        "matplotlib",
        "pyarrow",
        "click",
    ),
    "analytic": (
        "sim.core",
        "sim.cli",
        "sim.report",
        "sim.experiment",
        "sim.scenario",
        "matplotlib",
    ),
    "metrics.py": ("sim.cli", "sim.report", "sim.experiment", "sim.verify", "matplotlib", "click"),
    "attainment.py": (
        "sim.cli",
        "sim.report",
        "sim.experiment",
        "sim.verify",
        "matplotlib",
        "click",
    ),
    "binding.py": ("sim.cli", "sim.report", "sim.experiment", "sim.verify", "matplotlib", "click"),
    "journey.py": ("sim.cli", "sim.report", "sim.experiment", "sim.verify", "matplotlib", "click"),
    "channels.py": ("sim.cli", "sim.report", "sim.experiment", "sim.verify", "matplotlib", "click"),
    "spill.py": ("sim.cli", "sim.report", "sim.experiment", "sim.verify", "matplotlib", "click"),
    "officers.py": ("sim.cli", "sim.report", "sim.experiment", "sim.verify", "matplotlib", "click"),
    "runner.py": ("sim.cli", "sim.report", "sim.experiment", "sim.verify", "matplotlib", "click"),
    "executors.py": ("sim.cli", "sim.report", "sim.verify", "matplotlib", "click"),
    "verify": ("sim.cli", "sim.experiment"),
    "experiment": ("sim.cli",),
    "report": ("sim.cli",),
    "lifeline.py": ("sim", "matplotlib", "click", "pandas"),
    "heap.py": ("sim", "matplotlib", "click", "pandas", "numpy"),
    "plan": ("sim.cli",),
    # the model only through the runner; the scenario's values and loader, the metrics
    "calibrate": ("sim.cli", "sim.core", "sim.experiment", "sim.verify", "click"),
}


def imported_modules(source: str, module: str) -> set[str]:
    """Every module a source file imports, relative imports resolved against ``module``."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = module.split(".")[: -node.level]
                base = ".".join([*parts, base]) if base else ".".join(parts)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def violations(source: str, module: str, forbidden: tuple[str, ...]) -> list[str]:
    """The imports of ``source`` that fall under a forbidden prefix."""
    return sorted(
        name
        for name in imported_modules(source, module)
        if any(name == bad or name.startswith(bad + ".") for bad in forbidden)
    )


def _files(layer: str) -> list[Path]:
    target = SIM / layer
    return sorted(target.rglob("*.py")) if target.is_dir() else [target]


def _module_name(path: Path) -> str:
    rel = path.relative_to(SIM.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_only_from_below(layer: str) -> None:
    files = _files(layer)
    assert files, f"sim/{layer} has no Python files: the layer table is out of date"
    bad = {
        str(path.relative_to(SIM.parent)): found
        for path in files
        if (found := violations(path.read_text(), _module_name(path), FORBIDDEN[layer]))
    }
    assert not bad, f"upward imports: {bad}"


def test_a_core_module_importing_matplotlib_is_caught() -> None:
    """The check is not vacuous: a core module that imports matplotlib (even lazily) fails it."""
    source = "import numpy as np\n\ndef chart():\n    import matplotlib.pyplot as plt\n"
    assert violations(source, "sim.core.model", FORBIDDEN["core"]) == ["matplotlib.pyplot"]
    relative = "from ..report import charts\n"
    assert violations(relative, "sim.core.model", FORBIDDEN["core"]) == [
        "sim.report",
        "sim.report.charts",
    ]


def test_every_module_belongs_to_a_layer_or_the_top() -> None:
    """A new folder under ``sim/`` must be given its place in the table above."""
    top = {"__init__.py", "errors.py", "units.py"}
    folders_without_rules = {"cli"}
    for child in SIM.iterdir():
        if child.name.startswith((".", "__pycache__")):
            continue
        if child.is_dir():
            assert child.name in FORBIDDEN or child.name in folders_without_rules, child.name
        elif child.suffix == ".py":
            assert child.name in FORBIDDEN or child.name in top, child.name
