"""``helpline replay``: one simulated day as a self-contained HTML page (and a GIF or MP4)."""

from __future__ import annotations

import math
import re
from pathlib import Path

import click

from sim.cli.common import OneLineCommand, draw_to_files, fail, friendly_errors
from sim.scenario import load_scenario
from sim.scenario.values import DAY_S

VIDEO_FRAMES = 240  # default frames of a video: 30 s at 8 frames a second
MOST_FRAMES = 2_880  # a frame every 30 s of a whole day: the finest the default gives
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")


def clock_s(option: str, text: str | None) -> float | None:
    """``HH:MM`` as seconds after midnight (00:00 to 24:00); one error line otherwise."""
    if text is None:
        return None
    m = _CLOCK.match(text.strip())
    if m:
        h, mi = int(m.group(1)), int(m.group(2))
        s = h * 3600.0 + mi * 60.0
        if mi < 60 and s <= DAY_S:
            return s
    fail(f"{option}: must be a time of day HH:MM from 00:00 to 24:00; got {text!r}")
    return None  # not reached


@click.command("replay", cls=OneLineCommand)
@click.argument("scenario_file", metavar="SCENARIO.toml")
@click.option("--day", type=int, help="Day to show, 0 = the horizon's start_date.")
@click.option(
    "--worst-day",
    is_flag=True,
    help="Show the day with the most busy tones and abandons (the default without --day).",
)
@click.option("--from", "from_clock", metavar="HH:MM", help="Start of the replay [00:00].")
@click.option("--to", "to_clock", metavar="HH:MM", help="End of the replay [24:00].")
@click.option("--replication", type=int, default=0, show_default=True, help="Replication to show.")
@click.option(
    "--out",
    "out_file",
    type=click.Path(dir_okay=False),
    default="replay.html",
    show_default=True,
    help="The HTML file to write.",
)
@click.option("--gif", is_flag=True, help="Also write the replay as a GIF beside --out.")
@click.option("--mp4", is_flag=True, help="Also write it as an MP4 beside --out (needs ffmpeg).")
@click.option(
    "--fps", type=int, default=8, show_default=True, help="Video frames per second of output."
)
@click.option(
    "--minutes-per-frame",
    type=float,
    help="Simulated minutes between video frames [default: about 240 frames, at least 0.5].",
)
@friendly_errors
def command(
    scenario_file: str,
    day: int | None,
    worst_day: bool,
    from_clock: str | None,
    to_clock: str | None,
    replication: int,
    out_file: str,
    gif: bool,
    mp4: bool,
    fps: int,
    minutes_per_frame: float | None,
) -> None:
    """Replay one simulated day of SCENARIO.toml: lines, call-takers, queue and wallboard.

    The page plays, pauses, changes speed and scrubs; shift starts and surges are marked on
    its timeline. It reads the replication's recorded facts, so it shows exactly what was
    simulated. The file is self-contained: open it in any browser, offline.
    """
    sc = load_scenario(scenario_file)
    days = math.ceil(sc.horizon.end_s / DAY_S)
    if day is not None and worst_day:
        fail("--day, --worst-day: give one of them; got both")
    if day is not None and not 0 <= day < days:
        fail(f"--day: must be a day of the horizon, 0 to {days - 1}; got {day}")
    if not 0 <= replication < sc.horizon.replications:
        fail(
            f"--replication: must be 0 to {sc.horizon.replications - 1} "
            f"(horizon.replications); got {replication}"
        )
    lo, hi = clock_s("--from", from_clock), clock_s("--to", to_clock)
    if lo is not None and hi is not None and hi <= lo:
        fail(f"--to: must be after --from ({from_clock}); got {to_clock}")
    if fps < 1:
        fail(f"--fps: must be a whole number >= 1; got {fps}")
    if minutes_per_frame is not None and not minutes_per_frame > 0:
        fail(f"--minutes-per-frame: must be > 0; got {minutes_per_frame}")
    mp4_ok = True
    if mp4:
        from sim.report.replay_video import ffmpeg_found

        mp4_ok = ffmpeg_found()
        if not mp4_ok:
            fail("--mp4: needs ffmpeg on PATH, which was not found; use --gif instead")

    from sim.core.model import simulate
    from sim.report.output import staged
    from sim.report.replay import roster_of, timeline, window_of
    from sim.report.replay_html import replay_page

    rec = simulate(sc, replication)
    w = window_of(rec, day, lo, hi)
    if w.end_s <= w.start_s:
        fail(f"--from: the horizon ends before {from_clock} on day {w.day}")
    span_s = w.end_s - w.start_s
    step_s = minutes_per_frame * 60 if minutes_per_frame else max(30.0, span_s / VIDEO_FRAMES)
    if (gif or mp4) and span_s / step_s > MOST_FRAMES:  # checked before anything is drawn
        fail(
            f"--minutes-per-frame: must give at most {MOST_FRAMES:,} frames over the replay's "
            f"{span_s / 60:g} min (at least {span_s / 60 / MOST_FRAMES:.2g} min a frame); "
            f"got {minutes_per_frame:g}"
        )
    tl = timeline(rec, roster_of(sc, replication), w)
    out = Path(out_file)
    written = [out]
    with staged(out.parent if str(out.parent) else ".") as stage:
        (stage / out.name).write_text(replay_page(tl), encoding="utf-8")
        if gif or (mp4 and mp4_ok):
            draw_to_files()
            from sim.report.replay_video import write_video

            for on, suffix in ((gif, ".gif"), (mp4, ".mp4")):
                if on:
                    target = out.with_suffix(suffix)
                    write_video(tl, stage / target.name, fps=fps, step_s=step_s)
                    written.append(target)
    m = tl["meta"]
    click.echo(
        f"Replay of {m['scenario']}, {m['weekday']} {m['date']} (day {m['day']}), replication "
        f"{replication}: " + ", ".join(f"{p} ({p.stat().st_size / 1e6:.2f} MB)" for p in written)
    )
