"""The replay as a GIF: one frame per step of simulated time, small enough for slides."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from sim.cli import main

ROOT = Path(__file__).resolve().parents[2]
SCAM = ROOT / "scenarios" / "scam_wave.toml"


def test_gif_has_one_frame_per_step_and_stays_small(tmp_path: Path) -> None:
    out = tmp_path / "peak.html"
    res = CliRunner().invoke(
        main,
        ["replay", str(SCAM), "--from", "15:00", "--to", "15:40", "--out", str(out), "--gif",
         "--minutes-per-frame", "1", "--fps", "10"],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    gif = out.with_suffix(".gif")
    with Image.open(gif) as im:
        assert im.n_frames == 40  # 40 simulated minutes, one frame a minute
        assert im.size == (800, 450)
        assert im.info["duration"] == 100  # 10 frames a second
        im.seek(20)
        assert len(im.convert("RGB").getcolors(1 << 16) or []) > 10  # a drawn frame
    # a 2-hour peak at the default 240 frames is about 6 times as many frames (bench/replay_gif)
    assert gif.stat().st_size < 5_000_000 / 6


def test_mp4_without_ffmpeg_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no ffmpeg here
    out = tmp_path / "r.html"
    res = CliRunner().invoke(main, ["replay", str(SCAM), "--mp4", "--out", str(out)])
    assert res.exit_code == 2
    assert res.output.strip() == (
        "error: --mp4: needs ffmpeg on PATH, which was not found; use --gif instead"
    )
    assert not out.exists()


def test_more_frames_than_a_video_takes_is_one_line_before_drawing(tmp_path: Path) -> None:
    # 40 minutes at 1e-6 min a frame would be 40 million frames: refused, nothing written
    out = tmp_path / "peak.html"
    res = CliRunner().invoke(
        main,
        ["replay", str(SCAM), "--from", "15:00", "--to", "15:40", "--out", str(out), "--gif",
         "--minutes-per-frame", "1e-6"],
    )  # fmt: skip
    assert res.exit_code == 2, res.output
    assert res.stderr.strip() == (
        "error: --minutes-per-frame: must give at most 2,880 frames over the replay's 40 min "
        "(at least 0.014 min a frame); got 1e-06"
    )
    assert not out.exists() and not out.with_suffix(".gif").exists()
