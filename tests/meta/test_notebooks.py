"""The notebooks: stored without outputs, listed in the README, and run top to bottom.

Each notebook has a parameter cell (tagged ``parameters``) that reads ``HELPLINE_NOTEBOOK_QUICK``:
unset, it runs the full setting its first cell documents; set to ``1``, as here, a short horizon
and few replications. Each ends with a ``## Conclusion`` heading and one code cell that writes the
conclusion from the numbers the notebook computed, so the heading cell itself holds no figure.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
QUICK_ENV = "HELPLINE_NOTEBOOK_QUICK"


def _ids(paths: list[Path]) -> list[str]:
    return [p.name for p in paths]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_notebook_is_stored_without_outputs(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    stored = [
        i
        for i, c in enumerate(nb.cells)
        if c.cell_type == "code" and (c.get("outputs") or c.get("execution_count") is not None)
    ]
    assert not stored, f"{path.name}: cells {stored} keep outputs; clear them before committing"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_notebook_is_listed_in_the_readme(path: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"notebooks/{path.name}" in readme


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_notebook_has_a_quick_parameter_cell_and_a_computed_conclusion(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    params = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(params) == 1 and params[0].cell_type == "code", "one cell tagged 'parameters'"
    assert QUICK_ENV in params[0].source
    assert re.search(r"\bDAYS\b", params[0].source) and "REPLICATIONS" in params[0].source
    assert "full setting" in nb.cells[0].source, "the first cell documents the full setting"
    heading, last = nb.cells[-2], nb.cells[-1]
    assert heading.cell_type == "markdown" and heading.source.strip() == "## Conclusion"
    assert last.cell_type == "code" and "Markdown(" in last.source


def test_ruff_lints_every_notebook() -> None:
    """``ruff check .`` (tests/meta/test_lint.py) reads the notebooks, none excluded."""
    ruff = Path(sys.executable).parent / "ruff"
    done = subprocess.run(
        [str(ruff) if ruff.exists() else "ruff", "check", "--show-files", "."],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    linted = {Path(line.strip()).resolve() for line in done.stdout.splitlines() if line.strip()}
    assert NOTEBOOKS, "no notebooks found"
    assert not [p.name for p in NOTEBOOKS if p.resolve() not in linted]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_notebook_runs(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(QUICK_ENV, "1")  # the kernel inherits this process's environment
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    client.execute()
    errors = [
        o
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if o.get("output_type") == "error"
    ]
    assert not errors, errors
    shown = [o.get("data", {}).get("text/markdown", "") for o in nb.cells[-1].outputs]
    text = "".join(shown)
    assert re.search(r"\d", text), f"{path.name}: the conclusion shows no computed number"
    assert "quick mode: True" in text, f"{path.name}: the conclusion does not say it is quick"
