"""Finding the shared data: beside the checkout, or where ``HELPLINE_SHARED_DATA`` points."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from sim.calibrate import data
from sim.calibrate.data import BANK_LOG, ENV, shared_data


def test_the_variable_points_at_a_folder_elsewhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / BANK_LOG).write_text("vru+line\tcall_id\n", encoding="utf-8")
    monkeypatch.setenv(ENV, str(tmp_path))
    assert shared_data() == tmp_path / BANK_LOG


def test_a_folder_without_the_file_fails_naming_the_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Set but wrong is an error, not a silent fall back to the folders beside the checkout."""
    monkeypatch.setenv(ENV, str(tmp_path))
    with pytest.raises(FileNotFoundError) as err:
        shared_data()
    message = str(err.value)
    assert message.startswith(f"{BANK_LOG}: not found in ${ENV}")
    assert str(tmp_path) in message and "docs/calibration.md" in message


def test_unset_it_looks_beside_the_checkout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV, raising=False)
    root = Path(data.__file__).resolve().parents[2]
    assert root.parent / "shared" / "data" == data.candidates()[0]
    assert root.parent.parent / "shared" / "data" in data.candidates()
    monkeypatch.setattr(data, "_CHECKOUT", Path("/nonexistent/a/b"))
    assert data.candidates() == [
        Path("/nonexistent/a/shared/data"),
        Path("/nonexistent/shared/data"),
    ]
    with pytest.raises(FileNotFoundError, match=f"or set {ENV}"):
        shared_data()


def test_a_clone_of_a_local_checkout_looks_beside_that_checkout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``git clone . /tmp/x`` runs the suite without the data beside it: origin's are found."""
    monkeypatch.delenv(ENV, raising=False)
    source, clone = tmp_path / "work" / "repo", tmp_path / "elsewhere" / "x" / "repo"
    (tmp_path / "work" / "shared" / "data").mkdir(parents=True)
    log = tmp_path / "work" / "shared" / "data" / BANK_LOG
    log.write_text("vru+line\tcall_id\n", encoding="utf-8")
    git = ["git", "-c", "init.defaultBranch=main"]
    subprocess.run([*git, "init", "-q", str(source)], check=True)
    subprocess.run([*git, "clone", "-q", str(source), str(clone)], check=True, capture_output=True)
    monkeypatch.setattr(data, "_CHECKOUT", clone)
    assert shared_data() == log
    subprocess.run(["git", "-C", str(clone), "remote", "set-url", "origin", "https://x/y.git"])
    with pytest.raises(FileNotFoundError):
        shared_data()  # a remote origin is not looked beside
