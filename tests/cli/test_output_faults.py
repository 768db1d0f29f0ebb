"""`helpline run` output appears whole or not at all; locks; full disks; the engine's last guard.

Issue 16, output and faults: a run replaces its folder in one step (never a mix of two runs),
fsyncs first, clears what a killed run left, refuses a second run into the same folder, opens
lock and temporary files without following symbolic links, and names the file when the disk
is full. The kill tests (tests/cli/test_kills.py) kill real processes.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from tiny import TINY_TOML

from sim.cli import main
from sim.core.engine import Engine
from sim.errors import ExperimentError
from sim.experiment.store import RunStore, write_atomic
from sim.report.output import output_lock, replaced_folder, write_json, write_table


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.toml"
    path.write_text(TINY_TOML, encoding="utf-8")
    return path


def run(path: Path, out: Path, *args: str) -> object:
    return CliRunner().invoke(
        main, ["run", str(path), "--out", str(out), "--workers", "1", "--json", *args]
    )


def hidden_siblings(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}."))


def test_a_rerun_replaces_the_folder_whole_and_keeps_other_commands_files(
    tiny: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    assert run(tiny, out, "--seed", "1").exit_code == 0
    first = json.loads((out / "summary.json").read_text())
    (out / "theory_by_hour.csv").write_text("another command's file\n")
    (out / "stale_from_an_old_version.parquet").write_bytes(b"x")
    assert run(tiny, out, "--seed", "2").exit_code == 0
    second = json.loads((out / "summary.json").read_text())
    assert first["seed"] == 1 and second["seed"] == 2
    assert (out / "theory_by_hour.csv").read_text() == "another command's file\n"
    assert hidden_siblings(out) == [".out.lock"]  # no staging folder left
    assert oct(out.stat().st_mode & 0o777) != "0o700"  # usual permissions, not mkdtemp's


def test_a_failure_while_writing_leaves_the_previous_folder(tiny: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run(tiny, out, "--seed", "1").exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def write_then_die() -> None:
        with output_lock(out), replaced_folder(out) as stage:
            (stage / "summary.json").write_text("{}")
            raise RuntimeError("killed while writing")

    with pytest.raises(RuntimeError, match="killed while writing"):
        write_then_die()
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert hidden_siblings(out) == [".out.lock"]


def test_stale_staging_folders_are_removed(tiny: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    (tmp_path / ".out.staging-deadbeef").mkdir()
    (tmp_path / ".out.staging-deadbeef" / "attempts.parquet").write_bytes(b"half")
    assert run(tiny, out).exit_code == 0
    assert hidden_siblings(out) == [".out.lock"]


def test_a_half_done_two_rename_swap_is_put_back(tmp_path: Path) -> None:
    out = tmp_path / "out"
    old = tmp_path / ".out.previous-1234abcd"
    old.mkdir()
    (old / "summary.json").write_text("{}")
    with output_lock(out):
        pass
    assert (out / "summary.json").exists() and not old.exists()


def test_a_folder_holding_folders_is_not_replaced(tiny: Path, tmp_path: Path) -> None:
    out = tmp_path / "mine"
    (out / "notes").mkdir(parents=True)
    result = run(tiny, out)
    assert result.exit_code == 2 and "holds folders (notes)" in result.output
    assert sorted(p.name for p in out.iterdir()) == ["notes"]


def test_a_second_run_into_the_same_folder_is_refused(tiny: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    with output_lock(out):  # this process
        result = run(tiny, out)
        assert result.exit_code == 2 and "another run is writing" in result.output
    holder = subprocess.Popen(  # another process
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                f"""
                import sys, time
                from sim.report.output import output_lock
                with output_lock({str(out)!r}):
                    print("held", flush=True)
                    time.sleep(60)
                """
            ),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        result = run(tiny, out)
        assert result.exit_code == 2 and "another run is writing" in result.output
    finally:
        holder.kill()
        holder.wait()
    assert run(tiny, out).exit_code == 0  # released when its holder died


def test_lock_files_are_not_followed_through_symlinks(tmp_path: Path) -> None:
    target = tmp_path / "precious.txt"
    target.write_text("keep me")
    sweep = tmp_path / "sweep"
    sweep.mkdir()
    (sweep / ".lock").symlink_to(target)
    with pytest.raises(ExperimentError, match="symbolic link"), RunStore(sweep, {}, []):
        pass
    out = tmp_path / "out"
    (tmp_path / ".out.lock").symlink_to(target)
    with pytest.raises(ExperimentError, match="symbolic link"), output_lock(out):
        pass
    assert target.read_text() == "keep me"


def test_temporary_files_are_not_followed_through_symlinks(tmp_path: Path) -> None:
    target = tmp_path / "precious.txt"
    target.write_text("keep me")
    dest = tmp_path / "run.json"
    (tmp_path / f".run.json.{os.getpid()}.tmp").symlink_to(target)
    write_atomic(dest, "{}")
    assert dest.read_text() == "{}" and target.read_text() == "keep me"


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_full_disk_names_the_file() -> None:
    with pytest.raises(OSError, match="No space left") as info:
        write_table(pd.DataFrame({"a": range(100_000)}), Path("/dev/full"))
    assert info.value.filename == "/dev/full"
    with pytest.raises(OSError, match="No space left") as info:
        write_json({"a": 1}, Path("/dev/full"))
    assert info.value.filename == "/dev/full"


def test_a_full_disk_during_run_is_one_line_naming_the_file(
    tiny: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(self: pd.DataFrame, path: object, **kwargs: object) -> None:
        raise OSError("Error writing bytes to file. Detail: [errno 28] No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_parquet", full)
    out = tmp_path / "out"
    result = run(tiny, out)
    assert result.exit_code == 2
    line = result.output.strip()
    assert "\n" not in line and "attempts.parquet: " in line and "No space left" in line
    assert not out.exists() and hidden_siblings(out) == [".out.lock"]


@pytest.mark.parametrize("delay", [math.nan, -1.0, -math.inf])
def test_the_engine_refuses_a_nan_or_negative_delay_naming_it(delay: float) -> None:
    class Model:
        def _on_talk_end(self, ev: object) -> None: ...

    env = Engine()
    with pytest.raises(ValueError, match="talk time drawn is"):
        env.at(delay, Model()._on_talk_end, 0)
    with pytest.raises(ValueError, match="before the clock"):
        env.at_time(delay, Model()._on_talk_end, 0)
    assert not env._queue
