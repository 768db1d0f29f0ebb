"""docs/architecture.md matches the tree: every module it names exists, every folder is named.

A newcomer finds their room from that page, so a module moved or renamed without the page
following fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "architecture.md"
#: A path the page names: `sim/...`, `bench/...`, `tests/...`, `scenarios/...`, in backticks.
PATH = re.compile(r"`((?:sim|bench|tests|scenarios|notebooks)/[A-Za-z0-9_./*-]*)`")


def named_paths() -> list[str]:
    """Every repository path the page names in backticks."""
    return sorted(set(PATH.findall(DOC.read_text())))


def test_every_module_named_exists() -> None:
    paths = named_paths()
    assert len(paths) > 20, "the page names too few modules to be a map of the tree"
    missing = [p for p in paths if not any(ROOT.glob(p.rstrip("/")))]
    assert not missing, f"docs/architecture.md names paths that do not exist: {missing}"


def test_every_package_folder_is_named() -> None:
    text = DOC.read_text()
    folders = sorted(
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "sim").iterdir()
        if p.is_dir() and (p / "__init__.py").exists()
    )
    unnamed = [f for f in folders if f"`{f}/" not in text]
    assert not unnamed, f"docs/architecture.md has no row for {unnamed}"


def test_every_module_is_named() -> None:
    text = DOC.read_text()
    modules = sorted(
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "sim").rglob("*.py")
        if p.name != "__init__.py" and "__pycache__" not in p.parts
    )
    unnamed = [
        m
        for m in modules
        if f"`{m}`" not in text
        and f"`{Path(m).name}`" not in text
        and f"`{Path(m).stem}`" not in text
    ]
    assert not unnamed, f"docs/architecture.md does not say what these modules own: {unnamed}"
